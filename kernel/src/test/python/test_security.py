"""Messages must carry the connection key's HMAC-SHA256: unsigned, wrongly signed, replayed and
malformed messages are dropped without a reply, and the kernel listens on the connection IP only.
Raw frames are sent with pyzmq, as a forger would."""
import hashlib
import hmac
import json
import uuid
from datetime import datetime, timezone

import zmq

from harness import check, execute, expect_ok, run, start_kernel, stop

SILENCE = 2.0  # seconds to wait for a reply that must not come


class Wire:
    """A DEALER socket on one kernel channel, speaking the Jupyter wire protocol by hand."""

    def __init__(self, km, port_name):
        info = km.get_connection_info()
        self.key = info["key"] if isinstance(info["key"], bytes) else info["key"].encode()
        self.socket = zmq.Context.instance().socket(zmq.DEALER)
        self.socket.setsockopt(zmq.LINGER, 0)
        self.socket.connect("tcp://%s:%d" % (info["ip"], info[port_name]))
        self.session = uuid.uuid4().hex

    def frames(self, msg_type, content, key=None, signature=None):
        header = {"msg_id": uuid.uuid4().hex, "username": "forger", "session": self.session,
                  "date": datetime.now(timezone.utc).isoformat(), "msg_type": msg_type, "version": "5.3"}
        parts = [json.dumps(part).encode() for part in (header, {}, {}, content)]
        if signature is None:
            signature = hmac.new(key or self.key, b"".join(parts), hashlib.sha256).hexdigest().encode()
        return header["msg_id"], [b"<IDS|MSG>", signature] + parts

    def send(self, frames):
        self.socket.send_multipart(frames)

    def replies(self, timeout):
        """Parent msg_ids of the replies that arrive within timeout seconds."""
        got = []
        while self.socket.poll(int(timeout * 1000)):
            frames = self.socket.recv_multipart()
            at = frames.index(b"<IDS|MSG>")
            got.append(json.loads(frames[at + 3])["msg_id"])
            timeout = 0.2
        return got

    def close(self):
        self.socket.close()


def execute_content(code):
    return {"code": code, "silent": False, "store_history": True, "user_expressions": {},
            "allow_stdin": False, "stop_on_error": True}


def is_defined(kc, name):
    return execute(kc, name).status == "ok"


def bad_messages_are_dropped_good_ones_answered(km, kc):
    shell = Wire(km, "shell_port")
    try:
        good_id, good = shell.frames("kernel_info_request", {})
        shell.send(good)
        check(shell.replies(10) == [good_id], "a properly signed request is answered")

        _, wrong = shell.frames("execute_request", execute_content("int forgedWrong = 1;"))
        wrong[1] = b"0" * 64
        _, unsigned = shell.frames("execute_request", execute_content("int forgedUnsigned = 1;"), signature=b"")
        _, other_key = shell.frames("execute_request", execute_content("int forgedKey = 1;"), key=b"not-the-key")
        _, tampered = shell.frames("execute_request", execute_content("int harmless = 1;"))
        tampered[5] = json.dumps(execute_content("int forgedTampered = 1;")).encode()
        for frames in (wrong, unsigned, other_key, tampered):
            shell.send(frames)
        # Too few frames: must not swallow the frames of the next message.
        shell.send([b"<IDS|MSG>", b"", b"{}"])
        check(shell.replies(SILENCE) == [], "no reply to any bad message")

        good_id, good = shell.frames("execute_request", execute_content("int signedCounter = 1;"))
        shell.send(good)
        shell.send(good)  # a replay
        check(shell.replies(10) == [good_id], "exactly one reply for a signed message and its replay")
        for name in ("forgedWrong", "forgedUnsigned", "forgedKey", "forgedTampered", "harmless"):
            check(not is_defined(kc, name), name + " must not have run")
        check(expect_ok(kc, "signedCounter").value()["text/plain"] == "1", "the signed cell ran once")
    finally:
        shell.close()


def forged_control_messages_do_not_stop_the_kernel(km, kc):
    control = Wire(km, "control_port")
    try:
        _, shutdown = control.frames("shutdown_request", {"restart": False}, key=b"guess")
        control.send(shutdown)
        _, interrupt = control.frames("interrupt_request", {}, signature=b"")
        control.send(interrupt)
        check(control.replies(SILENCE) == [], "no reply on control")
        check(km.is_alive(), "a forged shutdown_request stopped the kernel")
        check(expect_ok(kc, "40 + 2").value()["text/plain"] == "42", "kernel still answers")
    finally:
        control.close()


def listening_on_the_connection_ip_only(km, kc):
    info = km.get_connection_info()
    ports = {info[name] for name in ("shell_port", "iopub_port", "stdin_port", "control_port", "hb_port")}
    listening = {}
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as rows:
            next(rows)
            for row in rows:
                local, state = row.split()[1], row.split()[3]
                address, port = local.split(":")
                if state == "0A" and int(port, 16) in ports:  # 0A: LISTEN
                    listening.setdefault(int(port, 16), set()).add(ip_of(address))
    check(set(listening) == ports, "all five ports listen: %r vs %r" % (listening, ports))
    check(all(ips == {info["ip"]} for ips in listening.values()), "bound to %s only: %r" % (info["ip"], listening))


def ip_of(hex_address):
    """Decodes a /proc/net/tcp(6) address; IPv4-mapped IPv6 comes out as IPv4."""
    words = [bytes.fromhex(hex_address[i:i + 8])[::-1] for i in range(0, len(hex_address), 8)]
    raw = b"".join(words)
    if len(raw) == 16 and raw[:12] == b"\0" * 10 + b"\xff\xff":
        raw = raw[12:]
    if len(raw) == 4:
        return ".".join(str(b) for b in raw)
    return ":".join(raw[i:i + 2].hex() for i in range(0, 16, 2))


def kernel_refuses_a_connection_file_without_key():
    km = None
    try:
        from jupyter_client.manager import KernelManager
        from harness import KERNEL_NAME
        km = KernelManager(kernel_name=KERNEL_NAME)
        km.session.key = b""
        km.start_kernel()
        process = km.provisioner.process
        check(process.wait(timeout=60) != 0, "a kernel without key must not start")
    finally:
        if km is not None and km.has_kernel:
            km.shutdown_kernel(now=True)


run(bad_messages_are_dropped_good_ones_answered, forged_control_messages_do_not_stop_the_kernel,
    listening_on_the_connection_ip_only, kernel_refuses_a_connection_file_without_key)
