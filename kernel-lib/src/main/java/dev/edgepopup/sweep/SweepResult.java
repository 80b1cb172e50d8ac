package dev.edgepopup.sweep;

import dev.edgepopup.display.Format;
import dev.edgepopup.display.Plots;
import dev.edgepopup.display.Renderers;
import dev.edgepopup.nn.NetSpec;
import dev.edgepopup.store.RunConfig;
import dev.edgepopup.store.RunRecord;
import dev.edgepopup.store.RunStatus;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * What a sweep produced: one row per run ({@link #runs()}) and one row per configuration with the
 * mean and sample standard deviation of the final test accuracy over its finished seeds ({@link
 * #aggregate()}), plus plot arrays for {@code Plots.sweep(...)}. Shown in a notebook, it renders as
 * both tables (HTML). The tables print accuracies as percentages, kept fractions with four decimals
 * and counts with thousands separators ({@link Format}); their columns stay numeric.
 */
public final class SweepResult {
    /** Column: the approach, e.g. {@code edge-popup}, {@code dense-adam}. */
    public static final String APPROACH = "approach";

    /** Column: the architecture. */
    public static final String NET = "net";

    /** Column: the width multiplier. */
    public static final String WIDTH = "width";

    /** Column: the kept fraction k (1 for dense and Zhou runs, whose k has no effect). */
    public static final String K = "k";

    /** Column: the weight distribution. */
    public static final String INIT = "init";

    /** Column: the recipe's name. */
    public static final String RECIPE = "recipe";

    /** Column: the recipe's base learning rate. */
    public static final String LR = "lr";

    /** Column: the recipe's epochs. */
    public static final String EPOCHS = "epochs";

    /** Column: the training and test sets. */
    public static final String DATA = "data";

    /** Column: the configuration up to seeds (first 12 hex digits of its key). */
    public static final String CONFIG = "config";

    /** Column (runs): the weight seed. */
    public static final String WEIGHT_SEED = "weight seed";

    /** Column (runs): the score seed. */
    public static final String SCORE_SEED = "score seed";

    /** Column (runs): the data seed. */
    public static final String DATA_SEED = "data seed";

    /** Column (runs): running, finished, interrupted or failed. */
    public static final String STATUS = "status";

    /** Column (runs): finished epochs. */
    public static final String EPOCHS_DONE = "epochs done";

    /** Column (runs): final test accuracy (missing until finished). */
    public static final String TEST_ACC = "test acc";

    /** Column (runs): kept fraction of all weights at the end. */
    public static final String KEPT = "kept";

    /** Column (runs): wall-clock seconds of the run's epochs. */
    public static final String SECONDS = "seconds";

    /** Column (runs): training images per second. */
    public static final String IMAGES_PER_SECOND = "images/s";

    /** Column (runs): the run's key in the store. */
    public static final String KEY = "key";

    /** Column (aggregate): finished seeds of the configuration. */
    public static final String SEEDS = "seeds";

    /** Column (aggregate): mean final test accuracy over seeds. */
    public static final String TEST_ACC_MEAN = "test acc mean";

    /**
     * Column (aggregate): sample standard deviation (n - 1) of it; missing (NaN, printed "n = 1")
     * for a single seed, whose spread is unknown.
     */
    public static final String TEST_ACC_STD = "test acc std";

    /** Column (aggregate): mean kept fraction over seeds. */
    public static final String KEPT_MEAN = "kept mean";

    static {
        Renderers.add(SweepResult.class, SweepResult::bundle);
    }

    private final List<RunRecord> records;
    private final int planned;
    private final boolean interrupted;
    private final int trained;
    private final int reused;
    private final Table runs;
    private final Table aggregate;

    /**
     * What the store holds, read without training: every record reused.
     *
     * @param records the runs, in plan order
     * @param planned how many runs the sweep plans
     * @param interrupted whether an interrupt stopped the sweep
     */
    SweepResult(List<RunRecord> records, int planned, boolean interrupted) {
        this(records, planned, interrupted, 0, records.size());
    }

    /**
     * @param records the runs, in plan order
     * @param planned how many runs the sweep plans
     * @param interrupted whether an interrupt stopped the sweep
     * @param trained the runs this sweep trained
     * @param reused the runs it took from the run store as they were
     */
    SweepResult(
            List<RunRecord> records, int planned, boolean interrupted, int trained, int reused) {
        this.records = List.copyOf(records);
        this.planned = planned;
        this.interrupted = interrupted;
        this.trained = trained;
        this.reused = reused;
        this.runs = runsTable(this.records);
        this.aggregate = aggregateTable(this.records);
    }

    /**
     * @return the runs reached, in plan order, as stored
     */
    public List<RunRecord> records() {
        return records;
    }

    /**
     * @return how many runs the sweep plans (more than {@link #records()} when interrupted)
     */
    public int planned() {
        return planned;
    }

    /**
     * @return true when an interrupt stopped the sweep before its last run finished
     */
    public boolean interrupted() {
        return interrupted;
    }

    /**
     * @return the runs this call trained, resumed ones included, whether they finished, failed or
     *     were interrupted
     */
    public int trained() {
        return trained;
    }

    /**
     * @return the runs this call took from the run store as they were, without training
     */
    public int reused() {
        return reused;
    }

    /**
     * @return one row per run: configuration, seeds, status and results (a copy: changing it, e.g.
     *     with {@code append}, leaves this result as it was)
     */
    public Table runs() {
        return runs.copy();
    }

    /**
     * @return one row per configuration with at least one finished run: the configuration, the
     *     number of finished seeds, mean and sample std of the final test accuracy, mean kept
     *     fraction (a copy: changing it, e.g. with {@code append}, leaves {@link #curves} and
     *     {@link #plot} as they were)
     */
    public Table aggregate() {
        return aggregate.copy();
    }

    /**
     * One line of a sweep figure.
     *
     * @param name the legend entry: the group's values, e.g. {@code conv4 edge-popup}
     * @param x the swept values, ascending
     * @param mean mean final test accuracy at each x
     * @param std its sample standard deviation over seeds (NaN where one seed finished)
     * @param n the finished seeds at each x
     */
    public record Curve(String name, double[] x, double[] mean, double[] std, int[] n) {}

    /**
     * Turns the aggregate into plot lines: one per distinct combination of the {@code groupBy}
     * columns, with {@code xColumn} as x.
     *
     * @param xColumn a numeric column of {@link #aggregate()}, e.g. {@link #K} or {@link #WIDTH}
     * @param groupBy columns that tell the lines apart, e.g. {@link #NET}, {@link #APPROACH}
     * @return the lines, in order of first appearance
     * @throws IllegalArgumentException if a line would have two points at one x: a column that
     *     varies within it is missing from {@code groupBy}
     */
    public List<Curve> curves(String xColumn, String... groupBy) {
        DoubleColumn xs = aggregate.numberColumn(xColumn).asDoubleColumn();
        Map<String, List<Integer>> lines = new LinkedHashMap<>();
        for (int row = 0; row < aggregate.rowCount(); row++) {
            List<String> values = new ArrayList<>();
            for (String g : groupBy) {
                values.add(aggregate.column(g).getString(row));
            }
            String name = groupBy.length == 0 ? TEST_ACC_MEAN : String.join(" ", values);
            lines.computeIfAbsent(name, n -> new ArrayList<>()).add(row);
        }
        List<Curve> out = new ArrayList<>();
        lines.forEach(
                (name, rows) -> {
                    rows.sort(Comparator.comparingDouble(xs::getDouble));
                    double[] x = new double[rows.size()];
                    double[] mean = new double[rows.size()];
                    double[] std = new double[rows.size()];
                    int[] n = new int[rows.size()];
                    for (int i = 0; i < rows.size(); i++) {
                        int row = rows.get(i);
                        x[i] = xs.getDouble(row);
                        if (i > 0 && x[i] == x[i - 1]) {
                            throw new IllegalArgumentException(
                                    "line '"
                                            + name
                                            + "' has two "
                                            + "configurations at "
                                            + xColumn
                                            + " = "
                                            + x[i]
                                            + ": add the column "
                                            + "that tells them apart to groupBy "
                                            + Arrays.toString(groupBy));
                        }
                        mean[i] = aggregate.doubleColumn(TEST_ACC_MEAN).getDouble(row);
                        std[i] = aggregate.doubleColumn(TEST_ACC_STD).getDouble(row);
                        n[i] = aggregate.intColumn(SEEDS).getInt(row);
                    }
                    out.add(new Curve(name, x, mean, std, n));
                });
        return out;
    }

    /**
     * A sweep figure with one line per group, as {@link #curves}; add baselines to it.
     *
     * @param title the title
     * @param xColumn the swept column, also the x axis label
     * @param groupBy columns that tell the lines apart
     * @return the figure
     */
    public Plots.SweepFigure plot(String title, String xColumn, String... groupBy) {
        Plots.SweepFigure figure = Plots.sweep(title, xColumn);
        for (Curve c : curves(xColumn, groupBy)) {
            figure.curve(c.name(), c.x(), c.mean(), c.std());
        }
        return figure;
    }

    /**
     * This result and another as one, e.g. the single-point sweeps of a curve whose width and k
     * change together (Figure 5) for {@link #curves} and {@link #plot}.
     *
     * @param other another sweep's result
     * @return both sweeps' runs, this one's first; planned, trained and reused counts added
     */
    public SweepResult and(SweepResult other) {
        List<RunRecord> both = new ArrayList<>(records);
        both.addAll(other.records);
        return new SweepResult(
                both,
                planned + other.planned,
                interrupted || other.interrupted,
                trained + other.trained,
                reused + other.reused);
    }

    /**
     * @return e.g. "12 of 24 planned runs: 10 finished, 1 failed, 1 interrupted"
     */
    public String summary() {
        Map<RunStatus, Integer> counts = new LinkedHashMap<>();
        for (RunStatus s : RunStatus.values()) {
            counts.put(s, 0);
        }
        records.forEach(r -> counts.merge(r.status(), 1, Integer::sum));
        StringBuilder sb = new StringBuilder();
        sb.append(records.size()).append(" of ").append(planned).append(" planned runs: ");
        List<String> parts = new ArrayList<>();
        counts.forEach(
                (s, n) -> {
                    if (n > 0) {
                        parts.add(n + " " + s.columnValue());
                    }
                });
        sb.append(parts.isEmpty() ? "none" : String.join(", ", parts));
        if (interrupted) {
            sb.append(" (stopped by an interrupt)");
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return summary() + System.lineSeparator() + aggregate.print();
    }

    private static Map<String, Object> bundle(SweepResult r) {
        Map<String, Object> bundle = new LinkedHashMap<>();
        bundle.put(
                Renderers.TEXT_HTML,
                "<p>"
                        + escape(r.summary())
                        + "</p>"
                        + Renderers.render(r.aggregate).get(Renderers.TEXT_HTML)
                        + Renderers.render(r.runs).get(Renderers.TEXT_HTML));
        bundle.put(Renderers.TEXT_PLAIN, r.toString());
        return bundle;
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    private static Table runsTable(List<RunRecord> records) {
        Table t = configurationColumns("Runs", records.stream().map(RunRecord::config).toList());
        t.addColumns(
                LongColumn.create(
                        WEIGHT_SEED,
                        records.stream().mapToLong(r -> r.config().spec().weightSeed()).toArray()),
                LongColumn.create(
                        SCORE_SEED,
                        records.stream().mapToLong(r -> r.config().spec().scoreSeed()).toArray()),
                LongColumn.create(
                        DATA_SEED,
                        records.stream().mapToLong(r -> r.config().dataSeed()).toArray()),
                StringColumn.create(STATUS, records.stream().map(r -> r.status().columnValue())),
                IntColumn.create(
                        EPOCHS_DONE,
                        records.stream().mapToInt(RunRecord::completedEpochs).toArray()),
                DoubleColumn.create(
                        TEST_ACC,
                        records.stream().mapToDouble(RunRecord::finalTestAccuracy).toArray()),
                DoubleColumn.create(
                        KEPT, records.stream().mapToDouble(RunRecord::keptFraction).toArray()),
                DoubleColumn.create(
                        SECONDS, records.stream().mapToDouble(RunRecord::wallSeconds).toArray()),
                DoubleColumn.create(
                        IMAGES_PER_SECOND,
                        records.stream().mapToDouble(RunRecord::imagesPerSecond).toArray()),
                StringColumn.create(KEY, records.stream().map(RunRecord::key)));
        Format.PERCENT.on(t, TEST_ACC);
        Format.FRACTION.on(t, KEPT);
        Format.decimals(1).on(t, SECONDS);
        Format.COUNT.on(t, IMAGES_PER_SECOND);
        return t;
    }

    private static Table aggregateTable(List<RunRecord> records) {
        Map<String, List<RunRecord>> groups = new LinkedHashMap<>();
        for (RunRecord r : records) {
            if (r.status() == RunStatus.FINISHED) {
                groups.computeIfAbsent(r.config().keyWithoutSeeds(), k -> new ArrayList<>()).add(r);
            }
        }
        List<RunConfig> configs = new ArrayList<>();
        int[] seeds = new int[groups.size()];
        double[] mean = new double[groups.size()];
        double[] std = new double[groups.size()];
        double[] kept = new double[groups.size()];
        int g = 0;
        for (List<RunRecord> group : groups.values()) {
            configs.add(group.get(0).config());
            double[] acc = group.stream().mapToDouble(RunRecord::finalTestAccuracy).toArray();
            seeds[g] = acc.length;
            mean[g] = mean(acc);
            std[g] = sampleStd(acc);
            kept[g] = mean(group.stream().mapToDouble(RunRecord::keptFraction).toArray());
            g++;
        }
        Table t = configurationColumns("Mean and standard deviation over seeds", configs);
        t.addColumns(
                IntColumn.create(SEEDS, seeds),
                DoubleColumn.create(TEST_ACC_MEAN, mean),
                DoubleColumn.create(TEST_ACC_STD, std),
                DoubleColumn.create(KEPT_MEAN, kept));
        Format.PERCENT.on(t, TEST_ACC_MEAN);
        Format.PERCENT.missing("n = 1").on(t, TEST_ACC_STD);
        Format.FRACTION.on(t, KEPT_MEAN);
        return t;
    }

    /** The columns that describe a configuration up to its seeds. */
    private static Table configurationColumns(String name, List<RunConfig> configs) {
        List<NetSpec> specs = configs.stream().map(RunConfig::spec).toList();
        Table t =
                Table.create(
                        name,
                        StringColumn.create(
                                APPROACH,
                                configs.stream()
                                        .map(
                                                c ->
                                                        Approach.of(c.spec().method(), c.recipe())
                                                                .label())),
                        StringColumn.create(NET, specs.stream().map(NetSpec::arch)),
                        DoubleColumn.create(
                                WIDTH, specs.stream().mapToDouble(NetSpec::width).toArray()),
                        DoubleColumn.create(K, specs.stream().mapToDouble(NetSpec::keep).toArray()),
                        StringColumn.create(
                                INIT,
                                specs.stream().map(s -> s.init().name().toLowerCase(Locale.ROOT))),
                        StringColumn.create(RECIPE, configs.stream().map(c -> c.recipe().name())),
                        DoubleColumn.create(
                                LR, configs.stream().mapToDouble(c -> c.recipe().lr()).toArray()),
                        IntColumn.create(
                                EPOCHS,
                                configs.stream().mapToInt(c -> c.recipe().epochs()).toArray()),
                        StringColumn.create(
                                DATA, configs.stream().map(c -> c.trainSet() + ", " + c.testSet())),
                        StringColumn.create(
                                CONFIG,
                                configs.stream().map(c -> c.keyWithoutSeeds().substring(0, 12))));
        return Format.GENERAL.on(t, WIDTH, K, LR);
    }

    private static double mean(double[] v) {
        return Arrays.stream(v).sum() / v.length;
    }

    /** Sample standard deviation (n - 1), as the paper's error bars; NaN for a single value. */
    private static double sampleStd(double[] v) {
        if (v.length < 2) {
            return Double.NaN;
        }
        double m = mean(v);
        double ss = 0;
        for (double x : v) {
            ss += (x - m) * (x - m);
        }
        return Math.sqrt(ss / (v.length - 1));
    }
}
