package dev.edgepopup.display;

import dev.edgepopup.train.EpochRecord;
import dev.edgepopup.train.History;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;
import java.util.stream.DoubleStream;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.AxesChartStyler;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;
import tech.tablesaw.api.Table;

/**
 * The paper's kinds of figure as XChart charts, sized for a notebook: accuracy per epoch, accuracy
 * against a swept value (k, width, ...) with error bars and the learned dense baselines as
 * horizontal lines, and grouped bars (Figures 6 and 7). Every figure keeps its legend below the
 * plot, where it covers no data; an axis whose values all lie in [0, 1] (an accuracy) is labelled
 * in percent, other ticks as short decimals ("0.07", never ".07"); a k axis runs from 0 to 1 with a
 * tick every 0.1. Error bars are one sample standard deviation over seeds and appear only where
 * several seeds finished: a point of one seed (std NaN) has none. {@link Reference}s draw numbers
 * to compare with, such as the paper's own ({@code dev.edgepopup.paper.Paper}).
 */
public final class Plots {
    /** Default chart width in pixels. */
    public static final int WIDTH = 640;

    /** Default chart height in pixels; the legend below the plot takes part of it. */
    public static final int HEIGHT = 480;

    private static final Color REFERENCE_COLOR = new Color(40, 40, 40);
    private static final BasicStroke DASHED =
            new BasicStroke(
                    1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[] {6, 4}, 0);
    private static final BasicStroke DASH_DOTTED =
            new BasicStroke(
                    1.5f,
                    BasicStroke.CAP_BUTT,
                    BasicStroke.JOIN_MITER,
                    10,
                    new float[] {9, 3, 2, 3},
                    0);
    private static final Format PERCENT_TICKS = Format.pattern("percent ticks", "0.##%");

    private Plots() {}

    /**
     * A number to compare with: a marker at ({@code x}, {@code y}), or, when {@code x} is NaN, a
     * horizontal line across the figure. Drawn in dark grey with a diamond or a dash-dotted line,
     * apart from the measured curves.
     *
     * @param label the legend entry, e.g. "paper (CIFAR-10): edge-popup, k = 0.5"
     * @param x where on the x axis, or NaN for a line
     * @param y the value, e.g. an accuracy in [0, 1]
     */
    public record Reference(String label, double x, double y) {
        /**
         * Checks the parts.
         *
         * @param label the legend entry
         * @param x the x value or NaN
         * @param y the value
         */
        public Reference {
            Objects.requireNonNull(label, "label");
            if (!Double.isFinite(y)) {
                throw new IllegalArgumentException(
                        "reference '" + label + "' needs a finite value, got " + y);
            }
        }

        /**
         * A horizontal line.
         *
         * @param label the legend entry
         * @param y the value
         * @return the reference
         */
        public static Reference line(String label, double y) {
            return new Reference(label, Double.NaN, y);
        }

        /**
         * A marker.
         *
         * @param label the legend entry
         * @param x where on the x axis
         * @param y the value
         * @return the reference
         */
        public static Reference point(String label, double x, double y) {
            if (!Double.isFinite(x)) {
                throw new IllegalArgumentException(
                        "a point needs a finite x, got " + x + ": use line(...)");
            }
            return new Reference(label, x, y);
        }

        /**
         * @return true for a horizontal line (x is NaN)
         */
        public boolean isLine() {
            return Double.isNaN(x);
        }
    }

    /**
     * An XY figure that finishes itself whenever it is drawn, so series added later, even straight
     * to the chart, are covered too: lines span the x range of the other series and the legend fits
     * the width.
     */
    private static final class Figure extends XYChart {
        /** Series drawn across the figure: their ends follow the other series' x range. */
        private final List<String> lines = new ArrayList<>();

        /** The y range this figure set itself at the last drawing (null: none yet). */
        private Double autoMin;

        private Double autoMax;

        Figure(XYChartBuilder builder) {
            super(builder);
        }

        @Override
        public void paint(Graphics2D g, int width, int height) {
            Double fixedMin = getStyler().getXAxisMin();
            Double fixedMax = getStyler().getXAxisMax();
            double[] xs =
                    getSeriesMap().values().stream()
                            .filter(s -> !lines.contains(s.getName()))
                            .flatMapToDouble(s -> DoubleStream.of(s.getXData()))
                            .toArray();
            double lo = fixedMin != null ? fixedMin : Arrays.stream(xs).min().orElse(0);
            double hi = fixedMax != null ? fixedMax : Arrays.stream(xs).max().orElse(1);
            for (String name : lines) {
                double y = getSeriesMap().get(name).getYData()[0];
                updateXYSeries(name, new double[] {lo, hi}, new double[] {y, y}, null);
            }
            padYRange();
            fitLegend(this, g);
            super.paint(g, width, height);
        }

