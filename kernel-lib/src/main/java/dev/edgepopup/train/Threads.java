package dev.edgepopup.train;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;

/**
 * PyTorch's intra-op thread count, changeable at any time (it is process-wide). The engine's
 * default is one thread per core ({@code -Dai.djl.pytorch.num_threads=N} sets it at start-up),
 * the fastest on an idle machine; when another process keeps a core busy, threads that wait for
 * each other slow every operation down many times, and one thread is faster.
 */
public final class Threads {
    private Threads() {}

    /** @return the current intra-op thread count */
    public static int get() {
        Engine.getInstance(); // loads libtorch before asking it
        return JniUtils.getNumThreads();
    }

    /**
     * @param n threads for each operation, at least 1
     */
    public static void set(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + n);
        }
        Engine.getInstance();
        JniUtils.setNumThreads(n);
    }
}
