package dev.edgepopup.paper;

import dev.edgepopup.display.Format;
import dev.edgepopup.sweep.SweepResult;
import java.util.Locale;
import java.util.Objects;
import java.util.function.DoubleFunction;

/**
 * One of the paper's findings checked against measured values, with the sentence that says what was
 * measured. A {@link Verdict} combines several.
 *
 * <pre>{@code
 * Claim.beats(Measured.at(popup, 0.5), Measured.at(zhou, 1))   // edge-popup beats Zhou et al.
 * Claim.peaksInside(curve, "k", 0.3, 0.7)                      // best k in the middle
 * Claim.risesWith(curve, "width")
 * Claim.noClearDifference(scaled, plain).floor(0.02)
 * }</pre>
 *
 * <p><b>The margin.</b> A difference between two values A and B counts only when it exceeds the
 * margin: the larger of a fixed floor ({@link #FLOOR}, one point, unless {@link #floor(double)}
 * says otherwise) and the spread over seeds, sqrt(s_A^2 + s_B^2), the standard deviation of the
 * difference between one seed of A and one of B ({@link Measured#spread}). A single seed's spread
 * is unknown and counts as 0, so a one-seed comparison rests on the floor alone. So "A beats B"
 * needs mean_A - mean_B &gt; margin, "rises" and "narrows" likewise, a peak must beat both ends by
 * their margins (a tie is not a peak), and "no clear difference" holds when the two are within the
 * margin. {@link #atLeast} and {@link #reaches} compare means with no margin: they claim no
 * difference.
 */
public final class Claim {
    /** The default floor of the margin: one percentage point (accuracies are fractions). */
    public static final double FLOOR = 0.01;

    /** What a check found. */
    private record Outcome(boolean holds, String sentence) {}

    private final DoubleFunction<Outcome> check;
    private final double floor;
    private final boolean usesMargin;
    private final Outcome outcome;

    private Claim(DoubleFunction<Outcome> check, double floor, boolean usesMargin) {
        this.check = check;
        this.floor = floor;
        this.usesMargin = usesMargin;
        this.outcome = check.apply(floor);
    }

    private static Claim withMargin(DoubleFunction<Outcome> check) {
        return new Claim(check, FLOOR, true);
    }

    /**
     * The same claim with another floor for its margin, e.g. 0.05 for "far behind" (five points).
     *
     * @param newFloor the floor, a fraction in [0, 1) (0.01 is one point)
     * @return the claim checked with that floor
     */
    public Claim floor(double newFloor) {
        if (!(newFloor >= 0 && newFloor < 1)) {
            throw new IllegalArgumentException(
                    "the floor is a fraction in [0, 1) (0.01 is one point), got " + newFloor);
        }
        if (!usesMargin) {
            throw new IllegalStateException(
                    "this claim compares means without a margin: " + sentence());
        }
        return new Claim(check, newFloor, true);
    }

    /**
     * @return whether the measured values bear the claim out
     */
    public boolean holds() {
        return outcome.holds();
    }

    /**
     * @return what was measured, e.g. "conv4 U_k (86.4%, n = 1) beats ... by 2.4 points (margin
     *     1.0)"
     */
    public String sentence() {
        return outcome.sentence();
    }

    /**
     * @return the floor of the margin (a fraction)
     */
    public double floor() {
        return floor;
    }

    /**
     * @return whether the claim counts differences against a margin
     */
    public boolean usesMargin() {
        return usesMargin;
    }

    @Override
    public String toString() {
        return (holds() ? "holds: " : "fails: ") + sentence();
    }

    /** The margin of a difference between a and b. */
    static double margin(double floor, Measured a, Measured b) {
        return Math.max(floor, Measured.spread(a, b));
    }

    /** A difference as points with one decimal, e.g. 0.024 as "2.4". */
    static String points(double d) {
        return String.format(Locale.ROOT, "%.1f", 100 * d);
    }

    private static String pct(double v) {
        return Format.PERCENT.format(v);
    }

    /**
     * A beats B: mean_A - mean_B exceeds the margin.
     *
     * @param a the one expected to be better
     * @param b the other
     * @return the claim
     */
    public static Claim beats(Measured a, Measured b) {
        Objects.requireNonNull(a, "a");
        Objects.requireNonNull(b, "b");
        return withMargin(
                floor -> {
                    double d = a.mean() - b.mean();
                    double m = margin(floor, a, b);
                    if (d > m) {
                        return new Outcome(
                                true,
                                a
                                        + " beats "
                                        + b
                                        + " by "
                                        + points(d)
                                        + " points (margin "
                                        + points(m)
                                        + ")");
                    }
                    return new Outcome(
                            false,
                            d > 0
                                    ? a
                                            + " is ahead of "
                                            + b
                                            + " by only "
                                            + points(d)
                                            + " points, within the margin of "
                                            + points(m)
                                            + ": no clear win"
                                    : a
                                            + " does not beat "
                                            + b
                                            + ": it is "
                                            + points(-d)
                                            + " points behind");
                });
    }

