package dev.edgepopup.nn;

import ai.djl.engine.Engine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * The number format of a network's arithmetic ({@link Net#precision(Precision)}).
 *
 * <ul>
 *   <li>{@link #FP32}: everything in float32 (the default).
 *   <li>{@link #BF16}: convolutions and matrix products in bfloat16. Edge-popup and Zhou keep their
 *       frozen weights in bfloat16; learned dense weights stay float32 masters, cast to bfloat16
 *       on every pass. Scores, gradients reaching trained tensors, optimizer state, logits and
 *       loss stay float32.
 * </ul>
 *
 * bfloat16 is meant for CPUs with AMX (Intel Sapphire Rapids and later), where oneDNN runs its
 * matrix units, and {@link #resolve} falls back to float32 elsewhere. CPUs with AVX512-BF16 but no
 * AMX run it natively too: on a 2-core AMD EPYC one, forced bfloat16 trained Conv4 1.5-2.3 times
 * as fast as float32 (bin/benchmark --force-bf16).
 */
public enum Precision {
    /** float32 throughout. */
    FP32,
    /** bfloat16 compute, float32 trained state. */
    BF16;

    /** @return the lower-case name used by tables, JSON and the command line: "fp32", "bf16" */
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
     * The precision to train with on this machine when this one is asked for: {@link #BF16} only
     * on a GPU or a CPU with AMX, unless forced; otherwise {@link #FP32}, with one line saying
     * why.
     *
     * @param force use bfloat16 without AMX too (to test its paths, compare accuracy, or on a CPU
     *     with AVX512-BF16)
     * @param note receives the line that explains a fallback
     * @return the precision to use
     */
    public Precision resolve(boolean force, Consumer<String> note) {
        if (this == FP32 || force || Engine.getInstance().defaultDevice().isGpu()) {
            return this;
        }
        String amx = amxSupport(Path.of("/proc/cpuinfo"));
        if (amx == null) {
            return this;
        }
        note.accept("bf16 falls back to fp32: " + amx + " (force bf16 to use it anyway)");
        return FP32;
    }

    /**
     * @param cpuinfo Linux's /proc/cpuinfo
     * @return null when its flags include amx_tile and amx_bf16, else why not
     */
    static String amxSupport(Path cpuinfo) {
        String text;
        try {
            text = Files.readString(cpuinfo);
        } catch (IOException e) {
            return "cannot tell whether this CPU has AMX (" + cpuinfo + " unreadable)";
        }
        Set<String> flags = text.lines().filter(l -> l.startsWith("flags"))
                .findFirst()
                .map(l -> Arrays.stream(l.substring(l.indexOf(':') + 1).trim().split("\\s+"))
                        .collect(Collectors.toSet()))
                .orElse(Set.of());
        return flags.contains("amx_tile") && flags.contains("amx_bf16") ? null
                : "this CPU has no AMX (no amx_bf16 and amx_tile in " + cpuinfo + " flags)";
    }
}
