#!/usr/bin/env bash
# Sets a fresh Debian 12 / Ubuntu machine up: system packages (apt: root or sudo), then the
# build, the kernelspec and libtorch's cache as the calling user.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
"$here/install-packages.sh"
"$here/build.sh"
