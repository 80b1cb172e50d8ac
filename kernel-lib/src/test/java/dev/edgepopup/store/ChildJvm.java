package dev.edgepopup.store;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** A second JVM running a test main class on this JVM's class path, its output collected. */
public final class ChildJvm implements AutoCloseable {
    private final Process process;
    private final List<String> lines = Collections.synchronizedList(new ArrayList<>());
    private final Thread reader;

    private ChildJvm(Process process) {
        this.process = process;
        this.reader =
                new Thread(
                        () -> {
                            try (BufferedReader r =
                                    new BufferedReader(
                                            new InputStreamReader(
                                                    process.getInputStream(),
                                                    StandardCharsets.UTF_8))) {
                                for (String line = r.readLine();
                                        line != null;
                                        line = r.readLine()) {
                                    lines.add(line);
                                }
                            } catch (IOException e) {
                                lines.add("(output unreadable: " + e + ")");
                            }
                        });
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Starts {@code main} in a new JVM with the settings the tests run under: offline DJL, the same
     * engine cache and data locations, GLIBC_TUNABLES passed on.
     *
     * @param main the class with the main method
     * @param args its arguments
     * @return the running child
     * @throws IOException if it cannot start
     */
    public static ChildJvm start(Class<?> main, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx1g");
        cmd.add("-Dai.djl.offline=true");
        for (String property :
                List.of(
                        "ENGINE_CACHE_DIR",
                        "edgepopup.fashionMnist",
                        "edgepopup.cifar10",
                        "java.io.tmpdir")) {
            String value = System.getProperty(property);
            if (value != null) {
                cmd.add("-D" + property + "=" + value);
            }
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(main.getName());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        String tunables = System.getenv("GLIBC_TUNABLES");
        if (tunables != null) {
            pb.environment().put("GLIBC_TUNABLES", tunables);
        }
        return new ChildJvm(pb.start());
    }

    /**
     * @return the process
     */
    public Process process() {
        return process;
    }

    /**
     * @return the output lines so far
     */
    public List<String> lines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    /**
     * Waits for an output line.
     *
     * @param match what to wait for
     * @param seconds how long at most
     * @return true if such a line came
     * @throws InterruptedException if interrupted
     */
    public boolean awaitLine(Predicate<String> match, double seconds) throws InterruptedException {
        long end = System.nanoTime() + (long) (seconds * 1e9);
        while (System.nanoTime() < end) {
            if (lines().stream().anyMatch(match)) {
                return true;
            }
            if (!process.isAlive() && !reader.isAlive()) {
                return lines().stream().anyMatch(match);
            }
            Thread.sleep(10);
        }
        return false;
    }

    /**
     * Waits for the child to exit and for its output to be read.
     *
     * @param seconds how long at most
     * @return the exit code
     * @throws InterruptedException if interrupted
     * @throws IllegalStateException if it does not exit in time (it is killed)
     */
    public int await(double seconds) throws InterruptedException {
        if (!process.waitFor((long) (seconds * 1000), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("child did not exit in " + seconds + " s: " + lines());
        }
        reader.join(5_000);
        return process.exitValue();
    }

    /** Kills the child if it still runs. */
    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
