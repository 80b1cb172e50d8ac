package dev.edgepopup.cli;

import ai.djl.engine.Engine;
import dev.edgepopup.nn.NativeMemory;
import dev.edgepopup.train.Devices;

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
        Devices.Choice d = Devices.pick();
        System.out.printf(
                "%s %s on %s (%s); libtorch cache %s; native memory %s%n",
                e.getEngineName(),
                e.getVersion(),
                d.device(),
                d.reason(),
                ai.djl.util.Utils.getEngineCacheDir("pytorch"),
                NativeMemory.tuned() ? "kept for reuse" : "returned to the OS (slow)");
    }
}
