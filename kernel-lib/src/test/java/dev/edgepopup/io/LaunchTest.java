package dev.edgepopup.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The launchers' settings are defined once, in the root pom, and every reader agrees on them. */
class LaunchTest {
    private static final Path SCRIPT = Path.of("..", "environment", "native-env.sh");

    /** What native-env.sh sets in a clean shell: the tunables, then the flags, one per line. */
    private static List<String> fromScript() throws IOException, InterruptedException {
        Process p =
                new ProcessBuilder(
                                "bash",
                                "-c",
                                "unset GLIBC_TUNABLES; source \"$0\"; printf '%s\\n"
                                        + "' \"$GLIBC_TUNABLES\" \"${LAUNCH_JVM_FLAGS[@]}\"",
                                SCRIPT.toString())
                        .redirectErrorStream(true)
                        .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        return out.lines().toList();
    }

    @Test
    void theScriptTheBuildAndThisJvmAgree() throws Exception {
        assertTrue(Files.isRegularFile(SCRIPT), SCRIPT.toAbsolutePath().toString());
        List<String> script = fromScript();
        assertEquals(Launch.glibcTunables(), script.get(0));
        assertEquals(Launch.jvmFlags(), script.subList(1, script.size()));
        // Surefire starts this JVM from the same pom properties.
        assertEquals(Launch.glibcTunables(), System.getenv("GLIBC_TUNABLES"));
        for (String flag : Launch.jvmFlags()) {
            String[] kv = flag.substring(2).split("=", 2);
            assertEquals(kv[1], System.getProperty(kv[0]), flag);
        }
    }

    @Test
    void theSettingsAreTheOnesNativeMemoryAndTheWorkersNeed() {
        assertTrue(
                Launch.glibcTunables().contains("glibc.malloc.mmap_threshold="),
                Launch.glibcTunables());
        assertTrue(
                Launch.jvmFlags().contains("-Djava.awt.headless=true"),
                Launch.jvmFlags().toString());
        assertTrue(
                Launch.jvmFlags().stream().anyMatch(f -> f.startsWith("-Dai.djl.offline=")),
                Launch.jvmFlags().toString());
    }
}
