package dev.edgepopup.train;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;

/**
 * PyTorch's intra-op thread count, per Java thread. libtorch's OpenMP runtime (libgomp) keeps the
 * count of each thread apart: {@link #set} changes the calling thread's only, and a thread that has
 * not yet run a PyTorch operation starts from the count last set on any thread. The engine's
 * default is one thread per core ({@code -Dai.djl.pytorch.num_threads=N} sets it at start-up), the
 * fastest for one training on an idle machine; when another process keeps a core busy, threads that
 * wait for each other slow every operation down many times, and one thread is faster. {@link
 * Training#threads} gives one training its own count for as long as it runs.
 */
public final class Threads {
    private Threads() {}

    /**
     * @return the calling thread's intra-op thread count
     */
    public static int get() {
        Engine.getInstance(); // loads libtorch before asking it
        return JniUtils.getNumThreads();
    }

    /**
     * Sets the calling thread's count (and the one threads that have not run PyTorch yet start
     * from); other threads keep theirs.
     *
     * @param n threads for each operation, at least 1
     */
    public static void set(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + n);
        }
        // A thread's first PyTorch call (this one included) sets its count from the last one set
        // anywhere, once; without this get, that would undo the set below.
        get();
        JniUtils.setNumThreads(n);
    }
}
