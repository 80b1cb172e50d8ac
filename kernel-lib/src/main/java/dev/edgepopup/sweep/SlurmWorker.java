package dev.edgepopup.sweep;

import ai.djl.engine.Engine;
import ai.djl.engine.EngineException;
import dev.edgepopup.data.ImageSource;
import dev.edgepopup.data.MissingDataException;
import dev.edgepopup.io.InterruptOnExit;
import dev.edgepopup.store.LibraryVersion;
import dev.edgepopup.store.RunConfig;
import dev.edgepopup.store.RunRecord;
import dev.edgepopup.store.RunStatus;
import dev.edgepopup.store.RunStore;
import dev.edgepopup.store.RunTask;
import dev.edgepopup.train.Devices;
import dev.edgepopup.train.EpochRecord;
import dev.edgepopup.train.Threads;
import dev.edgepopup.train.TrainingListener;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The program each task of a sweep's Slurm job array runs ({@link Slurm} writes the command line):
 * it reads its run from the store by the array index, trains it on the device Slurm gave the task,
 * writes every epoch and the result to the store, and continues from the run's checkpoint when the
 * task is requeued or the run is sent again.
 *
 * <pre>
 * java -cp CLASSPATH dev.edgepopup.sweep.SlurmWorker --store JDBC_URL --checkpoints DIR
 *     --job JOB_NAME [--task N]      (N: $SLURM_ARRAY_TASK_ID by default)
 * java -cp CLASSPATH dev.edgepopup.sweep.SlurmWorker --store JDBC_URL --checkpoints DIR --run KEY
 * </pre>
 *
 * <p>It says in one line each where libtorch comes from ({@code PYTORCH_LIBRARY_PATH}, or DJL's
 * cache in {@code ENGINE_CACHE_DIR}) and which device it trains on: the first GPU that {@code
 * CUDA_VISIBLE_DEVICES} leaves visible, the CPU when Slurm gave none or PyTorch cannot use it. It
 * trains on {@code SLURM_CPUS_PER_TASK} threads (all cores without it). The data comes from the
 * usual locations ({@code EDGEPOPUP_FASHION_MNIST}, ...); a run whose data, natives or library
 * build this node lacks is stored as failed with the reason. SIGTERM (scancel, the time limit)
 * stops the run at its next batch and stores it as interrupted, resumable.
 *
 * <p>Exit status: 0 finished (or found finished), 1 failed, 2 bad arguments or no such task, 130
 * interrupted.
 */
public final class SlurmWorker {
    /** The exit status of a run stopped by SIGTERM, as {@code bin/train}'s Ctrl-C. */
    static final int INTERRUPTED = 130;

    /** Slurm sends SIGKILL this long after SIGTERM by default (KillWait). */
    private static final Duration KILL_WAIT = Duration.ofSeconds(30);

    private SlurmWorker() {}

    /**
     * Runs {@link #run} on the process's streams and exits with its status.
     *
     * @param args see the class description
     */
    public static void main(String[] args) {
        System.exit(run(args, List.of(), System.getenv(), System.out));
    }

