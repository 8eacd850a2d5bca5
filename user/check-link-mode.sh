#!/usr/bin/env bash
# Check with binutils' readelf (independently of the kernel's ELF parser)
# that a freshly linked program is what its link mode promises; on a
# mismatch delete it, so make does not keep a mislabelled binary.
#   user/check-link-mode.sh static|static-pie|dynamic FILE
set -euo pipefail

mode=$1 file=$2
type=$(readelf -hW "$file" | sed -n 's/^ *Type: *\([A-Z]*\).*/\1/p')
interp=$(readelf -lW "$file" | sed -n 's/.*\[Requesting program interpreter: \(.*\)\]/\1/p')
needed=$(readelf -dW "$file" | grep -c '(NEEDED)' || true)

case "$mode" in
static)     want_type=EXEC want_interp="" want_needed=0 ;;
static-pie) want_type=DYN  want_interp="" want_needed=0 ;;
dynamic)    want_type=DYN  want_interp=/lib/ld-musl-x86_64.so.1 want_needed=1 ;;
*) echo "check-link-mode: unknown mode $mode" >&2; exit 2 ;;
esac

if [[ "$type" != "$want_type" || "$interp" != "$want_interp" || "$needed" != "$want_needed" ]]; then
	echo "check-link-mode: $file is not $mode: type=$type interp='$interp' needed=$needed" >&2
	rm -f "$file"
	exit 1
fi
