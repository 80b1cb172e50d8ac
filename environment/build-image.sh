#!/usr/bin/env bash
# Builds the Dockerfile for real with podman, which needs no Docker engine: the Debian base image
# is made locally with debootstrap (root) the first time. The Dockerfile's last step executes the
# quickstart notebook inside the image, so a green build proves the image works.
#   environment/build-image.sh [TAG]      (default edgepopup:latest)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tag="${1:-edgepopup:latest}"
base=docker.io/library/debian:bookworm
for tool in podman debootstrap; do
  if ! command -v "$tool" >/dev/null; then
    echo "image: installing $tool"
    if [ "$(id -u)" -eq 0 ]; then sudo=(); else sudo=(sudo); fi
    "${sudo[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "$tool"
  fi
done
if ! podman image exists "$base"; then
  echo "image: making $base with debootstrap"
  dir="$(mktemp -d)"
  trap 'rm -rf "$dir"' EXIT
  debootstrap --variant=minbase bookworm "$dir" http://deb.debian.org/debian >/dev/null
  tar -C "$dir" -c . | podman import - "$base" >/dev/null
fi
# A proxy's CA that this machine trusts must be trusted inside the image too.
rm -f "$root"/environment/extra-ca/*.crt
if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
  cp /usr/local/share/ca-certificates/*.crt "$root/environment/extra-ca/"
fi
echo "image: podman build -t $tag"
podman build --isolation=chroot --network=host --pull=never -t "$tag" "$root"
