# Sourced by the environment scripts: Java 17, DJL's cache and the native allocator setting.
if [ -z "${JAVA_HOME:-}" ] && [ -d /usr/lib/jvm/java-17-openjdk-amd64 ]; then
  export JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64
fi
if [ -n "${JAVA_HOME:-}" ]; then
  export PATH="$JAVA_HOME/bin:$PATH"
fi
# DJL copies libtorch out of its native jar into this directory on first start.
export ENGINE_CACHE_DIR="${ENGINE_CACHE_DIR:-$HOME/.djl.ai}"
source "$(dirname "${BASH_SOURCE[0]}")/native-env.sh"
