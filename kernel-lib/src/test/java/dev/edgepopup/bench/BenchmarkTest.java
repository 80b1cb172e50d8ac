package dev.edgepopup.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class BenchmarkTest {
    @Test
    void theSweepBenchmarkPrintsBothWaysAndTheirRatio() {
        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            Benchmark.main(new String[] {"--sweep", "--runs", "2", "--images", "128"});
        } finally {
            System.setOut(old);
        }
        List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
        String text = String.join("\n", lines);
        assertTrue(
                lines.stream()
                        .anyMatch(l -> l.startsWith("one at a time  one run at a time " + "on ")),
                text);
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("auto ")), text);
        String ratio =
                lines.stream()
                        .filter(l -> l.startsWith("auto / one at a time: "))
                        .findFirst()
                        .orElseThrow(() -> new AssertionError(text));
        assertTrue(
                ratio.matches(
                        "auto / one at a time: \\d+\\.\\d\\d \\(images/s and runs/min\\);"
                                + " load .*"),
                ratio);
        assertEquals(
                1,
                lines.stream().filter(l -> l.startsWith("sweep: 2 runs of conv4")).count(),
                text);
    }
}
