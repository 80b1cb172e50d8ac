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
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Scale.parse("huge"));
        assertTrue(e.getMessage().contains("EDGEPOPUP_SCALE must be quick or full"),
                e.getMessage());
        assertEquals(Scale.parse(System.getenv(Scale.ENVIRONMENT_VARIABLE)), Scale.current());
    }

    @Test
    void codeOverridesTheEnvironment() {
        Scale.set(Scale.FULL);
        assertEquals(Scale.FULL, Scale.current());
        assertEquals(100, (int) Scale.pick(2, 100));
        assertTrue(Scale.describe().startsWith("Full mode (set in code), the paper's settings: "
                + "all of CIFAR-10"), Scale.describe());
        assertArrayEquals(new long[] {1, 2, 3, 4, 5}, Scale.current().seeds());
        assertArrayEquals(new double[] {0.1, 0.3, 0.5, 0.7, 0.9}, Scale.current().keeps());
        assertEquals(100, Scale.current().recipe().apply(Recipe.DENSE_SGD.epochs(3)).epochs());

        Scale.set(Scale.QUICK);
        assertEquals("quick", Scale.pick("quick", "full"));
        assertEquals(2, Scale.current().recipe().apply(Recipe.DENSE_SGD).epochs());
        assertTrue(Scale.describe().startsWith("Quick mode (set in code), sized for a CPU"),
                Scale.describe());
        assertTrue(Scale.describe().contains(Datasets.cifar10Present() ? "CIFAR-10"
                : "Fashion-MNIST"), Scale.describe());
    }

    @Test
    void quickDataIsASubset() {
        Datasets.Data d = Scale.QUICK.data();
        assertEquals(Scale.QUICK_TRAIN_IMAGES, d.train().size());
        assertEquals(Scale.QUICK_TEST_IMAGES, d.test().size());
    }
}
