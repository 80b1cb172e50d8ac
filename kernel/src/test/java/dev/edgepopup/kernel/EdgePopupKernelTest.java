package dev.edgepopup.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.spencerpark.jupyter.kernel.ReplacementOptions;
import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import io.github.spencerpark.jupyter.kernel.display.mime.MIMEType;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The kernel's evaluation, errors, interrupts and completion, in this JVM without sockets. */
class EdgePopupKernelTest {
    private static EdgePopupKernel kernel;

    @BeforeAll
    static void start() {
        kernel = new EdgePopupKernel();
    }

    @AfterAll
    static void stop() {
        kernel.close();
    }

    private static String text(DisplayData data) {
        return (String) data.getData(MIMEType.TEXT_PLAIN);
    }

    private static String traceback(Exception e) {
        // Drop the ANSI colour codes of the headline.
        return String.join("\n", kernel.formatError(e)).replaceAll("\u001b\\[[0-9;]*m", "");
    }

    @Test
    void lastExpressionIsTheValue() throws Exception {
        assertEquals("10", text(kernel.eval("int x = 5;\nx * 2")));
        assertEquals("5", text(kernel.eval("x")));
        assertEquals("null", text(kernel.eval("String nothing = null; nothing")));
        assertNull(kernel.eval("int y = 1;"));
        assertNull(kernel.eval("System.out.print(\"\")"));
        assertNull(kernel.eval("// only a comment"));
    }

    @Test
    void valuesAreRealObjectsRenderedRichly() throws Exception {
        DisplayData table =
                kernel.eval(
                        "tech.tablesaw.api.Table.create(\"t\","
                                + " tech.tablesaw.api.IntColumn.create(\"n\", 3, 4))");
        assertTrue(((String) table.getData(MIMEType.TEXT_HTML)).contains("<td>4</td>"));
        DisplayData chart =
                kernel.eval("new org.knowm.xchart.XYChartBuilder().width(200).height(100).build()");
        assertTrue(((String) chart.getData(MIMEType.IMAGE_PNG)).startsWith("iVBOR"), "base64 PNG");
    }

    @Test
    void defaultImportsCoverExistingPackagesOnly() throws Exception {
        List<String> listed;
        try (BufferedReader in =
                new BufferedReader(
                        new InputStreamReader(
                                EdgePopupKernel.class.getResourceAsStream(
                                        EdgePopupKernel.IMPORTS_RESOURCE),
                                StandardCharsets.UTF_8))) {
            listed =
                    in.lines()
                            .map(String::strip)
                            .filter(l -> !l.isEmpty() && !l.startsWith("#"))
                            .toList();
        }
        assertTrue(
                kernel.imports()
                        .containsAll(
                                List.of(
                                        "java.util.*",
                                        "java.nio.file.*",
                                        "dev.edgepopup.data.*",
                                        "dev.edgepopup.display.*")));
        for (String name : listed) {
            String path = name.substring(0, name.length() - 2).replace('.', '/');
            boolean onClassPath =
                    name.startsWith("java.")
                            || getClass().getClassLoader().getResource(path) != null;
            assertEquals(onClassPath, kernel.imports().contains(name), name);
        }
        assertEquals("class dev.edgepopup.data.ImageSet", text(kernel.eval("ImageSet.class")));
        assertEquals("[1]", text(kernel.eval("new ArrayList<>(List.of(1))")));
    }

