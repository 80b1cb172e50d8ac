package dev.edgepopup.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class MagicSyntaxTest {
    @Test
    void lineMagicsAreBlankedKeepingPositions() {
        String cell = "int a = 1;\n%maven g:a:1 \"x y\"\n  %jars lib/*.jar\na + 1";
        MagicSyntax.Parsed parsed = MagicSyntax.parse(cell);
        assertNull(parsed.cellMagic());
        assertEquals(2, parsed.lineMagics().size());
        MagicSyntax.Magic maven = parsed.lineMagics().get(0);
        assertEquals("maven", maven.name());
        assertEquals(List.of("g:a:1", "x y"), maven.args());
        assertEquals(cell.indexOf('%'), maven.start());
        assertEquals(cell.indexOf("\n  %jars"), maven.end());
        assertEquals("jars", parsed.lineMagics().get(1).name());
        assertEquals(cell.length(), parsed.code().length());
        assertEquals("int a = 1;", parsed.code().substring(0, 10));
        assertTrue(parsed.code().substring(11, cell.indexOf("a + 1")).isBlank(), parsed.code());
        assertTrue(parsed.code().endsWith("\na + 1"));
    }

    @Test
    void percentSignsInCodeAreNotMagics() {
        String cell =
                "String s = \"\"\"\n"
                        + "%d items\n"
                        + "\"\"\";\n"
                        + "/*\n"
                        + "%maven x\n"
                        + "*/\n"
                        + "String t = \"%maven\"; // %jars\n"
                        + "int r = 7\n"
                        + "  % 3;";
        MagicSyntax.Parsed parsed = MagicSyntax.parse(cell);
        assertEquals(List.of(), parsed.lineMagics());
        assertEquals(cell, parsed.code());
    }

    @Test
    void aCellMagicOnTheFirstLineTakesTheRest() {
        String cell = "\n%%time\nThread.sleep(1);\n%load helpers.jsh\n42";
        MagicSyntax.Parsed parsed = MagicSyntax.parse(cell);
        assertEquals("time", parsed.cellMagic().name());
        assertEquals(cell.indexOf("Thread"), parsed.codeStart());
        assertEquals("load", parsed.lineMagics().get(0).name());
        assertTrue(parsed.code().startsWith("\n      \nThread"), parsed.code());
        // %%name further down is not a cell magic: the kernel reports it.
        assertTrue(MagicSyntax.parse("int a;\n%%time\n1").lineMagics().get(0).cellMagic());
    }

    @Test
    void timeKeepsItsCodeForTheCompiler() {
        String cell = "%time f(2)\nx";
        MagicSyntax.Parsed parsed = MagicSyntax.parse(cell);
        MagicSyntax.Magic time = parsed.lineMagics().get(0);
        assertEquals(cell.indexOf("f(2)"), time.argsStart());
        assertEquals("      f(2)\nx", parsed.code());
    }

    @Test
    void codeAroundTheCursorStopsAtMagics() {
        String cell = "int a;\n%maven g:a:1\nStr\n%time Math.ma";
        MagicSyntax.Parsed parsed = MagicSyntax.parse(cell);
        assertArrayEquals(new int[] {0, cell.indexOf('%')}, parsed.codeAround(3));
        assertNull(parsed.codeAround(cell.indexOf("g:a")));
        int str = cell.indexOf("Str");
        assertArrayEquals(
                new int[] {cell.indexOf("\nStr"), cell.indexOf("%time")},
                parsed.codeAround(str + 3));
        assertArrayEquals(
                new int[] {cell.indexOf("Math"), cell.length()}, parsed.codeAround(cell.length()));
        assertNull(parsed.codeAround(cell.indexOf("%time") + 2));
    }

    @Test
    void argumentsSplitLikeAShell() {
        assertEquals(
                List.of("a", "b c", "d\"e", "f\\g"),
                MagicSyntax.splitArgs("  a \"b c\" d\\\"e f\\\\g  "));
        assertEquals(List.of(), MagicSyntax.splitArgs("   "));
        assertEquals(List.of(""), MagicSyntax.splitArgs("\"\""));
    }
}
