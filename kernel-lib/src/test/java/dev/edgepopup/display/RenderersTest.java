package dev.edgepopup.display;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import io.github.spencerpark.jupyter.kernel.display.Renderer;
import io.github.spencerpark.jupyter.kernel.display.mime.MIMEType;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

class RenderersTest {
    private static final byte[] PNG_MAGIC = {(byte) 0x89, 'P', 'N', 'G'};

    private static XYChart chart() {
        XYChart chart = new XYChartBuilder().width(320).height(200).title("loss").build();
        chart.addSeries("train", new double[] {1, 2, 3}, new double[] {0.9, 0.5, 0.3});
        return chart;
    }

    @Test
    void tableRendersAsEscapedHtmlAndText() {
        Table table =
                Table.create(
                        "t",
                        StringColumn.create("name", "<b>a</b>", "b"),
                        IntColumn.create("n", 1, 2));
        Map<String, Object> bundle = Renderers.render(table);
        String html = (String) bundle.get(Renderers.TEXT_HTML);
        assertTrue(html.contains("<table"), html);
        assertTrue(html.contains("&lt;b&gt;a&lt;/b&gt;"), "cell text must be escaped: " + html);
        assertTrue(((String) bundle.get(Renderers.TEXT_PLAIN)).contains("name"));
    }

    @Test
    void tableShowsItsNameAsCaptionAndItsNumbersFormatted() {
        Table table =
                Table.create(
                        "Table 1: <sizes>",
                        StringColumn.create("net", "conv4"),
                        tech.tablesaw.api.DoubleColumn.create("acc", 0.16599999999999998),
                        tech.tablesaw.api.DoubleColumn.create("kept", 0.5),
                        tech.tablesaw.api.DoubleColumn.create("raw", 0.16599999999999998),
                        tech.tablesaw.api.LongColumn.create("weights", 2_425_024L));
        Format.PERCENT.on(table, "acc");
        Map<String, Object> bundle = Renderers.render(table);
        String html = (String) bundle.get(Renderers.TEXT_HTML);
        assertTrue(
                html.matches(
                        "(?s)<table>\\s*<caption[^>]*>\\s*Table 1:"
                                + " &lt;sizes&gt;\\s*</caption>\\s*<thead>.*"),
                html);
        assertTrue(html.contains("<td>16.6%</td>"), html);
        // Columns without a format print short: no 0.16599999999999998, counts grouped.
        assertTrue(
                html.contains("<td>0.5</td>")
                        && html.contains("<td>0.166</td>")
                        && html.contains("<td>2,425,024</td>"),
                html);
        assertTrue(((String) bundle.get(Renderers.TEXT_PLAIN)).contains("2,425,024"));
        // Rendering leaves the caller's table as it was.
        assertEquals("2425024", table.longColumn("weights").getString(0));
        assertEquals(0.16599999999999998, table.doubleColumn("acc").get(0));
    }

    @Test
    void aTableWithoutANameHasNoCaption() {
        String html =
                (String)
                        Renderers.render(Table.create(IntColumn.create("n", 1, 2)))
                                .get(Renderers.TEXT_HTML);
        assertFalse(html.contains("<caption"), html);
    }

    @Test
    void longTableIsCut() {
        Table table =
                Table.create("big", IntColumn.create("i", IntStream.range(0, 1000).toArray()));
        String html = (String) Renderers.render(table).get(Renderers.TEXT_HTML);
        assertTrue(html.contains(">49<"));
        assertFalse(html.contains(">50<"));
        assertTrue(html.contains("50 of 1000 rows shown"));
    }

    @Test
    void chartRendersAsPngOfItsSize() throws Exception {
        Map<String, Object> bundle = Renderers.render(chart());
        byte[] png = Base64.getDecoder().decode((String) bundle.get(Renderers.IMAGE_PNG));
        assertArrayEquals(PNG_MAGIC, Arrays.copyOf(png, 4));
        java.awt.image.BufferedImage image =
                javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(png));
        assertEquals(320, image.getWidth());
        assertEquals(200, image.getHeight());
        assertEquals("XYChart \"loss\" 320x200", bundle.get(Renderers.TEXT_PLAIN));
    }

    @Test
    void svgWrapperRendersSvg() {
        Map<String, Object> bundle = Renderers.render(Display.svg(chart()));
        assertTrue(((String) bundle.get(Renderers.IMAGE_SVG)).contains("<svg"));
        assertFalse(bundle.containsKey(Renderers.IMAGE_PNG));
    }

    @Test
    void unknownTypesAndNullGetText() {
        assertEquals(
                Map.of(Renderers.TEXT_PLAIN, "[1, 2]"), Renderers.render(java.util.List.of(1, 2)));
        assertEquals(Map.of(Renderers.TEXT_PLAIN, "null"), Renderers.render(null));
    }

    /** A type only these tests render. */
    record Point(int x, int y) {}

    /** A subtype, to check the most specific registration wins. */
    static class Special extends java.util.ArrayList<String> {}

    @Test
    void kernelRendererGetsCurrentAndLaterRegistrations() {
        Renderer renderer = new Renderer();
        Renderers.register(renderer);
        Renderers.register(renderer);

        DisplayData table =
                renderer.render(Table.create("t", IntColumn.create("n", new int[] {7})));
        assertTrue(((String) table.getData(MIMEType.TEXT_HTML)).contains("<td>7</td>"));

        Renderers.add(Point.class, p -> Map.of(Renderers.TEXT_HTML, "<i>" + p.x() + "</i>"));
        assertEquals("<i>3</i>", renderer.render(new Point(3, 4)).getData(MIMEType.TEXT_HTML));

        // Replacing a renderer takes effect in kernels registered before.
        Renderers.add(Point.class, p -> Map.of(Renderers.TEXT_HTML, "<i>" + p.y() + "</i>"));
        assertEquals("<i>4</i>", renderer.render(new Point(3, 4)).getData(MIMEType.TEXT_HTML));
        assertEquals(
                "Point[x=3, y=4]", renderer.render(new Point(3, 4)).getData(MIMEType.TEXT_PLAIN));
    }

    @Test
    void mostSpecificTypeWins() {
        Renderers.add(java.util.AbstractList.class, l -> Map.of(Renderers.TEXT_HTML, "list"));
        Renderers.add(Special.class, l -> Map.of(Renderers.TEXT_HTML, "special"));
        assertEquals("special", Renderers.render(new Special()).get(Renderers.TEXT_HTML));
        assertEquals(
                "list", Renderers.render(new java.util.ArrayList<>()).get(Renderers.TEXT_HTML));
    }
}
