#!/bin/bash
# SPDX-License-Identifier: MIT
# make compress-report: every compression variant of both models through
# accel-eval, on two processes of one thread each (the machine has two
# cores; results do not depend on the thread count), merged into
#   build/report/compression.csv   one line per variant (columns below)
#                                  with the whole model's figures on the
#                                  device (accel-eval --device: every op in
#                                  the device's numerics, the modeled cost
#                                  per token or image); REPORT_DEVICE=0 skips
#                                  them (about half the time) and leaves their
#                                  columns out of compression.md
#   build/report/compression.md    the same as a table
#   build/report/compression.png   metric against bits per weight (gnuplot)
#   build/report/packed/*.qpk      packed checkpoints of the 4-bit variants (QAT/KD too)
# QAT / distillation checkpoints come from mdl-qat and are kept in
# build/report/qat/ and in QAT_CACHE, keyed by the trainer's code, the FP32
# checkpoint, the data and the arguments (qat_report.sh).
#
# usage: compress_report.sh BUILD_MODELS_DIR CKPT_DIR MOBY_DIR FMNIST_DIR OUT_DIR
set -euo pipefail

bin=$1; ckpt=$2; moby=$3; fmnist=$4; out=$5
device=()
[ "${REPORT_DEVICE:-1}" = 0 ] || device=(--device)
export REPORT_DEVICE
lm=$ckpt/moby-lm.bin; cls=$ckpt/fmnist-mlp.bin
mkdir -p "$out/raw" "$out/qat" "$out/packed"

dense4() {	# FORMAT ACT ALGOS...
	local f=$1 a=$2; shift 2
	for g in "$@"; do echo "$f/$a/$g"; done
}
variants() {
	echo bf16/a16/rtn int8/a16/rtn int8/a8/rtn int8/a8/smooth mxint8/a16/rtn mxint8/a8/rtn
	echo mxint8/a8/smooth mxfp8/a16/rtn
	for f in int4-g32 int4-g128; do
		dense4 $f a16 rtn gptq gptq-ao awq
		dense4 $f a8 rtn gptq gptq-ao awq smooth
	done
	for f in mxfp4 nvfp4; do
		dense4 $f a16 rtn gptq gptq-ao awq
		dense4 $f a8 rtn gptq awq
	done
	for f in sp-bf16/a16 sp-int8/a16 sp-int8/a8 sp-int4-g32/a16 sp-int4-g32/a8; do
		dense4 $f "" mag24 wanda sparsegpt | sed 's,//,/,'
	done
}
# Two lists of about equal work: alternate lines. The report keeps this order.
all=$(variants | tr ' ' '\n' | grep .)
echo "$all" > "$out/raw/order.txt"
half0=$(echo "$all" | awk 'NR % 2 == 1' | paste -sd,)
half1=$(echo "$all" | awk 'NR % 2 == 0' | paste -sd,)
n=$(echo "$all" | wc -l)
echo "compress-report: $n variants x 2 models + QAT/KD, 2 processes of 1 thread"

