package dev.edgepopup.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.training.GradientCollector;
import java.lang.reflect.Method;
import org.junit.jupiter.api.Test;

/** The TorchScript casts: values as bfloat16 rounds them by hand, and gradients flow through. */
class TorchCastsTest {
    @Test
    void bf16RoundsToEightSignificantBitsAndBack() {
        try (NDManager m = NDManager.newBaseManager()) {
            // bfloat16 keeps 8 significant bits: 1 + 2^-7 survives, 1 + 2^-8 is a tie that
            // rounds to even (1), 1 + 3 * 2^-8 rounds up to 1 + 2^-6, pi becomes 3.140625.
            NDArray x =
                    m.create(
                            new float[] {
                                1 + 0x1p-7f, 1 + 0x1p-8f, 1 + 3 * 0x1p-8f, (float) Math.PI, -2.5f, 0
                            });
            NDArray half = TorchCasts.toBf16(x);
            assertEquals(DataType.UNKNOWN, half.getDataType(), "DJL has no name for bf16");
            NDArray back = TorchCasts.toFp32(half);
            assertEquals(DataType.FLOAT32, back.getDataType());
            assertArrayEquals(
                    new float[] {1 + 0x1p-7f, 1, 1 + 0x1p-6f, 3.140625f, -2.5f, 0},
                    back.toFloatArray());
        }
    }

    @Test
    void castsAreRecordedByAutograd() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(new float[] {0.5f, -1, 2});
            x.setRequiresGradient(true);
            NDArray c = m.create(new float[] {(float) Math.PI, 1 + 0x1p-8f, -3});
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray y = TorchCasts.toFp32(TorchCasts.toBf16(x)).mul(c).sum();
                gc.backward(y);
            }
            // d/dx = c, sent back through both casts: as bfloat16, then float32 again.
            assertArrayEquals(new float[] {3.140625f, 1, -3}, x.getGradient().toFloatArray());
        }
    }

    @Test
    void channelsLastKeepsShapeAndValuesAndGradients() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.arange(2 * 3 * 4 * 5).toType(DataType.FLOAT32, false).reshape(2, 3, 4, 5);
            x.setRequiresGradient(true);
            assertTrue(contiguous(x));
            NDArray w =
                    m.arange(2 * 3 * 4 * 5)
                            .toType(DataType.FLOAT32, false)
                            .neg()
                            .reshape(2, 3, 4, 5);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray cl = TorchCasts.channelsLast(x);
                assertEquals(new Shape(2, 3, 4, 5), cl.getShape());
                assertFalse(contiguous(cl), "channels-last strides are not NCHW's");
                assertArrayEquals(x.toFloatArray(), cl.toFloatArray());
                gc.backward(cl.mul(w).sum());
            }
            assertArrayEquals(w.toFloatArray(), x.getGradient().toFloatArray());
        }
    }

    @Test
    void archiveIsAStoredZipOfTheModuleRecords() throws Exception {
        byte[] zip = TorchCasts.archive("op", "x");
        try (java.util.zip.ZipInputStream in =
                new java.util.zip.ZipInputStream(new java.io.ByteArrayInputStream(zip))) {
            java.util.List<String> names = new java.util.ArrayList<>();
            for (java.util.zip.ZipEntry e; (e = in.getNextEntry()) != null; ) {
                names.add(e.getName());
                assertEquals(java.util.zip.ZipEntry.STORED, e.getMethod());
            }
            assertEquals(
                    java.util.List.of(
                            "op/version",
                            "op/code/__torch__.py",
                            "op/data.pkl",
                            "op/constants.pkl"),
                    names);
        }
    }

    /** PyTorch's is_contiguous, which DJL keeps package-private. */
    static boolean contiguous(NDArray a) throws Exception {
        Class<?> lib = Class.forName("ai.djl.pytorch.jni.PyTorchLibrary");
        java.lang.reflect.Field f = lib.getDeclaredField("LIB");
        f.setAccessible(true);
        Method isContiguous = lib.getDeclaredMethod("torchIsContiguous", long.class);
        isContiguous.setAccessible(true);
        return (boolean) isContiguous.invoke(f.get(null), ((PtNDArray) a).getHandle());
    }
}
