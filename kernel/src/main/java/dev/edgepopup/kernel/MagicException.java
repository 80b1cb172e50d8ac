package dev.edgepopup.kernel;

/**
 * A magic could not do its work; the message says why and what to do, and becomes the cell's error.
 */
final class MagicException extends Exception {
    private static final long serialVersionUID = 1L;

    MagicException(String message) {
        super(message, null, false, false);
    }
}
