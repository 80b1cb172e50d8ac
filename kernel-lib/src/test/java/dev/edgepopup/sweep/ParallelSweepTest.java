package dev.edgepopup.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.NDManager;
import dev.edgepopup.display.Display;
import dev.edgepopup.nn.Precision;
import dev.edgepopup.store.RunConfig;
import dev.edgepopup.store.RunRecord;
import dev.edgepopup.store.RunStatus;
import dev.edgepopup.store.RunStore;
import dev.edgepopup.train.NativeHeap;
import dev.edgepopup.train.Threads;
import dev.edgepopup.train.TrainingListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Several runs of a sweep at once, each on its own thread, against the same runs one by one. */
class ParallelSweepTest {
    @TempDir static Path shared;
    private static RunStore oneByOne;

    @TempDir Path dir;

    /** Which runs trained from which epoch, and how many trained at the same moment at most. */
    private static final class Watch implements Function<RunConfig, TrainingListener> {
        final List<String> starts = Collections.synchronizedList(new ArrayList<>());
        final AtomicInteger active = new AtomicInteger();
        final AtomicInteger most = new AtomicInteger();

        @Override
        public TrainingListener apply(RunConfig c) {
            return new TrainingListener() {
                @Override
                public void onStart(int firstEpoch, int epochs) {
                    starts.add(c.key() + " from " + firstEpoch);
                    most.accumulateAndGet(active.incrementAndGet(), Math::max);
                }

                @Override
                public void onEnd(dev.edgepopup.train.History h) {
                    active.decrementAndGet();
                }
            };
        }
    }

    /**
     * @return {@link TinySweeps#fourRunsOfTwoEpochs} trained one run at a time, one thread each
     */
    private static synchronized RunStore oneByOne() {
        if (oneByOne == null) {
            oneByOne = RunStore.open(shared.resolve("one-by-one.db"));
            Watch w = new Watch();
            SweepResult r =
                    TinySweeps.fourRunsOfTwoEpochs(oneByOne)
                            .on(Local.oneAtATime().threadsPerRun(1))
                            .listener(w)
                            .run();
            assertEquals(1, w.most.get(), "one by one");
            assertEquals(4, r.trained());
        }
        return oneByOne;
    }

    @AfterAll
    static void closeReference() {
        if (oneByOne != null) {
            oneByOne.close();
        }
    }

    @AfterEach
    void detach() {
        Display.setSink(null);
    }

