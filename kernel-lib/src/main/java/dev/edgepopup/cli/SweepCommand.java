package dev.edgepopup.cli;

import dev.edgepopup.data.Datasets;
import dev.edgepopup.data.MissingDataException;
import dev.edgepopup.display.Display;
import dev.edgepopup.display.Renderers;
import dev.edgepopup.init.Init;
import dev.edgepopup.io.InterruptOnExit;
import dev.edgepopup.nn.Precision;
import dev.edgepopup.store.RunStatus;
import dev.edgepopup.store.RunStore;
import dev.edgepopup.store.StoreException;
import dev.edgepopup.sweep.Approach;
import dev.edgepopup.sweep.Local;
import dev.edgepopup.sweep.Slurm;
import dev.edgepopup.sweep.Sweep;
import dev.edgepopup.sweep.SweepResult;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * {@code bin/sweep}: trains a grid of runs into a run store, in this JVM or, with {@code --slurm},
 * as a Slurm job array submitted from a login node and watched until every run ended: {@code
 * bin/sweep --grid grid.txt --slurm --partition gpu --gpus-per-run 1 --time 12:00:00}. The grid
 * file names what a notebook's {@link Sweep} names, so the notebook finds the runs in the store.
 * See {@link #USAGE}.
 *
 * <p>Exit status: 0 every run finished (or, with {@code --detach}, was submitted), 1 a run failed
 * or was stopped, or a run-time error, 2 invalid arguments or grid.
 */
public final class SweepCommand {
    /** The text {@code --help} prints. */
    public static final String USAGE =
            String.join(
                    "\n",
                    "Usage: sweep --grid FILE [--store URL] [--slurm [Slurm options]] [--detach |"
                            + " --status]",
                    "",
                    "Trains every run of a grid into a run store: in this JVM, or with --slurm as"
                            + " one",
                    "Slurm job array (a task per run) that it watches until every run has ended."
                            + " Runs",
                    "the store has finished are skipped and cut-short ones continue, so the same",
                    "command resumes a sweep. Ctrl-C stops it (with --slurm: scancel of its"
                            + " tasks).",
                    "",
                    "Grid file: one 'name = value' a line, lists separated by commas, # comments:",
                    "  nets = fc, conv4        widths = 1, 2       keeps = 0.3, 0.5, 0.7",
                    "  inits = signed-constant, kaiming-normal      (bin/train's --init names)",
                    "  methods = edge-popup, dense-sgd, dense-adam, zhou",
                    "  seeds = 1, 2, 3         epochs = 100        (default: the paper's recipe)",
                    "  dataset = cifar10 | fashion-mnist            train-images = N  test-images ="
                            + " N",
                    "  precision = fastest | fp32 | bf16            store = JDBC URL",
                    "  checkpoints = DIR       (on storage every node reads; default: the store's)",
                    "",
                    "Options:",
                    "  --grid FILE          the grid (required)",
                    "  --store URL          the run store, e.g."
                            + " jdbc:postgresql://db/edgepopup?user=me",
                    "                       (default: the grid's, else runs/runs.db)",
                    "  --checkpoints DIR    where checkpoints go (default: the grid's, else the"
                            + " store's)",
                    "  --status             print what the store holds of the grid; train nothing",
                    "  --detach             with --slurm: submit, print the job, and exit",
                    "  --slurm              train on a Slurm cluster; then:",
                    "    --partition P  --account A  --time LIMIT  --cpus-per-run N  --mem SIZE",
                    "    --gpus-per-run N (--gres=gpu:N)  or  --gpus-per-task N  --throttle N (%N)",
                    "    --sbatch OPTION    one more #SBATCH line, e.g. --sbatch=--qos=long"
                            + " (repeatable)",
                    "    --java PATH  --class-path CP  --jvm-option OPT (repeatable)",
                    "    --env NAME=VALUE   a variable on the nodes (repeatable)  --logs DIR",
                    "  --help               print this text",
                    "",
                    "Exit status: 0 every run finished (or was submitted), 1 a run failed or was",
                    "stopped, or an error, 2 invalid arguments or grid.",
                    "");

    private static final Set<String> FLAGS = Set.of("--slurm", "--detach", "--status", "--help");
    private static final Set<String> REPEATED = Set.of("--sbatch", "--jvm-option", "--env");

    /** The options that shape the Slurm job: they need --slurm. */
    private static final Set<String> SLURM_VALUED =
            Set.of(
                    "--partition",
                    "--account",
                    "--time",
                    "--cpus-per-run",
                    "--mem",
                    "--gpus-per-run",
                    "--gpus-per-task",
                    "--throttle",
                    "--java",
                    "--class-path",
                    "--logs",
                    "--sbatch",
                    "--jvm-option",
                    "--env");

    private static final Set<String> VALUED =
            Stream.concat(Stream.of("--grid", "--store", "--checkpoints"), SLURM_VALUED.stream())
                    .collect(Collectors.toUnmodifiableSet());

    private static final Set<String> GRID_KEYS =
            Set.of(
                    "nets",
                    "widths",
                    "keeps",
                    "inits",
                    "methods",
                    "seeds",
                    "epochs",
                    "dataset",
                    "train-images",
                    "test-images",
                    "precision",
                    "store",
                    "checkpoints");
    private static final String FASHION_MNIST = "fashion-mnist";
    private static final String CIFAR10 = "cifar10";

    private SweepCommand() {}

    /**
     * Runs {@link #run} on the process's streams and exits with its status.
     *
     * @param args the command line
     */
    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /**
     * @param args the command line
     * @param out the progress and the results
     * @param err errors, one line starting with {@code sweep: }
     * @return the exit status
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        Map<String, List<String>> o;
        Map<String, String> grid;
        Sweep sweep;
        try {
            o = options(args);
            if (o.containsKey("--help")) {
                out.print(USAGE);
                return 0;
            }
            if (!o.containsKey("--grid")) {
                throw new IllegalArgumentException("--grid FILE is required (see --help)");
            }
            grid = grid(Path.of(one(o, "--grid")));
            sweep = sweep(grid);
        } catch (IllegalArgumentException e) {
            return fail(err, 2, e.getMessage());
        } catch (IOException e) {
            return fail(err, 2, "cannot read the grid: " + e.getMessage());
        }
        String url =
                o.containsKey("--store")
                        ? one(o, "--store")
                        : grid.getOrDefault(
                                "store",
                                "jdbc:sqlite:" + Path.of("runs", "runs.db").toAbsolutePath());
        String dir =
                o.containsKey("--checkpoints") ? one(o, "--checkpoints") : grid.get("checkpoints");
        try (RunStore store = dir == null ? RunStore.open(url) : RunStore.open(url, Path.of(dir))) {
            sweep.data(data(grid)).store(store);
            if (o.containsKey("--status")) {
                SweepResult r = sweep.results();
                out.println(r.summary());
                out.println(r.runs().print());
                return 0;
            }
            sweep.on(o.containsKey("--slurm") ? slurm(o) : Local.auto());
            out.println(Sweep.plan(sweep));
            Display.setSink(new Printer(out));
            SweepResult r;
            // Ctrl-C: the sweep stops its runs (scancel on Slurm) and the result still prints.
            try (InterruptOnExit ignored = new InterruptOnExit(Duration.ofMinutes(3))) {
                r = sweep.progress(true).run();
            } finally {
                Display.setSink(null);
            }
            if (o.containsKey("--detach")) {
                out.println(
                        "submitted; run the same command again to watch the runs and get "
                                + "their results, or with --status to see where they stand");
                return 0;
            }
            out.println(r);
            boolean all =
                    r.records().size() == r.planned()
                            && r.records().stream().allMatch(x -> x.status() == RunStatus.FINISHED);
            return all ? 0 : 1;
        } catch (IllegalArgumentException e) {
            return fail(err, 2, e.getMessage());
        } catch (MissingDataException | StoreException | IllegalStateException e) {
            return fail(
                    err,
                    1,
                    e.getMessage()
                            + (e.getCause() == null ? "" : " (" + e.getCause().getMessage() + ")"));
        }
    }

    /** Prints the sweep's display as it changes, not for every new time estimate. */
    private static final class Printer implements Display.Sink {
        private final PrintStream out;
        private String last = "";

        Printer(PrintStream out) {
            this.out = out;
        }

        @Override
        public void show(Object value, String displayId) {
            String text = String.valueOf(Renderers.render(value).get(Renderers.TEXT_PLAIN));
            String steady = text.replaceAll(", about [^,\\n]* left", "");
            if (!steady.equals(last)) {
                last = steady;
                out.println(text);
                out.println();
                out.flush();
            }
        }

        @Override
        public void update(Object value, String displayId) {
            show(value, displayId);
        }
    }

    private static Slurm slurm(Map<String, List<String>> o) {
        Slurm s =
                o.containsKey("--partition")
                        ? Slurm.partition(one(o, "--partition"))
                        : Slurm.cluster();
        if (o.containsKey("--account")) {
            s = s.account(one(o, "--account"));
        }
        if (o.containsKey("--time")) {
            s = s.time(one(o, "--time"));
        }
        if (o.containsKey("--cpus-per-run")) {
            s = s.cpusPerRun(count(o, "--cpus-per-run"));
        }
        if (o.containsKey("--mem")) {
            s = s.memoryPerRun(one(o, "--mem"));
        }
        if (o.containsKey("--gpus-per-run")) {
            s = s.gpusPerRun(count(o, "--gpus-per-run"));
        }
        if (o.containsKey("--gpus-per-task")) {
            s = s.gpusPerTask(count(o, "--gpus-per-task"));
        }
        if (o.containsKey("--throttle")) {
            s = s.throttle(count(o, "--throttle"));
        }
        if (o.containsKey("--sbatch")) {
            s = s.sbatch(o.get("--sbatch").toArray(String[]::new));
        }
        if (o.containsKey("--java")) {
            s = s.java(Path.of(one(o, "--java")));
        }
        if (o.containsKey("--class-path")) {
            s = s.classPath(one(o, "--class-path"));
        }
        if (o.containsKey("--jvm-option")) {
            s = s.jvmOptions(o.get("--jvm-option").toArray(String[]::new));
        }
        for (String e : o.getOrDefault("--env", List.of())) {
            int eq = e.indexOf('=');
            if (eq < 1) {
                throw new IllegalArgumentException("--env takes NAME=VALUE, got " + e);
            }
            s = s.env(e.substring(0, eq), e.substring(eq + 1));
        }
        if (o.containsKey("--logs")) {
            s = s.logs(Path.of(one(o, "--logs")));
        }
        return o.containsKey("--detach") ? s.detached() : s;
    }

    /**
     * @param args the command line; {@code --name value} and {@code --name=value} both work
     * @return each option's values in order
     */
    static Map<String, List<String>> options(String[] args) {
        Map<String, List<String>> o = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i].equals("-h") ? "--help" : args[i];
            int eq = arg.indexOf('=');
            String name = eq < 0 ? arg : arg.substring(0, eq);
            if (FLAGS.contains(name) && eq < 0) {
                o.put(name, List.of());
                continue;
            }
            if (!VALUED.contains(name)) {
                throw new IllegalArgumentException("unknown option " + arg + " (see --help)");
            }
            String value;
            if (eq >= 0) {
                value = arg.substring(eq + 1);
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                throw new IllegalArgumentException(name + " needs a value (see --help)");
            }
            List<String> values = o.computeIfAbsent(name, n -> new ArrayList<>());
            if (!values.isEmpty() && !REPEATED.contains(name)) {
                throw new IllegalArgumentException(name + " is given twice");
            }
            values.add(value);
        }
        if (o.containsKey("--detach") && !o.containsKey("--slurm")) {
            throw new IllegalArgumentException(
                    "--detach goes with --slurm: a local sweep ends with this command");
        }
        boolean slurmOptions = o.keySet().stream().anyMatch(SLURM_VALUED::contains);
        if (slurmOptions && !o.containsKey("--slurm")) {
            throw new IllegalArgumentException("Slurm options need --slurm (see --help)");
        }
        return o;
    }

    /**
     * Reads a grid file.
     *
     * @param file the file
     * @return its names and values
     * @throws IOException if it cannot be read
     * @throws IllegalArgumentException naming the line that is wrong
     */
    static Map<String, String> grid(Path file) throws IOException {
        Map<String, String> grid = new LinkedHashMap<>();
        List<String> lines = Files.readAllLines(file);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).replaceFirst("\\s*#.*", "").strip();
            if (line.isEmpty()) {
                continue;
            }
            int eq = line.indexOf('=');
            String name = eq < 0 ? line : line.substring(0, eq).strip().toLowerCase(Locale.ROOT);
            if (eq < 0 || !GRID_KEYS.contains(name)) {
                throw new IllegalArgumentException(
                        file
                                + " line "
                                + (i + 1)
                                + ": expected "
                                + "'name = value' with a name of "
                                + String.join(", ", GRID_KEYS.stream().sorted().toList())
                                + "; got '"
                                + line
                                + "'");
            }
            if (grid.put(name, line.substring(eq + 1).strip()) != null) {
                throw new IllegalArgumentException(
                        file + " line " + (i + 1) + ": " + name + " is given twice");
            }
        }
        return grid;
    }

    /**
     * The sweep a grid names, without its data and store.
     *
     * @param grid the grid's names and values
     * @return the sweep
     * @throws IllegalArgumentException naming the value that is wrong
     */
    static Sweep sweep(Map<String, String> grid) {
        Sweep s = Sweep.over();
        if (grid.containsKey("nets")) {
            s.nets(
                    list(grid, "nets").stream()
                            .map(n -> n.toLowerCase(Locale.ROOT))
                            .toArray(String[]::new));
        }
        if (grid.containsKey("widths")) {
            s.widths(numbers(grid, "widths"));
        }
        if (grid.containsKey("keeps")) {
            s.keeps(numbers(grid, "keeps"));
        }
        if (grid.containsKey("inits")) {
            List<Init> inits = new ArrayList<>();
            for (String name : list(grid, "inits")) {
                try {
                    inits.add(Init.parse(name));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("inits: " + e.getMessage());
                }
            }
            s.inits(inits.toArray(Init[]::new));
        }
        if (grid.containsKey("methods")) {
            List<Approach> methods = new ArrayList<>();
            for (String name : list(grid, "methods")) {
                methods.add(
                        Arrays.stream(Approach.values())
                                .filter(a -> a.label().equalsIgnoreCase(name))
                                .findFirst()
                                .orElseThrow(
                                        () ->
                                                new IllegalArgumentException(
                                                        "methods: unknown '"
                                                                + name
                                                                + "'; use edge-popup, dense-sgd,"
                                                                + " dense-adam or zhou")));
            }
            s.approaches(methods.toArray(Approach[]::new));
        }
        if (grid.containsKey("seeds")) {
            s.seeds(
                    list(grid, "seeds").stream()
                            .mapToLong(
                                    v -> {
                                        try {
                                            return Long.parseLong(v);
                                        } catch (NumberFormatException e) {
                                            throw new IllegalArgumentException(
                                                    "seeds are whole numbers, got " + v);
                                        }
                                    })
                            .toArray());
        }
        if (grid.containsKey("epochs")) {
            int epochs = (int) numbers(grid, "epochs")[0];
            if (epochs < 1 || numbers(grid, "epochs").length != 1) {
                throw new IllegalArgumentException(
                        "epochs is one number >= 1, got " + grid.get("epochs"));
            }
            s.recipe(r -> r.epochs(epochs));
        }
        String precision = grid.getOrDefault("precision", "fastest");
        if (!precision.equalsIgnoreCase("fastest")) {
            s.precision(Precision.parse(precision));
        }
        String dataset = grid.getOrDefault("dataset", FASHION_MNIST);
        if (!dataset.equals(FASHION_MNIST) && !dataset.equals(CIFAR10)) {
            throw new IllegalArgumentException(
                    "dataset: use fashion-mnist or cifar10, got " + dataset);
        }
        images(grid, "train-images");
        images(grid, "test-images");
        return s;
    }

    /** The grid's data set, cut to its image counts as a notebook's {@code limit} does. */
    private static Datasets.Data data(Map<String, String> grid) {
        Datasets.Data all =
                grid.getOrDefault("dataset", FASHION_MNIST).equals(CIFAR10)
                        ? Datasets.cifar10()
                        : Datasets.fashionMnist();
        return all.limit(images(grid, "train-images"), images(grid, "test-images"));
    }

    private static int images(Map<String, String> grid, String name) {
        if (!grid.containsKey(name)) {
            return Integer.MAX_VALUE;
        }
        try {
            int n = Integer.parseInt(grid.get(name).replace("_", ""));
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new IllegalArgumentException(name + " is a whole number >= 1, got " + grid.get(name));
    }

    private static List<String> list(Map<String, String> grid, String name) {
        List<String> values =
                Arrays.stream(grid.get(name).split(","))
                        .map(String::strip)
                        .filter(v -> !v.isEmpty())
                        .toList();
        if (values.isEmpty()) {
            throw new IllegalArgumentException(name + " has no value");
        }
        return values;
    }

    private static double[] numbers(Map<String, String> grid, String name) {
        return list(grid, name).stream()
                .mapToDouble(
                        v -> {
                            try {
                                return Double.parseDouble(v);
                            } catch (NumberFormatException e) {
                                throw new IllegalArgumentException(name + " are numbers, got " + v);
                            }
                        })
                .toArray();
    }

    private static String one(Map<String, List<String>> o, String name) {
        return o.get(name).get(0);
    }

    private static int count(Map<String, List<String>> o, String name) {
        try {
            return Integer.parseInt(one(o, name));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " needs a whole number, got " + one(o, name));
        }
    }

    private static int fail(PrintStream err, int status, String message) {
        err.println("sweep: " + String.valueOf(message).replaceAll("\\s*\\R\\s*", " ").strip());
        err.flush();
        return status;
    }
}
