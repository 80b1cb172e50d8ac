package dev.edgepopup.resnet;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.edgepopup.train.Optimizer;
import dev.edgepopup.train.Recipe;
import dev.edgepopup.train.Schedule;
import org.junit.jupiter.api.Test;

/** The ImageNet column of spec section 4, field by field. */
class ImageNetRecipeTest {
    @Test
    void imagenetEdgePopupIsThePapersRecipe() {
        Recipe r = Recipe.IMAGENET_EDGE_POPUP;
        assertEquals(Optimizer.Kind.SGD, r.optimizer());
        assertEquals(0.875, r.momentum());
        assertEquals(0.256, r.lr());
        assertEquals(Math.pow(2, -15), r.weightDecay());
        assertEquals(3.0517578125e-5, r.weightDecay());
        assertEquals(5, r.warmupEpochs());
        assertEquals(0.1, r.labelSmoothing());
        assertEquals(256, r.batchSize());
        assertEquals(Schedule.COSINE, r.schedule());
        assertEquals(100, r.epochs());
        // Linear warm-up to 0.256 over epochs 0-4, then cosine over the remaining 95.
        assertEquals(0.256 * 3 / 5, r.lrAt(2), 1e-15);
        assertEquals(0.5 * (1 + Math.cos(Math.PI * 45 / 95)) * 0.256, r.lrAt(50), 1e-15);
    }
}
