"""The workshop hub: JupyterHub 3.0 from Debian serving the notebooks to a class on one server.

Run through environment/workshop.sh (as root), which sets the machine up first:
    workshop.sh start --participants FILE [options]   accounts, install, then the hub (foreground)
    workshop.sh add NAME...                           more participants while the hub runs
    workshop.sh reset NAME                            fresh notebooks for NAME (runs kept)
jupyterhub_config.py beside this file imports it for the settings, the memory cgroups and the
first-login copy of the notebooks.
"""

import argparse
import filecmp
import json
import os
import pwd
import re
import secrets
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
NOTEBOOK_DIR = "edgepopup-notebooks"
NAME = re.compile(r"[a-z][a-z0-9_-]{0,31}")
COMMENT = "edgepopup workshop"
# Passwords to read out or hand over on paper: no 0/o, 1/l/i.
ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
GIB = 1 << 30


@dataclass
class Settings:
    """What `start` was given, kept in STATE/settings.json for the hub's config, `add` and `reset`."""

    participants_file: str
    participants: list
    admin: str = ""
    ip: str = "127.0.0.1"
    port: int = 8000
    cert: str = ""
    key: str = ""
    memory: int = 4 * GIB
    kernels: int = 2
    idle: int = 3600
    threads: int = 1
    heap: int = 512 << 20
    prefix: str = "/opt/edgepopup-workshop"
    state: str = "/var/lib/edgepopup-workshop"
    homes: str = "/home"
    hub_port: int = 8081
    proxy_api_port: int = 8001
    cgroup: str = "edgepopup-workshop"

    @staticmethod
    def load(state):
        path = Path(state) / "settings.json"
        if not path.exists():
            sys.exit(f"workshop: no {path}: start the hub once with  environment/workshop.sh start")
        return Settings(**json.loads(path.read_text()))

    def save(self):
        write_private(Path(self.state) / "settings.json", json.dumps(asdict(self), indent=2) + "\n")

    @property
    def users(self):
        return sorted(set(self.participants) | ({self.admin} if self.admin else set()))

    def secret(self, name):
        """A random token in STATE/NAME (mode 600, made on first use), e.g. the proxy's."""
        path = Path(self.state) / name
        if not path.exists():
            write_private(path, secrets.token_hex(32) + "\n")
        return path.read_text().strip()

    def hub_api(self, method, path, body=None):
        """Calls the running hub's REST API as the workshop's service; None when no hub answers."""
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.hub_port}/hub/api{path}", method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Authorization": "token " + self.secret("service_token")})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                text = response.read()
                return json.loads(text) if text else {}
        except urllib.error.HTTPError as e:
            if e.code == 404:
                return None
            raise SystemExit(f"workshop: hub API {method} {path}: {e.code} {e.read().decode()[:200]}")
        except OSError:
            return None


def write_private(path, text):
    """Writes a file only its owner (root, the hub's user) can read."""
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def size(text):
    """'4G', '512M' or a byte count -> bytes."""
    m = re.fullmatch(r"(\d+(?:\.\d+)?)([KMGT]?)i?B?", text.strip(), re.I)
    if not m:
        raise argparse.ArgumentTypeError(f"{text!r} is not a size: write e.g. 4G or 512M")
    return int(float(m[1]) * 1024 ** " KMGT".index(m[2].upper() or " "))


def duration(text):
    """'60m', '1h', '45s' or seconds -> seconds."""
    m = re.fullmatch(r"(\d+)([smh]?)", text.strip())
    if not m:
        raise argparse.ArgumentTypeError(f"{text!r} is not a duration: write e.g. 60m, 1h or 90s")
    return int(m[1]) * {"": 1, "s": 1, "m": 60, "h": 3600}[m[2]]


def read_participants(path):
    """One account name a line; blank lines and # comments are skipped."""
    try:
        lines = Path(path).read_text().splitlines()
    except OSError as e:
        sys.exit(f"workshop: cannot read the participants file: {e}")
    names = [line.split("#")[0].strip() for line in lines]
    names = [n for n in names if n]
    bad = [n for n in names if not NAME.fullmatch(n)]
    if bad:
        sys.exit(f"workshop: {path}: not account names: {', '.join(bad)} (lower-case letters, "
                 "digits, - and _, starting with a letter, at most 32)")
    if not names:
        # JupyterHub lets every account on the machine in when its allowed list is empty.
        sys.exit(f"workshop: {path} names no participant: write one account name a line")
    return sorted(set(names))


