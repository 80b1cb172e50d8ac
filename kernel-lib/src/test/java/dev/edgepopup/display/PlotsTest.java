package dev.edgepopup.display;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * The figures' rules: error bars only for several seeds, the legend outside the plot, readable
 * ticks, lines across the curves, references apart. Each figure is also written to
 * target/figures/NAME.png, to look at.
 */
class PlotsTest {
    private static final double NAN = Double.NaN;
    private static final double[] KS = {0.1, 0.3, 0.5, 0.7, 0.9};

    /** Draws the chart as a notebook would, keeps the PNG and returns the image. */
    static BufferedImage draw(Chart<?, ?> chart, String name) throws Exception {
        Path dir = Path.of("target", "figures");
        Files.createDirectories(dir);
        BitmapEncoder.saveBitmap(
                chart, dir.resolve(name).toString(), BitmapEncoder.BitmapFormat.PNG);
        return BitmapEncoder.getBufferedImage(chart);
    }

    private static Plots.SweepFigure figure3() {
        return Plots.sweep("Conv4: subnetworks of random weights", "k (fraction of weights kept)")
                .baseline("learned conv4 dense-sgd", 0.86)
                .curve(
                        "edge-popup, conv4 U_k",
                        KS,
                        new double[] {0.71, 0.83, 0.855, 0.84, 0.62},
                        new double[] {0.01, 0.006, 0.004, 0.005, 0.02})
                .curve(
                        "edge-popup, conv4 N_k",
                        KS,
                        new double[] {0.65, 0.80, 0.84, 0.80, 0.55},
                        new double[] {NAN, NAN, NAN, NAN, NAN})
                .baseline("learned conv4 dense-adam", 0.80)
                .reference(
                        Plots.Reference.point(
                                "paper (CIFAR-10): conv4 edge-popup, k = 0.5", 0.5, 0.86),
                        Plots.Reference.line("paper (CIFAR-10): conv4 learned dense", 0.865));
    }

    @Test
    void errorBarsOnlyWhereSeveralSeedsFinished() throws Exception {
        XYChart c = figure3().chart();
        draw(c, "figure3-k");
        assertArrayEquals(
                new double[] {0.01, 0.006, 0.004, 0.005, 0.02},
                c.getSeriesMap().get("edge-popup, conv4 U_k").getExtraValues());
        assertNull(
                c.getSeriesMap().get("edge-popup, conv4 N_k").getExtraValues(),
                "one seed: no bars");
        XYChart mixed =
                Plots.sweep("mixed", "width")
                        .curve(
                                "conv4",
                                new double[] {0.5, 1},
                                new double[] {0.6, 0.7},
                                new double[] {NAN, 0.02})
                        .chart();
        assertArrayEquals(
                new double[] {0, 0.02}, mixed.getSeriesMap().get("conv4").getExtraValues());
        XYChart rates =
                Plots.sweep("rates", "log10(step size)")
                        .curve("FC", new double[] {-2, -1}, new double[] {0.95, 0.9})
                        .chart();
        assertNull(
                rates.getSeriesMap().get("FC").getExtraValues(),
                "values without a spread: no bars");
        assertArrayEquals(new double[] {0.95, 0.9}, rates.getSeriesMap().get("FC").getYData());
    }

