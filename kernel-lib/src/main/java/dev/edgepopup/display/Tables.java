package dev.edgepopup.display;

import dev.edgepopup.nn.LayerInfo;
import dev.edgepopup.nn.Net;
import dev.edgepopup.nn.NetSpec;
import dev.edgepopup.train.EpochRecord;
import dev.edgepopup.train.History;
import dev.edgepopup.train.SwapCheck;
import java.util.List;
import java.util.Locale;
import tech.tablesaw.api.BooleanColumn;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * The library's results as Tablesaw tables, ready to filter, join, plot or render. Numbers keep
 * their values and print formatted ({@link Format}): accuracies as percentages, counts with
 * thousands separators.
 */
public final class Tables {
    private Tables() {}

    /**
     * A run's per-epoch history.
     *
     * @param h the history
     * @return columns epoch, train loss, train acc, test acc, lr, seconds, images/s, complete
     */
    public static Table history(History h) {
        List<EpochRecord> rows = h.epochs();
        Table t =
                Table.create(
                        Plots.label(h)
                                + ", "
                                + h.recipe().name()
                                + ", "
                                + h.precisionAndLayout()
                                + (h.interrupted() ? " (interrupted)" : ""),
                        IntColumn.create(
                                "epoch", rows.stream().mapToInt(EpochRecord::epoch).toArray()),
                        DoubleColumn.create(
                                "train loss",
                                rows.stream().mapToDouble(EpochRecord::trainLoss).toArray()),
                        DoubleColumn.create(
                                "train acc",
                                rows.stream().mapToDouble(EpochRecord::trainAccuracy).toArray()),
                        DoubleColumn.create(
                                "test acc",
                                rows.stream().mapToDouble(EpochRecord::testAccuracy).toArray()),
                        DoubleColumn.create(
                                "lr", rows.stream().mapToDouble(EpochRecord::lr).toArray()),
                        DoubleColumn.create(
                                "seconds",
                                rows.stream().mapToDouble(EpochRecord::seconds).toArray()),
                        DoubleColumn.create(
                                "images/s",
                                rows.stream().mapToDouble(EpochRecord::imagesPerSecond).toArray()),
                        BooleanColumn.create(
                                "complete",
                                rows.stream().map(EpochRecord::complete).toArray(Boolean[]::new)));
        Format.decimals(4).on(t, "train loss");
        Format.PERCENT.on(t, "train acc", "test acc");
        Format.GENERAL.on(t, "lr");
        Format.decimals(1).on(t, "seconds");
        Format.COUNT.on(t, "images/s");
        return t;
    }

    /**
     * A network's layer table.
     *
     * @param net the network
     * @return columns layer, shape, weights, kept, kept fraction
     */
    public static Table layers(Net net) {
        List<LayerInfo> rows = net.layerTable();
        NetSpec s = net.spec();
        Table t =
                Table.create(
                        s.arch()
                                + ", width "
                                + Format.GENERAL.format(s.width())
                                + ", "
                                + s.method().label()
                                + ", k = "
                                + Format.GENERAL.format(s.keep())
                                + ", "
                                + s.init().name().toLowerCase(Locale.ROOT),
                        StringColumn.create("layer", rows.stream().map(LayerInfo::name)),
                        StringColumn.create("shape", rows.stream().map(LayerInfo::shape)),
                        LongColumn.create(
                                "weights", rows.stream().mapToLong(LayerInfo::weights).toArray()),
                        DoubleColumn.create(
                                "kept", rows.stream().mapToDouble(LayerInfo::kept).toArray()),
                        DoubleColumn.create(
                                "kept fraction",
                                rows.stream().mapToDouble(LayerInfo::keptFraction).toArray()));
        Format.COUNT.on(t, "weights", "kept");
        Format.FRACTION.on(t, "kept fraction");
        return t;
    }

    /**
     * What {@link SwapCheck} found, one row per step size: how often a step swapped edges, how
     * many, and how often that lowered the mini-batch loss, for all swapping steps, for those
     * within one layer (Theorem 1's setting) and for the control of as many random swaps.
     *
     * @param title the table's caption, e.g. "FC 784-300-100-10, k = 0.5"
     * @param results one result per step size
     * @return the table
     */
    public static Table swapCheck(String title, List<SwapCheck.Result> results) {
        Table t =
                Table.create(
                        title,
                        DoubleColumn.create(
                                "step size", results.stream().mapToDouble(SwapCheck.Result::lr)),
                        IntColumn.create(
                                "steps",
                                results.stream().mapToInt(SwapCheck.Result::steps).toArray()),
                        IntColumn.create(
                                "steps with swaps",
                                results.stream().mapToInt(SwapCheck.Result::withSwaps).toArray()),
                        DoubleColumn.create(
                                "edges swapped in per step",
                                results.stream().mapToDouble(SwapCheck.Result::meanSwaps)),
                        DoubleColumn.create(
                                "lower loss",
                                results.stream().mapToDouble(SwapCheck.Result::fractionDecreased)),
                        IntColumn.create(
                                "steps within one layer",
                                results.stream().mapToInt(SwapCheck.Result::oneLayer).toArray()),
                        DoubleColumn.create(
                                "lower loss, one layer",
                                results.stream()
                                        .mapToDouble(SwapCheck.Result::fractionOneLayerDecreased)),
                        DoubleColumn.create(
                                "lower loss, random swaps",
                                results.stream()
                                        .mapToDouble(SwapCheck.Result::fractionRandomDecreased)));
        Format.GENERAL.on(t, "step size");
        Format.decimals(1).on(t, "edges swapped in per step");
        Format.PERCENT
                .missing("-")
                .on(t, "lower loss", "lower loss, one layer", "lower loss, random swaps");
        return t;
    }
}
