package dev.edgepopup.io;

import java.math.BigDecimal;
import java.math.MathContext;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.util.Locale;

/** Numbers as text for people, the same everywhere: table columns, plots and descriptions. */
public final class Numbers {
    private static final MathContext SIX = new MathContext(6);

    private Numbers() {}

    /**
     * Up to six significant digits, trailing zeros dropped, thousands separators, and scientific
     * notation below 0.0001: 0.30000000000000004 as "0.3", 3.0517578125E-5 as "3.05176E-5", 200.0
     * as "200"; '.' and ',' whatever the machine's locale.
     *
     * @param value the number
     * @return its text
     */
    public static String significant(double value) {
        if (Double.isNaN(value)) {
            return "NaN";
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? "inf" : "-inf";
        }
        double abs = Math.abs(value);
        // DecimalFormat is not thread-safe, so each call makes its own.
        if (abs != 0 && (abs < 1e-4 || abs >= 1e15)) {
            return new DecimalFormat("0.#####E0", DecimalFormatSymbols.getInstance(Locale.ROOT))
                    .format(value);
        }
        return new DecimalFormat("#,##0.##########", DecimalFormatSymbols.getInstance(Locale.ROOT))
                .format(new BigDecimal(value).round(SIX));
    }
}