    @Test
    void xchartTablesawAndPaperNeedNoPackageNames() throws Exception {
        assertTrue(
                kernel.imports()
                        .containsAll(
                                List.of(
                                        "dev.edgepopup.paper.*",
                                        "org.knowm.xchart.*",
                                        "org.knowm.xchart.style.*",
                                        "org.knowm.xchart.style.markers.*",
                                        "tech.tablesaw.api.*")));
        assertEquals(
                "2",
                text(
                        kernel.eval(
                                "Table t = Table.create(\"t\", DoubleColumn.create(\"x\", 0.5,"
                                        + " 0.25),\n"
                                        + "        StringColumn.create(\"s\", \"a\", \"b\"),"
                                        + " IntColumn.create(\"n\", 1, 2));\n"
                                        + "t.rowCount()")));
        assertEquals(
                "OutsideS",
                text(
                        kernel.eval(
                                "XYChart c = new XYChartBuilder().width(100).height(80).build();\n"
                                        + "c.getStyler()"
                                        + ".setLegendPosition(Styler.LegendPosition.OutsideS);\n"
                                        + "c.addSeries(\"s\", new double[] {1}, new double[]"
                                        + " {2}).setMarker(SeriesMarkers.CIRCLE);\n"
                                        + "c.getStyler().getLegendPosition()")));
        assertEquals(
                "[1, 2]",
                text(
                        kernel.eval(
                                "List<Integer> l = new ArrayList<>(List.of(1)); l.add(2);\n"
                                        + "Map<String, Integer> m = new HashMap<>(); l")));
        assertEquals(
                "k",
                text(
                        kernel.eval(
                                "Sweep sweep = Sweep.over().keeps(0.5);\n"
                                        + "Plots.SweepFigure f = Plots.sweep(\"Figure 3\","
                                        + " \"k\").reference(Paper.figure3(\"conv4\"));\n"
                                        + "CategoryChart bars = Plots.bars(\"Figure 6\","
                                        + " \"net\").reference(Paper.zhouLine()).chart();\n"
                                        + "f.chart().getXAxisTitle()")));
        assertEquals("5", text(kernel.eval("Paper.table1().rowCount()")));
        assertEquals(
                "true",
                text(
                        kernel.eval(
                                "Verdict.of(Claim.reaches(Measured.of(\"x\", 0.95),"
                                        + " 0.9)).agrees()")));
        assertEquals("50.0%", text(kernel.eval("Format.PERCENT.format(0.5)")));
        // A cell's own type wins over an imported one of the same name (tech.tablesaw.api.Row).
        assertEquals("x", text(kernel.eval("record Row(String a) {}\nnew Row(\"x\").a()")));
    }

    @Test
    void compileErrorsShowLineAndCaret() throws Exception {
        Exception e =
                assertThrows(
                        CellException.CompilationException.class,
                        () -> kernel.eval("int a = 1;\nString s = 5;\n"));
        assertEquals(
                "incompatible types: int cannot be converted to java.lang.String", e.getMessage());
        assertEquals(List.of(), List.of(e.getStackTrace()), "no kernel frames in the reply");
        String shown = traceback(e);
        assertTrue(shown.contains("line 2: error: incompatible types"), shown);
        assertTrue(shown.endsWith("String s = 5;\n           ^"), shown);
    }

    @Test
    void runtimeErrorsAreCutToCellCode() throws Exception {
        String cell = "// a comment\nint divide(int d) {\n  return 1 / d;\n}\n\ndivide(0)";
        Exception e =
                assertThrows(CellException.EvaluationException.class, () -> kernel.eval(cell));
        assertEquals("java.lang.ArithmeticException: / by zero", e.getMessage());
        String shown = traceback(e);
        assertTrue(
                shown.matches(
                        "(?s)java.lang.ArithmeticException: / by zero\n"
                                + " +at divide\\(cell \\[\\d+\\], line 3\\)\n"
                                + " +at cell \\[\\d+\\], line 6"),
                shown);
    }

