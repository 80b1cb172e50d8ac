package dev.edgepopup.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgepopup.init.Init;
import dev.edgepopup.store.RunConfig;
import dev.edgepopup.sweep.Approach;
import dev.edgepopup.sweep.Sweep;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** bin/sweep's grid and arguments; training through it is in environment/test-slurm.sh. */
class SweepCommandTest {
    @TempDir Path dir;

    private String[] run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status =
                SweepCommand.run(
                        args,
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8));
        return new String[] {
            Integer.toString(status),
            out.toString(StandardCharsets.UTF_8),
            err.toString(StandardCharsets.UTF_8)
        };
    }

    private Path grid(String... lines) throws Exception {
        return Files.write(dir.resolve("grid.txt"), List.of(lines));
    }

    @Test
    void aGridNamesTheSameRunsAsTheNotebooksSweep() throws Exception {
        Sweep fromFile =
                SweepCommand.sweep(
                        SweepCommand.grid(
                                grid(
                                        "# Figure 3, quick",
                                        "nets = fc, conv2",
                                        "widths = 0.5",
                                        "keeps = 0.3, 0.7   # two k",
                                        "inits = signed-constant, kaiming-normal",
                                        "methods = edge-popup, dense-sgd",
                                        "seeds = 1, 2",
                                        "epochs = 3",
                                        "precision = fp32")));
        Sweep inCode =
                Sweep.over()
                        .nets("fc", "conv2")
                        .widths(0.5)
                        .keeps(0.3, 0.7)
                        .inits(Init.SIGNED_KAIMING_CONSTANT, Init.KAIMING_NORMAL)
                        .approaches(Approach.EDGE_POPUP, Approach.DENSE_SGD)
                        .seeds(1, 2)
                        .recipe(r -> r.epochs(3))
                        .precision(dev.edgepopup.nn.Precision.FP32);
        var data = dev.edgepopup.data.Datasets.fashionMnist().limit(300, 100);
        List<String> a = fromFile.data(data).configurations().stream().map(RunConfig::key).toList();
        List<String> b = inCode.data(data).configurations().stream().map(RunConfig::key).toList();
        assertEquals(b, a);
        assertEquals(2 * 2 * 2 * 2 + 2 * 2 * 2, a.size(), "dense runs once per k");
    }

    @Test
    void badArgumentsAndGridsSayWhatIsWrong() throws Exception {
        assertTrue(run("--help")[1].startsWith("Usage: sweep --grid FILE"));
        String[] r = run("--slurm");
        assertEquals("2", r[0]);
        assertEquals("sweep: --grid FILE is required (see --help)\n", r[2]);
        r = run("--grid", grid("nets = fc").toString(), "--partition", "gpu");
        assertEquals("sweep: Slurm options need --slurm (see --help)\n", r[2]);
        r = run("--grid", grid("nets = fc").toString(), "--detach");
        assertTrue(r[2].startsWith("sweep: --detach goes with --slurm"), r[2]);
        r = run("--grid", grid("nets = fc", "k = 0.5").toString());
        assertEquals("2", r[0]);
        assertTrue(
                r[2].contains(
                        "grid.txt line 2: expected 'name = value' with a name of "
                                + "checkpoints, dataset, epochs,"),
                r[2]);
        r = run("--grid", grid("methods = edge-popup, sgd").toString());
        assertTrue(r[2].contains("methods: unknown 'sgd'; use edge-popup, dense-sgd"), r[2]);
        r = run("--grid", grid("nets = fc").toString(), "--slurm", "--time", "12h");
        assertTrue(r[2].startsWith("sweep: time must be minutes, MM:SS, HH:MM:SS"), r[2]);
    }

    @Test
    void statusShowsWhatTheStoreHoldsAndTrainsNothing() throws Exception {
        String[] r =
                run(
                        "--grid",
                        grid(
                                        "keeps = 0.3, 0.7",
                                        "seeds = 1",
                                        "epochs = 1",
                                        "train-images = 300",
                                        "test-images = 100")
                                .toString(),
                        "--store",
                        "jdbc:sqlite:" + dir.resolve("runs.db"),
                        "--status");
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].startsWith("0 of 2 planned runs: none"), r[1]);
    }
}
