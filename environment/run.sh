#!/usr/bin/env bash
# The main job: sets the machine up and starts Jupyter Notebook on notebooks/ with the
# "Java (edge-popup)" kernel. Listens on 127.0.0.1 (EDGEPOPUP_IP to change, the image uses
# 0.0.0.0), port 8888 (EDGEPOPUP_PORT), with token authentication; Jupyter prints the URL.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ "${EDGEPOPUP_SKIP_SETUP:-}" != 1 ] && [ ! -f /.dockerenv ] && [ -z "${container:-}" ]; then
  "$root/environment/setup.sh"
fi
source "$root/environment/java-env.sh"
extra=()
if [ "$(id -u)" -eq 0 ]; then
  extra+=(--allow-root) # Jupyter refuses root otherwise; the image runs as user 1000
fi
exec /usr/bin/jupyter notebook --no-browser "${extra[@]}" \
  --ip="${EDGEPOPUP_IP:-127.0.0.1}" --port="${EDGEPOPUP_PORT:-8888}" \
  --notebook-dir="$root/notebooks"
