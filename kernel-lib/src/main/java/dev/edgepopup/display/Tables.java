package dev.edgepopup.display;

import dev.edgepopup.nn.LayerInfo;
import dev.edgepopup.nn.Net;
import dev.edgepopup.nn.NetSpec;
import dev.edgepopup.train.EpochRecord;
import dev.edgepopup.train.History;
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
        Table t = Table.create(Plots.label(h) + ", " + h.recipe().name() + ", "
                        + h.computeLabel() + (h.interrupted() ? " (interrupted)" : ""),
                IntColumn.create("epoch", rows.stream().mapToInt(EpochRecord::epoch).toArray()),
                DoubleColumn.create("train loss",
                        rows.stream().mapToDouble(EpochRecord::trainLoss).toArray()),
                DoubleColumn.create("train acc",
                        rows.stream().mapToDouble(EpochRecord::trainAccuracy).toArray()),
                DoubleColumn.create("test acc",
                        rows.stream().mapToDouble(EpochRecord::testAccuracy).toArray()),
                DoubleColumn.create("lr", rows.stream().mapToDouble(EpochRecord::lr).toArray()),
                DoubleColumn.create("seconds",
                        rows.stream().mapToDouble(EpochRecord::seconds).toArray()),
                DoubleColumn.create("images/s",
                        rows.stream().mapToDouble(EpochRecord::imagesPerSecond).toArray()),
                BooleanColumn.create("complete",
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
        Table t = Table.create(s.arch() + ", width " + Format.GENERAL.format(s.width()) + ", "
                        + s.method().label() + ", k = " + Format.GENERAL.format(s.keep()) + ", "
                        + s.init().name().toLowerCase(Locale.ROOT),
                StringColumn.create("layer", rows.stream().map(LayerInfo::name)),
                StringColumn.create("shape", rows.stream().map(LayerInfo::shape)),
                LongColumn.create("weights", rows.stream().mapToLong(LayerInfo::weights).toArray()),
                DoubleColumn.create("kept", rows.stream().mapToDouble(LayerInfo::kept).toArray()),
                DoubleColumn.create("kept fraction",
                        rows.stream().mapToDouble(LayerInfo::keptFraction).toArray()));
        Format.COUNT.on(t, "weights", "kept");
        Format.FRACTION.on(t, "kept fraction");
        return t;
    }
}
