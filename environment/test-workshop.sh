#!/usr/bin/env bash
# The workshop hub for real: environment/workshop.sh starts Debian's JupyterHub with TLS for three
# participant accounts and a teacher, and environment/workshop/check_hub.py drives it through its
# HTTP API (logins, servers, a Java training cell each, isolation, limits, admin page, reset, idle
# culling). Everything the test made goes again: hub, proxy, servers, kernels, accounts, memory
# cgroups, files. Runs as root after the build (environment/test.sh does both); about 3 minutes.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ "$(id -u)" -ne 0 ]; then
  echo "test-workshop: run as root: it creates accounts and starts servers as them" >&2
  exit 1
fi
"$root/environment/install-packages.sh" --hub
participants=(ephub-a ephub-b ephub-c)
teacher=ephub-teacher
late=ephub-d # added while the hub runs
cgroup=edgepopup-workshop-test
tmp="$(mktemp -d /tmp/edgepopup-hubtest.XXXXXX)"
chmod 755 "$tmp" # the participants reach their homes and the installed kernel below it
hub=

remove_accounts() {
  local user pids
  for user in "${participants[@]}" "$teacher" "$late"; do
    getent passwd "$user" >/dev/null || continue
    if [ "$(getent passwd "$user" | cut -d: -f5)" != "edgepopup workshop" ]; then
      echo "test-workshop: account $user exists and is not the test's: remove it or rename the test's" >&2
      exit 1
    fi
    pids="$(pgrep -u "$user" || true)"
    # shellcheck disable=SC2086
    [ -z "$pids" ] || kill -KILL $pids
    userdel --remove "$user" 2>/dev/null || userdel "$user"
  done
}

cleanup() {
  if [ -n "$hub" ] && kill -0 "$hub" 2>/dev/null; then
    kill -TERM "$hub" # the hub stops the servers, their kernels and the proxy
    wait "$hub" || true
  fi
  remove_accounts
  local d
  for d in "/sys/fs/cgroup/$cgroup" "/sys/fs/cgroup/memory/$cgroup"; do
    if [ -d "$d" ]; then
      find "$d" -mindepth 1 -depth -type d -exec rmdir {} + 2>/dev/null || true
      rmdir "$d" 2>/dev/null || true
    fi
  done
  rm -rf "$tmp"
}
trap cleanup EXIT
remove_accounts # left over from an interrupted run

mkdir -m 755 "$tmp/homes"
printf '%s\n' "# the test's participants" "${participants[@]}" >"$tmp/participants"
# A certificate authority and a certificate for 127.0.0.1 signed by it, as a teacher's would be.
/usr/bin/python3 - "$tmp/tls" <<'PY'
import sys
from certipy import Certipy
store = Certipy(store_dir=sys.argv[1])
store.create_ca("ca")
store.create_signed_pair("hub", "ca", alt_names=["IP:127.0.0.1", "DNS:localhost"])
PY
read -r port hub_port api_port < <(/usr/bin/python3 -c '
import socket
socks = [socket.socket() for _ in range(3)]
for s in socks: s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in socks])')

# What start refuses, before it changes anything.
refuses() {
  local why="$1" out
  shift
  if out="$(EDGEPOPUP_SKIP_SETUP=1 "$root/environment/workshop.sh" start --state "$tmp/refused" "$@" 2>&1)" \
      || [[ "$out" != *"$why"* ]] || [ -e "$tmp/refused" ]; then
    echo "test-workshop: start $* should stop with \"$why\", said: $out" >&2
    exit 1
  fi
  echo "  ok: start refuses: $why"
}
: >"$tmp/nobody"
refuses "names no participant" --participants "$tmp/nobody"
refuses "unencrypted" --participants "$tmp/participants" --ip 0.0.0.0
refuses "give both --cert and --key" --participants "$tmp/participants" --cert "$tmp/tls/hub/hub.crt"

echo "test-workshop: starting the hub on https://127.0.0.1:$port"
EDGEPOPUP_SKIP_SETUP=1 "$root/environment/workshop.sh" start --participants "$tmp/participants" \
  --admin "$teacher" --ip 127.0.0.1 --port "$port" --cert "$tmp/tls/hub/hub.crt" --key "$tmp/tls/hub/hub.key" \
  --memory 1G --kernels 1 --idle 45s --prefix "$tmp/prefix" --state "$tmp/state" --homes "$tmp/homes" \
  --hub-port "$hub_port" --proxy-api-port "$api_port" --cgroup "$cgroup" >"$tmp/hub.log" 2>&1 &
hub=$!
for _ in $(seq 300); do
  grep -q "JupyterHub is now running" "$tmp/hub.log" && break
  if ! kill -0 "$hub" 2>/dev/null; then
    cat "$tmp/hub.log" >&2
    echo "test-workshop: the hub stopped before it was up" >&2
    exit 1
  fi
  sleep 1
done
grep -q "JupyterHub is now running" "$tmp/hub.log" || { cat "$tmp/hub.log" >&2; exit 1; }
grep "^workshop:" "$tmp/hub.log" | grep -v "^workshop: new accounts" || true
if ! /usr/bin/python3 "$root/environment/workshop/check_hub.py" --url "https://127.0.0.1:$port" \
    --ca "$tmp/tls/ca/ca.crt" --state "$tmp/state" --admin "$teacher" --add "$late" "${participants[@]}"; then
  echo "test-workshop: the hub's log ends:" >&2
  tail -n 60 "$tmp/hub.log" >&2
  exit 1
fi
