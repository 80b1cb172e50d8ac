package dev.edgepopup.nn;

import ai.djl.pytorch.jni.JniUtils;

/**
 * Turns PyTorch's gradient recording off for the current thread until closed. PyTorch keeps this
 * switch per thread and DJL clears it only on the thread that loaded the engine, so code that may
 * run on another thread (a notebook cell, a sweep worker) must say so itself before updating leaves
 * in place or evaluating without a graph.
 */
public final class NoGrad implements AutoCloseable {
    private final boolean previous;

    private NoGrad() {
        previous = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
    }

    /**
     * @return a scope with gradient recording off; close it to restore the previous mode
     */
    public static NoGrad enter() {
        return new NoGrad();
    }

    @Override
    public void close() {
        JniUtils.setGradMode(previous);
    }
}
