package dev.edgepopup.sweep;

import dev.edgepopup.io.Launch;
import dev.edgepopup.store.RunRecord;
import dev.edgepopup.store.RunStatus;
import dev.edgepopup.store.RunStore;
import dev.edgepopup.store.RunTask;
import dev.edgepopup.train.EpochRecord;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Trains a sweep's runs on a Slurm cluster: one job array per {@link Sweep#run()} (per run store),
 * one array task per run, submitted with {@code sbatch}, watched through the store:
 *
 * <pre>{@code
 * Sweep.over()...store(RunStore.open("jdbc:postgresql://db.example.org/edgepopup?user=me",
 *         Path.of("/shared/me/checkpoints")))
 *         .on(Slurm.partition("gpu").gpusPerRun(1).time("12:00:00")).run();
 * }</pre>
 *
 * <p>Each task runs {@link SlurmWorker} on a node: it reads its run from the store by its array
 * index, trains it on the GPU Slurm gave it (the CPU without one), writes every epoch and the
 * result to the store and checkpoints every epoch to a directory that every node reads ({@link
 * #checkpoints}, by default the store's). The store must be one that every node reaches at once: a
 * PostgreSQL server ({@code jdbc:postgresql://...}). An SQLite file serves only a cluster of one
 * machine, on its local disk (see {@link RunStore}).
 *
 * <p>{@code run()} shows the sweep's one live display, fed from the store and {@code squeue}: the
 * job id, pending and running tasks, each running run's epoch and test accuracy; and returns the
 * result when every task has ended. The stop button cancels the job arrays ({@code scancel}):
 * finished runs stay, the others are stored as interrupted and continue from their last epoch when
 * the cell runs again, which submits only the runs not finished (runs whose tasks are still queued
 * or running are watched, not submitted twice). A task cancelled on its own ({@code scancel
 * 1234_5}) leaves its run interrupted the same way. A task that fails (its node lacks the data or
 * the natives, the time limit or the memory ran out) is stored as a failed run with the worker's
 * error, Slurm's state and exit code and its log's last lines.
 *
 * <p>The options are sbatch's own: {@link #partition}, {@link #account}, {@link #time}, {@link
 * #cpusPerRun} ({@code --cpus-per-task}, also the worker's threads), {@link #memoryPerRun} ({@code
 * --mem}), {@link #gpusPerRun} ({@code --gres=gpu:N}) or {@link #gpusPerTask} ({@code
 * --gpus-per-task}), {@link #throttle} (the array's {@code %P}), {@link #sbatch} for any other
 * {@code #SBATCH} line, and for the nodes {@link #java}, {@link #classPath}, {@link #jvmOptions}
 * and {@link #env}. The nodes get this JVM's data and natives locations ({@code EDGEPOPUP_*},
 * {@code ENGINE_CACHE_DIR}, {@code PYTORCH_LIBRARY_PATH}, ..., as variables and properties) and its
 * class path by default, so they must see the same paths (shared storage). Immutable: every option
 * returns a new executor.
 */
public final class Slurm extends SweepExecutor {
    /** Environment variables the nodes get from this JVM, when set here. */
    private static final List<String> PASSED_ON =
            List.of(
                    "GLIBC_TUNABLES",
                    "ENGINE_CACHE_DIR",
                    "PYTORCH_LIBRARY_PATH",
                    "PYTORCH_VERSION",
                    "PYTORCH_FLAVOR");

    /** System properties the nodes' JVMs get from this one, when set here. */
    private static final List<String> PROPERTIES =
            List.of(
                    "ENGINE_CACHE_DIR",
                    "edgepopup.fashionMnist",
                    "edgepopup.cifar10",
                    "edgepopup.imagenet");

    private static final Pattern TIME =
            Pattern.compile("\\d+|\\d+:\\d{1,2}|\\d+:\\d{1,2}:\\d{1,2}|\\d+-\\d+(:\\d{1,2}){0,2}");
    private static final Pattern MEMORY = Pattern.compile("\\d+[KMGT]?");
    private static final Pattern EXIT = Pattern.compile("ExitCode=(\\d+):(\\d+)");
    private static final Pattern STATE = Pattern.compile("JobState=(\\S+)");

    /** Lines of a failed task's log that its run's error quotes. */
    private static final int LOG_LINES = 12;

    /** How long a stopped sweep waits for its tasks to leave the queue. */
    private static final Duration STOP_WAIT = Duration.ofMinutes(2);

    private static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(1);

    private String partition;
    private String account;
    private String time;
    private int cpusPerRun;
    private String memoryPerRun;
    private int gpus;
    private boolean gpusPerTask;
    private int throttle;
    private List<String> sbatch = List.of();
    private Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    private String classPath = System.getProperty("java.class.path");
    private List<String> jvmOptions = List.of();
    private Map<String, String> env = Map.of();
    private Path checkpoints;
    private Path logs;
    private boolean detached;
    private Duration poll = Duration.ofSeconds(2);
    private String workerClass = SlurmWorker.class.getName();

    private Slurm() {}

    private Slurm copy() {
        Slurm s = new Slurm();
        s.partition = partition;
        s.account = account;
        s.time = time;
        s.cpusPerRun = cpusPerRun;
        s.memoryPerRun = memoryPerRun;
        s.gpus = gpus;
        s.gpusPerTask = gpusPerTask;
        s.throttle = throttle;
        s.sbatch = sbatch;
        s.java = java;
        s.classPath = classPath;
        s.jvmOptions = jvmOptions;
        s.env = env;
        s.checkpoints = checkpoints;
        s.logs = logs;
        s.detached = detached;
        s.poll = poll;
        s.workerClass = workerClass;
        return s;
    }

    /**
     * The cluster's default partition, account and limits: every option as sbatch's default.
     *
     * @return the executor
     */
    public static Slurm cluster() {
        return new Slurm();
    }

    /**
     * @param name the partition ({@code --partition})
     * @return an executor on it, the other options as sbatch's defaults
     */
    public static Slurm partition(String name) {
        return cluster().onPartition(name);
    }

    /**
     * @param name the partition ({@code --partition})
     * @return this executor on another partition
     */
    public Slurm onPartition(String name) {
        Slurm s = copy();
        s.partition = word(name, "partition");
        return s;
    }

    /**
     * @param name the account charged ({@code --account})
     * @return a changed executor
     */
    public Slurm account(String name) {
        Slurm s = copy();
        s.account = word(name, "account");
        return s;
    }

    /**
     * @param limit each run's time limit ({@code --time}) in a form sbatch takes: minutes, MM:SS,
     *     HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS, e.g. "12:00:00"; a run that reaches it is stored
     *     as failed, saying so, and continues from its last epoch when sent again
     * @return a changed executor
     */
    public Slurm time(String limit) {
        if (limit == null || !TIME.matcher(limit).matches()) {
            throw new IllegalArgumentException(
                    "time must be minutes, MM:SS, HH:MM:SS, D-HH, "
                            + "D-HH:MM or D-HH:MM:SS as sbatch takes it, e.g. \"12:00:00\"; got "
                            + limit);
        }
        Slurm s = copy();
        s.time = limit;
        return s;
    }

    /**
     * @param n CPUs of each run ({@code --cpus-per-task}), at least 1; the worker trains on that
     *     many threads
     * @return a changed executor
     */
    public Slurm cpusPerRun(int n) {
        Slurm s = copy();
        s.cpusPerRun = atLeastOne(n, "CPUs per run");
        return s;
    }

    /**
     * @param size memory of each run ({@code --mem}), e.g. "16G"; digits with K, M, G or T
     * @return a changed executor
     */
    public Slurm memoryPerRun(String size) {
        if (size == null || !MEMORY.matcher(size).matches()) {
            throw new IllegalArgumentException(
                    "memory per run is a size as sbatch takes it, "
                            + "digits with K, M, G or T, e.g. \"16G\"; got "
                            + size);
        }
        Slurm s = copy();
        s.memoryPerRun = size;
        return s;
    }

    /**
     * @param n GPUs of each run as a generic resource ({@code --gres=gpu:N}), at least 1; a type
     *     (gpu:a100:1) goes through {@link #sbatch}
     * @return a changed executor
     */
    public Slurm gpusPerRun(int n) {
        Slurm s = copy();
        s.gpus = atLeastOne(n, "GPUs per run");
        s.gpusPerTask = false;
        return s;
    }

    /**
     * @param n GPUs of each run as {@code --gpus-per-task=N} (clusters that count GPUs as trackable
     *     resources rather than gres), at least 1
     * @return a changed executor
     */
    public Slurm gpusPerTask(int n) {
        Slurm s = copy();
        s.gpus = atLeastOne(n, "GPUs per task");
        s.gpusPerTask = true;
        return s;
    }

    /**
     * @param n runs of the array that run at once at most (the array's {@code %P}), at least 1
     * @return a changed executor
     */
    public Slurm throttle(int n) {
        Slurm s = copy();
        s.throttle = atLeastOne(n, "the throttle");
        return s;
    }

    /**
     * More {@code #SBATCH} lines, e.g. {@code sbatch("--qos=long", "--constraint=a100")}.
     *
     * @param options sbatch options, each starting with "-"
     * @return a changed executor, with these after any given before
     */
    public Slurm sbatch(String... options) {
        List<String> all = new ArrayList<>(sbatch);
        for (String o : options) {
            if (o == null || !o.startsWith("-") || o.contains("\n")) {
                throw new IllegalArgumentException(
                        "an sbatch option starts with '-' and is one "
                                + "line, e.g. \"--qos=long\"; got "
                                + o);
            }
            all.add(o);
        }
        Slurm s = copy();
        s.sbatch = List.copyOf(all);
        return s;
    }

    /**
     * @param path the {@code java} the nodes run (Java 17 or later); by default this JVM's
     * @return a changed executor
     */
    public Slurm java(Path path) {
        Slurm s = copy();
        s.java = Objects.requireNonNull(path, "java");
        return s;
    }

    /**
     * @param path the class path on the nodes: the library and its dependencies, the same build
     *     that plans the sweep (a worker on another build fails, saying so); by default this JVM's
     * @return a changed executor
     */
    public Slurm classPath(String path) {
        Slurm s = copy();
        s.classPath = Objects.requireNonNull(path, "class path");
        return s;
    }

    /**
     * @param options JVM options of the workers, e.g. "-Xmx8g"; after the defaults (headless, DJL
     *     offline as here, this JVM's data and cache properties), so they win
     * @return a changed executor
     */
    public Slurm jvmOptions(String... options) {
        Slurm s = copy();
        s.jvmOptions = List.of(options);
        return s;
    }

    /**
     * Sets an environment variable on the nodes, after the ones passed on from this JVM, e.g.
     * {@code env("EDGEPOPUP_CIFAR10", "/shared/data/cifar-10-batches-bin")} or {@code
     * env("ENGINE_CACHE_DIR", "/shared/djl")}.
     *
     * @param name the variable
     * @param value its value
     * @return a changed executor
     */
    public Slurm env(String name, String value) {
        if (name == null || !name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
            throw new IllegalArgumentException("not an environment variable name: " + name);
        }
        Map<String, String> all = new LinkedHashMap<>(env);
        all.put(name, Objects.requireNonNull(value, "value"));
        Slurm s = copy();
        s.env = all;
        return s;
    }

    /**
     * @param dir where the runs' checkpoints go, on storage every node reads and writes; by default
     *     the store's checkpoint directory
     * @return a changed executor
     */
    public Slurm checkpoints(Path dir) {
        Slurm s = copy();
        s.checkpoints = dir.toAbsolutePath();
        return s;
    }

    /**
     * @param dir where each submission's script and its tasks' logs go, on shared storage; by
     *     default {@code slurm/} beside the checkpoint directory
     * @return a changed executor
     */
    public Slurm logs(Path dir) {
        Slurm s = copy();
        s.logs = dir.toAbsolutePath();
        return s;
    }

    /**
     * Submits and returns at once, without watching: for a login node's command line that ends
     * after submitting ({@code bin/sweep --detach}). The runs go on; running the sweep again later
     * watches them (it submits only runs that have no task queued or running) and returns their
     * results.
     *
     * @return a changed executor
     */
    public Slurm detached() {
        Slurm s = copy();
        s.detached = true;
        return s;
    }

    /**
     * @param every how often {@link Sweep#run()} asks the store and squeue (2 s by default)
     * @return a changed executor
     */
    public Slurm poll(Duration every) {
        if (every.isNegative() || every.isZero()) {
            throw new IllegalArgumentException("poll interval must be positive, got " + every);
        }
        Slurm s = copy();
        s.poll = every;
        return s;
    }

    /** The main class the tasks run: the worker, or a test's wrapper around it. */
    Slurm workerClass(String name) {
        Slurm s = copy();
        s.workerClass = name;
        return s;
    }

    @Override
    public String describe(int runsLeft) {
        return "Slurm: a job array of "
                + runsLeft
                + (runsLeft == 1 ? " task" : " tasks")
                + options();
    }

    /** e.g. " on partition gpu, each 1 GPU, time 12:00:00, at most 4 at once". */
    private String options() {
        List<String> each = new ArrayList<>();
        if (gpus > 0) {
            each.add(gpus + (gpus == 1 ? " GPU" : " GPUs"));
        }
        if (cpusPerRun > 0) {
            each.add(cpusPerRun + (cpusPerRun == 1 ? " CPU" : " CPUs"));
        }
        if (memoryPerRun != null) {
            each.add(memoryPerRun + " memory");
        }
        if (time != null) {
            each.add("time " + time);
        }
        return (partition == null ? "" : " on partition " + partition)
                + (each.isEmpty() ? "" : ", each " + String.join(", ", each))
                + (throttle > 0 ? ", at most " + throttle + " at once" : "");
    }

    /** A run sent to the cluster, as watched. */
    private static final class Watched {
        final PlannedRun run;
        final RunStore store;
        final RunTask task;
        int epochsSeen = -1;
        double lastTest = Double.NaN;
        boolean ended;

        Watched(PlannedRun run, RunStore store, RunTask task) {
            this.run = run;
            this.store = store;
            this.task = task;
        }

        String key() {
            return run.config().key();
        }
    }

    @Override
    Outcome execute(List<PlannedRun> runs, Trainer trainer, SweepProgress progress) {
        if (runs.isEmpty()) {
            return new Outcome(List.of(), false);
        }
        runs.forEach(r -> RunData.check(r.config()));
        Map<RunStore, List<PlannedRun>> byStore = new LinkedHashMap<>();
        runs.forEach(r -> byStore.computeIfAbsent(trainer.store(r), s -> new ArrayList<>()).add(r));
        // Runs whose newest task is still queued or running (a restarted kernel, a second
        // run() of a detached sweep) are watched rather than submitted again.
        Map<PlannedRun, RunTask> earlier = new LinkedHashMap<>();
        byStore.forEach(
                (store, group) ->
                        group.forEach(
                                r ->
                                        store.latestTask(r.config().key())
                                                .filter(t -> t.jobId() != null)
                                                .ifPresent(t -> earlier.put(r, t))));
        Map<String, String> queued =
                queue(earlier.values().stream().map(RunTask::jobName).distinct().toList());
        if (queued == null) {
            throw new IllegalStateException(
                    "squeue failed: is this a Slurm cluster's login "
                            + "node? (sbatch, squeue, scancel and scontrol must be on the PATH)");
        }
        List<Watched> watched = new ArrayList<>();
        Set<String> jobs = new LinkedHashSet<>();
        byStore.forEach(
                (store, group) -> {
                    List<PlannedRun> fresh = new ArrayList<>();
                    for (PlannedRun r : group) {
                        RunTask t = earlier.get(r);
                        if (t != null && queued.containsKey(t.taskId())) {
                            watched.add(new Watched(r, store, t));
                            jobs.add(t.jobId());
                        } else {
                            fresh.add(r);
                        }
                    }
                    if (!fresh.isEmpty()) {
                        List<Watched> sent = submit(store, fresh);
                        watched.addAll(sent);
                        jobs.add(sent.get(0).task.jobId());
                    }
                });
        progress.note(
                "Slurm job"
                        + (jobs.size() == 1 ? " " : "s ")
                        + String.join(", ", jobs)
                        + "; task logs in "
                        + watched.get(watched.size() - 1).task.logFile().getParent());
        for (Watched w : watched) {
            show(w, w.store.find(w.key()).orElseThrow(), "PENDING", progress);
        }
        if (detached) {
            progress.refresh();
            return new Outcome(List.of(), false);
        }
        return watch(watched, List.copyOf(jobs), progress);
    }

    /** Queues the runs and submits their job array. */
    private List<Watched> submit(RunStore store, List<PlannedRun> runs) {
        Path checkpointDir = checkpoints != null ? checkpoints : store.checkpointDir();
        Path logDir = logs != null ? logs : checkpointDir.resolveSibling("slurm");
        byte[] id = new byte[6];
        new SecureRandom().nextBytes(id);
        String jobName = "edgepopup-" + HexFormat.of().formatHex(id);
        Instant now = Instant.now();
        List<RunTask> tasks = new ArrayList<>();
        for (int i = 0; i < runs.size(); i++) {
            tasks.add(
                    new RunTask(
                            jobName,
                            i,
                            runs.get(i).config().key(),
                            null,
                            logDir.resolve(jobName + "-" + i + ".log"),
                            now));
        }
        Path script = logDir.resolve(jobName + ".sbatch");
        try {
            Files.createDirectories(logDir);
            Files.createDirectories(checkpointDir);
            Files.writeString(
                    script, script(store.url(), checkpointDir, logDir, jobName, runs.size()));
            // The store's URL may hold a password.
            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the job script " + script, e);
        }
        runs.forEach(r -> store.queue(r.config()));
        store.addTasks(tasks);
        Command sent = run("sbatch", "--parsable", script.toString());
        String jobId = sent.ok() ? sent.out().strip().split(";")[0] : "";
        if (!jobId.matches("\\d+")) {
            String why = "sbatch refused the job array " + script + ": " + sent.describe();
            runs.forEach(r -> store.markFailed(r.config().key(), why));
            throw new IllegalStateException(why);
        }
        store.setJobId(jobName, jobId);
        List<Watched> out = new ArrayList<>();
        for (int i = 0; i < runs.size(); i++) {
            RunTask t = tasks.get(i);
            out.add(
                    new Watched(
                            runs.get(i),
                            store,
                            new RunTask(
                                    t.jobName(),
                                    t.index(),
                                    t.runKey(),
                                    jobId,
                                    t.logFile(),
                                    t.submittedAt())));
        }
        return out;
    }

    /**
     * The job array's script: task i runs the worker on task i of the submission.
     *
     * @param storeUrl the store's JDBC URL
     * @param checkpointDir the checkpoints' directory
     * @param logDir where the tasks' logs go
     * @param jobName the submission's name
     * @param tasks how many tasks
     * @return the script
     */
    String script(String storeUrl, Path checkpointDir, Path logDir, String jobName, int tasks) {
        StringBuilder sb = new StringBuilder();
        sb.append("#!/bin/bash\n");
        sb.append("# A sweep's runs, one array task each, written by dev.edgepopup.sweep.Slurm.\n");
        List<String> options = new ArrayList<>();
        options.add("--job-name=" + jobName);
        options.add("--array=0-" + (tasks - 1) + (throttle > 0 ? "%" + throttle : ""));
        options.add("--ntasks=1");
        options.add("--output=" + logDir.resolve(jobName + "-%a.log"));
        options.add("--open-mode=append"); // a requeued task's log goes on
        options.add("--requeue");
        options.add("--chdir=" + Path.of("").toAbsolutePath());
        if (partition != null) {
            options.add("--partition=" + partition);
        }
        if (account != null) {
            options.add("--account=" + account);
        }
        if (time != null) {
            options.add("--time=" + time);
        }
        if (cpusPerRun > 0) {
            options.add("--cpus-per-task=" + cpusPerRun);
        }
        if (memoryPerRun != null) {
            options.add("--mem=" + memoryPerRun);
        }
        if (gpus > 0) {
            options.add(gpusPerTask ? "--gpus-per-task=" + gpus : "--gres=gpu:" + gpus);
        }
        options.addAll(sbatch);
        options.forEach(o -> sb.append("#SBATCH ").append(o).append('\n'));
        Map<String, String> vars = new TreeMap<>();
        System.getenv()
                .forEach(
                        (name, value) -> {
                            if (name.startsWith("EDGEPOPUP_") || PASSED_ON.contains(name)) {
                                vars.put(name, value);
                            }
                        });
        Map<String, String> all = new LinkedHashMap<>(vars);
        all.putAll(env);
        all.forEach(
                (name, value) ->
                        sb.append("export ")
                                .append(name)
                                .append('=')
                                .append(quote(value))
                                .append('\n'));
        List<String> command = new ArrayList<>();
        command.add(java.toString());
        for (String flag : Launch.jvmFlags()) {
            // This JVM's own choice of DJL's offline mode reaches the workers.
            String offline = System.getProperty("ai.djl.offline");
            command.add(
                    flag.startsWith("-Dai.djl.offline=") && offline != null
                            ? "-Dai.djl.offline=" + offline
                            : flag);
        }
        for (String p : PROPERTIES) {
            String value = System.getProperty(p);
            if (value != null) {
                command.add("-D" + p + "=" + value);
            }
        }
        command.addAll(jvmOptions);
        command.addAll(
                List.of(
                        "-cp",
                        classPath,
                        workerClass,
                        "--store",
                        storeUrl,
                        "--checkpoints",
                        checkpointDir.toString(),
                        "--job",
                        jobName));
        sb.append("exec");
        command.forEach(c -> sb.append(' ').append(quote(c)));
        sb.append(" --task \"$SLURM_ARRAY_TASK_ID\"\n");
        return sb.toString();
    }

    /** Watches the runs until every task has ended, or the stop button cancels them. */
    private Outcome watch(List<Watched> watched, List<String> jobs, SweepProgress progress) {
        List<RunRecord> ended = new ArrayList<>();
        List<String> names = watched.stream().map(w -> w.task.jobName()).distinct().toList();
        boolean stopping = false;
        long giveUp = Long.MAX_VALUE;
        while (true) {
            // squeue first: a task gone from the queue has ended, so its worker's last write is
            // in the store before the store is read.
            Map<String, String> queued = queue(names);
            if (queued != null) {
                for (Watched w : watched) {
                    if (w.ended) {
                        continue;
                    }
                    String state = queued.get(w.task.taskId());
                    RunRecord r = w.store.find(w.key()).orElseThrow();
                    if (state != null) {
                        show(w, r, state, progress);
                        continue;
                    }
                    RunRecord last = settle(w, r, stopping);
                    progress.ended(w.run, last);
                    ended.add(last);
                    w.ended = true;
                }
            }
            if (watched.stream().allMatch(w -> w.ended) || System.nanoTime() > giveUp) {
                break;
            }
            progress.refresh();
            try {
                Thread.sleep(poll.toMillis());
            } catch (InterruptedException e) {
                // The stop button: the interrupt is consumed here, as Training consumes it; a
                // second one changes nothing.
                if (stopping) {
                    continue;
                }
                stopping = true;
                giveUp = System.nanoTime() + STOP_WAIT.toNanos();
                List<String> cancel = new ArrayList<>(List.of("scancel"));
                cancel.addAll(jobs);
                run(cancel.toArray(String[]::new));
            }
        }
        return new Outcome(List.copyOf(ended), stopping);
    }

    /** Passes what the store and the queue say of a run on to the display. */
    private static void show(Watched w, RunRecord r, String state, SweepProgress progress) {
        if (r.completedEpochs() != w.epochsSeen) {
            List<EpochRecord> epochs = w.store.epochs(w.key());
            w.epochsSeen = r.completedEpochs();
            w.lastTest =
                    epochs.isEmpty() ? Double.NaN : epochs.get(epochs.size() - 1).testAccuracy();
        }
        boolean running =
                state.equals("RUNNING")
                        || state.equals("COMPLETING")
                        || state.equals("CONFIGURING");
        progress.remote(
                w.run,
                w.task.taskId(),
                running ? "running" : "pending",
                r.completedEpochs(),
                w.lastTest);
    }

    /**
     * Stores how a run whose task has left the queue ended: a worker that stored its end is
     * believed; a task that ended without a word (killed, out of memory, a crash) makes its run
     * failed, or interrupted if it was cancelled. A failed run's error gets Slurm's state and exit
     * code and the task log's last lines.
     */
    private RunRecord settle(Watched w, RunRecord r, boolean stopping) {
        RunStatus status = r.status();
        if (status == RunStatus.FINISHED) {
            return r;
        }
        Command shown = run("scontrol", "-o", "show", "job", w.task.taskId());
        Matcher state = STATE.matcher(shown.out());
        Matcher exit = EXIT.matcher(shown.out());
        String slurmState = shown.ok() && state.find() ? state.group(1) : null;
        String end =
                "Slurm task "
                        + w.task.taskId()
                        + (slurmState == null ? " ended" : " ended " + slurmState)
                        + (shown.ok() && exit.find()
                                ? (exit.group(2).equals("0")
                                        ? ", exit code " + exit.group(1)
                                        : ", signal " + exit.group(2))
                                : "");
        String log = "; its log " + w.task.logFile() + tail(w.task.logFile());
        boolean cancelled = slurmState != null && slurmState.startsWith("CANCELLED");
        if (status == RunStatus.FAILED) {
            w.store.markFailed(w.key(), r.errorMessage() + "\n" + end + log);
        } else if (status == RunStatus.INTERRUPTED) {
            if ("TIMEOUT".equals(slurmState)) {
                w.store.markFailed(
                        w.key(),
                        end
                                + ": the run reached its time limit"
                                + (time == null ? "" : " (" + time + ")")
                                + " after epoch "
                                + r.checkpointEpoch()
                                + "; run the sweep again to continue from there, or give it more"
                                + " time");
            }
        } else if (stopping || cancelled) {
            w.store.markInterrupted(w.key());
        } else {
            w.store.markFailed(w.key(), end + " before its run finished" + log);
        }
        return w.store.find(w.key()).orElseThrow();
    }

    /** ", last lines:\n..." of a log, or why there are none. */
    private static String tail(Path log) {
        try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
            long from = Math.max(0, f.length() - 16_384);
            byte[] bytes = new byte[(int) (f.length() - from)];
            f.seek(from);
            f.readFully(bytes);
            String[] lines = new String(bytes, StandardCharsets.UTF_8).strip().split("\\R");
            int first = Math.max(0, lines.length - LOG_LINES);
            return ", last lines:\n"
                    + String.join("\n", List.of(lines).subList(first, lines.length));
        } catch (IOException e) {
            return " cannot be read here (" + e.getMessage() + ")";
        }
    }

    /**
     * The queued and running tasks of some submissions.
     *
     * @param jobNames the submissions' names
     * @return task id (e.g. "1234_5") to Slurm's state (PENDING, RUNNING, ...); null when squeue
     *     failed
     */
    private Map<String, String> queue(List<String> jobNames) {
        Map<String, String> out = new LinkedHashMap<>();
        if (jobNames.isEmpty()) {
            return out;
        }
        Command q =
                run(
                        "squeue",
                        "--noheader",
                        "--array",
                        "--name=" + String.join(",", jobNames),
                        "--format=%i %T");
        if (!q.ok()) {
            return null;
        }
        for (String line : q.out().split("\\R")) {
            String[] parts = line.strip().split("\\s+");
            if (parts.length == 2) {
                out.put(parts[0], parts[1]);
            }
        }
        return out;
    }

    /** A finished command: its exit status and output. */
    private record Command(List<String> command, int status, String out, String err) {
        boolean ok() {
            return status == 0;
        }

        String describe() {
            return String.join(" ", command)
                    + " exited "
                    + status
                    + ": "
                    + (err.isBlank() ? out : err).strip();
        }
    }

    private static Command run(String... command) {
        List<String> cmd = List.of(command);
        try {
            Path out = Files.createTempFile("slurm", ".out");
            Path err = Files.createTempFile("slurm", ".err");
            try {
                Process p =
                        new ProcessBuilder(cmd)
                                .redirectOutput(out.toFile())
                                .redirectError(err.toFile())
                                .start();
                boolean interrupted = false;
                long deadline = System.nanoTime() + COMMAND_TIMEOUT.toNanos();
                // Waits through interrupts: a half-done sbatch or scancel must not be lost.
                while (true) {
                    try {
                        if (p.waitFor(
                                        Math.max(1, deadline - System.nanoTime()),
                                        TimeUnit.NANOSECONDS)
                                || System.nanoTime() > deadline) {
                            break;
                        }
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
                if (p.isAlive()) {
                    p.destroyForcibly();
                    return new Command(
                            cmd, -1, "", "no answer in " + COMMAND_TIMEOUT.toSeconds() + " s");
                }
                return new Command(
                        cmd, p.exitValue(), Files.readString(out), Files.readString(err));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            return new Command(cmd, -1, "", e.getMessage());
        }
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    private static String word(String value, String what) {
        if (value == null || !value.matches("[A-Za-z0-9_.,:+-]+")) {
            throw new IllegalArgumentException(
                    what
                            + " must be a Slurm name (letters, digits, "
                            + "_ . , : + -), got "
                            + value);
        }
        return value;
    }

    private static int atLeastOne(int n, String what) {
        if (n < 1) {
            throw new IllegalArgumentException(what + " must be at least 1, got " + n);
        }
        return n;
    }

    @Override
    public String toString() {
        return "Slurm(" + (partition == null ? "default partition" : "") + options().strip() + ")";
    }
}
