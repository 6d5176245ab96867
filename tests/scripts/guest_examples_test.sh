#!/bin/sh
# SPDX-License-Identifier: MIT
# guest_examples_test: the examples (examples/), built against the installed
# SDK, run on the device: gemm's 4-bit GEMM within 1e-3 of the FP32
# product (it checks and exits 1 otherwise) and its cost report; graph's
# four jobs all OK, on increasing timeline points, the LOW job on a LOW
# queue. TAP.
n=0 fail=0
check() { # status name [output]
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		[ -n "${3:-}" ] && echo "$3" | sed 's/^/# /'
		fail=$((fail + 1))
	fi
}

echo "TAP version 13"
echo "1..4"
out=$(gemm 2>&1)
rc=$?
check $rc "gemm: a W4 GEMM on the device matches FP32 (exit $rc)" "$out"
echo "$out" | grep -q "largest difference from FP32" && echo "$out" | grep -q "cycles"
check $? "gemm: prints the result and the job's cost report" "$out"

out=$(graph 2>&1)
rc=$?
check $rc "graph: four jobs with dependencies run (exit $rc)" "$out"
# rows: name point queue status ...; points strictly increase, LOW for softmax
echo "$out" | awk '
	NR > 1 && NF >= 7 && $1 != "y[0][0]" {
		rows++
		if ($4 != "OK" || $2 <= last) bad = 1
		last = $2
		if ($1 == "softmax" && $3 != "LOW") bad = 1
	}
	END { exit !(rows == 4 && !bad) }'
check $? "graph: timeline of four OK jobs on increasing points, softmax on LOW" "$out"
[ $fail -eq 0 ]
