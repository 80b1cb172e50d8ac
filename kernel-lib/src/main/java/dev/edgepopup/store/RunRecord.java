package dev.edgepopup.store;

import dev.edgepopup.export.Subnetwork;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/**
 * A run as stored: its configuration, status and, once finished, its results. Results that a run
 * does not have yet are NaN (numbers) or null.
 *
 * @param key the run's key, {@link RunConfig#key()}
 * @param config the configuration
 * @param status where the run stands
 * @param completedEpochs finished epochs stored
 * @param checkpointEpoch the last epoch whose checkpoint is known to be written (0: none)
 * @param finalTestAccuracy test accuracy after the last epoch
 * @param keptFraction weights in use over all weights at the end (expected value for Zhou, 1 for
 *     dense)
 * @param subnetworkBytes the compact subnetwork file's bytes (edge-popup runs), or null
 * @param wallSeconds the epochs' wall-clock seconds summed over every session of the run
 * @param imagesPerSecond training images per second, mean over the epochs
 * @param createdAt when the run first started
 * @param updatedAt when the row last changed
 * @param finishedAt when the run finished, or null
 * @param errorMessage why a failed run failed, or null
 */
public record RunRecord(
        String key,
        RunConfig config,
        RunStatus status,
        int completedEpochs,
        int checkpointEpoch,
        double finalTestAccuracy,
        double keptFraction,
        byte[] subnetworkBytes,
        double wallSeconds,
        double imagesPerSecond,
        Instant createdAt,
        Instant updatedAt,
        Instant finishedAt,
        String errorMessage) {

    /**
     * Reads the stored subnetwork back, e.g. to rebuild the found network with {@code
     * record.subnetwork().toNet()}.
     *
     * @return the subnetwork
     * @throws IllegalStateException if the run stored none (not an edge-popup run, or not finished)
     * @throws IOException if the stored bytes are corrupt
     */
    public Subnetwork subnetwork() throws IOException {
        if (subnetworkBytes == null) {
            throw new IllegalStateException(
                    "run "
                            + key
                            + " ("
                            + config.spec().method()
                            + ", "
                            + status.columnValue()
                            + ") has no stored subnetwork");
        }
        // Subnetwork reads files only.
        Path tmp = Files.createTempFile("subnetwork", ".bin");
        try {
            Files.write(tmp, subnetworkBytes);
            return Subnetwork.load(tmp);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
