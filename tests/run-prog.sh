#!/usr/bin/env bash
# The "run a user's program" promise, end to end: a program built on the
# host with plain musl-gcc in each link mode runs unchanged through
# scripts/run-prog, prints its output, and run-prog exits with its status.
#   tests/run-prog.sh static|static-pie|dynamic
set -euo pipefail
mode=$1
here=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cat > "$tmp/prog.c" <<'C'
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
int main(int argc, char **argv)
{
	char *p = malloc(1 << 20);            /* mmap-backed: exercises the VM */
	memset(p, 'x', 1 << 20);
	printf("hello %s argc=%d last=%s heap=%c\n", argv[1], argc, argv[argc - 1], p[12345]);
	return atoi(argv[2]);
}
C
case "$mode" in
static) flags=-static ;;
static-pie) flags=-static-pie ;;
dynamic) flags= ;;
esac
musl-gcc $flags -O2 -o "$tmp/prog" "$tmp/prog.c"

set +e
"$here/scripts/run-prog" "$tmp/prog" "$mode" 37 third > "$tmp/out" 2>&1
status=$?
set -e
if ! grep -q "^hello $mode argc=4 last=third heap=x" "$tmp/out"; then
	echo "run-prog ($mode): expected output missing:"; tail -20 "$tmp/out"; exit 1
fi
if [[ $status -ne 37 ]]; then
	echo "run-prog ($mode): exit status $status, expected 37"; tail -5 "$tmp/out"; exit 1
fi
echo "run-prog ($mode): ok"
