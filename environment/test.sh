#!/usr/bin/env bash
# Sets the machine up and runs every test: the Maven build's unit and integration tests, sweeps
# on a one-node Slurm cluster with a PostgreSQL run store, the workshop hub with three
# participants, every notebook headless through the installed kernel, and the Docker image build.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/environment/setup.sh"
source "$root/environment/java-env.sh"
cd "$root"
echo "test: unit and integration tests (mvn verify)"
mvn -B verify
echo "test: sweeps on Slurm with a PostgreSQL run store (one-node cluster, throwaway server)"
environment/test-slurm.sh
echo "test: the workshop hub (Debian's JupyterHub, three participants, through its HTTP API)"
environment/test-workshop.sh
echo "test: every notebook, headless, through the installed kernel"
environment/run-notebooks.sh
echo "test: the Docker image (podman build; its last step runs the quickstart inside)"
environment/build-image.sh edgepopup:test
echo "test: all passed"
