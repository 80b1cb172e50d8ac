package dev.edgepopup.display;

import dev.edgepopup.io.Numbers;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.text.FieldPosition;
import java.text.NumberFormat;
import java.text.ParsePosition;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Supplier;
import tech.tablesaw.api.NumberColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.Column;
import tech.tablesaw.columns.numbers.NumberColumnFormatter;

/**
 * How a numeric table column prints (HTML and text), without changing its values: the column stays
 * numeric, so a notebook can still filter and compute on it.
 *
 * <pre>{@code
 * Format.PERCENT.on(table, "test acc mean");              // 0.864 shows as 86.4%
 * Format.PERCENT.missing("n = 1").on(table, "test acc std");
 * Format.COUNT.on(table, "weights");                     // 2425024 shows as 2,425,024
 * }</pre>
 *
 * <p>Every format writes '.' and ',' whatever the machine's locale, and shows a missing value (NaN)
 * as {@link #missing(String) its missing text}, blank by default.
 *
 * @param name what the format is called in messages, e.g. "percent"
 * @param maker makes a fresh {@link NumberFormat} for each column (they are not thread-safe)
 * @param missingText what a missing value shows
 */
public record Format(String name, Supplier<NumberFormat> maker, String missingText) {
    /** Percentages with one decimal: 0.864 as "86.4%"; for accuracies and their std. */
    public static final Format PERCENT = pattern("percent", "0.0%");

    /** Fractions with four decimals: 0.16599999999999998 as "0.1660"; for kept fractions. */
    public static final Format FRACTION = pattern("fraction", "0.0000");

    /** Whole numbers with thousands separators: 2425024 as "2,425,024"; for counts. */
    public static final Format COUNT = pattern("count", "#,##0");

    /**
     * {@link Numbers#significant}: up to six significant digits, trailing zeros dropped, scientific
     * notation below 0.0001 (0.30000000000000004 as "0.3", 3.0517578125E-5 as "3.05176E-5"); for
     * learning rates, widths, k and any column without a format.
     */
    public static final Format GENERAL = new Format("general", Significant::new, "");

    /**
     * Checks the parts.
     *
     * @param name the name
     * @param maker the number format's maker
     * @param missingText the missing text
     */
    public Format {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(maker, "maker");
        Objects.requireNonNull(missingText, "missingText");
    }

    /**
     * Fixed decimals with thousands separators, e.g. {@code decimals(1)} shows 1234.56 as
     * "1,234.6"; for seconds.
     *
     * @param places digits after the point, 0 or more
     * @return the format
     */
    public static Format decimals(int places) {
        if (places < 0) {
            throw new IllegalArgumentException("places must be >= 0, got " + places);
        }
        return pattern(
                "decimals(" + places + ")", places == 0 ? "#,##0" : "#,##0." + "0".repeat(places));
    }

    /**
     * A {@link DecimalFormat} pattern, e.g. {@code "0.0#%"} (percent with one or two decimals).
     *
     * @param name what to call it
     * @param pattern the pattern, read with '.' and ',' as in {@link Locale#ROOT}
     * @return the format
     * @throws IllegalArgumentException if the pattern is malformed
     */
    public static Format pattern(String name, String pattern) {
        DecimalFormatSymbols symbols = DecimalFormatSymbols.getInstance(Locale.ROOT);
        new DecimalFormat(pattern, symbols);
        return new Format(name, () -> new DecimalFormat(pattern, symbols), "");
    }

    /**
     * The same format with another text for missing values, e.g. "n = 1" for the standard deviation
     * of a single seed.
     *
     * @param text shown instead of a missing value
     * @return the format
     */
    public Format missing(String text) {
        return new Format(name, maker, text);
    }

    /**
     * Formats one number as this format prints it in a table.
     *
     * @param value the number
     * @return its text, or the missing text for NaN
     */
    public String format(double value) {
        return Double.isNaN(value) ? missingText : maker.get().format(value);
    }

    /**
     * Sets how the named numeric columns print.
     *
     * @param table the table
     * @param columns names of numeric columns
     * @return the table, for chaining or as a cell's value
     * @throws IllegalArgumentException naming the column if one is missing or not numeric
     */
    public Table on(Table table, String... columns) {
        for (String name : columns) {
            if (!table.containsColumn(name)) {
                throw new IllegalArgumentException(
                        "table '"
                                + table.name()
                                + "' has no column '"
                                + name
                                + "': its columns are "
                                + table.columnNames());
            }
            Column<?> c = table.column(name);
            if (!(c instanceof NumberColumn<?, ?> numeric)) {
                throw new IllegalArgumentException(
                        "column '"
                                + name
                                + "' is "
                                + c.type()
                                + ", not numeric: the "
                                + this.name
                                + " format applies to numbers");
            }
            numeric.setPrintFormatter(formatter());
        }
        return table;
    }

    /**
     * @return a Tablesaw formatter for one column
     */
    NumberColumnFormatter formatter() {
        return new NumberColumnFormatter(maker.get(), missingText);
    }

    /** {@link Numbers#significant} as a NumberFormat for Tablesaw. */
    private static final class Significant extends NumberFormat {
        private final DecimalFormat plain =
                new DecimalFormat(
                        "#,##0.##########", DecimalFormatSymbols.getInstance(Locale.ROOT));

        @Override
        public StringBuffer format(double value, StringBuffer to, FieldPosition pos) {
            return to.append(Numbers.significant(value));
        }

        @Override
        public StringBuffer format(long value, StringBuffer to, FieldPosition pos) {
            return plain.format(value, to, pos);
        }

        @Override
        public Number parse(String source, ParsePosition pos) {
            return plain.parse(source, pos);
        }
    }
}
