package dev.edgepopup.data;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Reads IDX files, the format of MNIST and Fashion-MNIST: a big-endian magic number ({@code
 * 0x00000801} for a vector of unsigned bytes such as labels, {@code 0x00000803} for a stack of
 * unsigned-byte images), one big-endian int per dimension, then the bytes. A file may be
 * gzip-compressed; that is recognised by its magic bytes {@code 1f 8b}, not by its name.
 *
 * <p>Every inconsistency (wrong magic, a header that does not match the payload, a short or broken
 * file, bytes after the payload, a label outside the classes) is a {@link CorruptDataException}
 * whose offset counts bytes of the decompressed stream.
 */
public final class Idx {
    /** Magic number of a one-dimensional unsigned-byte IDX file (labels). */
    public static final int LABELS_MAGIC = 0x00000801;

    /** Magic number of a three-dimensional unsigned-byte IDX file (images). */
    public static final int IMAGES_MAGIC = 0x00000803;

    private Idx() {}

    /**
     * Images read from an IDX file.
     *
     * @param count number of images
     * @param rows rows per image
     * @param cols columns per image
     * @param pixels {@code count * rows * cols} unsigned bytes, row-major
     */
    public record Images(int count, int rows, int cols, byte[] pixels) {}

    /**
     * Reads an IDX image file.
     *
     * @param file the file, gzip-compressed or not
     * @return the images
     * @throws MissingDataException if the file does not exist
     * @throws CorruptDataException if the file is not a complete, consistent IDX image file
     */
    public static Images readImages(Path file) {
        Reader in = new Reader(file);
        int[] dims = in.header(IMAGES_MAGIC, 3, "IDX unsigned-byte images");
        byte[] pixels = in.payload((long) dims[0] * dims[1] * dims[2]);
        return new Images(dims[0], dims[1], dims[2], pixels);
    }

    /**
     * Reads an IDX label file and checks every label against the number of classes.
     *
     * @param file the file, gzip-compressed or not
     * @param classes the number of classes; every label must be below it
     * @return the labels
     * @throws MissingDataException if the file does not exist
     * @throws CorruptDataException if the file is not a complete, consistent IDX label file or
     *     holds a label of {@code classes} or more
     */
    public static int[] readLabels(Path file, int classes) {
        Reader in = new Reader(file);
        int n = in.header(LABELS_MAGIC, 1, "IDX unsigned-byte labels")[0];
        long start = in.offset;
        byte[] raw = in.payload(n);
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = raw[i] & 0xff;
            if (labels[i] >= classes) {
                throw in.corrupt(
                        start + i,
                        "label " + labels[i] + " is not below the class count " + classes);
            }
        }
        return labels;
    }

    /**
     * The decompressed bytes of one file, read front to back, with the offset every error names.
     */
    private static final class Reader {
        private final Path file;
        private final InputStream in;
        private final boolean gzip;
        private long offset;

        Reader(Path file) {
            this.file = file;
            byte[] bytes;
            try {
                bytes = Files.readAllBytes(file);
            } catch (NoSuchFileException e) {
                throw new MissingDataException(
                        file, "An IDX (MNIST-format) file was expected there.");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            InputStream raw = new ByteArrayInputStream(bytes);
            gzip = bytes.length >= 2 && (bytes[0] & 0xff) == 0x1f && (bytes[1] & 0xff) == 0x8b;
            try {
                this.in = gzip ? new GZIPInputStream(raw, 1 << 16) : raw;
            } catch (IOException e) {
                throw broken(e);
            }
        }

        /** Reads and checks the magic number and the dimensions, which must all be positive. */
        int[] header(int magic, int ndims, String what) {
            int found = readInt("the magic number");
            if (found != magic) {
                // Point at the first differing byte: the data type (2) or the dimension count (3).
                throw corrupt(
                        Integer.numberOfLeadingZeros(found ^ magic) / 8,
                        String.format(
                                "magic number 0x%08x, expected 0x%08x (%s)", found, magic, what));
            }
            int[] dims = new int[ndims];
            for (int d = 0; d < ndims; d++) {
                long at = offset;
                dims[d] = readInt("dimension " + d + " of the header");
                if (dims[d] <= 0) {
                    throw corrupt(at, "dimension " + d + " is " + dims[d]);
                }
            }
            return dims;
        }

        /** Reads exactly {@code size} bytes and then requires the end of the stream. */
        byte[] payload(long size) {
            long end = offset + size;
            if (size > Integer.MAX_VALUE - 8) {
                throw corrupt(
                        offset, "the header declares " + size + " bytes, more than an array holds");
            }
            byte[] data =
                    read((int) size, "the data (the header declares it runs to byte " + end + ")");
            try {
                if (in.read() != -1) {
                    throw corrupt(end, "unexpected bytes after the data the header declares");
                }
            } catch (IOException e) {
                throw broken(e);
            }
            return data;
        }

        private int readInt(String what) {
            byte[] b = read(4, what);
            return (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | b[3] & 0xff;
        }

        private byte[] read(int n, String what) {
            byte[] data = new byte[n];
            // Count as we go, so a gzip stream that breaks mid-read reports where it broke.
            for (int got = 0; got < n; ) {
                int k;
                try {
                    k = in.read(data, got, n - got);
                } catch (IOException e) {
                    throw broken(e);
                }
                if (k < 0) {
                    throw corrupt(offset, "the file ends inside " + what);
                }
                got += k;
                offset += k;
            }
            return data;
        }

        /**
         * The bytes are in memory, so any I/O failure here is a truncated or damaged gzip stream.
         */
        private CorruptDataException broken(IOException e) {
            CorruptDataException c = corrupt(offset, "broken gzip stream (" + e.getMessage() + ")");
            c.initCause(e);
            return c;
        }

        /** The exception for a problem at {@code at}, saying which bytes offsets count. */
        CorruptDataException corrupt(long at, String problem) {
            return new CorruptDataException(
                    file, at, gzip ? problem + " (offsets count decompressed bytes)" : problem);
        }
    }
}
