"""Drives the installed "java-edgepopup" kernelspec through jupyter_client, as Jupyter does.

The JUnit integration test installs the kernelspec (install-kernelspec.sh --prefix) and points
JUPYTER_PATH at it; every test_*.py starts its own kernel(s) and exits non-zero on a failure.
"""
import re
import sys
import time
import traceback

from jupyter_client.manager import KernelManager

KERNEL_NAME = "java-edgepopup"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


class Failure(AssertionError):
    pass


def check(condition, message):
    if not condition:
        raise Failure(message)


def plain(text):
    return ANSI.sub("", text)


def rss_mib(pid):
    """The resident memory of a process, in MiB."""
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) // 1024
    raise Failure("no VmRSS for process %d" % pid)


def start_kernel(env=None):
    """Starts a kernel from the kernelspec, with env as its whole environment if given, and
    returns (manager, blocking client)."""
    km = KernelManager(kernel_name=KERNEL_NAME)
    if env is None:
        km.start_kernel()
    else:
        km.start_kernel(env=env)
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=90)
    return km, kc


class Result:
    """What one execute_request produced: the reply and the IOPub messages for it."""

    def __init__(self, reply, outputs):
        self.reply = reply
        self.content = reply["content"]
        self.outputs = outputs

    @property
    def status(self):
        return self.content["status"]

    def of_type(self, msg_type):
        return [m for m in self.outputs if m["msg_type"] == msg_type]

    def value(self):
        results = self.of_type("execute_result")
        check(len(results) == 1, "expected one execute_result, got %r" % self.outputs)
        return results[0]["content"]["data"]

    def stdout(self):
        return "".join(m["content"]["text"] for m in self.of_type("stream") if m["content"]["name"] == "stdout")

    def error(self):
        errors = self.of_type("error")
        check(len(errors) == 1, "expected one error output, got %r" % self.outputs)
        content = errors[0]["content"]
        return content["ename"], content["evalue"], plain("\n".join(content["traceback"]))


def execute(kc, code, timeout=60):
    """Runs code and waits for both its reply and its idle status."""
    msg_id = kc.execute(code)
    reply = None
    outputs = []
    idle = False
    deadline = time.time() + timeout
    while reply is None or not idle:
        left = deadline - time.time()
        check(left > 0, "no complete answer to %r within %ss" % (code, timeout))
        if reply is None:
            try:
                msg = kc.get_shell_msg(timeout=min(left, 0.2))
                if msg["parent_header"].get("msg_id") == msg_id:
                    reply = msg
            except Exception:  # queue.Empty: keep draining IOPub
                pass
        while True:
            try:
                msg = kc.get_iopub_msg(timeout=0.05)
            except Exception:
                break
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            if msg["msg_type"] == "status":
                idle = idle or msg["content"]["execution_state"] == "idle"
            elif msg["msg_type"] != "execute_input":
                outputs.append(msg)
    return Result(reply, outputs)


def expect_ok(kc, code, timeout=60):
    result = execute(kc, code, timeout)
    check(result.status == "ok", "%r failed: %r" % (code, result.outputs))
    return result


def request(kc, send, timeout=30):
    """Sends a request via send(kc) -> msg_id; returns the reply's content from shell or control."""
    msg_id = send(kc)
    deadline = time.time() + timeout
    while True:
        check(time.time() < deadline, "no reply within %ss" % timeout)
        for get in (kc.get_shell_msg, kc.get_control_msg):
            try:
                msg = get(timeout=0.1)
            except Exception:  # queue.Empty
                continue
            if msg["parent_header"].get("msg_id") == msg_id:
                return msg["content"]


def run(*tests, env=None):
    """Runs the test functions and exits 1 if any failed.

    Tests taking (km, kc) share one kernel (started with env, see start_kernel), restarted if a
    test leaves it dead; tests taking no arguments start and stop their own.
    """
    failed = 0
    km = kc = None
    try:
        for test in tests:
            started = time.time()
            try:
                if test.__code__.co_argcount == 2:
                    if km is None or not km.is_alive():
                        stop(km, kc)
                        km, kc = start_kernel(env)
                    test(km, kc)
                else:
                    test()
                print("PASS %s (%.1fs)" % (test.__name__, time.time() - started), flush=True)
            except Exception:
                failed += 1
                print("FAIL %s" % test.__name__, flush=True)
                traceback.print_exc()
    finally:
        stop(km, kc)
    sys.exit(1 if failed else 0)


def stop(km, kc):
    """Stops a client and kills its kernel, either of which may be None."""
    if kc is not None:
        kc.stop_channels()
    if km is not None and km.has_kernel:
        km.shutdown_kernel(now=True)
