package dev.edgepopup.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.engine.StandardCapabilities;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Which device training runs on, and why. Networks, batches and optimizer state are all allocated
 * through {@code NDManager.newBaseManager()}, that is on the engine's default device: DJL makes it
 * the first GPU when PyTorch was loaded with CUDA and sees a device, the CPU otherwise. {@link
 * #pick()} applies the same rule and says which case holds, so a notebook or a log can print one
 * line such as {@code training on gpu(0): 1 CUDA device visible}. {@link #all()} names every device
 * for data-parallel training ({@code Training.of(net, train,
 * test).devices(Devices.all().devices())}).
 */
public final class Devices {
    private Devices() {}

    /**
     * A device and the reason it was chosen.
     *
     * @param device the device
     * @param reason why, e.g. "no CUDA device visible to PyTorch"
     */
    public record Choice(Device device, String reason) {
        /**
         * @return "training on DEVICE: REASON"
         */
        public String line() {
            return "training on " + device + ": " + reason;
        }
    }

    /**
     * @return the device of the loaded engine: its first GPU if it sees one, else the CPU
     */
    public static Choice pick() {
        Engine e = Engine.getInstance();
        return pick(e.getEngineName(), e.hasCapability(StandardCapabilities.CUDA), e.getGpuCount());
    }

    /**
     * The rule {@link #pick()} applies to an engine's state.
     *
     * @param engine the engine's name, e.g. "PyTorch"
     * @param cudaNatives whether its natives were built with CUDA
     * @param gpus the CUDA devices it sees
     * @return gpu(0) when there is a device, else the CPU, with the reason
     */
    public static Choice pick(String engine, boolean cudaNatives, int gpus) {
        if (gpus > 0) {
            return new Choice(
                    Device.gpu(), gpus + " CUDA device" + (gpus == 1 ? "" : "s") + " visible");
        }
        if (!cudaNatives) {
            return new Choice(
                    Device.cpu(),
                    engine
                            + " was loaded with CPU-only natives; on a "
                            + "machine with an NVIDIA GPU, build with -P gpu to get the CUDA ones");
        }
        return new Choice(Device.cpu(), "no CUDA device visible to " + engine);
    }

    /**
     * The devices data-parallel training uses, and why.
     *
     * @param devices gpu(0) to gpu(n - 1), or the CPU alone
     * @param reason why, as {@link Choice#reason()}
     */
    public record All(List<Device> devices, String reason) {
        /**
         * @return "training on DEVICES: REASON", e.g. "training on gpu(0), gpu(1): 2 CUDA ..."
         */
        public String line() {
            return "training on "
                    + devices.stream().map(Device::toString).collect(Collectors.joining(", "))
                    + ": "
                    + reason;
        }
    }

    /**
     * @return every GPU the loaded engine sees, else the CPU
     */
    public static All all() {
        Engine e = Engine.getInstance();
        return all(e.getEngineName(), e.hasCapability(StandardCapabilities.CUDA), e.getGpuCount());
    }

    /**
     * The rule {@link #all()} applies to an engine's state.
     *
     * @param engine the engine's name
     * @param cudaNatives whether its natives were built with CUDA
     * @param gpus the CUDA devices it sees
     * @return gpu(0) to gpu(gpus - 1), or the CPU with {@link #pick(String, boolean, int)}'s reason
     */
    public static All all(String engine, boolean cudaNatives, int gpus) {
        Choice first = pick(engine, cudaNatives, gpus);
        List<Device> devices =
                gpus > 0
                        ? IntStream.range(0, gpus).mapToObj(Device::gpu).toList()
                        : List.of(first.device());
        return new All(devices, first.reason());
    }
}
