#!/usr/bin/env bash
# A class on one server: Debian's JupyterHub with the "Java (edge-popup)" kernel, one account,
# one notebook server and one private copy of the notebooks per participant. Run as root.
#   environment/workshop.sh start --participants FILE [--admin NAME] [--ip ADDR --cert F --key F] ...
#   environment/workshop.sh add NAME...       more participants, while the hub runs
#   environment/workshop.sh reset NAME        the original notebooks again for NAME (runs kept)
#   environment/workshop.sh start --help      every option (memory, kernels, idle time, ports)
# `start` first sets the machine up (packages, build; EDGEPOPUP_SKIP_SETUP=1 skips that), then runs
# the hub in the foreground. README.md, "For teachers", says how to use it.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ "$(id -u)" -ne 0 ]; then
  echo "workshop: run as root (sudo $0 $*): the hub starts each participant's server as that participant" >&2
  exit 1
fi
if [ "${1:-}" = start ] && [ "${EDGEPOPUP_SKIP_SETUP:-}" != 1 ] && [[ " $* " != *" --help "* && " $* " != *" -h "* ]]; then
  "$root/environment/install-packages.sh" --hub
  # Debian's package starts its own hub at once: every account on the machine may log in, over
  # plain HTTP on all interfaces, port 8000. The workshop's hub replaces it.
  if [ -d /run/systemd/system ] && systemctl is-enabled --quiet jupyterhub.service 2>/dev/null; then
    echo "workshop: stopping and disabling Debian's default jupyterhub.service"
    systemctl disable --now jupyterhub.service
  fi
  "$root/environment/build.sh"
fi
source "$root/environment/java-env.sh"
exec /usr/bin/python3 "$root/environment/workshop/workshop.py" "$@"