        /**
         * Leaves 5% of the data's y range free above and below, so a line at the highest or lowest
         * value is not hidden by the plot's border, without leaving [0, 1] for accuracies (no
         * "105%" tick); a range set by the caller stays.
         */
        private void padYRange() {
            boolean ownMin = Objects.equals(getStyler().getYAxisMin(), autoMin);
            boolean ownMax = Objects.equals(getStyler().getYAxisMax(), autoMax);
            double lo = Double.POSITIVE_INFINITY;
            double hi = Double.NEGATIVE_INFINITY;
            for (XYSeries s : getSeriesMap().values()) {
                double[] y = s.getYData();
                double[] e = s.getExtraValues();
                for (int i = 0; i < y.length; i++) {
                    double bar = e == null || Double.isNaN(e[i]) ? 0 : e[i];
                    lo = Math.min(lo, y[i] - bar);
                    hi = Math.max(hi, y[i] + bar);
                }
            }
            if (lo > hi) {
                return;
            }
            double pad = hi > lo ? 0.05 * (hi - lo) : Math.max(0.01, 0.05 * Math.abs(hi));
            boolean unit = lo >= 0 && hi <= 1;
            if (ownMin) {
                autoMin = unit ? Math.max(0, lo - pad) : lo - pad;
                getStyler().setYAxisMin(autoMin);
            }
            if (ownMax) {
                autoMax = unit ? Math.min(1, hi + pad) : hi + pad;
                getStyler().setYAxisMax(autoMax);
            }
        }
    }

    /** A bar figure whose legend fits the width whenever it is drawn. */
    private static final class BarFigure extends CategoryChart {
        BarFigure(CategoryChartBuilder builder) {
            super(builder);
        }

        @Override
        public void paint(Graphics2D g, int width, int height) {
            fitLegend(this, g);
            super.paint(g, width, height);
        }
    }

    /** One row under the plot when the legend fits the chart's width, else one entry per line. */
    private static void fitLegend(Chart<?, ?> c, Graphics2D g) {
        Styler s = c.getStyler();
        FontMetrics metrics = g.getFontMetrics(s.getLegendFont());
        // Per entry: its text, the line or box before it and the gaps XChart leaves around both.
        int row =
                c.getSeriesMap().keySet().stream()
                        .mapToInt(
                                name ->
                                        metrics.stringWidth(name)
                                                + s.getLegendSeriesLineLength()
                                                + 3 * s.getLegendPadding())
                        .sum();
        s.setLegendLayout(
                row <= c.getWidth() - 2 * s.getLegendPadding()
                        ? Styler.LegendLayout.Horizontal
                        : Styler.LegendLayout.Vertical);
    }

    private static XYChart chart(String title, String x, String y) {
        Figure c =
                new Figure(
                        new XYChartBuilder()
                                .width(WIDTH)
                                .height(HEIGHT)
                                .title(title)
                                .xAxisTitle(x)
                                .yAxisTitle(y));
        style(c);
        c.getStyler().setxAxisTickLabelsFormattingFunction(Format.GENERAL::format);
        c.getStyler()
                .setyAxisTickLabelsFormattingFunction(
                        v ->
                                inUnitInterval(c)
                                        ? PERCENT_TICKS.format(v)
                                        : Format.GENERAL.format(v));
        return c;
    }

    private static void style(Chart<? extends AxesChartStyler, ?> c) {
        AxesChartStyler s = c.getStyler();
        s.setLegendPosition(Styler.LegendPosition.OutsideS);
        s.setChartBackgroundColor(Color.WHITE);
        s.setLegendBorderColor(Color.WHITE);
        s.setLegendFont(s.getLegendFont().deriveFont(12f));
        s.setErrorBarsColorSeriesColor(true);
    }

