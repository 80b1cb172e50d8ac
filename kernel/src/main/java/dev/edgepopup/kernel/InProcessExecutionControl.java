package dev.edgepopup.kernel;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import jdk.jshell.execution.DirectExecutionControl;
import jdk.jshell.execution.LoaderDelegate;
import jdk.jshell.spi.ExecutionControl;
import jdk.jshell.spi.ExecutionControlProvider;
import jdk.jshell.spi.ExecutionEnv;

/**
 * Runs JShell snippets inside the kernel's JVM and keeps the value of the last one as an object, so
 * the kernel can render it (JShell's own engines only return {@code toString()} text).
 *
 * <p>Snippets run on one dedicated daemon thread, never on a thread that talks ZeroMQ: {@link
 * #stop()} interrupts that thread, and an interrupt would close the NIO channels of any socket it
 * touched. Code that checks {@link Thread#interrupted()} or blocks interruptibly stops; the
 * deprecated {@code Thread.stop} that JShell's local engine uses is never called.
 */
final class InProcessExecutionControl extends DirectExecutionControl {
    private final ExecutorService runner;

    /**
     * Guards {@link #running} and {@link #pendingStop}, so a stop is never lost between snippets.
     */
    private final Object stopLock = new Object();

    private Thread running;
    private boolean pendingStop;
    private Object lastValue;

    private InProcessExecutionControl(SnippetClassLoader loader) {
        super(new Delegate(loader));
        this.runner =
                Executors.newSingleThreadExecutor(
                        task -> {
                            Thread thread = new Thread(task, "jshell-snippets");
                            thread.setDaemon(true);
                            // Libraries (DJL's engine discovery, ServiceLoader) look classes up
                            // through this loader.
                            thread.setContextClassLoader(loader);
                            return thread;
                        });
    }

    /**
     * Makes a provider for {@code JShell.Builder.executionEngine}; {@code created} receives the
     * control, as JShell does not hand it out.
     *
     * @param parent the loader snippets see classes through: the kernel's own
     * @param created called once with the new control
     */
    static ExecutionControlProvider provider(
            ClassLoader parent, java.util.function.Consumer<InProcessExecutionControl> created) {
        return new ExecutionControlProvider() {
            @Override
            public String name() {
                return "edgepopup-in-process";
            }

            @Override
            public ExecutionControl generate(ExecutionEnv env, Map<String, String> parameters) {
                InProcessExecutionControl control =
                        new InProcessExecutionControl(new SnippetClassLoader(parent));
                created.accept(control);
                return control;
            }
        };
    }

    /**
     * Returns and forgets the value the last snippet produced (null for statements).
     *
     * @return the value
     */
    synchronized Object takeValue() {
        Object value = lastValue;
        lastValue = null;
        return value;
    }

    @Override
    protected String invoke(Method doit) throws Exception {
        synchronized (this) {
            lastValue = null;
        }
        Future<Object> result =
                runner.submit(
                        () -> {
                            synchronized (stopLock) {
                                if (pendingStop) {
                                    pendingStop = false;
                                    // Reported like an exception the snippet threw, so the cell
                                    // stops here.
                                    throw new InvocationTargetException(
                                            new InterruptedException(
                                                    "interrupted before this snippet started"));
                                }
                                running = Thread.currentThread();
                            }
                            try {
                                return doit.invoke(null);
                            } finally {
                                synchronized (stopLock) {
                                    running = null;
                                    // A stop the snippet never consumed would be cleared by the
                                    // executor before
                                    // the next task; it stops the cell's next snippet instead of
                                    // vanishing.
                                    if (Thread.interrupted()) {
                                        pendingStop = true;
                                    }
                                }
                            }
                        });
        Object value;
        try {
            value = result.get();
        } catch (ExecutionException e) {
            // The snippet's InvocationTargetException goes back to DirectExecutionControl, which
            // turns it into JShell's EvalException with snippet-relative line numbers.
            Throwable cause = e.getCause();
            throw cause instanceof Exception failure
                    ? failure
                    : new InvocationTargetException(cause);
        }
        synchronized (this) {
            lastValue = value;
        }
        // JShell's value text is unused (the kernel renders the object); skip a costly toString().
        return value == null ? "null" : value.getClass().getName();
    }

    /**
     * Interrupts the running snippet; between snippets (compiling, say) the next one to start is
     * stopped instead, and so is it when the running snippet ends with its interrupt flag still
     * set. A snippet that handles the interrupt (catches {@link InterruptedException} or clears the
     * flag with {@link Thread#interrupted()}) and returns lets the cell go on, as a Python cell
     * goes on when code catches KeyboardInterrupt.
     */
    @Override
    public void stop() {
        synchronized (stopLock) {
            if (running != null) {
                running.interrupt();
            } else {
                pendingStop = true;
            }
        }
    }

    /**
     * Forgets a stop that came after the last snippet of a cell, so it does not hit the next cell.
     */
    void clearPendingStop() {
        synchronized (stopLock) {
            pendingStop = false;
        }
    }

    @Override
    public void close() {
        runner.shutdownNow();
        super.close();
    }

    /** Defines snippet classes on demand; everything else comes from the kernel's class path. */
    private static final class SnippetClassLoader extends URLClassLoader {
        private final Map<String, byte[]> bytecodes = new ConcurrentHashMap<>();

        SnippetClassLoader(ClassLoader parent) {
            super(new URL[0], parent);
        }

        void declare(String name, byte[] bytes) {
            bytecodes.put(name, bytes);
        }

        void addPath(String path) throws MalformedURLException {
            addURL(Path.of(path).toUri().toURL());
        }

        @Override
        protected Class<?> findClass(String name) throws ClassNotFoundException {
            byte[] bytes = bytecodes.get(name);
            return bytes == null
                    ? super.findClass(name)
                    : defineClass(name, bytes, 0, bytes.length);
        }
    }

    /** JShell's hook for installing compiled snippets into {@link SnippetClassLoader}. */
    private static final class Delegate implements LoaderDelegate {
        private final SnippetClassLoader loader;
        private final Map<String, Class<?>> loaded = new ConcurrentHashMap<>();

        Delegate(SnippetClassLoader loader) {
            this.loader = loader;
        }

        @Override
        public void load(ClassBytecodes[] classes) throws ClassInstallException {
            boolean[] installed = new boolean[classes.length];
            for (ClassBytecodes c : classes) {
                loader.declare(c.name(), c.bytecodes());
            }
            for (int i = 0; i < classes.length; i++) {
                try {
                    loaded.put(classes[i].name(), loader.loadClass(classes[i].name()));
                    installed[i] = true;
                } catch (ClassNotFoundException | LinkageError e) {
                    throw new ClassInstallException(
                            "could not load " + classes[i].name() + ": " + e, installed);
                }
            }
        }

        @Override
        public void classesRedefined(ClassBytecodes[] classes) {
            for (ClassBytecodes c : classes) {
                loader.declare(c.name(), c.bytecodes());
            }
        }

        @Override
        public void addToClasspath(String path) throws InternalException {
            try {
                for (String entry : path.split(java.io.File.pathSeparator)) {
                    loader.addPath(entry);
                }
            } catch (MalformedURLException e) {
                throw new InternalException(e.toString());
            }
        }

        @Override
        public Class<?> findClass(String name) throws ClassNotFoundException {
            Class<?> type = loaded.get(name);
            if (type == null) {
                throw new ClassNotFoundException(name);
            }
            return type;
        }
    }
}
