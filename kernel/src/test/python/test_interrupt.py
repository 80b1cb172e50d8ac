"""interrupt_mode "message": an interrupt_request stops the running cell; the kernel stays up."""
import time

from harness import check, execute, expect_ok, run


def wait_for_output(kc, msg_id, text, timeout=30):
    """Waits until the cell with msg_id has printed text (so it is surely running)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            msg = kc.get_iopub_msg(timeout=0.5)
        except Exception:
            continue
        if (msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "stream"
                and text in msg["content"]["text"]):
            return
    raise AssertionError("cell never printed %r" % text)


def reply_to(kc, msg_id, timeout=30):
    deadline = time.time() + timeout
    while True:
        msg = kc.get_shell_msg(timeout=max(0.1, deadline - time.time()))
        if msg["parent_header"].get("msg_id") == msg_id:
            return msg["content"]


def sleep_loop_is_interrupted(km, kc):
    check(km.kernel_spec.interrupt_mode == "message", "kernelspec interrupt_mode")
    msg_id = kc.execute('System.out.println("looping");\nwhile (true) Thread.sleep(100);')
    wait_for_output(kc, msg_id, "looping")
    started = time.time()
    km.interrupt_kernel()
    reply = reply_to(kc, msg_id)
    check(time.time() - started < 5, "the interrupt took %.1fs" % (time.time() - started))
    check(reply["status"] == "error", reply)
    check(reply["evalue"].startswith("java.lang.InterruptedException"), reply)
    check(km.is_alive(), "kernel died")
    check(expect_ok(kc, '"still here"').value()["text/plain"] == "still here", "cell after the interrupt")


def interrupt_checking_code_returns_partial_result(km, kc):
    msg_id = kc.execute('long steps = 0;\n'
                        'while (!Thread.currentThread().isInterrupted()) {\n'
                        '  if (steps++ == 0) System.out.println("counting");\n'
                        '}\n'
                        '"stopped after " + steps + " steps"')
    wait_for_output(kc, msg_id, "counting")
    km.interrupt_kernel()
    reply = reply_to(kc, msg_id)
    check(reply["status"] == "ok", reply)
    check(expect_ok(kc, "steps > 0").value()["text/plain"] == "true", "the partial result is kept")
    check(expect_ok(kc, "Thread.currentThread().isInterrupted()").value()["text/plain"] == "false",
          "the next cell starts uninterrupted")


def interrupt_when_idle_changes_nothing(km, kc):
    km.interrupt_kernel()
    time.sleep(0.5)
    check(expect_ok(kc, "21 * 2").value()["text/plain"] == "42", "idle interrupt")


run(sleep_loop_is_interrupted, interrupt_checking_code_returns_partial_result, interrupt_when_idle_changes_nothing)
