"""Measures one cell that prints N short lines through the installed "Java (edge-popup)" kernel
(not a test; prints numbers).

  /usr/bin/python3 kernel/bench/output_bench.py [N]      (default 1,000,000)

A client reads IOPub as a notebook front end does; it prints the seconds to the execute reply
and to the idle status (or that the idle status never came within two minutes), the stream
messages and characters it received, and the kernel's resident memory before and after the cell.
"""
import sys
import time

from jupyter_client.manager import KernelManager

KERNEL = "java-edgepopup"
PATIENCE = 120


def rss_mib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) // 1024
    raise RuntimeError("no VmRSS for %d" % pid)


def main():
    lines = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    km = KernelManager(kernel_name=KERNEL)
    km.start_kernel()
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=120)
        kc.execute_interactive("1 + 1", timeout=60, output_hook=lambda m: None)
        pid = km.provisioner.process.pid
        before = rss_mib(pid)
        started = time.time()
        msg_id = kc.execute("for (int i = 0; i < %d; i++) System.out.println(i);" % lines)
        reply = idle = None
        messages = chars = 0
        while idle is None and time.time() - started < PATIENCE:
            if reply is None:
                try:
                    if kc.get_shell_msg(timeout=0.01)["parent_header"].get("msg_id") == msg_id:
                        reply = time.time() - started
                except Exception:  # queue.Empty
                    pass
            try:
                msg = kc.get_iopub_msg(timeout=0.05)
            except Exception:  # queue.Empty
                continue
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            if msg["msg_type"] == "stream":
                messages += 1
                chars += len(msg["content"]["text"])
            elif msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                idle = time.time() - started
        print("%d lines: reply after %s, idle status %s; %d stream messages, %d characters; kernel RSS %d -> %d MiB"
              % (lines, "%.2f s" % reply if reply else "never",
                 "after %.2f s" % idle if idle else "never (within %d s)" % PATIENCE,
                 messages, chars, before, rss_mib(pid)))
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


if __name__ == "__main__":
    main()
