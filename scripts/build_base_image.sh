#!/usr/bin/env bash
# Build a local stand-in for the official `python:3.11-slim` image and import it into
# Podman as localhost/pybase:3.11-slim (or $1), for machines that reach Debian's and
# PyPI's package registries but no image registry. Debian 12 minbase + python3 + a venv
# at /usr/local, so `python` and `pip` are on PATH as in the official image.
#
# Usage (root, Debian host): scripts/build_base_image.sh [TAG]
# Skips the build when TAG already exists (set REBUILD=1 to force). Needs debootstrap and
# podman (scripts/container_test.sh installs them).
set -euo pipefail

TAG="${1:-localhost/pybase:3.11-slim}"
SUITE="${SUITE:-bookworm}"

if [[ "${REBUILD:-0}" != 1 ]] && podman image exists "$TAG"; then
    echo "base image $TAG exists; skipping (REBUILD=1 forces a rebuild)"
    exit 0
fi

for tool in debootstrap podman tar chroot; do
    command -v "$tool" >/dev/null || { echo "missing: $tool" >&2; exit 1; }
done

# The Debian mirror and sources that the host's apt uses (deb822 first, then one-line).
MIRROR=""
if [[ -f /etc/apt/sources.list.d/debian.sources ]]; then
    MIRROR="$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources)"
fi
if [[ -z "$MIRROR" && -f /etc/apt/sources.list ]]; then
    MIRROR="$(awk '$1 == "deb" && $3 == "'"$SUITE"'" {print $2; exit}' /etc/apt/sources.list)"
fi
MIRROR="${MIRROR:-http://deb.debian.org/debian}"

ROOTFS="$(mktemp -d /var/tmp/pybase-rootfs.XXXXXX)"
cleanup() {
    for m in proc sys dev/pts; do
        mountpoint -q "$ROOTFS/$m" 2>/dev/null && umount -l "$ROOTFS/$m"
    done
    rm -rf --one-file-system "$ROOTFS"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

start=$SECONDS
echo "debootstrap $SUITE from $MIRROR into $ROOTFS"
debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates \
    "$SUITE" "$ROOTFS" "$MIRROR" >"$ROOTFS.debootstrap.log" 2>&1 || {
    tail -20 "$ROOTFS.debootstrap.log" >&2
    exit 1
}
rm -f "$ROOTFS.debootstrap.log"

# The host's Debian sources (same mirror, updates and security suites).
rm -f "$ROOTFS/etc/apt/sources.list"
if [[ -f /etc/apt/sources.list.d/debian.sources ]]; then
    cp /etc/apt/sources.list.d/debian.sources "$ROOTFS/etc/apt/sources.list.d/"
elif [[ -f /etc/apt/sources.list ]]; then
    grep -E "^deb .*debian" /etc/apt/sources.list >"$ROOTFS/etc/apt/sources.list" || true
fi
# Registries may be reached through a proxy that re-signs HTTPS: trust the host's
# locally added CAs inside the image too, or pip in the image cannot download anything.
if compgen -G "/usr/local/share/ca-certificates/*" >/dev/null; then
    cp -r /usr/local/share/ca-certificates/. "$ROOTFS/usr/local/share/ca-certificates/"
fi
cp /etc/resolv.conf "$ROOTFS/etc/resolv.conf"

mount -t proc proc "$ROOTFS/proc"
chroot "$ROOTFS" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
    DEBIAN_FRONTEND=noninteractive /bin/sh -eu -c '
        update-ca-certificates >/dev/null
        apt-get update -qq
        apt-get -y -qq -o Dpkg::Use-Pty=0 upgrade >/dev/null
        apt-get clean
        rm -rf /var/lib/apt/lists/* /var/cache/debconf/*-old /var/log/*.log
        python3 -m venv /usr/local
        /usr/local/bin/python -m pip --version
    '
umount "$ROOTFS/proc"
: >"$ROOTFS/etc/resolv.conf"

# pipefail: a failed tar would otherwise import an empty image without a word.
tar --numeric-owner -C "$ROOTFS" -c . |
    podman import \
        --change 'ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin' \
        --change 'ENV LANG=C.UTF-8' \
        --change 'CMD ["python3"]' \
        - "$TAG" >/dev/null
echo "built $TAG in $((SECONDS - start)) s ($(podman image inspect --format '{{.Size}}' "$TAG") bytes)"