    /**
     * No clear difference between A and B: |mean_A - mean_B| is within the margin (e.g. the scaled
     * distributions on CIFAR-10, where the paper saw none).
     *
     * @param a one value
     * @param b the other
     * @return the claim
     */
    public static Claim noClearDifference(Measured a, Measured b) {
        return withMargin(
                floor -> {
                    double d = Math.abs(a.mean() - b.mean());
                    double m = margin(floor, a, b);
                    return d <= m
                            ? new Outcome(
                                    true,
                                    a
                                            + " and "
                                            + b
                                            + " show no clear difference: "
                                            + points(d)
                                            + " points apart, within the margin of "
                                            + points(m))
                            : new Outcome(
                                    false,
                                    a
                                            + " and "
                                            + b
                                            + " differ clearly: "
                                            + points(d)
                                            + " points apart, beyond the margin of "
                                            + points(m));
                });
    }

    /**
     * A does at least as well as B: mean_A &gt;= mean_B, with no margin (the claim is not that they
     * differ).
     *
     * @param a the one expected to be no worse
     * @param b the other
     * @return the claim
     */
    public static Claim atLeast(Measured a, Measured b) {
        double d = a.mean() - b.mean();
        return new Claim(
                floor ->
                        d >= 0
                                ? new Outcome(
                                        true,
                                        a
                                                + " does at least as well as "
                                                + b
                                                + " ("
                                                + signed(d)
                                                + " points)")
                                : new Outcome(
                                        false,
                                        a
                                                + " does worse than "
                                                + b
                                                + ", by "
                                                + points(-d)
                                                + " points"),
                FLOOR,
                false);
    }

    /**
     * A reaches a level: mean_A &gt;= level, with no margin.
     *
     * @param a the value
     * @param level e.g. 0.9 for "at least 90% of the steps"
     * @return the claim
     */
    public static Claim reaches(Measured a, double level) {
        return new Claim(
                floor ->
                        a.mean() >= level
                                ? new Outcome(true, a + " reaches " + pct(level))
                                : new Outcome(false, a + " stays below " + pct(level)),
                FLOOR,
                false);
    }

    /**
     * A gap narrows: the first gap exceeds the second by more than the margin, e.g. learned weights
     * minus the subnetwork for a shallow and a deep network ({@link Measured#minus}).
     *
     * @param what the gap, e.g. "the gap to learned weights"
     * @param from the first gap, labelled e.g. "conv2"
     * @param to the second, labelled e.g. "conv4"
     * @return the claim
     */
    public static Claim narrows(String what, Measured from, Measured to) {
        return withMargin(
                floor -> {
                    double d = from.mean() - to.mean();
                    double m = margin(floor, from, to);
                    String values =
                            points(from.mean())
                                    + " points ("
                                    + from.label()
                                    + ") to "
                                    + points(to.mean())
                                    + " points ("
                                    + to.label()
                                    + ")";
                    if (d > m) {
                        return new Outcome(
                                true,
                                what
                                        + " narrows from "
                                        + values
                                        + ", by "
                                        + points(d)
                                        + " points (margin "
                                        + points(m)
                                        + ")");
                    }
                    return new Outcome(
                            false,
                            d > 0
                                    ? what
                                            + " narrows only from "
                                            + values
                                            + ", by "
                                            + points(d)
                                            + " points, within the margin of "
                                            + points(m)
                                    : what + " does not narrow: from " + values);
                });
    }

    /**
     * A curve rises with its x: the point at the largest x beats the point at the smallest by more
     * than their margin, and no step from one x to the next falls by more than its margin.
     *
     * @param curve e.g. accuracy against width
     * @param x the x axis's name for the sentence, e.g. "width"
     * @return the claim
     */
    public static Claim risesWith(SweepResult.Curve curve, String x) {
        int last = curve.x().length - 1;
        if (last < 1) {
            throw new IllegalArgumentException(
                    "curve '" + curve.name() + "' has " + (last + 1) + " point: rising needs two");
        }
        String name = Paper.names(curve.name());
        return withMargin(
                floor -> {
                    Measured first = Measured.at(curve, 0, name);
                    Measured end = Measured.at(curve, last, name);
                    double d = end.mean() - first.mean();
                    double m = margin(floor, first, end);
                    String values =
                            pct(first.mean())
                                    + " at "
                                    + x
                                    + " = "
                                    + num(curve.x()[0])
                                    + " to "
                                    + pct(end.mean())
                                    + " at "
                                    + x
                                    + " = "
                                    + num(curve.x()[last]);
                    if (d <= m) {
                        return new Outcome(
                                false,
                                name
                                        + " does not rise with "
                                        + x
                                        + ": from "
                                        + values
                                        + " ("
                                        + signed(d)
                                        + " points, margin "
                                        + points(m)
                                        + ")");
                    }
                    for (int i = 0; i < last; i++) {
                        Measured a = Measured.at(curve, i, name);
                        Measured b = Measured.at(curve, i + 1, name);
                        double stepMargin = margin(floor, a, b);
                        if (a.mean() - b.mean() > stepMargin) {
                            return new Outcome(
                                    false,
                                    name
                                            + " rises with "
                                            + x
                                            + " overall, from "
                                            + values
                                            + ", but falls by "
                                            + points(a.mean() - b.mean())
                                            + " points from "
                                            + x
                                            + " = "
                                            + num(curve.x()[i])
                                            + " to "
                                            + num(curve.x()[i + 1])
                                            + ", beyond the margin of "
                                            + points(stepMargin));
                        }
                    }
                    return new Outcome(
                            true,
                            name
                                    + " rises with "
                                    + x
                                    + ": from "
                                    + values
                                    + ", +"
                                    + points(d)
                                    + " points (margin "
                                    + points(m)
                                    + "), with no step down beyond the margin");
                });
    }

