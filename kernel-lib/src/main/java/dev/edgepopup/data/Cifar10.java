package dev.edgepopup.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads CIFAR-10's binary format: each file a sequence of records of one label byte and 3072 pixel
 * bytes, the red, green and blue 32x32 planes. Every inconsistency (a length that is not a whole
 * number of records, a label of 10 or more, a file that changes while read) is a {@link
 * CorruptDataException}. {@link Datasets#cifar10()} finds the files and normalises the images.
 */
public final class Cifar10 {
    /** The number of classes: a label is below it. */
    public static final int CLASSES = 10;

    /** Bytes of one image: 3 x 32 x 32. */
    public static final int IMAGE = 3 * 32 * 32;

    /** Bytes of one record: the label, then the image. */
    public static final int RECORD = 1 + IMAGE;

    private Cifar10() {}

    /**
     * Images and labels read from CIFAR-10 files.
     *
     * @param pixels {@code IMAGE} unsigned bytes per image, channel-major (NCHW as it is)
     * @param labels one label per image, in [0, 10)
     */
    public record Records(byte[] pixels, int[] labels) {}

    /**
     * Reads the files' records, in order. Every length is checked first, so that a truncated file
     * fails before 150 MB are read.
     *
     * @param files the .bin files
     * @return their records, concatenated
     * @throws CorruptDataException if a file is not a whole number of valid records
     * @throws UncheckedIOException if a file cannot be read
     */
    public static Records read(List<Path> files) {
        // Check every length first: a truncated file fails before 150 MB are read.
        long[] sizes = new long[files.size()];
        long records = 0;
        for (int f = 0; f < sizes.length; f++) {
            Path file = files.get(f);
            sizes[f] = size(file);
            if (sizes[f] == 0 || sizes[f] % RECORD != 0) {
                throw new CorruptDataException(
                        file,
                        sizes[f] - sizes[f] % RECORD,
                        "incomplete record: the file has "
                                + sizes[f]
                                + " bytes, not a positive multiple of "
                                + RECORD
                                + " (1 label byte + 3x32x32 pixels)");
            }
            records += sizes[f] / RECORD;
        }
        byte[] pixels = new byte[Math.toIntExact(records * IMAGE)];
        int[] labels = new int[(int) records];
        int n = 0;
        for (int f = 0; f < sizes.length; f++) {
            Path file = files.get(f);
            byte[] raw = bytes(file);
            if (raw.length != sizes[f]) {
                throw new CorruptDataException(
                        file, Math.min(raw.length, sizes[f]), "the file changed while being read");
            }
            for (int at = 0; at < raw.length; at += RECORD, n++) {
                labels[n] = raw[at] & 0xff;
                if (labels[n] >= CLASSES) {
                    throw new CorruptDataException(
                            file,
                            at,
                            "label " + labels[n] + " is not below the class count " + CLASSES);
                }
                // The record's pixels are already channel-major (R, G, B planes): NCHW as is.
                System.arraycopy(raw, at + 1, pixels, n * IMAGE, IMAGE);
            }
        }
        return new Records(pixels, labels);
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] bytes(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
