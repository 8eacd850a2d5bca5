#!/usr/bin/env bash
# Assemble the run image's root tree and pack it as a newc cpio.
#   user/ports/mkroot.sh OUT.cpio PORTS_BIN BUSYBOX_LINKS OVERLAY_DIR...
# /bin holds busybox (with a symbolic link per applet, at the path its
# applet list gives), dash, lua, sqlite3 and speedtest1; each OVERLAY_DIR
# (user/rootfs, then e.g. the test files) is copied on top.
set -euo pipefail
out=$(realpath -m "$1") bin=$2 links=$3; shift 3

root=${out%.cpio}.root
rm -rf "$root"
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,proc,dev,tmp,root,home,var/log,mnt}
chmod 1777 "$root/tmp"
cp "$bin/busybox" "$root/bin/busybox"
while read -r applet; do
	applet=/${applet#/}
	[[ $applet == /bin/busybox ]] && continue
	# Relative targets keep the tree correct wherever it is unpacked.
	up=$(dirname "${applet#/}" | sed 's|[^/][^/]*|..|g')
	[[ -e $root$applet ]] || ln -s "$up/bin/busybox" "$root$applet"
done < "$links"
for p in dash lua sqlite3 speedtest1; do
	cp "$bin/$p" "$root/bin/$p"
done
for o in "$@"; do
	cp -R "$o/." "$root/"
done
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) > "$out"
