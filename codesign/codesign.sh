#!/bin/bash
# SPDX-License-Identifier: MIT
# make codesign: plan, sweep, merge (docs/codesign.md).
#   1. the variants: compress_report.sh's own list (its variants() function,
#      read from the script so the two never differ), with the QAT/KD
#      checkpoints in QAT_DIR, if any (make codesign trains them there first,
#      or copies them from the cache: models/programs/qat_report.sh);
#   2. accel-codesign --plan OUT/sweep: a task per variant;
#   3. scripts/sweep.sh --mode $SWEEP runs them (locally on the cores, or as
#      a Slurm job array), each writing OUT/sweep/points/ID.csv;
#   4. accel-codesign --merge: OUT/pareto.csv, OUT/report.md, OUT/pareto-*.png.
# CODESIGN_SMALL=1: the small sweep (accel-codesign --plan --small).
# CODESIGN_RESUME=1: keep the points of the previous sweep in OUT/sweep whose
# task and inputs are unchanged (point_keys below) and run only the others.
#
# usage: codesign.sh ACCEL_CODESIGN COMPRESS_REPORT_SH QAT_DIR OUT
set -euo pipefail

cds=$1; report_sh=$2; qat=$3; out=$4
top=$(cd "$(dirname "$0")/.." && pwd)
sweep=$top/scripts/sweep.sh
[ -f "$sweep" ] || { echo "codesign: $sweep is missing (the sweep runner)" >&2; exit 1; }
mkdir -p "$out"
start=$(date +%s)

# A point's key: its command, the contents of every file the command names
# (checkpoints, data files, accel-codesign, accel-eval) and of the sweep's
# configurations; CODESIGN_RESUME=1 keeps a previous sweep's point whose key
# is unchanged, so that a sweep stopped part way goes on where it was.
declare -A file_sums
file_sum() {
	[ -n "${file_sums[$1]:-}" ] || file_sums[$1]=$(sha256sum < "$1" | cut -d' ' -f1)
	echo "${file_sums[$1]}"
}
point_keys() {	# SWEEP_DIR: ID<TAB>KEY for each task
	local dir=$1 id cmd confs f
	confs=$(cat "$dir"/configs/*.conf | sha256sum | cut -d' ' -f1)
	while IFS=$'\t' read -r id cmd; do
		{
			echo "$cmd $confs"
			for f in $(grep -o "'[^']*'" <<< "$cmd" | tr -d "'"); do
				[ ! -f "$f" ] || file_sum "$f"
			done
		} | sha256sum | cut -d' ' -f1 | sed "s/^/$id\t/"
	done < "$dir/tasks.tsv"
}
key_of() {	# KEYS_FILE ID
	awk -F'\t' -v id="$2" '$1 == id { print $2 }' "$1"
}

plan=()
if [ -n "${CODESIGN_SMALL:-}" ]; then
	plan=(--small)
else
	# compress_report.sh's dense4() and variants(), without running the report
	list=$(bash -c "$(sed -n '/^dense4() {/,/^}/p; /^variants() {/,/^}/p' "$report_sh")
		variants" | tr ' ' '\n' | grep .) ||
		{ echo "codesign: no variant list from $report_sh" >&2; exit 1; }
	echo "$list" > "$out/variants.txt"
	plan=(--variants "@$out/variants.txt")
	if ls "$qat"/*.bin >/dev/null 2>&1; then
		plan+=(--qat-dir "$qat")
	else
		echo "codesign: no QAT/KD checkpoints in $qat (make compress-report trains them):" \
			"the sweep has no QAT/KD rows"
	fi
fi
prev=
if [ -n "${CODESIGN_RESUME:-}" ] && [ -f "$out/sweep/keys.tsv" ]; then
	prev=$out/sweep.prev
	rm -rf "$prev"
	mv "$out/sweep" "$prev"
fi
rm -rf "$out/sweep"
"$cds" --plan "$out/sweep" "${plan[@]}"
point_keys "$out/sweep" > "$out/sweep/keys.tsv"
todo=$out/sweep/tasks.tsv
if [ -n "$prev" ]; then
	todo=$out/sweep/tasks-todo.tsv
	kept=0
	: > "$todo"
	mkdir -p "$out/sweep/points"
	while IFS=$'\t' read -r id cmd; do
		if [ -s "$prev/points/$id.csv" ] &&
			[ "$(key_of "$prev/keys.tsv" "$id")" = "$(key_of "$out/sweep/keys.tsv" "$id")" ]; then
			cp "$prev/points/$id.csv" "$out/sweep/points/"
			kept=$((kept + 1))
		else
			printf '%s\t%s\n' "$id" "$cmd" >> "$todo"
		fi
	done < "$out/sweep/tasks.tsv"
	rm -rf "$prev"
	echo "codesign: CODESIGN_RESUME: $kept points kept from the previous sweep," \
		"$(wc -l < "$todo") to run"
fi
jobs=()
[ -z "${SWEEP_JOBS:-}" ] || jobs=(--jobs "$SWEEP_JOBS")
rc=0
if [ -s "$todo" ]; then
	bash "$sweep" --mode "${SWEEP:-local}" "${jobs[@]}" --tasks "$todo" \
		--state "$out/sweep/state" || rc=$?
fi
# a failed point is reported by the runner; the merge refuses the incomplete set
"$cds" --merge "$out/sweep" --out "$out"
el=$(($(date +%s) - start))
echo "codesign: $(($(wc -l < "$out/sweep/tasks.tsv"))) points in $((el / 60)) min $((el % 60)) s"
exit $rc
