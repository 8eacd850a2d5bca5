#!/usr/bin/env bash
# Install the host packages the build and tests need, if any are missing.
# Debian 12; uses sudo when not root. --quiet: print nothing when all is there.
set -euo pipefail

PACKAGES=(
	build-essential binutils clang lld make python3 cpio
	qemu-system-x86 qemu-utils ovmf
	grub-common grub-pc-bin grub-efi-amd64-bin xorriso mtools
	musl-tools libcmocka-dev e2fsprogs fdisk gdisk
	kbd console-setup-linux
	# user/ports: dash is autoreconf'd as Debian does, sqlite's amalgamation is
	# made by tclsh, busybox needs the Linux uapi headers.
	autoconf automake tcl linux-libc-dev
)

missing=()
for p in "${PACKAGES[@]}"; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[[ "$status" == "install ok installed" ]] || missing+=("$p")
done

if [[ ${#missing[@]} -eq 0 ]]; then
	[[ "${1:-}" == "--quiet" ]] || echo "deps: all host packages present"
	exit 0
fi

echo "deps: installing ${missing[*]}"
SUDO=""
if [[ $(id -u) -ne 0 ]]; then
	command -v sudo >/dev/null || { echo "deps: need root or sudo to install ${missing[*]}" >&2; exit 1; }
	SUDO=sudo
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
