package dev.edgepopup.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgepopup.data.Datasets;
import dev.edgepopup.nn.Method;
import dev.edgepopup.nn.Net;
import dev.edgepopup.nn.Nets;
import dev.edgepopup.train.Recipe;
import dev.edgepopup.train.Training;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExportTest {
    private static Datasets.Data data;

    @BeforeAll
    static void load() {
        data = Datasets.fashionMnist().limit(2_000, 2_000);
    }

    @Test
    void compactAndStandaloneExportsReloadWithTheSameAccuracy(@TempDir Path dir)
            throws IOException {
        try (Net net = Nets.conv2().width(0.25).inputOf(data.train()).keep(0.3).seed(4).build()) {
            Training.of(net, data.train(), data.test())
                    .recipe(Recipe.CIFAR10_EDGE_POPUP.epochs(1))
                    .run();
            double found = net.accuracy(data.test(), 500);
            assertTrue(found > 0.3, "the run learned something: " + found);

            Subnetwork sub = Subnetwork.of(net);
            Path file = dir.resolve("conv2.subnet");
            long bytes = sub.save(file);
            assertEquals((long) net.keptCount(), sub.keptCount());
            // About one bit per weight: the masks plus a small JSON header.
            long maskBytes = net.weightCount() / 8;
            assertTrue(bytes >= maskBytes && bytes < maskBytes + 2_000, bytes + " bytes");
            assertTrue(bytes * 30 < 4 * net.weightCount(), "about 1/32 of float32 weights");

            try (Net back = Subnetwork.load(file).toNet()) {
                assertEquals(found, back.accuracy(data.test(), 500));
            }
            try (StandaloneModel m = StandaloneModel.of(sub, "conv2-subnet")) {
                m.save(dir.resolve("model"));
            }
            try (StandaloneModel m = StandaloneModel.load(dir.resolve("model"), "conv2-subnet")) {
                assertEquals(found, m.accuracy(data.test(), 500), 1.0 / data.test().size());
            }
        }
    }

    @Test
    void aTruncatedOrForeignFileNamesItselfAndTheOffset(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("fc.subnet");
        try (Net net = Nets.fc().build()) {
            Subnetwork.of(net).save(file);
        }
        byte[] all = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(all, all.length - 100));
        IOException e = assertThrows(IOException.class, () -> Subnetwork.load(file));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertTrue(e.getMessage().matches(".*truncated.*at byte offset \\d+.*"), e.getMessage());

        Files.writeString(file, "not a subnetwork at all");
        e = assertThrows(IOException.class, () -> Subnetwork.load(file));
        assertTrue(e.getMessage().contains("at byte offset 0"), e.getMessage());

        Path missing = dir.resolve("nope.subnet");
        e = assertThrows(IOException.class, () -> Subnetwork.load(missing));
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
    }

    @Test
    void onlyEdgePopupNetsHaveACompactForm() {
        try (Net net = Nets.fc().method(Method.DENSE).build()) {
            assertTrue(
                    assertThrows(IllegalArgumentException.class, () -> Subnetwork.of(net))
                            .getMessage()
                            .contains("edge-popup"));
        }
    }
}
