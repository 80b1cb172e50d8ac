package dev.edgepopup.kernel;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.edgepopup.display.Display;
import dev.edgepopup.display.Renderers;
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
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import jdk.jshell.DeclarationSnippet;
import jdk.jshell.JShell;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.SourceCodeAnalysis;
import jdk.jshell.SourceCodeAnalysis.Suggestion;

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

    /** Extensions {@code %load} tries after the name as given, as IJava does. */
    private static final List<String> LOAD_EXTENSIONS =
            List.of(".jsh", ".jshell", ".java", ".ijava", ".ipynb");

    private static final List<String> LINE_MAGICS =
            List.of(
                    "maven",
                    "addMavenDependency",
                    "addMavenDependencies",
                    "mavenRepo",
                    "addMavenRepo",
                    "loadFromPOM",
                    "jars",
                    "classpath",
                    "load",
                    "time");
    private static final List<String> CELL_MAGICS = List.of("loadFromPOM", "time");

    /** The magics this kernel has, for the error about one it has not. */
    private static final String MAGICS =
            "Line magics: %maven (also %addMavenDependency, %addMavenDependencies), %mavenRepo"
                    + " (also %addMavenRepo), %loadFromPOM, %jars, %classpath, %load, %time. Cell"
                    + " magics: %%loadFromPOM, %%time.";

    /**
     * Code to run and the name its errors give, e.g. {@code cell [3]} or a {@code %load}ed file.
     *
     * @param where the name
     * @param text the code, magics included
     */
    private record Source(String where, String text) {}

    /** The value of the last snippet of a cell, if it has one. */
    private static final class Value {
        private boolean present;
        private Object object;

        void set(Object value, boolean isValue) {
            object = value;
            present = isValue;
        }

        void clear() {
            set(null, false);
        }
    }

    /** Work that runs cell code. */
    @FunctionalInterface
    private interface CellWork {
        void run() throws CellException;
    }

    private final JShell shell;
    private final SourceCodeAnalysis analysis;
    private final InProcessExecutionControl control;
    private final CellErrors errors;
    private final List<String> imports;
    private final CellOutput output;
    private final ClassPathMagics classPath;

    /** Files being {@code %load}ed, to refuse one that loads itself. */
    private final Set<Path> loading = new java.util.HashSet<>();

    private volatile boolean evaluating;

    /**
     * Starts JShell and imports the default packages; no connection is needed for {@link #eval}.
     */
    public EdgePopupKernel() {
        super(StandardCharsets.UTF_8);
        AtomicReference<InProcessExecutionControl> created = new AtomicReference<>();
        this.shell =
                JShell.builder()
                        .executionEngine(
                                InProcessExecutionControl.provider(
                                        EdgePopupKernel.class.getClassLoader(), created::set),
                                Map.of())
                        // JShell compiles against java.class.path by default; a --class-path option
                        // would
                        // hide what addToClasspath (the magics) adds later.
                        .build();
        this.control = created.get();
        this.analysis = shell.sourceCodeAnalysis();
        this.errors = new CellErrors(shell, line -> errorStyler.secondary(line));
        this.imports = importDefaults();
        this.output =
                new CellOutput(
                        this::publishStream, CellOutput.configuredLimit(), CellOutput.FLUSH_MILLIS);
        List<Path> classPathEntries =
                java.util.Arrays.stream(
                                System.getProperty("java.class.path")
                                        .split(java.io.File.pathSeparator))
                        .filter(entry -> !entry.isEmpty())
                        .map(Path::of)
                        .toList();
        this.classPath =
                new ClassPathMagics(
                        shell::addToClasspath,
                        classPathEntries,
                        Path.of(System.getProperty("user.home"), ".m2", "settings.xml"));
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
        System.setProperty(
                "java.util.logging.SimpleFormatter.format", "%1$tT %4$s %3$s: %5$s%6$s%n");
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
            boolean valid =
                    shell.eval("import " + name + ";").stream()
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
        try (BufferedReader reader =
                new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            return reader.lines()
                    .map(String::strip)
                    .filter(line -> !line.isEmpty() && !line.startsWith("#"))
                    .toList();
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
            Value value = new Value();
            run(new Source("cell [" + cell + "]", code), value);
            // printf and friends return their stream: its toString is noise, not a result.
            if (!value.present || value.object instanceof PrintStream) {
                return null;
            }
            return render(value.object);
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

    /** Runs a cell or a loaded file: its cell magic, or its code with the line magics between. */
    private void run(Source source, Value value) throws CellException {
        MagicSyntax.Parsed parsed = MagicSyntax.parse(source.text());
        MagicSyntax.Magic magic = parsed.cellMagic();
        if (magic == null) {
            runLines(source, parsed, value);
            return;
        }
        switch (magic.name()) {
            case "time" -> timed(() -> runLines(source, parsed, value));
            case "loadFromPOM" -> {
                try {
                    classPath.loadFromPom(
                            magic.args(), source.text().substring(parsed.codeStart()));
                } catch (MagicException e) {
                    throw errors.magic(source.where(), source.text(), magic, e.getMessage());
                }
                value.clear();
            }
            default ->
                    throw errors.magic(
                            source.where(), source.text(), magic, "unknown cell magic. " + MAGICS);
        }
    }

    private void runLines(Source source, MagicSyntax.Parsed parsed, Value value)
            throws CellException {
        int at = parsed.codeStart();
        for (MagicSyntax.Magic magic : parsed.lineMagics()) {
            runCode(source, parsed.code(), at, magic.start(), value);
            runLineMagic(source, parsed, magic, value);
            at = magic.end();
        }
        runCode(source, parsed.code(), at, parsed.code().length(), value);
    }

    private void runCode(Source source, String code, int from, int to, Value value)
            throws CellException {
        for (CellSnippets.Snippet snippet : CellSnippets.split(analysis, code, from, to)) {
            Snippet run = evalSnippet(source, code, snippet);
            value.set(
                    control.takeValue(),
                    run.subKind() == Snippet.SubKind.TEMP_VAR_EXPRESSION_SUBKIND
                            || run.subKind() == Snippet.SubKind.VAR_VALUE_SUBKIND);
        }
    }

    private void runLineMagic(
            Source source, MagicSyntax.Parsed parsed, MagicSyntax.Magic magic, Value value)
            throws CellException {
        if (magic.cellMagic()) {
            throw errors.magic(
                    source.where(),
                    source.text(),
                    magic,
                    "a cell magic must be the first line of its cell");
        }
        try {
            switch (magic.name()) {
                case "time" -> {
                    if (magic.args().isEmpty()) {
                        throw new MagicException(
                                "usage: %time STATEMENT (or %%time on a cell's first line to time"
                                        + " the cell)");
                    }
                    timed(
                            () ->
                                    runCode(
                                            source,
                                            parsed.code(),
                                            magic.argsStart(),
                                            magic.end(),
                                            value));
                    return;
                }
                case "load" -> load(magic.args());
                case "jars" -> classPath.jars(magic.args());
                case "classpath" -> classPath.classpath(magic.args());
                case "maven", "addMavenDependency", "addMavenDependencies" ->
                        classPath.maven(magic.args());
                case "mavenRepo", "addMavenRepo" -> classPath.mavenRepo(magic.args());
                case "loadFromPOM" -> classPath.loadFromPom(magic.args(), null);
                default -> throw new MagicException("unknown magic. " + MAGICS);
            }
        } catch (MagicException e) {
            throw errors.magic(source.where(), source.text(), magic, e.getMessage());
        }
        value.clear();
    }

    /** Runs cell code and prints its CPU and wall time after it, even when it fails. */
    private static void timed(CellWork work) throws CellException {
        CellTimer timer = new CellTimer();
        try {
            work.run();
        } finally {
            System.out.println(timer.report());
        }
    }

    /**
     * {@code %load FILE}: runs a file of snippets (magics included), or a notebook's code cells.
     */
    private void load(List<String> args) throws MagicException, CellException {
        if (args.size() != 1) {
            throw new MagicException(
                    "usage: %load FILE (snippets or a notebook; "
                            + String.join(", ", LOAD_EXTENSIONS)
                            + " are tried after the name as given)");
        }
        Path file = loadable(ClassPathMagics.path(args.get(0)));
        Path real;
        String text;
        try {
            real = file.toRealPath();
            text = Files.readString(real);
        } catch (IOException e) {
            throw new MagicException("cannot read " + file + ": " + e);
        }
        if (!loading.add(real)) {
            throw new MagicException(file + " is already being loaded: it loads itself");
        }
        try {
            Value ignored = new Value();
            String name = file.getFileName().toString();
            if (!name.endsWith(".ipynb")) {
                run(new Source(name, text), ignored);
                return;
            }
            List<String> cells = notebookCode(text, file);
            for (int i = 0; i < cells.size(); i++) {
                run(new Source(name + " cell " + (i + 1), cells.get(i)), ignored);
            }
        } finally {
            loading.remove(real);
        }
    }

    /**
     * The file as named, else with a snippet file's extension or {@code .ipynb} added, as IJava
     * tries them.
     */
    private static Path loadable(Path named) throws MagicException {
        if (Files.isRegularFile(named)) {
            return named;
        }
        for (String extension : LOAD_EXTENSIONS) {
            Path candidate = named.resolveSibling(named.getFileName() + extension);
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new MagicException(
                "no file "
                        + named.toAbsolutePath()
                        + " (also tried "
                        + String.join(", ", LOAD_EXTENSIONS)
                        + ")");
    }

    /** The code cells of a notebook, in order. */
    private static List<String> notebookCode(String json, Path file) throws MagicException {
        List<String> code = new ArrayList<>();
        try {
            for (JsonElement cell :
                    JsonParser.parseString(json).getAsJsonObject().getAsJsonArray("cells")) {
                JsonObject object = cell.getAsJsonObject();
                if ("code".equals(object.get("cell_type").getAsString())) {
                    JsonElement source = object.get("source");
                    StringBuilder text = new StringBuilder();
                    if (source.isJsonArray()) {
                        source.getAsJsonArray().forEach(line -> text.append(line.getAsString()));
                    } else {
                        text.append(source.getAsString());
                    }
                    code.add(text.toString());
                }
            }
        } catch (RuntimeException e) {
            throw new MagicException(file + " is not a notebook: " + e.getMessage());
        }
        return code;
    }

    private Snippet evalSnippet(Source source, String code, CellSnippets.Snippet snippet)
            throws CellException {
        List<SnippetEvent> events = shell.eval(snippet.source());
        // The first event without a cause is the snippet itself; the rest are snippets it updated.
        SnippetEvent event =
                events.stream()
                        .filter(e -> e.causeSnippet() == null)
                        .findFirst()
                        .orElseThrow(
                                () ->
                                        new IllegalStateException(
                                                "JShell reported no event for "
                                                        + snippet.source()));
        Snippet run = event.snippet();
        errors.origin(run.id(), source.where(), CellSnippets.lineOf(code, snippet.offset()));
        if (event.status() == Snippet.Status.REJECTED) {
            throw errors.compilation(source.where(), code, snippet, run);
        }
        String exit = ExitGuard.takeRefused();
        if (exit != null) {
            // Also when the snippet caught the refusal: the rest of the cell must not run.
            throw errors.exit(
                    exit,
                    event.exception(),
                    source.where() + ", line " + CellSnippets.lineOf(code, snippet.offset()));
        }
        if (event.exception() != null) {
            throw errors.evaluation(event.exception());
        }
        if (event.status() == Snippet.Status.RECOVERABLE_DEFINED
                || event.status() == Snippet.Status.RECOVERABLE_NOT_DEFINED) {
            DeclarationSnippet declaration = (DeclarationSnippet) run;
            System.err.println(
                    "note: "
                            + CellErrors.describe(declaration)
                            + " can be used once "
                            + shell.unresolvedDependencies(declaration)
                                    .collect(Collectors.joining(", "))
                            + " is declared");
        }
        return run;
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
        int cursor =
                code.offsetByCodePoints(0, Math.min(at, code.codePointCount(0, code.length())));
        MagicSyntax.Parsed parsed = MagicSyntax.parse(code);
        MagicSyntax.Magic named = magicNamedAt(parsed, cursor);
        if (named != null) {
            int nameStart = named.start() + (named.cellMagic() ? 2 : 1);
            String typed = code.substring(nameStart, cursor);
            List<String> names =
                    (named.cellMagic() ? CELL_MAGICS : LINE_MAGICS)
                            .stream().filter(n -> n.startsWith(typed)).toList();
            return new ReplacementOptions(
                    names, code.codePointCount(0, nameStart), code.codePointCount(0, cursor));
        }
        CellSnippets.Snippet around = javaAround(parsed, cursor);
        if (around == null) {
            return null;
        }
        int[] anchor = new int[1];
        List<String> options =
                analysis
                        .completionSuggestions(around.source(), cursor - around.offset(), anchor)
                        .stream()
                        .sorted(Comparator.comparing((Suggestion s) -> !s.matchesType()))
                        .map(Suggestion::continuation)
                        .distinct()
                        .toList();
        int start = around.offset() + anchor[0];
        return new ReplacementOptions(
                options, code.codePointCount(0, start), code.codePointCount(0, cursor));
    }

    @Override
    public DisplayData inspect(String code, int at, boolean extraDetail) {
        int cursor =
                code.offsetByCodePoints(0, Math.min(at, code.codePointCount(0, code.length())));
        CellSnippets.Snippet around = javaAround(MagicSyntax.parse(code), cursor);
        if (around == null) {
            return null;
        }
        String text =
                analysis
                        .documentation(around.source(), cursor - around.offset(), extraDetail)
                        .stream()
                        .map(
                                doc ->
                                        doc.javadoc() == null
                                                ? doc.signature()
                                                : doc.signature() + "\n" + doc.javadoc())
                        .collect(Collectors.joining("\n\n"));
        return text.isEmpty() ? null : new DisplayData(text);
    }

    /** The magic whose name the cursor is in, or null. */
    private static MagicSyntax.Magic magicNamedAt(MagicSyntax.Parsed parsed, int cursor) {
        List<MagicSyntax.Magic> magics = new ArrayList<>(parsed.lineMagics());
        if (parsed.cellMagic() != null) {
            magics.add(parsed.cellMagic());
        }
        for (MagicSyntax.Magic magic : magics) {
            int nameStart = magic.start() + (magic.cellMagic() ? 2 : 1);
            if (cursor >= nameStart && cursor <= nameStart + magic.name().length()) {
                return magic;
            }
        }
        return null;
    }

    /** The Java snippet around the cursor, between the magics; null on a magic or in a POM. */
    private CellSnippets.Snippet javaAround(MagicSyntax.Parsed parsed, int cursor) {
        if (parsed.cellMagic() != null && !MagicSyntax.isTime(parsed.cellMagic())) {
            return null;
        }
        int[] region = parsed.codeAround(cursor);
        return region == null
                ? null
                : CellSnippets.around(analysis, parsed.code(), region[0], region[1], cursor);
    }

    @Override
    public String isComplete(String code) {
        MagicSyntax.Parsed parsed = MagicSyntax.parse(code);
        if (parsed.cellMagic() != null && !MagicSyntax.isTime(parsed.cellMagic())) {
            return IS_COMPLETE_YES;
        }
        // What follows the last magic decides: a magic line itself is always complete.
        int from = parsed.codeStart();
        for (MagicSyntax.Magic magic : parsed.lineMagics()) {
            from = MagicSyntax.isTime(magic) ? magic.argsStart() : magic.end();
        }
        String rest = parsed.code().substring(from);
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
        classPath.close();
        shell.close();
    }

    /**
     * Publishes {@link Display} calls of the running cell as display_data / update_display_data.
     */
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
