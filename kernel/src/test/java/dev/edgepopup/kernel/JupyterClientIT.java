package dev.edgepopup.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Runs the jupyter_client scripts of {@code src/test/python} (Debian's {@code /usr/bin/python3})
 * against the packaged kernel, installed with {@code install-kernelspec.sh} into a temporary
 * Jupyter path. Runs in failsafe's integration-test phase, after the jar and target/lib exist.
 */
class JupyterClientIT {
    private static final String PYTHON = "/usr/bin/python3";
    private static final long SCRIPT_TIMEOUT_MINUTES = 5;

    private static Path kernelDir;
    private static Path jupyterPath;
    private static Path runtimeDir;

    /** Output and exit code of a finished process. */
    private record Finished(int exitCode, String output) {}

    @BeforeAll
    static void installKernelspec(@TempDir Path prefix) throws Exception {
        kernelDir = Path.of(System.getProperty("kernel.dir"));
        jupyterPath = prefix.resolve("share/jupyter");
        runtimeDir = Files.createDirectories(prefix.resolve("runtime"));
        Finished install =
                run(
                        List.of(
                                "bash",
                                kernelDir.resolve("install-kernelspec.sh").toString(),
                                "--prefix",
                                prefix.toString()),
                        kernelDir,
                        Map.of("ENGINE_CACHE_DIR", System.getProperty("djl.cache")));
        assertEquals(0, install.exitCode(), install.output());
        assertTrue(
                Files.isRegularFile(jupyterPath.resolve("kernels/java-edgepopup/kernel.json")),
                install.output());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(
            strings = {
                "test_execute.py",
                "test_errors.py",
                "test_interrupt.py",
                "test_complete.py",
                "test_lifecycle.py",
                "test_security.py",
                "test_output.py",
                "test_limits.py",
                "test_magics.py"
            })
    void jupyterClient(String script) throws Exception {
        Finished finished =
                run(
                        List.of(PYTHON, "-u", script),
                        kernelDir.resolve("src/test/python"),
                        // No __pycache__ in the source tree.
                        Map.of(
                                "JUPYTER_PATH",
                                jupyterPath.toString(),
                                "JUPYTER_RUNTIME_DIR",
                                runtimeDir.toString(),
                                "PYTHONDONTWRITEBYTECODE",
                                "1"));
        System.out.println("---- " + script + "\n" + finished.output());
        assertEquals(0, finished.exitCode(), script + " failed:\n" + finished.output());
    }

    private static Finished run(List<String> command, Path directory, Map<String, String> env)
            throws Exception {
        ProcessBuilder builder =
                new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true);
        builder.environment().putAll(env);
        Process process = builder.start();
        CompletableFuture<String> output =
                CompletableFuture.supplyAsync(() -> readAll(process.getInputStream()));
        if (!process.waitFor(SCRIPT_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
            // Kernels the script started must not outlive it.
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly().waitFor();
            return new Finished(
                    -1,
                    "timed out after "
                            + SCRIPT_TIMEOUT_MINUTES
                            + " min\n"
                            + output.get(10, TimeUnit.SECONDS));
        }
        return new Finished(process.exitValue(), output.get(1, TimeUnit.MINUTES));
    }

    private static String readAll(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(output unreadable: " + e + ")";
        }
    }
}
