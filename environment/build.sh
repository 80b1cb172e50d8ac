#!/usr/bin/env bash
# Builds the library and the kernel, installs the kernelspec for this user and unpacks libtorch
# into DJL's cache. Runs as the user who will use Jupyter; needs no root.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$root/environment/java-env.sh"
cd "$root"
echo "setup: building (mvn install -DskipTests ${EDGEPOPUP_MAVEN_ARGS:-})"
# shellcheck disable=SC2086
mvn -B -q install -DskipTests ${EDGEPOPUP_MAVEN_ARGS:-}
if [ -x kernel/install-kernelspec.sh ]; then
  echo "setup: installing the Jupyter kernelspec \"Java (edge-popup)\""
  kernel/install-kernelspec.sh
fi
echo "setup: loading the engine once (unpacks libtorch into $ENGINE_CACHE_DIR)"
bin/java-main dev.edgepopup.cli.EngineCheck
