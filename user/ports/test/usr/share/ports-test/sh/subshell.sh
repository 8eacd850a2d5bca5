# Subshells do not change their parent; exit statuses come through.
x=outer
( x=inner; echo "in $x"; cd /tmp; pwd )
echo "out $x"; pwd
( exit 7 ); echo "status $?"
{ y=group; }; echo "group $y"
z=$( (echo a; echo b) | wc -l ); echo "lines $z"
