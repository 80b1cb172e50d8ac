package dev.edgepopup.kernel;

import java.security.Permission;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Logger;

/**
 * Refuses {@code System.exit}, {@code Runtime.exit} and {@code Runtime.halt} from cells, so a
 * notebook keeps its kernel and variables, as ipykernel does for {@code sys.exit()}.
 *
 * <p>It is a security manager that checks nothing else: Java 17 still calls {@link #checkExit} from
 * every exit path (cell code, libraries, any thread, reflection), which no rewriting of cell code
 * can promise. Java 17 prints a deprecation warning on the kernel's own stderr when it is installed
 * (never into a cell); Java 18 to 23 allow it only with {@code -Djava.security.manager=allow}, and
 * Java 24 not at all: there the kernel runs unguarded and says so in its log.
 */
@SuppressWarnings("removal")
final class ExitGuard extends SecurityManager {
    private static final Logger LOG = Logger.getLogger(ExitGuard.class.getName());
    private static final ExitGuard INSTANCE = new ExitGuard();

    /** Thrown into the code that tried to exit. */
    static final class ExitRefused extends SecurityException {
        private static final long serialVersionUID = 1L;

        ExitRefused(String message) {
            super(message);
        }
    }

    private volatile boolean kernelExiting;
    private final AtomicReference<String> refused = new AtomicReference<>();

    private ExitGuard() {}

    /**
     * Installs the guard for this JVM, once; the kernel's {@code main} calls it.
     *
     * @return whether exits are now refused
     */
    static boolean install() {
        if (System.getSecurityManager() == INSTANCE) {
            return true;
        }
        try {
            System.setSecurityManager(INSTANCE);
            LOG.info(
                    "the security manager above only refuses System.exit, Runtime.exit and"
                            + " Runtime.halt in cells (see kernel/README.md)");
            return true;
        } catch (UnsupportedOperationException | SecurityException e) {
            LOG.warning(
                    "System.exit in a cell will end this kernel: this Java does not allow a"
                            + " security manager ("
                            + e.getMessage()
                            + "); on Java 18 to 23 start the kernel with"
                            + " -Djava.security.manager=allow");
            return false;
        }
    }

    /** Lets the kernel itself exit (after a shutdown request). */
    static void allowKernelExit() {
        INSTANCE.kernelExiting = true;
    }

    /**
     * Returns and forgets the last refused exit, even one the cell caught.
     *
     * @return e.g. {@code "System.exit(3)"}, or null
     */
    static String takeRefused() {
        return INSTANCE.refused.getAndSet(null);
    }

    /**
     * Says what a refused exit does to the cell.
     *
     * @param call the refused call, e.g. {@code System.exit(3)}
     * @return the message
     */
    static String message(String call) {
        return call
                + " was called: a notebook cell cannot end the kernel. The cell stopped here; the"
                + " kernel and its variables are still there (restart the kernel to start afresh).";
    }

    @Override
    public void checkExit(int status) {
        if (kernelExiting) {
            return;
        }
        String call = caller(status);
        refused.set(call);
        throw new ExitRefused(message(call));
    }

    @Override
    public void checkPermission(Permission permission) {
        if (permission instanceof RuntimePermission
                && "setSecurityManager".equals(permission.getName())) {
            throw new SecurityException(
                    "the kernel's exit guard is the security manager and stays");
        }
    }

    @Override
    public void checkPermission(Permission permission, Object context) {
        checkPermission(permission);
    }

    /** Names the exit method that was called, from the stack. */
    private static String caller(int status) {
        String call = "System.exit";
        for (StackTraceElement frame : Thread.currentThread().getStackTrace()) {
            if (frame.getClassName().equals("java.lang.Runtime")
                    && frame.getMethodName().equals("halt")) {
                call = "Runtime.halt";
            } else if (frame.getClassName().equals("java.lang.Runtime")
                    && frame.getMethodName().equals("exit")) {
                call = "Runtime.exit";
            } else if (frame.getClassName().equals("java.lang.System")
                    && frame.getMethodName().equals("exit")) {
                return "System.exit(" + status + ")";
            }
        }
        return call + "(" + status + ")";
    }
}
