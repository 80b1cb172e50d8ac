package dev.edgepopup.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Cifar10Test {
    /** Records whose label is {@code labels[i]} and whose pixels are all {@code 10 * i + 1}. */
    private static byte[] records(int... labels) {
        byte[] out = new byte[labels.length * Cifar10.RECORD];
        for (int i = 0; i < labels.length; i++) {
            out[i * Cifar10.RECORD] = (byte) labels[i];
            for (int p = 1; p < Cifar10.RECORD; p++) {
                out[i * Cifar10.RECORD + p] = (byte) (10 * i + 1);
            }
        }
        return out;
    }

    @Test
    void readsRecordsOfSeveralFilesInOrder(@TempDir Path dir) throws IOException {
        Path a = Files.write(dir.resolve("a.bin"), records(3, 9));
        Path b = Files.write(dir.resolve("b.bin"), records(0));
        Cifar10.Records r = Cifar10.read(List.of(a, b));
        assertArrayEquals(new int[] {3, 9, 0}, r.labels());
        assertEquals(3 * Cifar10.IMAGE, r.pixels().length);
        assertEquals(1, r.pixels()[0]);
        assertEquals(11, r.pixels()[Cifar10.IMAGE + 5]);
        assertEquals(1, r.pixels()[2 * Cifar10.IMAGE + Cifar10.IMAGE - 1]);
    }

    @Test
    void aTruncatedFileOrALabelOfTenIsCorrupt(@TempDir Path dir) throws IOException {
        byte[] two = records(1, 2);
        byte[] cut = Arrays.copyOf(two, two.length - 7);
        Path shortFile = Files.write(dir.resolve("short.bin"), cut);
        CorruptDataException e =
                assertThrows(CorruptDataException.class, () -> Cifar10.read(List.of(shortFile)));
        assertTrue(e.getMessage().contains("incomplete record"), e.getMessage());
        Path badLabel = Files.write(dir.resolve("label.bin"), records(4, 10));
        e = assertThrows(CorruptDataException.class, () -> Cifar10.read(List.of(badLabel)));
        assertTrue(e.getMessage().contains("label 10"), e.getMessage());
    }
}
