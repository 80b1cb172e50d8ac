#!/usr/bin/env bash
# Sets the machine up and runs every test of the project.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/setup.sh"
cd "$root"
echo "test: unit and integration tests (mvn verify)"
mvn -B verify
