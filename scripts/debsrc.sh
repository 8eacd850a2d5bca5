#!/bin/sh
# Fetch and unpack a Debian (bookworm) source package with a private apt
# configuration under build/: the host's /etc/apt is never read for sources
# nor written. Usage: scripts/debsrc.sh PKG DESTDIR
# DESTDIR receives the unpacked tree; the .dsc and tarballs stay cached in
# build/debsrc/PKG so a second run (or a clean of DESTDIR) needs no network.
# DEBSRC_MIRROR overrides the archive (default deb.debian.org).
set -eu
[ $# -eq 2 ] || { echo "usage: $0 PKG DESTDIR" >&2; exit 2; }
pkg=$1
dest=$2
top=$(cd "$(dirname "$0")/.." && pwd)
root=${DEBSRC_ROOT:-$top/build/debsrc}
mirror=${DEBSRC_MIRROR:-http://deb.debian.org/debian}

if [ -f "$dest/.debsrc-done" ]; then
	exit 0
fi
mkdir -p "$root/etc/sources.list.d" "$root/etc/preferences.d" "$root/state/lists/partial" \
	"$root/cache/archives/partial" "$root/$pkg"
echo "deb-src $mirror bookworm main" > "$root/etc/sources.list"
apt_opts="-o Dir::Etc::SourceList=$root/etc/sources.list
	-o Dir::Etc::SourceParts=$root/etc/sources.list.d
	-o Dir::Etc::Preferences=$root/etc/preferences
	-o Dir::Etc::PreferencesParts=$root/etc/preferences.d
	-o Dir::State=$root/state -o Dir::State::status=/var/lib/dpkg/status
	-o Dir::Cache=$root/cache -o Debug::NoLocking=1
	-o APT::Sandbox::User=$(id -un)"

dsc=$(ls "$root/$pkg"/"${pkg}"_*.dsc 2>/dev/null | head -n1 || true)
if [ -z "$dsc" ]; then
	# shellcheck disable=SC2086
	apt-get -q $apt_opts update >"$root/update.log" 2>&1 ||
		{ cat "$root/update.log" >&2; exit 1; }
	# shellcheck disable=SC2086
	(cd "$root/$pkg" && apt-get -q $apt_opts source --download-only "$pkg") >&2
	dsc=$(ls "$root/$pkg"/"${pkg}"_*.dsc | head -n1)
fi
rm -rf "$dest.tmp"
mkdir -p "$(dirname "$dest")"
dpkg-source --no-check -x "$dsc" "$dest.tmp" >&2
rm -rf "$dest"
mv "$dest.tmp" "$dest"
touch "$dest/.debsrc-done"
