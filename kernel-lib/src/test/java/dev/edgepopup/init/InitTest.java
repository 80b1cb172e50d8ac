package dev.edgepopup.init;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/** Sample statistics of every distribution against spec section 2. */
class InitTest {
    private static final int N = 200_000;
    private static final int FAN_IN = 576;
    private static final int FAN_OUT = 1152;
    private static final double K = 0.3;

    private static double expectedStd(Init d) {
        switch (d) {
            case KAIMING_NORMAL:
            case SIGNED_KAIMING_CONSTANT:
                return Math.sqrt(2.0 / FAN_IN);
            case SCALED_KAIMING_NORMAL:
            case SCALED_SIGNED_KAIMING_CONSTANT:
                return Math.sqrt(2.0 / (K * FAN_IN));
            case KAIMING_UNIFORM:
                return Math.sqrt(6.0 / FAN_IN) / Math.sqrt(3); // U(-a, a) has std a/sqrt(3)
            case XAVIER_NORMAL:
            case SIGNED_XAVIER_CONSTANT:
                return Math.sqrt(1.0 / FAN_IN);
            case XAVIER_NORMAL_FAN_AVG:
                return Math.sqrt(2.0 / (FAN_IN + FAN_OUT));
            case PYTORCH_DEFAULT:
                return 1 / Math.sqrt(FAN_IN) / Math.sqrt(3);
            default:
                throw new AssertionError(d);
        }
    }

    @ParameterizedTest
    @EnumSource(Init.class)
    void meanAndStdMatchTheSpec(Init d) {
        float[] v = d.sample(N, FAN_IN, FAN_OUT, K, 42);
        double sum = 0;
        double sq = 0;
        for (float x : v) {
            sum += x;
            sq += (double) x * x;
        }
        double mean = sum / N;
        double std = Math.sqrt(sq / N - mean * mean);
        double want = expectedStd(d);
        // Standard errors: mean ~ std/sqrt(N), std ~ std/sqrt(2N); allow 5 of them.
        assertEquals(0, mean, 5 * want / Math.sqrt(N), d + " mean");
        assertEquals(want, std, 5 * want / Math.sqrt(2.0 * N) + 1e-9, d + " std");
    }

    @Test
    void signedConstantsHaveExactMagnitudesAndBalancedSigns() {
        for (Init d :
                new Init[] {
                    Init.SIGNED_KAIMING_CONSTANT,
                    Init.SCALED_SIGNED_KAIMING_CONSTANT,
                    Init.SIGNED_XAVIER_CONSTANT
                }) {
            float[] v = d.sample(N, FAN_IN, FAN_OUT, K, 7);
            float c = (float) expectedStd(d);
            int positive = 0;
            for (float x : v) {
                assertEquals(c, Math.abs(x), 0f, d.name());
                positive += x > 0 ? 1 : 0;
            }
            assertEquals(N / 2.0, positive, 5 * Math.sqrt(N / 4.0), d + " signs");
        }
    }

    @Test
    void uniformsStayInTheirBounds() {
        float[] v = Init.KAIMING_UNIFORM.sample(N, FAN_IN, FAN_OUT, K, 3);
        double bound = Math.sqrt(6.0 / FAN_IN);
        for (float x : v) {
            assertTrue(Math.abs(x) <= bound);
        }
    }

    @Test
    void scaledVariantsGrowTheStdByOneOverRootK() {
        assertEquals(
                1 / Math.sqrt(K),
                Init.SCALED_KAIMING_NORMAL.scale(FAN_IN, FAN_OUT, K)
                        / Init.KAIMING_NORMAL.scale(FAN_IN, FAN_OUT, K),
                1e-12);
    }

    @Test
    void aSeedGivesTheSameValuesBitForBitAndAnotherSeedOthers() {
        for (Init d : Init.values()) {
            assertArrayEquals(d.sample(1001, 9, 9, 0.5, 5), d.sample(1001, 9, 9, 0.5, 5));
            assertTrue(
                    !java.util.Arrays.equals(
                            d.sample(101, 9, 9, 0.5, 5), d.sample(101, 9, 9, 0.5, 6)));
        }
        assertTrue(Init.layerSeed(1, 0) != Init.layerSeed(1, 1));
    }

    @Test
    void theGeneratorIsPinned() {
        // A compact subnetwork stores a seed, not weights: a changed generator would silently
        // turn every stored subnetwork into another one.
        assertEquals(-1612297016619662647L, Init.layerSeed(1, 0));
        float[] v = Init.KAIMING_NORMAL.sample(3, 2, 2, 1, 1);
        assertArrayEquals(
                new int[] {-1123263516, -1079675854, -1071644389},
                new int[] {
                    Float.floatToRawIntBits(v[0]),
                    Float.floatToRawIntBits(v[1]),
                    Float.floatToRawIntBits(v[2])
                });
    }

    @ParameterizedTest
    @CsvSource({
        "signed-constant, SIGNED_KAIMING_CONSTANT",
        "SIGNED_KAIMING_CONSTANT, SIGNED_KAIMING_CONSTANT",
        "signed-kaiming-constant, SIGNED_KAIMING_CONSTANT",
        "Kaiming-Normal, KAIMING_NORMAL",
        "scaled-signed-constant, SCALED_SIGNED_KAIMING_CONSTANT",
        "scaled-kaiming-normal, SCALED_KAIMING_NORMAL",
        "kaiming-uniform, KAIMING_UNIFORM",
        "xavier-normal, XAVIER_NORMAL",
        "xavier-normal-fan-avg, XAVIER_NORMAL_FAN_AVG",
        "signed-xavier-constant, SIGNED_XAVIER_CONSTANT",
        "pytorch_default, PYTORCH_DEFAULT"
    })
    void initNamesIncludeThePapersShortNames(String name, Init expected) {
        assertEquals(expected, Init.parse(name));
    }

    @Test
    void unknownInitNamesTheUsualOnes() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> Init.parse("uniform"));
        assertTrue(
                e.getMessage().contains("unknown init 'uniform': use signed-constant"),
                e.getMessage());
    }
}
