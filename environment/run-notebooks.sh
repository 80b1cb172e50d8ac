#!/usr/bin/env bash
# Executes notebooks headless through the installed "Java (edge-popup)" kernel, in quick mode
# unless EDGEPOPUP_SCALE says otherwise, and fails on any error output. The executed copies are
# kept under build/notebooks/ for inspection.
#   environment/run-notebooks.sh                 every notebook in notebooks/
#   environment/run-notebooks.sh NOTEBOOK...     just those
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$root/environment/java-env.sh"
export EDGEPOPUP_SCALE="${EDGEPOPUP_SCALE:-quick}"
out="$root/build/notebooks"
mkdir -p "$out"
if [ $# -eq 0 ]; then
  set -- "$root"/notebooks/*.ipynb
fi
for nb in "$@"; do
  name="$(basename "$nb")"
  start=$(date +%s)
  echo "notebooks: executing $name ($EDGEPOPUP_SCALE)"
  (cd "$(dirname "$nb")" && /usr/bin/jupyter nbconvert --to notebook --execute \
    --ExecutePreprocessor.kernel_name=java-edgepopup --ExecutePreprocessor.timeout=1800 \
    --output-dir "$out" --output "$name" "$name")
  # nbconvert stops on a failing cell; this also catches error outputs it let through.
  /usr/bin/python3 - "$out/$name" <<'PY'
import json, sys
nb = json.load(open(sys.argv[1]))
bad = [(i, o.get("ename"), o.get("evalue")) for i, c in enumerate(nb["cells"])
       for o in c.get("outputs", []) if o.get("output_type") == "error"]
if bad:
    sys.exit("notebooks: %s has error outputs: %s" % (sys.argv[1], bad))
PY
  echo "notebooks: $name done in $(( $(date +%s) - start )) s"
done
