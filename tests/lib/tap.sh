# SPDX-License-Identifier: MIT
# TAP 13 for the shell tests (sourced, bash). Each test prints its verdicts
# through these, so that scripts/check.sh (scripts/tap-count.awk) reads
# every suite alike:
#
#   tap_begin [PLAN]                    "TAP version 13", and "1..PLAN" when
#                                       the count is known before the tests
#   tap_result RC NAME [TEXT]           ok/not ok; on failure TEXT as comments
#   tap_result_file RC NAME FILE [head|tail] [LINES]
#                                       on failure FILE's last (or first)
#                                       LINES lines (30) as comments
#   tap_end                             the plan if not given, the Totals
#                                       line; its status is the verdict
#                                       (non-zero if a test failed or the
#                                       count differs from PLAN)
#
# tap_n, tap_pass and tap_fail hold the counts so far.

tap_begin() {
	tap_n=0 tap_pass=0 tap_fail=0 tap_plan=${1:-}
	echo "TAP version 13"
	if [ -n "$tap_plan" ]; then
		echo "1..$tap_plan"
	fi
}

# Counts one verdict; returns 0 when it passed.
tap_count() { # rc name
	tap_n=$((tap_n + 1))
	if [ "$1" -eq 0 ]; then
		tap_pass=$((tap_pass + 1))
		echo "ok $tap_n - $2"
		return 0
	fi
	tap_fail=$((tap_fail + 1))
	echo "not ok $tap_n - $2"
	return 1
}

tap_result() { # rc name [text]
	if ! tap_count "$1" "$2" && [ -n "${3:-}" ]; then
		printf '%s\n' "$3" | sed 's/^/# /'
	fi
	return 0
}

tap_result_file() { # rc name file [head|tail] [lines]
	if ! tap_count "$1" "$2" && [ -f "$3" ]; then
		"${4:-tail}" -n "${5:-30}" "$3" | sed 's/^/# /'
	fi
	return 0
}

tap_end() {
	if [ -z "$tap_plan" ]; then
		echo "1..$tap_n"
	elif [ "$tap_n" -ne "$tap_plan" ]; then
		echo "# planned $tap_plan tests, ran $tap_n"
	fi
	echo "# Totals: pass:$tap_pass fail:$tap_fail xfail:0 xpass:0 skip:0 error:0"
	[ "$tap_fail" -eq 0 ] && { [ -z "$tap_plan" ] || [ "$tap_n" -eq "$tap_plan" ]; }
}
