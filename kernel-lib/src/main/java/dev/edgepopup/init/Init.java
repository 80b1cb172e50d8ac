package dev.edgepopup.init;

import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The paper's initial weight distributions (spec section 2). {@code fanIn} is {@code in_channels *
 * kh * kw} (linear: {@code in_features}); {@code k} is the kept fraction, used only by the scaled
 * variants, which replace {@code fanIn} by {@code k * fanIn}.
 *
 * <p>Values are drawn in Java from a {@link SplittableRandom}, so one seed gives bit-identical
 * weights on every machine and engine: a found subnetwork can be stored as a seed plus a mask.
 */
public enum Init {
    /** Kaiming normal, the paper's N_k: N(0, 2/fan_in). */
    KAIMING_NORMAL,
    /** Signed Kaiming constant, the paper's U_k: +-sqrt(2/fan_in) with a random sign. */
    SIGNED_KAIMING_CONSTANT,
    /** Kaiming normal with fan_in replaced by k*fan_in. */
    SCALED_KAIMING_NORMAL,
    /** Signed Kaiming constant with fan_in replaced by k*fan_in. */
    SCALED_SIGNED_KAIMING_CONSTANT,
    /** Kaiming uniform: U(-sqrt(6/fan_in), +sqrt(6/fan_in)). */
    KAIMING_UNIFORM,
    /** Xavier normal as the paper defines it (Zhou et al.'s N_x): N(0, 1/fan_in). */
    XAVIER_NORMAL,
    /** Xavier normal as the reference code computes it: N(0, 2/(fan_in+fan_out)). */
    XAVIER_NORMAL_FAN_AVG,
    /** Signed Xavier constant (Zhou et al.'s U_x): +-sqrt(1/fan_in). */
    SIGNED_XAVIER_CONSTANT,
    /** PyTorch's default layer init, U(-1/sqrt(fan_in), +1/sqrt(fan_in)): the scores' start. */
    PYTORCH_DEFAULT;

    /**
     * The standard deviation (or constant magnitude) this distribution uses.
     *
     * @param fanIn the layer's fan-in
     * @param fanOut the layer's fan-out (out_channels * kh * kw; linear: out_features)
     * @param k the kept fraction, for the scaled variants
     * @return the scale
     */
    public double scale(int fanIn, int fanOut, double k) {
        switch (this) {
            case KAIMING_NORMAL:
            case SIGNED_KAIMING_CONSTANT:
                return Math.sqrt(2.0 / fanIn);
            case SCALED_KAIMING_NORMAL:
            case SCALED_SIGNED_KAIMING_CONSTANT:
                return Math.sqrt(2.0 / (k * fanIn));
            case KAIMING_UNIFORM:
                return Math.sqrt(6.0 / fanIn);
            case XAVIER_NORMAL:
            case SIGNED_XAVIER_CONSTANT:
                return Math.sqrt(1.0 / fanIn);
            case XAVIER_NORMAL_FAN_AVG:
                return Math.sqrt(2.0 / (fanIn + fanOut));
            case PYTORCH_DEFAULT:
                return 1.0 / Math.sqrt(fanIn);
            default:
                throw new AssertionError(this);
        }
    }

    /**
     * Draws {@code n} values.
     *
     * @param n how many
     * @param fanIn the layer's fan-in
     * @param fanOut the layer's fan-out
     * @param k the kept fraction (scaled variants)
     * @param seed the seed: the same seed gives the same values, bit for bit
     * @return the values
     */
    public float[] sample(int n, int fanIn, int fanOut, double k, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double s = scale(fanIn, fanOut, k);
        float[] out = new float[n];
        switch (this) {
            case KAIMING_NORMAL:
            case SCALED_KAIMING_NORMAL:
            case XAVIER_NORMAL:
            case XAVIER_NORMAL_FAN_AVG:
                fillNormal(out, s, rng);
                break;
            case SIGNED_KAIMING_CONSTANT:
            case SCALED_SIGNED_KAIMING_CONSTANT:
            case SIGNED_XAVIER_CONSTANT:
                float c = (float) s;
                for (int i = 0; i < n; i++) {
                    out[i] = rng.nextBoolean() ? c : -c;
                }
                break;
            case KAIMING_UNIFORM:
            case PYTORCH_DEFAULT:
                for (int i = 0; i < n; i++) {
                    out[i] = (float) ((2 * rng.nextDouble() - 1) * s);
                }
                break;
            default:
                throw new AssertionError(this);
        }
        return out;
    }

    /** Box-Muller with StrictMath: reproducible on every JVM, unlike nextGaussian. */
    private static void fillNormal(float[] out, double std, SplittableRandom rng) {
        for (int i = 0; i < out.length; i += 2) {
            double u1 = 1.0 - rng.nextDouble(); // (0, 1]: log stays finite
            double u2 = rng.nextDouble();
            double r = std * StrictMath.sqrt(-2.0 * StrictMath.log(u1));
            out[i] = (float) (r * StrictMath.cos(2 * Math.PI * u2));
            if (i + 1 < out.length) {
                out[i + 1] = (float) (r * StrictMath.sin(2 * Math.PI * u2));
            }
        }
    }

    /**
     * Parses a command-line style name: an Init name in any case with '-' for '_', or one of the
     * paper's short names, {@code signed-constant} ({@link #SIGNED_KAIMING_CONSTANT}) and {@code
     * scaled-signed-constant} ({@link #SCALED_SIGNED_KAIMING_CONSTANT}).
     *
     * @param name the name
     * @return the distribution
     * @throws IllegalArgumentException listing the usual names
     */
    public static Init parse(String name) {
        String n = name.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        switch (n) {
            case "SIGNED_CONSTANT":
                return SIGNED_KAIMING_CONSTANT;
            case "SCALED_SIGNED_CONSTANT":
                return SCALED_SIGNED_KAIMING_CONSTANT;
            default:
                for (Init i : values()) {
                    if (i.name().equals(n)) {
                        return i;
                    }
                }
                throw new IllegalArgumentException(
                        "unknown init '"
                                + name
                                + "': use"
                                + " signed-constant, kaiming-normal, scaled-signed-constant,"
                                + " scaled-kaiming-normal, kaiming-uniform, xavier-normal,"
                                + " xavier-normal-fan-avg or signed-xavier-constant");
        }
    }

    /**
     * Mixes a run seed with a layer index into an independent per-layer seed.
     *
     * @param seed the run's seed
     * @param layer the layer's index
     * @return a seed for that layer
     */
    public static long layerSeed(long seed, int layer) {
        return new SplittableRandom(seed ^ (0x9E3779B97F4A7C15L * (layer + 1))).nextLong();
    }
}
