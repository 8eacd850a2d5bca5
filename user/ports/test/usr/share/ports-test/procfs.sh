# Sourced by run-all: the /proc files busybox's process and system tools
# read, checked through the tools themselves (ps, top, free, mount, df,
# dmesg, uptime, pidof, ls -l /proc) and by their formats (proc(5): field
# counts, units, order). Each check prints why it failed; run-all's
# `result` records it as ports: ok|not ok proc/NAME.

# fields N FILE: FILE has one line of exactly N blank-separated fields.
fields() {
	[ "$(wc -l < "$2")" -eq 1 ] || { echo "$2: $(wc -l < "$2") lines"; return 1; }
	set -- "$1" "$2" $(cat "$2")
	[ $# -eq $(($1 + 2)) ] || { echo "$2: $(($# - 2)) fields, want $1"; return 1; }
}

proc_pid_files() {
	fields 52 /proc/1/stat || return 1
	fields 7 /proc/1/statm || return 1
	# pid (comm) state ppid: init's parent is 0, a shell's stat names it.
	grep -q '^1 (init) S 0 1 1 ' /proc/1/stat || { cat /proc/1/stat; return 1; }
	sh -c 'read -r a b c d rest < /proc/$$/stat; [ "$a $b" = "$$ (sh)" ] && [ "$d" = "$PPID" ]' ||
		{ echo "sh's stat: no pid, comm or ppid"; return 1; }
	for k in Name State Tgid Pid PPid Uid Gid VmSize VmRSS Threads; do
		grep -q "^$k:" /proc/1/status || { echo "status has no $k"; return 1; }
	done
	grep -Eq '^VmRSS:[[:space:]]+[0-9]+ kB$' /proc/1/status || { grep Vm /proc/1/status; return 1; }
	# busybox init writes "init" over its argv[0] (NUL padded).
	[ "$(tr '\0' ' ' < /proc/1/cmdline | sed 's/ *$//')" = init ] ||
		{ echo "cmdline: $(tr '\0' ' ' < /proc/1/cmdline)"; return 1; }
	# A shell's: its argv, each string NUL-terminated (`; :` keeps it from
	# exec'ing cat in its place).
	sh -c 'cat /proc/$$/cmdline; :' x1 x2 | tr '\0' '|' > /tmp/cmdline.out
	[ "$(cat /tmp/cmdline.out)" = 'sh|-c|cat /proc/$$/cmdline; :|x1|x2|' ] ||
		{ echo "sh's cmdline: $(cat /tmp/cmdline.out)"; return 1; }
	ls /proc/self/fd | grep -qx 0 && ls /proc/self/fd | grep -qx 2 || { ls -l /proc/self/fd; return 1; }
	[ "$(readlink /proc/self/fd/5 5< /etc/hostname)" = /etc/hostname ] || { echo "fd/5 link"; return 1; }
}

proc_global_files() {
	fields 2 /proc/uptime || return 1
	fields 5 /proc/loadavg || return 1
	grep -Eq '^[0-9]+\.[0-9]{2} [0-9]+\.[0-9]{2} [0-9]+\.[0-9]{2} [0-9]+/[0-9]+ [0-9]+$' /proc/loadavg ||
		{ cat /proc/loadavg; return 1; }
	for k in MemTotal MemFree MemAvailable Buffers Cached SwapTotal SwapFree; do
		grep -Eq "^$k: +[0-9]+ kB$" /proc/meminfo || { echo "meminfo: no $k in kB"; return 1; }
	done
	# cpu and one cpuN line per CPU, ten counters each; counters only grow.
	[ "$(grep -c '^cpu[0-9]' /proc/stat)" = "$(nproc)" ] || { cat /proc/stat; return 1; }
	grep -Eq '^cpu  [0-9]+( [0-9]+){9}$' /proc/stat || { head -n 1 /proc/stat; return 1; }
	set -- $(head -n 1 /proc/stat)
	u=$2 s=$4 i=$5
	i=0; while [ $i -lt 20000 ]; do i=$((i + 1)); done
	set -- $(head -n 1 /proc/stat)
	[ $2 -ge $u ] && [ $4 -ge $s ] || { echo "cpu went back: $u $s -> $2 $4"; return 1; }
	grep -Eq '^btime [0-9]+$' /proc/stat && grep -Eq '^processes [0-9]+$' /proc/stat ||
		{ cat /proc/stat; return 1; }
	[ "$(readlink /proc/self)" != "" ] && [ -d /proc/self/ ] || { echo "no /proc/self"; return 1; }
	# ls -l /proc: the self link and init's directory.
	ls -l /proc > /tmp/lsproc.out || return 1
	grep -Eq '^l.* self -> [0-9]+$' /tmp/lsproc.out && grep -Eq '^d.* 1$' /tmp/lsproc.out ||
		{ cat /tmp/lsproc.out; return 1; }
}

proc_ps() {
	ps > /tmp/ps.out || return 1
	head -n 1 /tmp/ps.out | grep -Eq '^ *PID +USER +TIME +COMMAND$' &&
		grep -Eq '^ +1 root +[0-9]+:[0-9]+ init$' /tmp/ps.out &&
		grep -Eq '^ +[0-9]+ root +[0-9]+:[0-9]+ ps$' /tmp/ps.out || { cat /tmp/ps.out; return 1; }
	ps -o pid,ppid,stat,vsz,rss,comm > /tmp/ps.out || return 1
	grep -Eq '^ +1 +0 +S +[0-9]+ +[0-9]+ +init$' /tmp/ps.out || { cat /tmp/ps.out; return 1; }
	[ "$(pidof init)" = 1 ] || { echo "pidof init: $(pidof init)"; return 1; }
}

proc_top() {
	top -b -n 1 > /tmp/top.out || return 1
	sed -n 1p /tmp/top.out | grep -Eq '^Mem: [0-9]+K used, [0-9]+K free, ' &&
		sed -n 2p /tmp/top.out | grep -Eq '^CPU: +[0-9.]+% usr +[0-9.]+% sys ' &&
		sed -n 3p /tmp/top.out | grep -Eq '^Load average: [0-9.]+ [0-9.]+ [0-9.]+ [0-9]+/[0-9]+ [0-9]+$' &&
		sed -n 4p /tmp/top.out | grep -Eq '^ +PID +PPID +USER +STAT +VSZ +%VSZ +CPU +%CPU +COMMAND$' &&
		grep -Eq '^ +1 +0 root +S +[0-9]+ ' /tmp/top.out &&
		grep -Eq ' top -b -n' /tmp/top.out || { cat /tmp/top.out; return 1; }
	# Percentages of one interval: none above 100, and they add up to ~100.
	sed -n 2p /tmp/top.out | tr -s ' %' '  ' | awk '{
		for (i = 2; i <= NF; i += 2) { if ($i > 100) bad = 1; sum += $i }
		exit (bad || sum > 101 || sum < 99) }' || { sed -n 2p /tmp/top.out; return 1; }
}