    @Test
    void theLegendSitsBelowThePlotAndWrapsWhenItIsLong() throws Exception {
        XYChart longLegend = figure3().chart();
        draw(longLegend, "figure3-k");
        assertEquals(Styler.LegendPosition.OutsideS, longLegend.getStyler().getLegendPosition());
        assertEquals(Styler.LegendLayout.Vertical, longLegend.getStyler().getLegendLayout());
        XYChart shortLegend =
                Plots.sweep("Going wider", "width multiplier")
                        .curve(
                                "conv4",
                                new double[] {0.5, 1, 2},
                                new double[] {0.6, 0.7, 0.72},
                                new double[] {0.01, 0.02, 0.01})
                        .curve(
                                "conv6",
                                new double[] {0.5, 1, 2},
                                new double[] {0.62, 0.71, 0.75},
                                new double[] {0.01, 0.02, 0.01})
                        .reference(
                                List.of(
                                        Plots.Reference.point(
                                                "paper (CIFAR-10): conv4, width 1", 1, 0.86)))
                        .chart();
        draw(shortLegend, "figure4-width");
        assertEquals(Styler.LegendPosition.OutsideS, shortLegend.getStyler().getLegendPosition());
        assertEquals(Styler.LegendLayout.Horizontal, shortLegend.getStyler().getLegendLayout());
    }

    @Test
    void ticksAreReadable() throws Exception {
        XYChart acc = figure3().chart();
        assertEquals("86.5%", acc.getStyler().getyAxisTickLabelsFormattingFunction().apply(0.865));
        assertEquals("7%", acc.getStyler().getyAxisTickLabelsFormattingFunction().apply(0.07));
        assertEquals("0.07", acc.getStyler().getxAxisTickLabelsFormattingFunction().apply(0.07));
        // A k axis runs from 0 to 1.
        assertEquals(0.0, acc.getStyler().getXAxisMin());
        assertEquals(1.0, acc.getStyler().getXAxisMax());
        // Values outside [0, 1] are not accuracies: plain numbers.
        XYChart counts = Plots.sweep("Subnetworks", "k").chart();
        counts.setYAxisTitle("log10(number of subnetworks)");
        counts.addSeries("FC", KS, new double[] {30_000, 70_000, 80_000, 70_000, 30_000});
        draw(counts, "counts-not-accuracy");
        assertEquals(
                "80,000",
                counts.getStyler().getyAxisTickLabelsFormattingFunction().apply(80_000.0));
        XYChart width = Plots.sweep("w", "width").chart();
        assertNull(width.getStyler().getXAxisMin(), "only a k axis is fixed");
    }

    @Test
    void linesSpanTheOtherSeriesWhateverTheOrderAndTheDataHasRoom() throws Exception {
        Plots.SweepFigure f = Plots.sweep("widths", "width").baseline("learned", 0.8);
        f.curve("conv4", new double[] {0.25, 2}, new double[] {0.6, 0.7}, new double[] {NAN, NAN});
        XYChart c = f.chart();
        // Added straight to the chart after chart(): the line still follows at the next drawing.
        c.addSeries("conv6", new double[] {0.125, 4}, new double[] {0.55, 0.75});
        draw(c, "lines-span");
        assertArrayEquals(new double[] {0.125, 4}, c.getSeriesMap().get("learned").getXData());
        // 5% of the data's range is left free above and below (0.55 to 0.8 here), unless set.
        assertEquals(0.55 - 0.0125, c.getStyler().getYAxisMin(), 1e-12);
        assertEquals(0.8 + 0.0125, c.getStyler().getYAxisMax(), 1e-12);
        c.getStyler().setYAxisMin(0.0);
        draw(c, "lines-span");
        assertEquals(0.0, c.getStyler().getYAxisMin());
        assertEquals(0.8 + 0.0125, c.getStyler().getYAxisMax(), 1e-12);
        // Accuracies stay within [0, 1]: no 105% tick.
        XYChart full =
                Plots.sweep("Theorem 1", "step size")
                        .curve(
                                "FC",
                                new double[] {0.01, 0.1},
                                new double[] {0.5, 1.0},
                                new double[] {NAN, NAN})
                        .chart();
        draw(full, "unit-range");
        assertEquals(1.0, full.getStyler().getYAxisMax());
        assertEquals(0.475, full.getStyler().getYAxisMin(), 1e-12);
        // On a fixed k axis they span the axis.
        assertArrayEquals(
                new double[] {0, 1},
                figure3().chart().getSeriesMap().get("learned conv4 dense-sgd").getXData());
    }

