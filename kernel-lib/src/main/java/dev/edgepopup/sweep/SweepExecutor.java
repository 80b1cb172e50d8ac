package dev.edgepopup.sweep;

import dev.edgepopup.store.RunRecord;
import dev.edgepopup.store.RunStore;
import java.util.List;

/**
 * Where and how a sweep trains the runs its store has not finished ({@link Sweep#on}): {@link
 * Local} trains them in this JVM, several at once where that is faster; {@link Slurm} as a job
 * array on a Slurm cluster, watched from here through the store. Whatever the executor, every run's
 * epochs and results go to the sweep's store as they happen, an interrupt of the calling thread (a
 * notebook's stop button) stops every active run at its next batch and leaves it resumable, and a
 * run that fails is stored as failed while the others go on.
 */
public abstract class SweepExecutor {
    SweepExecutor() {}

    /** Trains one run on the calling thread, and says where each run is kept. */
    interface Trainer {
        /**
         * @param run the run
         * @param threads the intra-op threads of all its work (the calling thread's count is as
         *     before afterwards)
         * @return the run as stored when it ended (finished, failed or interrupted)
         */
        RunRecord train(PlannedRun run, int threads);

        /**
         * @param run a run
         * @return the store of the sweep that planned it
         */
        RunStore store(PlannedRun run);
    }

    /**
     * What an execution did.
     *
     * @param records every run it started, as stored when it ended, in no particular order
     * @param stopped whether an interrupt stopped it before every run ended
     */
    record Outcome(List<RunRecord> records, boolean stopped) {}

    /**
     * @param runsLeft runs to train
     * @return how this executor trains that many runs on this machine, e.g. "2 runs at once, 1
     *     thread each" (the sweep's display says it)
     */
    public abstract String describe(int runsLeft);

    /**
     * Trains the runs, in plan order as far as they start one after another, and returns when all
     * have ended or an interrupt stopped the sweep. Redraws the progress display on the calling
     * thread while it waits.
     *
     * @param runs the runs to train, in plan order
     * @param trainer trains one run
     * @param progress the sweep's display
     * @return what happened
     * @throws RuntimeException the first unexpected error of a run (not a NaN loss, which is stored
     *     as a failed run), after every other run has stopped
     */
    abstract Outcome execute(List<PlannedRun> runs, Trainer trainer, SweepProgress progress);
}
