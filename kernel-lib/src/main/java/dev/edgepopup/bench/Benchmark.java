package dev.edgepopup.bench;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.edgepopup.data.ImageSet;
import dev.edgepopup.nn.MaskedLayer;
import dev.edgepopup.nn.Masks;
import dev.edgepopup.nn.Method;
import dev.edgepopup.nn.Net;
import dev.edgepopup.nn.Nets;
import dev.edgepopup.nn.Precision;
import dev.edgepopup.store.RunRecord;
import dev.edgepopup.store.RunStore;
import dev.edgepopup.sweep.Local;
import dev.edgepopup.sweep.Sweep;
import dev.edgepopup.sweep.SweepExecutor;
import dev.edgepopup.sweep.SweepResult;
import dev.edgepopup.train.History;
import dev.edgepopup.train.Recipe;
import dev.edgepopup.train.Threads;
import dev.edgepopup.train.Training;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Training throughput at batch 128 on random images: FC 784-300-100-10 and Conv4 on 3x32x32, each
 * with edge-popup and learned dense weights, in every compute variant (float32 and bfloat16, NCHW
 * and, for conv nets, channels-last) and at 1 thread and one per core, all in the same run through
 * the library's own training loop, each as a ratio to float32 NCHW of the same method and threads
 * measured in that run; plus the time of one mask computation per layer. bfloat16 runs only where
 * it is native (AMX, AVX512-BF16 or a GPU, see {@link Precision#resolve}) unless {@code
 * --force-bf16}. Any architecture can be named instead; {@code resnet18_cifar} (ResNet-18 on
 * 3x32x32, with batch norm) is the ResNet one, opt-in because it is about six times the
 * multiply-adds of Conv4 per image. Usage: {@code Benchmark [--steps N] [--threads 1,2] [--nets
 * fc,conv4,resnet18_cifar] [--force-bf16]}.
 *
 * <p>{@code Benchmark --sweep [--runs N] [--images N] [--epochs N]} measures sweeps instead: a grid
 * of Conv4 runs at width 0.25 on random 1x28x28 images (k from 0.1 up, one run per k), trained
 * through {@link Sweep} into a fresh run store once one run at a time on every core and once as
 * {@link Local#auto()} lays it out (on a CPU one run per core, one thread each), and prints runs
 * per minute and training images per second of each and their ratio.
 */
public final class Benchmark {
    private Benchmark() {}

    /** One way of computing: a precision and a memory format. */
    private record Variant(Precision precision, boolean channelsLast) {
        String label() {
            return History.precisionAndLayout(precision, channelsLast);
        }
    }

    /**
     * Runs the benchmark and prints its tables.
     *
     * @param args {@code --steps N} measured steps per configuration (default: FC 200, Conv4 30,
     *     others 10), {@code --threads 1,2} intra-op thread counts to measure (default: 1 and one
     *     per core), {@code --nets a,b} (default fc,conv4; e.g. resnet18_cifar), {@code
     *     --force-bf16} measures bfloat16 where the CPU only emulates it too
     */
    public static void main(String[] args) {
        int steps = 0; // 0: a per-net default, long enough to measure past the JIT's warm-up
        int[] threads = {1, Runtime.getRuntime().availableProcessors()};
        String[] nets = {"fc", "conv4"};
        boolean force = false;
        boolean sweep = false;
        int runs = 4;
        int images = 2560;
        int epochs = 1;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--sweep":
                    sweep = true;
                    break;
                case "--runs":
                    runs = Integer.parseInt(args[++i]);
                    break;
                case "--images":
                    images = Integer.parseInt(args[++i]);
                    break;
                case "--epochs":
                    epochs = Integer.parseInt(args[++i]);
                    break;
                case "--steps":
                    steps = Integer.parseInt(args[++i]);
                    break;
                case "--threads":
                    threads =
                            Arrays.stream(args[++i].split(","))
                                    .mapToInt(Integer::parseInt)
                                    .toArray();
                    break;
                case "--nets":
                    nets = args[++i].split(",");
                    break;
                case "--force-bf16":
                    force = true;
                    break;
                default:
                    System.err.println(
                            "unknown argument "
                                    + args[i]
                                    + "; use --steps N --threads 1,2 --nets fc,conv4,resnet18_cifar"
                                    + " --force-bf16, or --sweep --runs N --images N --epochs N");
                    System.exit(2);
            }
        }
        if (sweep) {
            sweeps(runs, images, epochs);
            return;
        }
        // bfloat16 that would fall back is left out rather than measured as float32 twice.
        boolean bf16 = Precision.BF16.resolve(force, System.out::println) == Precision.BF16;
        System.out.printf(
                Locale.ROOT,
                "engine %s, batch 128, measured steps %s, %d cores%n",
                Engine.getInstance().getEngineName() + " " + Engine.getInstance().getVersion(),
                steps > 0 ? String.valueOf(steps) : "fc 200, conv4 30, others 10",
                Runtime.getRuntime().availableProcessors());
        System.out.printf(
                Locale.ROOT,
                "%-14s %7s %-10s %-19s %10s %12s%n",
                "net",
                "threads",
                "method",
                "compute",
                "images/s",
                "vs fp32 NCHW");
        for (String arch : nets) {
            List<Variant> variants = variants(arch, bf16);
            for (int t : threads) {
                Threads.set(t);
                int n = steps > 0 ? steps : defaultSteps(arch);
                for (Method method : new Method[] {Method.EDGE_POPUP, Method.DENSE}) {
                    double baseline = Double.NaN;
                    for (Variant v : variants) {
                        double ips =
                                imagesPerSecond(
                                        arch,
                                        method,
                                        v,
                                        n,
                                        128,
                                        List.of(Engine.getInstance().defaultDevice()));
                        baseline = Double.isNaN(baseline) ? ips : baseline;
                        System.out.printf(
                                Locale.ROOT,
                                "%-14s %7d %-10s %-19s %10.0f %12.3f%n",
                                arch,
                                t,
                                method.label(),
                                v.label(),
                                ips,
                                ips / baseline);
                    }
                }
            }
        }
        System.out.println();
        System.out.printf(
                Locale.ROOT, "%-14s %-19s %10s %12s%n", "net", "layer", "weights", "mask ms");
        for (String arch : nets) {
            try (Net net = Nets.of(arch).build()) {
                for (MaskedLayer l : net.layers()) {
                    System.out.printf(
                            Locale.ROOT,
                            "%-14s %-19s %10d %12.3f%n",
                            arch,
                            l.label(),
                            l.weightCount(),
                            maskMillis(l));
                }
            }
        }
    }

    /**
     * Sweep throughput, one run at a time against several at once, in one JVM.
     *
     * @param runs runs in the grid (k = 0.1, 0.2, ...; at most 9)
     * @param images training images per run (random 1x28x28, 10 classes; a tenth as many test)
     * @param epochs epochs per run
     */
    private static void sweeps(int runs, int images, int epochs) {
        if (runs < 1 || runs > 9 || images < 128 || epochs < 1) {
            throw new IllegalArgumentException(
                    "--runs 1 to 9, --images at least 128, --epochs at" + " least 1");
        }
        double[] keeps = new double[runs];
        for (int i = 0; i < runs; i++) {
            keeps[i] = (i + 1) / 10.0;
        }
        Shape shape = new Shape(1, 28, 28);
        ImageSet train = ImageSet.random(shape, images, 10, 1);
        ImageSet test = ImageSet.random(shape, Math.max(10, images / 10), 10, 2);
        Path dir;
        try {
            dir = Files.createTempDirectory("edgepopup-sweep-benchmark");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        System.out.printf(
                Locale.ROOT,
                "engine %s, %d cores, load %s%n",
                Engine.getInstance().getEngineName() + " " + Engine.getInstance().getVersion(),
                Runtime.getRuntime().availableProcessors(),
                loadAverage());
        System.out.printf(
                Locale.ROOT,
                "sweep: %d runs of conv4 width 0.25 edge-popup, %d %s of "
                        + "%d random 1x28x28 images, batch 128%n",
                runs,
                epochs,
                epochs == 1 ? "epoch" : "epochs",
                images);
        // One untimed run first: the JIT and oneDNN's kernels warm up.
        sweep(dir.resolve("warm-up.db"), new double[] {0.05}, train, test, 1, Local.oneAtATime());
        SweepExecutor[] ways = {Local.oneAtATime(), Local.auto()};
        String[] names = {"one at a time", "auto"};
        double[] rate = new double[ways.length];
        System.out.printf(
                Locale.ROOT,
                "%-14s %-34s %9s %9s %10s %14s%n",
                "executor",
                "layout",
                "seconds",
                "runs/min",
                "images/s",
                "run images/s");
        for (int w = 0; w < ways.length; w++) {
            long t0 = System.nanoTime();
            SweepResult r = sweep(dir.resolve(w + ".db"), keeps, train, test, epochs, ways[w]);
            double secs = (System.nanoTime() - t0) / 1e9;
            rate[w] = (double) runs * epochs * images / secs;
            double perRun =
                    r.records().stream()
                            .mapToDouble(RunRecord::imagesPerSecond)
                            .average()
                            .orElse(Double.NaN);
            System.out.printf(
                    Locale.ROOT,
                    "%-14s %-34s %9.1f %9.2f %10.0f %14.0f%n",
                    names[w],
                    ways[w].describe(runs),
                    secs,
                    runs / secs * 60,
                    rate[w],
                    perRun);
        }
        System.out.printf(
                Locale.ROOT,
                "auto / one at a time: %.2f (images/s and runs/min); " + "load %s%n",
                rate[1] / rate[0],
                loadAverage());
        deleteTree(dir);
    }

    private static SweepResult sweep(
            Path db, double[] keeps, ImageSet train, ImageSet test, int epochs, SweepExecutor on) {
        try (RunStore store = RunStore.open(db)) {
            SweepResult r =
                    Sweep.over()
                            .nets("conv4")
                            .widths(0.25)
                            .keeps(keeps)
                            .seeds(1)
                            .recipe(rec -> rec.epochs(epochs).batchSize(128))
                            .data(train, test)
                            .store(store)
                            .on(on)
                            .progress(false)
                            .run();
            if (r.trained() != keeps.length) {
                throw new IllegalStateException(
                        "trained " + r.trained() + " of " + keeps.length + " runs: " + r.summary());
            }
            return r;
        }
    }

    /**
     * @return the 1, 5 and 15 minute load averages, or "unknown"
     */
    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static void deleteTree(Path dir) {
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            System.err.println("could not delete " + dir + ": " + e.getMessage());
        }
    }

    /** float32 NCHW (the baseline) first; channels-last only where there are convolutions. */
    private static List<Variant> variants(String arch, boolean bf16) {
        List<Variant> out = new ArrayList<>();
        for (Precision p : bf16 ? Precision.values() : new Precision[] {Precision.FP32}) {
            out.add(new Variant(p, false));
            if (!arch.equals("fc")) {
                out.add(new Variant(p, true));
            }
        }
        return out;
    }

    /** Steps that take a few seconds: an FC step is about 100 times cheaper than a Conv4 one. */
    private static int defaultSteps(String arch) {
        return arch.equals("fc") ? 200 : arch.equals("conv4") ? 30 : 10;
    }

    /**
     * Images/s in float32 NCHW.
     *
     * @see #imagesPerSecond(String, Method, Variant, int, int, List)
     */
    static double imagesPerSecond(
            String arch, Method method, int steps, int batch, List<Device> devices) {
        return imagesPerSecond(
                arch, method, new Variant(Precision.FP32, false), steps, batch, devices);
    }

    /**
     * Images/s of the second of two epochs (the first warms up), through {@link Training}.
     *
     * @param arch the architecture, e.g. "conv4"
     * @param method how it learns
     * @param v the precision and memory format
     * @param steps steps per epoch
     * @param batch images per step, split over the devices
     * @param devices where the steps run, the engine's default device first
     * @return training images per second
     */
    private static double imagesPerSecond(
            String arch, Method method, Variant v, int steps, int batch, List<Device> devices) {
        try (Net net = Nets.of(arch).method(method).seed(1).build()) {
            ImageSet train = ImageSet.random(imageShape(net), batch * steps, 10, 1);
            ImageSet test = ImageSet.random(imageShape(net), batch, 10, 2);
            // Random labels make the paper's dense rate diverge on some CPUs (Conv4, lr 0.01, NaN
            // at batch 13 on an AVX2 EPYC); the rate does not change the cost of a step.
            Recipe recipe = Recipe.paper(method, arch).batchSize(batch).epochs(2).lr(1e-4);
            History h =
                    Training.of(net, train, test)
                            .recipe(recipe)
                            .devices(devices)
                            .resolvedPrecision(v.precision())
                            .channelsLast(v.channelsLast())
                            .run();
            return h.epochs().get(1).imagesPerSecond();
        }
    }

    private static Shape imageShape(Net net) {
        return new Shape(net.spec().channels(), net.spec().height(), net.spec().imageWidth());
    }

    /** Median milliseconds of one top-k mask of the layer's |scores|. */
    private static double maskMillis(MaskedLayer l) {
        double[] t = new double[21];
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray a = l.scores().getArray().duplicate().abs();
            a.attach(m);
            for (int i = 0; i < t.length; i++) {
                long t0 = System.nanoTime();
                try (NDManager sub = m.newSubManager()) {
                    NDArray mask = Masks.topK(a, l.keep());
                    mask.attach(sub);
                    mask.toFloatArray(); // forces the work to finish
                }
                t[i] = (System.nanoTime() - t0) / 1e6;
            }
        }
        Arrays.sort(t);
        return t[t.length / 2];
    }
}
