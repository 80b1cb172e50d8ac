package dev.edgepopup.display;

import dev.edgepopup.nn.Net;
import dev.edgepopup.train.History;
import io.github.spencerpark.jupyter.kernel.display.Renderer;
import io.github.spencerpark.jupyter.kernel.display.mime.MIMEType;
import io.github.spencerpark.jupyter.kernel.util.InheritanceIterator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.jsoup.nodes.Element;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.internal.chartpart.Chart;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.NumberColumn;
import tech.tablesaw.api.ShortColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.Column;
import tech.tablesaw.io.html.HtmlWriteOptions;
import tech.tablesaw.io.html.HtmlWriter;

/**
 * Registry from Java types to MIME bundles for notebook display.
 *
 * <p>A bundle maps MIME types to data, as Jupyter's {@code display_data} does: {@value #TEXT_HTML}
 * and {@value #TEXT_PLAIN} as strings, {@value #IMAGE_PNG} as base64, {@value #IMAGE_SVG} as SVG
 * text. Built in: Tablesaw {@link Table} (HTML with the table's name as its caption, at most
 * {@value #MAX_HTML_ROWS} rows; numeric columns without a {@link Format} print in {@link
 * Format#GENERAL} or, for whole numbers, {@link Format#COUNT}), XChart charts (PNG at the chart's
 * own size), {@link Display.Svg} (SVG), and the library's own results: a run's {@link History} and
 * a {@link Net}'s layer table (HTML tables).
 *
 * <p>The registry works without a kernel ({@link #render(Object)}); {@link #register(Renderer)}
 * plugs it into a kernel's renderer, e.g. in a stock IJava kernel:
 *
 * <pre>{@code Renderers.register(IJava.getKernelInstance().getRenderer());}</pre>
 */
public final class Renderers {
    /** MIME type of plain text. */
    public static final String TEXT_PLAIN = "text/plain";

    /** MIME type of HTML. */
    public static final String TEXT_HTML = "text/html";

    /** MIME type of PNG images (base64 data). */
    public static final String IMAGE_PNG = "image/png";

    /** MIME type of SVG images. */
    public static final String IMAGE_SVG = "image/svg+xml";

    /** Rows a table shows as HTML; the rest is summarised, so a 60 000-row table stays cheap. */
    public static final int MAX_HTML_ROWS = 50;

    /** The table's name above it, left-aligned as a paper's table caption. */
    private static final String CAPTION_STYLE =
            "caption-side: top; text-align: left; font-weight: bold; padding-bottom: 0.3em";

    private static final Map<Class<?>, Function<Object, Map<String, Object>>> FUNCTIONS =
            new ConcurrentHashMap<>();
    private static final List<Renderer> KERNEL_RENDERERS = new CopyOnWriteArrayList<>();

    static {
        add(Table.class, Renderers::table);
        add(Chart.class, Renderers::png);
        add(Display.Svg.class, svg -> svg(svg.chart()));
        add(History.class, h -> table(Tables.history(h)));
        add(Net.class, n -> table(Tables.layers(n)));
    }

    private Renderers() {}

    /**
     * Registers (or replaces) the renderer for a type. Values of subtypes use the most specific
     * registered type. Kernels already passed to {@link #register(Renderer)} see it at once.
     *
     * @param type the type to render
     * @param render makes the bundle; text/plain is added from {@code toString()} when missing
     * @param <T> the type
     */
    public static synchronized <T> void add(
            Class<T> type, Function<? super T, ? extends Map<String, Object>> render) {
        Objects.requireNonNull(render, "render");
        boolean isNew = FUNCTIONS.put(type, value -> render.apply(type.cast(value))) == null;
        if (isNew) {
            // Replaced types need nothing: the installed function looks the current one up.
            KERNEL_RENDERERS.forEach(renderer -> install(renderer, type));
        }
    }

    /**
     * Renders a value as a MIME bundle.
     *
     * @param value any value, or null
     * @return a bundle that always has text/plain
     */
    public static Map<String, Object> render(Object value) {
        Map<String, Object> bundle = new LinkedHashMap<>();
        if (value != null) {
            // Same lookup order as basekernel's Renderer: class, superclasses, then interfaces.
            @SuppressWarnings("rawtypes")
            Iterator<Class> types = new InheritanceIterator(value.getClass());
            while (types.hasNext()) {
                Function<Object, Map<String, Object>> function = FUNCTIONS.get(types.next());
                if (function != null) {
                    bundle.putAll(function.apply(value));
                    break;
                }
            }
        }
        bundle.putIfAbsent(TEXT_PLAIN, String.valueOf(value));
        return bundle;
    }

