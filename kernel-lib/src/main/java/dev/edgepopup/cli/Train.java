package dev.edgepopup.cli;

import ai.djl.engine.EngineException;
import dev.edgepopup.cli.TrainOptions.UsageException;
import dev.edgepopup.data.CorruptDataException;
import dev.edgepopup.data.Datasets;
import dev.edgepopup.data.Datasets.Data;
import dev.edgepopup.data.MissingDataException;
import dev.edgepopup.io.InterruptOnExit;
import dev.edgepopup.io.Json;
import dev.edgepopup.nn.Checksums;
import dev.edgepopup.nn.LayerInfo;
import dev.edgepopup.nn.Net;
import dev.edgepopup.nn.NetSpec;
import dev.edgepopup.nn.Nets;
import dev.edgepopup.nn.Precision;
import dev.edgepopup.train.EpochRecord;
import dev.edgepopup.train.History;
import dev.edgepopup.train.Recipe;
import dev.edgepopup.train.Threads;
import dev.edgepopup.train.Training;
import dev.edgepopup.train.TrainingDivergedException;
import dev.edgepopup.train.TrainingListener;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The command line: trains one configuration and prints its per-epoch table as the epochs finish,
 * then a summary line; with {@code --json} it prints one JSON object instead. Example: {@code
 * bin/train --net fc --method edge-popup --keep 0.5 --init signed-constant --epochs 2 --seed 1
 * --json}. See {@link #USAGE} for every option.
 *
 * <p>Exit status: 0 done, 1 run-time error (missing or damaged data, diverged loss, unusable
 * checkpoint), 2 invalid arguments, 130 interrupted (Ctrl-C stops at the next batch and still
 * reports the epochs trained). Every error is one line on stderr starting with {@code train: }.
 */
public final class Train {
    /** The text {@code --help} prints. */
    public static final String USAGE =
            String.join(
                    "\n",
                    "Usage: train --net NAME [options]",
                    "",
                    "Trains one configuration and prints its per-epoch table as epochs finish, then"
                            + " a",
                    "summary line (final test accuracy, kept fraction, images/s).",
                    "",
                    "Network:",
                    "  --net NAME          fc, conv2, conv4, conv6, conv8, resnet18_cifar, or an"
                            + " ImageNet",
                    "                      ResNet: resnet18, resnet34, resnet50, resnet101,",
                    "                      wide_resnet50_2 (required)",
                    "  --width W           width multiplier, > 0 (default 1)",
                    "  --method NAME       edge-popup, dense or zhou (default edge-popup)",
                    "  --keep K            fraction of weights kept per layer, in (0, 1] (default"
                            + " 0.5)",
                    "  --init NAME         weight distribution (default signed-constant):"
                            + " signed-constant,",
                    "                      kaiming-normal, scaled-signed-constant,"
                            + " scaled-kaiming-normal,",
                    "                      kaiming-uniform, xavier-normal, xavier-normal-fan-avg,",
                    "                      signed-xavier-constant, or any Init name such as",
                    "                      signed-kaiming-constant",
                    "Training (default: the paper's recipe for the method, 100 epochs):",
                    "  --epochs N          epochs, >= 1",
                    "  --lr X              base learning rate, > 0",
                    "  --batch N           batch size, >= 1",
                    "  --optimizer NAME    sgd or adam",
                    "  --seed S            weights from S, scores from S+1, data order from S"
                            + " (default 0)",
                    "  --weight-seed S     override the weight seed",
                    "  --score-seed S      override the score seed",
                    "  --data-seed S       override the data seed",
                    "Compute:",
                    "  --precision NAME    fp32 (default) or bf16: bfloat16 arithmetic, float32"
                            + " scores,",
                    "                      optimizer and loss; falls back to fp32, saying why, on a"
                            + " CPU",
                    "                      without AMX or AVX512-BF16",
                    "  --force-bf16        use bf16 even where the CPU only emulates it (slow)",
                    "  --channels-last     store images channels-last (faster convolutions on"
                            + " CPUs)",
                    "  --threads N         intra-op threads, >= 1 (default: one per core)",
                    "Data:",
                    "  --dataset NAME      fashion-mnist (default for fc) or cifar10 (default for"
                            + " conv",
                    "                      nets; conv nets also train on fashion-mnist)",
                    "  --train-limit N     use only the first N training images",
                    "  --test-limit N      use only the first N test images",
                    "Output:",
                    "  --checkpoint FILE   save after every epoch; if FILE exists, continue from it"
                            + " (the",
                    "                      network options must match the run that wrote it)",
                    "  --json              print only one JSON object on stdout (progress goes to"
                            + " stderr)",
                    "  --checksum          after the summary, print a fingerprint of each layer's"
                            + " mask,",
                    "                      weights and scores (identical runs print identical"
                            + " lines)",
                    "  --help              print this text",
                    "",
                    "Exit status: 0 done, 1 run-time error, 2 invalid arguments, 130 interrupted.",
                    "");

    /** The exit status of an interrupted run, as a shell reports SIGINT. */
    static final int INTERRUPTED = 130;

    private Train() {}

    /**
     * Runs {@link #run} on the process's streams and exits with its status.
     *
     * @param args the command line
     */
    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /**
     * Parses the command line and trains, writing results to {@code out} and errors and progress to
     * {@code err}.
     *
     * @param args the command line
     * @param out where the table (or the JSON object) goes
     * @param err where errors, and with {@code --json} the progress, go
     * @return the exit status: 0 done, 1 run-time error, 2 invalid arguments, 130 interrupted
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        TrainOptions o;
        try {
            o = TrainOptions.parse(args);
        } catch (UsageException e) {
            return fail(err, 2, e.getMessage());
        }
        if (o.help) {
            out.print(USAGE);
            return 0;
        }
        try {
            return train(o, out, err);
        } catch (UsageException e) {
            return fail(err, 2, e.getMessage());
        } catch (MissingDataException e) {
            String hint =
                    o.dataset().equals(TrainOptions.CIFAR10)
                            ? " Or train on Fashion-MNIST instead with --dataset fashion-mnist."
                            : "";
            return fail(err, 1, e.getMessage() + hint);
        } catch (IOException
                | UncheckedIOException
                | CorruptDataException
                | TrainingDivergedException
                | EngineException e) {
            return fail(err, 1, e.getMessage());
        }
    }

    /** Prints one error line (whatever line breaks the message had) and returns the status. */
    private static int fail(PrintStream err, int status, String message) {
        err.println("train: " + message.replaceAll("\\s*\\R\\s*", " ").strip());
        err.flush();
        return status;
    }

    private static int train(TrainOptions o, PrintStream out, PrintStream err)
            throws IOException, UsageException {
        Data data =
                o.dataset().equals(TrainOptions.CIFAR10)
                        ? Datasets.cifar10()
                        : Datasets.fashionMnist();
        data = data.limit(o.trainLimit, o.testLimit);
        NetSpec spec;
        try {
            spec =
                    Nets.of(o.net)
                            .width(o.width)
                            .keep(o.keep)
                            .init(o.init)
                            .method(o.method)
                            .weightSeed(o.weightSeed())
                            .scoreSeed(o.scoreSeed())
                            .inputOf(data.train())
                            .spec();
        } catch (IllegalArgumentException e) {
            // Only the data decides this one, e.g. an image too small for the net's pools.
            throw new UsageException(e.getMessage());
        }
        Recipe recipe = o.recipe();
        boolean resuming = o.checkpoint != null && Files.exists(o.checkpoint);
        Training training;
        if (resuming) {
            training = Training.resume(o.checkpoint, data.train(), data.test());
            NetSpec stored = training.net().spec();
            if (!stored.equals(spec)) {
                training.net().close();
                return fail(
                        err,
                        1,
                        "checkpoint "
                                + o.checkpoint
                                + " holds "
                                + stored
                                + ", but the command line asks for "
                                + spec
                                + "; delete it or choose another --checkpoint");
            }
            err.println("train: continuing from checkpoint " + o.checkpoint);
        } else {
            training = Training.of(spec.build(), data.train(), data.test());
        }
        // The command line is the truth: a resumed run uses its recipe and data seed, so the same
        // command continues exactly the run it started.
        // Resolved here so that the header shows the precision the run will use.
        Precision precision =
                o.precision.resolve(o.forceBf16, line -> err.println("train: " + line));
        training.recipe(recipe)
                .dataSeed(o.dataSeed())
                .resolvedPrecision(precision)
                .channelsLast(o.channelsLast);
        if (o.threads != null) {
            Threads.set(o.threads);
        }
        if (o.checkpoint != null) {
            training.checkpoint(o.checkpoint);
        }
        PrintStream table = o.json ? err : out;
        table.print(new History(spec, recipe, o.dataSeed(), precision, o.channelsLast));
        table.flush();
        training.listener(
                new TrainingListener() {
                    @Override
                    public void onEpoch(EpochRecord r, int epochs) {
                        table.println(row(r));
                        table.flush();
                    }
                });
        // Ctrl-C stops at the next batch and holds the exit until the partial result is printed;
        // two minutes let an epoch's evaluation end before a batch sees the interrupt.
        try (Net net = training.net();
                InterruptOnExit ignored = new InterruptOnExit(Duration.ofSeconds(120))) {
            History h;
            try {
                h = training.run();
            } catch (IllegalArgumentException | IllegalStateException e) {
                if (!resuming) {
                    throw e;
                }
                // The optimizer's saved state does not fit the recipe asked for (e.g. sgd/adam).
                return fail(
                        err,
                        1,
                        "cannot continue from checkpoint " + o.checkpoint + ": " + e.getMessage());
            }
            if (o.json) {
                out.println(Json.GSON.toJson(Result.of(h, net, o, data)));
            } else {
                out.println(summary(h, net));
            }
            if (o.checksum) {
                for (String line : Checksums.of(net)) {
                    (o.json ? err : out).println("checksum " + line);
                }
            }
            out.flush();
            return h.interrupted() ? INTERRUPTED : 0;
        }
    }

    /** One table row, in the columns of {@link History#toString()}. */
    static String row(EpochRecord r) {
        return String.format(
                Locale.ROOT,
                "%5s %10.4f %9.4f %9.4f %9.5f %8.1f %9.0f",
                r.epoch() + (r.complete() ? "" : "*"),
                r.trainLoss(),
                r.trainAccuracy(),
                r.testAccuracy(),
                r.lr(),
                r.seconds(),
                r.imagesPerSecond());
    }

    private static String summary(History h, Net net) {
        return String.format(
                Locale.ROOT,
                "final test accuracy %.4f after %d epochs%s, kept %.4f of %d weights,"
                        + " %.0f images/s",
                h.finalTestAccuracy(),
                h.completedEpochs(),
                h.interrupted() ? " (interrupted)" : "",
                net.keptCount() / net.weightCount(),
                net.weightCount(),
                h.imagesPerSecond());
    }

    /**
     * What {@code --json} prints.
     *
     * @param finalTestAccuracy test accuracy after the last completed epoch
     * @param completedEpochs epochs completed
     * @param interrupted whether Ctrl-C stopped the run
     * @param keptFraction weights in use over all prunable weights
     * @param layers kept fraction per prunable layer
     * @param imagesPerSecond mean training speed over the completed epochs
     * @param seeds the three seeds
     * @param dataset the data set and the images used
     * @param spec the network
     * @param recipe the recipe
     * @param history every epoch's record
     */
    private record Result(
            double finalTestAccuracy,
            int completedEpochs,
            boolean interrupted,
            double keptFraction,
            List<Layer> layers,
            double imagesPerSecond,
            Seeds seeds,
            DataUsed dataset,
            NetSpec spec,
            Recipe recipe,
            String precision,
            boolean channelsLast,
            int threads,
            List<EpochRecord> history) {
        static Result of(History h, Net net, TrainOptions o, Data data) {
            List<Layer> layers = new ArrayList<>();
            for (LayerInfo l : net.layerTable()) {
                layers.add(new Layer(l.name(), l.shape(), l.weights(), l.kept(), l.keptFraction()));
            }
            return new Result(
                    h.finalTestAccuracy(),
                    h.completedEpochs(),
                    h.interrupted(),
                    net.keptCount() / net.weightCount(),
                    layers,
                    h.imagesPerSecond(),
                    new Seeds(h.spec().weightSeed(), h.spec().scoreSeed(), h.dataSeed()),
                    new DataUsed(o.dataset(), data.train().size(), data.test().size()),
                    h.spec(),
                    h.recipe(),
                    h.precision().label(),
                    h.channelsLast(),
                    Threads.get(),
                    h.epochs());
        }
    }

    /** One prunable layer's share of kept weights. */
    private record Layer(
            String name, String shape, long weights, double kept, double keptFraction) {}

    /** The seeds of the weights, the scores and the data order. */
    private record Seeds(long weight, long score, long data) {}

    /** The data set's name and the number of training and test images used. */
    private record DataUsed(String name, int train, int test) {}
}
