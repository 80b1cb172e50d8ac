package dev.edgepopup.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.edgepopup.display.Display;
import dev.edgepopup.store.RunConfig;
import dev.edgepopup.store.RunRecord;
import dev.edgepopup.store.RunStatus;
import dev.edgepopup.store.RunStore;
import dev.edgepopup.store.RunTask;
import dev.edgepopup.store.TestPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sweeps on a real Slurm cluster with a real PostgreSQL store: the one-node cluster and the server
 * that environment/test-slurm.sh starts (it sets {@value #PROPERTY} and SLURM_CONF). Without them
 * these tests are skipped.
 */
class SlurmSweepTest {
    /** Set (to anything) when a Slurm cluster answers sbatch here. */
    static final String PROPERTY = "edgepopup.test.slurm";

    @TempDir Path dir;
    private TestPostgres db;
    private final List<String> shown = Collections.synchronizedList(new ArrayList<>());

    @BeforeEach
    void servers() throws Exception {
        assumeTrue(
                System.getProperty(PROPERTY) != null,
                "no Slurm cluster: set -D" + PROPERTY + " (environment/test-slurm.sh does)");
        db = TestPostgres.fresh();
        Display.setSink(
                new Display.Sink() {
                    @Override
                    public void show(Object value, String displayId) {
                        shown.add(String.valueOf(value));
                    }

                    @Override
                    public void update(Object value, String displayId) {
                        shown.add(String.valueOf(value));
                    }
                });
    }

    @AfterEach
    void close() throws Exception {
        Display.setSink(null);
        if (db != null) {
            db.close();
        }
    }

    private RunStore postgres() {
        return RunStore.open(db.url(), dir.resolve("shared").resolve("checkpoints"));
    }

    /** One task at a time per CPU, a fake GPU each, the worker on one thread. */
    private static Slurm cluster() {
        return Slurm.cluster().cpusPerRun(1).gpusPerRun(1).poll(Duration.ofMillis(500));
    }

    /** FC on 500 Fashion-MNIST images, 2 epochs: k = 0.3 and 0.7 by default, seeds 1 and 2. */
    private static Sweep fc(RunStore store, double... keeps) {
        return Sweep.over()
                .nets("fc")
                .keeps(keeps.length == 0 ? new double[] {0.3, 0.7} : keeps)
                .seeds(1, 2)
                .recipe(r -> r.epochs(2))
                .data(TinySweeps.data())
                .store(store);
    }

    @Test
    void twoSweepsOnSlurmAtOnceEndRunByRunAsLocallyAndLoseNothing() throws Exception {
        long t0 = System.nanoTime();
        SweepResult localA;
        SweepResult localB;
        try (RunStore local = RunStore.open(dir.resolve("local.db"))) {
            List<SweepResult> both =
                    Sweep.together(
                            fc(local).on(Local.runsAtOnce(2).threadsPerRun(1)).progress(false),
                            fc(local, 0.5, 0.9));
            localA = both.get(0);
            localB = both.get(1);
        }
        double localSeconds = (System.nanoTime() - t0) / 1e9;
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (RunStore a = postgres();
                RunStore b = postgres();
                RunStore local = RunStore.open(dir.resolve("local.db"))) {
            long t1 = System.nanoTime();
            // Two notebooks, say, each with its own connection, submitting at the same moment.
            Future<SweepResult> first = pool.submit(() -> fc(a).on(cluster()).run());
            Future<SweepResult> second = pool.submit(() -> fc(b, 0.5, 0.9).on(cluster()).run());
            SweepResult ra = first.get(10, TimeUnit.MINUTES);
            SweepResult rb = second.get(10, TimeUnit.MINUTES);
            double slurmSeconds = (System.nanoTime() - t1) / 1e9;
            System.out.printf(
                    Locale.ROOT,
                    "measured: 8 runs (FC, 500 images, 2 epochs) as two sweeps at once: %.1f s on"
                        + " the one-node Slurm cluster from submission to the last result, %.1f s"
                        + " in this JVM (2 runs at once, 1 thread each); %.1f s more per run%n",
                    slurmSeconds,
                    localSeconds,
                    (slurmSeconds - localSeconds) / 4); // 4 rounds of 2 runs at once
            for (SweepResult[] pair : new SweepResult[][] {{ra, localA}, {rb, localB}}) {
                assertFalse(pair[0].interrupted());
                assertEquals(4, pair[0].trained());
                assertEquals(4, pair[0].records().size());
                for (RunRecord r : pair[0].records()) {
                    assertEquals(RunStatus.FINISHED, r.status(), r.errorMessage());
                    TinySweeps.assertSameResults(local, a, r.key());
                }
                assertEquals(
                        pair[1].records().stream().map(RunRecord::key).toList(),
                        pair[0].records().stream().map(RunRecord::key).toList());
            }
            assertEquals(8, a.runs().size(), "nothing lost, nothing doubled");
            // Each sweep was one job array, its tasks on the fake GPUs, the worker on the CPU.
            RunTask task = a.latestTask(ra.records().get(0).key()).orElseThrow();
            assertNotNull(task.jobId());
            String log = Files.readString(task.logFile());
            System.out.println(
                    "a task's log:\n"
                            + log
                            + "the display's last state:\n"
                            + shown.get(shown.size() - 1));
            assertTrue(
                    log.contains(
                            "training on cpu(), not on the GPU Slurm gave this task "
                                    + "(CUDA_VISIBLE_DEVICES="),
                    log);
            assertTrue(log.contains("libtorch: DJL's cache in"), log);
            assertTrue(
                    shown.stream().anyMatch(s -> s.contains("Slurm job " + task.jobId())),
                    "the display names the job");
            assertTrue(
                    shown.stream().anyMatch(s -> s.contains(", task " + task.jobId() + "_")),
                    "the display shows running tasks: " + shown);
            // Run again: every run is in the store, nothing is submitted.
            SweepResult again = fc(a).on(cluster()).run();
            assertEquals(0, again.trained());
            assertEquals(4, again.reused());
        } finally {
            pool.shutdownNow();
        }
    }

    /** Waits until {@code done} holds, polling the store, for at most two minutes. */
    private static void await(String what, java.util.function.BooleanSupplier done)
            throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (!done.getAsBoolean()) {
            assertTrue(System.nanoTime() < end, "timed out waiting until " + what);
            Thread.sleep(100);
        }
    }

    private static boolean runningWithAnEpoch(RunStore store, RunConfig c) {
        RunRecord r = store.find(c.key()).orElse(null);
        return r != null && r.status() == RunStatus.RUNNING && r.checkpointEpoch() >= 1;
    }

    private static RunStatus status(RunStore store, RunConfig c) {
        return store.find(c.key()).map(RunRecord::status).orElse(null);
    }

    @Test
    void aCancelledTaskAndTheStopButtonLoseNoFinishedRunAndTheRunsResume() throws Exception {
        try (RunStore store = postgres();
                RunStore local = RunStore.open(dir.resolve("l.db"))) {
            // Four runs of three epochs, two at a time, each batch slowed down.
            Sweep sweep = fc(store).recipe(r -> r.epochs(3));
            List<RunConfig> plan = sweep.configurations();
            Slurm slow = cluster().workerClass(SlowWorker.class.getName());
            SweepResult[] cut = new SweepResult[1];
            Thread notebook = new Thread(() -> cut[0] = sweep.on(slow).run(), "notebook");
            notebook.start();
            // scancel of one running task: its run is interrupted, the others go on.
            await("run 1 has an epoch", () -> runningWithAnEpoch(store, plan.get(0)));
            RunTask first = store.latestTask(plan.get(0).key()).orElseThrow();
            Process scancel = new ProcessBuilder("scancel", first.taskId()).inheritIO().start();
            assertEquals(0, scancel.waitFor());
            await(
                    "run 1 is interrupted",
                    () -> status(store, plan.get(0)) == RunStatus.INTERRUPTED);
            // The stop button once a run has finished and another is halfway.
            await(
                    "a run finished and another has an epoch",
                    () ->
                            plan.stream().anyMatch(c -> status(store, c) == RunStatus.FINISHED)
                                    && plan.stream()
                                            .skip(1)
                                            .anyMatch(c -> runningWithAnEpoch(store, c)));
            notebook.interrupt();
            notebook.join(TimeUnit.MINUTES.toMillis(3));
            assertFalse(notebook.isAlive(), "run() returned after the stop");
            assertTrue(cut[0].interrupted());
            List<String> finished = new ArrayList<>();
            int[] epochsBefore = new int[plan.size()];
            for (int i = 0; i < plan.size(); i++) {
                RunRecord r = store.find(plan.get(i).key()).orElseThrow();
                assertTrue(
                        r.status() == RunStatus.FINISHED || r.status() == RunStatus.INTERRUPTED,
                        "run " + i + " " + r.status() + ": " + r.errorMessage());
                if (r.status() == RunStatus.FINISHED) {
                    finished.add(r.key());
                }
                epochsBefore[i] = r.checkpointEpoch();
            }
            assertEquals(RunStatus.INTERRUPTED, status(store, plan.get(0)));
            assertTrue(epochsBefore[0] >= 1, "the cancelled run kept its epochs");
            assertEquals(1, finished.size(), "one run finished before the stop: " + finished);

            // Run the cell again: only the runs not finished are submitted; they continue.
            SweepResult again = sweep.on(cluster()).run();
            assertFalse(again.interrupted());
            assertEquals(plan.size() - 1, again.trained());
            assertEquals(1, again.reused());
            Sweep.together(
                    fc(local)
                            .recipe(r -> r.epochs(3))
                            .on(Local.runsAtOnce(2).threadsPerRun(1))
                            .progress(false));
            for (int i = 0; i < plan.size(); i++) {
                TinySweeps.assertSameResults(local, store, plan.get(i).key());
                if (epochsBefore[i] > 0 && !finished.contains(plan.get(i).key())) {
                    RunTask t = store.latestTask(plan.get(i).key()).orElseThrow();
                    String log = Files.readString(t.logFile());
                    assertTrue(
                            log.contains(
                                    "continuing from the checkpoint of epoch " + epochsBefore[i]),
                            log);
                }
            }
        }
    }

    @Test
    void aTaskThatFailsIsAFailedRunWithItsError() throws Exception {
        try (RunStore store = postgres()) {
            // A node without the data set: the worker says so and stores the run as failed.
            SweepResult noData =
                    fc(store, 0.5)
                            .seeds(1)
                            .on(
                                    cluster()
                                            .env(
                                                    "EDGEPOPUP_FASHION_MNIST",
                                                    dir.resolve("nothing").toString()))
                            .run();
            RunRecord r = noData.records().get(0);
            assertEquals(RunStatus.FAILED, r.status());
            String why = r.errorMessage();
            assertTrue(
                    why.contains("no usable data on ")
                            && why.contains("nothing")
                            && why.contains(
                                    "not found. Install Fashion-MNIST with: sudo apt-get "
                                            + "install dataset-fashion-mnist"),
                    why);
            assertTrue(why.contains("ended FAILED, exit code 1"), why);
            assertTrue(why.contains("last lines:\nworker: task 0 of edgepopup-"), why);
            System.out.println("a failed task's run, as stored: " + why);
            assertTrue(
                    shown.get(shown.size() - 1).contains("failed: no usable data on "),
                    "the display says why: " + shown.get(shown.size() - 1));

            // A task that dies without a word (no java on the node): the run fails, saying how.
            SweepResult noJava =
                    fc(store, 0.5).seeds(2).on(cluster().java(dir.resolve("no-java"))).run();
            String died = noJava.records().get(0).errorMessage();
            assertEquals(RunStatus.FAILED, noJava.records().get(0).status());
            assertTrue(
                    died.contains("before its run finished")
                            && died.contains("exit code 127")
                            && died.contains("no-java"),
                    died);

            // Both are tried again by the next run, and finish.
            SweepResult retried =
                    Sweep.together(fc(store, 0.5).seeds(1).on(cluster()), fc(store, 0.5).seeds(2))
                            .get(0);
            assertEquals(1, retried.trained());
            assertEquals(RunStatus.FINISHED, retried.records().get(0).status());
            assertEquals(
                    2, store.runs().stream().filter(x -> x.status() == RunStatus.FINISHED).count());
        }
    }
}
