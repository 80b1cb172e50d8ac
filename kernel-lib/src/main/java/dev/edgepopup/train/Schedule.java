package dev.edgepopup.train;

/** How the learning rate changes from epoch to epoch (stepped once per epoch). */
public enum Schedule {
    /** The base rate throughout. */
    CONSTANT,
    /** {@code 0.5 * (1 + cos(pi * e / E))} times the base rate at epoch e of E. */
    COSINE;

    /**
     * @param epoch the epoch within the schedule, from 0
     * @param total the schedule's length in epochs
     * @return the factor on the base rate
     */
    public double factor(int epoch, int total) {
        return this == CONSTANT ? 1 : 0.5 * (1 + Math.cos(Math.PI * epoch / Math.max(1, total)));
    }
}
