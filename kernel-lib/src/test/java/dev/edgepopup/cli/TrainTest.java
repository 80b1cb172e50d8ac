package dev.edgepopup.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.edgepopup.data.Datasets;
import dev.edgepopup.init.Init;
import dev.edgepopup.nn.Precision;
import dev.edgepopup.train.Optimizer;
import dev.edgepopup.train.Recipe;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TrainTest {
    /** The tiny run of the brief: 1 epoch of FC on 2000 Fashion-MNIST images. */
    private static final String TINY =
            "--net fc --method edge-popup --keep 0.5 --init signed-constant --epochs 1 --seed 1"
                    + " --train-limit 2000 --test-limit 500";

    /** A table row as {@link Train#row} prints it: epoch then six numbers. */
    private static final Pattern ROW =
            Pattern.compile("\\s*\\d+\\*?(\\s+(-?\\d+\\.\\d+|NaN|\\d+)){6}");

    /** What one call of {@link Train#run} returned and printed. */
    private record Outcome(int status, String out, String err) {
        List<String> errLines() {
            return err.lines().toList();
        }

        JsonObject json() {
            JsonElement e = JsonParser.parseString(out);
            assertTrue(e.isJsonObject(), out);
            return e.getAsJsonObject();
        }
    }

    /** Only the training runs need the data; the argument tests never load it. */
    private static void assumeFashionMnist() {
        Assumptions.assumeTrue(
                Files.isDirectory(Datasets.FASHION_MNIST_DEBIAN),
                "Fashion-MNIST is not installed at " + Datasets.FASHION_MNIST_DEBIAN);
    }

    private static Outcome run(String args) {
        return run(args.isBlank() ? new String[0] : args.trim().split("\\s+"));
    }

    private static Outcome run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
                PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            status = Train.run(args, o, e);
        }
        return new Outcome(
                status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "--net fc --keep 0                 | --keep",
                "--net fc --keep 1.5               | (0, 1]",
                "--net fc --keep -0.2              | --keep",
                "--net fc --keep NaN               | --keep",
                "--net fc --keep 2                 | --keep: k is the fraction of weights KEPT",
                "--net fc --lr 0                   | lr must be > 0",
                "--net fc --lr -1 --epochs 2       | lr must be > 0",
                "--net conv5                       | unknown net 'conv5'",
                "--net fc --width 0                | --width: width must be > 0",
                "--net fc --width -1               | --width: width must be > 0",
                "--net fc --epochs 0               | epochs must be >= 1",
                "--net fc --bogus 3                | unknown option --bogus",
                "--net fc --epochs                 | --epochs needs a value",
                "--net fc --lr --json              | --lr needs a value",
                "--net fc --epochs two             | --epochs needs a whole number, got 'two'",
                "--net fc --lr fast                | --lr needs a number, got 'fast'",
                "--net fc --keep half              | --keep needs a number",
                "--net fc --seed 1.5               | --seed needs a whole number",
                "--net fc --init uniform           | unknown init 'uniform'",
                "--net fc --method magic           | unknown method 'magic'",
                "--net fc --optimizer rmsprop      | unknown optimizer 'rmsprop'",
                "--net fc --dataset imagenet       | unknown dataset 'imagenet'",
                "--net fc --batch 0                | batch size and epochs must be >= 1",
                "--net fc --train-limit 0          | --train-limit must be at least 1",
                "--net fc --json=yes               | --json takes no value",
                "--net fc --precision fp16         | unknown precision fp16",
                "--net fc --channels-last=1        | --channels-last takes no value",
                "--net fc --threads 0              | --threads must be at least 1",
                "--net fc extra                    | unexpected argument 'extra'",
                "--method dense                    | --net is required",
                "''                                | --net is required"
            })
    void invalidArgumentsExitWithStatus2AndOneLine(String args, String expected) {
        Outcome r = run(args);
        assertEquals(2, r.status(), r.err());
        assertEquals(1, r.errLines().size(), r.err());
        String line = r.errLines().get(0);
        assertTrue(line.startsWith("train: "), line);
        assertTrue(line.contains(expected), line);
        assertEquals("", r.out());
    }

    @Test
    void helpPrintsTheUsageAndExits0() {
        Outcome r = run("--help");
        assertEquals(0, r.status());
        assertEquals(Train.USAGE, r.out());
        for (String option :
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
                        "--json")) {
            assertTrue(r.out().contains("  " + option + " "), option);
        }
        assertEquals("", r.err());
    }

    @Test
    void initNamesAreTheLibrarys() throws Exception {
        assertEquals(
                Init.SIGNED_KAIMING_CONSTANT,
                TrainOptions.parse("--net fc --init signed-constant".split(" ")).init);
    }

    @Test
    void seedFeedsWeightsScoresAndDataUnlessOverridden() throws Exception {
        TrainOptions o = TrainOptions.parse("--net fc --seed 7".split(" "));
        assertEquals(List.of(7L, 8L, 7L), List.of(o.weightSeed(), o.scoreSeed(), o.dataSeed()));
        o = TrainOptions.parse("--net fc --seed 7 --score-seed 20 --data-seed=30".split(" "));
        assertEquals(List.of(7L, 20L, 30L), List.of(o.weightSeed(), o.scoreSeed(), o.dataSeed()));
        o = TrainOptions.parse("--net fc --weight-seed 5".split(" "));
        assertEquals(List.of(5L, 1L, 0L), List.of(o.weightSeed(), o.scoreSeed(), o.dataSeed()));
    }

    @Test
    void datasetDefaultsByNetAndRecipeIsThePapersWithOverrides() throws Exception {
        assertEquals("fashion-mnist", TrainOptions.parse("--net fc".split(" ")).dataset());
        assertEquals("cifar10", TrainOptions.parse("--net conv4".split(" ")).dataset());
        assertEquals(
                "fashion-mnist",
                TrainOptions.parse("--net conv4 --dataset fashion-mnist".split(" ")).dataset());

        assertEquals(
                Recipe.zhou("conv8"),
                TrainOptions.parse("--net conv8 --method zhou".split(" ")).recipe());
        Recipe r =
                TrainOptions.parse(
                                ("--net fc --method dense --epochs 3 --lr 0.5 --batch 32"
                                                + " --optimizer adam")
                                        .split(" "))
                        .recipe();
        assertEquals(
                Recipe.DENSE_SGD.epochs(3).lr(0.5).batchSize(32).optimizer(Optimizer.Kind.ADAM), r);
    }

    @Test
    void missingCifar10SaysSoAndSuggestsFashionMnist(@TempDir Path empty) {
        String before = System.getProperty("edgepopup.cifar10");
        System.setProperty("edgepopup.cifar10", empty.toString());
        try {
            Outcome r = run("--net conv2 --epochs 1");
            assertEquals(1, r.status(), r.err());
            assertEquals(1, r.errLines().size(), r.err());
            String line = r.errLines().get(0);
            assertTrue(line.startsWith("train: " + empty), line);
            assertTrue(line.contains("not found"), line);
            assertTrue(line.contains("--dataset fashion-mnist"), line);
            assertEquals("", r.out());
        } finally {
            if (before == null) {
                System.clearProperty("edgepopup.cifar10");
            } else {
                System.setProperty("edgepopup.cifar10", before);
            }
        }
    }

    @Test
    void tinyJsonRunPrintsOnlyOneObjectWithTheResult() {
        assumeFashionMnist();
        Outcome r = run(TINY + " --json");
        assertEquals(0, r.status(), r.err());
        JsonObject j = r.json();

        double acc = j.get("finalTestAccuracy").getAsDouble();
        // One epoch of edge-popup on 2000 images is far above chance (0.1) but not perfect.
        assertTrue(acc > 0.3 && acc < 1, "accuracy " + acc);
        assertFalse(j.get("interrupted").getAsBoolean());
        assertEquals(1, j.get("completedEpochs").getAsInt());

        JsonArray history = j.getAsJsonArray("history");
        assertEquals(1, history.size());
        JsonObject e1 = history.get(0).getAsJsonObject();
        assertEquals(1, e1.get("epoch").getAsInt());
        assertTrue(e1.get("complete").getAsBoolean());
        assertEquals(acc, e1.get("testAccuracy").getAsDouble());
        assertTrue(e1.get("trainLoss").getAsDouble() > 0);

        JsonArray layers = j.getAsJsonArray("layers");
        assertEquals(3, layers.size());
        long[] weights = {784 * 300, 300 * 100, 100 * 10};
        long total = 0;
        long kept = 0;
        for (int i = 0; i < 3; i++) {
            JsonObject l = layers.get(i).getAsJsonObject();
            long n = weights[i];
            assertEquals("fc" + (i + 1), l.get("name").getAsString());
            assertEquals(n, l.get("weights").getAsLong());
            assertEquals((double) (n - n / 2) / n, l.get("keptFraction").getAsDouble());
            total += n;
            kept += n - n / 2;
        }
        assertEquals((double) kept / total, j.get("keptFraction").getAsDouble(), 1e-12);

        JsonObject seeds = j.getAsJsonObject("seeds");
        assertEquals(1, seeds.get("weight").getAsLong());
        assertEquals(2, seeds.get("score").getAsLong());
        assertEquals(1, seeds.get("data").getAsLong());

        JsonObject spec = j.getAsJsonObject("spec");
        assertEquals("fc", spec.get("arch").getAsString());
        assertEquals(0.5, spec.get("keep").getAsDouble());
        assertEquals("SIGNED_KAIMING_CONSTANT", spec.get("init").getAsString());
        assertEquals("EDGE_POPUP", spec.get("method").getAsString());
        JsonObject recipe = j.getAsJsonObject("recipe");
        assertEquals(1, recipe.get("epochs").getAsInt());
        assertEquals(Recipe.CIFAR10_EDGE_POPUP.lr(), recipe.get("lr").getAsDouble());
        JsonObject data = j.getAsJsonObject("dataset");
        assertEquals("fashion-mnist", data.get("name").getAsString());
        assertEquals(2000, data.get("train").getAsInt());
        assertEquals(500, data.get("test").getAsInt());
        assertTrue(j.get("imagesPerSecond").getAsDouble() > 0);
        // The progress table went to stderr instead.
        assertTrue(r.err().lines().anyMatch(s -> ROW.matcher(s).matches()), r.err());
    }

    @Test
    void computeOptionsParseAndDefaultToFp32Nchw() throws Exception {
        TrainOptions d = TrainOptions.parse("--net fc".split(" "));
        assertEquals(
                Arrays.asList(Precision.FP32, false, false, null),
                Arrays.asList(d.precision, d.forceBf16, d.channelsLast, d.threads));
        TrainOptions o =
                TrainOptions.parse(
                        "--net conv4 --precision BF16 --force-bf16 --channels-last --threads 3"
                                .split(" "));
        assertEquals(
                List.of(Precision.BF16, true, true, 3),
                List.of(o.precision, o.forceBf16, o.channelsLast, o.threads));
    }

    @Test
    void forcedBf16RunReportsItsPrecisionAndLayout() {
        assumeFashionMnist();
        Outcome r = run(TINY + " --json --precision bf16 --force-bf16 --channels-last");
        assertEquals(0, r.status(), r.err());
        JsonObject j = r.json();
        assertEquals("bf16", j.get("precision").getAsString());
        assertTrue(j.get("channelsLast").getAsBoolean());
        assertTrue(j.get("threads").getAsInt() >= 1);
        assertTrue(j.get("finalTestAccuracy").getAsDouble() > 0.3, r.out());
        assertTrue(r.err().contains("bf16, channels-last"), r.err()); // the table's header
    }

    @Test
    void unforcedBf16SaysWhyItFallsBack() {
        assumeFashionMnist();
        Precision expected = Precision.BF16.resolve(false, line -> {});
        Outcome r = run(TINY + " --json --precision bf16 --train-limit 200 --test-limit 100");
        assertEquals(0, r.status(), r.err());
        assertEquals(expected.label(), r.json().get("precision").getAsString());
        long fallbackLines =
                r.errLines().stream().filter(l -> l.startsWith("train: bf16 falls back")).count();
        assertEquals(expected == Precision.BF16 ? 0 : 1, fallbackLines, r.err());
    }

    @Test
    void withoutJsonItPrintsTheTableAndASummary() {
        assumeFashionMnist();
        Outcome r = run(TINY);
        assertEquals(0, r.status(), r.err());
        List<String> lines = r.out().lines().toList();
        assertTrue(lines.get(0).startsWith("fc width 1.0 EDGE_POPUP k=0.5"), lines.get(0));
        assertTrue(
                lines.get(1)
                        .matches(
                                "epoch\\s+train loss\\s+train acc\\s+test"
                                        + " acc\\s+lr\\s+seconds\\s+images/s"),
                lines.get(1));
        assertTrue(ROW.matcher(lines.get(2)).matches(), lines.get(2));
        assertTrue(lines.get(2).strip().startsWith("1 "), lines.get(2));
        assertTrue(
                lines.get(3)
                        .matches(
                                "final test accuracy 0\\.\\d{4} after 1 epochs, kept "
                                        + "0\\.\\d{4} of 266200 weights, \\d+ images/s"),
                lines.get(3));
        assertEquals(4, lines.size(), r.out());
        assertEquals("", r.err());
    }

    @Test
    void identicalRunsGiveIdenticalResults() {
        assumeFashionMnist();
        String args =
                TINY.replace("--epochs 1", "--epochs 2")
                                .replace("--train-limit 2000", "--train-limit 1000")
                        + " --json";
        JsonObject a = run(args).json();
        JsonObject b = run(args).json();
        assertEquals(a.get("finalTestAccuracy"), b.get("finalTestAccuracy"));
        assertEquals(losses(a), losses(b));
        assertEquals(2, losses(a).size());
        // A different data seed changes the run, so the comparison above can tell.
        JsonObject c = run(args + " --data-seed 9").json();
        assertFalse(losses(a).equals(losses(c)), "data seed had no effect");
    }

    @Test
    void checkpointContinuesTheRunExactly(@TempDir Path dir) {
        assumeFashionMnist();
        Path file = dir.resolve("run.ckpt");
        String two = TINY.replace("--epochs 1", "--epochs 2") + " --json";
        Outcome first = run(two.replace("--epochs 2", "--epochs 1") + " --checkpoint " + file);
        assertEquals(0, first.status(), first.err());
        assertTrue(Files.isRegularFile(file));

        Outcome resumed = run(two + " --checkpoint " + file);
        assertEquals(0, resumed.status(), resumed.err());
        assertTrue(resumed.err().contains("continuing from checkpoint"), resumed.err());
        // Epoch 1 came from the checkpoint: only epoch 2 was trained again.
        assertEquals(
                1,
                resumed.err().lines().filter(s -> ROW.matcher(s).matches()).count(),
                resumed.err());
        JsonObject straight = run(two).json();
        assertEquals(losses(straight), losses(resumed.json()));
        assertEquals(straight.get("finalTestAccuracy"), resumed.json().get("finalTestAccuracy"));

        Outcome other = run(two.replace("--seed 1", "--seed 2") + " --checkpoint " + file);
        assertEquals(1, other.status(), other.err());
        assertEquals(1, other.errLines().size(), other.err());
        assertTrue(
                other.errLines().get(0).startsWith("train: checkpoint " + file + " holds"),
                other.err());
    }

    @Test
    void anInterruptStopsAtTheNextBatchAndStillReports() throws Exception {
        assumeFashionMnist();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String[] args = TINY.replace("--epochs 1", "--epochs 1000").concat(" --json").split(" ");
        // Training stays on this thread, as Ctrl-C's hook leaves it on main: a watcher
        // interrupts it once the first epoch's row is out.
        Thread trainer = Thread.currentThread();
        Thread watcher =
                new Thread(
                        () -> {
                            try {
                                while (err.toString(StandardCharsets.UTF_8)
                                        .lines()
                                        .noneMatch(s -> ROW.matcher(s).matches())) {
                                    Thread.sleep(20);
                                }
                                trainer.interrupt();
                            } catch (InterruptedException stop) {
                                // the run ended first; nothing to interrupt
                            }
                        });
        watcher.start();
        int status;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
                PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            status = Train.run(args, o, e);
        } finally {
            watcher.interrupt();
            watcher.join();
            Thread.interrupted();
        }
        assertEquals(Train.INTERRUPTED, status, err.toString(StandardCharsets.UTF_8));
        JsonObject j = new Outcome(status, out.toString(StandardCharsets.UTF_8), "").json();
        assertTrue(j.get("interrupted").getAsBoolean());
        JsonArray history = j.getAsJsonArray("history");
        assertTrue(history.size() >= 2 && history.size() < 1000, "epochs " + history.size());
        assertFalse(
                history.get(history.size() - 1).getAsJsonObject().get("complete").getAsBoolean());
        assertEquals(history.size() - 1, j.get("completedEpochs").getAsInt());
    }

    private static List<Double> losses(JsonObject j) {
        List<Double> out = new ArrayList<>();
        j.getAsJsonArray("history")
                .forEach(e -> out.add(e.getAsJsonObject().get("trainLoss").getAsDouble()));
        return out;
    }
}
