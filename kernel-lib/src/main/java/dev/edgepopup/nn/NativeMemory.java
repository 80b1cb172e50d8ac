package dev.edgepopup.nn;

import dev.edgepopup.io.Launch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warns once when the JVM was started without a native allocator setting that keeps freed memory
 * for reuse. Without one, glibc returns every block over 32 MiB to the OS and each training step
 * page-faults its activations in again: Conv4 trained 3-5x slower on a 2-core virtual machine. The
 * project's launchers (bin/train, the Jupyter kernel, the tests) set it; a JVM started some other
 * way gets this hint.
 */
public final class NativeMemory {
    /** The setting the launchers use ({@link Launch#glibcTunables()}). */
    public static final String TUNABLES = Launch.glibcTunables();

    private static final Logger LOG = LoggerFactory.getLogger(NativeMemory.class);
    private static final AtomicBoolean CHECKED = new AtomicBoolean();

    private NativeMemory() {}

    /**
     * @return true when GLIBC_TUNABLES or a preloaded caching allocator keeps memory
     */
    public static boolean tuned() {
        String tunables = System.getenv("GLIBC_TUNABLES");
        String preload = System.getenv("LD_PRELOAD");
        return tunables != null && tunables.contains("mmap_threshold")
                || preload != null
                        && (preload.contains("jemalloc") || preload.contains("tcmalloc"));
    }

    /** Logs the hint once per JVM when {@link #tuned()} is false. */
    static void checkOnce() {
        if (!CHECKED.getAndSet(true) && !tuned()) {
            LOG.warn(
                    "native memory is handed back to the OS after every step, which can make "
                            + "training several times slower; start the JVM with GLIBC_TUNABLES={}",
                    TUNABLES);
        }
    }
}