    /** Whether every y value and error bar of the chart lies in [0, 1]: an accuracy or fraction. */
    private static boolean inUnitInterval(XYChart c) {
        return c.getSeriesMap().values().stream()
                .allMatch(
                        s -> {
                            double[] y = s.getYData();
                            double[] e = s.getExtraValues();
                            for (int i = 0; i < y.length; i++) {
                                double bar = e == null || Double.isNaN(e[i]) ? 0 : e[i];
                                if (y[i] - bar < 0 || y[i] + bar > 1) {
                                    return false;
                                }
                            }
                            return true;
                        });
    }

    /**
     * Test accuracy after each epoch, one line per run.
     *
     * @param runs the runs; each line is named after its net, method and k
     * @return the chart
     */
    public static XYChart accuracyVsEpoch(List<History> runs) {
        XYChart c = chart("test accuracy per epoch", "epoch", "test accuracy");
        for (History h : runs) {
            List<EpochRecord> done = h.epochs().stream().filter(EpochRecord::complete).toList();
            if (done.isEmpty()) {
                continue;
            }
            String name = label(h);
            String unique = name;
            for (int i = 2; c.getSeriesMap().containsKey(unique); i++) {
                unique = name + " #" + i;
            }
            c.addSeries(
                    unique,
                    done.stream().mapToDouble(EpochRecord::epoch).toArray(),
                    done.stream().mapToDouble(EpochRecord::testAccuracy).toArray());
        }
        return c;
    }

    /**
     * A run's short name for legends and titles, e.g. "conv4 w=2 edge-popup k=0.5".
     *
     * @param h the run
     * @return its name
     */
    public static String label(History h) {
        var s = h.spec();
        return s.arch()
                + (s.width() == 1 ? "" : " w=" + s.width())
                + " "
                + s.method().label()
                + (s.method() == dev.edgepopup.nn.Method.DENSE ? "" : " k=" + s.keep());
    }

    /**
     * Starts a sweep figure: accuracy against a swept value. An x axis titled "k" (or starting with
     * "k ", e.g. "k (fraction of weights kept)") runs from 0 to 1 with a tick every 0.1.
     *
     * @param title the title
     * @param xLabel what was swept, e.g. "k (fraction of weights kept)"
     * @return a builder
     */
    public static SweepFigure sweep(String title, String xLabel) {
        return new SweepFigure((Figure) chart(title, xLabel, "test accuracy"));
    }

    /** A figure of accuracy against a swept value, as in the paper's Figures 3 to 5. */
    public static final class SweepFigure {
        private final Figure chart;

        private SweepFigure(Figure chart) {
            this.chart = chart;
            String x = chart.getXAxisTitle().strip().toLowerCase(Locale.ROOT);
            if (x.equals("k") || x.startsWith("k ")) {
                ticks(0, 1, 0.1);
            }
        }

        /**
         * Adds a curve without error bars (one value per point, e.g. a rate over many steps).
         *
         * @param name the legend entry
         * @param x the swept values
         * @param values the value at each x
         * @return this
         */
        public SweepFigure curve(String name, double[] x, double[] values) {
            double[] none = new double[values.length];
            Arrays.fill(none, Double.NaN);
            return curve(name, x, values, none);
        }

        /**
         * Adds a curve of means with one-standard-deviation error bars where several seeds
         * finished.
         *
         * @param name the legend entry
         * @param x the swept values
         * @param mean mean accuracy at each value
         * @param std standard deviation over seeds; NaN (one seed) draws no bar there
         * @return this
         */
        public SweepFigure curve(String name, double[] x, double[] mean, double[] std) {
            if (x.length != mean.length || x.length != std.length) {
                throw new IllegalArgumentException(
                        "curve '"
                                + name
                                + "': x, mean and std need one value"
                                + " per point, got "
                                + x.length
                                + ", "
                                + mean.length
                                + " and "
                                + std.length);
            }
            boolean anyBar = Arrays.stream(std).anyMatch(s -> !Double.isNaN(s) && s > 0);
            XYSeries s =
                    anyBar
                            ? chart.addSeries(
                                    name,
                                    x,
                                    mean,
                                    Arrays.stream(std).map(v -> Double.isNaN(v) ? 0 : v).toArray())
                            : chart.addSeries(name, x, mean);
            s.setMarker(SeriesMarkers.CIRCLE);
            return this;
        }

        /**
         * Adds a dashed horizontal line, e.g. learned dense weights, across the x range of the
         * figure's other series.
         *
         * @param name the legend entry
         * @param value the accuracy
         * @return this
         */
        public SweepFigure baseline(String name, double value) {
            line(name, value).setLineStyle(DASHED);
            return this;
        }

