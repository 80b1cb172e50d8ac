package dev.edgepopup.display;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Locale;
import org.junit.jupiter.api.Test;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

class FormatTest {
    @Test
    void eachFormatPrintsAsDocumented() {
        assertEquals("86.4%", Format.PERCENT.format(0.864));
        assertEquals("16.6%", Format.PERCENT.format(0.16599999999999998));
        assertEquals("0.1660", Format.FRACTION.format(0.16599999999999998));
        assertEquals("2,425,024", Format.COUNT.format(2_425_024));
        assertEquals("1,234.6", Format.decimals(1).format(1234.56));
        assertEquals("1,235", Format.decimals(0).format(1234.56));
        assertEquals("66.15%", Format.pattern("top-1", "0.0#%").format(0.6615));
        assertEquals("", Format.PERCENT.format(Double.NaN));
        assertEquals("n = 1", Format.PERCENT.missing("n = 1").format(Double.NaN));
    }

    @Test
    void generalIsShortAndHonest() {
        assertEquals("0.3", Format.GENERAL.format(0.30000000000000004));
        assertEquals("0.166", Format.GENERAL.format(0.16599999999999998));
        assertEquals("200", Format.GENERAL.format(200.0));
        assertEquals("0.0003", Format.GENERAL.format(3e-4));
        assertEquals("3.05176E-5", Format.GENERAL.format(3.0517578125e-5));
        assertEquals("1,234,570", Format.GENERAL.format(1_234_567.0));
        assertEquals("0.421875", Format.GENERAL.format(0.421875));
        assertEquals("-2.5", Format.GENERAL.format(-2.5));
        assertEquals("0", Format.GENERAL.format(0));
    }

    @Test
    void theMachinesLocaleDoesNotChangeTheText() {
        Locale old = Locale.getDefault();
        try {
            Locale.setDefault(Locale.GERMANY);
            assertEquals("86.4%", Format.PERCENT.format(0.864));
            assertEquals("2,425,024", Format.COUNT.format(2_425_024));
            assertEquals("0.3", Format.GENERAL.format(0.3));
        } finally {
            Locale.setDefault(old);
        }
    }

    @Test
    void onFormatsPrintingOnlyAndKeepsTheValues() {
        Table t =
                Table.create(
                        "t",
                        DoubleColumn.create("acc", 0.864, Double.NaN),
                        LongColumn.create("weights", 2_425_024L, 266_200L));
        Format.PERCENT.missing("n = 1").on(t, "acc");
        Format.COUNT.on(t, "weights");
        assertEquals("86.4%", t.doubleColumn("acc").getString(0));
        assertEquals("n = 1", t.doubleColumn("acc").getString(1));
        assertEquals("2,425,024", t.longColumn("weights").getString(0));
        assertEquals(0.864, t.doubleColumn("acc").get(0));
        assertTrue(t.print().contains("86.4%"), t.print());
        // Formats travel with the column through the usual table operations.
        Table selected = t.where(t.doubleColumn("acc").isGreaterThan(0.5)).selectColumns("acc");
        assertEquals("86.4%", selected.doubleColumn("acc").getString(0));
    }

    @Test
    void badColumnsAreNamed() {
        Table t = Table.create("runs", StringColumn.create("net", "fc"));
        IllegalArgumentException missing =
                assertThrows(IllegalArgumentException.class, () -> Format.PERCENT.on(t, "acc"));
        assertEquals(
                "table 'runs' has no column 'acc': its columns are [net]", missing.getMessage());
        IllegalArgumentException text =
                assertThrows(IllegalArgumentException.class, () -> Format.PERCENT.on(t, "net"));
        assertEquals(
                "column 'net' is STRING, not numeric: the percent format applies to numbers",
                text.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Format.decimals(-1));
        assertThrows(IllegalArgumentException.class, () -> Format.pattern("bad", "0.0.0"));
    }
}
