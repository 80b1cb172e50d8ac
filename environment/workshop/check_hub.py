"""Checks a running workshop hub the way its participants and teacher use it, through the hub's
HTTP API only (environment/test-workshop.sh starts the hub and runs this as root):

    check_hub.py --url https://127.0.0.1:PORT --ca CA.pem --state STATE --admin T --add D A B C

Every participant logs in, starts their server and runs a Java training cell in the "Java
(edge-popup)" kernel through the hub; each has their own notebooks and run store; A gets nothing
of B's server, files or kernel, with or without a token, through the proxy or straight at B's
server; the kernel cap, the memory cgroup, the JVM heap, the teacher's admin page, `workshop.sh
reset`, `workshop.sh add` (D) and the idle culling (on C) are checked. Prints the memory of a kernel, the hub and the
proxy. Exits non-zero naming the first failed check.
"""

import argparse
import asyncio
import http.cookiejar
import json
import os
import pwd
import re
import ssl
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

from tornado.httpclient import HTTPClientError, HTTPRequest
from tornado.websocket import websocket_connect

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = "edgepopup-notebooks"

# Seed i for participant i: one shared store would hold several runs, each of these holds one.
CELL = """
Datasets.Data data = Datasets.fashionMnist().limit(1_000, 500);
try (RunStore store = RunStore.open(Path.of("runs", "runs.db"))) {
    Sweep.over().seeds(%(seed)d).recipe(r -> r.epochs(1)).data(data).store(store).run();
    System.out.println("runs=" + store.runs().size());
}
System.out.println("user=" + System.getProperty("user.name"));
System.out.println("heapMiB=" + (Runtime.getRuntime().maxMemory() >> 20));
System.out.println("otherReadable=" + Files.isReadable(Path.of("%(other)s")));
"""


class Failed(Exception):
    pass


def check(condition, what):
    if not condition:
        raise Failed(what)
    print(f"  ok: {what}")


class Hub:
    """HTTP to the hub (through its proxy) and to the proxy's API, without following redirects."""

    def __init__(self, url, ca, state):
        self.url = url.rstrip("/")
        self.ssl = ssl.create_default_context(cafile=ca) if ca else None
        self.ca = ca
        self.state = Path(state)
        self.settings = json.loads((self.state / "settings.json").read_text())

    def request(self, method, path, token=None, body=None, jar=None, form=None, base=None):
        headers = {}
        data = None
        if token:
            headers["Authorization"] = "token " + token
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if form is not None:
            data = urllib.parse.urlencode(form).encode()
        url = path if path.startswith("http") else (base or self.url) + path
        request = urllib.request.Request(url, data=data, method=method, headers=headers)
        handlers = [NoRedirect(), urllib.request.HTTPSHandler(context=self.ssl)]
        if jar is not None:
            handlers.append(urllib.request.HTTPCookieProcessor(jar))
        opener = urllib.request.build_opener(*handlers)
        try:
            with opener.open(request, timeout=60) as r:
                return r.status, r.headers, r.read().decode(errors="replace")
        except urllib.error.HTTPError as e:
            return e.code, e.headers, e.read().decode(errors="replace")

    def json(self, method, path, token, body=None, expect=(200, 201, 202, 204)):
        status, _, text = self.request(method, path, token=token, body=body)
        if status not in expect:
            raise Failed(f"{method} {path}: {status} {text[:300]}")
        return json.loads(text) if text else {}

    def browse(self, path, jar, hops=10):
        """GET following redirects by hand (cookies kept); returns the last status, URL and body."""
        url = self.url + path
        for _ in range(hops):
            status, headers, text = self.request("GET", url, jar=jar)
            if status not in (301, 302, 303, 307):
                return status, url, text
            url = urllib.parse.urljoin(url, headers["Location"])
        raise Failed(f"more than {hops} redirects from {path}")

    def proxy_routes(self):
        token = (self.state / "proxy_token").read_text().strip()
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.settings['proxy_api_port']}/api/routes",
            headers={"Authorization": "token " + token})
        with urllib.request.urlopen(request, timeout=30) as r:
            return json.loads(r.read())


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


