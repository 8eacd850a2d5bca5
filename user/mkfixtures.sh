#!/bin/sh
# Fixture files for the user-space tests, under ROOT/fixtures with the
# modes the tests rely on (execve's ENOEXEC/EACCES/ENOENT paths, "#!"
# scripts, a known file for read/lseek).
#   user/mkfixtures.sh ROOT DYNAMIC-ELF
set -eu
root=$1 dyn=$2
d=$root/fixtures
mkdir -p "$d/dir"
printf '#!/bin/echo from-script\n' > "$d/script.sh"
printf '#!/bin/echo\n' > "$d/script-noarg.sh"
printf '#!/no/such/interpreter\n' > "$d/badinterp.sh"
printf '#!/fixtures/loop.sh\n' > "$d/loop.sh"
printf '#!\n' > "$d/emptyinterp.sh"
printf '\001\002garbage that is neither ELF nor a script\n' > "$d/garbage"
printf 'not executable\n' > "$d/noexec.txt"
# 0..9 then a..z: 36 known bytes for read/lseek checks.
printf '0123456789abcdefghijklmnopqrstuvwxyz' > "$d/data.txt"
# A dynamic ELF whose PT_INTERP names a missing file (same length).
perl -0777 -pe 's|/lib/ld-musl-x86_64.so.1|/lib/ld-none-x86_64.so.1|' < "$dyn" > "$d/badld"
ln -sf /bin/echo "$d/echo-link"
chmod 0755 "$d/script.sh" "$d/script-noarg.sh" "$d/badinterp.sh" "$d/loop.sh" \
	"$d/emptyinterp.sh" "$d/garbage" "$d/badld" "$d/dir"
chmod 0644 "$d/noexec.txt" "$d/data.txt"
