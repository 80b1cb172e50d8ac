#!/usr/bin/env bash
# Installs the "Java (edge-popup)" kernelspec for the kernel built in kernel/target, with absolute
# paths: build first with  mvn -B install -DskipTests  (or  mvn -B -pl kernel -am package -DskipTests).
#
# usage: kernel/install-kernelspec.sh [--prefix DIR] [--name NAME] [--jars DIR] [--java-option ARG]...
#   default: jupyter kernelspec install --user --name java-edgepopup
#   --prefix DIR       install under DIR/share/jupyter/kernels instead (use with JUPYTER_PATH=DIR/share/jupyter)
#   --jars DIR         the kernel jar and lib/ from DIR instead of kernel/target (a copy other users can read)
#   --java-option ARG  one more JVM option after the defaults, so -Xmx1g replaces the default heap
# Environment: JAVA_HOME (else the java on PATH), ENGINE_CACHE_DIR (libtorch cache, default
# ~/.djl.ai); the native allocator setting comes from environment/native-env.sh.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
name=java-edgepopup
where=(--user)
jars="$here/target"
java_options=()
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) where=(--prefix "$(mkdir -p "$2" && cd "$2" && pwd)"); shift 2 ;;
    --name) name="$2"; shift 2 ;;
    --jars) jars="$(cd "$2" && pwd)"; shift 2 ;;
    --java-option) java_options+=("$2"); shift 2 ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
done

jar="$(find "$jars" -maxdepth 1 -name 'kernel-*.jar' ! -name '*-sources.jar' ! -name '*-javadoc.jar' | head -n 1)"
if [ -z "$jar" ] || [ ! -d "$jars/lib" ]; then
  echo "no kernel jar or lib/ in $jars: run  mvn -B install -DskipTests  first" >&2
  exit 1
fi
java="${JAVA_HOME:+$JAVA_HOME/bin/java}"
java="$(readlink -f "${java:-$(command -v java)}")"
cache="${ENGINE_CACHE_DIR:-$HOME/.djl.ai}"
source "$here/../environment/native-env.sh"

spec="$(mktemp -d)"
trap 'rm -rf "$spec"' EXIT
# The java launcher expands lib/* itself, so new dependencies need no reinstall.
/usr/bin/python3 - "$here/kernelspec/kernel.json" "$spec/kernel.json" "$java" "$cache" "$jar:$jars/lib/*" "$GLIBC_TUNABLES" "${LAUNCH_JVM_FLAGS[*]}" ${java_options[@]+"${java_options[@]}"} <<'PY'
import json, sys
template, out, java, cache, classpath, tunables, jvm_flags, *options = sys.argv[1:]
spec = json.load(open(template))
values = {"@JAVA@": java, "@DJL_CACHE@": cache, "@CLASSPATH@": classpath, "@TUNABLES@": tunables}
def fill(arg):
    for key, value in values.items():
        arg = arg.replace(key, value)
    return arg
# @JVM_FLAGS@ stands for the launchers' flags (environment/native-env.sh), one argument each.
argv = [flag for arg in spec["argv"] for flag in (jvm_flags.split() if arg == "@JVM_FLAGS@" else [fill(arg)])]
# The JVM takes the last of repeated options, so the extra ones go just before the class path.
at = argv.index("-cp")
spec["argv"] = argv[:at] + options + argv[at:]
spec["env"] = {key: fill(value) for key, value in spec.get("env", {}).items()}
with open(out, "w") as f:
    json.dump(spec, f, indent=2)
PY
# jupyter copies the folder's modes: a --prefix install serves every user.
chmod -R a+rX "$spec"
/usr/bin/jupyter kernelspec install --replace --name "$name" "${where[@]}" "$spec"