# Progress: accel-eval prints one row per finished variant (and its device
# row after it with --device: the variant is done then); each one counts in
# $done_file (both processes append to it), and a line says k/N of both
# models' variants, the time so far and the time left at that rate.
done_file=$out/raw/done.txt
: >"$done_file"
start=$(date +%s)
hms() {	# SECONDS -> M:SS or H:MM:SS
	local t=$1
	if [ "$t" -ge 3600 ]; then printf '%d:%02d:%02d' $((t / 3600)) $((t / 60 % 60)) $((t % 60))
	else printf '%d:%02d' $((t / 60)) $((t % 60)); fi
}
run() {	# TAG ARGS...
	local tag=$1 k el; shift
	"$bin/accel-eval" --threads 1 "${device[@]}" --save-packed "$out/packed" "$@" | while IFS= read -r l; do
		case "$l" in
		[a-z]*/a8/*|[a-z]*/a16/*|"  on the device"*) echo "[$tag] $l";;
		*) continue;;
		esac
		case "${#device[@]}:$l" in
		0:[a-z]*|1:"  on the device"*)
			echo "$tag" >>"$done_file"
			k=$(wc -l <"$done_file"); el=$(($(date +%s) - start))
			echo "[$tag] variants $k/$((2 * n)), $(hms $el) elapsed," \
				"$(hms $((el * (2 * n - k) / k))) left"
			;;
		esac
	done
}
if [ -z "${REPORT_MERGE_ONLY:-}" ]; then
(
	run lm-a --data "$moby" --variants "$half0" --csv "$out/raw/lm-a.csv" "$lm"
	run cls-a --data "$fmnist" --variants "$half0" --csv "$out/raw/cls-a.csv" "$cls"
) &
pa=$!
(
	run lm-b --data "$moby" --variants "$half1" --csv "$out/raw/lm-b.csv" "$lm"
	run cls-b --data "$fmnist" --variants "$half1" --csv "$out/raw/cls-b.csv" "$cls"
) &
pb=$!
fail=0
wait $pa || fail=1
wait $pb || fail=1
[ $fail -eq 0 ] || { echo "compress-report: accel-eval failed" >&2; exit 1; }
# accel-eval packs every variant; the 4-bit ones are kept (a few hundred kB each)
find "$out/packed" -name '*.qpk' ! -name '*int4-g*' ! -name '*-mxfp4-*' ! -name '*-nvfp4-*' \
	-delete

# QAT and distillation (cached): train, then evaluate against the original FP32.
bash "$(dirname "$0")/qat_report.sh" "$bin" "$ckpt" "$moby" "$fmnist" "$out"
fi

# Merge: one header, FP32 rows from the first file of each model. Columns
# are found by their names in each file's header (accel-eval appends new
# ones at the end). The QAT/KD checkpoints' evaluations against the FP32
# control (*-vs-ft.csv, read first) give their delta_vs_ft and its interval.
python_free_merge() {
	awk -F, -v OFS=, '
	function col(name) { return (name in h) ? $(h[name]) : "" }
	FILENAME ~ /order.txt$/ { rank[$0] = FNR; next }
	FNR == 1 { delete h; for (i = 1; i <= NF; i++) h[$i] = i; next }
	FILENAME ~ /-vs-ft[.]csv$/ {
		v = col($1 == "lm" ? "bits_per_byte" : "top1")
		if ($2 == "fp32") { ftref = v; next }
		key = $1 SUBSEP $2
		ftd[key] = sprintf("%+.6f", v - ftref)
		ftlo[key] = col("delta_lo"); fthi[key] = col("delta_hi")
		next
	}
	{
		model = $1; variant = $2
		if (variant == "fp32") { if (model in ref) next }
		key = model SUBSEP variant
		if (key in seen) next
		seen[key] = 1
		if (model == "lm") {
			metric = "bits_per_byte"; val = col("bits_per_byte"); kl = col("kl_nats")
			agree = col("top1_agree"); gen = col("gen_agree")
			dv = col("dev_bits_per_byte"); dc = col("dev_cycles_per_token")
			de = col("dev_uj_per_token"); dd = col("dev_dram_bytes_per_token")
		} else {
			metric = "top1"; val = col("top1"); kl = ""; agree = col("agree"); gen = ""
			dv = col("dev_top1"); dc = col("dev_cycles_per_image")
			de = col("dev_uj_per_image"); dd = col("dev_dram_bytes_per_image")
		}
		if (variant == "fp32") ref[model] = val
		n++
		ord[n] = (model == "lm" ? 0 : 100000) + (variant == "fp32" ? 0 : \
			 variant in rank ? rank[variant] : 1000 + n)
		row[n] = model OFS variant OFS col("format") OFS col("act") OFS col("algo") OFS \
			 col("bits_per_weight") OFS metric OFS val
		rm[n] = model; rv[n] = val; rk[n] = kl; ra[n] = agree; rg[n] = gen
		dev[n] = dv == "" ? ",,," : sprintf("%s,%s,%s,%s", dv, dc, de, dd)
		if (dv != "" && variant != "fp32")
			ddelta[n] = sprintf("%+.6f", dv - ref[model])
		ci[n] = col("delta_lo") OFS col("delta_hi") OFS col("dev_delta_lo") OFS \
			col("dev_delta_hi")
		vsft[n] = (key in ftd) ? ftd[key] OFS ftlo[key] OFS fthi[key] : OFS
	}
	END {
		print "model,variant,format,act,algorithm,bits_per_weight,metric,value," \
		      "delta_vs_fp32,kl_nats,top1_agree,gen_agree,dev_value,dev_cycles," \
		      "dev_uj,dev_dram_bytes,dev_delta_vs_fp32,delta_lo,delta_hi,dev_delta_lo," \
		      "dev_delta_hi,delta_vs_ft,ft_delta_lo,ft_delta_hi"
		for (i = 1; i <= n; i++) {
			best = 0
			for (j = 1; j <= n; j++)
				if (!(j in done) && (best == 0 || ord[j] < ord[best]))
					best = j
			done[best] = 1
			printf "%s,%+.6f,%s,%s,%s,%s,%s,%s,%s\n", row[best], \
				rv[best] - ref[rm[best]], rk[best], ra[best], rg[best], dev[best], \
				ddelta[best], ci[best], vsft[best]
		}
	}' "$@"
}
shopt -s nullglob
main_csvs=()
for f in "$out"/raw/lm-*.csv "$out"/raw/cls-*.csv; do
	case $f in *-vs-ft.csv) ;; *) main_csvs+=("$f");; esac
done
python_free_merge "$out/raw/order.txt" "$out"/raw/*-vs-ft.csv "${main_csvs[@]}" \
	> "$out/compression.csv"

# Markdown table: the linear-only figures, then the whole model on the
# device (when measured): its metric, delta and cost per token or image.
# Each delta carries its paired bootstrap 95 % interval (accel-eval: 1000
# resamples of the held-out windows or test images); QAT/KD rows also their
# delta against the FP32 fine-tuned control (ft). REPORT_DEVICE=0: no device
# columns.
awk -F, -v device="${REPORT_DEVICE:-1}" '
function ci(lo, hi) { return lo == "" ? "" : sprintf(" [%+.4f, %+.4f]", lo, hi) }
function dev() {
	if (device == 0)
		return ""
	if ($13 == "")
		return " | - | - | - | - | -"
	return sprintf(" | %.4f | %+.4f%s | %.0f | %.3f | %.0f", $13, $17, ci($20, $21), $14, $15,
		       $16)
}
function ft() { return $22 == "" ? " | " : sprintf(" | %+.4f%s", $22, ci($23, $24)) }
NR == 1 { next }
$1 != cur {
	cur = $1
	if ($1 == "lm") {
		printf "\n### language model (held-out bits/byte, lower is better)\n\n" \
		       "Linear-only: the linear layers through the datapath, the rest in FP32 on the host%s. " \
		       "Deltas with their paired bootstrap 95 %% interval; " \
		       "vs ft: against the FP32 model fine-tuned with the same steps (QAT/KD rows).\n\n",
		       device == 0 ? "" : "; device: every op of the forward pass as the device " \
		       "runs it, and its modeled cost per token"
		printf "| variant | bits/w | bits/byte | delta [95 %% CI] | vs ft [95 %% CI] | KL (nats) " \
		       "| top-1 agree | greedy agree%s |\n" \
		       "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: %s|\n",
		       device == 0 ? "" : " | device bits/byte | device delta | cycles/token " \
		       "| uJ/token | DRAM bytes/token", device == 0 ? "" : "| ---: | ---: | ---: | ---: | ---: "
	} else {
		printf "\n### classifier (t10k top-1, higher is better)\n\n" \
		       "| variant | bits/w | top-1 | delta [95 %% CI] | vs ft [95 %% CI] | agree%s |\n" \
		       "| --- | ---: | ---: | ---: | ---: | ---: %s|\n",
		       device == 0 ? "" : " | device top-1 | device delta | cycles/image | uJ/image " \
		       "| DRAM bytes/image", device == 0 ? "" : "| ---: | ---: | ---: | ---: | ---: "
	}
}
$1 == "lm" { printf "| %s | %.2f | %.4f | %+.4f%s%s | %.5f | %.4f | %.4f%s |\n", $2, $6, $8, $9,
		     ci($18, $19), ft(), $10, $11, $12, dev() }
$1 == "cls" { printf "| %s | %.2f | %.4f | %+.4f%s%s | %.4f%s |\n", $2, $6, $8, $9, ci($18, $19),
		      ft(), $11, dev() }
' "$out/compression.csv" > "$out/compression.md"

# Plot: one panel per model, one colour per algorithm.
if ! command -v gnuplot >/dev/null; then
	echo "compress-report: installing gnuplot-nox (apt)"
	apt-get install -y -q gnuplot-nox >/dev/null 2>&1 ||
		{ apt-get update -q >/dev/null && apt-get install -y -q gnuplot-nox >/dev/null; }
fi
algos=$(awk -F, 'NR > 1 { print $5 }' "$out/compression.csv" | sort -u)
for m in lm cls; do
	for a in $algos; do
		awk -F, -v m=$m -v a=$a 'NR > 1 && $1 == m && $5 == a { print $6, $8, $2 }' \
			"$out/compression.csv" > "$out/raw/plot-$m-$a.dat"
	done
done
plots() {	# MODEL
	local sep="" i=0
	# colour and point type both vary: gnuplot has only 8 default colours
	for a in $algos; do
		i=$((i + 1))
		[ -s "$out/raw/plot-$1-$a.dat" ] || continue
		printf '%s"%s" using 1:2 with points lc %d pt %d ps 1.4 title "%s"' "$sep" \
			"$out/raw/plot-$1-$a.dat" $i $((4 + 2 * (i % 4) + i / 4)) "$a"
		sep=", "
	done
}
gnuplot <<GP
set terminal pngcairo size 1600,700 noenhanced font ",10"
set output "$out/compression.png"
set multiplot layout 1,2
set grid
set key outside right
set logscale x 2
set xlabel "bits per weight (incl. scales, zero points, 2:4 metadata)"
set title "language model: held-out bits/byte (lower is better)"
set ylabel "bits/byte"
plot $(plots lm)
set title "classifier: Fashion-MNIST t10k top-1 (higher is better)"
set ylabel "top-1"
plot $(plots cls)
unset multiplot
GP
echo "compress-report: $(($(wc -l < "$out/compression.csv") - 1)) rows"
echo "  $out/compression.csv"
echo "  $out/compression.md"
echo "  $out/compression.png"
