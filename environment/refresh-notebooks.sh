#!/usr/bin/env bash
# Copies the executed notebooks of the last run-notebooks.sh run (build/notebooks/) over the ones in
# notebooks/, so that the repository shows every figure, table and verdict without running
# anything. Only executed copies with every code cell run and no error output are taken.
#   environment/run-notebooks.sh && environment/refresh-notebooks.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
built="$root/build/notebooks"
/usr/bin/python3 - "$built" "$root/notebooks" <<'PY'
import json, os, sys
built, target = sys.argv[1], sys.argv[2]
names = sorted(n for n in os.listdir(target) if n.endswith(".ipynb"))
missing = [n for n in names if not os.path.exists(os.path.join(built, n))]
if missing:
    sys.exit("refresh: no executed copy of %s in %s: run environment/run-notebooks.sh first" % (missing, built))
for n in names:
    nb = json.load(open(os.path.join(built, n)))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    unrun = [i for i, c in enumerate(code) if c.get("execution_count") is None]
    errors = [o.get("ename") for c in code for o in c.get("outputs", []) if o.get("output_type") == "error"]
    if unrun or errors:
        sys.exit("refresh: %s has unrun cells %s or errors %s: not copied" % (n, unrun, errors))
for n in names:
    with open(os.path.join(built, n)) as f, open(os.path.join(target, n), "w") as out:
        json.dump(json.load(f), out, indent=1, ensure_ascii=False)
        out.write("\n")
    print("refresh: notebooks/%s from its executed copy" % n)
PY
