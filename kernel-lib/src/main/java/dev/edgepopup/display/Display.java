package dev.edgepopup.display;

import java.util.Objects;
import java.util.UUID;
import org.knowm.xchart.internal.chartpart.Chart;

/**
 * Shows values from notebook code and updates them in place, e.g. a loss chart redrawn after every
 * epoch:
 *
 * <pre>{@code
 * Display.Handle plot = Display.show(chart);
 * for (...) { ...; plot.update(chart); }
 * }</pre>
 *
 * <p>A kernel attaches itself with {@link #setSink(Sink)}; without one (a plain JVM, a test) the
 * text/plain rendering goes to {@code System.out}, so library code can display unconditionally.
 */
public final class Display {
    /** Where displays go: a kernel renders the value and publishes it under the display id. */
    public interface Sink {
        /**
         * Shows a new display.
         *
         * @param value the value to render
         * @param displayId id that later {@link #update} calls use
         */
        void show(Object value, String displayId);

        /**
         * Replaces the content of an earlier display.
         *
         * @param value the value to render
         * @param displayId the id given to {@link #show}
         */
        void update(Object value, String displayId);
    }

    /** A shown display that can be redrawn. */
    public static final class Handle {
        private final String id;

        private Handle(String id) {
            this.id = id;
        }

        /**
         * Returns the Jupyter display id.
         *
         * @return the display id
         */
        public String id() {
            return id;
        }

        /**
         * Replaces what this display shows.
         *
         * @param value the new value
         */
        public void update(Object value) {
            sink.update(value, id);
        }
    }

    /**
     * A chart to render as SVG instead of PNG.
     *
     * @param chart the chart, drawn at its own size
     */
    public record Svg(Chart<?, ?> chart) {
        /**
         * Checks the chart.
         *
         * @param chart the chart
         */
        public Svg {
            Objects.requireNonNull(chart, "chart");
        }
    }

    private static final Sink STDOUT =
            new Sink() {
                @Override
                public void show(Object value, String displayId) {
                    System.out.println(Renderers.render(value).get(Renderers.TEXT_PLAIN));
                }

                @Override
                public void update(Object value, String displayId) {
                    show(value, displayId);
                }
            };

    private static volatile Sink sink = STDOUT;

    private Display() {}

    /**
     * Attaches a kernel, or detaches it with {@code null} (back to stdout).
     *
     * @param newSink the kernel's sink, or null
     */
    public static void setSink(Sink newSink) {
        sink = newSink == null ? STDOUT : newSink;
    }

    /**
     * @return true while a kernel is attached ({@link #setSink}), so displays appear in a notebook;
     *     false when they go to {@code System.out}
     */
    public static boolean attached() {
        return sink != STDOUT;
    }

    /**
     * Displays a value with a fresh display id.
     *
     * @param value any value; rendered through {@link Renderers}
     * @return a handle to update the display
     */
    public static Handle show(Object value) {
        Handle handle = new Handle(UUID.randomUUID().toString());
        sink.show(value, handle.id);
        return handle;
    }

    /**
     * Wraps a chart so it renders as image/svg+xml.
     *
     * @param chart an XChart chart
     * @return the wrapper to show or return from a cell
     */
    public static Svg svg(Chart<?, ?> chart) {
        return new Svg(chart);
    }
}
