"""Restart gives a fresh kernel process; shutdown_request ends the process with exit code 0."""
import time

from harness import check, execute, expect_ok, request, run, start_kernel, stop


def restart_starts_a_fresh_kernel():
    km, kc = start_kernel()
    try:
        expect_ok(kc, "int before = 1;")
        old = km.provisioner.process
        started = time.time()
        km.restart_kernel(now=False)
        check(old.poll() == 0, "the old kernel exited with %r, not 0 after shutdown_request" % old.poll())
        check(km.provisioner.process.pid != old.pid, "a new process")
        kc.wait_for_ready(timeout=90)
        print("restart took %.1fs" % (time.time() - started))
        result = execute(kc, "before")
        check(result.status == "error" and "cannot find symbol" in result.content["evalue"], result.content)
        check(expect_ok(kc, "1 + 1").value()["text/plain"] == "2", "the new kernel runs cells")
    finally:
        stop(km, kc)


def shutdown_request_exits_cleanly():
    km, kc = start_kernel()
    try:
        process = km.provisioner.process
        reply = request(kc, lambda c: c.shutdown(), timeout=10)  # the reply comes on control
        check(reply["status"] == "ok" and reply["restart"] is False, reply)
        check(process.wait(timeout=10) == 0, "exit code %r" % process.returncode)
    finally:
        stop(km, kc)


def shutdown_during_a_running_cell_exits_cleanly():
    km, kc = start_kernel()
    try:
        process = km.provisioner.process
        kc.execute("while (true) Thread.sleep(100);")
        time.sleep(1)
        started = time.time()
        km.shutdown_kernel(now=False)
        # jupyter_client sends SIGTERM (exit 143) if the kernel is not gone within 2.5 s.
        check(process.poll() == 0, "exit code %r" % process.poll())
        print("shutdown took %.1fs" % (time.time() - started))
    finally:
        stop(km, kc)


def shutdown_with_a_cell_ignoring_interrupts_exits_cleanly():
    km, kc = start_kernel()
    try:
        process = km.provisioner.process
        kc.execute("long spins = 0;\nwhile (true) spins++;")
        time.sleep(1)
        started = time.time()
        km.shutdown_kernel(now=False)
        check(process.poll() == 0, "exit code %r" % process.poll())
        print("shutdown took %.1fs" % (time.time() - started))
    finally:
        stop(km, kc)


run(restart_starts_a_fresh_kernel, shutdown_request_exits_cleanly, shutdown_during_a_running_cell_exits_cleanly,
    shutdown_with_a_cell_ignoring_interrupts_exits_cleanly)
