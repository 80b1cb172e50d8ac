package dev.edgepopup.kernel;

import dev.edgepopup.display.Display;
import dev.edgepopup.display.Renderers;
import dev.edgepopup.kernel.CellException.CompilationException;
import dev.edgepopup.kernel.CellException.EvaluationException;
import io.github.spencerpark.jupyter.kernel.BaseKernel;
import io.github.spencerpark.jupyter.kernel.KernelConnectionProperties;
import io.github.spencerpark.jupyter.kernel.LanguageInfo;
import io.github.spencerpark.jupyter.kernel.ReplacementOptions;
import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import jdk.jshell.DeclarationSnippet;
import jdk.jshell.Diag;
import jdk.jshell.EvalException;
import jdk.jshell.JShell;
import jdk.jshell.JShellException;
import jdk.jshell.MethodSnippet;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.SourceCodeAnalysis;
import jdk.jshell.SourceCodeAnalysis.Suggestion;
import jdk.jshell.UnresolvedReferenceException;

/**
 * Jupyter kernel for Java: JShell running in this JVM, with the kernel's class path (kernel-lib,
 * DJL, Tablesaw, XChart) visible to every cell and the {@code dev.edgepopup} packages imported.
 *
 * <p>A cell's last expression is rendered through the basekernel renderer, into which {@link
 * Renderers} is registered; {@link Display#show} publishes from running code. Start it with the
 * connection file Jupyter writes: {@code java ... dev.edgepopup.kernel.EdgePopupKernel FILE}.
 */
