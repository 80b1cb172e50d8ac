package dev.edgepopup.sweep;

import ai.djl.engine.Engine;
import dev.edgepopup.store.RunRecord;
import dev.edgepopup.store.RunStatus;
import dev.edgepopup.train.Threads;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Trains a sweep's runs in this JVM, each on a thread of its own with its own intra-op thread count
 * ({@link Threads#set}, set for all of a run's work): {@code
 * Sweep.over()...on(Local.runsAtOnce(2).threadsPerRun(1)).run()}.
 *
 * <p>On a CPU, several one-thread runs at once train faster than one run on every core: their
 * operations never wait for each other (bin/benchmark --sweep, Conv4 at width 0.25 on an idle
 * 2-core AMD EPYC: 1,094-1,128 images/s with two one-thread runs at once against 853-999 with one
 * run on both threads, 1.13-1.29 times the runs per minute). {@link #auto()}, the sweep's default,
 * therefore trains as many runs at once as the calling thread has intra-op threads (one per core
 * unless {@link Threads#set} changed it), one thread each, when that many runs are left, and one
 * run at a time on a GPU. Each run ends bit for bit as it would alone with the same thread count:
 * trainings on different threads share no random state. Memory grows with the runs at once (each
 * holds its network, optimizer state and batch): for large networks on a CPU, choose fewer.
 *
 * <p>The calling thread waits and redraws the sweep's progress; its interrupt stops every active
 * run at its next batch. No thread outlives {@link Sweep#run()}, and the calling thread's intra-op
 * thread count is as before.
 */
public final class Local extends SweepExecutor {
    /** How often the waiting thread looks at the runs and redraws the display. */
    private static final long REFRESH_MILLIS = 250;

    /** 0: chosen by {@link #layout}. */
    private final int runsAtOnce;

    /** 0: chosen by {@link #layout}. */
    private final int threadsPerRun;

    private Local(int runsAtOnce, int threadsPerRun) {
        this.runsAtOnce = runsAtOnce;
        this.threadsPerRun = threadsPerRun;
    }

    /**
     * Picks by itself (the sweep's default): on a CPU as many runs at once as the calling thread
     * has intra-op threads and runs are left, sharing those threads; on a GPU one run at a time.
     *
     * @return the executor
     */
    public static Local auto() {
        return new Local(0, 0);
    }

    /**
     * @param n runs to train at once, at least 1; each gets the calling thread's intra-op threads
     *     divided by n (at least one) unless {@link #threadsPerRun} says otherwise
     * @return the executor
     */
    public static Local runsAtOnce(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("runs at once must be at least 1, got " + n);
        }
        return new Local(n, 0);
    }

    /**
     * One run at a time, on the calling thread's intra-op threads: the sweep as it was before runs
     * went in parallel.
     *
     * @return the executor
     */
    public static Local oneAtATime() {
        return runsAtOnce(1);
    }

    /**
     * @param n intra-op threads of every run, at least 1
     * @return an executor like this one with that many threads per run
     */
    public Local threadsPerRun(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("threads per run must be at least 1, got " + n);
        }
        return new Local(runsAtOnce, n);
    }

    /**
     * Runs at once and threads per run.
     *
     * @param runs runs trained at once
     * @param threads intra-op threads per run
     */
    record Layout(int runs, int threads) {}

    /**
     * The layout for a sweep.
     *
     * @param runsLeft runs to train
     * @param budget the calling thread's intra-op thread count
     * @param gpu whether the runs train on a GPU
     * @return the runs at once (never more than are left) and threads per run
     */
    Layout layout(int runsLeft, int budget, boolean gpu) {
        int runs = runsAtOnce > 0 ? runsAtOnce : gpu ? 1 : budget;
        runs = Math.max(1, Math.min(runs, runsLeft));
        int threads = threadsPerRun > 0 ? threadsPerRun : Math.max(1, budget / runs);
        return new Layout(runs, threads);
    }

    private Layout layout(int runsLeft) {
        return layout(runsLeft, Threads.get(), Engine.getInstance().defaultDevice().isGpu());
    }

    @Override
    public String describe(int runsLeft) {
        Layout l = layout(runsLeft);
        String threads = l.threads() + (l.threads() == 1 ? " thread" : " threads");
        return l.runs() == 1
                ? "one run at a time on " + threads
                : l.runs() + " runs at once, " + threads + " each";
    }

    @Override
    Outcome execute(List<PlannedRun> runs, Trainer trainer, SweepProgress progress) {
        if (runs.isEmpty()) {
            return new Outcome(List.of(), false);
        }
        Layout layout = layout(runs.size());
        int callersThreads = Threads.get();
        Queue<PlannedRun> queue = new ConcurrentLinkedQueue<>(runs);
        List<RunRecord> records = Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean stopping = new AtomicBoolean();
        AtomicBoolean stoppedByInterrupt = new AtomicBoolean();
        AtomicReference<Throwable> error = new AtomicReference<>();
        CountDownLatch ended = new CountDownLatch(layout.runs());
        List<Thread> workers = new ArrayList<>();
        for (int w = 0; w < layout.runs(); w++) {
            Thread t =
                    new Thread(
                            () -> {
                                try {
                                    PlannedRun run;
                                    while (!stopping.get()
                                            && !Thread.currentThread().isInterrupted()
                                            && (run = queue.poll()) != null) {
                                        RunRecord r = trainer.train(run, layout.threads());
                                        records.add(r);
                                        if (r.status() == RunStatus.INTERRUPTED) {
                                            // Interrupted from inside (a listener): the whole sweep
                                            // stops.
                                            stoppedByInterrupt.set(true);
                                            stopping.set(true);
                                        }
                                    }
                                } catch (Throwable e) {
                                    error.compareAndSet(null, e);
                                    stopping.set(true);
                                } finally {
                                    ended.countDown();
                                }
                            },
                            "sweep-run-" + (w + 1));
            t.setDaemon(true); // never keeps a JVM up; the caller joins it anyway
            workers.add(t);
        }
        workers.forEach(Thread::start);
        boolean workersInterrupted = false;
        try {
            while (true) {
                try {
                    if (ended.await(REFRESH_MILLIS, TimeUnit.MILLISECONDS)) {
                        break;
                    }
                } catch (InterruptedException e) {
                    // The stop button: the interrupt is consumed here, as Training consumes it.
                    stoppedByInterrupt.set(true);
                    stopping.set(true);
                }
                if (stopping.get() && !workersInterrupted) {
                    workers.forEach(Thread::interrupt);
                    workersInterrupted = true;
                }
                progress.refresh();
            }
        } finally {
            if (ended.getCount() > 0) { // the display failed: stop the runs before leaving
                stopping.set(true);
                workers.forEach(Thread::interrupt);
            }
            joinAll(workers);
            Threads.set(callersThreads); // what fresh threads start from, as before the sweep
        }
        Throwable e = error.get();
        if (e instanceof RuntimeException re) {
            throw re;
        }
        if (e instanceof Error err) {
            throw err;
        }
        if (e != null) {
            throw new IllegalStateException(e);
        }
        return new Outcome(List.copyOf(records), stoppedByInterrupt.get());
    }

    /** Waits for every worker to end, through any further interrupt (kept for the caller). */
    private static void joinAll(List<Thread> workers) {
        boolean interrupted = false;
        for (Thread t : workers) {
            while (t.isAlive()) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                    workers.forEach(Thread::interrupt);
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "Local("
                + (runsAtOnce > 0 ? runsAtOnce + " runs at once" : "auto")
                + (threadsPerRun > 0 ? ", " + threadsPerRun + " threads per run" : "")
                + ")";
    }
}
