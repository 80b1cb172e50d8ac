package dev.edgepopup.kernel;

import java.util.ArrayList;
import java.util.List;
import jdk.jshell.SourceCodeAnalysis;
import jdk.jshell.SourceCodeAnalysis.CompletionInfo;

/**
 * Cuts a notebook cell into the single snippets {@code JShell.eval} takes, and maps snippet
 * positions back to cell lines for error messages.
 */
final class CellSnippets {
    /**
     * One snippet of a cell. An unfinished tail is a snippet too: evaluating it makes JShell say
     * what is missing.
     *
     * @param source what to evaluate: starts at the first token (JShell counts stack-trace lines
     *     from there), may end with a semicolon JShell added
     * @param offset where {@code source} starts in the cell
     */
    record Snippet(String source, int offset) {}

    private CellSnippets() {}

    /**
     * Splits a cell.
     *
     * @param analysis the shell's analysis
     * @param cell the cell's code
     * @return the snippets in order; empty for a cell of only comments and blanks
     */
    static List<Snippet> split(SourceCodeAnalysis analysis, String cell) {
        return split(analysis, cell, 0, cell.length());
    }

    /**
     * Splits the code between two offsets of a cell (between its magic lines).
     *
     * @param analysis the shell's analysis
     * @param cell the cell's code
     * @param from where the code starts
     * @param to where it ends
     * @return the snippets in order, with offsets into the whole cell
     */
    static List<Snippet> split(SourceCodeAnalysis analysis, String cell, int from, int to) {
        List<Snippet> snippets = new ArrayList<>();
        int offset = from;
        while (true) {
            offset = skipBlanksAndComments(cell, offset, to);
            if (offset == to) {
                return snippets;
            }
            String rest = cell.substring(offset, to);
            CompletionInfo info = analysis.analyzeCompletion(rest);
            switch (info.completeness()) {
                case EMPTY -> {
                    // Only what JShell ignores is left.
                    return snippets;
                }
                case DEFINITELY_INCOMPLETE, CONSIDERED_INCOMPLETE -> {
                    snippets.add(new Snippet(rest, offset));
                    return snippets;
                }
                default -> {
                    snippets.add(new Snippet(info.source(), offset));
                    offset += rest.length() - info.remaining().length();
                }
            }
        }
    }

    /**
     * Returns the snippet text the cursor is in, for completion and inspection.
     *
     * @param analysis the shell's analysis
     * @param cell the cell's code
     * @param cursor a char offset into the cell
     * @return the cell text from the snippet's start up to the next snippet, and that start; null
     *     when the cursor is before the first snippet
     */
    static Snippet around(SourceCodeAnalysis analysis, String cell, int cursor) {
        return around(analysis, cell, 0, cell.length(), cursor);
    }

    /**
     * Returns the snippet text the cursor is in, within the code between two offsets.
     *
     * @param analysis the shell's analysis
     * @param cell the cell's code
     * @param from where the code starts
     * @param to where it ends
     * @param cursor a char offset between them
     * @return the snippet's text up to the next snippet (or {@code to}) and its start; null when
     *     the cursor is before the first snippet
     */
    static Snippet around(SourceCodeAnalysis analysis, String cell, int from, int to, int cursor) {
        List<Snippet> snippets = split(analysis, cell, from, to);
        for (int i = snippets.size() - 1; i >= 0; i--) {
            Snippet snippet = snippets.get(i);
            if (snippet.offset() <= cursor) {
                int end = i + 1 < snippets.size() ? snippets.get(i + 1).offset() : to;
                return new Snippet(
                        cell.substring(snippet.offset(), Math.max(end, cursor)), snippet.offset());
            }
        }
        return null;
    }

    /**
     * Returns the 1-based line of a char offset.
     *
     * @param cell the cell
     * @param offset an offset in the cell
     * @return the line number
     */
    static int lineOf(String cell, int offset) {
        int line = 1;
        for (int i = 0; i < Math.min(offset, cell.length()); i++) {
            if (cell.charAt(i) == '\n') {
                line++;
            }
        }
        return line;
    }

    /**
     * Shows a range of the cell: its first line and a caret line under the range.
     *
     * @param cell the cell
     * @param start first char of the range
     * @param end char after the range (clipped to the line)
     * @return the source line and the caret line
     */
    static List<String> pointAt(String cell, int start, int end) {
        int from = Math.max(0, Math.min(start, cell.length()));
        int lineStart = cell.lastIndexOf('\n', from - 1) + 1;
        int lineEnd = cell.indexOf('\n', from);
        if (lineEnd < 0) {
            lineEnd = cell.length();
        }
        int width = Math.max(1, Math.min(end, lineEnd) - from);
        String line = cell.substring(lineStart, lineEnd);
        StringBuilder caret = new StringBuilder();
        for (int i = lineStart; i < from; i++) {
            // Tabs keep their width so the caret lines up.
            caret.append(cell.charAt(i) == '\t' ? '\t' : ' ');
        }
        caret.append('^').append("~".repeat(width - 1));
        return List.of(line, caret.toString());
    }

    private static int skipBlanksAndComments(String cell, int from, int to) {
        int i = from;
        while (i < to) {
            char c = cell.charAt(i);
            // A stray ';' is an empty statement: nothing to run.
            if (Character.isWhitespace(c) || c == ';') {
                i++;
            } else if (cell.startsWith("//", i)) {
                int end = cell.indexOf('\n', i);
                i = end < 0 || end >= to ? to : end + 1;
            } else if (cell.startsWith("/*", i)) {
                int end = cell.indexOf("*/", i + 2);
                if (end < 0 || end + 2 > to) {
                    // Unclosed: leave it for JShell to report.
                    return i;
                }
                i = end + 2;
            } else {
                return i;
            }
        }
        return i;
    }
}
