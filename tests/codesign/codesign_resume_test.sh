#!/bin/bash
# SPDX-License-Identifier: MIT
# codesign_resume_test: make codesign's CODESIGN_RESUME=1 (codesign/codesign.sh)
# on the small sweep: a resume with nothing changed keeps every point and
# runs none; after points are lost it runs exactly those; a point whose key
# changed (its checkpoint retrained, a program rebuilt) runs again and its
# old rows are not kept; without CODESIGN_RESUME every point runs. Each merged
# pareto.csv equals the first run's. The points are real (accel-eval and the
# cost runs), so this needs the build, the data sets and both checkpoints. TAP.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/tap.sh"
cds=$top/build/codesign/accel-codesign
work=$(mktemp -d)
out=$work/out
trap 'rm -rf "$work"' EXIT

codesign() {	# LOG [ENV=VALUE...]: the small sweep through codesign.sh into $out
	local log=$1; shift
	env CODESIGN_SMALL=1 "$@" bash "$top/codesign/codesign.sh" "$cds" \
		"$top/models/programs/compress_report.sh" "$work/no-qat" "$out" > "$log" 2>&1
}
ran() {	# LOG: how many tasks sweep.sh ran (0 when it was not started)
	sed -n 's/^sweep: \([0-9]*\) of [0-9]* succeeded.*/\1/p' "$1" | grep . || echo 0
}
same_csv() {	# LOG: the merged CSV is the first run's
	cmp "$out/pareto.csv" "$work/first.csv" >> "$1" 2>&1
}
resumed() {	# LOG TORUN: a resume keeps all but TORUN points, runs those, merges the same
	codesign "$1" CODESIGN_RESUME=1 &&
		grep -q "$((ntasks - $2)) points kept from the previous sweep, $2 to run" "$1" &&
		[ "$(ran "$1")" -eq "$2" ] && same_csv "$1"
}

tap_begin 5

# 1: a whole small sweep, with one key per task
log=$work/1.log
codesign "$log"
rc=$?
ntasks=$(wc -l < "$out/sweep/tasks.tsv" 2>/dev/null || echo 0)
nkeys=$(awk -F'\t' 'length($2) == 64' "$out/sweep/keys.tsv" 2>/dev/null | wc -l)
[ $rc -eq 0 ] && [ "$ntasks" -gt 2 ] && [ "$nkeys" -eq "$ntasks" ] &&
	[ "$(ran "$log")" -eq "$ntasks" ] && cp "$out/pareto.csv" "$work/first.csv" || rc=1
tap_result_file $rc "a small sweep: $ntasks points run, $nkeys keys of 64 hex digits" "$log"

# 2: nothing changed: every point kept, no task run
log=$work/2.log
codesign "$log" CODESIGN_RESUME=1
rc=$?
[ $rc -eq 0 ] && grep -q "CODESIGN_RESUME: $ntasks points kept from the previous sweep, 0 to run" \
	"$log" && [ "$(ran "$log")" -eq 0 ] && same_csv "$log" || rc=1
tap_result_file $rc "a resume with nothing changed keeps all $ntasks points and runs none" "$log"

# 3: two points lost (a sweep stopped part way): exactly those run
log=$work/3.log
lost=$(cut -f1 "$out/sweep/tasks.tsv" | sed -n '1p;$p')
for id in $lost; do rm -f "$out/sweep/points/$id.csv"; done
resumed "$log" 2
rc=$?
tap_result_file $rc "a resume after two points were lost runs those two: $(echo $lost)" "$log"

# 4: a point whose inputs changed since (its recorded key differs) runs again;
# its old rows, falsified here, must not reach the merge
log=$work/4.log
id=$(cut -f1 "$out/sweep/tasks.tsv" | sed -n 2p)
sed -i "s/^$id\t.*/$id\t$(printf '0%.0s' {1..64})/" "$out/sweep/keys.tsv"
sed -i '2s/,[0-9.]*,/,12345,/' "$out/sweep/points/$id.csv"
resumed "$log" 1
rc=$?
tap_result_file $rc "a point whose key changed runs again ($id)" "$log"

# 5: without CODESIGN_RESUME the sweep starts over
log=$work/5.log
codesign "$log"
rc=$?
[ $rc -eq 0 ] && ! grep -q CODESIGN_RESUME "$log" && [ "$(ran "$log")" -eq "$ntasks" ] &&
	same_csv "$log" || rc=1
tap_result_file $rc "without CODESIGN_RESUME every point runs again" "$log"

tap_end
