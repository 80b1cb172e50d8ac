package dev.edgepopup.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxTest {
    @TempDir Path dir;

    /** Two 2x3 images. */
    static final byte[] PIXELS = {
        0, 1, 2, (byte) 128, (byte) 254, (byte) 255, 10, 20, 30, 40, 50, 60
    };

    /** An IDX file: magic, big-endian dimensions, data. */
    static byte[] idx(int magic, int[] dims, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + data.length);
        b.putInt(magic);
        for (int d : dims) {
            b.putInt(d);
        }
        return b.put(data).array();
    }

    static byte[] gzip(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    Path write(String name, byte[] content) throws IOException {
        return Files.write(dir.resolve(name), content);
    }

    @Test
    void readsRawAndGzippedImagesWhateverTheirNames() throws IOException {
        byte[] file = idx(Idx.IMAGES_MAGIC, new int[] {2, 2, 3}, PIXELS);
        // Compression is told by content: a raw file named .gz and a gzip file named .raw.
        for (Path p : new Path[] {write("raw.gz", file), write("gz.raw", gzip(file))}) {
            Idx.Images images = Idx.readImages(p);
            assertEquals(2, images.count());
            assertEquals(2, images.rows());
            assertEquals(3, images.cols());
            assertArrayEquals(PIXELS, images.pixels(), p.toString());
        }
    }

    @Test
    void readsLabelsAndRejectsOneOutsideTheClasses() throws IOException {
        Path ok = write("ok", gzip(idx(Idx.LABELS_MAGIC, new int[] {3}, new byte[] {0, 9, 3})));
        assertArrayEquals(new int[] {0, 9, 3}, Idx.readLabels(ok, 10));

        Path bad = write("bad", idx(Idx.LABELS_MAGIC, new int[] {3}, new byte[] {1, 2, 10}));
        CorruptDataException e =
                assertThrows(CorruptDataException.class, () -> Idx.readLabels(bad, 10));
        assertEquals(10, e.offset()); // 8 header bytes, then the third label
        assertTrue(e.getMessage().contains(bad + " at byte 10"), e.getMessage());
        assertTrue(e.getMessage().contains("label 10"), e.getMessage());
    }

    @Test
    void truncatedPayloadNamesFileAndOffset() throws IOException {
        byte[] whole = idx(Idx.IMAGES_MAGIC, new int[] {2, 2, 3}, PIXELS);
        byte[] cut = Arrays.copyOf(whole, 16 + 7);
        for (Path p : new Path[] {write("cut", cut), write("cut-gz", gzip(cut))}) {
            CorruptDataException e =
                    assertThrows(CorruptDataException.class, () -> Idx.readImages(p));
            assertEquals(p, e.file());
            assertEquals(23, e.offset());
            assertTrue(
                    e.getMessage().startsWith(p + " at byte 23: the file ends inside the data"),
                    e.getMessage());
            assertTrue(e.getMessage().contains("runs to byte 28"), e.getMessage());
        }
        Path header = write("header", Arrays.copyOf(whole, 10));
        CorruptDataException e =
                assertThrows(CorruptDataException.class, () -> Idx.readImages(header));
        assertEquals(10, e.offset());
        assertTrue(e.getMessage().contains("dimension 1"), e.getMessage());
    }

    @Test
    void brokenGzipStreamIsCorruptAtTheDecompressedOffsetReached() throws IOException {
        byte[] noise = new byte[100 * 100];
        new SplittableRandom(1)
                .nextBytes(noise); // incompressible, so cutting the gzip cuts the data
        byte[] gz = gzip(idx(Idx.IMAGES_MAGIC, new int[] {1, 100, 100}, noise));
        Path p = write("broken.gz", Arrays.copyOf(gz, gz.length / 2));
        CorruptDataException e = assertThrows(CorruptDataException.class, () -> Idx.readImages(p));
        assertTrue(e.offset() > 16 && e.offset() < 16 + noise.length, "offset " + e.offset());
        assertTrue(e.getMessage().startsWith(p + " at byte " + e.offset() + ": "), e.getMessage());
    }

    @Test
    void wrongMagicPointsAtTheFirstWrongByte() throws IOException {
        Path labels = write("labels", idx(Idx.LABELS_MAGIC, new int[] {1}, new byte[] {0}));
        CorruptDataException dims =
                assertThrows(CorruptDataException.class, () -> Idx.readImages(labels));
        assertEquals(3, dims.offset());
        assertTrue(
                dims.getMessage().contains("magic number 0x00000801, expected 0x00000803"),
                dims.getMessage());

        Path floats = write("floats", idx(0x00000d03, new int[] {1, 1, 1}, new byte[4]));
        assertEquals(
                2, assertThrows(CorruptDataException.class, () -> Idx.readImages(floats)).offset());

        Path text = write("text", "not an idx file".getBytes());
        assertEquals(
                0, assertThrows(CorruptDataException.class, () -> Idx.readImages(text)).offset());
    }

    @Test
    void headerMustMatchThePayloadExactly() throws IOException {
        Path extra = write("extra", idx(Idx.IMAGES_MAGIC, new int[] {1, 2, 3}, PIXELS));
        CorruptDataException e =
                assertThrows(CorruptDataException.class, () -> Idx.readImages(extra));
        assertEquals(22, e.offset());
        assertTrue(e.getMessage().contains("unexpected bytes"), e.getMessage());

        Path zero = write("zero", idx(Idx.IMAGES_MAGIC, new int[] {2, 0, 3}, new byte[0]));
        assertEquals(
                8, assertThrows(CorruptDataException.class, () -> Idx.readImages(zero)).offset());
    }

    @Test
    void missingFileNamesThePath() {
        Path p = dir.resolve("nowhere.gz");
        MissingDataException e =
                assertThrows(MissingDataException.class, () -> Idx.readLabels(p, 10));
        assertEquals(p, e.path());
        assertTrue(e.getMessage().startsWith(p + " not found"), e.getMessage());
    }
}
