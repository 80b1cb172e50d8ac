package dev.edgepopup.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Cifar10DownloadTest {
    @TempDir Path dir;

    /** A ustar archive; a name ending in '/' is a directory entry. */
    static byte[] tar(Map<String, byte[]> entries) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        entries.forEach(
                (name, data) -> {
                    byte[] h = new byte[512];
                    boolean directory = name.endsWith("/");
                    put(h, 0, name);
                    put(h, 100, directory ? "0000755" : "0000644");
                    put(h, 108, "0000000");
                    put(h, 116, "0000000");
                    put(h, 124, String.format("%011o", data.length));
                    put(h, 136, "00000000000");
                    h[156] = (byte) (directory ? '5' : '0');
                    put(h, 257, "ustar");
                    put(h, 263, "00");
                    put(h, 148, "        ");
                    int sum = 0;
                    for (byte b : h) {
                        sum += b & 0xff;
                    }
                    put(h, 148, String.format("%06o", sum));
                    out.writeBytes(h);
                    out.writeBytes(data);
                    out.writeBytes(new byte[(512 - data.length % 512) % 512]);
                });
        out.writeBytes(new byte[1024]);
        return out.toByteArray();
    }

    static void put(byte[] header, int at, String text) {
        byte[] b = text.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(b, 0, header, at, b.length);
    }

    static String md5(byte[] data) throws NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(data));
    }

    /** A small stand-in for cifar-10-binary.tar.gz, laid out like the real one. */
    static Map<String, byte[]> smallCifar() {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("cifar-10-batches-bin/", new byte[0]);
        for (int k = 1, first = 0; k <= 5; first += k, k++) {
            entries.put(
                    "cifar-10-batches-bin/data_batch_" + k + ".bin",
                    DatasetsTest.cifarRecords(first, k));
        }
        entries.put("cifar-10-batches-bin/test_batch.bin", DatasetsTest.cifarRecords(100, 2));
        entries.put(
                "cifar-10-batches-bin/readme.html",
                "<p>hi</p>".getBytes(StandardCharsets.US_ASCII));
        return entries;
    }

    /**
     * Serves {@code body} at /cifar-10-binary.tar.gz on the loopback interface while running {@code
     * test}.
     */
    static void serving(byte[] body, ServerTest test) throws Exception {
        HttpServer server =
                HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext(
                "/cifar-10-binary.tar.gz",
                exchange -> {
                    exchange.sendResponseHeaders(200, body.length);
                    try (OutputStream o = exchange.getResponseBody()) {
                        o.write(body);
                    }
                });
        server.start();
        try {
            int port = server.getAddress().getPort();
            test.run(URI.create("http://127.0.0.1:" + port + "/cifar-10-binary.tar.gz"));
        } finally {
            server.stop(0);
        }
    }

    interface ServerTest {
        void run(URI uri) throws Exception;
    }

    static List<Path> listing(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.toList();
        }
    }

    @Test
    void downloadsVerifiesAndUnpacksOverHttp() throws Exception {
        Map<String, byte[]> entries = smallCifar();
        byte[] archive = IdxTest.gzip(tar(entries));
        serving(
                archive,
                uri -> {
                    Path batches = new Cifar10Download(uri, md5(archive)).download(dir);
                    assertEquals(dir.resolve("cifar-10-batches-bin"), batches);
                    for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                        if (!e.getKey().endsWith("/")) {
                            assertArrayEquals(
                                    e.getValue(),
                                    Files.readAllBytes(dir.resolve(e.getKey())),
                                    e.getKey());
                        }
                    }
                    assertEquals(List.of(batches), listing(dir)); // the downloaded archive is gone
                    assertEquals(15, Datasets.cifar10(dir).train().size());
                });
    }

    @Test
    void checksumMismatchUnpacksNothing() throws Exception {
        byte[] archive = IdxTest.gzip(tar(smallCifar()));
        String wrong = "00000000000000000000000000000000";
        serving(
                archive,
                uri -> {
                    IOException e =
                            assertThrows(
                                    IOException.class,
                                    () -> new Cifar10Download(uri, wrong).download(dir));
                    assertTrue(e.getMessage().startsWith("Checksum mismatch"), e.getMessage());
                    assertTrue(
                            e.getMessage().contains(md5(archive) + ", expected " + wrong),
                            e.getMessage());
                    assertEquals(List.of(), listing(dir));
                });
    }

    @Test
    void unreachableHostSaysNoNetworkAndHowToPlaceTheFiles() throws IOException {
        int port;
        try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = closed.getLocalPort();
        }
        URI nowhere = URI.create("http://127.0.0.1:" + port + "/cifar-10-binary.tar.gz");
        IOException e =
                assertThrows(
                        IOException.class,
                        () -> new Cifar10Download(nowhere, Cifar10Download.MD5).download(dir));
        String m = e.getMessage();
        assertTrue(m.startsWith("No network: cannot reach " + nowhere), m);
        assertTrue(m.contains("download " + Cifar10Download.URL), m);
        assertTrue(m.contains("unpack it in " + dir.toAbsolutePath()), m);
        assertEquals(List.of(), listing(dir));
    }

    @Test
    void entryEscapingTheTargetIsRejected() throws Exception {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("../evil.bin", new byte[] {1});
        byte[] archive = IdxTest.gzip(tar(entries));
        Path file = Files.write(dir.resolve("evil.tar.gz"), archive);
        Path target = dir.resolve("target");
        IOException e =
                assertThrows(
                        IOException.class,
                        () -> new Cifar10Download(file.toUri(), md5(archive)).download(target));
        assertTrue(
                e.getMessage().contains("entry ../evil.bin at byte 0 would be written outside"),
                e.getMessage());
        assertFalse(Files.exists(dir.resolve("evil.bin")));
    }
}
