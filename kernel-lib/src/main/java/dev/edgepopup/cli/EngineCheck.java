package dev.edgepopup.cli;

import ai.djl.Device;
import ai.djl.engine.Engine;
import dev.edgepopup.nn.NativeMemory;

/**
 * Loads the engine once and says what it runs on: used by the set-up (which unpacks libtorch into
 * the cache this way) and by anyone wondering which device training will use.
 */
public final class EngineCheck {
    private EngineCheck() {}

    /**
     * Prints one line: engine, version, device and why, cache directory.
     *
     * @param args none
     */
    public static void main(String[] args) {
        Engine e = Engine.getInstance();
        Device d = e.defaultDevice();
        String why = d.isGpu() ? e.getGpuCount() + " CUDA device(s) visible"
                : "no CUDA device visible to " + e.getEngineName();
        System.out.printf("%s %s on %s (%s); libtorch cache %s; native memory %s%n",
                e.getEngineName(), e.getVersion(), d, why,
                ai.djl.util.Utils.getEngineCacheDir("pytorch"),
                NativeMemory.tuned() ? "kept for reuse" : "returned to the OS (slow)");
    }
}
