package dev.edgepopup.store;

import java.util.Locale;

/** Where a stored run stands. */
public enum RunStatus {
    /** Queued on a cluster's scheduler (a Slurm job array's task), not started yet. */
    PENDING,
    /** Training, or killed while training (a SIGKILL leaves no chance to say otherwise). */
    RUNNING,
    /** Every epoch of the recipe done; the results are stored. */
    FINISHED,
    /**
     * Stopped before it finished: by a thread interrupt, or its cluster task was cancelled;
     * resumable from its checkpoint.
     */
    INTERRUPTED,
    /** Stopped by an error, e.g. a NaN loss; the message is stored. */
    FAILED;

    /**
     * @return the value of the {@code status} column: the name in lower case
     */
    public String columnValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * @param value a {@code status} column value
     * @return its status
     */
    public static RunStatus ofColumnValue(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }
}
