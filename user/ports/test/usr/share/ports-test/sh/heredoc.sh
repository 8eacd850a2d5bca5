# Here-documents: expanded, quoted (literal), tab-stripped, into a pipe.
name=world
cat <<END
hello $name $((6 * 7))
END
cat <<'END'
literal $name $(echo no)
END
cat <<-END
	stripped $name
	END
tr a-z A-Z <<END | sed 's/O/0/g'
shout $name
END
while read a b; do echo "[$a|$b]"; done <<END
1 one
2 two words
END
