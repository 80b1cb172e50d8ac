package dev.edgepopup.kernel;

import dev.edgepopup.kernel.CellException.CompilationException;
import dev.edgepopup.kernel.CellException.EvaluationException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import jdk.jshell.DeclarationSnippet;
import jdk.jshell.Diag;
import jdk.jshell.EvalException;
import jdk.jshell.JShell;
import jdk.jshell.JShellException;
import jdk.jshell.MethodSnippet;
import jdk.jshell.Snippet;
import jdk.jshell.UnresolvedReferenceException;

/**
 * Turns what goes wrong in a cell into the traceback lines Jupyter shows: the cell (or loaded file)
 * and line of a compilation error with a pointer under it, an exception's causes and its frames
 * down to the cell, in cell lines, with the repeats of deep recursion collapsed.
 */
final class CellErrors {
    private static final int MAX_CAUSES = 20;

    /** Longest block of stack frames that {@link #collapseRepeats} recognises as repeating. */
    private static final int MAX_REPEAT_BLOCK = 10;

    /** Where a snippet sits: its cell (or loaded file) and the line its first token is on. */
    private record Origin(String where, int line) {}

    private final JShell shell;
    private final UnaryOperator<String> secondary;
    private final Map<String, Origin> origins = new ConcurrentHashMap<>();

    /**
     * @param shell the shell whose snippets fail (diagnostics, unresolved dependencies)
     * @param secondary styles a traceback's headline line
     */
    CellErrors(JShell shell, UnaryOperator<String> secondary) {
        this.shell = shell;
        this.secondary = secondary;
    }

    /**
     * Remembers where a snippet came from, so that its stack frames name the cell and line.
     *
     * @param snippetId JShell's id of the snippet
     * @param where the cell or file
     * @param line the line of its first token there
     */
    void origin(String snippetId, String where, int line) {
        origins.put(snippetId, new Origin(where, line));
    }

    CellException.MagicError magic(
            String where, String text, MagicSyntax.Magic magic, String message) {
        String name = (magic.cellMagic() ? "%%" : "%") + magic.name();
        List<String> lines = new ArrayList<>(message.lines().toList());
        String first = lines.isEmpty() ? "" : lines.remove(0);
        lines.add(
                0,
                secondary.apply(
                        where
                                + ", line "
                                + CellSnippets.lineOf(text, magic.start())
                                + ": "
                                + name
                                + ": "
                                + first));
        return new CellException.MagicError(name + ": " + message, lines);
    }

    CompilationException compilation(
            String where, String code, CellSnippets.Snippet snippet, Snippet run) {
        List<Diag> errors = shell.diagnostics(run).filter(Diag::isError).toList();
        List<String> lines = new ArrayList<>();
        String first = null;
        for (Diag diag : errors) {
            long start =
                    diag.getStartPosition() >= 0
                            ? diag.getStartPosition()
                            : Math.max(0, diag.getPosition());
            long end = Math.max(start, diag.getEndPosition());
            int from = snippet.offset() + (int) start;
            List<String> message = diag.getMessage(null).lines().toList();
            if (first == null) {
                first = message.isEmpty() ? "" : message.get(0);
            }
            lines.add(
                    secondary.apply(
                            where
                                    + ", line "
                                    + CellSnippets.lineOf(code, from)
                                    + ": error: "
                                    + (message.isEmpty() ? "" : message.get(0))));
            message.stream().skip(1).forEach(lines::add);
            lines.addAll(CellSnippets.pointAt(code, from, snippet.offset() + (int) end));
        }
        if (errors.isEmpty()) {
            first = "JShell rejected the snippet";
            lines.add(
                    secondary.apply(
                            where
                                    + ", line "
                                    + CellSnippets.lineOf(code, snippet.offset())
                                    + ": "
                                    + first));
            lines.addAll(CellSnippets.pointAt(code, snippet.offset(), snippet.offset() + 1));
        }
        return new CompilationException(first, lines);
    }

    EvaluationException evaluation(JShellException failure) {
        List<String> lines = new ArrayList<>();
        String headline = headline(failure);
        lines.add(secondary.apply(headline));
        addFrames(failure, lines);
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        seen.add(failure);
        Throwable cause = failure.getCause();
        for (int depth = 0; cause != null && seen.add(cause) && depth < MAX_CAUSES; depth++) {
            lines.add("Caused by: " + headline(cause));
            addFrames(cause, lines);
            cause = cause.getCause();
        }
        return new EvaluationException(headline, lines);
    }

