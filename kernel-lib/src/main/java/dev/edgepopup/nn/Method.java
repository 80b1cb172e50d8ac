package dev.edgepopup.nn;

/** How a network's prunable layers learn. */
public enum Method {
    /** Edge-popup: weights frozen at their random values, scores trained, top-k mask per layer. */
    EDGE_POPUP,
    /** Learned dense weights: the ordinary baseline, no mask. */
    DENSE,
    /** Zhou et al.'s supermask: a Bernoulli(sigmoid(score)) mask sampled on every forward pass. */
    ZHOU;

    /**
     * @return the command-line style name {@link #parse} reads: "edge-popup", "dense", "zhou"
     */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    /**
     * Parses a command-line style name: {@code edge-popup}, {@code dense}, {@code zhou}.
     *
     * @param name the name, case and '-'/'_' insensitive
     * @return the method
     */
    public static Method parse(String name) {
        String n = name.trim().toUpperCase(java.util.Locale.ROOT).replace('-', '_');
        for (Method m : values()) {
            if (m.name().equals(n)) {
                return m;
            }
        }
        throw new IllegalArgumentException(
                "unknown method '" + name + "': use edge-popup, dense or zhou");
    }
}
