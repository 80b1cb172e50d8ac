package dev.edgepopup.kernel;

import java.util.List;

/**
 * A cell failed: its message is the error value and {@link #traceback()} the lines the notebook
 * shows. It carries no Java stack trace of its own, so replies hold no kernel frames.
 */
abstract class CellException extends Exception {
    private static final long serialVersionUID = 1L;

    private final List<String> traceback;

    CellException(String message, List<String> traceback) {
        super(message, null, false, false);
        this.traceback = List.copyOf(traceback);
    }

    /**
     * Returns the lines to show.
     *
     * @return the traceback, one line per entry
     */
    List<String> traceback() {
        return traceback;
    }

    /** The cell did not compile. */
    static final class CompilationException extends CellException {
        private static final long serialVersionUID = 1L;

        CompilationException(String message, List<String> traceback) {
            super(message, traceback);
        }
    }

    /** The cell threw: the message names the exception, the traceback is cut to cell code. */
    static final class EvaluationException extends CellException {
        private static final long serialVersionUID = 1L;

        EvaluationException(String message, List<String> traceback) {
            super(message, traceback);
        }
    }

    /** A magic failed: the message says why and what to do. */
    static final class MagicError extends CellException {
        private static final long serialVersionUID = 1L;

        MagicError(String message, List<String> traceback) {
            super(message, traceback);
        }
    }
}