    private static List<String> sweepThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("sweep-run-"))
                .map(Thread::getName)
                .toList();
    }

    @Test
    void twoRunsAtOnceEndBitForBitAsOneByOne() {
        int callersThreads = Threads.get();
        try (RunStore store = RunStore.open(dir.resolve("runs.db"))) {
            Watch w = new Watch();
            SweepResult r =
                    TinySweeps.fourRunsOfTwoEpochs(store)
                            .on(Local.runsAtOnce(2).threadsPerRun(1))
                            .listener(w)
                            .run();
            assertEquals(2, w.most.get(), "two runs trained at once");
            assertFalse(r.interrupted());
            assertEquals(4, r.trained());
            assertEquals(0, r.reused());
            assertEquals(4, r.records().size());
            for (RunRecord rec : r.records()) {
                // final and per-epoch metrics, kept fraction, the subnetwork's mask bits
                TinySweeps.assertSameResults(oneByOne(), store, rec.key());
            }
        }
        assertEquals(List.of(), sweepThreads(), "threads left behind");
        assertEquals(callersThreads, Threads.get());
    }

    @Test
    void sweepsRunTogetherTrainASharedRunOnceAndMatchEachSweepAlone() {
        try (RunStore store = RunStore.open(dir.resolve("runs.db"))) {
            // Split fourRunsOfTwoEpochs in two: FC (both methods) and Conv2 edge-popup. The third
            // sweep plans FC edge-popup again, which must train once and serve both.
            Sweep fc = TinySweeps.fourRunsOfTwoEpochs(store).nets("fc");
            Sweep conv =
                    TinySweeps.fourRunsOfTwoEpochs(store)
                            .nets("conv2")
                            .approaches(Approach.EDGE_POPUP);
            Sweep again =
                    TinySweeps.fourRunsOfTwoEpochs(store)
                            .nets("fc")
                            .approaches(Approach.EDGE_POPUP);
            // Two of FC's runs and one Conv2 run, 2 epochs of 500 images: 3,000 images to train.
            assertEquals(
                    "3 runs: 2 epochs over 500 training images each in "
                            + Precision.fastest().label()
                            + ", 3,000 images to train; "
                            + Local.auto().describe(3),
                    Sweep.plan(fc, conv, again));
            assertTrue(
                    Sweep.plan(TinySweeps.fourRunsOfTwoEpochs(store).precision(Precision.FP32))
                            .contains(" each in fp32, "));
            Watch w = new Watch();
            List<SweepResult> r =
                    Sweep.together(
                            fc.on(Local.runsAtOnce(2).threadsPerRun(1)).listener(w),
                            conv.listener(w),
                            again.listener(w));
            assertEquals(3, w.starts.size(), "the shared run trained once: " + w.starts);
            assertEquals(List.of(2, 1, 1), r.stream().map(x -> x.records().size()).toList());
            assertEquals(r.get(0).records().get(0).key(), r.get(2).records().get(0).key());
            for (SweepResult x : r) {
                for (RunRecord rec : x.records()) {
                    TinySweeps.assertSameResults(oneByOne(), store, rec.key());
                }
            }
            SweepResult both = r.get(0).and(r.get(1));
            assertEquals(3, both.records().size());
            assertEquals(3, both.planned());
            assertEquals(3, both.trained());
            assertEquals(
                    "3 runs, 3 of them in the run store: 2 epochs over 500 training images "
                            + "each in "
                            + Precision.fastest().label()
                            + ", 0 images to train (nothing: every run is stored)",
                    Sweep.plan(fc, conv, again));
            List<SweepResult> reused = Sweep.together(fc, conv);
            assertEquals(List.of(0, 0), reused.stream().map(SweepResult::trained).toList());
            assertEquals(List.of(2, 1), reused.stream().map(SweepResult::reused).toList());
        }
    }

    @Test
    void runsComputeTheFastestWayByDefaultAndRecordIt() {
        try (RunStore store = RunStore.open(dir.resolve("runs.db"))) {
            for (RunConfig c : TinySweeps.fourRunsOfTwoEpochs(store).configurations()) {
                assertEquals(Precision.fastest(), c.precision());
                assertEquals(!c.spec().arch().equals("fc"), c.channelsLast(), c.spec().arch());
            }
            for (RunConfig c :
                    TinySweeps.fourRunsOfTwoEpochs(store)
                            .precision(Precision.FP32)
                            .channelsLast(false)
                            .configurations()) {
                assertEquals(Precision.FP32, c.precision());
                assertFalse(c.channelsLast());
            }
        }
    }

    @Test
    void theStopButtonStopsEveryActiveRunAndTheNextRunResumesThem() {
        try (RunStore store = RunStore.open(dir.resolve("runs.db"))) {
            Sweep sweep =
                    TinySweeps.fourRunsOfTwoEpochs(store).on(Local.runsAtOnce(2).threadsPerRun(1));
            List<RunConfig> plan = sweep.configurations();
            Thread caller = Thread.currentThread();
            // The third run starts when one of the first two has finished.
            SweepResult cut =
                    sweep.listener(
                                    c ->
                                            new TrainingListener() {
                                                @Override
                                                public void onBatch(
                                                        int epoch,
                                                        int batch,
                                                        int batches,
                                                        double loss,
                                                        double accuracy,
                                                        double imagesPerSecond) {
                                                    if (c.equals(plan.get(2))
                                                            && epoch == 2
                                                            && batch == 1) {
                                                        caller.interrupt(); // the stop button
                                                    }
                                                }
                                            })
                            .run();
            assertTrue(cut.interrupted());
            assertFalse(Thread.currentThread().isInterrupted(), "the interrupt was not consumed");
            assertEquals(List.of(), sweepThreads(), "threads left behind");
            List<String> finished = new ArrayList<>();
            for (RunRecord r : cut.records()) {
                assertTrue(
                        r.status() == RunStatus.FINISHED || r.status() == RunStatus.INTERRUPTED,
                        r.status().toString());
                if (r.status() == RunStatus.FINISHED) {
                    finished.add(r.key());
                } else {
                    assertEquals(r.completedEpochs(), r.checkpointEpoch(), "resumable");
                }
            }
            assertFalse(finished.isEmpty(), "a run finished before the stop");
            RunRecord third = store.find(plan.get(2).key()).orElseThrow();
            assertEquals(RunStatus.INTERRUPTED, third.status());
            assertEquals(1, third.checkpointEpoch());
            assertTrue(Files.exists(store.checkpointFile(third.key())));

            Watch w = new Watch();
            SweepResult done = sweep.listener(w).run();
            assertFalse(done.interrupted());
            assertEquals(finished.size(), done.reused());
            assertEquals(4 - finished.size(), done.trained());
            assertTrue(w.starts.contains(third.key() + " from 2"), w.starts.toString());
            for (String key : finished) {
                assertTrue(w.starts.stream().noneMatch(s -> s.startsWith(key)), "trained again");
            }
            for (RunConfig c : plan) {
                TinySweeps.assertSameResults(oneByOne(), store, c.key());
            }
        }
    }

    @Test
    void oneDisplayShowsTheWholeSweepAndSaysWhatItTrainedAndReused() {
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        List<Object> shown = Collections.synchronizedList(new ArrayList<>());
        List<String> ids = Collections.synchronizedList(new ArrayList<>());
        Display.setSink(
                new Display.Sink() {
                    @Override
                    public void show(Object value, String id) {
                        events.add("show " + Thread.currentThread().getName());
                        ids.add(id);
                        shown.add(value);
                    }

                    @Override
                    public void update(Object value, String id) {
                        events.add("update " + Thread.currentThread().getName());
                        ids.add(id);
                        shown.add(value);
                    }
                });
        String caller = Thread.currentThread().getName();
        try (RunStore store = RunStore.open(dir.resolve("runs.db"))) {
            Sweep sweep =
                    Sweep.over()
                            .keeps(0.3, 0.7)
                            .recipe(r -> r.epochs(1))
                            .data(TinySweeps.data())
                            .store(store);
            sweep.run();
            assertEquals(1, events.stream().filter(e -> e.startsWith("show")).count());
            assertEquals(1, ids.stream().distinct().count(), "one display id: " + ids);
            assertTrue(
                    events.stream().allMatch(e -> e.endsWith(" " + caller)),
                    "drawn from the sweep's own thread only: " + events);
            assertTrue(
                    shown.get(shown.size() - 1)
                            .toString()
                            .startsWith(
                                    "Sweep of 2 runs: 2 trained, 0 reused from the run store in "),
                    shown.get(shown.size() - 1).toString());

            shown.clear();
            sweep.run();
            assertTrue(
                    shown.get(shown.size() - 1)
                            .toString()
                            .startsWith(
                                    "Sweep of 2 runs: 0 trained, 2 reused from the run store in "),
                    shown.get(shown.size() - 1).toString());

            shown.clear();
            sweep.progress(false).run();
            assertEquals(List.of(), shown, "shown though switched off");
        }
    }

    @Test
    void memoryStaysFlatOverParallelSweeps() {
        assumeTrue(
                NativeHeap.measurable(),
                "needs glibc 2.33 or later, one malloc arena and Native Memory Tracking");
        NDManager system = NativeHeap.systemManager();
        List<Long> heap = new ArrayList<>();
        List<Integer> arrays = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            try (RunStore store = RunStore.open(dir.resolve("sweep" + i + ".db"))) {
                SweepResult r =
                        Sweep.over()
                                .nets("conv2")
                                .widths(0.25)
                                .keeps(0.2, 0.4, 0.6, 0.8)
                                .recipe(rec -> rec.epochs(1).batchSize(25))
                                .data(TinySweeps.data())
                                .store(store)
                                .on(Local.runsAtOnce(2).threadsPerRun(1))
                                .run();
                assertEquals(4, r.trained());
            }
            heap.add(NativeHeap.bytes());
            arrays.add(system.getManagedArrays().size());
        }
        // Not one array more after the first sweep (its one-time caches warm up).
        assertEquals(arrays.get(1), arrays.get(4), "arrays " + arrays);
        // A run that kept one step's activations would keep about 1 MB of Conv2's first layer
        // alone: 16 runs after the first sweep, 20 steps each.
        long growth = heap.get(4) - heap.get(1);
        assertTrue(
                growth < 4L << 20,
                "the C heap grew by "
                        + (growth >> 10)
                        + " KiB over 3 "
                        + "sweeps of 4 runs: "
                        + heap);
    }
}
