package dev.edgepopup.bench;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.engine.EngineException;
import dev.edgepopup.nn.Method;
import dev.edgepopup.train.Devices;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/**
 * Checks that training runs on the GPU and how fast, through {@link Benchmark}'s measurement: Conv4
 * (3x32x32, batch 128) with edge-popup and dense weights, then ResNet-50 edge-popup (3x224x224,
 * batch 64) on random images, on the first GPU and, when there are several, data parallel over all
 * of them with the batch times their count. {@code bin/gpu-check} runs it. Usage: {@code GpuCheck
 * [--steps N] [--batch N] [--nets conv4,resnet50] [--cpu]}.
 */
public final class GpuCheck {
    private GpuCheck() {}

    /**
     * Runs the check and exits with its status.
     *
     * @param args see {@link #run(String[], PrintStream)}
     */
    public static void main(String[] args) {
        System.exit(run(args, System.out));
    }

    /**
     * Runs the check.
     *
     * @param args {@code --steps N} measured steps per network (default 30 for Conv4, 10
     *     otherwise), {@code --batch N} the batch of every network (default 128 for Conv4, 64
     *     otherwise), {@code --nets a,b} (default conv4,resnet50), {@code --cpu} to run on the CPU
     *     when no GPU is visible instead of failing (for a try on a small configuration)
     * @param out where the lines go
     * @return 0, 1 when PyTorch cannot be loaded or sees no GPU (and no {@code --cpu}), 2 for an
     *     unknown argument
     */
    public static int run(String[] args, PrintStream out) {
        int steps = 0; // 0: the per-net default
        int batch = 0;
        String[] nets = {"conv4", "resnet50"};
        boolean cpu = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--steps" -> steps = Integer.parseInt(args[++i]);
                case "--batch" -> batch = Integer.parseInt(args[++i]);
                case "--nets" -> nets = args[++i].split(",");
                case "--cpu" -> cpu = true;
                default -> {
                    out.println(
                            "gpu-check: unknown argument "
                                    + args[i]
                                    + "; use --steps N --batch N --nets conv4,resnet50 --cpu");
                    return 2;
                }
            }
        }
        Devices.All all;
        try {
            all = Devices.all();
        } catch (EngineException e) {
            // DJL could neither find nor download natives for this machine.
            out.println(
                    "gpu-check: PyTorch could not be loaded ("
                            + e.getMessage()
                            + "); set "
                            + "PYTORCH_LIBRARY_PATH to a CUDA libtorch 2.7.1's lib folder");
            return 1;
        }
        if (!all.devices().get(0).isGpu() && !cpu) {
            out.println("gpu-check: no GPU: " + all.reason());
            return 1;
        }
        Engine engine = Engine.getInstance();
        out.printf(
                Locale.ROOT,
                "gpu-check: %s %s, %s%n",
                engine.getEngineName(),
                engine.getVersion(),
                all.line());
        List<Device> first = all.devices().subList(0, 1);
        for (String arch : nets) {
            int n = steps > 0 ? steps : arch.equals("conv4") ? 30 : 10;
            int b = batch > 0 ? batch : arch.equals("conv4") ? 128 : 64;
            // Dense ResNet-50 is not what the paper trains; Conv4 compares the two.
            Method[] methods =
                    arch.equals("conv4")
                            ? new Method[] {Method.EDGE_POPUP, Method.DENSE}
                            : new Method[] {Method.EDGE_POPUP};
            for (Method m : methods) {
                line(out, arch, m, b, first, Benchmark.imagesPerSecond(arch, m, n, b, first));
                if (all.devices().size() > 1) {
                    int bAll = b * all.devices().size();
                    line(
                            out,
                            arch,
                            m,
                            bAll,
                            all.devices(),
                            Benchmark.imagesPerSecond(arch, m, n, bAll, all.devices()));
                }
            }
        }
        return 0;
    }

    private static void line(
            PrintStream out,
            String arch,
            Method m,
            int batch,
            List<Device> devices,
            double imagesPerSecond) {
        out.printf(
                Locale.ROOT,
                "%-14s %-10s batch %4d on %d device%s: %9.1f images/s%n",
                arch,
                m.label(),
                batch,
                devices.size(),
                devices.size() == 1 ? "" : "s",
                imagesPerSecond);
    }
}
