# Sourced by every launcher of a JVM that runs libtorch (bin/*, the kernelspec installer).
# glibc hands memory blocks over 32 MiB (one Conv4 activation at batch 128) straight back to the
# OS, so every training step page-faults its activations in anew: on a virtual machine that made
# Conv4 3-5x slower. Keeping freed memory in one arena removes the faults. Keep this string in
# step with <native.malloc> in pom.xml.
export GLIBC_TUNABLES="${GLIBC_TUNABLES:-glibc.malloc.mmap_threshold=4294967296:glibc.malloc.trim_threshold=17179869184:glibc.malloc.arena_max=1}"
