package dev.edgepopup.data;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URLConnection;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.zip.GZIPInputStream;

/**
 * Downloads the binary version of CIFAR-10 for users with internet: fetches the archive, checks its
 * published MD5 before unpacking anything, then unpacks {@code cifar-10-batches-bin/} into a
 * directory, which {@link Datasets#cifar10(Path)} then reads.
 *
 * <p>Run it as {@code java -cp <kernel-lib classpath> dev.edgepopup.data.Cifar10Download DIR}.
 */
public final class Cifar10Download {
    /** Where the CIFAR-10 authors publish the binary version. */
    public static final URI URL =
            URI.create("https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz");

    /** The MD5 of that archive, as published next to it. */
    public static final String MD5 = "c32a1d4ab5d03f1284b67883e8d87530";

    private static final int CONNECT_TIMEOUT_MS = 20_000;
    private static final int READ_TIMEOUT_MS = 60_000;
    private static final int BLOCK = 512;

    private final URI source;
    private final String md5;

    /** A downloader for the published archive. */
    public Cifar10Download() {
        this(URL, MD5);
    }

    /** A downloader for another copy of the archive: tests serve a small one locally. */
    Cifar10Download(URI source, String md5) {
        this.source = source;
        this.md5 = md5;
    }

    /**
     * Downloads the archive to {@code dir}, verifies it and unpacks it there; the archive itself is
     * deleted afterwards, whatever happens.
     *
     * @param dir where to unpack; created if needed
     * @return {@code dir/cifar-10-batches-bin}, the directory holding the .bin files
     * @throws IOException if there is no network (the message says how to place the files by hand),
     *     the checksum does not match (then nothing is unpacked), or the archive cannot be unpacked
     */
    public Path download(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path archive = Files.createTempFile(dir, "cifar-10-binary", ".tar.gz.part");
        try {
            String actual = fetch(archive, dir);
            if (!actual.equalsIgnoreCase(md5)) {
                throw new IOException(
                        "Checksum mismatch: the archive from "
                                + source
                                + " has MD5 "
                                + actual
                                + ", expected "
                                + md5
                                + ". Nothing was unpacked; try again.");
            }
            untar(archive, dir);
        } finally {
            Files.deleteIfExists(archive);
        }
        return dir.resolve("cifar-10-batches-bin");
    }

    /**
     * Downloads CIFAR-10 into the directory given as the only argument; exits with status 1 and a
     * message on failure.
     *
     * @param args the target directory
     */
    public static void main(String[] args) {
        if (args.length != 1) {
            System.err.println(
                    "usage: java -cp <classpath> " + Cifar10Download.class.getName() + " DIR");
            System.exit(2);
        }
        try {
            Path batches = new Cifar10Download().download(Path.of(args[0]));
            System.out.println("CIFAR-10 is in " + batches);
        } catch (IOException e) {
            System.err.println(e.getMessage());
            System.exit(1);
        }
    }

