package dev.edgepopup.paper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgepopup.data.Datasets;
import dev.edgepopup.display.Renderers;
import dev.edgepopup.init.Init;
import dev.edgepopup.nn.Net;
import dev.edgepopup.store.RunRecord;
import dev.edgepopup.store.RunStore;
import dev.edgepopup.sweep.Approach;
import dev.edgepopup.sweep.Sweep;
import dev.edgepopup.sweep.SweepResult;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tech.tablesaw.api.Table;

/** Table 2 from real (tiny) runs: FC at k = 0.3 with N_k and U_k weights, and learned FC. */
class Table2Test {
    @TempDir Path dir;

    @Test
    void thePapersRowsThenTheRunsWithTop5FromTheStoredSubnetworks() throws Exception {
        Datasets.Data data = Datasets.fashionMnist().limit(500, 200);
        try (RunStore store = RunStore.open(dir.resolve("runs.db"))) {
            SweepResult popup =
                    Sweep.over()
                            .nets("fc")
                            .keeps(0.3)
                            .inits(Init.KAIMING_NORMAL, Init.SIGNED_KAIMING_CONSTANT)
                            .seeds(1)
                            .recipe(r -> r.epochs(1))
                            .data(data)
                            .store(store)
                            .run();
            SweepResult dense =
                    Sweep.over()
                            .nets("fc")
                            .approaches(Approach.DENSE_SGD)
                            .inits(Init.KAIMING_NORMAL)
                            .seeds(1)
                            .recipe(r -> r.epochs(1))
                            .data(data)
                            .store(store)
                            .run();
            Table t = Table2.of(popup, dense).source("test run").top5(data.test(), 100).table();

            assertEquals(6, t.rowCount(), t.print());
            assertEquals(
                    List.of(
                            "paper, ImageNet",
                            "paper, ImageNet",
                            "paper, ImageNet",
                            "paper, ImageNet",
                            "test run",
                            "test run"),
                    t.stringColumn(Table2.SOURCE).asList());
            assertEquals(
                    List.of(7.7, 13.3, 20.6, 21.8),
                    t.doubleColumn(Table2.WEIGHTS).asList().subList(0, 4));
            assertEquals("66.15%", t.doubleColumn(Table2.TOP1_NK).getString(1));
            assertEquals("73.3%", t.doubleColumn(Table2.TOP1_UK).getString(3));
            assertEquals("", t.doubleColumn(Table2.TOP1_NK).getString(3), "a dense row has no N_k");

            RunRecord nk = popup.records().get(0);
            RunRecord uk = popup.records().get(1);
            assertEquals(Init.KAIMING_NORMAL, nk.config().spec().init());
            assertEquals("fc, edge-popup k = 0.3", t.stringColumn(Table2.NETWORK).get(4));
            // Kept at k = 0.3: n - floor(0.7 n) per layer: 70,560 + 9,000 + 300 = 79,860.
            assertEquals(0.07986, t.doubleColumn(Table2.WEIGHTS).get(4), 1e-12);
            assertEquals(nk.finalTestAccuracy(), t.doubleColumn(Table2.TOP1_NK).get(4));
            assertEquals(uk.finalTestAccuracy(), t.doubleColumn(Table2.TOP1_UK).get(4));
            double top5;
            try (Net net = uk.subnetwork().toNet()) {
                top5 = net.accuracies(data.test(), 200).top5();
            }
            assertEquals(top5, t.doubleColumn(Table2.TOP5_UK).get(4), 1e-9);
            assertTrue(top5 > uk.finalTestAccuracy() && top5 <= 1, "top-5 above top-1: " + top5);

            assertEquals("fc, learned (dense)", t.stringColumn(Table2.NETWORK).get(5));
            assertEquals(0.2662, t.doubleColumn(Table2.WEIGHTS).get(5), 1e-12);
            assertEquals(
                    dense.records().get(0).finalTestAccuracy(),
                    t.doubleColumn(Table2.TOP1_UK).get(5));
            assertTrue(t.doubleColumn(Table2.TOP5_UK).isMissing(5));

            String html = (String) Renderers.render(t).get(Renderers.TEXT_HTML);
            assertTrue(html.contains("<caption") && html.contains("Table 2: ImageNet top-1"), html);
            assertTrue(
                    Table2.of(popup, dense).table().doubleColumn(Table2.TOP5_UK).isMissing(4),
                    "no top-5 unless asked");
            IllegalArgumentException swapped =
                    assertThrows(IllegalArgumentException.class, () -> Table2.of(dense, popup));
            assertTrue(
                    swapped.getMessage().startsWith("Table 2's subnetworks are edge-popup runs"),
                    swapped.getMessage());
        }
    }
}