    /**
     * A curve peaks inside [lo, hi]: its best point lies there, is not an end of the curve, and
     * beats the points at both ends by more than their margins. A tie is not a peak.
     *
     * @param curve e.g. accuracy against k
     * @param x the x axis's name for the sentence, e.g. "k"
     * @param lo the interval's left end
     * @param hi its right end
     * @return the claim
     */
    public static Claim peaksInside(SweepResult.Curve curve, String x, double lo, double hi) {
        int last = curve.x().length - 1;
        if (last < 2) {
            throw new IllegalArgumentException(
                    "curve '"
                            + curve.name()
                            + "' has "
                            + (last + 1)
                            + " points: a peak needs one inside and one at each end");
        }
        String name = Paper.names(curve.name());
        String range = x + " in [" + num(lo) + ", " + num(hi) + "]";
        return withMargin(
                floor -> {
                    int best = 0;
                    for (int i = 1; i <= last; i++) {
                        if (curve.mean()[i] > curve.mean()[best]) {
                            best = i;
                        }
                    }
                    Measured top = Measured.at(curve, best, name);
                    String at = pct(top.mean()) + " at " + x + " = " + num(curve.x()[best]);
                    if (curve.x()[best] < lo || curve.x()[best] > hi || best == 0 || best == last) {
                        return new Outcome(
                                false,
                                name
                                        + " does not peak inside "
                                        + range
                                        + ": its best point is "
                                        + at);
                    }
                    double[] margins = new double[2];
                    int[] ends = {0, last};
                    for (int e = 0; e < 2; e++) {
                        Measured end = Measured.at(curve, ends[e], name);
                        margins[e] = margin(floor, top, end);
                        if (top.mean() - end.mean() <= margins[e]) {
                            return new Outcome(
                                    false,
                                    name
                                            + " has no clear peak inside "
                                            + range
                                            + ": its best point, "
                                            + at
                                            + ", is not ahead of the end at "
                                            + x
                                            + " = "
                                            + num(curve.x()[ends[e]])
                                            + " ("
                                            + pct(end.mean())
                                            + ") by more than the margin of "
                                            + points(margins[e])
                                            + " points (a tie is not a peak)");
                        }
                    }
                    return new Outcome(
                            true,
                            name
                                    + " peaks inside "
                                    + range
                                    + ": "
                                    + at
                                    + " (n = "
                                    + top.n()
                                    + "), ahead of both ends ("
                                    + pct(curve.mean()[0])
                                    + " at "
                                    + x
                                    + " = "
                                    + num(curve.x()[0])
                                    + ", "
                                    + pct(curve.mean()[last])
                                    + " at "
                                    + x
                                    + " = "
                                    + num(curve.x()[last])
                                    + ") by more than their margins ("
                                    + points(margins[0])
                                    + " and "
                                    + points(margins[1])
                                    + " points)");
                });
    }

    /**
     * A value matches the paper's number: |mean - paper| is within the margin (the larger of the
     * floor and the value's own spread) plus {@link Paper#READING_ERROR}, how far a value read off
     * the paper's plots may be off. Meant for a full run, to tell "matches the paper" from "agrees
     * with the trend".
     *
     * @param m the measured value
     * @param paper the paper's number, e.g. {@code Paper.edgePopup("conv4")}
     * @return the claim
     */
    public static Claim matchesPaper(Measured m, double paper) {
        return withMargin(
                floor -> {
                    double d = m.mean() - paper;
                    double tolerance =
                            Math.max(floor, Double.isNaN(m.std()) ? 0 : m.std())
                                    + Paper.READING_ERROR;
                    String against =
                            "the paper's "
                                    + pct(paper)
                                    + " (+-"
                                    + points(Paper.READING_ERROR)
                                    + " as read)";
                    return Math.abs(d) <= tolerance
                            ? new Outcome(
                                    true,
                                    m
                                            + " matches "
                                            + against
                                            + ": "
                                            + points(Math.abs(d))
                                            + " points apart, within "
                                            + points(tolerance))
                            : new Outcome(
                                    false,
                                    m
                                            + " is "
                                            + points(Math.abs(d))
                                            + " points "
                                            + (d < 0 ? "below " : "above ")
                                            + against
                                            + ", beyond "
                                            + points(tolerance));
                });
    }

    private static String signed(double d) {
        return (d >= 0 ? "+" : "-") + points(Math.abs(d));
    }

    private static String num(double v) {
        return Format.GENERAL.format(v);
    }
}