async def connect_kernel(hub, user, token, kernel_id):
    """The kernel's websocket through the hub (its proxy), as the notebook page opens it."""
    ws_url = hub.url.replace("http", "ws", 1) + f"/user/{user}/api/kernels/{kernel_id}/channels"
    return await websocket_connect(HTTPRequest(ws_url, headers={"Authorization": "token " + token},
                                               ca_certs=hub.ca))


def send_cell(ws, user, code):
    """Sends an execute_request; returns its message id."""
    msg_id = uuid.uuid4().hex
    ws.write_message(json.dumps({
        "header": {"msg_id": msg_id, "username": user, "session": uuid.uuid4().hex,
                   "msg_type": "execute_request", "version": "5.3"},
        "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
        "content": {"code": code, "silent": False, "store_history": True,
                    "user_expressions": {}, "allow_stdin": False, "stop_on_error": True}}))
    return msg_id


async def execute(hub, user, token, kernel_id, code, timeout=600):
    """Runs one cell over the kernel's websocket through the hub; returns stdout, or raises with
    the kernel's error."""
    ws = await connect_kernel(hub, user, token, kernel_id)
    msg_id = send_cell(ws, user, code)
    out, error, idle, replied = [], None, False, False
    deadline = time.monotonic() + timeout
    while not (idle and replied):
        raw = await asyncio.wait_for(ws.read_message(), deadline - time.monotonic())
        if raw is None:
            raise Failed(f"{user}: the kernel's websocket closed during the cell")
        msg = json.loads(raw)
        if msg.get("parent_header", {}).get("msg_id") != msg_id:
            continue
        kind, content = msg["msg_type"], msg["content"]
        if kind == "stream":
            out.append(content["text"])
        elif kind == "error":
            error = f"{content['ename']}: {content['evalue']}"
        elif kind == "status" and content["execution_state"] == "idle":
            idle = True
        elif kind == "execute_reply":
            replied = True
    ws.close()
    if error:
        raise Failed(f"{user}: the cell failed: {error}")
    return "".join(out)


async def execute_until_killed(hub, user, token, kernel_id, code, timeout=180):
    """Sends a cell meant to be killed; returns the kernel's state that ended it ('restarting'
    or 'dead' when the notebook server saw the kernel die, 'finished' when the cell ran)."""
    ws = await connect_kernel(hub, user, token, kernel_id)
    msg_id = send_cell(ws, user, code)
    deadline = time.monotonic() + timeout
    try:
        while True:
            raw = await asyncio.wait_for(ws.read_message(), deadline - time.monotonic())
            if raw is None:
                return "closed"
            msg = json.loads(raw)
            if msg["msg_type"] == "status":
                state = msg["content"]["execution_state"]
                if state in ("restarting", "dead"):
                    return state
                if state == "idle" and msg.get("parent_header", {}).get("msg_id") == msg_id:
                    return "finished"
    finally:
        ws.close()


async def websocket_status(hub, path, token):
    """The HTTP status a websocket handshake gets (101 when it opens)."""
    ws_url = hub.url.replace("http", "ws", 1) + path
    headers = {"Authorization": "token " + token} if token else {}
    try:
        ws = await websocket_connect(HTTPRequest(ws_url, headers=headers, ca_certs=hub.ca))
    except HTTPClientError as e:
        return e.code
    ws.close()
    return 101


