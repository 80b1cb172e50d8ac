package dev.edgepopup.paper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgepopup.sweep.SweepResult;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Every rule with hand-made numbers: the margin, the boundaries, the sentences. */
class ClaimTest {
    private static final double NAN = Double.NaN;

    private static Measured m(String label, double mean, double std, int n) {
        return new Measured(label, mean, std, n);
    }

    private static Measured one(String label, double mean) {
        return new Measured(label, mean, NAN, 1);
    }

    private static SweepResult.Curve curve(
            String name, double[] x, double[] mean, double std, int n) {
        double[] s = new double[x.length];
        Arrays.fill(s, std);
        int[] seeds = new int[x.length];
        Arrays.fill(seeds, n);
        return new SweepResult.Curve(name, x, mean, s, seeds);
    }

    @Test
    void beatsNeedsMoreThanTheSpreadOverSeeds() {
        // spread = sqrt(0.01^2 + 0.02^2) = 0.02236: the margin, above the 1-point floor
        Measured a = m("a", 0.80, 0.01, 3);
        Measured b = m("b", 0.75, 0.02, 3);
        Claim win = Claim.beats(a, b);
        assertTrue(win.holds());
        assertEquals(
                "a (80.0% +- 1.0, n = 3) beats b (75.0% +- 2.0, n = 3) by 5.0 points (margin 2.2)",
                win.sentence());
        Claim close = Claim.beats(m("a", 0.77, 0.01, 3), b);
        assertFalse(close.holds());
        assertEquals(
                "a (77.0% +- 1.0, n = 3) is ahead of b (75.0% +- 2.0, n = 3) by only 2.0 points, "
                        + "within the margin of 2.2: no clear win",
                close.sentence());
        Claim behind = Claim.beats(m("a", 0.70, 0.01, 3), b);
        assertFalse(behind.holds());
        assertEquals(
                "a (70.0% +- 1.0, n = 3) does not beat b (75.0% +- 2.0, n = 3): it is 5.0 points"
                        + " behind",
                behind.sentence());
    }

    @Test
    void oneSeedRestsOnTheFloorAndTheFloorCanBeRaised() {
        assertFalse(Claim.beats(one("a", 0.805), one("b", 0.80)).holds());
        assertTrue(Claim.beats(one("a", 0.815), one("b", 0.80)).holds());
        assertEquals(
                "a (81.5%, n = 1) beats b (80.0%, n = 1) by 1.5 points (margin 1.0)",
                Claim.beats(one("a", 0.815), one("b", 0.80)).sentence());
        Claim farBehind = Claim.beats(one("a", 0.83), one("b", 0.80));
        assertTrue(farBehind.holds());
        assertFalse(farBehind.floor(0.05).holds());
        assertEquals(0.05, farBehind.floor(0.05).floor());
        assertThrows(IllegalArgumentException.class, () -> farBehind.floor(1));
        assertThrows(IllegalArgumentException.class, () -> farBehind.floor(-0.01));
    }

    @Test
    void aDifferenceEqualToTheMarginDoesNotCount() {
        // 0.75 - 0.5 = 0.25 exactly, and the floor is 0.25: not beyond it.
        assertFalse(Claim.beats(one("a", 0.75), one("b", 0.5)).floor(0.25).holds());
        assertTrue(Claim.noClearDifference(one("a", 0.75), one("b", 0.5)).floor(0.25).holds());
    }

    @Test
    void noClearDifferenceHoldsWithinTheMargin() {
        // spread sqrt(0.004^2 + 0.003^2) = 0.005 < floor 0.01
        Claim same =
                Claim.noClearDifference(m("scaled U_k", 0.84, 0.004, 2), m("U_k", 0.843, 0.003, 2));
        assertTrue(same.holds());
        assertEquals(
                "scaled U_k (84.0% +- 0.4, n = 2) and U_k (84.3% +- 0.3, n = 2) show no clear"
                        + " difference: 0.3 points apart, within the margin of 1.0",
                same.sentence());
        Claim apart =
                Claim.noClearDifference(m("scaled U_k", 0.80, 0.004, 2), m("U_k", 0.84, 0.003, 2));
        assertFalse(apart.holds());
        assertEquals(
                "scaled U_k (80.0% +- 0.4, n = 2) and U_k (84.0% +- 0.3, n = 2) differ clearly: "
                        + "4.0 points apart, beyond the margin of 1.0",
                apart.sentence());
    }

