package dev.edgepopup.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.edgepopup.data.Datasets;
import dev.edgepopup.nn.Net;
import dev.edgepopup.nn.Nets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.FutureTask;
import org.junit.jupiter.api.Test;

class ThreadsTest {
    /** Runs {@code task} on a new thread and returns its result. */
    private static <T> T onNewThread(Callable<T> task) throws Exception {
        FutureTask<T> f = new FutureTask<>(task);
        Thread t = new Thread(f);
        t.start();
        t.join();
        return f.get();
    }

    @Test
    void theThreadCountChangesAtRunTime() {
        int before = Threads.get();
        try {
            Threads.set(1);
            assertEquals(1, Threads.get());
            Threads.set(2);
            assertEquals(2, Threads.get());
            assertThrows(IllegalArgumentException.class, () -> Threads.set(0));
        } finally {
            Threads.set(before);
        }
    }

    @Test
    void eachThreadKeepsItsOwnCount() throws Exception {
        int before = Threads.get();
        try {
            Threads.set(2);
            CyclicBarrier meet = new CyclicBarrier(2);
            List<Integer> seen = Collections.synchronizedList(new ArrayList<>());
            Thread one =
                    new Thread(
                            () -> {
                                try {
                                    Threads.set(1);
                                    meet.await(); // the main thread reads its own count now
                                    meet.await(); // and another thread sets 3
                                    seen.add(Threads.get());
                                } catch (Exception e) {
                                    throw new IllegalStateException(e);
                                }
                            });
            one.start();
            meet.await();
            assertEquals(2, Threads.get(), "another thread's set changed this one");
            // A thread that has not run PyTorch yet starts from the last count set anywhere.
            assertEquals(1, onNewThread(Threads::get));
            assertEquals(
                    3,
                    (int)
                            onNewThread(
                                    () -> {
                                        Threads.set(3);
                                        return Threads.get();
                                    }));
            meet.await();
            one.join();
            assertEquals(List.of(1), seen);
            assertEquals(2, Threads.get());
        } finally {
            Threads.set(before);
        }
    }

    @Test
    void aTrainingRunsOnItsOwnCountAndGivesTheOldOneBack() throws Exception {
        Datasets.Data d = Datasets.fashionMnist().limit(200, 100);
        int before = Threads.get();
        try {
            Threads.set(2);
            CyclicBarrier meet = new CyclicBarrier(2);
            List<Integer> during = Collections.synchronizedList(new ArrayList<>());
            Thread trainer =
                    new Thread(
                            () -> {
                                Threads.set(2);
                                try (Net net = Nets.fc().seed(1).build()) {
                                    Training.of(net, d.train(), d.test())
                                            .recipe(
                                                    Recipe.CIFAR10_EDGE_POPUP
                                                            .epochs(1)
                                                            .batchSize(100))
                                            .threads(1)
                                            .listener(
                                                    new TrainingListener() {
                                                        @Override
                                                        public void onBatch(
                                                                int epoch,
                                                                int batch,
                                                                int batches,
                                                                double loss,
                                                                double acc,
                                                                double ips) {
                                                            during.add(Threads.get());
                                                            if (batch == 1) {
                                                                await(meet); // the main thread
                                                                // reads its count
                                                                // now
                                                                await(meet);
                                                            }
                                                        }
                                                    })
                                            .run();
                                }
                                during.add(Threads.get());
                            });
            trainer.start();
            meet.await();
            assertEquals(2, Threads.get(), "the training changed another thread's count");
            meet.await();
            trainer.join();
            assertEquals(List.of(1, 1, 2), during, "1 while training, 2 again after");
            assertEquals(2, (int) onNewThread(Threads::get), "a fresh thread starts from 1");
        } finally {
            Threads.set(before);
        }
    }

    private static void await(CyclicBarrier b) {
        try {
            b.await();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
