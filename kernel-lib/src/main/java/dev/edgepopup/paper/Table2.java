package dev.edgepopup.paper;

import dev.edgepopup.data.ImageSource;
import dev.edgepopup.display.Format;
import dev.edgepopup.init.Init;
import dev.edgepopup.nn.Method;
import dev.edgepopup.nn.Net;
import dev.edgepopup.nn.NetSpec;
import dev.edgepopup.store.RunRecord;
import dev.edgepopup.store.RunStatus;
import dev.edgepopup.sweep.SweepResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.ToDoubleFunction;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * The paper's Table 2 (ImageNet, k = 0.3) with a run's rows beneath it:
 *
 * <pre>{@code
 * Table2.of(bigger, dense).source("this run, stand-in").top5(folders.val(), 256).table()
 * }</pre>
 *
 * <p>The paper's rows come from {@link Paper#TABLE2}. Each edge-popup configuration (net, width, k)
 * of the first sweep gives one row: the subnetwork's size, top-1 of its Kaiming normal (N_k) and of
 * its signed Kaiming constant (U_k) runs, each the mean over finished seeds, and, when {@link
 * #top5} names the validation data, the U_k subnetworks' top-5, evaluated again from the
 * subnetworks the run store kept (the store keeps top-1 only). Each dense configuration (net,
 * width) of the second sweep gives a row with all its weights and its learned top-1.
 */
public final class Table2 {
    /** Column: where the row comes from. */
    public static final String SOURCE = "source";

    /** Column: the network and how its weights were found. */
    public static final String NETWORK = "network";

    /** Column: the subnetwork's size (a dense network: all its weights), in millions. */
    public static final String WEIGHTS = "weights (M)";

    /** Column: top-1 of the subnetwork of Kaiming normal weights. */
    public static final String TOP1_NK = "top-1 N_k";

    /**
     * Column: top-1 of the subnetwork of signed Kaiming constant weights, or of learned weights.
     */
    public static final String TOP1_UK = "top-1 U_k (dense: learned)";

    /** Column: top-5 of the subnetwork of signed Kaiming constant weights. */
    public static final String TOP5_UK = "top-5 U_k";

    private final List<RunRecord> subnetworks;
    private final List<RunRecord> dense;
    private final String source;
    private final ImageSource validation;
    private final int batchSize;

    private Table2(
            List<RunRecord> subnetworks,
            List<RunRecord> dense,
            String source,
            ImageSource validation,
            int batchSize) {
        this.subnetworks = subnetworks;
        this.dense = dense;
        this.source = source;
        this.validation = validation;
        this.batchSize = batchSize;
    }

    /**
     * Starts the table from a run's sweeps.
     *
     * @param subnetworks edge-popup runs with N_k and U_k weights
     * @param dense dense runs with learned weights
     * @return the builder; the run's rows are labelled "this run" unless {@link #source} says
     *     otherwise
     * @throws IllegalArgumentException if a run is of the wrong method or distribution
     */
    public static Table2 of(SweepResult subnetworks, SweepResult dense) {
        List<RunRecord> popup = finished(subnetworks);
        for (RunRecord r : popup) {
            NetSpec s = r.config().spec();
            if (s.method() != Method.EDGE_POPUP
                    || (s.init() != Init.KAIMING_NORMAL
                            && s.init() != Init.SIGNED_KAIMING_CONSTANT)) {
                throw new IllegalArgumentException(
                        "Table 2's subnetworks are edge-popup runs with "
                                + "KAIMING_NORMAL or SIGNED_KAIMING_CONSTANT weights; got a "
                                + s.method().label()
                                + " run with "
                                + s.init()
                                + " ("
                                + s.arch()
                                + ")");
            }
        }
        List<RunRecord> learned = finished(dense);
        for (RunRecord r : learned) {
            if (r.config().spec().method() != Method.DENSE) {
                throw new IllegalArgumentException(
                        "Table 2's learned networks are dense runs; got a "
                                + r.config().spec().method().label()
                                + " run of "
                                + r.config().spec().arch());
            }
        }
        return new Table2(popup, learned, "this run", null, 0);
    }

    private static List<RunRecord> finished(SweepResult r) {
        return r.records().stream().filter(x -> x.status() == RunStatus.FINISHED).toList();
    }

    /**
     * @param name what the run's rows say in the source column, e.g. "this run, stand-in"
     * @return the builder with that label
     */
    public Table2 source(String name) {
        return new Table2(
                subnetworks, dense, Objects.requireNonNull(name, "name"), validation, batchSize);
    }

    /**
     * Evaluates top-5 of every U_k subnetwork on the validation data when the table is built.
     *
     * @param data the validation data the runs were tested on
     * @param batch examples per forward pass
     * @return the builder with top-5
     */
    public Table2 top5(ImageSource data, int batch) {
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be >= 1, got " + batch);
        }
        return new Table2(subnetworks, dense, source, Objects.requireNonNull(data, "data"), batch);
    }

    /** One row in the making. */
    private record Row(
            String source, String network, double weights, double nk, double uk, double top5) {}

    /**
     * Builds the table, evaluating top-5 if asked.
     *
     * @return the paper's rows, then the subnetworks, then the learned networks; accuracies as
     *     percentages (blank where not run), sizes in millions
     */
    public Table table() {
        List<Row> rows = new ArrayList<>();
        for (Paper.ImageNetResult p : Paper.TABLE2) {
            rows.add(
                    new Row(
                            "paper, ImageNet",
                            p.network(),
                            p.weights() / 1e6,
                            p.kaimingNormal(),
                            p.top1(),
                            Double.NaN));
        }
        for (List<RunRecord> group : groups(subnetworks, true).values()) {
            NetSpec s = group.get(0).config().spec();
            List<RunRecord> nk =
                    group.stream()
                            .filter(r -> r.config().spec().init() == Init.KAIMING_NORMAL)
                            .toList();
            List<RunRecord> uk =
                    group.stream()
                            .filter(r -> r.config().spec().init() == Init.SIGNED_KAIMING_CONSTANT)
                            .toList();
            double kept = Math.round(group.get(0).keptFraction() * s.weightCount());
            rows.add(
                    new Row(
                            source,
                            name(s) + ", edge-popup k = " + Format.GENERAL.format(s.keep()),
                            kept / 1e6,
                            mean(nk, RunRecord::finalTestAccuracy),
                            mean(uk, RunRecord::finalTestAccuracy),
                            validation == null ? Double.NaN : mean(uk, this::top5)));
        }
        for (List<RunRecord> group : groups(dense, false).values()) {
            NetSpec s = group.get(0).config().spec();
            rows.add(
                    new Row(
                            source,
                            name(s) + ", learned (dense)",
                            s.weightCount() / 1e6,
                            Double.NaN,
                            mean(group, RunRecord::finalTestAccuracy),
                            Double.NaN));
        }
        Table t =
                Table.create(
                        "Table 2: ImageNet top-1 (and top-5) at k = 0.3; "
                                + Paper.IMAGENET_SOURCE
                                + " for the paper's rows",
                        StringColumn.create(SOURCE, rows.stream().map(Row::source)),
                        StringColumn.create(NETWORK, rows.stream().map(Row::network)),
                        DoubleColumn.create(WEIGHTS, rows.stream().mapToDouble(Row::weights)),
                        DoubleColumn.create(TOP1_NK, rows.stream().mapToDouble(Row::nk)),
                        DoubleColumn.create(TOP1_UK, rows.stream().mapToDouble(Row::uk)),
                        DoubleColumn.create(TOP5_UK, rows.stream().mapToDouble(Row::top5)));
        Format.pattern("millions", "#,##0.0##").on(t, WEIGHTS);
        // Two decimals where the paper gives them (66.15%), one otherwise.
        return Format.pattern("percent", "0.0#%").on(t, TOP1_NK, TOP1_UK, TOP5_UK);
    }

    /** Runs by configuration, in order of first appearance: net, width and (subnetworks) k. */
    private static Map<String, List<RunRecord>> groups(List<RunRecord> runs, boolean byK) {
        Map<String, List<RunRecord>> groups = new LinkedHashMap<>();
        for (RunRecord r : runs) {
            NetSpec s = r.config().spec();
            String key = s.arch() + " " + s.width() + (byK ? " " + s.keep() : "");
            groups.computeIfAbsent(key, k -> new ArrayList<>()).add(r);
        }
        return groups;
    }

    private static String name(NetSpec s) {
        return s.arch() + (s.width() == 1 ? "" : " width " + Format.GENERAL.format(s.width()));
    }

    private static double mean(List<RunRecord> runs, ToDoubleFunction<RunRecord> value) {
        return runs.stream().mapToDouble(value).average().orElse(Double.NaN);
    }

    private double top5(RunRecord run) {
        try (Net net = run.subnetwork().toNet()) {
            return net.accuracies(validation, batchSize).top5();
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "the stored subnetwork of run " + run.key() + " is unreadable", e);
        }
    }
}
