#!/usr/bin/env bash
# `make debug`: QEMU stopped at the first instruction with its gdb stub on
# :1234, and gdb attached with the kernel's symbols. Serial output goes to
# build/debug-serial.log.
set -euo pipefail
iso=$1 kernel=$2
here=$(cd "$(dirname "$0")" && pwd)
"$here/qemu.sh" --gdb --serial-file build/debug-serial.log --iso "$iso" >/dev/null 2>&1 &
qemu=$!
trap 'kill $qemu 2>/dev/null || true' EXIT
exec gdb -q "$kernel" \
	-ex 'set architecture i386:x86-64' \
	-ex 'target remote :1234' \
	-ex 'hbreak kmain' \
	-ex 'echo Stopped at reset; "continue" runs to kmain. Serial: build/debug-serial.log\n'
