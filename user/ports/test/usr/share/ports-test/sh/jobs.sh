# Background jobs and wait: statuses, $!, order of completion.
( sleep 2; echo slow ) &
p1=$!
( echo fast ) &
p2=$!
wait $p2; echo "fast done $?"
wait $p1; echo "slow done $?"
( exit 3 ) & p3=$!
wait $p3; echo "status $?"
for i in 1 2 3 4; do ( echo "job $i" > /tmp/job.$$.$i ) & done
wait
cat /tmp/job.$$.*
rm -f /tmp/job.$$.*
[ "$p1" != "$p2" ] && echo "distinct pids"
