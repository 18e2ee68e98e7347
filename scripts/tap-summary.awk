# Count the results in the selftests' TAP (check.sh's parser).
#
# Reads plain TAP 13 or the kselftest runner's nesting that selftests/run.sh
# prints: one top-level "ok N selftests: kasblock: PROG" per program, the
# program's own results indented as "# ok N test", and a closing
# "# kasblock selftests: N passed, N failed" (plus "# ... N skipped").
#
# Prints "PASSED FAILED SKIPPED PLAN TOPLEVEL NESTED" (PLAN is -1 without a
# plan line; TOPLEVEL and NESTED count result lines), then one "FAIL name"
# line per failed test.
#
# Counting: the closing line when there is one; else the nested results, plus
# one failure for each program that failed without a failed test (it crashed);
# else, for flat TAP, the top-level results.

function directive(line) {
	if (line ~ /#[ \t]*(SKIP|skip|Skip)/)
		return "skip"
	if (line ~ /#[ \t]*(TODO|todo)/)
		return "todo"
	return ""
}

function testname(line) {
	sub(/^(not )?ok [0-9]* *(- )?/, "", line)
	sub(/^selftests: (kasblock: )?/, "", line)
	return line
}

/^1\.\.[0-9]+/ {
	sub(/^1\.\./, "")
	plan += $0 + 0
	haveplan = 1
	next
}

/^# selftests: / {
	prog = $0
	sub(/^# selftests: (kasblock: )?/, "", prog)
	prog_failed = 0
	next
}

/^# (not )?ok / {
	line = substr($0, 3)
	nested++
	d = directive(line)
	if (d != "")
		ns++
	else if (line ~ /^ok /)
		np++
	else {
		nf++
		prog_failed = 1
		fails[++nfails] = (prog != "" ? prog ": " : "") testname(line)
	}
	next
}

/^# .*[0-9]+ passed, [0-9]+ failed/ {
	closing = 1
	match($0, /[0-9]+ passed/)
	cp = substr($0, RSTART, RLENGTH) + 0
	match($0, /[0-9]+ failed/)
	cf = substr($0, RSTART, RLENGTH) + 0
	next
}

/^# .*[0-9]+ skipped/ {
	match($0, /[0-9]+ skipped/)
	cs = substr($0, RSTART, RLENGTH) + 0
	have_cs = 1
	next
}

/^(not )?ok / {
	top++
	d = directive($0)
	if (d != "")
		ts++
	else if ($0 ~ /^ok /)
		tp++
	else {
		tf++
		flat[++nflat] = testname($0)
		if (!prog_failed) {
			crashed++
			topfails[++ntopfails] = testname($0) " (no failed test: it crashed, hung or exited non-zero)"
		}
	}
	prog_failed = 0
	next
}

END {
	if (closing) {
		p = cp; f = cf; s = have_cs ? cs : ns
	} else if (nested) {
		p = np; f = nf + crashed; s = ns
	} else {
		p = tp; f = tf; s = ts
	}
	print p + 0, f + 0, s + 0, (haveplan ? plan : -1), top + 0, nested + 0
	if (nested) {
		for (i = 1; i <= nfails; i++)
			print "FAIL " fails[i]
		for (i = 1; i <= ntopfails; i++)
			print "FAIL " topfails[i]
	} else {
		for (i = 1; i <= nflat; i++)
			print "FAIL " flat[i]
	}
}
