package dev.edgepopup.paper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgepopup.display.Renderers;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VerdictTest {
    private static final Claim HOLDS =
            Claim.beats(
                    new Measured("edge-popup", 0.80, Double.NaN, 1),
                    new Measured("zhou", 0.60, Double.NaN, 1));
    private static final Claim FAILS =
            Claim.beats(
                    new Measured("U_k", 0.805, Double.NaN, 1),
                    new Measured("N_k", 0.80, Double.NaN, 1));
    private static final String MARGIN =
            " A difference counts only beyond its margin: the larger of 1.0 point and the spread"
                + " over seeds, sqrt(s_A^2 + s_B^2), where a single seed's spread is unknown and"
                + " counts as 0.";

    @Test
    void everyClaimMustHoldToAgree() {
        Verdict all = Verdict.of(HOLDS, HOLDS);
        assertTrue(all.agrees());
        assertEquals(
                "Agrees with the paper: "
                        + HOLDS.sentence()
                        + "; "
                        + HOLDS.sentence()
                        + "."
                        + MARGIN,
                all.sentence());
        Verdict part = Verdict.of(HOLDS, FAILS);
        assertFalse(part.agrees());
        assertEquals(1, part.holding());
        assertEquals(
                "Agrees only in part with the paper (1 of 2): edge-popup (80.0%, n = 1) beats zhou"
                    + " (60.0%, n = 1) by 20.0 points (margin 1.0); U_k (80.5%, n = 1) is ahead of"
                    + " N_k (80.0%, n = 1) by only 0.5 points, within the margin of 1.0: no clear"
                    + " win."
                        + MARGIN,
                part.sentence());
        assertEquals(
                "Does not agree with the paper here: " + FAILS.sentence() + "." + MARGIN,
                Verdict.of(List.of(FAILS)).sentence());
    }

    @Test
    void theMarginNoteNamesEachFloorAndNotesGoLast() {
        Verdict floors = Verdict.of(HOLDS, HOLDS.floor(0.05)).note("All on Fashion-MNIST.");
        assertTrue(
                floors.sentence()
                        .endsWith(
                                " the larger of 1.0 or 5.0 points and the spread over seeds,"
                                        + " sqrt(s_A^2 + s_B^2), where a single seed's spread is"
                                        + " unknown and counts as 0. All on Fashion-MNIST."),
                floors.sentence());
        Claim noMargin = Claim.reaches(new Measured("swaps", 0.95, Double.NaN, 1), 0.9);
        assertEquals(
                "Agrees with the paper: swaps (95.0%, n = 1) reaches 90.0%.",
                Verdict.of(noMargin).sentence());
        assertEquals(
                Verdict.of(noMargin).sentence(),
                Verdict.of(noMargin).note("").note(" ").sentence(),
                "a blank note adds nothing");
        assertThrows(IllegalArgumentException.class, () -> Verdict.of(List.of()));
    }

    @Test
    void itRendersAsOneParagraph() {
        Map<String, Object> bundle = Renderers.render(Verdict.of(HOLDS));
        assertEquals(
                "<p><b>Agrees with the paper:</b> " + HOLDS.sentence() + "." + MARGIN + "</p>",
                bundle.get(Renderers.TEXT_HTML));
        assertEquals(Verdict.of(HOLDS).sentence(), bundle.get(Renderers.TEXT_PLAIN));
    }
}
