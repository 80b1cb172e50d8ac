package dev.edgepopup.paper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgepopup.sweep.SweepResult;
import java.util.List;
import org.junit.jupiter.api.Test;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

class MeasuredTest {
    @Test
    void fromOneResultPerSeed() {
        // 0.5, 0.7, 0.9: mean 0.7, squares 0.04 + 0 + 0.04, / (3 - 1), sqrt = 0.2
        Measured m = Measured.of("a", 0.5, 0.7, 0.9);
        assertEquals(0.7, m.mean(), 1e-12);
        assertEquals(0.2, m.std(), 1e-12);
        assertEquals(3, m.n());
        Measured one = Measured.of("b", 0.8);
        assertTrue(Double.isNaN(one.std()));
        assertEquals("b (80.0%, n = 1)", one.toString());
        assertEquals("a (70.0% +- 20.0, n = 3)", m.toString());
        assertThrows(IllegalArgumentException.class, () -> Measured.of("c"));
        assertThrows(IllegalArgumentException.class, () -> new Measured("d", Double.NaN, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new Measured("d", 0.5, 0, 0));
    }

    @Test
    void fromACurvesPoint() {
        SweepResult.Curve c =
                new SweepResult.Curve(
                        "conv4 kaiming_normal",
                        new double[] {0.1, 0.5},
                        new double[] {0.6, 0.8},
                        new double[] {Double.NaN, 0.01},
                        new int[] {1, 2});
        assertEquals(new Measured("conv4 N_k", 0.8, 0.01, 2), Measured.at(c, 0.5));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> Measured.at(c, 0.3));
        assertEquals(
                "curve 'conv4 kaiming_normal' has no point at 0.3: its x values are [0.1, 0.5]",
                e.getMessage());
        SweepResult.Curve peaked =
                new SweepResult.Curve(
                        "conv2 signed_kaiming_constant",
                        new double[] {0.1, 0.5, 0.7, 0.9},
                        new double[] {0.4, 0.82, 0.82, 0.7},
                        new double[] {0.02, 0.01, Double.NaN, 0.03},
                        new int[] {2, 2, 1, 2});
        assertEquals(
                new Measured("conv2 U_k at 0.5", 0.82, 0.01, 2),
                Measured.best(peaked),
                "the first of two equal bests");
    }

    @Test
    void fromAggregateRowsOneOrAveraged() {
        Table t =
                Table.create(
                        "aggregate",
                        StringColumn.create("init", "a", "a", "b"),
                        IntColumn.create(SweepResult.SEEDS, 2, 3, 1),
                        DoubleColumn.create(SweepResult.TEST_ACC_MEAN, 0.8, 0.7, 0.6),
                        DoubleColumn.create(SweepResult.TEST_ACC_STD, 0.01, 0.02, Double.NaN));
        Measured b = Measured.of("b", t.where(t.stringColumn("init").isEqualTo("b")));
        assertEquals(new Measured("b", 0.6, Double.NaN, 1), b);
        // mean (0.8 + 0.7) / 2; std sqrt(0.01^2 + 0.02^2) / 2; the fewer seeds
        Measured a = Measured.of("a", t.where(t.stringColumn("init").isEqualTo("a")));
        assertEquals(0.75, a.mean(), 1e-12);
        assertEquals(Math.sqrt(0.0005) / 2, a.std(), 1e-12);
        assertEquals(2, a.n());
        assertTrue(
                Double.isNaN(Measured.of("all", t).std()),
                "an unknown part leaves the average's spread unknown");
        assertThrows(
                IllegalArgumentException.class,
                () -> Measured.of("none", t.where(t.stringColumn("init").isEqualTo("c"))));
        assertThrows(IllegalArgumentException.class, () -> Measured.average("none", List.of()));
    }

    @Test
    void differencesAndSpread() {
        Measured a = new Measured("a", 0.86, 0.03, 3);
        Measured b = new Measured("b", 0.80, 0.04, 2);
        assertEquals(0.05, Measured.spread(a, b), 1e-12);
        assertEquals(new Measured("gap", 0.86 - 0.80, 0.05, 2), a.minus(b, "gap"));
        Measured single = new Measured("s", 0.5, Double.NaN, 1);
        assertEquals(0.03, Measured.spread(a, single), 1e-12, "an unknown spread counts as 0");
        assertTrue(Double.isNaN(single.minus(single, "none").std()));
        assertEquals("renamed", a.named("renamed").label());
    }
}
