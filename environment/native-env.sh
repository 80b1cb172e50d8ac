# Sourced by every launcher of a JVM that runs libtorch (bin/*, the kernelspec installer).
# The settings are the root pom's <native.malloc> and <launch.jvm>, read from it here so that
# they are defined once (LaunchTest checks that this script and the build agree).
# glibc hands memory blocks over 32 MiB (one Conv4 activation at batch 128) straight back to the
# OS, so every training step page-faults its activations in anew: on a virtual machine that made
# Conv4 3-5x slower. Keeping freed memory in one arena removes the faults.
launch_pom="$(dirname "${BASH_SOURCE[0]}")/../pom.xml"
launch_setting() {
    sed -n "s|^ *<$1>\(.*\)</$1>.*|\1|p" "$launch_pom"
}
export GLIBC_TUNABLES="${GLIBC_TUNABLES:-$(launch_setting native.malloc)}"
# The JVM flags every launcher passes (headless, DJL offline), as an array.
read -r -a LAUNCH_JVM_FLAGS <<< "$(launch_setting launch.jvm)"