def ensure_accounts(settings, names):
    """Creates the missing accounts, each with its own random password (printed and kept in
    STATE/passwords.txt, mode 600); existing accounts are used as they are."""
    created = []
    for name in names:
        try:
            entry = pwd.getpwnam(name)
        except KeyError:
            entry = None
        if entry is not None:
            if entry.pw_uid < 1000:
                sys.exit(f"workshop: {name} is a system account: give the participant another name")
            continue
        # No login shell: the handed-out passwords open the hub, not SSH.
        subprocess.run(["useradd", "--create-home", "--base-dir", settings.homes,
                        "--shell", "/usr/sbin/nologin", "--comment", COMMENT, name], check=True)
        os.chmod(pwd.getpwnam(name).pw_dir, 0o700)
        password = "-".join("".join(secrets.choice(ALPHABET) for _ in range(4)) for _ in range(3))
        subprocess.run(["chpasswd"], input=f"{name}:{password}\n", text=True, check=True)
        created.append((name, password))
    if created:
        handout = Path(settings.state) / "passwords.txt"
        old = handout.read_text() if handout.exists() else ""
        write_private(handout, old + "".join(f"{n} {p}\n" for n, p in created))
        print(f"workshop: new accounts (also in {handout}):")
        for n, p in created:
            print(f"  {n:<20} {p}")