    @Test
    void causesAndLibraryFramesAreKept() throws Exception {
        String cell =
                "class Boom { void go() { throw new IllegalStateException(\"outer\", new"
                        + " RuntimeException(\"inner\")); } }\n"
                        + "Objects.requireNonNull(null, \"x\")";
        Exception npe =
                assertThrows(CellException.EvaluationException.class, () -> kernel.eval(cell));
        String shown = traceback(npe);
        assertTrue(shown.contains("at java.base/java.util.Objects.requireNonNull"), shown);
        assertFalse(
                shown.contains("jdk.jshell")
                        || shown.contains("dev.edgepopup.kernel")
                        || shown.contains("reflect"),
                shown);
        Exception chained =
                assertThrows(
                        CellException.EvaluationException.class,
                        () -> kernel.eval("new Boom().go()"));
        assertTrue(
                traceback(chained)
                        .contains(
                                "Caused by: java.lang.RuntimeException: inner\n"
                                        + "    at Boom.go(cell"),
                traceback(chained));
    }

    @Test
    void deepRecursionShowsItsRepeatsOnce() throws Exception {
        kernel.eval("int down(int n) { return down(n + 1) + 1; }");
        Exception e =
                assertThrows(CellException.EvaluationException.class, () -> kernel.eval("down(0)"));
        assertEquals("java.lang.StackOverflowError", e.getMessage());
        String[] lines = traceback(e).split("\n");
        assertEquals(3, lines.length, traceback(e));
        assertTrue(lines[1].matches(" +at down\\(cell \\[\\d+\\], line 1\\)"), lines[1]);
        assertTrue(
                lines[2].matches(" +\\.\\.\\. \\(previous line repeated [\\d,]+ more times\\)"),
                lines[2]);
    }

    @Test
    void repeatedBlocksOfFramesAreCollapsed() {
        List<String> frames = new java.util.ArrayList<>(List.of("top"));
        for (int i = 0; i < 5; i++) {
            frames.addAll(List.of("a", "b"));
        }
        frames.addAll(List.of("a", "c", "c", "end"));
        assertEquals(
                List.of(
                        "top",
                        "a",
                        "b",
                        "    ... (previous 2 lines repeated 4 more times)",
                        "a",
                        "c",
                        "c",
                        "end"),
                CellErrors.collapseRepeats(frames));
    }

    @Test
    void unresolvedReferencesAreExplained() throws Exception {
        assertNull(kernel.eval("void later() { notYet(); }"));
        Exception e =
                assertThrows(CellException.EvaluationException.class, () -> kernel.eval("later()"));
        assertEquals(
                "method later() cannot be used until method notYet() is declared", e.getMessage());
        kernel.eval("void notYet() {}");
        assertNull(kernel.eval("later()"));
    }

    @Test
    void methodsAndClassesCanBeRedeclared() throws Exception {
        kernel.eval("int twice(int v) { return 2 * v; }");
        assertEquals("6", text(kernel.eval("twice(3)")));
        kernel.eval("int twice(int v) { return v + v + 1; }");
        assertEquals("7", text(kernel.eval("twice(3)")));
        kernel.eval("record Pair(int a, int b) {}");
        kernel.eval("record Pair(int a, int b, int c) {}");
        assertEquals("Pair[a=1, b=2, c=3]", text(kernel.eval("new Pair(1, 2, 3)")));
    }

    @Test
    void interruptStopsASleepingCellAndTheNextRuns() throws Exception {
        assertTimeoutPreemptively(
                Duration.ofSeconds(20),
                () -> {
                    CompletableFuture<Exception> failure =
                            CompletableFuture.supplyAsync(
                                    () -> {
                                        try {
                                            kernel.eval("while (true) Thread.sleep(100);");
                                            return null;
                                        } catch (Exception e) {
                                            return e;
                                        }
                                    });
                    Thread.sleep(1000);
                    kernel.interrupt();
                    Exception e = failure.get(10, TimeUnit.SECONDS);
                    assertInstanceOf(CellException.EvaluationException.class, e);
                    assertTrue(
                            e.getMessage().startsWith("java.lang.InterruptedException"),
                            e.getMessage());
                    assertEquals("2", text(kernel.eval("1 + 1")));
                });
    }

