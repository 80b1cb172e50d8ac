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


def interrupt_once_running(km, kc, code, marker):
    """Runs code, interrupts it once it has printed marker; returns the reply and the seconds
    from the interrupt to the reply."""
    msg_id = kc.execute(code)
    wait_for_output(kc, msg_id, marker)
    started = time.time()
    km.interrupt_kernel()
    reply = reply_to(kc, msg_id)
    return reply, time.time() - started


def sleep_loop_is_interrupted(km, kc):
    check(km.kernel_spec.interrupt_mode == "message", "kernelspec interrupt_mode")
    reply, seconds = interrupt_once_running(
        km, kc, 'System.out.println("looping");\nwhile (true) Thread.sleep(100);', "looping")
    check(seconds < 5, "the interrupt took %.1fs" % seconds)
    check(reply["status"] == "error", reply)
    check(reply["evalue"].startswith("java.lang.InterruptedException"), reply)
    check(km.is_alive(), "kernel died")
    check(expect_ok(kc, '"still here"').value()["text/plain"] == "still here", "cell after the interrupt")


def interrupt_checking_code_returns_partial_result(km, kc):
    reply, _ = interrupt_once_running(km, kc, 'long steps = 0;\n'
                                           'while (!Thread.interrupted()) {\n'
                                           '  if (steps++ == 0) System.out.println("counting");\n'
                                           '}\n'
                                           '"stopped after " + steps + " steps"', "counting")
    check(reply["status"] == "ok", reply)
    check(expect_ok(kc, "steps > 0").value()["text/plain"] == "true", "the partial result is kept")
    check(expect_ok(kc, "Thread.currentThread().isInterrupted()").value()["text/plain"] == "false",
          "the next cell starts uninterrupted")


def interrupt_stops_training_at_the_next_batch_with_its_partial_history(km, kc):
    expect_ok(kc, 'var d = Datasets.fashionMnist().limit(5_000, 500);\n'
                  'Net n = Nets.fc().seed(1).build();')
    reply, _ = interrupt_once_running(km, kc,
        'History h = Training.of(n, d.train(), d.test())\n'
        '    .recipe(Recipe.CIFAR10_EDGE_POPUP.epochs(50).batchSize(10))\n'
        '    .listener(new TrainingListener() {\n'
        '        public void onBatch(int e, int b, int bs, double l, double a, double i) {\n'
        '            if (e == 1 && b == 1) System.out.println("training");\n'
        '        }\n'
        '    }).run();\n'
        'h.interrupted() + " after " + h.epochs().size() + " epoch(s)"', "training")
    check(reply["status"] == "ok", reply)
    value = expect_ok(kc, 'h.interrupted() + " " + h.completedEpochs() + " " + h.epochs().size()')
    interrupted, completed, epochs = value.value()["text/plain"].split()
    check(interrupted == "true" and int(completed) < 50 and int(epochs) == int(completed) + 1,
          "partial history: %s" % value.value())
    check(km.is_alive(), "kernel died")


def interrupt_when_idle_changes_nothing(km, kc):
    km.interrupt_kernel()
    time.sleep(0.5)
    check(expect_ok(kc, "21 * 2").value()["text/plain"] == "42", "idle interrupt")


run(sleep_loop_is_interrupted, interrupt_checking_code_returns_partial_result,
    interrupt_stops_training_at_the_next_batch_with_its_partial_history, interrupt_when_idle_changes_nothing)
