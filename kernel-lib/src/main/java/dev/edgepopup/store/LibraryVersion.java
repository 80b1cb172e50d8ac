package dev.edgepopup.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * The library's version as a run's configuration records it ({@link RunConfig#library()}): the
 * Maven project version and a fingerprint of the code that determines a run's results, e.g. {@code
 * 0.1.0-SNAPSHOT+3fa9c2d1e0b4}. Any change to the compiled classes of the packages in {@link
 * #RESULT_PACKAGES} changes the fingerprint, hence every run key, so a run store never shows the
 * numbers of an older library as if this one had trained them (a rebuild with another compiler does
 * too: those runs are trained again rather than trusted).
 */
public final class LibraryVersion {
    /** The packages whose class files the fingerprint covers: networks, weights, training, data. */
    public static final List<String> RESULT_PACKAGES =
            List.of(
                    "dev/edgepopup/nn/",
                    "dev/edgepopup/init/",
                    "dev/edgepopup/train/",
                    "dev/edgepopup/data/");

    private static volatile String current;

    private LibraryVersion() {}

    /**
     * This library's version and fingerprint, computed once per JVM.
     *
     * @return e.g. {@code 0.1.0-SNAPSHOT+3fa9c2d1e0b4}
     * @throws IllegalStateException if the library's classes cannot be read (not loaded from a
     *     directory or a jar)
     */
    public static String current() {
        String v = current;
        if (v == null) {
            v = mavenVersion() + "+" + fingerprint(codeLocation());
            current = v;
        }
        return v;
    }

    /**
     * @return the project version Maven wrote into {@code dev/edgepopup/version.properties}
     */
    static String mavenVersion() {
        Properties p = new Properties();
        try (InputStream in =
                LibraryVersion.class.getResourceAsStream(
                        "/dev/edgepopup/" + "version.properties")) {
            if (in == null) {
                throw new IllegalStateException(
                        "dev/edgepopup/version.properties is missing "
                                + "from the class path: build the library with Maven");
            }
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read version.properties", e);
        }
        String v = p.getProperty("version", "");
        if (v.isEmpty() || v.contains("${")) {
            throw new IllegalStateException(
                    "version.properties holds no version ("
                            + v
                            + "): build the library with Maven, which fills it in");
        }
        return v;
    }

    private static Path codeLocation() {
        try {
            return Path.of(
                    LibraryVersion.class
                            .getProtectionDomain()
                            .getCodeSource()
                            .getLocation()
                            .toURI());
        } catch (URISyntaxException | NullPointerException | SecurityException e) {
            throw new IllegalStateException(
                    "cannot find where the library's classes were "
                            + "loaded from, so cannot fingerprint them",
                    e);
        }
    }

    /**
     * The first 12 hex digits of SHA-256 over the names and bytes of the class files of {@link
     * #RESULT_PACKAGES}, in name order: the same for a class directory and a jar of it.
     *
     * @param classes a class directory or a jar
     * @return the fingerprint
     */
    static String fingerprint(Path classes) {
        Map<String, byte[]> files = new TreeMap<>();
        try {
            if (Files.isDirectory(classes)) {
                for (String pkg : RESULT_PACKAGES) {
                    Path dir = classes.resolve(pkg);
                    if (!Files.isDirectory(dir)) {
                        continue;
                    }
                    try (Stream<Path> s = Files.walk(dir)) {
                        for (Path f : s.filter(f -> f.toString().endsWith(".class")).toList()) {
                            String name = classes.relativize(f).toString().replace('\\', '/');
                            files.put(name, Files.readAllBytes(f));
                        }
                    }
                }
            } else {
                try (JarFile jar = new JarFile(classes.toFile())) {
                    for (JarEntry e : jar.stream().toList()) {
                        if (e.getName().endsWith(".class")
                                && RESULT_PACKAGES.stream().anyMatch(e.getName()::startsWith)) {
                            try (InputStream in = jar.getInputStream(e)) {
                                files.put(e.getName(), in.readAllBytes());
                            }
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the library's classes in " + classes, e);
        }
        if (files.isEmpty()) {
            throw new IllegalStateException("no classes of " + RESULT_PACKAGES + " in " + classes);
        }
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            files.forEach(
                    (name, bytes) -> {
                        md.update(name.getBytes(StandardCharsets.UTF_8));
                        md.update((byte) 0);
                        md.update(java.nio.ByteBuffer.allocate(4).putInt(bytes.length).array());
                        md.update(bytes);
                    });
            return HexFormat.of().formatHex(md.digest()).substring(0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every JVM has SHA-256", e);
        }
    }
}
