package dev.edgepopup.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.jni.JniUtils;
import dev.edgepopup.nn.NoGrad;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class GradientsTest {
    /** d(sum(x^2 * c))/dx = 2 c x, by hand. */
    private static float[] gradientOfWeightedSquares(float[] x, float c, CyclicBarrier meet)
            throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray a = m.create(x);
            a.setRequiresGradient(true);
            try (Gradients.Tape tape = Gradients.record()) {
                meet.await(); // both threads hold a tape now
                tape.backward(a.mul(a).mul(c).sum());
                meet.await();
            }
            return a.getGradient().toFloatArray();
        }
    }

    @Test
    void twoThreadsRecordAndBackpropagateAtOnce() throws Exception {
        // DJL's GradientCollector would throw on the second thread: one collector per JVM.
        CyclicBarrier meet = new CyclicBarrier(2);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<float[]> a =
                    pool.submit(() -> gradientOfWeightedSquares(new float[] {1, -2, 3}, 1, meet));
            Future<float[]> b =
                    pool.submit(() -> gradientOfWeightedSquares(new float[] {0.5f, 4}, 3, meet));
            assertArrayEquals(new float[] {2, -4, 6}, a.get());
            assertArrayEquals(new float[] {3, 24}, b.get());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aTapeRecordsOnItsOwnThreadOnlyAndRestoresTheMode() throws Exception {
        try (NoGrad off = NoGrad.enter()) {
            CyclicBarrier meet = new CyclicBarrier(2);
            boolean[] seen = new boolean[2];
            Thread other =
                    new Thread(
                            () -> {
                                try {
                                    JniUtils.setGradMode(false);
                                    try (Gradients.Tape tape = Gradients.record()) {
                                        seen[0] = JniUtils.isGradMode();
                                        meet.await();
                                        meet.await(); // the main thread looks now
                                    }
                                    seen[1] = JniUtils.isGradMode();
                                } catch (Exception e) {
                                    throw new IllegalStateException(e);
                                }
                            });
            other.start();
            meet.await();
            assertFalse(JniUtils.isGradMode(), "another thread's tape switched this one on");
            meet.await();
            other.join();
            assertTrue(seen[0], "recording inside the tape");
            assertFalse(seen[1], "the previous mode after it");
        }
    }

    @Test
    void zeroingClearsNanGradientsToo() {
        try (NDManager m = NDManager.newBaseManager()) {
            Parameter p =
                    Parameter.builder()
                            .setName("p")
                            .setType(Parameter.Type.WEIGHT)
                            .optArray(m.create(new float[] {1, 2}))
                            .build();
            p.getArray().setRequiresGradient(true);
            try (Gradients.Tape tape = Gradients.record()) {
                tape.backward(p.getArray().mul(Float.NaN).sum());
            }
            assertTrue(Float.isNaN(p.getArray().getGradient().toFloatArray()[0]));
            Gradients.zero(List.of(p));
            assertArrayEquals(new float[] {0, 0}, p.getArray().getGradient().toFloatArray());
        }
    }

    @Test
    void gradientsAccumulateUntilZeroed() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray a = m.create(new float[] {1, 2});
            a.setRequiresGradient(true);
            for (int i = 0; i < 2; i++) {
                try (Gradients.Tape tape = Gradients.record()) {
                    tape.backward(a.mul(5).sum());
                }
            }
            assertArrayEquals(new float[] {10, 10}, a.getGradient().toFloatArray());
            Gradients.zero(a);
            assertEquals(0, a.getGradient().sum().getFloat());
        }
    }
}
