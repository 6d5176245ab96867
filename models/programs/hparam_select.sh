#!/bin/bash
# SPDX-License-Identifier: MIT
# make hparam-select: the compression library's tuned defaults chosen on the
# validation split (accel-eval --eval-on val: LM chapters 111-120 with
# calibration windows from chapters 1-110; classifier training images
# 50,000-59,999 with calibration images from the first 50,000), never on the
# held-out data, which only reports.
#
# Each hyperparameter is swept as variant specs ALGO:KEY=VALUE, every one
# listed after the same FORMAT/ACT/ALGO at the library's default
# (accel-eval --vs-default: its difference from the default and the paired
# bootstrap 95 % interval over the same validation windows or images):
#   damp   GPTQ's Hessian damping (default 0.01)     int4-g32/a16/gptq, int4-g128/a16/gptq
#   grid   AWQ's alpha grid size (default 20)        int4-g32/a16/awq
#   alpha  SmoothQuant's strength (default 0.5)      int8/a8/smooth, int4-g32/a8/smooth
#   damp   SparseGPT's Hessian damping (default 0.03, sp-int4-g32/a16/sparsegpt,
#          the reference's 0.01 until chosen here)    sp-bf16/a16, sp-int8/a16
# One accel-eval run per model (one calibration capture, FP32 once), the two
# models on two processes of one thread (seed 1; --prompts 0: no greedy
# generation).
#   OUT/hparams.csv  model,variant,algorithm,key,value,default,metric,delta,delta_lo,
#                    delta_hi,vs_default,vs_default_lo,vs_default_hi
#                    (delta: against FP32 on the validation split; vs_default:
#                    against the default value, lower is better for the LM's
#                    bits/byte, higher for the classifier's top-1)
#   OUT/hparams.md   per sweep, the value the validation split chooses (the
#                    rule below), each row's figure against the default with
#                    its interval, the significant wins and losses, mean z
#
# usage: hparam_select.sh BUILD_MODELS_DIR CKPT_DIR MOBY_DIR FMNIST_DIR OUT_DIR
#   LM_WINDOWS evaluates the first N validation windows only (default all 193);
#   LM_SWEEP / CLS_SWEEP replace the variant lists; HPARAM_KEEP=1 reuses the
#   per-model CSVs already in OUT/raw-hparams/.
set -euo pipefail

bin=$1; ckpt=$2; moby=$3; fmnist=$4; out=$5

sweep() {	# BASE KEY DEFAULT VALUES...: the default first, then each other value
	local base=$1 key=$2 def=$3 v; shift 3
	echo "$base"
	for v in "$@"; do [ "$v" = "$def" ] || echo "$base:$key=$v"; done
}
default_sweep() {
	sweep int4-g32/a16/gptq damp 0.01 0.001 0.01 0.1
	sweep int4-g128/a16/gptq damp 0.01 0.001 0.01 0.1
	sweep int4-g32/a16/awq grid 20 10 20 40
	sweep int8/a8/smooth alpha 0.5 0.25 0.5 0.75
	sweep int4-g32/a8/smooth alpha 0.5 0.25 0.5 0.75
	for f in sp-int4-g32 sp-bf16 sp-int8; do
		sweep $f/a16/sparsegpt damp 0.03 0.01 0.03 0.1 0.3
	done
}
all=$(default_sweep | paste -sd,)
lm_sweep=${LM_SWEEP:-$all}
cls_sweep=${CLS_SWEEP:-$all}
lm_windows=()
[ -z "${LM_WINDOWS:-}" ] || lm_windows=(--windows "$LM_WINDOWS")
raw=$out/raw-hparams
mkdir -p "$raw"

one() {	# MODEL CKPT DATA VARIANTS [ARGS...]
	local m=$1 ck=$2 data=$3 vs=$4 f=$raw/$1.csv; shift 4
	if [ -n "${HPARAM_KEEP:-}" ] && [ -s "$f" ]; then
		echo "hparam-select: $m kept ($f)"
		return 0
	fi
	"$bin/accel-eval" --threads 1 --eval-on val --prompts 0 --vs-default --variants "$vs" \
		"$@" --csv "$f.tmp" "$ck" | sed -n "s,^\([a-z0-9-]*/a[0-9]*/.*\),[hparam $m] \1,p"
	mv "$f.tmp" "$f"
	echo "hparam-select: $m done"
}
start=$(date +%s)
one lm "$ckpt/moby-lm.bin" "$moby" "$lm_sweep" "${lm_windows[@]}" & pa=$!
one cls "$ckpt/fmnist-mlp.bin" "$fmnist" "$cls_sweep" & pb=$!
fail=0
wait $pa || fail=1
wait $pb || fail=1
[ $fail -eq 0 ] || { echo "hparam-select: accel-eval failed" >&2; exit 1; }