    /** Streams the archive to {@code archive} and returns its MD5 in hex. */
    private String fetch(Path archive, Path dir) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has MD5", e);
        }
        try {
            URLConnection connection = source.toURL().openConnection();
            connection.setConnectTimeout(CONNECT_TIMEOUT_MS);
            connection.setReadTimeout(READ_TIMEOUT_MS);
            if (connection instanceof HttpURLConnection http && http.getResponseCode() != 200) {
                throw new IOException(source + " answered HTTP " + http.getResponseCode());
            }
            try (InputStream in = new DigestInputStream(connection.getInputStream(), digest)) {
                Files.copy(in, archive, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (UnknownHostException
                | ConnectException
                | NoRouteToHostException
                | SocketTimeoutException e) {
            throw new IOException(
                    "No network: cannot reach "
                            + source
                            + " ("
                            + e
                            + "). On a machine"
                            + " with internet, download "
                            + URL
                            + ", check that its MD5 is "
                            + MD5
                            + ", and unpack it in "
                            + dir.toAbsolutePath()
                            + " (tar xzf cifar-10-binary.tar.gz) so that cifar-10-batches-bin/ with"
                            + " data_batch_1.bin .. data_batch_5.bin and test_batch.bin lies"
                            + " there.",
                    e);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /**
     * Unpacks the regular files of a gzipped ustar archive into {@code dir}; other entries
     * (directories, links) are skipped, directories being made as files need them.
     */
    private static void untar(Path archive, Path dir) throws IOException {
        Path root = dir.toAbsolutePath().normalize();
        try (InputStream in =
                new GZIPInputStream(
                        new BufferedInputStream(Files.newInputStream(archive)), 1 << 16)) {
            byte[] header = new byte[BLOCK];
            for (long offset = 0; ; ) {
                if (in.readNBytes(header, 0, BLOCK) < BLOCK) {
                    throw new IOException(
                            archive + ": tar ends at byte " + offset + " without its end marker");
                }
                if (isZero(header)) {
                    return; // end-of-archive marker
                }
                checkHeader(archive, header, offset);
                String name = text(header, 0, 100);
                String prefix = text(header, 345, 155);
                if (text(header, 257, 5).equals("ustar") && !prefix.isEmpty()) {
                    name = prefix + "/" + name;
                }
                long size = octal(archive, header, 124, 12, offset);
                byte type = header[156];
                offset += BLOCK;
                if (type == '0' || type == 0) {
                    Path out = root.resolve(name).normalize();
                    if (!out.startsWith(root) || out.equals(root)) {
                        throw new IOException(
                                archive
                                        + ": entry "
                                        + name
                                        + " at byte "
                                        + (offset - BLOCK)
                                        + " would be written outside "
                                        + root);
                    }
                    Files.createDirectories(out.getParent());
                    try (OutputStream o = Files.newOutputStream(out)) {
                        copy(in, o, size, archive, offset);
                    }
                } else {
                    copy(in, OutputStream.nullOutputStream(), size, archive, offset);
                }
                long padding = (BLOCK - size % BLOCK) % BLOCK;
                copy(in, OutputStream.nullOutputStream(), padding, archive, offset + size);
                offset += size + padding;
            }
        }
    }

    private static void checkHeader(Path archive, byte[] header, long offset) throws IOException {
        long sum = 0;
        for (int i = 0; i < BLOCK; i++) {
            // The checksum field itself counts as eight spaces.
            sum += i >= 148 && i < 156 ? ' ' : header[i] & 0xff;
        }
        long stored = octal(archive, header, 148, 8, offset);
        if (sum != stored) {
            throw new IOException(
                    archive
                            + ": tar header at byte "
                            + offset
                            + " has checksum "
                            + stored
                            + ", but its bytes sum to "
                            + sum);
        }
    }

    private static long octal(Path archive, byte[] header, int at, int len, long offset)
            throws IOException {
        String digits = text(header, at, len).trim();
        try {
            return Long.parseLong(digits, 8);
        } catch (NumberFormatException e) {
            throw new IOException(
                    archive
                            + ": tar header at byte "
                            + offset
                            + " has a bad octal number '"
                            + digits
                            + "' at field offset "
                            + at,
                    e);
        }
    }

    /** A NUL-terminated field. */
    private static String text(byte[] header, int at, int len) {
        int end = at;
        while (end < at + len && header[end] != 0) {
            end++;
        }
        return new String(header, at, end - at, StandardCharsets.UTF_8);
    }

    private static boolean isZero(byte[] block) {
        for (byte b : block) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    private static void copy(InputStream in, OutputStream out, long n, Path archive, long offset)
            throws IOException {
        byte[] buffer = new byte[1 << 16];
        for (long left = n; left > 0; ) {
            int k = in.read(buffer, 0, (int) Math.min(buffer.length, left));
            if (k < 0) {
                throw new IOException(
                        archive
                                + ": tar ends inside the entry data at byte "
                                + (offset + n - left));
            }
            out.write(buffer, 0, k);
            left -= k;
        }
    }
}