    @Test
    void interruptCheckingCodeReturnsItsPartialResult() throws Exception {
        assertTimeoutPreemptively(
                Duration.ofSeconds(20),
                () -> {
                    System.clearProperty("edgepopup.test.counting");
                    CompletableFuture<DisplayData> result =
                            CompletableFuture.supplyAsync(
                                    () -> {
                                        try {
                                            return kernel.eval(
                                                    "long steps = 0;\n"
                                                            + "while (!Thread.interrupted()) {\n"
                                                            + "  if (steps++ == 0)"
                                                            + " System.setProperty("
                                                            + "\"edgepopup.test.counting\","
                                                            + " \"yes\");\n"
                                                            + "}\n"
                                                            + "steps > 0 ? \"stopped\" : \"never"
                                                            + " ran\"");
                                        } catch (Exception e) {
                                            throw new IllegalStateException(e);
                                        }
                                    });
                    // An interrupt before the loop runs would stop the cell between snippets
                    // instead.
                    while (System.getProperty("edgepopup.test.counting") == null) {
                        Thread.sleep(10);
                    }
                    kernel.interrupt();
                    assertEquals("stopped", text(result.get(10, TimeUnit.SECONDS)));
                });
    }

    @Test
    void interruptWhileIdleIsIgnored() throws Exception {
        kernel.interrupt();
        assertEquals("done", text(kernel.eval("Thread.sleep(50); \"done\"")));
    }

    @Test
    void completesJavaAndLibraryNames() {
        ReplacementOptions string = kernel.complete("Str", 3);
        assertTrue(
                string.getReplacements().contains("String"), string.getReplacements().toString());
        assertEquals(0, string.getSourceStart());
        assertEquals(3, string.getSourceEnd());
        assertTrue(kernel.complete("ImageS", 6).getReplacements().contains("ImageSet"));
        String cell = "int a = 1;\nInteger.parseI";
        ReplacementOptions method = kernel.complete(cell, cell.length());
        assertTrue(
                method.getReplacements().contains("parseInt("),
                method.getReplacements().toString());
        assertEquals(cell.indexOf("parseI"), method.getSourceStart());
    }

    @Test
    void completionCountsCodePoints() {
        // "😀" is one code point but two Java chars; Jupyter's cursor counts code points.
        String cell = "String s = \"😀\";\nInteger.parseI";
        int cursor = cell.codePointCount(0, cell.length());
        ReplacementOptions method = kernel.complete(cell, cursor);
        assertEquals(cursor - "parseI".length(), method.getSourceStart());
        assertEquals(cursor, method.getSourceEnd());
    }

    @Test
    void tellsCompleteFromUnfinishedCode() {
        assertEquals("complete", kernel.isComplete("int a = 1;\nSystem.out.println(a)"));
        assertEquals("    ", kernel.isComplete("for (int i = 0; i < 3; i++) {"));
        assertEquals("    ", kernel.isComplete("int a = 1;\nclass A {"));
        assertEquals("complete", kernel.isComplete("// nothing"));
    }

    @Test
    void lineMagicsRunBetweenTheCodeAroundThem() throws Exception {
        assertEquals("42", text(kernel.eval("int base = 40;\n%time base + 2")));
        assertEquals("2", text(kernel.eval("%%time\nint t = 1;\nt + 1")));
        assertNull(kernel.eval("1 + 1\n%time int later = 3;"), "a statement last: no value");
        Exception e =
                assertThrows(
                        CellException.CompilationException.class,
                        () -> kernel.eval("%time int u = 1;\nString s = 5;"));
        assertTrue(traceback(e).contains("line 2: error: incompatible types"), traceback(e));
    }