def processes(user):
    """pid -> command line of the user's processes."""
    uid = pwd.getpwnam(user).pw_uid
    found = {}
    for p in Path("/proc").iterdir():
        if p.name.isdigit():
            try:
                if p.stat().st_uid == uid:
                    found[int(p.name)] = (p / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                pass
    return found


def kernel_pid(user):
    pids = [pid for pid, cmd in processes(user).items() if "EdgePopupKernel" in cmd]
    return pids[0] if pids else None


def memory_kib(pid, field="VmRSS"):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def listening_addresses(port):
    """Local addresses with a listening TCP socket on PORT (from /proc/net/tcp and tcp6)."""
    found = set()
    for name in ("tcp", "tcp6"):
        path = Path("/proc/net") / name
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            fields = line.split()
            local, st = fields[1], fields[3]
            address, p = local.split(":")
            if st == "0A" and int(p, 16) == port:
                raw = bytes.fromhex(address)
                if name == "tcp":
                    found.add(".".join(str(b) for b in reversed(raw)))
                else:
                    found.add(raw.hex())
    return found


def check_secrets(hub):
    print("secrets and where the hub listens")
    state = hub.state
    check(stat.S_IMODE(state.stat().st_mode) == 0o700 and state.stat().st_uid == 0,
          f"{state} is root's, mode 700")
    check(not state.resolve().is_relative_to(REPO), "the state lies outside the repository")
    for name in ("jupyterhub_cookie_secret", "proxy_token", "service_token", "passwords.txt",
                 "jupyterhub.sqlite"):
        st = (state / name).stat()
        check(st.st_uid == 0 and stat.S_IMODE(st.st_mode) & 0o077 == 0,
              f"{name} is readable by root only ({stat.S_IMODE(st.st_mode):o})")
    port = hub.settings["port"]
    check(listening_addresses(port) == {hub.settings["ip"]},
          f"port {port} listens on {hub.settings['ip']} only")
    check(hub.url.startswith("https") == bool(hub.settings["cert"]), "TLS exactly when a certificate is given")


def log_in(hub, name, password):
    status, _, _ = hub.request("POST", f"/hub/api/users/{name}/tokens",
                               body={"auth": {"username": name, "password": password + "x"}})
    check(status == 403, f"{name}: a wrong password gets no token ({status})")
    reply = hub.json("POST", f"/hub/api/users/{name}/tokens", None,
                     {"auth": {"username": name, "password": password}, "note": "check_hub"})
    return reply["token"]


def start_server(hub, name, token):
    hub.json("POST", f"/hub/api/users/{name}/server", token, expect=(201, 202))
    for _ in range(120):
        user = hub.json("GET", f"/hub/api/users/{name}", token)
        server = user.get("servers", {}).get("")
        if server and server.get("ready"):
            return
        time.sleep(1)
    raise Failed(f"{name}'s server did not become ready in 2 minutes")


def run_cell(hub, name, token, seed, other_home):
    session = hub.json("POST", f"/user/{name}/api/sessions", token, {
        "path": "00-quickstart.ipynb", "type": "notebook", "name": "",
        "kernel": {"name": "java-edgepopup"}})
    kernel = session["kernel"]["id"]
    code = CELL % {"seed": seed, "other": f"{other_home}/{NOTEBOOKS}/00-quickstart.ipynb"}
    out = asyncio.run(execute(hub, name, token, kernel, code))
    values = dict(re.findall(r"^(\w+)=(\S+)$", out, re.M))
    check(values.get("user") == name, f"{name}: the kernel runs as {name}")
    check(values.get("runs") == "1", f"{name}: their run store holds their one run ({values.get('runs')})")
    check(values.get("otherReadable") == "false", f"{name}: their kernel cannot read another's notebook")
    heap = int(values.get("heapMiB", 0))
    want = hub.settings["heap"] >> 20
    check(abs(heap - want) <= want // 10, f"{name}: kernel heap {heap} MiB follows the setting ({want} MiB)")
    return kernel


def check_files(hub, name, token):
    home = Path(pwd.getpwnam(name).pw_dir)
    listing = hub.json("GET", f"/user/{name}/api/contents", token)
    names = {item["name"] for item in listing["content"]}
    originals = {p.name for p in (Path(hub.settings["prefix"]) / "notebooks").glob("*.ipynb")}
    check(originals <= names and "runs" in names, f"{name}: their notebooks and runs/ in their server")
    uid = pwd.getpwnam(name).pw_uid
    for path in (home / NOTEBOOKS, home / NOTEBOOKS / "00-quickstart.ipynb", home / NOTEBOOKS / "runs" / "runs.db"):
        st = path.stat()
        check(st.st_uid == uid and stat.S_IMODE(st.st_mode) & 0o077 == 0,
              f"{name}: {path.relative_to(home)} is theirs alone ({stat.S_IMODE(st.st_mode):o})")


def check_isolation(hub, a, b, tokens, passwords, b_kernel):
    print(f"{a} against {b}'s server, files and kernel")
    token = tokens[a]
    paths = [f"/user/{b}/api/contents", f"/user/{b}/api/contents/00-quickstart.ipynb",
             f"/user/{b}/files/00-quickstart.ipynb", f"/user/{b}/api/contents/runs/runs.db",
             f"/user/{b}/api/sessions", f"/user/{b}/api/kernels", f"/user/{b}/api/kernels/{b_kernel}"]
    for path in paths:
        for who, tok in ((f"{a}'s token", token), ("no token", None)):
            status, headers, text = hub.request("GET", path, token=tok)
            leak = "00-quickstart" in text or b_kernel in text
            denied = status == 403 or (status == 302 and "/hub/" in headers.get("Location", ""))
            check(denied and not leak, f"GET {path} with {who}: {status}, nothing of {b}'s")
    for method, path in (("POST", f"/user/{b}/api/kernels"), ("DELETE", f"/user/{b}/api/kernels/{b_kernel}"),
                         ("PUT", f"/user/{b}/api/contents/mine.ipynb"),
                         ("POST", f"/hub/api/users/{b}/tokens"), ("DELETE", f"/hub/api/users/{b}/server")):
        status, _, _ = hub.request(method, path, token=token, body={})
        # The hub answers 404 for what a token may not see, the notebook server 403.
        check(status in ((403, 404) if path.startswith("/hub/") else (403,)),
              f"{method} {path} with {a}'s token: {status}")
    kernel = hub.json("GET", f"/user/{b}/api/kernels/{b_kernel}", tokens[b])
    check(kernel["id"] == b_kernel, f"{b}'s server and kernel still run")
    for who, tok in ((f"{a}'s token", token), ("no token", None)):
        status = asyncio.run(websocket_status(hub, f"/user/{b}/api/kernels/{b_kernel}/channels", tok))
        check(status in (302, 403), f"{b}'s kernel websocket with {who}: {status}")
    # Straight at B's server, past the proxy, as a process of A's could.
    target = hub.proxy_routes()[f"/user/{b}"]["target"]
    status, _, text = hub.request("GET", f"{target}/user/{b}/api/contents", token=token)
    check(status == 403 and "00-quickstart" not in text, f"{b}'s server at {target} with {a}'s token: {status}")
    # A's browser session (login cookie) on B's pages ends at the hub's 403.
    jar = http.cookiejar.CookieJar()
    status, headers, _ = hub.request("POST", "/hub/login", jar=jar,
                                     form={"username": a, "password": passwords[a]})
    check(status == 302, f"{a} logs in through the login form ({status})")
    status, url, text = hub.browse(f"/user/{b}/tree", jar)
    check(status == 403 and "00-quickstart" not in text, f"{a}'s browser on {b}'s tree: {status} at {url.split('?')[0]}")
    status, _, _ = hub.browse("/hub/admin", jar)
    check(status == 403, f"{a}'s browser gets no admin page ({status})")


def check_limits(hub, name, token, kernel):
    print(f"limits on {name}")
    status, _, text = hub.request("POST", f"/user/{name}/api/kernels", token=token, body={"name": "java-edgepopup"})
    n = hub.settings["kernels"]
    check(status == 403 and "At most" in text, f"a kernel beyond {n} is refused: {status} {json.loads(text)['message']}")
    pid = kernel_pid(name)
    groups = Path(f"/proc/{pid}/cgroup").read_text()
    v2 = Path("/sys/fs/cgroup/cgroup.controllers")
    if v2.exists() and "memory" in v2.read_text().split():
        line = [g for g in groups.splitlines() if g.startswith("0::")][0]
        limit = Path("/sys/fs/cgroup" + line[3:]) / "memory.max"
    elif Path("/sys/fs/cgroup/memory/cgroup.procs").exists():
        line = [g for g in groups.splitlines() if ":memory:" in g][0]
        limit = Path("/sys/fs/cgroup/memory" + line.split(":", 2)[2]) / "memory.limit_in_bytes"
    else:
        print("  SKIPPED: this machine has no memory cgroup; the limit is not enforced here")
        return
    check(line.endswith(f"/{hub.settings['cgroup']}/{name}"), f"{name}'s kernel is in their memory cgroup ({line})")
    check(int(limit.read_text()) == hub.settings["memory"], f"its limit is {hub.settings['memory'] >> 20} MiB")
    events = limit.with_name("memory.events" if limit.name == "memory.max" else "memory.oom_control")
    kills = oom_kills(events)
    server = [p for p, cmd in processes(name).items() if "jupyterhub-singleuser" in cmd]
    # An array as large as the whole limit, on top of what the kernel holds.
    code = ("var big = ai.djl.ndarray.NDManager.newBaseManager()"
            f".ones(new ai.djl.ndarray.types.Shape({hub.settings['memory'] // 4}L)); big.sum()")
    state = asyncio.run(execute_until_killed(hub, name, token, kernel, code))
    check(state == "restarting" and oom_kills(events) > kills,
          f"a cell taking more than the limit: its kernel is killed ({state}), not the machine's memory")
    check([p for p, cmd in processes(name).items() if "jupyterhub-singleuser" in cmd] == server,
          f"{name}'s notebook server lives on")
    out = asyncio.run(execute(hub, name, token, kernel, 'System.out.println("back=" + (6 * 7));'))
    check("back=42" in out, f"the restarted kernel runs cells again")


def oom_kills(events):
    """The cgroup's count of OOM kills (v2 memory.events, v1 memory.oom_control)."""
    for line in events.read_text().splitlines():
        if line.startswith("oom_kill "):
            return int(line.split()[1])
    return 0


def report_memory(hub, name):
    pid = kernel_pid(name)
    server = [p for p, cmd in processes(name).items() if "jupyterhub-singleuser" in cmd][0]
    proxy = int((hub.state / "proxy.pid").read_text())
    hub_pid = int(Path(f"/proc/{proxy}/stat").read_text().rsplit(")", 1)[1].split()[1])
    print("memory (RSS, peak in brackets), in MiB:")
    for what, p in ((f"{name}'s kernel after the training cell", pid), (f"{name}'s notebook server", server),
                    ("the hub", hub_pid), ("the proxy", proxy)):
        print(f"  {what:<45} {memory_kib(p) / 1024:7.0f} ({memory_kib(p, 'VmHWM') / 1024:.0f})  pid {p}")


def check_admin(hub, admin, password, names):
    print(f"the teacher's view ({admin})")
    jar = http.cookiejar.CookieJar()
    status, _, _ = hub.request("POST", "/hub/login", jar=jar, form={"username": admin, "password": password})
    status, _, text = hub.browse("/hub/admin", jar)
    check(status == 200 and "Admin" in text, f"{admin} opens the admin page ({status})")
    token = log_in(hub, admin, password)
    users = {u["name"]: u for u in hub.json("GET", "/hub/api/users", token)}
    running = sorted(n for n in names if users.get(n, {}).get("servers"))
    check(set(names) <= set(users), f"the admin API lists every participant, running: {', '.join(running)}")


def check_reset(hub, name, token, workshop):
    print(f"reset of {name}'s notebooks")
    path = f"/user/{name}/api/contents/00-quickstart.ipynb"
    model = hub.json("GET", path, token)
    model["content"]["cells"].insert(0, {"cell_type": "markdown", "metadata": {}, "source": "my change"})
    hub.json("PUT", path, token, {"type": "notebook", "format": "json", "content": model["content"]})
    subprocess.run([workshop, "reset", "--state", str(hub.state), name], check=True)
    user = hub.json("GET", f"/hub/api/users/{name}", token)
    check(not user.get("servers"), f"{name}'s server was stopped for the reset")
    notebooks = Path(pwd.getpwnam(name).pw_dir) / NOTEBOOKS
    original = Path(hub.settings["prefix"]) / "notebooks" / "00-quickstart.ipynb"
    back = notebooks / "00-quickstart.ipynb"
    check(back.read_bytes() == original.read_bytes(), "the original notebook is back")
    check(back.stat().st_uid == pwd.getpwnam(name).pw_uid, f"written as {name}, not as root")
    backups = list(notebooks.glob("before-reset-*/00-quickstart.ipynb"))
    check(len(backups) == 1 and "my change" in backups[0].read_text(), f"the changed one is kept in {backups[0].parent.name}")
    check((notebooks / "runs" / "runs.db").exists(), "the run store stays")


def check_add(hub, name, workshop):
    print(f"a participant added while the hub runs ({name})")
    subprocess.run([workshop, "add", "--state", str(hub.state), name], check=True, stdout=subprocess.DEVNULL)
    passwords = dict(line.split() for line in (hub.state / "passwords.txt").read_text().splitlines())
    check(name in Path(hub.settings["participants_file"]).read_text().split(), f"{name} is in the names file")
    token = log_in(hub, name, passwords[name])
    user = hub.json("GET", f"/hub/api/users/{name}", token)
    check(user["name"] == name, f"{name} logs in with their new password at once")


def check_culling(hub, name, token, since):
    idle = hub.settings["idle"]
    print(f"idle culling on {name} (idle after {idle} s; servers check each minute)")
    deadline = since + idle + 90
    while kernel_pid(name) and time.monotonic() < deadline:
        time.sleep(2)
    check(kernel_pid(name) is None, f"{name}'s idle kernel was stopped (seen {time.monotonic() - since:.0f} s after it went idle)")
    deadline = since + 2 * idle + 150
    while time.monotonic() < deadline:
        user = hub.json("GET", f"/hub/api/users/{name}", token)
        if not user.get("servers"):
            break
        time.sleep(3)
    check(not user.get("servers") and not processes(name),
          f"{name}'s idle server was stopped (seen {time.monotonic() - since:.0f} s after it went idle)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--ca")
    parser.add_argument("--state", required=True)
    parser.add_argument("--admin", required=True)
    parser.add_argument("--workshop", default=str(REPO / "environment" / "workshop.sh"))
    parser.add_argument("--add", required=True, metavar="NAME", help="a participant to add while it runs")
    parser.add_argument("participants", nargs=3, metavar="NAME")
    args = parser.parse_args()
    hub = Hub(args.url, args.ca, args.state)
    a, b, c = args.participants
    passwords = dict(line.split() for line in (hub.state / "passwords.txt").read_text().splitlines())
    try:
        check_secrets(hub)
        tokens, kernels = {}, {}
        # C first: it then stays idle while the others work, and is culled at the end. A last:
        # its kernel is checked right after its cell, before idle culling could stop it.
        for seed, (name, other) in enumerate(((c, a), (b, c), (a, b)), start=1):
            print(f"participant {name}")
            tokens[name] = log_in(hub, name, passwords[name])
            start_server(hub, name, tokens[name])
            print(f"  ok: {name} logged in through the API, server ready")
            kernels[name] = run_cell(hub, name, tokens[name], seed, pwd.getpwnam(other).pw_dir)
            check_files(hub, name, tokens[name])
            if name == c:
                c_idle_since = time.monotonic()
        report_memory(hub, a)
        # B is still at work (so idle culling leaves B's kernel alive) while A tries B's things.
        asyncio.run(execute(hub, b, tokens[b], kernels[b], "1 + 1"))
        check_isolation(hub, a, b, tokens, passwords, kernels[b])
        check_limits(hub, a, tokens[a], kernels[a])
        check_admin(hub, args.admin, passwords[args.admin], (a, b, c))
        check_reset(hub, a, tokens[a], args.workshop)
        check_add(hub, args.add, args.workshop)
        check_culling(hub, c, tokens[c], c_idle_since)
    except Failed as e:
        print(f"FAILED: {e}", file=sys.stderr)
        sys.exit(1)
    print("hub checks passed")


if __name__ == "__main__":
    main()
