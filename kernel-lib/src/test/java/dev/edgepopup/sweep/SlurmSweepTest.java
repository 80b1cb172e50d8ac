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
 * Sweeps on a real Slurm cluster with a real PostgreSQL store: the one-node cluster and the
 * server that environment/test-slurm.sh starts (it sets {@value #PROPERTY} and SLURM_CONF).
 * Without them these tests are skipped.
 */
class SlurmSweepTest {
    /** Set (to anything) when a Slurm cluster answers sbatch here. */
    static final String PROPERTY = "edgepopup.test.slurm";

    @TempDir
    Path dir;
    private TestPostgres db;
    private final List<String> shown = Collections.synchronizedList(new ArrayList<>());

    @BeforeEach
    void servers() throws Exception {
        assumeTrue(System.getProperty(PROPERTY) != null, "no Slurm cluster: set -D" + PROPERTY
                + " (environment/test-slurm.sh does)");
        db = TestPostgres.fresh();
        Display.setSink(new Display.Sink() {
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
        return Sweep.over().nets("fc").keeps(keeps.length == 0 ? new double[] {0.3, 0.7} : keeps)
                .seeds(1, 2).recipe(r -> r.epochs(2)).data(TinySweeps.data()).store(store);
    }

    @Test
    void twoSweepsOnSlurmAtOnceEndRunByRunAsLocallyAndLoseNothing() throws Exception {
        long t0 = System.nanoTime();
        SweepResult localA;
        SweepResult localB;
        try (RunStore local = RunStore.open(dir.resolve("local.db"))) {
            List<SweepResult> both = Sweep.together(
                    fc(local).on(Local.runsAtOnce(2).threadsPerRun(1)).progress(false),
                    fc(local, 0.5, 0.9));
            localA = both.get(0);
            localB = both.get(1);
        }
        double localSeconds = (System.nanoTime() - t0) / 1e9;
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (RunStore a = postgres(); RunStore b = postgres();
                RunStore local = RunStore.open(dir.resolve("local.db"))) {
            long t1 = System.nanoTime();
            // Two notebooks, say, each with its own connection, submitting at the same moment.
            Future<SweepResult> first = pool.submit(() -> fc(a).on(cluster()).run());
            Future<SweepResult> second = pool.submit(() -> fc(b, 0.5, 0.9).on(cluster()).run());
            SweepResult ra = first.get(10, TimeUnit.MINUTES);
            SweepResult rb = second.get(10, TimeUnit.MINUTES);
            double slurmSeconds = (System.nanoTime() - t1) / 1e9;
            System.out.printf(Locale.ROOT, "measured: 8 runs (FC, 500 images, 2 epochs) as two "
                    + "sweeps at once: %.1f s on the one-node Slurm cluster from submission to "
                    + "the last result, %.1f s in this JVM (2 runs at once, 1 thread each); "
                    + "%.1f s more per run%n", slurmSeconds, localSeconds,
                    (slurmSeconds - localSeconds) / 4); // 4 rounds of 2 runs at once
            for (SweepResult[] pair : new SweepResult[][] {{ra, localA}, {rb, localB}}) {
                assertFalse(pair[0].interrupted());
                assertEquals(4, pair[0].trained());
                assertEquals(4, pair[0].records().size());
                for (RunRecord r : pair[0].records()) {
                    assertEquals(RunStatus.FINISHED, r.status(), r.errorMessage());
                    TinySweeps.assertSameResults(local, a, r.key());
                }
                assertEquals(pair[1].records().stream().map(RunRecord::key).toList(),
                        pair[0].records().stream().map(RunRecord::key).toList());
            }
            assertEquals(8, a.runs().size(), "nothing lost, nothing doubled");
            // Each sweep was one job array, its tasks on the fake GPUs, the worker on the CPU.
            RunTask task = a.latestTask(ra.records().get(0).key()).orElseThrow();
            assertNotNull(task.jobId());
            String log = Files.readString(task.logFile());
            System.out.println("a task's log:\n" + log + "the display's last state:\n"
                    + shown.get(shown.size() - 1));
            assertTrue(log.contains("training on cpu(), not on the GPU Slurm gave this task "
                    + "(CUDA_VISIBLE_DEVICES="), log);
            assertTrue(log.contains("libtorch: DJL's cache in"), log);
            assertTrue(shown.stream().anyMatch(s -> s.contains("Slurm job " + task.jobId())),
                    "the display names the job");
            assertTrue(shown.stream().anyMatch(s -> s.contains(", task " + task.jobId() + "_")),
                    "the display shows running tasks: " + shown);
            // Run again: every run is in the store, nothing is submitted.
            SweepResult again = fc(a).on(cluster()).run();
            assertEquals(0, again.trained());
            assertEquals(4, again.reused());
        } finally {
            pool.shutdownNow();
        }
    }
}