    @Test
    void unknownAndMisplacedMagicsAreClearErrors() {
        Exception unknown =
                assertThrows(
                        CellException.MagicError.class,
                        () -> kernel.eval("int ok = 1;\n%nosuch a b"));
        assertTrue(
                unknown.getMessage().startsWith("%nosuch: unknown magic. Line magics: %maven"),
                unknown.getMessage());
        assertTrue(
                traceback(unknown).matches("(?s)cell \\[\\d+\\], line 2: %nosuch: unknown magic.*"),
                traceback(unknown));
        Exception cell =
                assertThrows(CellException.MagicError.class, () -> kernel.eval("%%maven x\nbody"));
        assertTrue(cell.getMessage().startsWith("%%maven: unknown cell magic."), cell.getMessage());
        Exception late =
                assertThrows(
                        CellException.MagicError.class, () -> kernel.eval("int a = 1;\n%%time\na"));
        assertEquals("%%time: a cell magic must be the first line of its cell", late.getMessage());
        Exception usage = assertThrows(CellException.MagicError.class, () -> kernel.eval("%time"));
        assertTrue(
                usage.getMessage().startsWith("%time: usage: %time STATEMENT"), usage.getMessage());
    }

    @Test
    void loadRunsAFileWhoseErrorsNameIt(@TempDir Path dir) throws Exception {
        Files.writeString(
                dir.resolve("helpers.jsh"), "int quadruple(int x) {\n  return 4 * x;\n}\n");
        Files.writeString(
                dir.resolve("broken.jsh"),
                "int fine = 1;\nint broken() {\n  return 1 / 0;\n}\nbroken();\n");
        assertNull(kernel.eval("%load " + dir.resolve("helpers")));
        assertEquals("40", text(kernel.eval("quadruple(10)")));
        Exception e =
                assertThrows(
                        CellException.EvaluationException.class,
                        () -> kernel.eval("%load " + dir.resolve("broken.jsh")));
        assertTrue(
                traceback(e).contains("at broken(broken.jsh, line 3)\n    at broken.jsh, line 5"),
                traceback(e));
        Exception missing =
                assertThrows(
                        CellException.MagicError.class,
                        () -> kernel.eval("%load " + dir.resolve("none")));
        assertTrue(
                missing.getMessage().startsWith("%load: no file " + dir.resolve("none")),
                missing.getMessage());
        Files.writeString(dir.resolve("self.jsh"), "%load " + dir.resolve("self.jsh") + "\n");
        Exception loop =
                assertThrows(
                        CellException.MagicError.class,
                        () -> kernel.eval("%load " + dir.resolve("self.jsh")));
        assertTrue(
                loop.getMessage().endsWith("is already being loaded: it loads itself"),
                loop.getMessage());
    }

    @Test
    void completionAndInspectionWorkAfterMagics() {
        String cell = "%maven org.example:a:1\nStr";
        ReplacementOptions string = kernel.complete(cell, cell.length());
        assertTrue(
                string.getReplacements().contains("String"), string.getReplacements().toString());
        assertEquals(cell.length() - 3, string.getSourceStart());
        ReplacementOptions names = kernel.complete("%mav", 4);
        assertEquals(List.of("maven", "mavenRepo"), names.getReplacements());
        assertEquals(1, names.getSourceStart());
        assertEquals(List.of("time"), kernel.complete("%%ti", 4).getReplacements());
        assertNull(
                kernel.complete("%maven org.ex", 13), "no Java completion in a magic's arguments");
        assertNull(kernel.complete("%%loadFromPOM\n<depen", 20), "nor in a POM");
        String timed = "%%time\nMath.max(";
        assertTrue(
                text(kernel.inspect(timed, timed.length(), false))
                        .contains("int Math.max(int a, int b)"));
        assertEquals("    ", kernel.isComplete("%%time\nfor (int i = 0; i < 3; i++) {"));
        assertEquals("complete", kernel.isComplete("int a = 1;\n%maven g:a:1"));
        assertEquals("complete", kernel.isComplete("%%loadFromPOM\n<dependency>"));
    }

    @Test
    void inspectShowsSignatures() {
        DisplayData doc = kernel.inspect("Math.max(", 9, false);
        assertTrue(text(doc).contains("int Math.max(int a, int b)"), text(doc));
    }
}
