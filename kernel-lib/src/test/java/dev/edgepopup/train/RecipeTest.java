package dev.edgepopup.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RecipeTest {
    @Test
    void imageNetWarmsUpLinearlyThenFallsAlongACosineToNearZero() {
        Recipe r = Recipe.IMAGENET_EDGE_POPUP;
        double lr = r.lr();
        int w = r.warmupEpochs();
        for (int e = 0; e < w; e++) {
            assertEquals(lr * (e + 1) / w, r.lrAt(e), 1e-15, "warm-up epoch " + e);
        }
        // The cosine starts at the full rate right after the warm-up and only falls from there.
        assertEquals(lr, r.lrAt(w), 1e-15);
        for (int e = w + 1; e < r.epochs(); e++) {
            assertTrue(r.lrAt(e) < r.lrAt(e - 1), "epoch " + e);
        }
        int rest = r.epochs() - w;
        assertEquals(
                0.5 * (1 + Math.cos(Math.PI * (rest - 1) / rest)) * lr,
                r.lrAt(r.epochs() - 1),
                1e-15);
        assertEquals(r.lrAt(w + rest / 2), lr / 2, lr * 0.02);
    }

    @Test
    void readsAsWordsWithOnlyThePartsThatApply() {
        assertEquals(
                "imagenet-edge-popup: SGD, lr 0.128, momentum 0.875, weight decay 3.05176E-5, batch"
                        + " 128, cosine, 1 warm-up epoch, 3 epochs, label smoothing 0.1",
                Recipe.IMAGENET_EDGE_POPUP
                        .epochs(3)
                        .warmupEpochs(1)
                        .batchSize(128)
                        .lr(0.128)
                        .toString());
        assertEquals(
                "dense-adam: ADAM, lr 0.0003, weight decay 0, batch 60, constant, 1 epoch",
                Recipe.denseAdam("conv4").epochs(1).toString());
        assertEquals(
                "zhou: SGD, lr 200, momentum 0.9, weight decay 0, batch 128, cosine, 100 epochs",
                Recipe.ZHOU.toString());
    }

    @Test
    void eachCopyChangesItsOwnFieldOnly() {
        Recipe r = Recipe.IMAGENET_EDGE_POPUP;
        Recipe changed =
                r.lr(0.5)
                        .momentum(0.5)
                        .weightDecay(0.5)
                        .batchSize(7)
                        .schedule(Schedule.CONSTANT)
                        .warmupEpochs(2)
                        .epochs(9)
                        .labelSmoothing(0.25)
                        .optimizer(Optimizer.Kind.ADAM);
        assertEquals(0.5, changed.lr());
        assertEquals(0.5, changed.momentum());
        assertEquals(0.5, changed.weightDecay());
        assertEquals(7, changed.batchSize());
        assertEquals(Schedule.CONSTANT, changed.schedule());
        assertEquals(2, changed.warmupEpochs());
        assertEquals(9, changed.epochs());
        assertEquals(0.25, changed.labelSmoothing());
        assertEquals(Optimizer.Kind.ADAM, changed.optimizer());
        Recipe back =
                changed.lr(r.lr())
                        .momentum(r.momentum())
                        .weightDecay(r.weightDecay())
                        .batchSize(r.batchSize())
                        .schedule(r.schedule())
                        .warmupEpochs(r.warmupEpochs())
                        .epochs(r.epochs())
                        .labelSmoothing(r.labelSmoothing())
                        .optimizer(r.optimizer());
        assertEquals(r, back);
    }

    @Test
    void valuesOutsideTheirRangeSayWhich() {
        Recipe r = Recipe.CIFAR10_EDGE_POPUP;
        assertTrue(
                assertThrows(IllegalArgumentException.class, () -> r.lr(0))
                        .getMessage()
                        .contains("lr must be > 0"));
        assertTrue(
                assertThrows(IllegalArgumentException.class, () -> r.epochs(0))
                        .getMessage()
                        .contains("epochs must be >= 1"));
        assertTrue(
                assertThrows(IllegalArgumentException.class, () -> r.momentum(1))
                        .getMessage()
                        .contains("momentum must be in [0, 1)"));
        assertTrue(
                assertThrows(IllegalArgumentException.class, () -> r.labelSmoothing(1))
                        .getMessage()
                        .contains("label smoothing"));
    }
}
