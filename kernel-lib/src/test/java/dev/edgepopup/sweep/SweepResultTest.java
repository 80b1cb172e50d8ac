package dev.edgepopup.sweep;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgepopup.display.Renderers;
import dev.edgepopup.nn.Method;
import dev.edgepopup.nn.Nets;
import dev.edgepopup.store.RunConfig;
import dev.edgepopup.store.RunRecord;
import dev.edgepopup.store.RunStatus;
import dev.edgepopup.train.Recipe;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tech.tablesaw.api.Table;

class SweepResultTest {
    private static RunRecord run(
            Approach a, double width, double k, long seed, RunStatus status, double acc) {
        RunConfig c =
                new RunConfig(
                        Nets.fc().width(width).keep(k).method(a.method()).seed(seed).spec(),
                        a.recipe("fc").epochs(2),
                        seed,
                        "train",
                        500,
                        "test",
                        200);
        boolean done = status == RunStatus.FINISHED;
        return new RunRecord(
                c.key(),
                c,
                status,
                done ? 2 : 1,
                done ? 2 : 1,
                done ? acc : Double.NaN,
                done ? k : Double.NaN,
                null,
                1.5,
                900,
                Instant.EPOCH,
                Instant.EPOCH,
                done ? Instant.EPOCH : null,
                null);
    }

    private static final List<RunRecord> RUNS =
            List.of(
                    run(Approach.EDGE_POPUP, 1, 0.5, 1, RunStatus.FINISHED, 0.5),
                    run(Approach.EDGE_POPUP, 1, 0.3, 1, RunStatus.FINISHED, 0.6),
                    run(Approach.DENSE_ADAM, 1, 1, 1, RunStatus.FINISHED, 0.8),
                    run(Approach.EDGE_POPUP, 1, 0.5, 2, RunStatus.FINISHED, 0.7),
                    run(Approach.DENSE_ADAM, 1, 1, 2, RunStatus.FINISHED, 0.85),
                    run(Approach.EDGE_POPUP, 1, 0.5, 3, RunStatus.FINISHED, 0.9),
                    run(Approach.EDGE_POPUP, 1, 0.5, 4, RunStatus.INTERRUPTED, 0));

    @Test
    void theAggregateHasMeanAndSampleStdOverFinishedSeeds() {
        SweepResult r = new SweepResult(RUNS, 8, true);
        assertEquals(7, r.runs().rowCount());
        Table a = r.aggregate();
        assertEquals(3, a.rowCount(), a.print());
        assertEquals(
                List.of("edge-popup", "edge-popup", "dense-adam"),
                a.stringColumn(SweepResult.APPROACH).asList());
        assertEquals(List.of(0.5, 0.3, 1.0), a.doubleColumn(SweepResult.K).asList());
        assertEquals(List.of(3, 1, 2), a.intColumn(SweepResult.SEEDS).asList());
        // 0.5, 0.7, 0.9: mean 0.7, sum of squares 0.08, / (3 - 1), sqrt = 0.2
        // 0.6 alone: std unknown (NaN), printed "n = 1"
        // 0.8, 0.85: mean 0.825, sum of squares 0.00125, / (2 - 1), sqrt = 0.0353553...
        double[] mean = a.doubleColumn(SweepResult.TEST_ACC_MEAN).asDoubleArray();
        double[] std = a.doubleColumn(SweepResult.TEST_ACC_STD).asDoubleArray();
        assertArrayEquals(new double[] {0.7, 0.6, 0.825}, mean, 1e-12);
        assertArrayEquals(new double[] {0.2, Double.NaN, Math.sqrt(0.00125)}, std, 1e-12);
        assertEquals(
                List.of("20.0%", "n = 1", "3.5%"),
                List.of(0, 1, 2).stream()
                        .map(row -> a.doubleColumn(SweepResult.TEST_ACC_STD).getString(row))
                        .toList());
        assertEquals("82.5%", a.doubleColumn(SweepResult.TEST_ACC_MEAN).getString(2));
        assertEquals("0.5000", a.doubleColumn(SweepResult.KEPT_MEAN).getString(0));
        assertEquals(List.of(0.5, 0.3, 1.0), a.doubleColumn(SweepResult.KEPT_MEAN).asList());
        assertEquals(
                "7 of 8 planned runs: 6 finished, 1 interrupted (stopped by an interrupt)",
                r.summary());
    }

