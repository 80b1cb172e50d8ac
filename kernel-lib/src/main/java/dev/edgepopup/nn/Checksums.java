package dev.edgepopup.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Fingerprints of what a run leaves in a network, to show that two runs (or two versions of the
 * code) ended with bit-identical masks, weights and scores.
 */
public final class Checksums {
    private Checksums() {}

    /**
     * One line per prunable layer, input first: its label, then the first 16 hex digits of the
     * SHA-256 of its 0/1 mask, its weights and its scores (each float's bits, in order).
     *
     * @param net the network
     * @return the lines, e.g. {@code fc1 mask=... weight=... scores=...}
     */
    public static List<String> of(Net net) {
        List<String> lines = new ArrayList<>();
        try (NDManager m = NDManager.newBaseManager()) {
            for (MaskedLayer l : net.layers()) {
                String scores = l.scores() == null ? "none" : hash(l.scores().getArray());
                lines.add(
                        l.label()
                                + " mask="
                                + hash(l.mask(m))
                                + " weight="
                                + hash(l.weight().getArray())
                                + " scores="
                                + scores);
            }
        }
        return lines;
    }

    private static String hash(NDArray a) {
        float[] values = a.toFloatArray();
        ByteBuffer bytes = ByteBuffer.allocate(values.length * Float.BYTES);
        bytes.asFloatBuffer().put(values);
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes.array());
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