        /**
         * Adds numbers to compare with, e.g. the paper's ({@code Paper.figure3("conv4")}): a
         * diamond for a point, a dash-dotted line for a value without x.
         *
         * @param references the numbers
         * @return this
         */
        public SweepFigure reference(List<Reference> references) {
            for (Reference r : references) {
                XYSeries s;
                if (r.isLine()) {
                    s = line(r.label(), r.y());
                    s.setLineStyle(DASH_DOTTED);
                } else {
                    s = chart.addSeries(r.label(), new double[] {r.x()}, new double[] {r.y()});
                    s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
                    s.setMarker(SeriesMarkers.DIAMOND);
                    s.setMarkerColor(REFERENCE_COLOR);
                }
                s.setLineColor(REFERENCE_COLOR);
            }
            return this;
        }

        /**
         * Adds numbers to compare with; see {@link #reference(List)}.
         *
         * @param references the numbers
         * @return this
         */
        public SweepFigure reference(Reference... references) {
            return reference(List.of(references));
        }

        /**
         * Fixes the x axis: from {@code min} to {@code max}, with ticks about {@code step} apart.
         *
         * @param min the left end
         * @param max the right end
         * @param step the distance between ticks
         * @return this
         */
        public SweepFigure ticks(double min, double max, double step) {
            if (!(min < max) || !(step > 0)) {
                throw new IllegalArgumentException(
                        "ticks need min < max and step > 0, got " + min + ", " + max + ", " + step);
            }
            chart.getStyler().setXAxisMin(min).setXAxisMax(max);
            // XChart spaces ticks by a pixel hint: one step's share of the plot's ~85% width.
            chart.getStyler()
                    .setXAxisTickMarkSpacingHint(
                            (int) Math.floor(0.85 * chart.getWidth() * step / (max - min)));
            return this;
        }

        private XYSeries line(String name, double value) {
            XYSeries s = chart.addSeries(name, new double[] {0, 1}, new double[] {value, value});
            s.setMarker(SeriesMarkers.NONE);
            chart.lines.add(name);
            return s;
        }

        /**
         * The chart. Lines span the x range of its points and curves (or the fixed x axis) whenever
         * it is drawn, also after series are added to it directly.
         *
         * @return the chart (renders as PNG in a notebook; {@code Display.svg} for SVG)
         */
        public XYChart chart() {
            return chart;
        }
    }

    /**
     * Starts a bar figure: groups along the x axis, one bar per series in each group, as the
     * paper's Figures 6 and 7.
     *
     * @param title the title
     * @param groupLabel what the groups are, e.g. "network, weights ~"
     * @return a builder
     */
    public static Bars bars(String title, String groupLabel) {
        BarFigure c =
                new BarFigure(
                        new CategoryChartBuilder()
                                .width(WIDTH)
                                .height(HEIGHT)
                                .title(title)
                                .xAxisTitle(groupLabel)
                                .yAxisTitle("test accuracy"));
        style(c);
        return new Bars(c);
    }

    /**
     * Grouped bars of means with one-standard-deviation error bars where several seeds finished.
     */
    public static final class Bars {
        private final CategoryChart chart;
        private final Map<String, Map<String, double[]>> series = new LinkedHashMap<>();
        private final List<String> groups = new ArrayList<>();
        private final List<Reference> references = new ArrayList<>();
        private UnaryOperator<String> rename = UnaryOperator.identity();

        private Bars(CategoryChart chart) {
            this.chart = chart;
        }

        /**
         * Adds one bar.
         *
         * @param seriesName the legend entry it belongs to, e.g. "edge-popup"
         * @param group its group on the x axis, e.g. "conv4 U_k"
         * @param mean the bar's height
         * @param std its standard deviation over seeds; NaN (one seed) draws no error bar
         * @return this
         * @throws IllegalArgumentException if that series already has a bar in that group
         */
        public Bars bar(String seriesName, String group, double mean, double std) {
            Map<String, double[]> bars =
                    series.computeIfAbsent(seriesName, s -> new LinkedHashMap<>());
            if (bars.putIfAbsent(group, new double[] {mean, std}) != null) {
                throw new IllegalArgumentException(
                        "series '"
                                + seriesName
                                + "' has two bars in group '"
                                + group
                                + "': add the column that tells them apart to the groups");
            }
            if (!groups.contains(group)) {
                groups.add(group);
            }
            return this;
        }

