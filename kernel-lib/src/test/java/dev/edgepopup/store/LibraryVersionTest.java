package dev.edgepopup.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgepopup.nn.Nets;
import dev.edgepopup.train.Recipe;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LibraryVersionTest {
    @TempDir Path dir;

    /** The compiled library (target/classes) that this test runs against. */
    private static Path classes() throws Exception {
        return Path.of(
                LibraryVersion.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    private static void copy(Path from, Path to) throws Exception {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path f : s.toList()) {
                Path t = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(f, t);
                }
            }
        }
    }

    @Test
    void theVersionIsMavensAndTheFingerprintCoversTheResultPackages() throws Exception {
        String v = LibraryVersion.current();
        assertTrue(v.matches("\\d+\\.\\d+\\.\\d+[^+]*\\+[0-9a-f]{12}"), v);
        assertEquals(
                LibraryVersion.mavenVersion() + "+" + LibraryVersion.fingerprint(classes()), v);
        assertEquals(
                v,
                RunConfig.of(
                                Nets.fc().spec(),
                                Recipe.CIFAR10_EDGE_POPUP,
                                1,
                                dev.edgepopup.data.ImageSet.random(
                                        new ai.djl.ndarray.types.Shape(1, 28, 28), 2, 10, 1),
                                dev.edgepopup.data.ImageSet.random(
                                        new ai.djl.ndarray.types.Shape(1, 28, 28), 2, 10, 2))
                        .library());
    }

    @Test
    void changedTrainingCodeChangesTheFingerprintAndOtherCodeDoesNot() throws Exception {
        Path copy = dir.resolve("classes");
        copy(classes(), copy);
        String before = LibraryVersion.fingerprint(copy);
        assertEquals(LibraryVersion.fingerprint(classes()), before);

        // The sweep and display packages organise and show runs: they do not change results.
        Path sweep = copy.resolve("dev/edgepopup/sweep/Sweep.class");
        Files.write(sweep, new byte[] {1, 2, 3}, java.nio.file.StandardOpenOption.APPEND);
        assertEquals(before, LibraryVersion.fingerprint(copy));

        for (String cls :
                List.of(
                        "dev/edgepopup/train/Training.class",
                        "dev/edgepopup/nn/MaskedLayer.class",
                        "dev/edgepopup/init/Init.class",
                        "dev/edgepopup/data/ImageSet.class")) {
            Path one = dir.resolve(cls.replace('/', '-'));
            copy(classes(), one);
            byte[] b = Files.readAllBytes(one.resolve(cls));
            b[b.length - 1] ^= 1; // one bit of one class file
            Files.write(one.resolve(cls), b);
            assertNotEquals(before, LibraryVersion.fingerprint(one), cls);
        }
    }

    @Test
    void aJarOfTheClassesHasTheSameFingerprint() throws Exception {
        Path jar = dir.resolve("kernel-lib.jar");
        Path root = classes();
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
                Stream<Path> s = Files.walk(root)) {
            for (Path f : s.filter(Files::isRegularFile).toList()) {
                out.putNextEntry(new JarEntry(root.relativize(f).toString().replace('\\', '/')));
                Files.copy(f, (OutputStream) out);
                out.closeEntry();
            }
        }
        assertEquals(LibraryVersion.fingerprint(root), LibraryVersion.fingerprint(jar));
    }
}
