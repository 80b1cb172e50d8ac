package dev.edgepopup.kernel;

import java.util.ArrayList;
import java.util.List;

/**
 * Finds IJava's magics in a cell: {@code %%name args} on the cell's first line makes the rest of
 * the cell its body; a line that starts with {@code %name} (outside comments, strings and text
 * blocks) is a line magic run between the code around it. The Java code keeps its positions with
 * the magics blanked out, so compile errors, completion and inspection see the cell's own lines.
 */
final class MagicSyntax {
    /**
     * A line that starts with {@code %name} or {@code %%name}.
     *
     * @param name the magic's name
     * @param args its arguments, split as a shell would (double quotes group, backslash escapes)
     * @param cellMagic whether it was written {@code %%name}
     * @param start where the {@code %} is
     * @param argsStart where the arguments start
     * @param end the end of the line (its newline, or the cell's end)
     */
    record Magic(
            String name, List<String> args, boolean cellMagic, int start, int argsStart, int end) {}

    /**
     * A parsed cell.
     *
     * @param code the cell with its magics blanked (the code after {@code %time} is kept)
     * @param cellMagic the {@code %%} magic on the first line, or null
     * @param lineMagics the other magic lines, in order
     */
    record Parsed(String code, Magic cellMagic, List<Magic> lineMagics) {
        /**
         * Returns where the code of the cell starts: after a cell magic's line.
         *
         * @return an offset
         */
        int codeStart() {
            return cellMagic == null ? 0 : Math.min(code.length(), cellMagic.end() + 1);
        }

        /**
         * Returns the stretch of code around a position, between the magic lines.
         *
         * @param cursor an offset in the cell
         * @return {from, to}, or null when the position is on a magic's name or arguments
         */
        int[] codeAround(int cursor) {
            int from = codeStart();
            if (cursor < from) {
                return null;
            }
            for (Magic magic : lineMagics) {
                if (cursor < magic.start()) {
                    return new int[] {from, magic.start()};
                }
                if (cursor <= magic.end()) {
                    return isTime(magic) && cursor >= magic.argsStart()
                            ? new int[] {magic.argsStart(), magic.end()}
                            : null;
                }
                from = magic.end();
            }
            return new int[] {from, code.length()};
        }
    }

    private enum State {
        CODE,
        BLOCK_COMMENT,
        TEXT_BLOCK
    }

    private MagicSyntax() {}

    /**
     * Parses a cell.
     *
     * @param cell the cell's text
     * @return its code and magics
     */
    static Parsed parse(String cell) {
        char[] code = cell.toCharArray();
        List<Magic> magics = new ArrayList<>();
        State state = State.CODE;
        boolean lineStart = true;
        int i = 0;
        int n = cell.length();
        while (i < n) {
            if (lineStart && state == State.CODE) {
                lineStart = false;
                Magic magic = magicAt(cell, i);
                if (magic != null) {
                    magics.add(magic);
                    int blankTo =
                            isTime(magic) && !magic.cellMagic() ? magic.argsStart() : magic.end();
                    for (int j = magic.start(); j < blankTo; j++) {
                        code[j] = ' ';
                    }
                    i = magic.end();
                    continue;
                }
            }
            char c = cell.charAt(i);
            if (state == State.BLOCK_COMMENT) {
                state = cell.startsWith("*/", i) ? State.CODE : state;
                i += state == State.CODE ? 2 : 1;
            } else if (state == State.TEXT_BLOCK) {
                if (c == '\\') {
                    i += 2;
                } else if (cell.startsWith("\"\"\"", i)) {
                    state = State.CODE;
                    i += 3;
                } else {
                    i++;
                }
            } else if (c == '\n') {
                lineStart = true;
                i++;
            } else if (cell.startsWith("//", i)) {
                int end = cell.indexOf('\n', i);
                i = end < 0 ? n : end;
            } else if (cell.startsWith("/*", i)) {
                state = State.BLOCK_COMMENT;
                i += 2;
            } else if (cell.startsWith("\"\"\"", i)) {
                state = State.TEXT_BLOCK;
                i += 3;
            } else if (c == '"' || c == '\'') {
                i = skipLiteral(cell, i);
            } else {
                i++;
            }
        }
        Magic cellMagic = null;
        if (!magics.isEmpty()
                && magics.get(0).cellMagic()
                && cell.substring(0, magics.get(0).start()).isBlank()) {
            cellMagic = magics.remove(0);
        }
        return new Parsed(new String(code), cellMagic, List.copyOf(magics));
    }

    /**
     * Whether a line magic is {@code %time}, whose arguments are code.
     *
     * @param magic a magic
     * @return whether its arguments stay in the code
     */
    static boolean isTime(Magic magic) {
        return magic.name().equals("time");
    }

    /**
     * Splits magic arguments at blanks; double quotes group, a backslash escapes the next char.
     *
     * @param text the arguments
     * @return the words
     */
    static List<String> splitArgs(String text) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean quoted = false;
        boolean inWord = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\' && i + 1 < text.length()) {
                word.append(text.charAt(++i));
                inWord = true;
            } else if (c == '"') {
                quoted = !quoted;
                inWord = true;
            } else if (Character.isWhitespace(c) && !quoted) {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
            } else {
                word.append(c);
                inWord = true;
            }
        }
        if (inWord) {
            words.add(word.toString());
        }
        return words;
    }

    /** Reads {@code %name args} or {@code %%name args} at a line's start, after blanks. */
    private static Magic magicAt(String cell, int lineStart) {
        int i = lineStart;
        while (i < cell.length() && (cell.charAt(i) == ' ' || cell.charAt(i) == '\t')) {
            i++;
        }
        int start = i;
        if (i >= cell.length() || cell.charAt(i) != '%') {
            return null;
        }
        boolean cellMagic = cell.startsWith("%%", i);
        i += cellMagic ? 2 : 1;
        int nameStart = i;
        while (i < cell.length()
                && (Character.isLetterOrDigit(cell.charAt(i)) || cell.charAt(i) == '_')) {
            i++;
        }
        if (i == nameStart || Character.isDigit(cell.charAt(nameStart))) {
            return null;
        }
        String name = cell.substring(nameStart, i);
        int end = cell.indexOf('\n', i);
        end = end < 0 ? cell.length() : end;
        int argsStart = i;
        while (argsStart < end
                && (cell.charAt(argsStart) == ' ' || cell.charAt(argsStart) == '\t')) {
            argsStart++;
        }
        return new Magic(
                name, splitArgs(cell.substring(argsStart, end)), cellMagic, start, argsStart, end);
    }

    /** Skips a string or char literal; both end at the line's end at the latest. */
    private static int skipLiteral(String cell, int open) {
        char quote = cell.charAt(open);
        int i = open + 1;
        while (i < cell.length() && cell.charAt(i) != quote && cell.charAt(i) != '\n') {
            i += cell.charAt(i) == '\\' ? 2 : 1;
        }
        return i < cell.length() && cell.charAt(i) == quote ? i + 1 : Math.min(i, cell.length());
    }
}
