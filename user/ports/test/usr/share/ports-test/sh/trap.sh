# trap: EXIT, signals sent to ourselves and from a child, reset, ignore.
trap 'echo exit-trap' EXIT
trap 'echo got-usr1' USR1
kill -USR1 $$
echo after-usr1
trap 'echo got-term' TERM
sh -c "kill -TERM $$"
echo after-term
trap - USR1
trap '' HUP
kill -HUP $$
echo ignored-hup
( trap 'echo sub-int; exit 5' INT; sh -c 'kill -INT $PPID'; sleep 5 ); echo "sub status $?"