public final class EdgePopupKernel extends BaseKernel implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(EdgePopupKernel.class.getName());
    /** Class-path resource listing the on-demand imports every cell starts with. */
    static final String IMPORTS_RESOURCE = "imports.txt";
    private static final int MAX_CAUSES = 20;
    /** Longest block of stack frames that {@link #collapseRepeats} recognises as repeating. */
    private static final int MAX_REPEAT_BLOCK = 10;

    /** Where a snippet sits: the cell's execution count and the line its first token is on. */
    private record Origin(int cell, int line) {}

    private final JShell shell;
    private final SourceCodeAnalysis analysis;
    private final InProcessExecutionControl control;
    private final Map<String, Origin> origins = new ConcurrentHashMap<>();
    private final List<String> imports;
    private final CellOutput output;
    private volatile boolean evaluating;

    /** Starts JShell and imports the default packages; no connection is needed for {@link #eval}. */
    public EdgePopupKernel() {
        super(StandardCharsets.UTF_8);
        AtomicReference<InProcessExecutionControl> created = new AtomicReference<>();
        this.shell = JShell.builder()
                .executionEngine(InProcessExecutionControl.provider(EdgePopupKernel.class.getClassLoader(), created::set), Map.of())
                .compilerOptions("--class-path", System.getProperty("java.class.path"))
                .build();
        this.control = created.get();
        this.analysis = shell.sourceCodeAnalysis();
        this.imports = importDefaults();
        this.output = new CellOutput(this::publishStream, CellOutput.configuredLimit(), CellOutput.FLUSH_MILLIS);
        Renderers.register(getRenderer());
        Display.setSink(new KernelSink());
    }

    /**
     * Runs the kernel until a shutdown request.
     *
     * @param args the connection file path
     * @throws Exception if the connection file cannot be read or the sockets cannot be bound
     */
    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: java dev.edgepopup.kernel.EdgePopupKernel CONNECTION_FILE");
            System.exit(2);
        }
        System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tT %4$s %3$s: %5$s%6$s%n");
        // basekernel logs every message at INFO; keep the kernel's stderr for problems.
        Logger.getLogger("Jupyter").setLevel(Level.WARNING);
        KernelConnectionProperties properties =
                KernelConnectionProperties.parse(Files.readString(Path.of(args[0])));
        SecureConnection connection;
        try {
            connection = new SecureConnection(properties);
        } catch (IllegalArgumentException e) {
            System.err.println("edge-popup kernel: " + e.getMessage());
            System.exit(1);
            return;
        }
        ExitGuard.install();
        try (EdgePopupKernel kernel = new EdgePopupKernel()) {
            kernel.becomeHandlerForConnection(connection);
            connection.connect();
            connection.waitUntilClose();
        }
        // Daemon threads (a snippet that ignored its interrupt) must not keep the JVM up.
        ExitGuard.allowKernelExit();
        System.exit(0);
    }

    /**
     * Returns the imports that were applied at start (those whose package exists).
     *
     * @return package names with {@code .*}
     */
    List<String> imports() {
        return imports;
    }

    private List<String> importDefaults() {
        List<String> applied = new ArrayList<>();
        for (String name : readImports()) {
            // An on-demand import of a package with no classes does not compile: skip it.
            boolean valid = shell.eval("import " + name + ";").stream()
                    .anyMatch(event -> event.status() == Snippet.Status.VALID);
            if (valid) {
                applied.add(name);
            } else {
                LOG.fine(() -> "skipped import " + name + ": package not on the class path");
            }
        }
        return List.copyOf(applied);
    }

    private static List<String> readImports() {
        InputStream in = EdgePopupKernel.class.getResourceAsStream(IMPORTS_RESOURCE);
        if (in == null) {
            throw new IllegalStateException("missing resource " + IMPORTS_RESOURCE);
        }
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            return reader.lines().map(String::strip).filter(line -> !line.isEmpty() && !line.startsWith("#")).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public LanguageInfo getLanguageInfo() {
        return new LanguageInfo.Builder("java")
                .version(Runtime.version().toString())
                .mimetype("text/x-java-source")
                .fileExtension(".jshell")
                .pygments("java")
                .codemirror("text/x-java")
                .build();
    }

    @Override
    public String getBanner() {
        return "Java " + Runtime.version() + " (edge-popup kernel, JShell in-process)";
    }

    @Override
    public DisplayData eval(String code) throws Exception {
        // handleExecuteRequest has already counted this cell.
        int cell = executionCount.get() - 1;
        control.clearPendingStop();
        ExitGuard.takeRefused();
        PrintStream stdout = System.out;
        PrintStream stderr = System.err;
        System.setOut(output.out());
        System.setErr(output.err());
        evaluating = true;
        try {
            boolean hasValue = false;
            Object value = null;
            for (CellSnippets.Snippet snippet : CellSnippets.split(analysis, code)) {
                Snippet run = evalSnippet(code, cell, snippet);
                value = control.takeValue();
                hasValue = run.subKind() == Snippet.SubKind.TEMP_VAR_EXPRESSION_SUBKIND
                        || run.subKind() == Snippet.SubKind.VAR_VALUE_SUBKIND;
            }
            // printf and friends return their stream: its toString is noise, not a result.
            if (!hasValue || value instanceof java.io.PrintStream) {
                return null;
            }
            return render(value);
        } finally {
            evaluating = false;
            output.finishCell();
            System.setOut(stdout);
            System.setErr(stderr);
        }
    }

    /** Sends one stream message through basekernel's streams, which know the cell's request. */
    private void publishStream(boolean stderr, String text) {
        PrintStream target = stderr ? getIO().err : getIO().out;
        target.print(text);
        target.flush();
    }

    private Snippet evalSnippet(String code, int cell, CellSnippets.Snippet snippet) throws CellException {
        List<SnippetEvent> events = shell.eval(snippet.source());
        // The first event without a cause is the snippet itself; the rest are snippets it updated.
        SnippetEvent event = events.stream().filter(e -> e.causeSnippet() == null).findFirst()
                .orElseThrow(() -> new IllegalStateException("JShell reported no event for " + snippet.source()));
        Snippet run = event.snippet();
        origins.put(run.id(), new Origin(cell, CellSnippets.lineOf(code, snippet.offset())));
        if (event.status() == Snippet.Status.REJECTED) {
            throw compilationError(code, cell, snippet, run);
        }
        String exit = ExitGuard.takeRefused();
        if (exit != null) {
            // Also when the snippet caught the refusal: the rest of the cell must not run.
            throw exitError(exit, event.exception(), "cell [" + cell + "], line " + CellSnippets.lineOf(code, snippet.offset()));
        }
        if (event.exception() != null) {
            throw evaluationError(event.exception());
        }
        if (event.status() == Snippet.Status.RECOVERABLE_DEFINED || event.status() == Snippet.Status.RECOVERABLE_NOT_DEFINED) {
            DeclarationSnippet declaration = (DeclarationSnippet) run;
            System.err.println("note: " + describe(declaration) + " can be used once "
                    + shell.unresolvedDependencies(declaration).collect(Collectors.joining(", ")) + " is declared");
        }
        return run;
    }

    private CompilationException compilationError(String code, int cell, CellSnippets.Snippet snippet, Snippet run) {
        List<Diag> errors = shell.diagnostics(run).filter(Diag::isError).toList();
        List<String> lines = new ArrayList<>();
        String first = null;
        for (Diag diag : errors) {
            long start = diag.getStartPosition() >= 0 ? diag.getStartPosition() : Math.max(0, diag.getPosition());
            long end = Math.max(start, diag.getEndPosition());
            int from = snippet.offset() + (int) start;
            List<String> message = diag.getMessage(null).lines().toList();
            if (first == null) {
                first = message.isEmpty() ? "" : message.get(0);
            }
            lines.add(errorStyler.secondary("cell [" + cell + "], line " + CellSnippets.lineOf(code, from) + ": error: "
                    + (message.isEmpty() ? "" : message.get(0))));
            message.stream().skip(1).forEach(lines::add);
            lines.addAll(CellSnippets.pointAt(code, from, snippet.offset() + (int) end));
        }
        if (errors.isEmpty()) {
            first = "JShell rejected the snippet";
            lines.add(errorStyler.secondary("cell [" + cell + "], line " + CellSnippets.lineOf(code, snippet.offset()) + ": " + first));
            lines.addAll(CellSnippets.pointAt(code, snippet.offset(), snippet.offset() + 1));
        }
        return new CompilationException(first, lines);
    }

    private EvaluationException evaluationError(JShellException failure) {
        List<String> lines = new ArrayList<>();
        String headline = headline(failure);
        lines.add(errorStyler.secondary(headline));
        addFrames(failure, lines);
        Set<Throwable> seen = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        seen.add(failure);
        Throwable cause = failure.getCause();
        for (int depth = 0; cause != null && seen.add(cause) && depth < MAX_CAUSES; depth++) {
            lines.add("Caused by: " + headline(cause));
            addFrames(cause, lines);
            cause = cause.getCause();
        }
        return new EvaluationException(headline, lines);
    }

    private EvaluationException exitError(String call, JShellException failure, String where) {
        String headline = ExitGuard.message(call);
        List<String> lines = new ArrayList<>();
        lines.add(errorStyler.secondary(headline));
        if (failure != null) {
            addFrames(failure, lines);
            // The guard's and the JDK's exit frames say nothing to the user.
            lines.removeIf(line -> line.contains("dev.edgepopup.kernel.ExitGuard") || line.contains("java.lang.Runtime.")
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
            return describe(declaration) + " cannot be used until "
                    + shell.unresolvedDependencies(declaration).collect(Collectors.joining(", ")) + " is declared";
        }
        String type = failure instanceof EvalException thrown ? thrown.getExceptionClassName() : failure.getClass().getName();
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
            for (int block = 1; block <= MAX_REPEAT_BLOCK && i + 2 * block <= lines.size(); block++) {
                List<String> first = lines.subList(i, i + block);
                int repeats = 1;
                while (i + (repeats + 1) * block <= lines.size()
                        && lines.subList(i + repeats * block, i + (repeats + 1) * block).equals(first)) {
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
                collapsed.add(String.format("    ... (previous %s repeated %,d more times)",
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
        String where = "cell [" + origin.cell() + "], line " + (origin.line() + frame.getLineNumber() - 1);
        String name = frame.getClassName().isEmpty() ? frame.getMethodName() : frame.getClassName() + "." + frame.getMethodName();
        return name.isEmpty() ? where : name + "(" + where + ")";
    }

    private static String describe(DeclarationSnippet declaration) {
        return switch (declaration.kind()) {
            case METHOD -> "method " + declaration.name() + "(" + ((MethodSnippet) declaration).parameterTypes() + ")";
            case VAR -> "variable " + declaration.name();
            default -> "type " + declaration.name();
        };
    }

    private DisplayData render(Object value) {
        // basekernel's renderer cannot take null.
        return value == null ? new DisplayData("null") : getRenderer().render(value);
    }

    @Override
    public List<String> formatError(Exception e) {
        return e instanceof CellException failure ? failure.traceback() : super.formatError(e);
    }

    @Override
    public ReplacementOptions complete(String code, int at) {
        // Jupyter counts code points, Java strings count UTF-16 chars.
        int cursor = code.offsetByCodePoints(0, Math.min(at, code.codePointCount(0, code.length())));
        CellSnippets.Snippet around = CellSnippets.around(analysis, code, cursor);
        if (around == null) {
            return null;
        }
        int[] anchor = new int[1];
        List<String> options = analysis.completionSuggestions(around.source(), cursor - around.offset(), anchor).stream()
                .sorted(Comparator.comparing((Suggestion s) -> !s.matchesType()))
                .map(Suggestion::continuation)
                .distinct()
                .toList();
        int start = around.offset() + anchor[0];
        return new ReplacementOptions(options, code.codePointCount(0, start), code.codePointCount(0, cursor));
    }

    @Override
    public DisplayData inspect(String code, int at, boolean extraDetail) {
        int cursor = code.offsetByCodePoints(0, Math.min(at, code.codePointCount(0, code.length())));
        CellSnippets.Snippet around = CellSnippets.around(analysis, code, cursor);
        if (around == null) {
            return null;
        }
        String text = analysis.documentation(around.source(), cursor - around.offset(), extraDetail).stream()
                .map(doc -> doc.javadoc() == null ? doc.signature() : doc.signature() + "\n" + doc.javadoc())
                .collect(Collectors.joining("\n\n"));
        return text.isEmpty() ? null : new DisplayData(text);
    }

    @Override
    public String isComplete(String code) {
        String rest = code;
        while (true) {
            SourceCodeAnalysis.CompletionInfo info = analysis.analyzeCompletion(rest);
            switch (info.completeness()) {
                case EMPTY:
                    return IS_COMPLETE_YES;
                case DEFINITELY_INCOMPLETE:
                case CONSIDERED_INCOMPLETE:
                    // Jupyter consoles indent the next line with this.
                    return "    ";
                case UNKNOWN:
                    return IS_COMPLETE_BAD;
                default:
                    if (info.remaining().isBlank()) {
                        return IS_COMPLETE_YES;
                    }
                    rest = info.remaining();
            }
        }
    }

    /**
     * Interrupts the running cell through JShell's stop, which {@link InProcessExecutionControl}
     * turns into {@link Thread#interrupt()} of the snippet thread.
     */
    @Override
    public void interrupt() {
        if (evaluating) {
            shell.stop();
        }
    }

    @Override
    public void onShutdown(boolean isRestarting) {
        interrupt();
    }

    /** Closes JShell and detaches {@link Display}. */
    @Override
    public void close() {
        Display.setSink(null);
        output.close();
        shell.close();
    }

    /** Publishes {@link Display} calls of the running cell as display_data / update_display_data. */
    private final class KernelSink implements Display.Sink {
        @Override
        public void show(Object value, String displayId) {
            DisplayData data = render(value);
            data.setDisplayId(displayId);
            output.inOrder(() -> getIO().display.display(data));
        }

        @Override
        public void update(Object value, String displayId) {
            DisplayData data = render(value);
            output.inOrder(() -> getIO().display.updateDisplay(displayId, data));
        }
    }
}