    @Test
    void atLeastAndReachesCompareMeansWithoutAMargin() {
        Claim atLeast = Claim.atLeast(one("U_k", 0.85), one("N_k", 0.84));
        assertTrue(atLeast.holds());
        assertEquals(
                "U_k (85.0%, n = 1) does at least as well as N_k (84.0%, n = 1) (+1.0 points)",
                atLeast.sentence());
        Claim worse = Claim.atLeast(one("U_k", 0.839), one("N_k", 0.84));
        assertFalse(worse.holds());
        assertEquals(
                "U_k (83.9%, n = 1) does worse than N_k (84.0%, n = 1), by 0.1 points",
                worse.sentence());
        assertFalse(atLeast.usesMargin());
        assertThrows(IllegalStateException.class, () -> atLeast.floor(0.05));

        assertTrue(Claim.reaches(one("swaps that lowered the loss", 0.95), 0.9).holds());
        Claim below = Claim.reaches(one("swaps that lowered the loss", 0.85), 0.9);
        assertFalse(below.holds());
        assertEquals(
                "swaps that lowered the loss (85.0%, n = 1) stays below 90.0%", below.sentence());
    }

    @Test
    void aGapNarrowsByMoreThanItsMargin() {
        Measured dense = m("dense", 0.86, 0.003, 3);
        Measured popup = m("popup", 0.80, 0.004, 2);
        Measured gap = dense.minus(popup, "conv2");
        assertEquals(0.06, gap.mean(), 1e-12);
        assertEquals(0.005, gap.std(), 1e-12);
        assertEquals(2, gap.n());
        // spread sqrt(2) * 0.01 = 0.0141
        Claim narrows =
                Claim.narrows(
                        "the gap to learned weights",
                        m("conv2", 0.08, 0.01, 2),
                        m("conv4", 0.02, 0.01, 2));
        assertTrue(narrows.holds());
        assertEquals(
                "the gap to learned weights narrows from 8.0 points (conv2) to 2.0 points (conv4), "
                        + "by 6.0 points (margin 1.4)",
                narrows.sentence());
        Claim little =
                Claim.narrows("the gap", m("conv2", 0.08, 0.01, 2), m("conv4", 0.075, 0.01, 2));
        assertFalse(little.holds());
        assertEquals(
                "the gap narrows only from 8.0 points (conv2) to 7.5 points (conv4), by 0.5 points,"
                        + " within the margin of 1.4",
                little.sentence());
        Claim wider =
                Claim.narrows("the gap", m("conv2", 0.08, 0.01, 2), m("conv4", 0.09, 0.01, 2));
        assertEquals(
                "the gap does not narrow: from 8.0 points (conv2) to 9.0 points (conv4)",
                wider.sentence());
    }

    @Test
    void risingNeedsTheEndsApartAndNoStepDown() {
        double[] widths = {0.1, 0.25, 0.5, 1};
        Claim rises =
                Claim.risesWith(
                        curve(
                                "fc edge-popup",
                                widths,
                                new double[] {0.60, 0.65, 0.70, 0.72},
                                NAN,
                                1),
                        "width");
        assertTrue(rises.holds());
        assertEquals(
                "fc edge-popup rises with width: from 60.0% at width = 0.1 to 72.0% at width = 1, "
                        + "+12.0 points (margin 1.0), with no step down beyond the margin",
                rises.sentence());
        Claim flat =
                Claim.risesWith(
                        curve("fc", widths, new double[] {0.60, 0.62, 0.61, 0.605}, NAN, 1),
                        "width");
        assertFalse(flat.holds());
        assertEquals(
                "fc does not rise with width: from 60.0% at width = 0.1 to 60.5% at width = 1 "
                        + "(+0.5 points, margin 1.0)",
                flat.sentence());
        Claim dip =
                Claim.risesWith(
                        curve("fc", widths, new double[] {0.60, 0.70, 0.65, 0.72}, NAN, 1),
                        "width");
        assertFalse(dip.holds());
        assertEquals(
                "fc rises with width overall, from 60.0% at width = 0.1 to 72.0% at width = 1, but"
                        + " falls by 5.0 points from width = 0.25 to 0.5, beyond the margin of 1.0",
                dip.sentence());
        // A step down within the spread over seeds is noise, not a fall.
        assertTrue(
                Claim.risesWith(
                                curve("fc", widths, new double[] {0.60, 0.70, 0.69, 0.72}, 0.01, 3),
                                "width")
                        .holds());
        assertThrows(
                IllegalArgumentException.class,
                () ->
                        Claim.risesWith(
                                curve("fc", new double[] {1}, new double[] {0.6}, NAN, 1),
                                "width"));
    }