    @Test
    void curvesAreSortedByXPerGroup() {
        SweepResult r = new SweepResult(RUNS, 7, false);
        List<SweepResult.Curve> curves = r.curves(SweepResult.K, SweepResult.APPROACH);
        assertEquals(2, curves.size());
        SweepResult.Curve edgePopup = curves.get(0);
        assertEquals("edge-popup", edgePopup.name());
        assertArrayEquals(new double[] {0.3, 0.5}, edgePopup.x());
        assertArrayEquals(new double[] {0.6, 0.7}, edgePopup.mean(), 1e-12);
        assertArrayEquals(new double[] {Double.NaN, 0.2}, edgePopup.std(), 1e-12);
        assertArrayEquals(new int[] {1, 3}, edgePopup.n());
        SweepResult.Curve dense = curves.get(1);
        assertEquals("dense-adam", dense.name());
        assertArrayEquals(new double[] {1}, dense.x());
        assertEquals(
                2,
                r.plot("k sweep", SweepResult.K, SweepResult.APPROACH)
                        .chart()
                        .getSeriesMap()
                        .size());
    }

    @Test
    void aCurveWithTwoPointsAtOneXAsksForAnotherGroupColumn() {
        List<RunRecord> runs = new java.util.ArrayList<>(RUNS);
        runs.add(run(Approach.EDGE_POPUP, 2, 0.5, 1, RunStatus.FINISHED, 0.75));
        SweepResult r = new SweepResult(runs, runs.size(), false);
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> r.curves(SweepResult.K, SweepResult.APPROACH));
        assertTrue(e.getMessage().contains("k = 0.5"), e.getMessage());
        List<SweepResult.Curve> byWidth =
                r.curves(SweepResult.K, SweepResult.APPROACH, SweepResult.WIDTH);
        assertEquals(
                List.of("edge-popup 1", "dense-adam 1", "edge-popup 2"),
                byWidth.stream().map(SweepResult.Curve::name).toList());
    }

    @Test
    void changingTheReturnedTablesLeavesTheResultAsItWas() {
        SweepResult r = new SweepResult(RUNS, 7, false);
        SweepResult other = new SweepResult(RUNS.subList(2, 3), 1, false);
        // Joining two sweeps' tables for display is a natural thing to do in a notebook.
        r.aggregate().append(other.aggregate());
        r.runs().append(other.runs());
        assertEquals(3, r.aggregate().rowCount());
        assertEquals(7, r.runs().rowCount());
        assertEquals(2, r.curves(SweepResult.K, SweepResult.APPROACH).size());
    }

    @Test
    void aSweepResultRendersAsTwoHtmlTables() {
        Map<String, Object> bundle = Renderers.render(new SweepResult(RUNS, 7, false));
        String html = (String) bundle.get(Renderers.TEXT_HTML);
        assertEquals(2, html.split("<table", -1).length - 1, html);
        assertTrue(
                html.contains("Mean and standard deviation over seeds") && html.contains("Runs"));
        // Runs: 0.5 -> 50.0%, kept 0.5 -> 0.5000, 1.5 s -> 1.5, 900 images/s -> 900.
        assertTrue(
                html.contains("<td>50.0%</td>")
                        && html.contains("<td>0.5000</td>")
                        && html.contains("<td>1.5</td>")
                        && html.contains("<td>n = 1</td>"),
                html);
        assertTrue(html.contains(SweepResult.TEST_ACC_MEAN) && html.contains("dense-adam"));
        assertTrue(((String) bundle.get(Renderers.TEXT_PLAIN)).startsWith("7 of 7 planned runs"));
    }

    @Test
    void approachesMapToMethodsAndRecipes() {
        assertEquals(Method.DENSE, Approach.DENSE_ADAM.method());
        assertEquals(Recipe.denseAdam("conv2"), Approach.DENSE_ADAM.recipe("conv2"));
        assertEquals(Recipe.DENSE_SGD, Approach.DENSE_SGD.recipe("conv2"));
        assertEquals(Recipe.zhou("conv8"), Approach.ZHOU.recipe("conv8"));
        assertEquals(Recipe.CIFAR10_EDGE_POPUP, Approach.EDGE_POPUP.recipe("conv4"));
        for (Approach a : Approach.values()) {
            assertEquals(a, Approach.of(a.method(), a.recipe("fc")));
        }
    }
}