proc_free() {
	free > /tmp/free.out || return 1
	set -- $(grep '^Mem:' /tmp/free.out)
	total=$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)
	[ "$2" = "$total" ] && [ $(($3 + $4)) -le $2 ] || { cat /tmp/free.out /proc/meminfo; return 1; }
	head -n 1 /tmp/free.out | grep -Eq '^ +total +used +free +shared +buff/cache +available$' &&
		[ "$(wc -l < /tmp/free.out)" = 3 ] || { cat /tmp/free.out; return 1; }
}

proc_mount_df() {
	mount > /tmp/mount.out || return 1
	grep -Eq '^[^ ]+ on / type ' /tmp/mount.out &&
		grep -Eq '^proc on /proc type proc \(rw' /tmp/mount.out &&
		grep -Eq '^tmpfs on /tmp type tmpfs \(rw' /tmp/mount.out || { cat /tmp/mount.out; return 1; }
	df > /tmp/df.out || return 1
	head -n 1 /tmp/df.out | grep -Eq '^Filesystem +1K-blocks +Used +Available +Use% +Mounted on$' &&
		grep -Eq '^tmpfs +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+% /tmp$' /tmp/df.out || { cat /tmp/df.out; return 1; }
}

proc_dmesg_uptime() {
	dmesg > /tmp/dmesg.out || return 1
	[ "$(wc -l < /tmp/dmesg.out)" -gt 10 ] && head -n 1 /tmp/dmesg.out | grep -Eq '^\[ *[0-9]+\.[0-9]{6}\] ' ||
		{ head -n 3 /tmp/dmesg.out; return 1; }
	uptime | grep -Eq '^ [0-9]{2}:[0-9]{2}:[0-9]{2} up .*load average: [0-9]+\.[0-9]{2}, [0-9]+\.[0-9]{2}, [0-9]+\.[0-9]{2}$' ||
		{ uptime; return 1; }
}

for c in proc_pid_files proc_global_files proc_ps proc_top proc_free proc_mount_df proc_dmesg_uptime; do
	$c > /tmp/proc.why 2>&1
	result $? "proc/${c#proc_}" "$(head -c 600 /tmp/proc.why | tr '\n' '|')"
done
