package dev.edgepopup.io;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * While open, a request to end the JVM (Ctrl-C, or the SIGTERM of Slurm's {@code scancel} or time
 * limit) interrupts the thread that opened it, which stops a training at its next batch, and holds
 * the exit until {@link #close()} (the partial result is then stored or printed) or a grace period
 * ends:
 *
 * <pre>{@code
 * try (InterruptOnExit ignored = new InterruptOnExit(Duration.ofSeconds(120))) {
 *     history = training.run();
 *     report(history);
 * }
 * }</pre>
 */
public final class InterruptOnExit implements AutoCloseable {
    private final CountDownLatch done = new CountDownLatch(1);
    private final Thread hook;

    /**
     * @param grace how long the exit waits for {@link #close()} at most
     */
    public InterruptOnExit(Duration grace) {
        Thread worker = Thread.currentThread();
        hook =
                new Thread(
                        () -> {
                            worker.interrupt();
                            try {
                                done.await(grace.toMillis(), TimeUnit.MILLISECONDS);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        },
                        "interrupt-on-exit");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** Releases a waiting exit, or stops watching for one. */
    @Override
    public void close() {
        done.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // The hook is running and was just released; the JVM exits when it returns.
        }
    }
}