        /**
         * Adds a bar per row of a table, e.g. a sweep's aggregate: {@code .table(t, "test acc
         * mean", "test acc std", "approach", "net", "init")}.
         *
         * @param t the table
         * @param meanColumn the bars' heights
         * @param stdColumn their standard deviations (missing: no error bar)
         * @param seriesColumn the column whose values are the legend entries
         * @param groupColumns the columns whose values, joined by spaces, name the groups
         * @return this
         */
        public Bars table(
                Table t,
                String meanColumn,
                String stdColumn,
                String seriesColumn,
                String... groupColumns) {
            for (int row = 0; row < t.rowCount(); row++) {
                List<String> names = new ArrayList<>();
                for (String g : groupColumns) {
                    names.add(t.column(g).getUnformattedString(row));
                }
                bar(
                        t.column(seriesColumn).getUnformattedString(row),
                        String.join(" ", names),
                        t.numberColumn(meanColumn).getDouble(row),
                        t.numberColumn(stdColumn).getDouble(row));
            }
            return this;
        }

        /**
         * Renames series and groups as shown, e.g. {@code Paper::names} for U_k instead of
         * signed_kaiming_constant.
         *
         * @param names maps a series or group name (each word of a group) to what the figure shows
         * @return this
         */
        public Bars labels(UnaryOperator<String> names) {
            this.rename = Objects.requireNonNull(names, "names");
            return this;
        }

        /**
         * Adds horizontal lines to compare with, e.g. Zhou et al.'s own CIFAR-10 accuracy.
         *
         * @param lines the numbers; each must be a line ({@link Reference#line})
         * @return this
         */
        public Bars reference(Reference... lines) {
            for (Reference r : lines) {
                if (!r.isLine()) {
                    throw new IllegalArgumentException(
                            "a bar figure draws references as lines: '"
                                    + r.label()
                                    + "' has an x value; use Reference.line");
                }
                references.add(r);
            }
            return this;
        }

        /**
         * The finished chart: every series over every group (a missing bar is left empty), then the
         * reference lines (none while there are no bars).
         *
         * @return the chart
         */
        public CategoryChart chart() {
            new ArrayList<>(chart.getSeriesMap().keySet()).forEach(chart::removeSeries);
            List<String> shown =
                    groups.stream()
                            .map(
                                    g ->
                                            String.join(
                                                    " ",
                                                    Arrays.stream(g.split(" "))
                                                            .map(rename)
                                                            .toList()))
                            .toList();
            series.forEach(
                    (name, bars) -> {
                        List<Double> mean = new ArrayList<>();
                        List<Double> std = new ArrayList<>();
                        for (String g : groups) {
                            double[] bar = bars.get(g);
                            mean.add(bar == null ? null : bar[0]);
                            std.add(bar == null || Double.isNaN(bar[1]) ? 0.0 : bar[1]);
                        }
                        boolean anyBar = std.stream().anyMatch(s -> s > 0);
                        if (anyBar) {
                            chart.addSeries(rename.apply(name), shown, mean, std);
                        } else {
                            chart.addSeries(rename.apply(name), shown, mean);
                        }
                    });
            // A line spans the groups: with no bars there is nothing to span.
            for (Reference r : shown.isEmpty() ? List.<Reference>of() : references) {
                CategorySeries s =
                        chart.addSeries(r.label(), shown, shown.stream().map(g -> r.y()).toList());
                s.setChartCategorySeriesRenderStyle(CategorySeries.CategorySeriesRenderStyle.Line);
                s.setMarker(SeriesMarkers.NONE);
                s.setLineStyle(DASH_DOTTED);
                s.setLineColor(REFERENCE_COLOR);
            }
            boolean unit =
                    references.stream().allMatch(r -> r.y() >= 0 && r.y() <= 1)
                            && series.values().stream()
                                    .flatMap(b -> b.values().stream())
                                    .allMatch(
                                            b -> {
                                                double bar = Double.isNaN(b[1]) ? 0 : b[1];
                                                return b[0] - bar >= 0 && b[0] + bar <= 1;
                                            });
            chart.getStyler()
                    .setyAxisTickLabelsFormattingFunction(
                            v -> unit ? PERCENT_TICKS.format(v) : Format.GENERAL.format(v));
            chart.getStyler()
                    .setXAxisLabelRotation(
                            shown.stream().mapToInt(String::length).sum() > 60 ? 20 : 0);
            return chart;
        }
    }
}
