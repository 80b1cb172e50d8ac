package dev.edgepopup.kernel;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What {@code %time} and {@code %%time} print, in IPython's words: the process's CPU time (all
 * threads, libtorch's native ones included) and the wall time of the timed code.
 */
final class CellTimer {
    /** Linux gives /proc times in USER_HZ units: 100 per second on every architecture. */
    private static final double TICKS_PER_SECOND = 100;

    private static final Path STAT = Path.of("/proc/self/stat");

    private final long wallStart = System.nanoTime();
    private final long cpuStart = processCpuNanos();
    private final long[] ticksStart = userAndSystemTicks();

    /**
     * Returns the two lines to print once the timed code has run.
     *
     * @return {@code CPU times: user ..., sys ..., total ...} and {@code Wall time: ...}
     */
    String report() {
        double wall = (System.nanoTime() - wallStart) / 1e9;
        double total = (processCpuNanos() - cpuStart) / 1e9;
        long[] ticks = userAndSystemTicks();
        String cpu =
                ticks == null || ticksStart == null
                        ? "CPU times: total " + format(total)
                        : String.format(
                                "CPU times: user %s, sys %s, total %s",
                                format((ticks[0] - ticksStart[0]) / TICKS_PER_SECOND),
                                format((ticks[1] - ticksStart[1]) / TICKS_PER_SECOND),
                                format(total));
        return cpu + "\nWall time: " + format(wall);
    }

    /**
     * Formats seconds as IPython does: three significant digits in s, ms, µs or ns, and {@code 1min
     * 5s} from a minute on.
     *
     * @param seconds a duration
     * @return e.g. {@code 2.59 s}, {@code 105 ms}, {@code 1h 2min 3s}
     */
    static String format(double seconds) {
        if (seconds >= 60) {
            StringBuilder text = new StringBuilder();
            double left = seconds;
            String[] suffixes = {"d", "h", "min", "s"};
            double[] lengths = {86_400, 3_600, 60, 1};
            for (int i = 0; i < suffixes.length && left >= 1; i++) {
                long value = (long) (left / lengths[i]);
                if (value > 0) {
                    left -= value * lengths[i];
                    text.append(text.length() == 0 ? "" : " ").append(value).append(suffixes[i]);
                }
            }
            return text.toString();
        }
        String[] units = {"s", "ms", "µs", "ns"};
        int order =
                seconds > 0
                        ? Math.min((int) -Math.floor(Math.floor(Math.log10(seconds)) / 3), 3)
                        : 3;
        order = Math.max(order, 0);
        BigDecimal scaled =
                new BigDecimal(seconds * Math.pow(1000, order))
                        .round(new MathContext(3))
                        .stripTrailingZeros();
        return scaled.toPlainString() + " " + units[order];
    }

    private static long processCpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean()
                        instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime()
                : 0;
    }

    /** User and system ticks of this process from /proc/self/stat, or null off Linux. */
    private static long[] userAndSystemTicks() {
        try {
            String stat = Files.readString(STAT);
            // Fields after the parenthesised command name; utime and stime are the 14th and 15th.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return new long[] {Long.parseLong(fields[11]), Long.parseLong(fields[12])};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
