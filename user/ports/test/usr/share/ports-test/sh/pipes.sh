# Pipelines: data through several processes, exit status of the last one.
printf 'c\na\nb\na\n' | sort | uniq -c | sed 's/^ *//'
seq 1 2000 | grep 7 | wc -l
echo hello | tr a-z A-Z | rev
false | true; echo "status $?"
true | false; echo "status $?"
! false; echo "negated $?"
