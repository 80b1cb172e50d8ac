package dev.edgepopup.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import jdk.jshell.JShell;
import jdk.jshell.SourceCodeAnalysis;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class CellSnippetsTest {
    private static JShell shell;
    private static SourceCodeAnalysis analysis;

    @BeforeAll
    static void start() {
        shell = JShell.builder().executionEngine("local").build();
        analysis = shell.sourceCodeAnalysis();
    }

    @AfterAll
    static void stop() {
        shell.close();
    }

    @Test
    void splitsAtSnippetsSkippingCommentsAndBlanks() {
        String cell =
                "// setup\n  int x = 5 ;  /* c */\n\nint f() {\n  return x;\n}\nf()\n// end\n";
        List<CellSnippets.Snippet> snippets = CellSnippets.split(analysis, cell);
        assertEquals(3, snippets.size());
        assertEquals(
                new CellSnippets.Snippet("int x = 5 ;", cell.indexOf("int x")), snippets.get(0));
        assertEquals(cell.indexOf("int f"), snippets.get(1).offset());
        assertEquals(cell.indexOf("f()\n"), snippets.get(2).offset());
        assertEquals(7, CellSnippets.lineOf(cell, snippets.get(2).offset()));
    }

    @Test
    void keepsAnUnfinishedTailWhole() {
        String cell = "int a = 1;\nfor (int i = 0; i < 3; i++) {\n  a++;";
        List<CellSnippets.Snippet> snippets = CellSnippets.split(analysis, cell);
        assertEquals(2, snippets.size());
        assertEquals(cell.substring(cell.indexOf("for")), snippets.get(1).source());
    }

    @Test
    void onlyCommentsIsNothing() {
        assertEquals(List.of(), CellSnippets.split(analysis, "  // nothing\n/* here */ ;\n"));
    }

    @Test
    void findsTheSnippetAroundTheCursor() {
        String cell = "int a = 1;\nInteger.par";
        CellSnippets.Snippet around = CellSnippets.around(analysis, cell, cell.length());
        assertEquals("Integer.par", around.source());
        assertEquals(cell.indexOf("Integer"), around.offset());
        assertNull(CellSnippets.around(analysis, "  1", 1));
    }

    @Test
    void pointsUnderTheRangeKeepingTabs() {
        String cell = "a();\n\tint y = \"s\";\nb();";
        int start = cell.indexOf('"');
        assertEquals(
                List.of("\tint y = \"s\";", "\t        ^~~"),
                CellSnippets.pointAt(cell, start, start + 3));
        // A range running past the line is cut at its end; an empty range still gets a caret.
        assertEquals(List.of("a();", "   ^"), CellSnippets.pointAt(cell, 3, 3));
        assertEquals("^~~~", CellSnippets.pointAt(cell, 0, 100).get(1));
    }
}
