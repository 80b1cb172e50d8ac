package dev.edgepopup.store;

/** A run store could not be opened, read or written; the cause is the database's own error. */
public class StoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what the store was doing
     * @param cause the underlying error
     */
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
