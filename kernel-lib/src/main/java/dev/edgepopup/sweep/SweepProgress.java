package dev.edgepopup.sweep;

import dev.edgepopup.display.Display;
import dev.edgepopup.nn.NetSpec;
import dev.edgepopup.store.RunConfig;
import dev.edgepopup.store.RunRecord;
import dev.edgepopup.store.RunStatus;
import dev.edgepopup.train.EpochRecord;
import dev.edgepopup.train.TrainingListener;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The live display of a whole sweep, one display redrawn in place ({@link Display}): a line per
 * active run (run i of N, its configuration, epoch, accuracies, images/s, time left), the runs
 * trained and reused so far and the sweep's time left. It ends saying how many runs the sweep
 * trained and how many it reused from the run store, and the error of each failed run. Runs in this
 * JVM report through {@link #listener} from their own threads; runs on a cluster through {@link
 * #remote}, from what their store and the scheduler say (their task, pending or running, epochs and
 * test accuracy). Only {@link #refresh} and {@link #end}, called by the thread that runs the sweep,
 * draw.
 */
final class SweepProgress {
    private static final long MIN_NANOS_BETWEEN_UPDATES = 500_000_000L;

    /** Where one run to train stands. */
    private static final class Run {
        final PlannedRun planned;

        /**
         * Epochs this call trains: the recipe's until the run starts (a resumed run does fewer).
         */
        int epochsToTrain;

        int firstEpoch = 1;
        boolean started;
        boolean ended;
        long startNanos;
        int epoch;
        int batch;
        int batches;
        double trainAccuracy = Double.NaN;
        double testAccuracy = Double.NaN;
        double imagesPerSecond = Double.NaN;

        /** The cluster task training it, e.g. "1234_5"; null for a run in this JVM. */
        String task;

        /** The task's state, "pending" or "running". */
        String taskState;

        /** Finished epochs in the store (cluster runs). */
        int epochsStored;

        Run(PlannedRun planned) {
            this.planned = planned;
            epochsToTrain = planned.config().recipe().epochs();
        }

        /** Epochs trained so far in this call, the current one by its batches. */
        double epochsDone() {
            if (ended) {
                return epochsToTrain;
            }
            return batches == 0 ? 0 : epoch - firstEpoch + (double) batch / batches;
        }
    }

    private final int planned;
    private final String layout;
    private final boolean show;
    private final LongSupplier clock;
    private final long start;
    private final Map<Integer, Run> runs = new LinkedHashMap<>();
    private int reused;
    private int trained;
    private int failed;
    private int interrupted;
    private final List<String> failures = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private Display.Handle handle;
    private long lastDrawn;
    private String drawn;

    /**
     * @param planned the runs the sweep plans
     * @param reused the planned runs the store has finished already
     * @param toTrain the runs to train, in plan order
     * @param layout how the executor trains them, e.g. "2 runs at once, 1 thread each"
     * @param show whether to display anything (a notebook) or only keep the state
     * @param clock nanoseconds, as {@link System#nanoTime()}; tests pass their own
     */
    SweepProgress(
            int planned,
            int reused,
            List<PlannedRun> toTrain,
            String layout,
            boolean show,
            LongSupplier clock) {
        this.planned = planned;
        this.reused = reused;
        this.layout = layout;
        this.show = show;
        this.clock = clock;
        this.start = clock.getAsLong();
        toTrain.forEach(r -> runs.put(r.number(), new Run(r)));
    }

    /**
     * @param run a run to train
     * @return the listener that reports its progress here
     */
    TrainingListener listener(PlannedRun run) {
        Run r = runs.get(run.number());
        return new TrainingListener() {
            @Override
            public void onStart(int firstEpoch, int epochs) {
                synchronized (SweepProgress.this) {
                    r.started = true;
                    r.firstEpoch = firstEpoch;
                    r.epochsToTrain = epochs - firstEpoch + 1;
                    r.startNanos = clock.getAsLong();
                }
            }

            @Override
            public void onBatch(
                    int epoch,
                    int batch,
                    int batches,
                    double loss,
                    double accuracy,
                    double imagesPerSecond) {
                synchronized (SweepProgress.this) {
                    r.epoch = epoch;
                    r.batch = batch;
                    r.batches = batches;
                    r.trainAccuracy = accuracy;
                    r.imagesPerSecond = imagesPerSecond;
                }
            }

            @Override
            public void onEpoch(EpochRecord record, int epochs) {
                synchronized (SweepProgress.this) {
                    r.testAccuracy = record.testAccuracy();
                }
            }
        };
    }

    /**
     * Adds a line under the display's first, and to its last state, e.g. the cluster job's id.
     *
     * @param line the line
     */
    synchronized void note(String line) {
        notes.add(line);
    }

    /**
     * A run on a cluster, as its store and the scheduler show it now.
     *
     * @param run the run
     * @param task the task training it, e.g. "1234_5"
     * @param state the task's state: "pending" or "running"
     * @param epochsStored finished epochs in the store
     * @param testAccuracy the last finished epoch's test accuracy; NaN before the first
     */
    synchronized void remote(
            PlannedRun run, String task, String state, int epochsStored, double testAccuracy) {
        Run r = runs.get(run.number());
        if (r.task == null) { // first seen: what is stored already is not this sweep's work
            r.firstEpoch = epochsStored + 1;
            r.epochsToTrain = run.config().recipe().epochs() - epochsStored;
            r.startNanos = clock.getAsLong();
        }
        r.task = task;
        r.taskState = state;
        r.started = state.equals("running");
        r.epochsStored = epochsStored;
        r.testAccuracy = testAccuracy;
        // epochsDone() then counts the stored epochs of this sweep.
        r.epoch = epochsStored + 1;
        r.batch = 0;
        r.batches = 1;
    }

    /**
     * A run found finished in the store when its turn came (another sweep trained it).
     *
     * @param run the run
     */
    synchronized void reusedNow(PlannedRun run) {
        runs.remove(run.number());
        reused++;
    }

    /**
     * A run's training ended.
     *
     * @param run the run
     * @param record how it ended
     */
    synchronized void ended(PlannedRun run, RunRecord record) {
        Run r = runs.get(run.number());
        r.ended = true;
        trained++;
        if (record.status() == RunStatus.FAILED) {
            failed++;
            if (record.errorMessage() != null) {
                failures.add(
                        "run "
                                + run.number()
                                + "/"
                                + planned
                                + " "
                                + label(run.config())
                                + " failed: "
                                + record.errorMessage().strip());
            }
        } else if (record.status() == RunStatus.INTERRUPTED) {
            interrupted++;
            r.epochsToTrain = (int) Math.floor(r.epochsDone());
        }
    }

    /** Shows the display, or redraws it when it changed, at most twice a second. */
    void refresh() {
        if (!show) {
            return;
        }
        long now = clock.getAsLong();
        if (handle != null && now - lastDrawn < MIN_NANOS_BETWEEN_UPDATES) {
            return;
        }
        draw(text(), now);
    }

    /**
     * Draws the last state: what the sweep trained and reused.
     *
     * @param stopped whether an interrupt stopped the sweep
     * @return that state
     */
    String end(boolean stopped) {
        String last = summary(stopped);
        if (show) {
            draw(last, clock.getAsLong());
        }
        return last;
    }

    private void draw(String text, long now) {
        if (handle == null) {
            handle = Display.show(text);
        } else if (!text.equals(drawn)) {
            handle.update(text);
        }
        drawn = text;
        lastDrawn = now;
    }

    /**
     * @return e.g. "Sweep of 12 runs: 9 trained, 3 reused from the run store in 4 min 10 s"
     */
    synchronized String summary(boolean stopped) {
        StringBuilder sb = new StringBuilder();
        sb.append("Sweep of ")
                .append(planned)
                .append(planned == 1 ? " run: " : " runs: ")
                .append(trained)
                .append(" trained, ")
                .append(reused)
                .append(" reused from the run store");
        List<String> ends = new ArrayList<>();
        if (failed > 0) {
            ends.add(failed + " failed");
        }
        if (interrupted > 0) {
            ends.add(interrupted + " interrupted");
        }
        if (!ends.isEmpty()) {
            sb.append(" (").append(String.join(", ", ends)).append(')');
        }
        sb.append(" in ").append(duration((clock.getAsLong() - start) / 1e9));
        if (stopped) {
            sb.append("; stopped: run the sweep again to resume the rest");
        }
        notes.forEach(n -> sb.append(System.lineSeparator()).append(n));
        failures.forEach(f -> sb.append(System.lineSeparator()).append(f));
        return sb.toString();
    }

    /**
     * @return the display's text now
     */
    synchronized String text() {
        StringBuilder sb = new StringBuilder();
        sb.append(
                String.format(
                        Locale.ROOT,
                        "Sweep of %d runs: %d reused from the run store, %d " + "to train (%s)%n",
                        planned,
                        reused,
                        runs.size(),
                        layout));
        notes.forEach(n -> sb.append(n).append(System.lineSeparator()));
        double done = 0;
        double total = 0;
        long now = clock.getAsLong();
        int pending = 0;
        int running = 0;
        for (Run r : runs.values()) {
            done += r.epochsDone();
            total += r.epochsToTrain;
            if (r.started && !r.ended) {
                sb.append(r.task == null ? line(r, now) : remoteLine(r))
                        .append(System.lineSeparator());
            }
            if (r.task != null && !r.ended) {
                pending += r.started ? 0 : 1;
                running += r.started ? 1 : 0;
            }
        }
        if (pending + running > 0) {
            sb.append("tasks: ")
                    .append(pending)
                    .append(" pending, ")
                    .append(running)
                    .append(" running")
                    .append(System.lineSeparator());
        }
        sb.append(trained).append(" of ").append(runs.size()).append(" trained");
        if (failed > 0) {
            sb.append(" (").append(failed).append(" failed)");
        }
        double elapsed = (now - start) / 1e9;
        if (done > 0 && total > done) {
            sb.append(", about ").append(duration(elapsed / done * (total - done))).append(" left");
        }
        return sb.toString();
    }

    private String line(Run r, long now) {
        StringBuilder sb = new StringBuilder();
        sb.append("run ")
                .append(r.planned.number())
                .append('/')
                .append(planned)
                .append(' ')
                .append(label(r.planned.config()))
                .append(": ");
        int epochs = r.firstEpoch + r.epochsToTrain - 1;
        if (r.batches == 0) {
            return sb.append("starting at epoch ")
                    .append(r.firstEpoch)
                    .append('/')
                    .append(epochs)
                    .toString();
        }
        sb.append(
                String.format(
                        Locale.ROOT,
                        "epoch %d/%d batch %d/%d, train acc %.4f",
                        r.epoch,
                        epochs,
                        r.batch,
                        r.batches,
                        r.trainAccuracy));
        if (!Double.isNaN(r.testAccuracy)) {
            sb.append(String.format(Locale.ROOT, ", test acc %.4f", r.testAccuracy));
        }
        sb.append(String.format(Locale.ROOT, ", %.0f images/s", r.imagesPerSecond));
        double done = r.epochsDone();
        if (done > 0) {
            double elapsed = (now - r.startNanos) / 1e9;
            sb.append(", ")
                    .append(duration(elapsed / done * (r.epochsToTrain - done)))
                    .append(" left");
        }
        return sb.toString();
    }

    /** e.g. "run 3/8 fc w1 k0.5 ... seed 1, task 1234_2: epoch 2/4, test acc 0.7123 after 1". */
    private String remoteLine(Run r) {
        StringBuilder sb = new StringBuilder();
        int epochs = r.planned.config().recipe().epochs();
        sb.append("run ")
                .append(r.planned.number())
                .append('/')
                .append(planned)
                .append(' ')
                .append(label(r.planned.config()))
                .append(", task ")
                .append(r.task)
                .append(": epoch ")
                .append(Math.min(r.epochsStored + 1, epochs))
                .append('/')
                .append(epochs);
        if (!Double.isNaN(r.testAccuracy)) {
            sb.append(
                    String.format(
                            Locale.ROOT,
                            ", test acc %.4f after epoch %d",
                            r.testAccuracy,
                            r.epochsStored));
        }
        return sb.toString();
    }

    /**
     * @param c a run's configuration
     * @return e.g. "conv4 w0.25 k0.5 signed_kaiming_constant edge-popup seed 1"
     */
    static String label(RunConfig c) {
        NetSpec s = c.spec();
        return String.format(
                Locale.ROOT,
                "%s w%s k%s %s %s seed %d",
                s.arch(),
                number(s.width()),
                number(s.keep()),
                s.init().name().toLowerCase(Locale.ROOT),
                Approach.of(s.method(), c.recipe()).label(),
                s.weightSeed());
    }

    private static String number(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }

    /**
     * @param seconds a duration
     * @return e.g. "45 s", "3 min 10 s", "2 h 05 min"
     */
    static String duration(double seconds) {
        long s = Math.round(seconds);
        if (s < 60) {
            return s + " s";
        }
        if (s < 3600) {
            return s / 60 + " min " + s % 60 + " s";
        }
        return String.format(Locale.ROOT, "%d h %02d min", s / 3600, s % 3600 / 60);
    }
}
