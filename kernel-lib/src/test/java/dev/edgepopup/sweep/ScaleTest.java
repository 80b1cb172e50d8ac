package dev.edgepopup.sweep;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgepopup.data.Datasets;
import dev.edgepopup.train.Recipe;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ScaleTest {
    @AfterEach
    void followTheEnvironmentAgain() {
        Scale.set(null);
    }

    @Test
    void theEnvironmentValueIsQuickByDefaultAndCaseInsensitive() {
        assertEquals(Scale.QUICK, Scale.parse(null));
        assertEquals(Scale.QUICK, Scale.parse(" "));
        assertEquals(Scale.QUICK, Scale.parse("Quick"));
        assertEquals(Scale.FULL, Scale.parse(" FULL "));
        IllegalStateException e =
                assertThrows(IllegalStateException.class, () -> Scale.parse("huge"));
        assertTrue(
                e.getMessage().contains("EDGEPOPUP_SCALE must be quick or full"), e.getMessage());
    }

    @Test
    void codeOverridesTheEnvironmentAndPicksItsValue() {
        Scale.set(Scale.FULL);
        assertEquals(Scale.FULL, Scale.current());
        assertEquals(100, (int) Scale.pick(2, 100));
        Scale.set(Scale.QUICK);
        assertEquals("quick", Scale.pick("quick", "full"));
    }

    @Test
    void fullModeHasThePapersSettingsAndIgnoresTheQuickChoices() {
        Scale.set(Scale.FULL);
        Settings s =
                Scale.settings()
                        .nets("conv2", "conv4")
                        .quick(q -> q.nets("fc").epochs(3).seeds(1).images(500, 100));
        assertArrayEquals(new String[] {"conv2", "conv4"}, s.nets());
        assertArrayEquals(new long[] {1, 2, 3, 4, 5}, s.seeds());
        assertArrayEquals(new double[] {0.1, 0.3, 0.5, 0.7, 0.9}, s.keeps());
        assertEquals(100, s.recipe().apply(Recipe.DENSE_SGD.epochs(3)).epochs());
        assertEquals(50_000, s.trainImages());
        assertEquals(
                "Full mode (set in code), the paper's settings: conv2, conv4 at width 1, k in"
                        + " {0.1, 0.3, 0.5, 0.7, 0.9}, seeds 1, 2, 3, 4, 5, 100 epochs over 50,000"
                        + " training images of CIFAR-10 (10,000 test images).",
                s.describe());
    }

    @Test
    void quickModeDescribesTheNotebooksOwnChoices() {
        Scale.set(Scale.QUICK);
        Settings s =
                Scale.settings()
                        .nets("conv2", "conv4", "conv6")
                        .quick(
                                q ->
                                        q.nets("conv2", "conv4")
                                                .widths(0.125)
                                                .keeps(0.1, 0.7)
                                                .epochs(4)
                                                .seeds(1)
                                                .images(3_000, 500))
                        .full(f -> f.epochs(7));
        assertEquals(4, s.epochs());
        assertEquals(4, s.recipe().apply(Recipe.CIFAR10_EDGE_POPUP).epochs());
        String data = Datasets.cifar10Present() ? "CIFAR-10" : "Fashion-MNIST";
        assertEquals(
                "Quick mode (set in code), sized for a CPU: conv2, conv4 at width 0.125, k in"
                        + " {0.1, 0.7}, seed 1, 4 epochs over 3,000 training images of "
                        + data
                        + " (500 test images). Set EDGEPOPUP_SCALE=full or call"
                        + " Scale.set(Scale.FULL) for the paper's settings.",
                s.describe());
        assertTrue(
                s.widths(0.25, 0.5)
                        .keeps(0.5)
                        .seeds(1, 2)
                        .describe()
                        .contains("at widths 0.25, 0.5, k = 0.5, seeds 1, 2, 4 epochs"),
                s.describe());
        Datasets.Data d = s.data();
        assertEquals(3_000, d.train().size());
        assertEquals(500, d.test().size());
    }

    @Test
    void quickDefaultsAndBadChoicesSayWhatIsWrong() {
        Scale.set(Scale.QUICK);
        Settings s = Scale.settings();
        assertEquals(Scale.QUICK_EPOCHS, s.epochs());
        assertArrayEquals(new long[] {1, 2}, s.seeds());
        assertArrayEquals(new double[] {0.1, 0.5, 0.9}, s.keeps());
        assertTrue(
                assertThrows(IllegalArgumentException.class, () -> s.keeps(0.0))
                        .getMessage()
                        .contains("KEPT"));
        assertTrue(
                assertThrows(IllegalArgumentException.class, () -> s.nets("conv5"))
                        .getMessage()
                        .contains("conv4"));
        assertThrows(IllegalArgumentException.class, () -> s.epochs(0));
        assertThrows(IllegalArgumentException.class, () -> s.widths(new double[0]));
        assertThrows(IllegalArgumentException.class, () -> s.widths(-1));
    }
}
