package dev.edgepopup.cli;

import dev.edgepopup.init.Init;
import dev.edgepopup.nn.Masks;
import dev.edgepopup.nn.Method;
import dev.edgepopup.nn.NetSpec;
import dev.edgepopup.nn.Precision;
import dev.edgepopup.train.Optimizer;
import dev.edgepopup.train.Recipe;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/** The parsed command line of {@link Train}; every rule on a value is the library's. */
final class TrainOptions {
    static final String FASHION_MNIST = "fashion-mnist";
    static final String CIFAR10 = "cifar10";

    String net;
    double width = 1;
    Method method = Method.EDGE_POPUP;
    double keep = 0.5;
    Init init = Init.SIGNED_KAIMING_CONSTANT;
    Integer epochs;
    Double lr;
    Integer batch;
    Optimizer.Kind optimizer;
    long seed;
    Long weightSeed;
    Long scoreSeed;
    Long dataSeed;
    String dataset;
    int trainLimit = Integer.MAX_VALUE;
    int testLimit = Integer.MAX_VALUE;
    Path checkpoint;
    boolean json;
    boolean checksum;
    boolean help;
    Precision precision = Precision.FP32;
    boolean forceBf16;
    boolean channelsLast;
    Integer threads;

    /**
     * Parses a command line; {@code --name value} and {@code --name=value} both work.
     *
     * @param args the arguments
     * @return the options
     * @throws UsageException naming the first thing wrong
     */
    static TrainOptions parse(String[] args) throws UsageException {
        TrainOptions o = new TrainOptions();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("-h")) {
                arg = "--help";
            }
            if (!arg.startsWith("--")) {
                throw new UsageException("unexpected argument '" + arg + "' (see --help)");
            }
            int eq = arg.indexOf('=');
            String name = eq < 0 ? arg : arg.substring(0, eq);
            String value = eq < 0 ? null : arg.substring(eq + 1);
            if (FLAGS.contains(name)) {
                if (value != null) {
                    throw new UsageException(name + " takes no value");
                }
                o.json |= name.equals("--json");
                o.checksum |= name.equals("--checksum");
                o.help |= name.equals("--help");
                o.forceBf16 |= name.equals("--force-bf16");
                o.channelsLast |= name.equals("--channels-last");
                continue;
            }
            if (!VALUED.contains(name)) {
                throw new UsageException("unknown option " + name + " (see --help)");
            }
            if (value == null) {
                if (i + 1 >= args.length || args[i + 1].startsWith("--")) {
                    throw new UsageException(name + " needs a value (see --help)");
                }
                value = args[++i];
            }
            o.set(name, value);
        }
        if (o.help) {
            return o;
        }
        if (o.net == null) {
            throw new UsageException(
                    "--net is required: "
                            + String.join(", ", NetSpec.ARCHITECTURES)
                            + " (see --help)");
        }
        checked("--epochs, --lr or --batch", o::recipe); // the recipe's own rules
        return o;
    }

    private static final List<String> FLAGS =
            List.of("--json", "--checksum", "--help", "--force-bf16", "--channels-last");

    private static final List<String> VALUED =
            List.of(
                    "--net",
                    "--width",
                    "--method",
                    "--keep",
                    "--init",
                    "--epochs",
                    "--lr",
                    "--batch",
                    "--optimizer",
                    "--seed",
                    "--weight-seed",
                    "--score-seed",
                    "--data-seed",
                    "--dataset",
                    "--train-limit",
                    "--test-limit",
                    "--checkpoint",
                    "--precision",
                    "--threads");

    private void set(String name, String value) throws UsageException {
        switch (name) {
            case "--net":
                net = checked(name, () -> NetSpec.architecture(value).name());
                break;
            case "--width":
                double w = number(name, value);
                width = checked(name, () -> NetSpec.checkWidth(w));
                break;
            case "--method":
                method = checked(name, () -> Method.parse(value));
                break;
            case "--keep":
                double k = number(name, value);
                keep = checked(name, () -> Masks.checkKeep(k));
                break;
            case "--init":
                init = checked(name, () -> Init.parse(value));
                break;
            case "--epochs":
                epochs = integer(name, value);
                break;
            case "--lr":
                lr = number(name, value);
                break;
            case "--batch":
                batch = integer(name, value);
                break;
            case "--optimizer":
                optimizer = checked(name, () -> Optimizer.Kind.parse(value));
                break;
            case "--seed":
                seed = whole(name, value);
                break;
            case "--weight-seed":
                weightSeed = whole(name, value);
                break;
            case "--score-seed":
                scoreSeed = whole(name, value);
                break;
            case "--data-seed":
                dataSeed = whole(name, value);
                break;
            case "--dataset":
                dataset = value.toLowerCase(Locale.ROOT);
                if (!dataset.equals(FASHION_MNIST) && !dataset.equals(CIFAR10)) {
                    throw new UsageException(
                            "unknown dataset '" + value + "': use fashion-mnist or cifar10");
                }
                break;
            case "--train-limit":
                trainLimit = atLeastOne(name, value);
                break;
            case "--test-limit":
                testLimit = atLeastOne(name, value);
                break;
            case "--checkpoint":
                checkpoint = Path.of(value);
                break;
            case "--precision":
                precision = checked(name, () -> Precision.parse(value));
                break;
            case "--threads":
                threads = atLeastOne(name, value);
                break;
            default:
                throw new AssertionError(name);
        }
    }

    /**
     * Runs one of the library's checks, so that each rule has one message: the library's, after the
     * option's name.
     */
    private static <T> T checked(String option, Supplier<T> check) throws UsageException {
        try {
            return check.get();
        } catch (IllegalArgumentException e) {
            throw new UsageException(option + ": " + e.getMessage());
        }
    }

    /**
     * @return the weight seed: {@code --weight-seed}, else {@code --seed}
     */
    long weightSeed() {
        return weightSeed != null ? weightSeed : seed;
    }

    /**
     * @return the score seed: {@code --score-seed}, else {@code --seed} + 1 as Nets.seed
     */
    long scoreSeed() {
        return scoreSeed != null ? scoreSeed : seed + 1;
    }

    /**
     * @return the data seed: {@code --data-seed}, else {@code --seed}
     */
    long dataSeed() {
        return dataSeed != null ? dataSeed : seed;
    }

    /**
     * @return the data set asked for, else Fashion-MNIST for FC and CIFAR-10 for conv nets
     */
    String dataset() {
        return dataset != null ? dataset : "fc".equals(net) ? FASHION_MNIST : CIFAR10;
    }

    /**
     * @return the paper's recipe for the method and net, with the options given
     */
    Recipe recipe() {
        Recipe r = Recipe.paper(method, net);
        if (epochs != null) {
            r = r.epochs(epochs);
        }
        if (lr != null) {
            r = r.lr(lr);
        }
        if (batch != null) {
            r = r.batchSize(batch);
        }
        if (optimizer != null) {
            r = r.optimizer(optimizer);
        }
        return r;
    }

    private static double number(String name, String value) throws UsageException {
        try {
            double d = Double.parseDouble(value);
            if (Double.isFinite(d)) {
                return d;
            }
        } catch (NumberFormatException e) {
            // reported below, with the option's name
        }
        throw new UsageException(name + " needs a number, got '" + value + "'");
    }

    private static long whole(String name, String value) throws UsageException {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new UsageException(name + " needs a whole number, got '" + value + "'");
        }
    }

    private static int integer(String name, String value) throws UsageException {
        long n = whole(name, value);
        if (n < Integer.MIN_VALUE || n > Integer.MAX_VALUE) {
            throw new UsageException(name + " is out of range, got " + value);
        }
        return (int) n;
    }

    /** A count that only the command line has (image limits, threads). */
    private static int atLeastOne(String name, String value) throws UsageException {
        long n = whole(name, value);
        if (n < 1 || n > Integer.MAX_VALUE) {
            throw new UsageException(name + " must be at least 1, got " + value);
        }
        return (int) n;
    }

    /** A command line that cannot be run; the message is the one line to print. */
    static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }
}