# One CSV: each variant's key and value (the default's from the sweep's base
# row: the library's value, which the spec does not name).
awk -F, -v OFS=, '
BEGIN {
	def["gptq"] = 0.01; def["gptq-ao"] = 0.01; def["sparsegpt"] = 0.03
	def["awq"] = 20; def["smooth"] = 0.5
	keyof["gptq"] = "damp"; keyof["gptq-ao"] = "damp"; keyof["sparsegpt"] = "damp"; keyof["awq"] = "grid"
	keyof["smooth"] = "alpha"
	print "model,variant,algorithm,key,value,default,metric,delta,delta_lo,delta_hi," \
	      "vs_default,vs_default_lo,vs_default_hi"
}
FNR == 1 { delete h; for (i = 1; i <= NF; i++) h[$i] = i; next }
$2 == "fp32" { ref = $(h[$1 == "lm" ? "bits_per_byte" : "top1"]); next }
{
	v = $(h[$1 == "lm" ? "bits_per_byte" : "top1"])
	algo = $(h["algo"]); key = keyof[algo]
	val = def[algo]; isdef = 1
	if (split($2, kv, ":") > 1) { split(kv[2], p, "="); val = p[2]; isdef = 0 }
	print $1, $2, algo, key, val, isdef, v, sprintf("%+.6f", v - ref), $(h["delta_lo"]),
	      $(h["delta_hi"]), $(h["vs_default"]), $(h["vs_default_lo"]), $(h["vs_default_hi"])
}' "$raw/lm.csv" "$raw/cls.csv" > "$out/hparams.csv"

# The choice per algorithm and key. Each value's gain against the default,
# row by row (LM bits/byte lower, classifier top-1 higher: positive is
# better), in units of its own uncertainty: z = gain / half-width of its
# 95 % interval (the LM's and the classifier's rows then count alike). A
# value replaces the default only if its gain is significant (the interval
# excludes 0) on at least one row and significantly negative on none; among
# such values the highest mean z wins. So noise alone (every interval
# across 0) never moves a default.
awk -F, '
NR == 1 { next }
{
	g = $3 ":" $4; s = ($1 == "lm") ? -1 : 1
	if (!(g in seen)) { seen[g] = 1; order[++ng] = g }
	if ($6) { defv[g] = $5; next }
	if (!((g, $5) in vseen)) { vseen[g, $5] = 1; vals[g] = vals[g] " " $5 }
	gain = s * $11; hw = ($13 - $12) / 2
	z = hw > 0 ? gain / hw : 0
	sum[g, $5] += z; cnt[g, $5]++
	if ($12 * $13 > 0) {
		if (gain > 0) win[g, $5]++
		else loss[g, $5]++
	}
	row[g, $5] = row[g, $5] sprintf("%s %s %+.4f [%+.4f, %+.4f]; ", $1,
		substr($2, 1, index($2, ":") - 1), $11, $12, $13)
}
END {
	print "| algorithm:key | default | chosen on validation | each value against the default (variant minus default, 95 % CI), significant wins and losses, mean z |"
	print "| --- | ---: | ---: | --- |"
	for (i = 1; i <= ng; i++) {
		g = order[i]; best = defv[g]; bestm = 0
		n = split(vals[g], vs, " ")
		txt = ""
		for (j = 1; j <= n; j++) {
			m = sum[g, vs[j]] / cnt[g, vs[j]]
			if (win[g, vs[j]] && !loss[g, vs[j]] && m > bestm) { bestm = m; best = vs[j] }
			txt = txt sprintf("%s=%s: %s(%d better, %d worse, mean z %+.2f) ",
					  substr(g, index(g, ":") + 1), vs[j], row[g, vs[j]],
					  win[g, vs[j]], loss[g, vs[j]], m)
		}
		printf "| %s | %s | %s | %s |\n", g, defv[g], best, txt
	}
}' "$out/hparams.csv" > "$out/hparams.md"
echo "hparam-select: $(($(date +%s) - start)) s"
cat "$out/hparams.md"
echo "  $out/hparams.csv"
echo "  $out/hparams.md"
