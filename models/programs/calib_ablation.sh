#!/bin/bash
# SPDX-License-Identifier: MIT
# make calib-ablation: how GPTQ and AWQ depend on the calibration sample's
# size, on the validation split (accel-eval --eval-on val: LM chapters
# 111-120, calibration windows from chapters 1-110; classifier training
# images 50,000-59,999, calibration images from the first 50,000), so that
# the default size is chosen without looking at the held-out data.
# For each size, one accel-eval run of GPTQ and AWQ at INT4 g32 and g128, A16
# (seed 1; --prompts 0: no greedy generation), two processes of one thread.
#   OUT/calib-ablation.csv  model,variant,algorithm,calib,value,delta,delta_lo,delta_hi
#                           (delta against FP32 on the validation split, with its
#                           paired bootstrap 95 % interval)
#   OUT/calib-ablation.png  delta against the sample size, one panel per model
#
# usage: calib_ablation.sh BUILD_MODELS_DIR CKPT_DIR MOBY_DIR FMNIST_DIR OUT_DIR
#   LM_SIZES / CLS_SIZES override the sizes (windows of 256 bytes / images),
#   LM_VARIANTS / CLS_VARIANTS the variants, LM_WINDOWS evaluates the first N
#   validation windows only (default all 193); ABLATION_KEEP=1 reuses the
#   per-size CSVs already in OUT/raw-ablation/ (runs only the missing ones).
set -euo pipefail

bin=$1; ckpt=$2; moby=$3; fmnist=$4; out=$5
lm_sizes=${LM_SIZES:-1 2 4 8 16 32}
cls_sizes=${CLS_SIZES:-64 128 256 512 1024 2048 4096}
all=int4-g32/a16/gptq,int4-g32/a16/awq,int4-g128/a16/gptq,int4-g128/a16/awq
lm_variants=${LM_VARIANTS:-$all}
cls_variants=${CLS_VARIANTS:-$all}
lm_windows=()
[ -z "${LM_WINDOWS:-}" ] || lm_windows=(--windows "$LM_WINDOWS")
mkdir -p "$out/raw-ablation"

one() {	# MODEL SIZE CKPT DATA
	local f=$out/raw-ablation/$1-$2.csv v=$lm_variants w=("${lm_windows[@]}")
	[ "$1" = lm ] || { v=$cls_variants; w=(); }
	if [ -n "${ABLATION_KEEP:-}" ] && [ -s "$f" ]; then
		echo "calib-ablation: $1 calibration $2 kept ($f)"
		return 0
	fi
	"$bin/accel-eval" --threads 1 --eval-on val --prompts 0 --calib "$2" --data "$4" \
		--variants "$v" "${w[@]}" --csv "$f.tmp" "$3" >/dev/null
	mv "$f.tmp" "$f"
	echo "calib-ablation: $1 calibration $2 done"
}
start=$(date +%s)
(
	for n in $lm_sizes; do one lm "$n" "$ckpt/moby-lm.bin" "$moby"; done
) &
pa=$!
(
	for n in $cls_sizes; do one cls "$n" "$ckpt/fmnist-mlp.bin" "$fmnist"; done
) &
pb=$!
fail=0
wait $pa || fail=1
wait $pb || fail=1
[ $fail -eq 0 ] || { echo "calib-ablation: accel-eval failed" >&2; exit 1; }

# One CSV; columns found by name in each file's header.
{
	echo "model,variant,algorithm,calib,value,delta,delta_lo,delta_hi"
	for m in lm cls; do
		for n in $([ $m = lm ] && echo "$lm_sizes" || echo "$cls_sizes"); do
			awk -F, -v OFS=, -v n="$n" '
			FNR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
			{
				v = $(h[$1 == "lm" ? "bits_per_byte" : "top1"])
				if ($2 == "fp32") { ref = v; next }
				print $1, $2, $(h["algo"]), n, v, sprintf("%+.6f", v - ref),
				      $(h["delta_lo"]), $(h["delta_hi"])
			}' "$out/raw-ablation/$m-$n.csv"
		done
	done
} > "$out/calib-ablation.csv"

if ! command -v gnuplot >/dev/null; then
	apt-get install -y -q gnuplot-nox >/dev/null 2>&1 ||
		{ apt-get update -q >/dev/null && apt-get install -y -q gnuplot-nox >/dev/null; }
fi
plots() {	# MODEL
	local sep="" i=0 v vs=$lm_variants
	[ "$1" = lm ] || vs=$cls_variants
	for v in ${vs//,/ }; do
		i=$((i + 1))
		awk -F, -v m="$1" -v v="$v" 'NR > 1 && $1 == m && $2 == v { print $4, $6, $7, $8 }' \
			"$out/calib-ablation.csv" > "$out/raw-ablation/plot-$1-$i.dat"
		printf '%s"%s" using 1:2:3:4 with yerrorlines lc %d pt %d title "%s"' "$sep" \
			"$out/raw-ablation/plot-$1-$i.dat" "$i" $((4 + 2 * i)) "$v"
		sep=", "
	done
}
gnuplot <<GP
set terminal pngcairo size 1600,700 noenhanced font ",10"
set output "$out/calib-ablation.png"
set multiplot layout 1,2
set grid
set offsets graph 0.04, graph 0.04, 0, 0
set key outside right
set logscale x 2
set title "language model: validation bits/byte delta vs FP32 (95 % bootstrap CI)"
set xlabel "calibration windows of 256 bytes"
set ylabel "delta bits/byte (lower is better)"
plot $(plots lm)
set title "classifier: validation top-1 delta vs FP32 (95 % bootstrap CI)"
set xlabel "calibration images"
set ylabel "delta top-1 (higher is better)"
plot $(plots cls)
unset multiplot
GP
echo "calib-ablation: $(($(date +%s) - start)) s"
echo "  $out/calib-ablation.csv"
echo "  $out/calib-ablation.png"
