#!/usr/bin/env bash
# Installs what a fresh Debian 12 / Ubuntu machine lacks and builds the project.
# Root (or sudo) is needed only for apt; everything else runs as the calling user.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"

# Debian package -> a file or command that shows it is present.
declare -A need=(
  [openjdk-17-jdk-headless]=/usr/lib/jvm/java-17-openjdk-amd64/bin/javac
  [maven]=/usr/bin/mvn
  [dataset-fashion-mnist]=/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz
  [jupyter-notebook]=/usr/bin/jupyter-notebook
  [jupyter-nbconvert]=/usr/bin/jupyter-nbconvert
  [jupyter-client]=/usr/bin/jupyter-kernelspec
  [python3-nbclient]=/usr/lib/python3/dist-packages/nbclient
)
missing=()
for pkg in "${!need[@]}"; do
  [ -e "${need[$pkg]}" ] || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "setup: system packages present"
fi

# Java 17 for the build, whatever the default java is.
if [ -z "${JAVA_HOME:-}" ] && [ -d /usr/lib/jvm/java-17-openjdk-amd64 ]; then
  export JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64
fi

# DJL copies libtorch out of its native jar into this cache on first start.
export ENGINE_CACHE_DIR="${ENGINE_CACHE_DIR:-$HOME/.djl.ai}"

cd "$root"
echo "setup: building (mvn install -DskipTests)"
mvn -B -q install -DskipTests
