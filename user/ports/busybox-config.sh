#!/usr/bin/env bash
# Configure busybox: its defconfig, then each line of the committed choice
# list (CONFIG_X=... or "# CONFIG_X is not set") replaces that symbol, and
# `make oldconfig` settles what depends on them.
#   user/ports/busybox-config.sh BUSYBOX_SRC CHOICES CC
set -euo pipefail
src=$1 choices=$(realpath "$2") cc=$3

make -s -C "$src" CC="$cc" defconfig >/dev/null
while IFS= read -r line; do
	case "$line" in
	CONFIG_*=*) sym=${line%%=*} ;;
	"# CONFIG_"*" is not set") sym=${line#\# }; sym=${sym%% *} ;;
	*) continue ;;
	esac
	sed -i -e "/^$sym=/d" -e "/^# $sym is not set\$/d" "$src/.config"
	echo "$line" >> "$src/.config"
done < "$choices"
make -s -C "$src" CC="$cc" oldconfig < <(yes "") >/dev/null
# A choice that oldconfig dropped (a typo, a missing dependency) is an error.
while IFS= read -r line; do
	case "$line" in CONFIG_*=*) ;; *) continue ;; esac
	grep -qxF "$line" "$src/.config" || { echo "busybox-config: $line did not stick" >&2; exit 1; }
done < "$choices"
