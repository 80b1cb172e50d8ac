package dev.edgepopup.train;

import ai.djl.ndarray.NDManager;
import dev.edgepopup.nn.NativeMemory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** What memory tests measure: the C heap's resident bytes and the arrays DJL tracks. */
public final class NativeHeap {
    private NativeHeap() {}

    /**
     * @return true on Linux with the tests' GLIBC_TUNABLES (one arena, no mmap below 4 GiB)
     */
    public static boolean measurable() {
        return Files.isReadable(Path.of("/proc/self/smaps"))
                && NativeMemory.tuned()
                && String.valueOf(System.getenv("GLIBC_TUNABLES")).contains("arena_max=1");
    }

    /**
     * Resident bytes of the C heap. With the tests' GLIBC_TUNABLES every native allocation,
     * libtorch's included, lands there, and the Java heap does not.
     *
     * @return the bytes
     */
    public static long bytes() {
        List<String> smaps;
        try {
            smaps = Files.readAllLines(Path.of("/proc/self/smaps"));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        long kb = 0;
        boolean heap = false;
        for (String l : smaps) {
            if (Character.isDigit(l.charAt(0)) || Character.isLowerCase(l.charAt(0))) {
                heap = l.endsWith("[heap]"); // a mapping's header line: address range first
            } else if (heap && l.startsWith("Rss:")) {
                kb += Long.parseLong(l.replaceAll("\\D", ""));
            }
        }
        return kb << 10;
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