    /**
     * @param args the command line
     * @param extra listeners of the training besides the log's (tests slow it down)
     * @param env the environment: Slurm's variables, CUDA_VISIBLE_DEVICES, the natives' location
     * @param log where the task's log lines go
     * @return the exit status
     */
    static int run(
            String[] args, List<TrainingListener> extra, Map<String, String> env, PrintStream log) {
        String store = null;
        Path checkpoints = null;
        String job = null;
        Integer task = null;
        String key = null;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--store" -> store = args[i + 1];
                case "--checkpoints" -> checkpoints = Path.of(args[i + 1]);
                case "--job" -> job = args[i + 1];
                case "--task" -> task = Integer.valueOf(args[i + 1]);
                case "--run" -> key = args[i + 1];
                default -> {
                    return usage(log, "unknown option " + args[i]);
                }
            }
        }
        if (args.length % 2 != 0
                || store == null
                || checkpoints == null
                || (job == null) == (key == null)) {
            return usage(log, "give --store, --checkpoints and either --job or --run");
        }
        if (job != null && task == null) {
            String index = env.get("SLURM_ARRAY_TASK_ID");
            if (index == null) {
                return usage(log, "--job needs --task N or SLURM_ARRAY_TASK_ID");
            }
            task = Integer.valueOf(index);
        }
        log.printf(
                "worker: %s on %s, %d CPU%s%n",
                job == null ? "run " + key : "task " + task + " of " + job + slurmTask(env),
                host(),
                threads(env),
                threads(env) == 1 ? "" : "s");
        try (RunStore runs = RunStore.open(store, checkpoints)) {
            if (job != null) {
                RunTask t = runs.task(job, task).orElse(null);
                if (t == null) {
                    log.println(
                            "worker: the store " + store + " has no task " + task + " of " + job);
                    return 2;
                }
                key = t.runKey();
            }
            RunRecord record = runs.find(key).orElse(null);
            if (record == null) {
                log.println("worker: the store " + store + " has no run " + key);
                return 2;
            }
            if (record.status() == RunStatus.FINISHED) {
                log.println("worker: run " + key + " is finished already");
                return 0;
            }
            return train(runs, record.config(), extra, env, log);
        }
    }

    private static int train(
            RunStore runs,
            RunConfig c,
            List<TrainingListener> extra,
            Map<String, String> env,
            PrintStream log) {
        String key = c.key();
        log.printf(
                "worker: run %s: %s, %d epochs on %s, tested on %s%n",
                key, SweepProgress.label(c), c.recipe().epochs(), c.trainSet(), c.testSet());
        String library = LibraryVersion.current();
        if (!Objects.equals(library, c.library())) {
            return failed(
                    runs,
                    key,
                    log,
                    "this node runs the library "
                            + library
                            + ", but the "
                            + "run was planned with "
                            + c.library()
                            + ": give the nodes the build that "
                            + "planned the sweep (Slurm.classPath)");
        }
        log.println("worker: " + natives(env));
        String device;
        try {
            device = device(env);
            Threads.set(threads(env));
        } catch (EngineException | UnsatisfiedLinkError e) {
            return failed(
                    runs,
                    key,
                    log,
                    "could not load libtorch on "
                            + host()
                            + ": "
                            + e
                            + "; "
                            + natives(env)
                            + ". Compute nodes without internet need one of: a DJL cache on shared"
                            + " storage, filled once from a login node (ENGINE_CACHE_DIR), or a"
                            + " libtorch 2.7.1 that the cluster has (PYTORCH_LIBRARY_PATH)");
        }
        log.println("worker: " + device);
        ImageSource[] data;
        try {
            data = RunData.open(c);
        } catch (MissingDataException | IOException | IllegalStateException e) {
            return failed(runs, key, log, "no usable data on " + host() + ": " + e.getMessage());
        }
        List<TrainingListener> listeners = new ArrayList<>();
        listeners.add(
                new TrainingListener() {
                    @Override
                    public void onStart(int firstEpoch, int epochs) {
                        log.println(
                                firstEpoch == 1
                                        ? "worker: starting at epoch 1"
                                        : "worker: continuing from the checkpoint of epoch "
                                                + (firstEpoch - 1));
                    }

                    @Override
                    public void onEpoch(EpochRecord r, int epochs) {
                        log.printf(
                                Locale.ROOT,
                                "worker: epoch %d/%d: train loss %.4f, train acc %.4f, "
                                        + "test acc %.4f, %.0f images/s%n",
                                r.epoch(),
                                epochs,
                                r.trainLoss(),
                                r.trainAccuracy(),
                                r.testAccuracy(),
                                r.imagesPerSecond());
                    }
                });
        listeners.addAll(extra);
        // The hook holds SIGTERM's exit until the run is stored as interrupted and said so.
        try (InterruptOnExit ignored = new InterruptOnExit(KILL_WAIT)) {
            return report(new RunTrainer(runs, data[0], data[1]).train(c, listeners), log);
        } catch (RuntimeException e) {
            log.println("worker: run " + key + " failed: " + e);
            return 1;
        } finally {
            for (ImageSource s : data) {
                if (s instanceof AutoCloseable closeable) {
                    try {
                        closeable.close();
                    } catch (Exception e) {
                        log.println("worker: could not close " + s.name() + ": " + e);
                    }
                }
            }
        }
    }

    private static int report(RunRecord end, PrintStream log) {
        switch (end.status()) {
            case FINISHED -> {
                log.printf(
                        Locale.ROOT,
                        "worker: run %s finished: test accuracy %.4f%n",
                        end.key(),
                        end.finalTestAccuracy());
                return 0;
            }
            case INTERRUPTED -> {
                log.println(
                        "worker: run "
                                + end.key()
                                + " interrupted after epoch "
                                + end.checkpointEpoch()
                                + "; it continues from there when sent again");
                return INTERRUPTED;
            }
            default -> {
                log.println(
                        "worker: run "
                                + end.key()
                                + " "
                                + end.status().columnValue()
                                + ": "
                                + end.errorMessage());
                return 1;
            }
        }
    }

    private static int failed(RunStore runs, String key, PrintStream log, String why) {
        runs.markFailed(key, why);
        log.println("worker: run " + key + " failed: " + why);
        return 1;
    }

    /**
     * @param env the environment
     * @return where libtorch comes from, e.g. "libtorch: DJL's cache in /shared/djl (offline)"
     */
    static String natives(Map<String, String> env) {
        String lib = env.get("PYTORCH_LIBRARY_PATH");
        if (lib != null && !lib.isBlank()) {
            return "libtorch: the cluster's own, PYTORCH_LIBRARY_PATH="
                    + lib
                    + " (version "
                    + env.getOrDefault("PYTORCH_VERSION", "not set")
                    + ", flavor "
                    + env.getOrDefault("PYTORCH_FLAVOR", "not set")
                    + ")";
        }
        String cache = System.getProperty("ENGINE_CACHE_DIR", env.get("ENGINE_CACHE_DIR"));
        if (cache == null || cache.isBlank()) {
            cache = Path.of(System.getProperty("user.home"), ".djl.ai") + " (the default)";
        }
        return "libtorch: DJL's cache in "
                + cache
                + (Boolean.getBoolean("ai.djl.offline")
                        ? ", offline (filled beforehand, e.g. from a login node)"
                        : ", may download");
    }

    /**
     * Loads the engine and says which device the run trains on and why.
     *
     * @param env the environment, for CUDA_VISIBLE_DEVICES
     * @return e.g. "training on cpu(), not on the GPU Slurm gave this task
     *     (CUDA_VISIBLE_DEVICES=0): PyTorch was loaded with CPU-only natives; ..."
     */
    static String device(Map<String, String> env) {
        Engine e = Engine.getInstance();
        Devices.Choice d = Devices.pick();
        String given = env.get("CUDA_VISIBLE_DEVICES");
        String engine = e.getEngineName() + " " + e.getVersion();
        if (given == null || given.isBlank()) {
            return d.line() + " (" + engine + "; Slurm gave this task no GPU)";
        }
        if (d.device().isGpu()) {
            return d.line() + " (" + engine + "; CUDA_VISIBLE_DEVICES=" + given + ")";
        }
        return "training on "
                + d.device()
                + ", not on the GPU Slurm gave this task "
                + "(CUDA_VISIBLE_DEVICES="
                + given
                + "): "
                + d.reason()
                + " ("
                + engine
                + ")";
    }

    /** The intra-op threads: Slurm's CPUs per task, else every core. */
    private static int threads(Map<String, String> env) {
        String cpus = env.get("SLURM_CPUS_PER_TASK");
        return cpus != null && cpus.matches("\\d+") && Integer.parseInt(cpus) > 0
                ? Integer.parseInt(cpus)
                : Runtime.getRuntime().availableProcessors();
    }

    /** ", Slurm task 1234_5", or nothing outside Slurm. */
    private static String slurmTask(Map<String, String> env) {
        String job = env.get("SLURM_ARRAY_JOB_ID");
        String index = env.get("SLURM_ARRAY_TASK_ID");
        return job == null || index == null ? "" : " (Slurm task " + job + "_" + index + ")";
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "this node";
        }
    }

    private static int usage(PrintStream log, String problem) {
        log.println(
                "worker: "
                        + problem
                        + "; usage: SlurmWorker --store JDBC_URL --checkpoints "
                        + "DIR (--job NAME [--task N] | --run KEY)");
        return 2;
    }
}
