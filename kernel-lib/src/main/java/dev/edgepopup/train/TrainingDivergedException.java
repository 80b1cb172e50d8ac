package dev.edgepopup.train;

/** The loss became NaN or infinite: the run stopped, and its history so far is kept here. */
public final class TrainingDivergedException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient History history;

    TrainingDivergedException(String message, History history) {
        super(message);
        this.history = history;
    }

    /**
     * @return the epochs completed before the loss diverged
     */
    public History history() {
        return history;
    }
}
