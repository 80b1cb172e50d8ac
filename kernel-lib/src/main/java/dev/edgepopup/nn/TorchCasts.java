package dev.edgepopup.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Differentiable bfloat16 casts and the channels-last memory format, which DJL 0.36's PyTorch
 * engine does not offer: {@code DataType.BFLOAT16} crashes its native side (it knows dtype codes
 * 0-8 only), {@code NDArray.toType} runs without autograd (cutting the graph silently), and it has
 * no memory-format call. Each operation here is a one-line TorchScript module, written as a
 * TorchScript archive at first use and loaded through the engine's module loader; running it in
 * training mode records it for autograd like any other operation.
 *
 * <p>bfloat16 arrays show up in DJL as {@code DataType.UNKNOWN}: pass them only to operations that
 * take the dtype from their input (convolution, matmul, ReLU, pooling, concat, reshape, indexing),
 * never to ones that ask DJL for a dtype (creation with {@code getDataType()}, softmax, {@code
 * toFloatArray}); {@link #toFp32} first.
 */
final class TorchCasts {
    // c10::ScalarType and c10::MemoryFormat codes, as TorchScript code writes them.
    private static final int FLOAT32 = 6;
    private static final int BFLOAT16 = 15;
    private static final int CHANNELS_LAST = 2;

    private TorchCasts() {}

    /**
     * @param x any floating array
     * @return x as bfloat16, with a gradient path back to x
     */
    static NDArray toBf16(NDArray x) {
        return run(Modules.INSTANCE.toBf16, x);
    }

    /**
     * @param x any floating array (bfloat16 included)
     * @return x as float32, with a gradient path back to x
     */
    static NDArray toFp32(NDArray x) {
        return run(Modules.INSTANCE.toFp32, x);
    }

    /**
     * @param x a 4-D array (N, C, H, W)
     * @return the same values stored channels-last (N, H, W, C in memory; the shape is unchanged)
     */
    static NDArray channelsLast(NDArray x) {
        return run(Modules.INSTANCE.channelsLast, x);
    }

    private static NDArray run(PtSymbolBlock module, NDArray x) {
        // Training mode: the engine skips its no-grad guard, so autograd records the operation
        // whenever gradient mode is on (and not inside NoGrad). The result lands on x's manager.
        return IValueUtils.forward(module, new NDList(x), true).singletonOrThrow();
    }

    /** The three modules, loaded once per JVM on the first cast. */
    private static final class Modules {
        static final Modules INSTANCE = new Modules();
        // Lives as long as the JVM: the modules are tiny and every network shares them.
        private final NDManager manager = NDManager.newBaseManager();
        final PtSymbolBlock toBf16 = load("to_bf16", "torch.to(x, " + BFLOAT16 + ")");
        final PtSymbolBlock toFp32 = load("to_fp32", "torch.to(x, " + FLOAT32 + ")");
        final PtSymbolBlock channelsLast =
                load("channels_last", "torch.contiguous(x, memory_format=" + CHANNELS_LAST + ")");

        private PtSymbolBlock load(String name, String expression) {
            try {
                Path file = Files.createTempFile("edgepopup-" + name, ".pt");
                try {
                    try (OutputStream out = Files.newOutputStream(file)) {
                        out.write(archive(name, expression));
                    }
                    return JniUtils.loadModule(
                            (PtNDManager) manager,
                            file,
                            false,
                            new String[0],
                            new String[0],
                            false);
                } finally {
                    Files.delete(file);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("could not write the TorchScript cast " + name, e);
            }
        }
    }

    /**
     * A TorchScript archive (what {@code torch.jit.save} writes) of a parameterless module whose
     * forward returns {@code expression} of its input {@code x}.
     */
    static byte[] archive(String name, String expression) throws IOException {
        String code =
                "class Op(Module):\n"
                        + "  __parameters__ = []\n"
                        + "  __buffers__ = []\n"
                        + "  training : bool\n"
                        + "  def forward(self: __torch__.Op,\n"
                        + "    x: Tensor) -> Tensor:\n"
                        + "    return "
                        + expression
                        + "\n";
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            store(zip, name + "/version", "3\n".getBytes(StandardCharsets.US_ASCII));
            store(zip, name + "/code/__torch__.py", code.getBytes(StandardCharsets.UTF_8));
            store(zip, name + "/data.pkl", objectPickle());
            // An empty tuple: the module has no tensor constants.
            store(zip, name + "/constants.pkl", new byte[] {(byte) 0x80, 2, ')', '.'});
        }
        return bytes.toByteArray();
    }

    /**
     * Pickle (protocol 2) of an {@code __torch__.Op} object with {@code training = True}: GLOBAL,
     * EMPTY_TUPLE, NEWOBJ, then its attribute dict and BUILD, as PyTorch's own pickler writes it.
     */
    private static byte[] objectPickle() {
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        p.write(0x80);
        p.write(2);
        p.writeBytes("c__torch__\nOp\n".getBytes(StandardCharsets.US_ASCII));
        p.write(')');
        p.write(0x81);
        p.write('}');
        p.write('(');
        byte[] key = "training".getBytes(StandardCharsets.US_ASCII);
        p.write('X');
        p.write(key.length); // BINUNICODE: 4-byte little-endian length
        p.write(0);
        p.write(0);
        p.write(0);
        p.writeBytes(key);
        p.write(0x88); // NEWTRUE
        p.write('u'); // SETITEMS
        p.write('b'); // BUILD
        p.write('.');
        return p.toByteArray();
    }

    /** An uncompressed entry: PyTorch's reader expects the records stored as they are. */
    private static void store(ZipOutputStream zip, String name, byte[] data) throws IOException {
        ZipEntry e = new ZipEntry(name);
        e.setMethod(ZipEntry.STORED);
        e.setSize(data.length);
        CRC32 crc = new CRC32();
        crc.update(data);
        e.setCrc(crc.getValue());
        zip.putNextEntry(e);
        zip.write(data);
        zip.closeEntry();
    }
}
