# SPDX-License-Identifier: MIT
# Count one TAP stream (a kselftest-harness or glib test program's output).
# Prints "pass fail skip": results missing from the plan count as failures,
# so a program that crashed half-way cannot look green.
/^1\.\.[0-9]+/ && !planned { planned = 1; plan = substr($1, 4) + 0 }
/^ok [0-9]+/ {
	if ($0 ~ /# *SKIP/) skip++; else pass++
}
/^not ok [0-9]+/ {
	if ($0 ~ /# *TODO/) skip++; else fail++
}
END {
	seen = pass + fail + skip
	if (!planned && seen == 0) fail = 1
	else if (planned && seen < plan) fail += plan - seen
	printf "%d %d %d\n", pass, fail, skip
}
