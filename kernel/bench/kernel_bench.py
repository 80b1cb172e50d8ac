"""Measures the installed "Java (edge-popup)" kernel as a user meets it (not a test; prints numbers).

  /usr/bin/python3 kernel/bench/kernel_bench.py

- start: kernel process start to the first cell's result (libtorch already in DJL's cache);
- a 3-cell notebook executed headless with nbclient, wall time;
- the kernel's resident memory (VmRSS) after the quickstart notebook's cells;
- resident memory after 1 and after 5 epochs of the same training in one kernel (flat = no leak).
"""
import os
import sys
import tempfile
import time

import nbformat
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient

KERNEL = "java-edgepopup"
HERE = os.path.dirname(os.path.abspath(__file__))
NOTEBOOKS = os.path.join(HERE, "..", "..", "notebooks")


def rss_mib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS for %d" % pid)


def run(kc, code, timeout=1800):
    reply = kc.execute_interactive(code, timeout=timeout, output_hook=lambda m: None)
    if reply["content"]["status"] != "ok":
        raise RuntimeError("cell failed: %s\n%s" % (code, reply["content"]))


def started(cwd=None):
    km = KernelManager(kernel_name=KERNEL)
    t0 = time.monotonic()
    km.start_kernel(cwd=cwd)
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=120)
    run(kc, "1 + 1")
    return km, kc, time.monotonic() - t0


def main():
    km, kc, start = started()
    print("kernel start to first result: %.2f s" % start)
    km.shutdown_kernel(now=False)

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": KERNEL, "display_name": "Java (edge-popup)", "language": "java"}
    nb.cells = [nbformat.v4.new_code_cell(c) for c in (
        "var data = Datasets.fashionMnist().limit(2000, 500);",
        "Net net = Nets.fc().keep(0.5).seed(1).build();",
        "Training.of(net, data.train(), data.test()).recipe(Recipe.CIFAR10_EDGE_POPUP.epochs(1)).run()")]
    t0 = time.monotonic()
    NotebookClient(nb, kernel_name=KERNEL, timeout=600).execute()
    print("3-cell notebook, headless (kernel start included): %.2f s" % (time.monotonic() - t0))

    # The quickstart writes its exports into the kernel's working directory.
    km, kc, _ = started(cwd=tempfile.mkdtemp(prefix="kernel-bench-"))
    pid = km.provisioner.process.pid
    quickstart = nbformat.read(os.path.join(NOTEBOOKS, "00-quickstart.ipynb"), as_version=4)
    for cell in quickstart.cells:
        if cell.cell_type == "code":
            run(kc, cell.source)
    print("resident memory after the quickstart's cells: %.0f MiB" % rss_mib(pid))
    run(kc, 'var d = Datasets.fashionMnist().limit(20_000, 2_000);\n'
            'Net n = Nets.conv2().width(0.5).inputOf(d.train()).seed(2).build();')
    # A full GC first, so that Java garbage does not pass for native memory.
    train = 'Training.of(n, d.train(), d.test()).recipe(Recipe.CIFAR10_EDGE_POPUP.epochs(%d)).run();\nSystem.gc();'
    run(kc, train % 1)
    after1 = rss_mib(pid)
    run(kc, train % 5)
    after5 = rss_mib(pid)
    run(kc, train % 5)
    after10 = rss_mib(pid)
    print("resident memory after 1 epoch: %.0f MiB, after 5 more: %.0f MiB (%+.0f), after 5 more: "
          "%.0f MiB (%+.0f)" % (after1, after5, after5 - after1, after10, after10 - after5))
    km.shutdown_kernel(now=False)


if __name__ == "__main__":
    sys.exit(main())
