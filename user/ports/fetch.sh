#!/usr/bin/env bash
# Download and unpack a Debian source package with the ordinary apt tools,
# using a private apt configuration and state under the ports build
# directory (the host's /etc/apt is never touched).
#   user/ports/fetch.sh PORTS_DIR PACKAGE
# Leaves the unpacked tree at PORTS_DIR/src/PACKAGE and touches
# PORTS_DIR/src/PACKAGE.stamp; a second run with the stamp present does
# nothing, so the download happens once per clean build tree.
set -euo pipefail

ports=$(realpath -m "$1") pkg=$2
apt_dir=$ports/apt
stamp=$ports/src/$pkg.stamp
[[ -e $stamp ]] && exit 0

# The same archive and suite the host's apt uses (Debian 12), but with
# deb-src entries. The keyring is the one the host already trusts.
suite=${PORTS_SUITE:-bookworm}
mirror=${PORTS_MIRROR:-http://deb.debian.org/debian}
mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$apt_dir/etc/preferences.d" \
	"$apt_dir/etc/apt.conf.d" "$ports/dl" "$ports/src"
cat > "$apt_dir/etc/sources.list" <<EOF
deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $suite main
deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $suite-updates main
EOF
: > "$apt_dir/status"

apt_opts=(
	-o "Dir::Etc::SourceList=$apt_dir/etc/sources.list"
	-o "Dir::Etc::SourceParts=/nonexistent"
	-o "Dir::Etc::Parts=$apt_dir/etc/apt.conf.d"
	-o "Dir::Etc::PreferencesParts=$apt_dir/etc/preferences.d"
	-o "Dir::State=$apt_dir"
	-o "Dir::State::Lists=$apt_dir/lists"
	-o "Dir::State::status=$apt_dir/status"
	-o "Dir::Cache=$apt_dir/cache"
	-o "Debug::NoLocking=1"
	-o "APT::Sandbox::User=root"
)

# One index refresh per build tree (several packages are fetched in turn,
# possibly by parallel make jobs: the lock directory serialises them).
while ! mkdir "$apt_dir/lock.d" 2>/dev/null; do sleep 1; done
trap 'rmdir "$apt_dir/lock.d"' EXIT
if [[ ! -e $apt_dir/updated ]]; then
	apt-get -qq "${apt_opts[@]}" update
	touch "$apt_dir/updated"
fi

rm -rf "$ports/dl/$pkg" && mkdir -p "$ports/dl/$pkg"
(cd "$ports/dl/$pkg" && apt-get -qq "${apt_opts[@]}" source --download-only "$pkg")
dsc=$(ls "$ports/dl/$pkg"/*.dsc | head -n1)
rm -rf "$ports/src/$pkg"
# apt checked the files against the signed index; dpkg-source checks them
# against the .dsc and applies Debian's own patches (part of the package).
# The uploader keys are not in the host keyring, so gpgv cannot check the
# .dsc signature itself; its complaint goes to the log, not the console.
dpkg-source -x "$dsc" "$ports/src/$pkg" >"$ports/dl/$pkg/unpack.log" 2>&1 || { cat "$ports/dl/$pkg/unpack.log"; exit 1; }
touch "$stamp"
