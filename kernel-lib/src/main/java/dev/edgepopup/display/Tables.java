package dev.edgepopup.display;

import dev.edgepopup.nn.LayerInfo;
import dev.edgepopup.nn.Net;
import dev.edgepopup.train.EpochRecord;
import dev.edgepopup.train.History;
import java.util.List;
import tech.tablesaw.api.BooleanColumn;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.numbers.NumberColumnFormatter;

/** The library's results as Tablesaw tables, ready to filter, join, plot or render. */
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
        digits(t, 4, "train loss", "train acc", "test acc");
        digits(t, 1, "seconds");
        digits(t, 0, "images/s");
        t.doubleColumn("lr").setPrintFormatter(
                new NumberColumnFormatter(new java.text.DecimalFormat("0.#####E0")));
        return t;
    }

    private static void digits(Table t, int places, String... columns) {
        for (String c : columns) {
            t.doubleColumn(c).setPrintFormatter(NumberColumnFormatter.fixedWithGrouping(places));
        }
    }

    /**
     * A network's layer table.
     *
     * @param net the network
     * @return columns layer, shape, weights, kept, kept fraction
     */
    public static Table layers(Net net) {
        List<LayerInfo> rows = net.layerTable();
        Table t = Table.create(net.spec().arch() + " width " + net.spec().width() + ", "
                        + net.spec().method() + ", k=" + net.spec().keep() + ", "
                        + net.spec().init(),
                StringColumn.create("layer", rows.stream().map(LayerInfo::name)),
                StringColumn.create("shape", rows.stream().map(LayerInfo::shape)),
                LongColumn.create("weights", rows.stream().mapToLong(LayerInfo::weights).toArray()),
                DoubleColumn.create("kept", rows.stream().mapToDouble(LayerInfo::kept).toArray()),
                DoubleColumn.create("kept fraction",
                        rows.stream().mapToDouble(LayerInfo::keptFraction).toArray()));
        digits(t, 0, "kept");
        digits(t, 4, "kept fraction");
        return t;
    }
}
