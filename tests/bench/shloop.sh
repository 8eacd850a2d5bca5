#!/bin/sh
# The shell workload of `make bench` (metric sh_loop; docs/performance.md):
# N iterations of a busybox sh loop running common tools on small files in a
# fresh directory under /tmp (tmpfs). The busybox build has no NOFORK or
# standalone-shell features, so every tool below is a fork + execve of
# /bin/busybox. Each iteration checks what the tools printed, so a kernel
# that runs the loop wrongly fails (exit 1) instead of giving a figure.
#   sh shloop.sh N
n=${1:-10}
d=/tmp/shloop.$$
mkdir "$d" && cd "$d" || exit 1

fail() {
	echo "shloop: iteration $i: $*" >&2
	exit 1
}

i=0
while [ "$i" -lt "$n" ]; do
	# A small data file: 20 numbered lines, then a tagged line.
	seq 1 20 > nums.$i
	echo "tag:$i:gamma:beta:alpha" > tag.$i
	cat nums.$i tag.$i > f.$i

	x=$(echo "c:b:a:$i" | cut -d: -f1-3 | tr : '\n' | sort | wc -l)
	[ "$x" -eq 3 ] || fail "echo|cut|tr|sort|wc gave '$x'"

	x=$(grep -c 1 f.$i)                   # 1, 10..19 and the tag line if i has a 1
	case $i in *1*) e=12 ;; *) e=11 ;; esac
	[ "$x" -eq "$e" ] || fail "grep -c gave '$x', expected $e"

	x=$(sed -n 's/^tag:\([0-9]*\):.*/\1/p' f.$i)
	[ "$x" = "$i" ] || fail "sed gave '$x'"

	x=$(cut -d: -f3- tag.$i | tr : '\n' | sort | head -n 1)
	[ "$x" = alpha ] || fail "cut|tr|sort|head gave '$x'"

	x=$(ls | wc -l)                       # this and the previous iteration's files
	[ "$x" -eq $((i > 0 ? 6 : 3)) ] || fail "ls|wc -l gave '$x'"

	rm -f nums.$((i - 1)) tag.$((i - 1)) f.$((i - 1))
	i=$((i + 1))
done
cd / && rm -rf "$d"
echo "shloop: $n iterations ok"
