package dev.edgepopup.display;

import dev.edgepopup.train.EpochRecord;
import dev.edgepopup.train.History;
import java.awt.BasicStroke;
import java.util.List;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The paper's kinds of figure as XChart charts, sized for a notebook (640x400): accuracy per
 * epoch, and accuracy against a swept value (k, width, ...) with error bars and the learned dense
 * baselines as horizontal lines.
 */
public final class Plots {
    /** Default chart width in pixels. */
    public static final int WIDTH = 640;
    /** Default chart height in pixels. */
    public static final int HEIGHT = 400;

    private Plots() {}

    private static XYChart chart(String title, String x, String y) {
        XYChart c = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(x)
                .yAxisTitle(y).build();
        c.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE);
        c.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        return c;
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
            c.addSeries(unique, done.stream().mapToDouble(EpochRecord::epoch).toArray(),
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
        return s.arch() + (s.width() == 1 ? "" : " w=" + s.width()) + " "
                + s.method().label()
                + (s.method() == dev.edgepopup.nn.Method.DENSE ? "" : " k=" + s.keep());
    }

    /**
     * Starts a sweep figure: accuracy against a swept value.
     *
     * @param title the title
     * @param xLabel what was swept, e.g. "% of weights kept (k)"
     * @return a builder
     */
    public static Sweep sweep(String title, String xLabel) {
        return new Sweep(chart(title, xLabel, "test accuracy"));
    }

    /** A figure of accuracy against a swept value, as in the paper's Figures 3 to 7. */
    public static final class Sweep {
        private final XYChart chart;

        private Sweep(XYChart chart) {
            this.chart = chart;
        }

        /**
         * Adds a curve of means with one-standard-deviation error bars.
         *
         * @param name the legend entry
         * @param x the swept values
         * @param mean mean accuracy at each value
         * @param std standard deviation over seeds (zeros for one seed)
         * @return this
         */
        public Sweep curve(String name, double[] x, double[] mean, double[] std) {
            XYSeries s = chart.addSeries(name, x, mean, std);
            s.setMarker(SeriesMarkers.CIRCLE);
            return this;
        }

        /**
         * Adds a horizontal line, e.g. learned dense weights.
         *
         * @param name the legend entry
         * @param value the accuracy
         * @return this
         */
        public Sweep baseline(String name, double value) {
            double[] xs = chart.getSeriesMap().values().stream()
                    .flatMapToDouble(s -> java.util.Arrays.stream(s.getXData())).toArray();
            double lo = java.util.Arrays.stream(xs).min().orElse(0);
            double hi = java.util.Arrays.stream(xs).max().orElse(1);
            XYSeries s = chart.addSeries(name, new double[] {lo, hi}, new double[] {value, value});
            s.setMarker(SeriesMarkers.NONE);
            s.setLineStyle(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10,
                    new float[] {6, 4}, 0));
            return this;
        }

        /** @return the chart (renders as PNG in a notebook; {@code Display.svg} for SVG) */
        public XYChart chart() {
            return chart;
        }
    }
}
