package dev.edgepopup.train;

import ai.djl.ndarray.NDManager;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Structure;
import dev.edgepopup.nn.NativeMemory;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.util.List;

/**
 * What memory tests measure: the bytes malloc has handed out and not had back (direct buffers
 * aside), and the arrays DJL tracks.
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

    private static LibC libc;

    private static synchronized LibC libc() {
        if (libc == null) {
            libc = Native.load("c", LibC.class);
        }
        return libc;
    }

    /**
     * @return true on Linux with glibc 2.33 or later and the tests' GLIBC_TUNABLES (one arena, so
     *     that mallinfo2 sees every thread's allocations)
     */
    public static boolean measurable() {
        if (!NativeMemory.tuned()
                || !String.valueOf(System.getenv("GLIBC_TUNABLES")).contains("arena_max=1")) {
            return false;
        }
        try {
            libc().mallinfo2();
            return true;
        } catch (UnsatisfiedLinkError e) {
            return false; // not glibc, or one older than 2.33
        }
    }

    /**
     * Bytes in use from malloc, less the JVM's direct buffers: with one arena every native
     * allocation, libtorch's included, and none of the Java heap. Direct buffers (the host side of
     * every batch) are left out because the garbage collector frees them whenever it runs, which
     * moves the count by megabytes without anything being kept.
     *
     * @return the bytes
     */
    public static long bytes() {
        MallInfo2 m = libc().mallinfo2();
        long direct =
                ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                        .filter(b -> b.getName().equals("direct"))
                        .mapToLong(BufferPoolMXBean::getMemoryUsed)
                        .sum();
        return m.uordblks + m.hblkhd - direct;
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
