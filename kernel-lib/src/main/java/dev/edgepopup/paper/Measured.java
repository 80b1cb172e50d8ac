package dev.edgepopup.paper;

import dev.edgepopup.display.Format;
import dev.edgepopup.sweep.SweepResult;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.stream.IntStream;
import tech.tablesaw.api.Table;

/**
 * A measured value over seeds, what a {@link Claim} compares: the mean, its sample standard
 * deviation (NaN for a single seed, whose spread is unknown) and the number of seeds.
 *
 * <pre>{@code
 * Measured popup = Measured.at(curve, 0.5);                                // a curve's point
 * Measured zhou = Measured.of("zhou", t.where(t.stringColumn("approach").isEqualTo("zhou")));
 * Measured swaps = Measured.of("random swaps", 0.41, 0.47, 0.44);          // one value per seed
 * }</pre>
 *
 * @param label what it is, as a verdict's sentence names it
 * @param mean the mean over seeds
 * @param std the sample standard deviation (n - 1) over seeds; NaN for one seed
 * @param n the number of seeds
 */
public record Measured(String label, double mean, double std, int n) {
    /**
     * Checks the parts.
     *
     * @param label the label
     * @param mean the mean, a number
     * @param std the std, NaN or at least 0
     * @param n the seeds, at least 1
     */
    public Measured {
        Objects.requireNonNull(label, "label");
        if (!Double.isFinite(mean)) {
            throw new IllegalArgumentException(
                    "'" + label + "' has no mean (" + mean + "): did its runs finish?");
        }
        if (std < 0 || n < 1) {
            throw new IllegalArgumentException(
                    "'" + label + "' needs std >= 0 (or NaN) and n >= 1, got " + std + " and " + n);
        }
    }

    /**
     * A value from one result per seed.
     *
     * @param label what it is
     * @param perSeed the results, one per seed
     * @return their mean and sample standard deviation
     */
    public static Measured of(String label, double... perSeed) {
        if (perSeed.length == 0) {
            throw new IllegalArgumentException("'" + label + "' needs at least one value");
        }
        double mean = Arrays.stream(perSeed).average().orElseThrow();
        double ss = Arrays.stream(perSeed).map(v -> (v - mean) * (v - mean)).sum();
        return new Measured(
                label,
                mean,
                perSeed.length < 2 ? Double.NaN : Math.sqrt(ss / (perSeed.length - 1)),
                perSeed.length);
    }

    /**
     * A curve's point.
     *
     * @param curve e.g. one of {@code result.curves(SweepResult.K, SweepResult.INIT)}
     * @param x where on the curve
     * @return the point, labelled with the curve's name in the paper's symbols ({@link
     *     Paper#names})
     * @throws IllegalArgumentException naming the curve's x values if it has no point at {@code x}
     */
    public static Measured at(SweepResult.Curve curve, double x) {
        int i =
                IntStream.range(0, curve.x().length)
                        .filter(j -> curve.x()[j] == x)
                        .findFirst()
                        .orElseThrow(
                                () ->
                                        new IllegalArgumentException(
                                                "curve '"
                                                        + curve.name()
                                                        + "' has no point at "
                                                        + x
                                                        + ": its x values are "
                                                        + Arrays.toString(curve.x())));
        return at(curve, i, Paper.names(curve.name()));
    }

    /**
     * A curve's best point, e.g. the best k of a Figure 3 curve.
     *
     * @param curve the curve
     * @return its point with the highest mean (the first of equals), labelled with the curve's name
     *     and that x, e.g. "conv4 U_k at k = 0.5" when the caller names the axis in the label
     */
    public static Measured best(SweepResult.Curve curve) {
        int best = 0;
        for (int i = 1; i < curve.x().length; i++) {
            if (curve.mean()[i] > curve.mean()[best]) {
                best = i;
            }
        }
        return at(
                curve,
                best,
                Paper.names(curve.name()) + " at " + Format.GENERAL.format(curve.x()[best]));
    }