    @Test
    void aPeakMustBeInsideAndBeatBothEnds() {
        double[] ks = {0.1, 0.3, 0.5, 0.7, 0.9};
        Claim peak =
                Claim.peaksInside(
                        curve(
                                "conv4 signed_kaiming_constant",
                                ks,
                                new double[] {0.70, 0.80, 0.83, 0.81, 0.75},
                                0.01,
                                2),
                        "k",
                        0.3,
                        0.7);
        assertTrue(peak.holds());
        assertEquals(
                "conv4 U_k peaks inside k in [0.3, 0.7]: 83.0% at k = 0.5 (n = 2), ahead of both"
                    + " ends (70.0% at k = 0.1, 75.0% at k = 0.9) by more than their margins (1.4"
                    + " and 1.4 points)",
                peak.sentence());
        Claim tie =
                Claim.peaksInside(
                        curve(
                                "conv4 U_k",
                                ks,
                                new double[] {0.70, 0.80, 0.83, 0.81, 0.825},
                                0.01,
                                2),
                        "k",
                        0.3,
                        0.7);
        assertFalse(tie.holds());
        assertEquals(
                "conv4 U_k has no clear peak inside k in [0.3, 0.7]: its best point, 83.0% at k ="
                    + " 0.5, is not ahead of the end at k = 0.9 (82.5%) by more than the margin of"
                    + " 1.4 points (a tie is not a peak)",
                tie.sentence());
        Claim atEnd =
                Claim.peaksInside(
                        curve("conv2 N_k", ks, new double[] {0.70, 0.80, 0.83, 0.85, 0.90}, NAN, 1),
                        "k",
                        0.3,
                        0.7);
        assertFalse(atEnd.holds());
        assertEquals(
                "conv2 N_k does not peak inside k in [0.3, 0.7]: its best point is 90.0% at k ="
                        + " 0.9",
                atEnd.sentence());
        Claim outside =
                Claim.peaksInside(
                        curve("c", ks, new double[] {0.70, 0.85, 0.80, 0.75, 0.70}, NAN, 1),
                        "k",
                        0.4,
                        0.7);
        assertFalse(outside.holds());
        assertTrue(
                outside.sentence().endsWith("its best point is 85.0% at k = 0.3"),
                outside.sentence());
        assertThrows(
                IllegalArgumentException.class,
                () ->
                        Claim.peaksInside(
                                curve(
                                        "c",
                                        new double[] {0.3, 0.5},
                                        new double[] {0.8, 0.9},
                                        NAN,
                                        1),
                                "k",
                                0.3,
                                0.7));
    }

    @Test
    void matchingThePaperAllowsTheReadingError() {
        Claim match = Claim.matchesPaper(m("conv4 edge-popup", 0.856, 0.003, 5), 0.86);
        assertTrue(match.holds());
        assertEquals(
                "conv4 edge-popup (85.6% +- 0.3, n = 5) matches the paper's 86.0% (+-0.5 as read): "
                        + "0.4 points apart, within 1.5",
                match.sentence());
        Claim off = Claim.matchesPaper(m("conv4 edge-popup", 0.83, 0.003, 5), 0.86);
        assertFalse(off.holds());
        assertEquals(
                "conv4 edge-popup (83.0% +- 0.3, n = 5) is 3.0 points below the paper's 86.0% "
                        + "(+-0.5 as read), beyond 1.5",
                off.sentence());
    }
}
