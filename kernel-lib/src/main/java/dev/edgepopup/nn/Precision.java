package dev.edgepopup.nn;

import ai.djl.engine.Engine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The number format of a network's arithmetic ({@link Net#precision(Precision)}).
 *
 * <ul>
 *   <li>{@link #FP32}: everything in float32 (the default).
 *   <li>{@link #BF16}: convolutions and matrix products in bfloat16. Edge-popup and Zhou keep their
 *       frozen weights in bfloat16; learned dense weights stay float32 masters, cast to bfloat16 on
 *       every pass. Scores, gradients reaching trained tensors, optimizer state, logits and loss
 *       stay float32.
 * </ul>
 *
 * bfloat16 runs natively on a GPU and on CPUs with AMX (Intel Sapphire Rapids and later) or
 * AVX512-BF16 (AMD Zen 4 and later, Intel Cooper Lake): on a 2-core AMD EPYC with AVX512-BF16,
 * forced bfloat16 trained Conv4 1.5-2.3 times as fast as float32 (bin/benchmark --force-bf16).
 * Elsewhere oneDNN emulates it, many times slower than float32, and {@link #resolve} falls back.
 * {@link #fastest()} is the choice for a machine as it is.
 */
public enum Precision {
    /** float32 throughout. */
    FP32,
    /** bfloat16 compute, float32 trained state. */
    BF16;

    /**
     * @return the lower-case name used by tables, JSON and the command line: "fp32", "bf16"
     */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * @param label "fp32" or "bf16", any case
     * @return the precision
     * @throws IllegalArgumentException for any other name
     */
    public static Precision parse(String label) {
        for (Precision p : values()) {
            if (p.label().equalsIgnoreCase(label)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown precision " + label + "; use fp32 or bf16");
    }

    /**
     * The faster precision on this machine: {@link #BF16} where it runs natively (see {@link
     * #resolve}), else {@link #FP32}.
     *
     * @return the precision
     */
    public static Precision fastest() {
        return BF16.resolve(false, line -> {});
    }

    /**
     * The precision to train with on this machine when this one is asked for: {@link #BF16} only on
     * a GPU or a CPU with AMX or AVX512-BF16, unless forced; otherwise {@link #FP32}, with one line
     * saying what the CPU lacks.
     *
     * @param force use bfloat16 anyway (to test its paths or compare accuracy)
     * @param note receives the line that explains a fallback
     * @return the precision to use
     */
    public Precision resolve(boolean force, Consumer<String> note) {
        if (this == FP32 || force || Engine.getInstance().defaultDevice().isGpu()) {
            return this;
        }
        String missing = bf16Support(Path.of("/proc/cpuinfo"));
        if (missing == null) {
            return this;
        }
        note.accept("bf16 falls back to fp32: " + missing + " (force bf16 to use it anyway)");
        return FP32;
    }

    /**
     * @param cpuinfo Linux's /proc/cpuinfo
     * @return null when its flags include avx512_bf16, or amx_bf16 and amx_tile; else what is
     *     missing
     */
    static String bf16Support(Path cpuinfo) {
        String text;
        try {
            text = Files.readString(cpuinfo);
        } catch (IOException e) {
            return "cannot tell whether this CPU runs bf16 natively (" + cpuinfo + " unreadable)";
        }
        Set<String> flags =
                text.lines()
                        .filter(l -> l.startsWith("flags"))
                        .findFirst()
                        .map(
                                l ->
                                        Arrays.stream(
                                                        l.substring(l.indexOf(':') + 1)
                                                                .trim()
                                                                .split("\\s+"))
                                                .collect(Collectors.toSet()))
                        .orElse(Set.of());
        List<String> amx =
                Stream.of("amx_bf16", "amx_tile").filter(f -> !flags.contains(f)).toList();
        if (flags.contains("avx512_bf16") || amx.isEmpty()) {
            return null;
        }
        return "this CPU has neither AVX512-BF16 (no avx512_bf16) nor AMX (no "
                + String.join(" and no ", amx)
                + ") in the flags of "
                + cpuinfo;
    }
}
