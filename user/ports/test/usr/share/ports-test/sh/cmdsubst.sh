# Command substitution: both forms, nesting, trailing newlines, arithmetic.
a=$(echo hi)
b=`echo there`
echo "$a $b"
echo "nested $(echo $(echo deep))"
c=$(printf 'x\n\n\n'); echo "[$c]"
n=0; for i in $(seq 1 10); do n=$((n + i)); done; echo "sum $n"
echo "len ${#a}"
set -- $(echo p q r); echo "$# $2"