    EvaluationException exit(String call, JShellException failure, String where) {
        String headline = ExitGuard.message(call);
        List<String> lines = new ArrayList<>();
        lines.add(secondary.apply(headline));
        if (failure != null) {
            addFrames(failure, lines);
            // The guard's and the JDK's exit frames say nothing to the user.
            lines.removeIf(
                    line ->
                            line.contains("dev.edgepopup.kernel.ExitGuard")
                                    || line.contains("java.lang.Runtime.")
                                    || line.contains("java.lang.System.exit"));
        }
        if (lines.size() == 1) {
            lines.add("    at " + where);
        }
        return new EvaluationException(headline, lines);
    }

    private String headline(Throwable failure) {
        if (failure instanceof UnresolvedReferenceException unresolved) {
            DeclarationSnippet declaration = unresolved.getSnippet();
            return describe(declaration)
                    + " cannot be used until "
                    + shell.unresolvedDependencies(declaration).collect(Collectors.joining(", "))
                    + " is declared";
        }
        String type =
                failure instanceof EvalException thrown
                        ? thrown.getExceptionClassName()
                        : failure.getClass().getName();
        return failure.getMessage() == null ? type : type + ": " + failure.getMessage();
    }

    /**
     * Adds the frames down to the outermost cell frame (below it is JShell and the kernel), with
     * repeats of recursion collapsed.
     */
    private void addFrames(Throwable failure, List<String> lines) {
        StackTraceElement[] frames = failure.getStackTrace();
        int last = -1;
        for (int i = 0; i < frames.length; i++) {
            if (origin(frames[i]) != null) {
                last = i;
            }
        }
        List<String> shown = new ArrayList<>();
        for (int i = 0; i <= last; i++) {
            shown.add("    at " + frame(frames[i]));
        }
        lines.addAll(collapseRepeats(shown));
    }

    /**
     * Replaces three or more repeats of a block of up to {@value #MAX_REPEAT_BLOCK} lines (deep
     * recursion) by the block and a count, as Python does.
     *
     * @param lines stack frame lines
     * @return the lines, repeats collapsed
     */
    static List<String> collapseRepeats(List<String> lines) {
        List<String> collapsed = new ArrayList<>();
        int i = 0;
        while (i < lines.size()) {
            int bestBlock = 0;
            int bestRepeats = 0;
            for (int block = 1;
                    block <= MAX_REPEAT_BLOCK && i + 2 * block <= lines.size();
                    block++) {
                List<String> first = lines.subList(i, i + block);
                int repeats = 1;
                while (i + (repeats + 1) * block <= lines.size()
                        && lines.subList(i + repeats * block, i + (repeats + 1) * block)
                                .equals(first)) {
                    repeats++;
                }
                if (repeats >= 3 && (repeats - 1) * block > (bestRepeats - 1) * bestBlock) {
                    bestBlock = block;
                    bestRepeats = repeats;
                }
            }
            if (bestBlock == 0) {
                collapsed.add(lines.get(i++));
            } else {
                collapsed.addAll(lines.subList(i, i + bestBlock));
                collapsed.add(
                        String.format(
                                "    ... (previous %s repeated %,d more times)",
                                bestBlock == 1 ? "line" : bestBlock + " lines", bestRepeats - 1));
                i += bestBlock * bestRepeats;
            }
        }
        return collapsed;
    }

    private Origin origin(StackTraceElement frame) {
        // JShell rewrites snippet frames to file "#<snippet id>" with snippet-relative lines.
        String file = frame.getFileName();
        return file != null && file.startsWith("#") ? origins.get(file.substring(1)) : null;
    }

    private String frame(StackTraceElement frame) {
        Origin origin = origin(frame);
        if (origin == null) {
            return frame.toString();
        }
        String where = origin.where() + ", line " + (origin.line() + frame.getLineNumber() - 1);
        String name =
                frame.getClassName().isEmpty()
                        ? frame.getMethodName()
                        : frame.getClassName() + "." + frame.getMethodName();
        return name.isEmpty() ? where : name + "(" + where + ")";
    }

    static String describe(DeclarationSnippet declaration) {
        return switch (declaration.kind()) {
            case METHOD ->
                    "method "
                            + declaration.name()
                            + "("
                            + ((MethodSnippet) declaration).parameterTypes()
                            + ")";
            case VAR -> "variable " + declaration.name();
            default -> "type " + declaration.name();
        };
    }
}