    /** The curve's i-th point. */
    static Measured at(SweepResult.Curve curve, int i, String label) {
        return new Measured(label, curve.mean()[i], curve.std()[i], curve.n()[i]);
    }

    /**
     * The value of aggregate rows (e.g. a sweep's {@code aggregate()} filtered with {@code where}):
     * one row gives its mean, std and seeds; several rows give their {@link #average}.
     *
     * @param label what it is
     * @param aggregateRows rows with the columns {@value SweepResult#TEST_ACC_MEAN}, {@value
     *     SweepResult#TEST_ACC_STD} and {@value SweepResult#SEEDS}
     * @return the value
     * @throws IllegalArgumentException if there are no rows
     */
    public static Measured of(String label, Table aggregateRows) {
        if (aggregateRows.rowCount() == 0) {
            throw new IllegalArgumentException(
                    "no rows for '"
                            + label
                            + "': check the filter and "
                            + "that the runs finished");
        }
        List<Measured> rows =
                IntStream.range(0, aggregateRows.rowCount())
                        .mapToObj(
                                r ->
                                        new Measured(
                                                label,
                                                aggregateRows
                                                        .doubleColumn(SweepResult.TEST_ACC_MEAN)
                                                        .getDouble(r),
                                                aggregateRows
                                                        .doubleColumn(SweepResult.TEST_ACC_STD)
                                                        .getDouble(r),
                                                aggregateRows
                                                        .intColumn(SweepResult.SEEDS)
                                                        .getInt(r)))
                        .toList();
        return rows.size() == 1 ? rows.get(0) : average(label, rows);
    }

    /**
     * The average of several values, e.g. one distribution's accuracy over every k: the mean of
     * their means, with standard deviation sqrt(sum of s_i^2) / m (the spread of an average of m
     * independent values), NaN if any part's is unknown, and the fewest seeds of any part.
     *
     * @param label what it is
     * @param parts the values
     * @return their average
     */
    public static Measured average(String label, List<Measured> parts) {
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("'" + label + "' averages no values");
        }
        int m = parts.size();
        double mean = parts.stream().mapToDouble(Measured::mean).sum() / m;
        double std = Math.sqrt(parts.stream().mapToDouble(p -> p.std() * p.std()).sum()) / m;
        return new Measured(
                label, mean, std, parts.stream().mapToInt(Measured::n).min().orElseThrow());
    }

    /**
     * The difference of two values, e.g. the gap between learned weights and a subnetwork. Its
     * standard deviation is {@link #spread}(this, other); it has the fewer seeds of the two.
     *
     * @param other the value to subtract
     * @param label what the difference is
     * @return this minus other
     */
    public Measured minus(Measured other, String label) {
        boolean known = !Double.isNaN(std) || !Double.isNaN(other.std);
        return new Measured(
                label,
                mean - other.mean,
                known ? spread(this, other) : Double.NaN,
                Math.min(n, other.n));
    }

    /**
     * The spread over seeds of the difference between one run of {@code a} and one run of {@code
     * b}: sqrt(s_a^2 + s_b^2), where the unknown spread of a single seed counts as 0.
     *
     * @param a one value
     * @param b the other
     * @return the combined sample standard deviation
     */
    public static double spread(Measured a, Measured b) {
        return Math.hypot(known(a.std), known(b.std));
    }

    private static double known(double std) {
        return Double.isNaN(std) ? 0 : std;
    }

    /**
     * @param newLabel the label a verdict should use
     * @return the same value under another label
     */
    public Measured named(String newLabel) {
        return new Measured(newLabel, mean, std, n);
    }

    /**
     * @return e.g. "86.4% +- 0.4, n = 3" or "86.4%, n = 1"
     */
    public String numbers() {
        return Format.PERCENT.format(mean)
                + (Double.isNaN(std) ? "" : " +- " + Claim.points(std))
                + ", n = "
                + n;
    }

    /**
     * @return e.g. "conv4 U_k (86.4% +- 0.4, n = 3)"
     */
    @Override
    public String toString() {
        return label + " (" + numbers() + ")";
    }
}
