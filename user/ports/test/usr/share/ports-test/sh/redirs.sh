# Redirections: files, appends, fd duplication, closing, stdin from a file.
f=/tmp/redir.$$
echo one > $f
echo two >> $f
cat < $f
echo err 1>&2 2>/dev/null
{ echo to-stderr >&2; } 2>&1 | cat
exec 3> $f
echo via-fd3 >&3
exec 3>&-
cat $f
( echo x >&3 ) 2>/dev/null || echo "fd3 closed"
wc -c < $f
: > $f; wc -c < $f
rm $f
