package dev.edgepopup.display;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgepopup.data.Datasets;
import dev.edgepopup.nn.Net;
import dev.edgepopup.nn.Nets;
import dev.edgepopup.train.History;
import dev.edgepopup.train.Recipe;
import dev.edgepopup.train.Training;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.knowm.xchart.XYChart;
import tech.tablesaw.api.Table;

class LibraryDisplayTest {
    @AfterEach
    void detach() {
        Display.setSink(null);
    }

    @Test
    void historyNetAndPlotsRenderAsHtmlAndPng() {
        Datasets.Data d = Datasets.fashionMnist().limit(1000, 300);
        try (Net net = Nets.fc().seed(1).build()) {
            Map<String, Object> layers = Renderers.render(net);
            assertTrue(layers.get(Renderers.TEXT_HTML).toString().contains("fc1"));
            String layerHtml = layers.get(Renderers.TEXT_HTML).toString();
            assertTrue(layerHtml.contains("<td>235,200</td>"), layerHtml);
            assertTrue(
                    layerHtml.contains("<td>117,600</td>") && layerHtml.contains("<td>0.5000</td>"),
                    layerHtml);
            assertTrue(
                    layerHtml.contains("fc, width 1, edge-popup, k = 0.5, signed_kaiming_constant"),
                    layerHtml);

            History h =
                    Training.of(net, d.train(), d.test())
                            .recipe(Recipe.CIFAR10_EDGE_POPUP.epochs(2))
                            .run();
            Table t = Tables.history(h);
            assertEquals(2, t.rowCount());
            assertEquals(h.finalTestAccuracy(), t.doubleColumn("test acc").get(1));
            String historyHtml = Renderers.render(h).get(Renderers.TEXT_HTML).toString();
            assertTrue(historyHtml.contains("<caption"), historyHtml);
            assertTrue(
                    historyHtml.contains(
                            "<td>" + Format.PERCENT.format(h.finalTestAccuracy()) + "</td>"),
                    historyHtml);

            XYChart c = Plots.accuracyVsEpoch(List.of(h, h));
            assertEquals(2, c.getSeriesMap().size());
            XYChart s =
                    Plots.sweep("Figure 3", "k")
                            .curve(
                                    "conv4",
                                    new double[] {0.3, 0.5},
                                    new double[] {0.8, 0.85},
                                    new double[] {0.01, 0.02})
                            .baseline("dense", 0.86)
                            .chart();
            assertEquals(2, s.getSeriesMap().size());
            String png = (String) Renderers.render(s).get(Renderers.IMAGE_PNG);
            assertTrue(java.util.Base64.getDecoder().decode(png).length > 1000);
        }
    }

    private static java.util.function.LongSupplier tenthOfASecondPerBatch() {
        long[] now = {0};
        return () -> now[0] += 100_000_000L;
    }

    @Test
    void progressUpdatesOneDisplayAndEndsWithTheHistory() {
        List<String> events = new ArrayList<>();
        List<Object> last = new ArrayList<>();
        Display.setSink(
                new Display.Sink() {
                    @Override
                    public void show(Object value, String id) {
                        events.add("show " + id);
                        last.add(value);
                    }

                    @Override
                    public void update(Object value, String id) {
                        events.add("update " + id);
                        last.add(value);
                    }
                });
        Datasets.Data d = Datasets.fashionMnist().limit(2000, 300);
        try (Net net = Nets.fc().seed(1).build()) {
            Training.of(net, d.train(), d.test())
                    .recipe(Recipe.CIFAR10_EDGE_POPUP.epochs(2).batchSize(20))
                    .listener(new Progress(tenthOfASecondPerBatch()))
                    .run();
        }
        assertEquals(1, events.stream().filter(e -> e.startsWith("show")).count());
        String id = events.get(0).substring(5);
        assertTrue(events.stream().allMatch(e -> e.endsWith(id)), "one display id throughout");
        // 200 batches 0.1 s apart: an update every 0.5 s (every 5th batch) and at each epoch's
        // last batch, then the final table: 1 show, 20 + 20 updates, 1 final update.
        assertEquals(42, events.size(), events.toString());
        assertTrue(
                last.get(0).toString().startsWith("epoch 1/2 batch 1/100"), last.get(0).toString());
        assertTrue(last.get(last.size() - 1) instanceof Table);
    }

    @Test
    void aSwapCheckTableShowsRatesAsPercentagesAndNothingSwappedAsADash() {
        Table t =
                Tables.swapCheck(
                        "FC, k = 0.5",
                        List.of(
                                new dev.edgepopup.train.SwapCheck.Result(
                                        0.01, 40, 20, 19, 3.25, 8, 8, 9),
                                new dev.edgepopup.train.SwapCheck.Result(
                                        0.001, 40, 0, 0, 0, 0, 0, 0)));
        String html = Renderers.render(t).get(Renderers.TEXT_HTML).toString();
        assertTrue(html.contains("<caption") && html.contains("FC, k = 0.5"), html);
        // 19 of 20 swapping steps, 8 of 8 within one layer, 9 of 20 random swaps.
        assertTrue(
                html.contains("<td>95.0%</td>")
                        && html.contains("<td>100.0%</td>")
                        && html.contains("<td>45.0%</td>"),
                html);
        assertEquals(3, html.split("<td>-</td>", -1).length - 1, html);
        assertEquals(0.95, t.doubleColumn("lower loss").get(0), 1e-12);
    }
}
