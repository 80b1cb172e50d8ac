package dev.edgepopup.sweep;

import dev.edgepopup.data.Datasets;
import dev.edgepopup.data.ImageSource;
import dev.edgepopup.display.Display;
import dev.edgepopup.init.Init;
import dev.edgepopup.nn.LayerShape;
import dev.edgepopup.nn.NetSpec;
import dev.edgepopup.nn.Nets;
import dev.edgepopup.nn.Precision;
import dev.edgepopup.store.RunConfig;
import dev.edgepopup.store.RunRecord;
import dev.edgepopup.store.RunStatus;
import dev.edgepopup.store.RunStore;
import dev.edgepopup.train.Recipe;
import dev.edgepopup.train.Threads;
import dev.edgepopup.train.TrainingListener;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * A persistent, resumable grid of runs:
 *
 * <pre>{@code
 * SweepResult r = Sweep.over()
 *         .nets("conv2", "conv4").keeps(0.1, 0.3, 0.5, 0.7, 0.9)
 *         .inits(Init.SIGNED_KAIMING_CONSTANT, Init.KAIMING_NORMAL)
 *         .approaches(Approach.EDGE_POPUP, Approach.DENSE_SGD)
 *         .seeds(1, 2, 3).recipe(rec -> rec.epochs(2))
 *         .data(data).store(store).run();
 * }</pre>
 *
 * <p>Every combination of net, width, k, init and approach is one configuration; with each seed it
 * is one run (seed s: weight seed s, score seed s + 1, data seed s). The recipe is the paper's for
 * the approach and net ({@link Approach#recipe}), then the {@link #recipe} override. k does not
 * change a dense or Zhou run unless its init is a scaled one (which divides by k), so those runs
 * use k = 1 and run once instead of once per k.
 *
 * <p>{@link #run()} starts the runs in plan order, seed by seed (every configuration at the first
 * seed, then at the second, ...: a sweep stopped halfway already covers the whole grid), on the
 * executor of {@link #on} ({@link Local#auto()} by default: on a CPU several runs at once, each on
 * its own thread, when several are left). It skips runs the store has finished, resumes unfinished
 * ones from their checkpoint (the last finished epoch; a run killed before its first checkpoint
 * starts again), and records every finished epoch as it happens. An interrupt of the calling thread
 * stops every active run at its next batch: they stay resumable and the partial result comes back.
 * A run whose loss becomes NaN is stored as failed and the sweep goes on; failed runs are tried
 * again by the next {@code run()}. In a notebook one live display shows the whole sweep ({@link
 * #progress}).
 *
 * <p>Every run computes the fastest way this machine affords unless told otherwise ({@link
 * #precision}, {@link #channelsLast}): bfloat16 where {@link Precision#fastest()} says so,
 * channels-last for nets with convolutions. The arithmetic used and the library's version are part
 * of each run's configuration ({@link RunConfig}), so neither a changed library nor another
 * machine's arithmetic shows stored numbers as its own.
 *
 * <p>Two sweeps may share a store, from one JVM or several, as long as they do not train the same
 * run at the same time.
 */
public final class Sweep {
    private List<String> nets = List.of("fc");
    private double[] widths = {1};
    private double[] keeps = {0.5};
    private List<Init> inits = List.of(Init.SIGNED_KAIMING_CONSTANT);
    private List<Approach> approaches = List.of(Approach.EDGE_POPUP);
    private long[] seeds = {1};
    private UnaryOperator<Recipe> recipe = UnaryOperator.identity();
    private ImageSource train;
    private ImageSource test;
    private RunStore store;
    private Function<RunConfig, ? extends TrainingListener> listeners;
    private SweepExecutor executor = Local.auto();

    /** null: {@link Precision#fastest()}. */
    private Precision precision;

    /** null: for nets with convolutions. */
    private Boolean channelsLast;

    /** null: when a notebook shows displays. */
    private Boolean progress;

    private Consumer<String> notes = System.err::println;

    private Sweep() {}

    /**
     * Starts a sweep. Defaults: FC, width 1, k = 0.5, signed Kaiming constant, edge-popup, seed 1,
     * the paper's recipe unchanged. {@link #data} and {@link #store} must be set.
     *
     * @return a sweep to configure
     */
    public static Sweep over() {
        return new Sweep();
    }

    /**
     * @param archs architectures: "fc", "conv2", "conv4", "conv6", "conv8"
     * @return this
     */
    public Sweep nets(String... archs) {
        for (String a : archs) {
            // Fails early, naming the valid architectures.
            Nets.of(a).spec();
        }
        this.nets = List.copyOf(nonEmpty(Arrays.asList(archs), "nets"));
        return this;
    }

    /**
     * @param values width multipliers
     * @return this
     */
    public Sweep widths(double... values) {
        this.widths = nonEmpty(values, "widths").clone();
        return this;
    }

    /**
     * @param values kept fractions k, in (0, 1]
     * @return this
     */
    public Sweep keeps(double... values) {
        for (double k : values) {
            Nets.fc().keep(k);
        }
        this.keeps = nonEmpty(values, "keeps").clone();
        return this;
    }

    /**
     * @param values weight distributions
     * @return this
     */
    public Sweep inits(Init... values) {
        this.inits = List.copyOf(nonEmpty(Arrays.asList(values), "inits"));
        return this;
    }

    /**
     * @param values what to train: edge-popup, dense with SGD, dense with Adam, Zhou
     * @return this
     */
    public Sweep approaches(Approach... values) {
        this.approaches = List.copyOf(nonEmpty(Arrays.asList(values), "approaches"));
        return this;
    }

    /**
     * @param values one run per seed and configuration
     * @return this
     */
    public Sweep seeds(long... values) {
        if (values.length == 0) {
            throw new IllegalArgumentException("seeds must not be empty");
        }
        this.seeds = values.clone();
        return this;
    }

    /**
     * Changes the paper's recipe of every run, e.g. {@code r -> r.epochs(2)}. The changed recipe is
     * part of each run's configuration, so a different override means different runs.
     *
     * @param override applied to the approach's recipe
     * @return this
     */
    public Sweep recipe(UnaryOperator<Recipe> override) {
        this.recipe = Objects.requireNonNull(override);
        return this;
    }

    /**
     * @param d training and test data; the nets' input follows it, and its sets' names and sizes
     *     are part of each run's configuration
     * @return this
     */
    public Sweep data(Datasets.Data d) {
        return data(d.train(), d.test());
    }

    /**
     * @param train training data (an {@link dev.edgepopup.data.ImageFolder}, say); the nets' input
     *     follows it, and its name and size are part of each run's configuration
     * @param test test data, evaluated after every epoch
     * @return this
     */
    public Sweep data(ImageSource train, ImageSource test) {
        this.train = Objects.requireNonNull(train);
        this.test = Objects.requireNonNull(test);
        return this;
    }

    /**
     * @param s where runs are kept, skipped and resumed from
     * @return this
     */
    public Sweep store(RunStore s) {
        this.store = Objects.requireNonNull(s);
        return this;
    }

    /**
     * Adds a listener of your own to every run that trains (not to skipped runs), e.g. a log; the
     * sweep's own display ({@link #progress}) needs none. Runs call it on their own threads,
     * several at once when the executor trains several runs at once.
     *
     * @param factory makes a listener for a run's configuration; replaces an earlier one
     * @return this
     */
    public Sweep listener(Function<RunConfig, ? extends TrainingListener> factory) {
        this.listeners = Objects.requireNonNull(factory);
        return this;
    }

    /**
     * Where and how the runs train, e.g. {@code Local.runsAtOnce(2).threadsPerRun(1)}, or a Slurm
     * cluster: {@code Slurm.partition("gpu").gpusPerRun(1).time("12:00:00")} with a store that
     * every node reaches; by default {@link Local#auto()}.
     *
     * @param e the executor
     * @return this
     */
    public Sweep on(SweepExecutor e) {
        this.executor = Objects.requireNonNull(e);
        return this;
    }

    /**
     * The arithmetic of every run, resolved on this machine ({@link Precision#resolve}: bf16 falls
     * back to fp32, saying why, where the CPU only emulates it). By default {@link
     * Precision#fastest()}.
     *
     * @param p the precision asked for
     * @return this
     */
    public Sweep precision(Precision p) {
        this.precision = Objects.requireNonNull(p);
        return this;
    }

    /**
     * @param on whether every run stores images channels-last; by default nets with convolutions do
     *     (oneDNN's fastest format on CPUs) and FC nets do not
     * @return this
     */
    public Sweep channelsLast(boolean on) {
        this.channelsLast = on;
        return this;
    }

    /**
     * @param show whether {@link #run()} shows one live display of the whole sweep (run i of N,
     *     configuration, epoch, accuracy, images/s, time left; at the end the runs trained and
     *     reused); by default when a notebook kernel shows displays ({@link Display#attached()})
     * @return this
     */
    public Sweep progress(boolean show) {
        this.progress = show;
        return this;
    }

    /**
     * @param receiver where lines about the sweep go that are neither progress nor results, e.g.
     *     why bf16 falls back to fp32; by default stderr, which a notebook shows under the cell
     * @return this
     */
    public Sweep notes(Consumer<String> receiver) {
        this.notes = Objects.requireNonNull(receiver);
        return this;
    }

    /**
     * The planned runs, in training order: seed by seed, then net, width, k, init, approach.
     *
     * @return one configuration per run, without duplicates
     */
    public List<RunConfig> configurations() {
        Objects.requireNonNull(train, "data: call data(...) first");
        Precision used =
                precision == null ? Precision.fastest() : precision.resolve(false, line -> {});
        Map<String, RunConfig> plan = new LinkedHashMap<>();
        for (long seed : seeds) {
            for (String arch : nets) {
                for (double width : widths) {
                    for (double keep : keeps) {
                        for (Init init : inits) {
                            for (Approach a : approaches) {
                                RunConfig c = config(arch, width, keep, init, a, seed, used);
                                plan.putIfAbsent(c.key(), c);
                            }
                        }
                    }
                }
            }
        }
        return List.copyOf(plan.values());
    }

    private RunConfig config(
            String arch,
            double width,
            double keep,
            Init init,
            Approach a,
            long seed,
            Precision used) {
        boolean scaled =
                init == Init.SCALED_KAIMING_NORMAL || init == Init.SCALED_SIGNED_KAIMING_CONSTANT;
        NetSpec spec =
                Nets.of(arch)
                        .inputOf(train)
                        .width(width)
                        .keep(a.usesKeep() || scaled ? keep : 1)
                        .init(init)
                        .method(a.method())
                        .seed(seed)
                        .spec();
        Recipe r = Objects.requireNonNull(recipe.apply(a.recipe(arch)), "recipe override");
        boolean convs = spec.layers().stream().anyMatch(LayerShape::conv);
        return RunConfig.of(spec, r, seed, train, test)
                .compute(used, channelsLast == null ? convs : channelsLast);
    }

    /**
     * Trains every planned run the store has not finished, on the sweep's executor.
     *
     * @return the runs reached (all of them unless interrupted), finished ones included
     */
    public SweepResult run() {
        return together(this).get(0);
    }

    /**
     * Trains several sweeps' runs in one go, on the first sweep's executor and under one display,
     * so that runs of different sweeps (an edge-popup grid and its dense baselines, say) train at
     * the same time. A run that several sweeps plan trains once.
     *
     * @param sweeps the sweeps, each with its data and store set
     * @return each sweep's result, in the order given
     */
    public static List<SweepResult> together(Sweep... sweeps) {
        if (sweeps.length == 0) {
            throw new IllegalArgumentException("together needs at least one sweep");
        }
        List<List<RunConfig>> plans = new ArrayList<>();
        Map<String, RunRecord> stored = new LinkedHashMap<>();
        Map<String, Sweep> owner = new LinkedHashMap<>();
        List<PlannedRun> toTrain = new ArrayList<>();
        int planned = 0;
        for (Sweep sweep : sweeps) {
            Objects.requireNonNull(sweep.store, "store: call store(...) first");
            if (sweep.precision != null) {
                sweep.precision.resolve(false, sweep.notes); // says once why bf16 falls back
            }
            List<RunConfig> plan = sweep.configurations();
            plans.add(plan);
            for (RunConfig c : plan) {
                if (owner.putIfAbsent(c.key(), sweep) != null) {
                    continue; // planned by an earlier sweep too: one run serves both
                }
                planned++;
                RunRecord r = sweep.store.find(c.key()).orElse(null);
                if (r != null && r.status() == RunStatus.FINISHED) {
                    stored.put(c.key(), r);
                } else {
                    toTrain.add(new PlannedRun(planned, c));
                }
            }
        }
        Sweep first = sweeps[0];
        SweepProgress shown =
                new SweepProgress(
                        planned,
                        stored.size(),
                        toTrain,
                        first.executor.describe(toTrain.size()),
                        first.progress == null ? Display.attached() : first.progress,
                        System::nanoTime);
        Set<String> reusedNow = ConcurrentHashMap.newKeySet();
        SweepExecutor.Trainer trainer =
                new SweepExecutor.Trainer() {
                    @Override
                    public RunRecord train(PlannedRun run, int threads) {
                        Sweep sweep = owner.get(run.config().key());
                        RunRecord r = sweep.store.find(run.config().key()).orElse(null);
                        if (r != null && r.status() == RunStatus.FINISHED) {
                            shown.reusedNow(run); // another sweep finished it meanwhile
                            reusedNow.add(r.key());
                            return r;
                        }
                        // Everything the run computes, the kept fraction's sum after training
                        // included,
                        // on its own thread count: sums in another count round differently.
                        int before = Threads.get();
                        Threads.set(threads);
                        try {
                            r = sweep.train(run.config(), shown.listener(run));
                        } finally {
                            Threads.set(before);
                        }
                        shown.ended(run, r);
                        return r;
                    }

                    @Override
                    public RunStore store(PlannedRun run) {
                        return owner.get(run.config().key()).store;
                    }
                };
        SweepExecutor.Outcome o = first.executor.execute(toTrain, trainer, shown);
        Map<String, RunRecord> ran = new LinkedHashMap<>();
        o.records().forEach(r -> ran.put(r.key(), r));
        shown.end(o.stopped());
        List<SweepResult> results = new ArrayList<>();
        for (List<RunConfig> plan : plans) {
            List<RunRecord> reached = new ArrayList<>();
            int trained = 0;
            for (RunConfig c : plan) {
                RunRecord r = ran.get(c.key());
                if (r != null && !reusedNow.contains(c.key())) {
                    trained++;
                } else if (r == null) {
                    r = stored.get(c.key());
                }
                if (r != null) {
                    reached.add(r);
                }
            }
            results.add(
                    new SweepResult(
                            reached, plan.size(), o.stopped(), trained, reached.size() - trained));
        }
        return results;
    }

    /**
     * What running these sweeps together costs, for a notebook to print before it trains: the runs
     * (and how many the store holds already), their epochs and images, and how this machine trains
     * them.
     *
     * @param sweeps the sweeps, each with its data and store set
     * @return e.g. "14 runs, 2 of them in the run store: 4 epochs over 10,000 training images each
     *     in bf16, 480,000 images to train; 2 runs at once, 1 thread each"
     */
    public static String plan(Sweep... sweeps) {
        Map<String, RunConfig> runs = new LinkedHashMap<>();
        Map<String, Sweep> owner = new LinkedHashMap<>();
        for (Sweep sweep : sweeps) {
            Objects.requireNonNull(sweep.store, "store: call store(...) first");
            for (RunConfig c : sweep.configurations()) {
                runs.putIfAbsent(c.key(), c);
                owner.putIfAbsent(c.key(), sweep);
            }
        }
        long toTrain = 0;
        long images = 0;
        Set<String> epochs = new TreeSet<>();
        Set<String> sizes = new TreeSet<>();
        // Single runs in bf16 and in fp32 end a few points apart, so a reader should know which.
        Set<String> arithmetic = new TreeSet<>();
        for (RunConfig c : runs.values()) {
            arithmetic.add(c.precision().label());
            RunRecord r = owner.get(c.key()).store.find(c.key()).orElse(null);
            epochs.add(String.valueOf(c.recipe().epochs()));
            sizes.add(String.format(Locale.ROOT, "%,d", c.trainSize()));
            if (r == null || r.status() != RunStatus.FINISHED) {
                toTrain++;
                images += (long) c.recipe().epochs() * c.trainSize();
            }
        }
        long inStore = runs.size() - toTrain;
        return String.format(
                Locale.ROOT,
                "%d runs%s: %s epochs over %s training images each in %s, %,d images to train%s",
                runs.size(),
                inStore == 0 ? "" : ", " + inStore + " of them in the run store",
                String.join(" or ", epochs),
                String.join(" or ", sizes),
                String.join(" or ", arithmetic),
                images,
                toTrain == 0
                        ? " (nothing: every run is stored)"
                        : "; " + sweeps[0].executor.describe((int) toTrain));
    }

    /**
     * What the store holds of this sweep's runs, without training anything.
     *
     * @return the stored runs of the plan, in plan order
     */
    public SweepResult results() {
        Objects.requireNonNull(store, "store: call store(...) first");
        List<RunConfig> plan = configurations();
        List<RunRecord> stored = new ArrayList<>();
        for (RunConfig c : plan) {
            store.find(c.key()).ifPresent(stored::add);
        }
        return new SweepResult(stored, plan.size(), false);
    }

    /** Trains one run on the calling thread. */
    private RunRecord train(RunConfig c, TrainingListener progress) {
        List<TrainingListener> more = new ArrayList<>(List.of(progress));
        if (listeners != null) {
            more.add(listeners.apply(c));
        }
        return new RunTrainer(store, train, test).train(c, more);
    }

    private static <T> List<T> nonEmpty(List<T> values, String what) {
        if (values.isEmpty()) {
            throw new IllegalArgumentException(what + " must not be empty");
        }
        values.forEach(v -> Objects.requireNonNull(v, what));
        return values;
    }

    private static double[] nonEmpty(double[] values, String what) {
        if (values.length == 0) {
            throw new IllegalArgumentException(what + " must not be empty");
        }
        return values;
    }
}