def install(settings):
    """Copies the kernel, libtorch and the notebooks into PREFIX, readable by every participant,
    and installs the kernelspec there with the workshop's heap and thread count."""
    os.umask(0o022)
    prefix = Path(settings.prefix)
    target = REPO / "kernel" / "target"
    jars = [j for j in target.glob("kernel-*.jar") if not j.name.endswith(("-sources.jar", "-javadoc.jar"))]
    if not jars or not (target / "lib").is_dir():
        sys.exit(f"workshop: no kernel jar in {target}: build first (environment/build.sh)")
    print(f"workshop: installing the kernel, libtorch and the notebooks into {prefix}")
    for sub in ("kernel", "notebooks", "python"):
        shutil.rmtree(prefix / sub, ignore_errors=True)
    (prefix / "kernel").mkdir(parents=True)
    shutil.copy2(jars[0], prefix / "kernel")
    shutil.copytree(target / "lib", prefix / "kernel" / "lib")
    (prefix / "notebooks").mkdir()
    for nb in sorted((REPO / "notebooks").glob("*.ipynb")):
        shutil.copy2(nb, prefix / "notebooks")
    (prefix / "python").mkdir()
    for module in ("workshop_kernels.py", "workshop.py"):  # the servers', participant_files'
        shutil.copy2(Path(__file__).with_name(module), prefix / "python")
    # One libtorch for everybody, unpacked once (from the copied jars), not 430 MB in every home.
    env = dict(os.environ, ENGINE_CACHE_DIR=str(prefix / "djl"))
    subprocess.run(["java", "-Djava.awt.headless=true", "-Dai.djl.offline=true",
                    f"-DENGINE_CACHE_DIR={prefix / 'djl'}", "-cp", f"{prefix / 'kernel' / 'lib'}/*",
                    "dev.edgepopup.cli.EngineCheck"], env=env, check=True, stdout=subprocess.DEVNULL)
    # DJL unpacks into a private temporary folder first.
    subprocess.run(["chmod", "-R", "a+rX", str(prefix / "djl")], check=True)
    subprocess.run([str(REPO / "kernel" / "install-kernelspec.sh"), "--prefix", str(prefix),
                    "--jars", str(prefix / "kernel"),
                    "--java-option", f"-Xmx{settings.heap // (1 << 20)}m",
                    "--java-option", f"-Dai.djl.pytorch.num_threads={settings.threads}"],
                   env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def participant_files(name, action, settings):
    """Runs ACTION ('provide' or 'reset') on NAME's notebooks as NAME, never as root: a
    participant's home may hold links an attacker planted. Returns what it printed, split."""
    user = pwd.getpwnam(name)
    result = subprocess.run(
        [sys.executable, str(Path(settings.prefix) / "python" / "workshop.py"), "participant-files",
         action, settings.prefix],
        user=user.pw_uid, group=user.pw_gid, extra_groups=[], umask=0o077, cwd=user.pw_dir,
        env={"HOME": user.pw_dir, "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
        capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"{action} of {name}'s notebooks failed: {result.stderr.strip()}")
    return result.stdout.split()


def provide_notebooks(prefix):
    """First login: a private copy of the notebooks in ~/edgepopup-notebooks (the run store then
    lands in its runs/). Later logins keep what is there."""
    dest = Path.home() / NOTEBOOK_DIR
    if dest.exists():
        return
    dest.mkdir()
    for nb in sorted((Path(prefix) / "notebooks").glob("*.ipynb")):
        shutil.copyfile(nb, dest / nb.name)


def reset_notebooks(prefix):
    """Puts the original notebooks back; changed ones move to a before-reset-* folder beside
    them, and the run store stays. Prints the names of the moved ones."""
    dest = Path.home() / NOTEBOOK_DIR
    if not dest.exists():
        provide_notebooks(prefix)
        return
    backup = dest / time.strftime("before-reset-%Y%m%d-%H%M%S")
    for nb in sorted((Path(prefix) / "notebooks").glob("*.ipynb")):
        mine = dest / nb.name
        if mine.is_file() and not mine.is_symlink() and filecmp.cmp(nb, mine, shallow=False):
            continue
        if os.path.lexists(mine):
            backup.mkdir(exist_ok=True)
            mine.rename(backup / nb.name)
            print(nb.name)
        shutil.copyfile(nb, mine)


def memory_cgroup(settings, name):
    """The cgroup.procs file of NAME's memory cgroup (created with the workshop's limit, and no
    swapping past it: a hard limit, not a slow server), which a spawned server joins with all its
    kernels; None where the machine gives no writable memory cgroup. cgroup v2 (Debian 12): a
    top-level group beside systemd's slices; v1: the memory controller's hierarchy."""
    root = Path("/sys/fs/cgroup")
    try:
        if (root / "cgroup.controllers").exists():
            if "memory" not in (root / "cgroup.controllers").read_text().split():
                return None
            if "memory" not in (root / "cgroup.subtree_control").read_text().split():
                (root / "cgroup.subtree_control").write_text("+memory")
            base = root / settings.cgroup
            base.mkdir(exist_ok=True)
            (base / "cgroup.subtree_control").write_text("+memory")
            group = base / name
            group.mkdir(exist_ok=True)
            (group / "memory.max").write_text(str(settings.memory))
            if (group / "memory.swap.max").exists():
                (group / "memory.swap.max").write_text("0")
        elif (root / "memory" / "cgroup.procs").exists():
            group = root / "memory" / settings.cgroup / name
            group.mkdir(parents=True, exist_ok=True)
            swap = group / "memory.memsw.limit_in_bytes"  # memory + swap, never below memory
            if swap.exists():
                swap.write_text("-1")
            (group / "memory.limit_in_bytes").write_text(str(settings.memory))
            if swap.exists():
                swap.write_text(str(settings.memory))
        else:
            return None
    except OSError:
        return None
    return group / "cgroup.procs"


def start(args):
    participants = read_participants(args.participants)
    if args.admin and not NAME.fullmatch(args.admin):
        sys.exit(f"workshop: --admin {args.admin!r} is not an account name")
    if bool(args.cert) != bool(args.key):
        sys.exit("workshop: give both --cert and --key (e.g. certbot's fullchain.pem and privkey.pem)")
    for f in (args.cert, args.key):
        if f and not os.path.isfile(f):
            sys.exit(f"workshop: no file {f}")
    if not args.cert and args.ip not in ("127.0.0.1", "localhost", "::1") and not args.plain_http:
        sys.exit("workshop: without --cert and --key the participants' passwords would cross the "
                 "network unencrypted: give a certificate, or keep --ip 127.0.0.1 behind an HTTPS "
                 "reverse proxy, or add --plain-http for a closed network you trust")
    users = len(participants)
    # Measured: a kernel's heap stays under 250 MiB in the quick notebooks; libtorch's memory
    # outside it is most of the 0.7-1.6 GiB a kernel holds.
    heap = args.heap or max(512 << 20, args.memory // args.kernels // 4)
    threads = args.threads or max(1, (os.cpu_count() or 1) // users)
    settings = Settings(
        participants_file=str(Path(args.participants).resolve()), participants=participants,
        admin=args.admin or "", ip=args.ip, port=args.port,
        cert=str(Path(args.cert).resolve()) if args.cert else "",
        key=str(Path(args.key).resolve()) if args.key else "",
        memory=args.memory, kernels=args.kernels, idle=args.idle, threads=threads, heap=heap,
        prefix=str(Path(args.prefix).resolve()), state=str(Path(args.state).resolve()),
        homes=str(Path(args.homes).resolve()), hub_port=args.hub_port,
        proxy_api_port=args.proxy_api_port, cgroup=args.cgroup)
    state = Path(settings.state)
    state.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(state, 0o700)
    settings.save()
    ensure_accounts(settings, settings.users)
    install(settings)
    idle = f"{settings.idle // 60} min" if settings.idle % 60 == 0 else f"{settings.idle} s"
    print(f"workshop: {users} participants; each server {settings.memory / GIB:.1f} GiB with at most "
          f"{settings.kernels} kernel(s) of heap {settings.heap >> 20} MiB and {settings.threads} "
          f"thread(s); idle kernels, then servers, stopped after {idle}")
    os.umask(0o077)
    os.chdir(state)
    # NODE_PATH: Debian's proxy modules are found by a Node.js from elsewhere too (NodeSource's).
    env = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
           "LANG": "C.UTF-8", "NODE_PATH": "/usr/lib/nodejs:/usr/share/nodejs",
           "EDGEPOPUP_WORKSHOP_STATE": str(state)}
    config = Path(__file__).with_name("jupyterhub_config.py")
    os.execve("/usr/bin/jupyterhub", ["jupyterhub", "-f", str(config)], env)


def add(args):
    settings = Settings.load(args.state)
    bad = [n for n in args.names if not NAME.fullmatch(n)]
    if bad:
        sys.exit(f"workshop: not account names: {', '.join(bad)}")
    new = [n for n in args.names if n not in settings.participants]
    ensure_accounts(settings, new)
    with open(settings.participants_file, "a") as f:
        f.writelines(n + "\n" for n in new)
    settings.participants = sorted(set(settings.participants) | set(new))
    settings.save()
    if new and settings.hub_api("POST", "/users", {"usernames": new}) is None:
        print("workshop: no hub running; the next start lets them in")
    print(f"workshop: added {', '.join(new) or 'nobody new'}")


def reset(args):
    settings = Settings.load(args.state)
    name = args.name
    try:
        pwd.getpwnam(name)
    except KeyError:
        sys.exit(f"workshop: no account {name}")
    # A running server would save the open notebooks over the fresh copies.
    if settings.hub_api("DELETE", f"/users/{name}/server") is not None:
        for _ in range(60):
            user = settings.hub_api("GET", f"/users/{name}")
            if not user or not user.get("servers"):
                break
            time.sleep(1)
        else:
            sys.exit(f"workshop: {name}'s server did not stop within a minute")
    try:
        moved = participant_files(name, "reset", settings)
    except RuntimeError as e:
        sys.exit(f"workshop: {e}")
    print(f"workshop: {name} has the original notebooks again"
          + (f"; their changed ones are in {NOTEBOOK_DIR}/before-reset-*: {', '.join(moved)}" if moved else ""))


def main(argv=None):
    parser = argparse.ArgumentParser(prog="environment/workshop.sh", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True, metavar="{start,add,reset}")
    p = sub.add_parser("start", help="create accounts, install the kernel and start the hub (foreground)")
    p.add_argument("--participants", required=True, metavar="FILE", help="one account name a line")
    p.add_argument("--admin", metavar="NAME", help="the teacher's account: the admin page at /hub/admin")
    p.add_argument("--ip", default="127.0.0.1", help="address the hub listens on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="its port (default 8000)")
    p.add_argument("--cert", metavar="FILE", help="TLS certificate (chain), e.g. certbot's fullchain.pem")
    p.add_argument("--key", metavar="FILE", help="its private key, e.g. privkey.pem")
    p.add_argument("--plain-http", action="store_true", help="allow another --ip without TLS")
    p.add_argument("--memory", type=size, default=4 * GIB, help="memory per participant, server and kernels together (default 4G)")
    p.add_argument("--kernels", type=int, default=2, help="kernels one participant may run at once (default 2)")
    p.add_argument("--idle", type=duration, default=3600, help="stop kernels, then servers, idle this long (default 60m)")
    p.add_argument("--heap", type=size, help="JVM heap per kernel (default: memory / kernels / 4, at least 512M)")
    p.add_argument("--threads", type=int, help="PyTorch threads per kernel (default: cores / participants, at least 1)")
    p.add_argument("--prefix", default="/opt/edgepopup-workshop", help="where the kernel and notebooks are installed")
    p.add_argument("--homes", default="/home", help="where new accounts get their home (default /home)")
    p.add_argument("--hub-port", type=int, default=8081, help="the hub's internal port on 127.0.0.1")
    p.add_argument("--proxy-api-port", type=int, default=8001, help="the proxy's API port on 127.0.0.1")
    p.add_argument("--cgroup", default="edgepopup-workshop", help="name of the memory cgroup holding the participants'")
    for command, text in (("add", "new participants: accounts, and let them into the running hub"),
                          ("reset", "put the original notebooks back for one participant")):
        q = sub.add_parser(command, help=text)
        if command == "add":
            q.add_argument("names", nargs="+", metavar="NAME")
        else:
            q.add_argument("name", metavar="NAME")
    for q in list(sub.choices.values()):
        q.add_argument("--state", default="/var/lib/edgepopup-workshop",
                       help="the hub's private state: settings, database, secrets, passwords")
    # Internal: participant_files runs this as the participant.
    q = sub.add_parser("participant-files")
    q.add_argument("action", choices=("provide", "reset"))
    q.add_argument("prefix")
    args = parser.parse_args(argv)
    if args.command == "participant-files":
        {"provide": provide_notebooks, "reset": reset_notebooks}[args.action](args.prefix)
        return
    if os.geteuid() != 0:
        sys.exit("workshop: run as root: the hub starts every participant's server as that participant")
    {"start": start, "add": add, "reset": reset}[args.command](args)


if __name__ == "__main__":
    main()
