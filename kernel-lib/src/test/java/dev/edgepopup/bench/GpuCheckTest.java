package dev.edgepopup.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.engine.Engine;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The GPU check on a machine without a GPU (CI's): its failures, the script's included (with
 * stand-ins for nvidia-smi and curl, so nothing is downloaded), and its CPU run.
 */
class GpuCheckTest {
    private record Outcome(int status, List<String> lines) {}

    private static Outcome run(String... args) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int status = GpuCheck.run(args, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        return new Outcome(status, bytes.toString(StandardCharsets.UTF_8).lines().toList());
    }

    @Test
    void withoutAGpuItFailsWithOneLineSayingWhy() {
        assumeTrue(Engine.getInstance().getGpuCount() == 0, "a GPU is visible");
        Outcome o = run();
        assertEquals(1, o.status());
        assertEquals(1, o.lines().size(), o.lines().toString());
        assertTrue(o.lines().get(0).startsWith("gpu-check: no GPU: "), o.lines().get(0));
    }

    /**
     * ResNet-18 stands in for ResNet-50: libtorch 2.7.1's oneDNN dies of SIGFPE on some CPUs (this
     * AMD EPYC) in the backward pass of ResNet-50's 1x1 stride-2 convolution from 512 to 1024
     * channels, at any batch size.
     */
    @Test
    void onTheCpuItMeasuresConv4BothWaysAndAResNetEdgePopup() {
        Outcome o = run("--cpu", "--batch", "2", "--steps", "1", "--nets", "conv4,resnet18_cifar");
        assertEquals(0, o.status(), o.lines().toString());
        assertTrue(o.lines().get(0).startsWith("gpu-check: PyTorch"), o.lines().get(0));
        Pattern row = Pattern.compile("(\\S+) +(\\S+) +batch +2 on 1 device: +([0-9.]+) images/s");
        List<String> rows = o.lines().subList(1, o.lines().size());
        assertEquals(3, rows.size(), o.lines().toString());
        String[][] expected = {
            {"conv4", "edge-popup"}, {"conv4", "dense"}, {"resnet18_cifar", "edge-popup"}
        };
        for (int i = 0; i < expected.length; i++) {
            Matcher m = row.matcher(rows.get(i));
            assertTrue(m.matches(), rows.get(i));
            assertEquals(expected[i][0], m.group(1));
            assertEquals(expected[i][1], m.group(2));
            assertTrue(Double.parseDouble(m.group(3)) > 0, rows.get(i));
        }
    }

    @Test
    void anUnknownArgumentIsRefused() {
        Outcome o = run("--gpus", "2");
        assertEquals(2, o.status());
        assertTrue(o.lines().get(0).contains("unknown argument --gpus"), o.lines().get(0));
    }

    /** Runs bin/gpu-check with {@code bin} first on the PATH; its status and stderr. */
    private static Outcome script(Path bin, Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("bash", "../bin/gpu-check");
        pb.environment().put("PATH", bin + ":/usr/bin:/bin");
        pb.environment().remove("PYTORCH_LIBRARY_PATH");
        pb.environment().putAll(env);
        pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        Process p = pb.start();
        List<String> err =
                new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8)
                        .lines()
                        .toList();
        return new Outcome(p.waitFor(), err);
    }

    private static void stub(Path bin, String name, String body) throws Exception {
        Path f = bin.resolve(name);
        Files.writeString(f, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private static void assertFailsWith(Outcome o, String line) {
        assertEquals(1, o.status(), o.lines().toString());
        assertEquals(List.of(line), o.lines());
    }

    @Test
    void theScriptStopsWithOneLineWithoutAGpuOrNatives(@TempDir Path dir) throws Exception {
        assumeTrue(Files.notExists(Path.of("/usr/bin/nvidia-smi")), "nvidia-smi is installed");
        Path bin = Files.createDirectories(dir.resolve("bin"));
        assertFailsWith(
                script(bin, Map.of()),
                "gpu-check: no NVIDIA GPU visible: nvidia-smi is not installed");
        stub(bin, "nvidia-smi", "exit 0");
        assertFailsWith(
                script(bin, Map.of()), "gpu-check: no NVIDIA GPU visible: nvidia-smi lists none");
        stub(bin, "nvidia-smi", "echo 'NVIDIA H100 80GB HBM3'");
        String hint =
                "set PYTORCH_LIBRARY_PATH to the lib folder of a CUDA libtorch 2.7.1 "
                        + "(cu128, the flavor of DJL 0.36's JNI), PYTORCH_VERSION=2.7.1 and "
                        + "PYTORCH_FLAVOR=cu128";
        Path empty = Files.createDirectories(dir.resolve("libtorch"));
        assertFailsWith(
                script(bin, Map.of("PYTORCH_LIBRARY_PATH", empty.toString())),
                "gpu-check: no CUDA natives: " + empty + " has no libtorch.so; " + hint);
        stub(bin, "curl", "exit 7"); // no internet
        assertFailsWith(
                script(bin, Map.of("ENGINE_CACHE_DIR", dir.toString())),
                "gpu-check: no CUDA natives: none under "
                        + dir
                        + "/pytorch and publish.djl.ai "
                        + "is unreachable; "
                        + hint);
    }
}
