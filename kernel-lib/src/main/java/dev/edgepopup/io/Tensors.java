package dev.edgepopup.io;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A small container file: a magic tag, a JSON header and named little-endian float32 or bit-packed
 * arrays. Reading checks every length against the file, so a truncated or corrupt file gives an
 * error with its name and the offset, never a silently wrong tensor.
 */
public final class Tensors {
    private static final int VERSION = 1;
    private static final byte FLOATS = 0;
    private static final byte BITS = 1;

    private final String header;
    private final Map<String, float[]> floats;
    private final Map<String, boolean[]> bits;

    /**
     * @param header the JSON header
     * @param floats named float arrays, in order
     * @param bits named bit arrays (masks), stored 8 to a byte
     */
    public Tensors(String header, Map<String, float[]> floats, Map<String, boolean[]> bits) {
        this.header = header;
        this.floats = floats;
        this.bits = bits;
    }

    /**
     * @return the JSON header
     */
    public String header() {
        return header;
    }

    /**
     * @return the float arrays by name
     */
    public Map<String, float[]> floats() {
        return floats;
    }

    /**
     * @return the bit arrays by name
     */
    public Map<String, boolean[]> bits() {
        return bits;
    }

    /**
     * Writes the container atomically (a temporary file renamed over the target), so a crash never
     * leaves a half-written file under the real name.
     *
     * @param file the target
     * @param magic a 4-character tag naming the file kind
     * @throws IOException if writing fails
     */
    public void write(Path file, String magic) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
        try (OutputStream os = Files.newOutputStream(tmp)) {
            os.write(toBytes(magic));
        }
        Files.move(
                tmp,
                file,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private byte[] toBytes(String magic) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bos);
        out.write(magic.getBytes(StandardCharsets.US_ASCII));
        out.writeInt(VERSION);
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        out.writeInt(h.length);
        out.write(h);
        out.writeInt(floats.size() + bits.size());
        for (Map.Entry<String, float[]> e : floats.entrySet()) {
            writeName(out, e.getKey(), FLOATS, e.getValue().length);
            ByteBuffer b =
                    ByteBuffer.allocate(4 * e.getValue().length).order(ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(e.getValue());
            out.write(b.array());
        }
        for (Map.Entry<String, boolean[]> e : bits.entrySet()) {
            boolean[] v = e.getValue();
            writeName(out, e.getKey(), BITS, v.length);
            byte[] packed = new byte[(v.length + 7) / 8];
            for (int i = 0; i < v.length; i++) {
                if (v[i]) {
                    packed[i >> 3] |= (byte) (1 << (i & 7));
                }
            }
            out.write(packed);
        }
        out.flush();
        return bos.toByteArray();
    }

    private static void writeName(DataOutputStream out, String name, byte kind, int length)
            throws IOException {
        out.writeUTF(name);
        out.writeByte(kind);
        out.writeInt(length);
    }

    /**
     * Reads a container.
     *
     * @param file the file
     * @param magic the expected tag
     * @param what what the file is, for the error message (e.g. "checkpoint")
     * @return its contents
     * @throws IOException if the file is missing, truncated or corrupt (the message names the file
     *     and the byte offset)
     */
    public static Tensors read(Path file, String magic, String what) throws IOException {
        byte[] all;
        try {
            all = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(file.toString(), null, "no " + what + " file here");
        }
        Reader r = new Reader(file, all);
        String tag = new String(r.bytes(4, "magic"), StandardCharsets.US_ASCII);
        if (!tag.equals(magic)) {
            throw r.corrupt(
                    0,
                    "is not a "
                            + what
                            + " file (starts with '"
                            + tag
                            + "', expected '"
                            + magic
                            + "')");
        }
        int version = r.length("version");
        if (version != VERSION) {
            throw r.corrupt(4, "has format version " + version + ", this library reads " + VERSION);
        }
        String header = new String(r.bytes(r.length("header"), "header"), StandardCharsets.UTF_8);
        int count = r.length("array count");
        Map<String, float[]> floats = new LinkedHashMap<>();
        Map<String, boolean[]> bits = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            int at = r.buf.position();
            String name =
                    new String(
                            r.bytes(Short.toUnsignedInt(r.shortValue()), "array name"),
                            StandardCharsets.UTF_8);
            byte kind = r.bytes(1, "array kind")[0];
            int n = r.length("length of " + name);
            if (kind == FLOATS) {
                float[] v = new float[n];
                r.need(4L * n, "data of " + name);
                r.buf.slice().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
                r.buf.position(r.buf.position() + 4 * n);
                floats.put(name, v);
            } else if (kind == BITS) {
                byte[] packed = r.bytes((n + 7) / 8, "bits of " + name);
                boolean[] v = new boolean[n];
                for (int j = 0; j < n; j++) {
                    v[j] = (packed[j >> 3] >> (j & 7) & 1) != 0;
                }
                bits.put(name, v);
            } else {
                throw r.corrupt(at, "has an array '" + name + "' of unknown kind " + kind);
            }
        }
        if (r.buf.hasRemaining()) {
            throw r.corrupt(
                    r.buf.position(),
                    "has " + r.buf.remaining() + " unexpected bytes after its last array");
        }
        return new Tensors(header, floats, bits);
    }

    /** Bounds-checked reading that reports the file and offset. */
    private static final class Reader {
        private final Path file;
        private final ByteBuffer buf;

        Reader(Path file, byte[] all) {
            this.file = file;
            this.buf = ByteBuffer.wrap(all); // DataOutputStream's big-endian; floats are LE
        }

        void need(long n, String what) throws IOException {
            if (n > buf.remaining()) {
                throw corrupt(
                        buf.position(),
                        "is truncated: "
                                + what
                                + " needs "
                                + n
                                + " bytes, "
                                + buf.remaining()
                                + " left");
            }
        }

        byte[] bytes(int n, String what) throws IOException {
            need(n, what);
            byte[] b = new byte[n];
            buf.get(b);
            return b;
        }

        short shortValue() throws IOException {
            need(2, "a name length");
            return buf.getShort();
        }

        int length(String what) throws IOException {
            need(4, what);
            int at = buf.position();
            int n = buf.getInt();
            if (n < 0) {
                throw corrupt(at, "is corrupt: negative " + what + " " + n);
            }
            return n;
        }

        IOException corrupt(long offset, String message) {
            return new IOException(file + " " + message + " (at byte offset " + offset + ")");
        }
    }
}