    @Test
    void referencesAreMarkersOrLinesApartFromTheData() {
        XYChart c = figure3().chart();
        XYSeries point = c.getSeriesMap().get("paper (CIFAR-10): conv4 edge-popup, k = 0.5");
        assertEquals(XYSeries.XYSeriesRenderStyle.Scatter, point.getXYSeriesRenderStyle());
        assertArrayEquals(new double[] {0.5}, point.getXData());
        XYSeries line = c.getSeriesMap().get("paper (CIFAR-10): conv4 learned dense");
        assertArrayEquals(new double[] {0.865, 0.865}, line.getYData());
        assertThrows(IllegalArgumentException.class, () -> Plots.Reference.point("p", NAN, 0.5));
        assertThrows(IllegalArgumentException.class, () -> Plots.Reference.line("p", NAN));
    }

    @Test
    void barsGroupSeriesAndDrawNoBarForOneSeed() throws Exception {
        Table t =
                Table.create(
                        "aggregate",
                        StringColumn.create(
                                "approach",
                                "edge-popup",
                                "zhou",
                                "edge-popup",
                                "zhou",
                                "edge-popup"),
                        StringColumn.create("net", "conv2", "conv2", "conv4", "conv4", "conv6"),
                        StringColumn.create(
                                "init",
                                "signed_kaiming_constant",
                                "signed_kaiming_constant",
                                "kaiming_normal",
                                "kaiming_normal",
                                "kaiming_normal"),
                        DoubleColumn.create("test acc mean", 0.78, 0.55, 0.84, 0.6, 0.86),
                        DoubleColumn.create("test acc std", 0.01, NAN, 0.012, NAN, 0.008));
        CategoryChart c =
                Plots.bars("Edge-popup (k = 0.5) vs Zhou et al.'s supermask", "network, weights ~")
                        .table(t, "test acc mean", "test acc std", "approach", "net", "init")
                        .labels(
                                s ->
                                        s.replace("signed_kaiming_constant", "U_k")
                                                .replace("kaiming_normal", "N_k"))
                        .reference(
                                Plots.Reference.line(
                                        "Zhou et al.'s paper (CIFAR-10): supermask", 0.654))
                        .chart();
        BufferedImage image = draw(c, "figure6-bars");
        assertEquals(Plots.WIDTH, image.getWidth());
        assertEquals(Styler.LegendPosition.OutsideS, c.getStyler().getLegendPosition());
        assertEquals(
                List.of("conv2 U_k", "conv4 N_k", "conv6 N_k"),
                c.getSeriesMap().get("edge-popup").getXData());
        assertNull(c.getSeriesMap().get("zhou").getExtraValues(), "one seed: no bars");
        assertEquals(
                List.of(0.55, 0.6),
                c.getSeriesMap().get("zhou").getYData().stream().limit(2).toList());
        assertEquals("80%", c.getStyler().getyAxisTickLabelsFormattingFunction().apply(0.8));
        assertThrows(
                IllegalArgumentException.class,
                () -> Plots.bars("b", "g").bar("s", "g1", 0.5, NAN).bar("s", "g1", 0.6, NAN));
        assertThrows(
                IllegalArgumentException.class,
                () -> Plots.bars("b", "g").reference(Plots.Reference.point("p", 1, 0.5)));
        assertEquals(
                0,
                Plots.bars("b", "g")
                        .reference(Plots.Reference.line("l", 0.5))
                        .chart()
                        .getSeriesMap()
                        .size());
    }

    @Test
    void accuracyPerEpochKeepsTheLegendOutside() {
        XYChart c = Plots.accuracyVsEpoch(List.of());
        assertEquals(Styler.LegendPosition.OutsideS, c.getStyler().getLegendPosition());
        assertEquals("1", c.getStyler().getxAxisTickLabelsFormattingFunction().apply(1.0));
    }
}
