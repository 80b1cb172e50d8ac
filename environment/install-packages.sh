#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages the project needs and the machine lacks (skips the rest).
# Needs root, or sudo for apt-get.
#   environment/install-packages.sh          what the notebooks and the tests need
#   environment/install-packages.sh --hub    also JupyterHub and its proxy, for environment/workshop.sh
#   environment/install-packages.sh --cluster  also Slurm, munge and PostgreSQL, for
#                                              environment/test-slurm.sh (their services are not
#                                              set up: the test starts its own)
set -euo pipefail

# Debian package -> a file that shows it is installed.
declare -A need=(
  [openjdk-17-jdk-headless]=/usr/lib/jvm/java-17-openjdk-amd64/bin/javac
  [maven]=/usr/bin/mvn
  [dataset-fashion-mnist]=/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz
  [jupyter-notebook]=/usr/bin/jupyter-notebook
  [jupyter-nbconvert]=/usr/bin/jupyter-nbconvert
  [jupyter-client]=/usr/bin/jupyter-kernelspec
  [python3-nbclient]=/usr/lib/python3/dist-packages/nbclient
  [python3-zmq]=/usr/lib/python3/dist-packages/zmq
)
# Only the workshop hub needs these (they bring Node.js, about 200 MB, for the proxy).
if [ "${1:-}" = --hub ]; then
  need[jupyterhub]=/usr/bin/jupyterhub
  need[node-configurable-http-proxy]=/usr/bin/configurable-http-proxy
fi
# Only the cluster test needs these: a one-node Slurm cluster and a PostgreSQL run store.
if [ "${1:-}" = --cluster ]; then
  need[slurmctld]=/usr/sbin/slurmctld
  need[slurmd]=/usr/sbin/slurmd
  need[slurm-client]=/usr/bin/sbatch
  need[munge]=/usr/sbin/munged
  need[postgresql-15]=/usr/lib/postgresql/15/bin/initdb
fi
missing=()
for pkg in "${!need[@]}"; do
  [ -e "${need[$pkg]}" ] || missing+=("$pkg")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: system packages present"
  exit 0
fi
echo "setup: installing ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then sudo=(); else sudo=(sudo); fi
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends \
  "${missing[@]}"
