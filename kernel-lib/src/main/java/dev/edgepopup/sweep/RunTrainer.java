package dev.edgepopup.sweep;

import dev.edgepopup.data.ImageSource;
import dev.edgepopup.export.Subnetwork;
import dev.edgepopup.nn.Method;
import dev.edgepopup.nn.Net;
import dev.edgepopup.store.RunConfig;
import dev.edgepopup.store.RunRecord;
import dev.edgepopup.store.RunStore;
import dev.edgepopup.train.EpochRecord;
import dev.edgepopup.train.History;
import dev.edgepopup.train.Training;
import dev.edgepopup.train.TrainingDivergedException;
import dev.edgepopup.train.TrainingListener;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Trains one run of a sweep into its store: in the sweep's own JVM ({@link Local}) and in a cluster
 * task's worker ({@link SlurmWorker}) alike.
 */
final class RunTrainer {
    private final RunStore store;
    private final ImageSource train;
    private final ImageSource test;

    /**
     * @param store where the run is kept
     * @param train the training data its configuration names
     * @param test the test data
     */
    RunTrainer(RunStore store, ImageSource train, ImageSource test) {
        this.store = store;
        this.train = train;
        this.test = test;
    }

    /**
     * Trains a run on the calling thread: resumes it from its checkpoint when there is one, records
     * every finished epoch, and stores how it ended.
     *
     * @param c the run
     * @param more listeners after the store's own (which hears of an epoch first)
     * @return the run as stored when it ended (finished, failed or interrupted)
     * @throws RuntimeException an unexpected error, after the run was stored as failed
     */
    RunRecord train(RunConfig c, List<TrainingListener> more) {
        String key = store.start(c);
        Path checkpoint = store.checkpointFile(key);
        Training training = resumable(checkpoint);
        if (training == null) {
            // The configuration's precision is resolved already: used as it is.
            training =
                    Training.of(c.spec().build(), train, test)
                            .recipe(c.recipe())
                            .dataSeed(c.dataSeed())
                            .checkpoint(checkpoint)
                            .resolvedPrecision(c.precision())
                            .channelsLast(c.channelsLast());
        }
        // The recorder goes first: an epoch is committed before any other listener hears of it.
        StoreRecorder recorder = new StoreRecorder(store, key);
        training.listener(recorder);
        more.forEach(training::listener);
        try (Net net = training.net()) {
            History h = training.run();
            recorder.checkpointWritten();
            if (h.interrupted()) {
                store.markInterrupted(key);
            } else {
                finish(key, c, net, h, checkpoint);
            }
        } catch (TrainingDivergedException e) {
            recorder.checkpointWritten();
            store.markFailed(key, e.getMessage());
        } catch (UncheckedIOException e) {
            // An interrupt that lands while the checkpoint is written closes its file channel;
            // the previous checkpoint is intact, so the run is as resumable as after any interrupt.
            if (!(e.getCause() instanceof ClosedByInterruptException)) {
                store.markFailed(key, String.valueOf(e.getMessage()));
                throw e;
            }
            store.markInterrupted(key);
        } catch (RuntimeException e) {
            store.markFailed(key, e.toString());
            throw e;
        }
        return store.find(key).orElseThrow();
    }

    /** The run's training continued from its checkpoint, or null when there is none to use. */
    private Training resumable(Path checkpoint) {
        if (!Files.exists(checkpoint)) {
            return null;
        }
        try {
            return Training.resume(checkpoint, train, test);
        } catch (IOException e) {
            // A damaged checkpoint cannot be continued: train from scratch, which rewrites it.
            return null;
        }
    }

    private void finish(String key, RunConfig c, Net net, History h, Path checkpoint) {
        // Writing files with the interrupt flag set fails (interruptible channels): hold an
        // interrupt that arrived during the last epoch's evaluation until the results are safe.
        boolean interrupted = Thread.interrupted();
        try {
            byte[] subnetwork =
                    c.spec().method() == Method.EDGE_POPUP ? subnetworkBytes(net, key) : null;
            double seconds =
                    h.epochs().stream()
                            .filter(EpochRecord::complete)
                            .mapToDouble(EpochRecord::seconds)
                            .sum();
            store.finish(
                    key,
                    h.finalTestAccuracy(),
                    net.keptCount() / net.weightCount(),
                    subnetwork,
                    seconds,
                    h.imagesPerSecond());
            Files.deleteIfExists(checkpoint);
        } catch (IOException e) {
            throw new UncheckedIOException("could not store the results of run " + key, e);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private byte[] subnetworkBytes(Net net, String key) throws IOException {
        Files.createDirectories(store.checkpointDir());
        Path tmp = Files.createTempFile(store.checkpointDir(), key, ".subnet");
        try {
            Subnetwork.of(net).save(tmp);
            return Files.readAllBytes(tmp);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
