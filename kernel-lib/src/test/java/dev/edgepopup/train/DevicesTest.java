package dev.edgepopup.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import java.util.List;
import org.junit.jupiter.api.Test;

class DevicesTest {
    @Test
    void withoutACudaDeviceTrainingRunsOnTheCpuAndSaysWhy() {
        assertEquals(
                "training on cpu(): no CUDA device visible to PyTorch",
                Devices.pick("PyTorch", true, 0).line());
        Devices.Choice cpuNatives = Devices.pick("PyTorch", false, 0);
        assertEquals(Device.cpu(), cpuNatives.device());
        assertTrue(cpuNatives.reason().contains("CPU-only natives"), cpuNatives.reason());
    }

    @Test
    void aVisibleCudaDeviceIsPicked() {
        assertEquals(
                "training on gpu(0): 1 CUDA device visible",
                Devices.pick("PyTorch", true, 1).line());
        assertEquals(
                "training on gpu(0): 2 CUDA devices visible",
                Devices.pick("PyTorch", true, 2).line());
    }

    @Test
    void thePickIsWhereTheLibraryAllocates() {
        Devices.Choice here = Devices.pick();
        assertEquals(Engine.getInstance().defaultDevice(), here.device());
        try (NDManager m = NDManager.newBaseManager()) {
            assertEquals(m.getDevice(), here.device());
        }
        if (Engine.getInstance().getGpuCount() == 0) {
            assertEquals(Device.cpu(), here.device(), here.line());
        }
    }

    @Test
    void allNamesEveryVisibleGpuElseTheCpu() {
        Devices.All two = Devices.all("PyTorch", true, 2);
        assertEquals(List.of(Device.gpu(0), Device.gpu(1)), two.devices());
        assertEquals("training on gpu(0), gpu(1): 2 CUDA devices visible", two.line());
        Devices.All none = Devices.all("PyTorch", false, 0);
        assertEquals(List.of(Device.cpu()), none.devices());
        assertEquals(Devices.pick("PyTorch", false, 0).reason(), none.reason());
        assertEquals(Engine.getInstance().defaultDevice(), Devices.all().devices().get(0));
    }
}
