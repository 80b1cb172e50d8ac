package dev.edgepopup.train;

import ai.djl.ndarray.NDManager;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Structure;
import dev.edgepopup.nn.NativeMemory;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.JMException;
import javax.management.ObjectName;

/**
 * What memory tests measure: the bytes malloc has handed out and not had back, the JVM's own aside,
 * and the arrays DJL tracks.
 *
 * <p>Live bytes, not the heap's resident size: with freed memory kept for reuse (the tests'
 * GLIBC_TUNABLES), the resident size is the highest the heap has ever been, and two runs that
 * allocate at once reach a new high now and then without keeping anything. That made the memory
 * tests fail when run alone, before other tests had pushed the heap up.
 */
public final class NativeHeap {
    private NativeHeap() {}

    /** glibc's {@code struct mallinfo2} (2.33 and later): every field a size_t. */
    public static class MallInfo2 extends Structure implements Structure.ByValue {
        public long arena;
        public long ordblks;
        public long smblks;
        public long hblks;
        public long hblkhd;
        public long usmblks;
        public long fsmblks;
        public long uordblks;
        public long fordblks;
        public long keepcost;

        @Override
        protected List<String> getFieldOrder() {
            return List.of(
                    "arena",
                    "ordblks",
                    "smblks",
                    "hblks",
                    "hblkhd",
                    "usmblks",
                    "fsmblks",
                    "uordblks",
                    "fordblks",
                    "keepcost");
        }
    }

    private interface LibC extends Library {
        MallInfo2 mallinfo2();
    }

    // Binds lazily: a libc without mallinfo2 fails at the first call, not here.
    private static final LibC LIBC = Native.load("c", LibC.class);

    /**
     * @return true on Linux with glibc 2.33 or later, the tests' GLIBC_TUNABLES (one arena, so that
     *     mallinfo2 sees every thread's allocations) and Native Memory Tracking (the tests' JVM
     *     option)
     */
    public static boolean measurable() {
        if (!NativeMemory.tuned()
                || !String.valueOf(System.getenv("GLIBC_TUNABLES")).contains("arena_max=1")) {
            return false;
        }
        try {
            LIBC.mallinfo2();
            jvmMallocBytes();
            return true;
        } catch (UnsatisfiedLinkError e) {
            return false; // not glibc, or one older than 2.33
        } catch (IllegalStateException e) {
            return false; // a JVM started without Native Memory Tracking
        }
    }

    /**
     * Bytes in use from malloc that the JVM did not allocate itself: with one arena every native
     * allocation, libtorch's included, less what Native Memory Tracking counts as the JVM's (direct
     * buffers, the JIT compiler's arenas, the garbage collector's tables). Those move by megabytes
     * whenever the collector or the compiler runs, without anything being kept.
     *
     * @return the bytes
     */
    public static long bytes() {
        MallInfo2 m = LIBC.mallinfo2();
        return m.uordblks + m.hblkhd - jvmMallocBytes();
    }

    // NMT's summary has one line "malloc: 13839KB #71569" under its total.
    private static final Pattern JVM_MALLOC = Pattern.compile("(?m)^\\s*malloc: (\\d+)KB");

    private static long jvmMallocBytes() {
        String summary;
        try {
            summary =
                    (String)
                            ManagementFactory.getPlatformMBeanServer()
                                    .invoke(
                                            new ObjectName(
                                                    "com.sun.management:type=DiagnosticCommand"),
                                            "vmNativeMemory",
                                            new Object[] {new String[] {"summary"}},
                                            new String[] {String[].class.getName()});
        } catch (JMException e) {
            throw new IllegalStateException("cannot read Native Memory Tracking", e);
        }
        Matcher total = JVM_MALLOC.matcher(summary);
        if (!total.find()) {
            throw new IllegalStateException(
                    "no malloc total in Native Memory Tracking's summary (run the JVM with"
                            + " -XX:NativeMemoryTracking=summary): "
                            + summary.strip());
        }
        return Long.parseLong(total.group(1)) << 10;
    }

    /**
     * @return the engine's system manager, from which every manager hangs
     */
    public static NDManager systemManager() {
        try (NDManager probe = NDManager.newBaseManager()) {
            return probe.getParentManager();
        }
    }
}