    /**
     * Installs every registered type, and those added later, into a basekernel renderer, such as
     * IJava's {@code IJava.getKernelInstance().getRenderer()}. Registering the same renderer twice
     * does nothing.
     *
     * @param renderer the kernel's renderer
     */
    public static synchronized void register(Renderer renderer) {
        if (KERNEL_RENDERERS.stream().anyMatch(known -> known == renderer)) {
            return;
        }
        FUNCTIONS.keySet().forEach(type -> install(renderer, type));
        KERNEL_RENDERERS.add(renderer);
    }

    private static <T> void install(Renderer renderer, Class<T> type) {
        renderer.createRegistration(type)
                .register(
                        (value, context) -> {
                            Map<String, Object> bundle = FUNCTIONS.get(type).apply(value);
                            bundle.forEach(
                                    (mime, data) ->
                                            context.renderIfRequested(
                                                    MIMEType.parse(mime), () -> data));
                        });
    }

    private static Map<String, Object> table(Table table) {
        boolean cut = table.rowCount() > MAX_HTML_ROWS;
        // first() copies the columns: formats set below never reach the caller's table.
        Table shown = table.first(Math.min(table.rowCount(), MAX_HTML_ROWS));
        shown.columns().forEach(Renderers::formatUnformatted);
        String title = table.name();
        String rowsShown = cut ? MAX_HTML_ROWS + " of " + table.rowCount() + " rows shown" : "";
        StringWriter html = new StringWriter();
        new HtmlWriter()
                .write(
                        shown,
                        HtmlWriteOptions.builder(html)
                                .elementCreator(
                                        (element, column, row) -> {
                                            Element e = new Element(element);
                                            if (element.equals("table")
                                                    && title != null
                                                    && !title.isBlank()) {
                                                e.appendElement("caption")
                                                        .attr("style", CAPTION_STYLE)
                                                        .text(table.name());
                                            }
                                            return e;
                                        })
                                .build());
        if (cut) {
            html.append("<p>").append(rowsShown).append("</p>");
        }
        Map<String, Object> bundle = new LinkedHashMap<>();
        bundle.put(TEXT_HTML, html.toString());
        bundle.put(TEXT_PLAIN, shown.print() + (cut ? System.lineSeparator() + rowsShown : ""));
        return bundle;
    }

    /**
     * Gives a numeric column still printing as Tablesaw does by default (0.16599999999999998,
     * 2425024) the {@link Format#GENERAL} or {@link Format#COUNT} format; formatted columns keep
     * theirs.
     */
    private static void formatUnformatted(Column<?> column) {
        if (!(column instanceof NumberColumn<?, ?> numeric)) {
            return;
        }
        for (int row = 0; row < column.size(); row++) {
            if (!column.isMissing(row)
                    && !column.getString(row).equals(column.getUnformattedString(row))) {
                return;
            }
        }
        boolean whole =
                column instanceof IntColumn
                        || column instanceof LongColumn
                        || column instanceof ShortColumn;
        numeric.setPrintFormatter((whole ? Format.COUNT : Format.GENERAL).formatter());
    }

    private static Map<String, Object> png(Chart<?, ?> chart) {
        byte[] png;
        try {
            png = BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, Object> bundle = new LinkedHashMap<>();
        bundle.put(IMAGE_PNG, Base64.getEncoder().encodeToString(png));
        bundle.put(TEXT_PLAIN, describe(chart));
        return bundle;
    }

    private static Map<String, Object> svg(Chart<?, ?> chart) {
        ByteArrayOutputStream svg = new ByteArrayOutputStream();
        try {
            VectorGraphicsEncoder.saveVectorGraphic(
                    chart, svg, VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, Object> bundle = new LinkedHashMap<>();
        bundle.put(IMAGE_SVG, svg.toString(StandardCharsets.UTF_8));
        bundle.put(TEXT_PLAIN, describe(chart));
        return bundle;
    }

    private static String describe(Chart<?, ?> chart) {
        String title =
                chart.getTitle() == null || chart.getTitle().isEmpty()
                        ? ""
                        : " \"" + chart.getTitle() + "\"";
        return chart.getClass().getSimpleName()
                + title
                + " "
                + chart.getWidth()
                + "x"
                + chart.getHeight();
    }
}
