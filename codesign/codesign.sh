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
#
# usage: codesign.sh ACCEL_CODESIGN COMPRESS_REPORT_SH QAT_DIR OUT
set -euo pipefail

cds=$1; report_sh=$2; qat=$3; out=$4
top=$(cd "$(dirname "$0")/.." && pwd)
sweep=$top/scripts/sweep.sh
[ -f "$sweep" ] || { echo "codesign: $sweep is missing (the sweep runner)" >&2; exit 1; }
mkdir -p "$out"
start=$(date +%s)

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
rm -rf "$out/sweep"
"$cds" --plan "$out/sweep" "${plan[@]}"
jobs=()
[ -z "${SWEEP_JOBS:-}" ] || jobs=(--jobs "$SWEEP_JOBS")
rc=0
bash "$sweep" --mode "${SWEEP:-local}" "${jobs[@]}" --tasks "$out/sweep/tasks.tsv" \
	--state "$out/sweep/state" || rc=$?
# a failed point is reported by the runner; the merge refuses the incomplete set
"$cds" --merge "$out/sweep" --out "$out"
el=$(($(date +%s) - start))
echo "codesign: $(($(wc -l < "$out/sweep/tasks.tsv"))) points in $((el / 60)) min $((el % 60)) s"
exit $rc
