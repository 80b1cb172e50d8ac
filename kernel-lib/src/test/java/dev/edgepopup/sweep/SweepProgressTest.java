package dev.edgepopup.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.edgepopup.display.Display;
import dev.edgepopup.nn.Nets;
import dev.edgepopup.store.RunConfig;
import dev.edgepopup.store.RunRecord;
import dev.edgepopup.store.RunStatus;
import dev.edgepopup.train.EpochRecord;
import dev.edgepopup.train.Recipe;
import dev.edgepopup.train.TrainingListener;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SweepProgressTest {
    private final long[] now = {0};
    private final List<String> drawn = new ArrayList<>();

    @AfterEach
    void detach() {
        Display.setSink(null);
    }

    private void at(double seconds) {
        now[0] = (long) (seconds * 1e9);
    }

    private static PlannedRun run(int number, double keep) {
        return new PlannedRun(
                number,
                new RunConfig(
                        Nets.fc().keep(keep).seed(1).spec(),
                        Recipe.CIFAR10_EDGE_POPUP.epochs(2),
                        1,
                        "train",
                        100,
                        "test",
                        10));
    }

    private static RunRecord ended(PlannedRun r, RunStatus status) {
        return new RunRecord(
                r.config().key(),
                r.config(),
                status,
                2,
                2,
                0.5,
                0.5,
                null,
                1,
                1,
                null,
                null,
                null,
                null);
    }

    private SweepProgress progress(List<PlannedRun> toTrain) {
        Display.setSink(
                new Display.Sink() {
                    @Override
                    public void show(Object value, String id) {
                        drawn.add("show: " + value);
                    }

                    @Override
                    public void update(Object value, String id) {
                        drawn.add("update: " + value);
                    }
                });
        return new SweepProgress(
                5, 1, toTrain, "2 runs at once, 1 thread each", true, () -> now[0]);
    }

    @Test
    void oneLinePerActiveRunWithTimesLeftByHand() {
        PlannedRun a = run(2, 0.3);
        PlannedRun b = run(4, 0.7);
        SweepProgress p = progress(List.of(a, b));
        TrainingListener la = p.listener(a);
        TrainingListener lb = p.listener(b);
        la.onStart(1, 2);
        at(1);
        lb.onStart(2, 2); // resumed: one epoch to go
        at(5);
        la.onBatch(1, 5, 10, 1.2, 0.5, 100);
        at(6);
        lb.onBatch(2, 2, 10, 0.9, 0.625, 80);
        p.refresh();
        // Now 6 s: a has done 0.5 of 2 epochs in 6 s, 1.5 left: 18 s; b 0.2 of 1 in 5 s: 20 s.
        // The sweep: 0.7 of 3 epochs in 6 s: 2.3 left, 19.7 s.
        String sep = System.lineSeparator();
        assertEquals(
                List.of(
                        "show: Sweep of 5 runs: 1 reused from the run store, 2 to train"
                                + " (2 runs at once, 1 thread each)"
                                + sep
                                + "run 2/5 fc w1 k0.3 signed_kaiming_constant edge-popup seed 1:"
                                + " epoch 1/2 batch 5/10, train acc 0.5000, 100 images/s, 18 s left"
                                + sep
                                + "run 4/5 fc w1 k0.7 signed_kaiming_constant edge-popup seed 1:"
                                + " epoch 2/2 batch 2/10, train acc 0.6250, 80 images/s, 20 s left"
                                + sep
                                + "0 of 2 trained, about 20 s left"),
                drawn);

        at(6.4);
        la.onBatch(1, 10, 10, 1.1, 0.55, 100);
        p.refresh();
        assertEquals(1, drawn.size(), "redrawn within half a second");

        at(7);
        la.onEpoch(new EpochRecord(1, 1.1, 0.55, 0.6, 0.1, 7, 100, true), 2);
        p.ended(b, ended(b, RunStatus.FAILED));
        p.refresh();
        // a: 1 of 2 epochs in 7 s: 7 s. The sweep (b's failure ends its epoch): 2 of 3 in 7 s,
        // 3.5 s.
        assertEquals(
                "update: Sweep of 5 runs: 1 reused from the run store, 2 to train"
                        + " (2 runs at once, 1 thread each)"
                        + sep
                        + "run 2/5 fc w1 k0.3 signed_kaiming_constant edge-popup seed 1: epoch 1/2"
                        + " batch 10/10, train acc 0.5500, test acc 0.6000, 100 images/s, 7 s left"
                        + sep
                        + "1 of 2 trained (1 failed), about 4 s left",
                drawn.get(1));

        at(75);
        p.ended(a, ended(a, RunStatus.FINISHED));
        assertEquals(
                "Sweep of 5 runs: 2 trained, 1 reused from the run store (1 failed) in 1 min"
                        + " 15 s",
                p.end(false));
        assertEquals(
                "update: Sweep of 5 runs: 2 trained, 1 reused from the run store (1 failed)"
                        + " in 1 min 15 s",
                drawn.get(2));
    }

    @Test
    void aRunFinishedMeanwhileCountsAsReusedAndAStopSaysHowToResume() {
        PlannedRun a = run(1, 0.3);
        PlannedRun b = run(2, 0.7);
        SweepProgress p = progress(List.of(a, b));
        p.listener(a).onStart(1, 2);
        p.reusedNow(b);
        at(3725);
        p.ended(a, ended(a, RunStatus.INTERRUPTED));
        assertEquals(
                "Sweep of 5 runs: 1 trained, 2 reused from the run store (1 interrupted) in"
                        + " 1 h 02 min; stopped: run the sweep again to resume the rest",
                p.end(true));
    }

    @Test
    void durationsReadAsSecondsMinutesAndHours() {
        assertEquals("0 s", SweepProgress.duration(0.2));
        assertEquals("59 s", SweepProgress.duration(59.4));
        assertEquals("1 min 0 s", SweepProgress.duration(59.6));
        assertEquals("59 min 59 s", SweepProgress.duration(3599));
        assertEquals("2 h 00 min", SweepProgress.duration(7200));
    }

    @Test
    void clusterRunsShowTheirTaskEpochAndAccuracyAndFailedRunsTheirError() {
        PlannedRun a = run(1, 0.3);
        PlannedRun b = run(2, 0.7);
        SweepProgress p = progress(List.of(a, b));
        p.note("Slurm job 41; task logs in /shared/slurm");
        p.remote(a, "41_0", "running", 1, 0.625);
        p.remote(b, "41_1", "pending", 0, Double.NaN);
        String sep = System.lineSeparator();
        assertEquals(
                "Sweep of 5 runs: 1 reused from the run store, 2 to train (2 runs at once, 1"
                        + " thread each)"
                        + sep
                        + "Slurm job 41; task logs in /shared/slurm"
                        + sep
                        + "run 1/5 fc w1 k0.3 signed_kaiming_constant edge-popup seed 1, task 41_0:"
                        + " epoch 2/2, test acc 0.6250 after epoch 1"
                        + sep
                        + "tasks: 1 pending, 1 running"
                        + sep
                        + "0 of 2 trained",
                p.text());
        at(61);
        p.ended(a, ended(a, RunStatus.FINISHED));
        p.ended(
                b,
                new RunRecord(
                        b.config().key(),
                        b.config(),
                        RunStatus.FAILED,
                        0,
                        0,
                        Double.NaN,
                        Double.NaN,
                        null,
                        Double.NaN,
                        Double.NaN,
                        null,
                        null,
                        null,
                        "no usable data on node7: /data not found.\nSlurm task 41_1 ended FAILED"));
        assertEquals(
                "Sweep of 5 runs: 2 trained, 1 reused from the run store (1 failed) in 1 min"
                        + " 1 s"
                        + sep
                        + "Slurm job 41; task logs in /shared/slurm"
                        + sep
                        + "run 2/5 fc w1 k0.7 signed_kaiming_constant edge-popup seed 1 failed: no"
                        + " usable data on node7: /data not found.\n"
                        + "Slurm task 41_1 ended FAILED",
                p.end(false));
    }
}
