package dev.edgepopup.store;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Objects;

/**
 * One task of a cluster job array, training one run: what {@code dev.edgepopup.sweep.Slurm} records
 * when it submits, and what the task's worker reads its run from.
 *
 * @param jobName the submission's name, unique per submission and the job's name on the cluster,
 *     e.g. {@code edgepopup-3fa9c2d1e0b4}
 * @param index the task's index in the array ({@code SLURM_ARRAY_TASK_ID})
 * @param runKey the run it trains
 * @param jobId the scheduler's id of the job array, or null until the scheduler answered
 * @param logFile the task's log file
 * @param submittedAt when it was submitted
 */
public record RunTask(
        String jobName, int index, String runKey, String jobId, Path logFile, Instant submittedAt) {
    /** Checks that nothing is missing but the job id. */
    public RunTask {
        Objects.requireNonNull(jobName, "jobName");
        Objects.requireNonNull(runKey, "runKey");
        Objects.requireNonNull(logFile, "logFile");
        Objects.requireNonNull(submittedAt, "submittedAt");
        if (index < 0) {
            throw new IllegalArgumentException("task index must be >= 0, got " + index);
        }
    }

    /**
     * @return the task as the scheduler names it, e.g. {@code 1234_5}; before the scheduler
     *     answered, the job name and index
     */
    public String taskId() {
        return (jobId == null ? jobName : jobId) + "_" + index;
    }
}
