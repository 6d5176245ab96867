#!/bin/bash
# SPDX-License-Identifier: MIT
# The QAT and distillation rows of make compress-report: fine-tunes each
# model for a 4-bit weight format with mdl-qat (two trainings at a time, one
# thread each), keeps the checkpoints in OUT/qat/ and in a cache keyed by
# the trainer's inputs (below: retrained only when one of them changed), and evaluates them with accel-eval
# against the original FP32 model (--ref), packed by the device's RTN rule,
# which gives exactly the weights the QAT forward pass used. Each row is a
# model trained for its activations: the a16 rows weight-only, the a8 rows
# (NAME-a8) with the device's int8 activations fake-quantized too
# (mdl-qat --act a8). mdl-qat's packed checkpoints (that RTN pack, FMT/ACT)
# are copied to OUT/packed/.
# The control: the same fine-tuning in FP32 (mdl-qat --format fp32: no fake
# quant, no teacher; LM-ft.bin / cls-ft.bin, cached the same way), reported
# as the row bf16/a16/ft (its weights in BF16, which costs the original
# nothing measurable) against the original, and every QAT/KD checkpoint is
# evaluated a second time against it (--ref the control: OUT/raw/NAME-vs-ft.csv,
# whose delta and interval the report shows as delta_vs_ft): what QAT or KD
# gains beyond the extra training.
#
# The cache: a checkpoint is known by its key, the SHA-256 of what decides its
# bits: the trainer (mdl-qat's code, without the debug information and build
# id that name the clone it was built in, so the same sources, libraries and
# flags hash the same in every clone, and any change to them changes it), the
# FP32 checkpoint, the data set's files and mdl-qat's arguments (the thread
# count is not one of them: training is deterministic for any count,
# docs/models.md "Determinism"). OUT/qat/NAME.key holds the key a checkpoint
# there was trained with; with QAT_CACHE set (make passes
# $(QUASAR_CACHE)/qat), QAT_CACHE/KEY/ keeps every trained checkpoint, so
# another clone, or this one after a clean, copies it instead of training.
#
# usage: qat_report.sh BUILD_MODELS_DIR CKPT_DIR MOBY_DIR FMNIST_DIR OUT_DIR
#   QAT_SKIP_LM=1 leaves out the LM's QAT/KD fine-tunings and rows (four runs of
#   400 steps, the long part when nothing is cached); the LM's control row and
#   the classifier's rows still run.
#   QAT_TRAIN_ONLY=1 trains (or copies from the cache) the QAT/KD checkpoints
#   and stops: make codesign's QAT/KD points; no FP32 control, no evaluation.
#   QAT_THREADS (default 1) is each training's thread count; QAT_ONLY (an
#   extended regular expression) trains only the checkpoints whose names match.
set -euo pipefail

bin=$1; ckpt=$2; moby=$3; fmnist=$4; out=$5
q=$out/qat
mkdir -p "$q" "$out/raw" "$out/packed"

# The trainer's identity: mdl-qat without its debug information and build id.
trainer_id() {
	local tmp
	tmp=$(mktemp)
	objcopy --strip-all --remove-section=.note.gnu.build-id "$bin/mdl-qat" "$tmp"
	sha256sum < "$tmp" | cut -d' ' -f1
	rm -f "$tmp"
}
data_id() {	# DIR: its files' names and contents
	(cd "$1" && find . -type f | LC_ALL=C sort | xargs sha256sum) | sha256sum | cut -d' ' -f1
}
trainer=$(trainer_id)
declare -A data_ids=([$moby]=$(data_id "$moby") [$fmnist]=$(data_id "$fmnist"))
cache=${QAT_CACHE:-}

train() {	# NAME CKPT DATA FORMAT KD ARGS... (NAME ending in -a8: --act a8)
	local name=$1 src=$2 data=$3 fmt=$4 kd=$5; shift 5
	local dst=$q/$name.bin
	local pk=$q/$name.qpk
	local key c how=trained
	[[ $name =~ ${QAT_ONLY:-.} ]] || return 0
	case $name in *-a8) set -- --act a8 "$@";; esac
	[ "$fmt" != fp32 ] || pk=	# the control has no packed checkpoint
	key=$(printf '%s\n' "mdl-qat $trainer" "ckpt $(sha256sum < "$src" | cut -d' ' -f1)" \
		"data ${data_ids[$data]}" "args --format $fmt --kd $kd $*" | sha256sum | cut -c1-32)
	if [ -s "$dst" ] && { [ -z "$pk" ] || [ -s "$pk" ]; } &&
		[ "$(cat "$q/$name.key" 2>/dev/null)" = "$key" ]; then
		echo "[qat] $name: cached ($dst)"
		[ -z "$pk" ] || cp "$pk" "$out/packed/"
		return 0
	fi
	c=${cache:+$cache/$key}
	if [ -n "$c" ] && [ -s "$c/$name.bin" ] && { [ -z "$pk" ] || [ -s "$c/$name.qpk" ]; }; then
		cp "$c/$name.log" "$q/$name.log"
		[ -z "$pk" ] || cp "$c/$name.qpk" "$pk"
		cp "$c/$name.bin" "$dst.tmp" && mv "$dst.tmp" "$dst"
		how="copied from $c"
	else
		"$bin/mdl-qat" --threads "${QAT_THREADS:-1}" --data "$data" --format "$fmt" \
			--kd "$kd" "$@" --out "$dst.tmp" --packed "${pk:-$dst.qpk}.tmp" "$src" \
			2> "$q/$name.log" ||
			{ echo "[qat] $name failed:"; tail -5 "$q/$name.log"; return 1; }
		[ -z "$pk" ] || mv "$pk.tmp" "$pk"
		mv "$dst.tmp" "$dst"
		[ -z "$c" ] || { store "$c" "$name" "$dst" "$pk" "$q/$name.log"; how+=", kept in $c"; }
	fi
	echo "$key" > "$q/$name.key"
	[ -z "$pk" ] || cp "$pk" "$out/packed/"
	echo "[qat] $name ($how): $(grep -v '^mdl-qat: packed' "$q/$name.log" | tail -1)"
}
# Into the cache whole or not at all: a folder filled beside it, then renamed.
store() {	# DIR NAME FILES...
	local dir=$1 name=$2 tmp; shift 2
	mkdir -p "$(dirname "$dir")"
	tmp=$(mktemp -d "$dir.XXXXXX")
	for f in "$@"; do
		[ -z "$f" ] || cp "$f" "$tmp/$name.${f##*.}"
	done
	chmod 755 "$tmp"
	if [ -d "$dir" ]; then	# another training of the same key got there first
		rm -rf "$tmp"
	else
		mv -T "$tmp" "$dir" 2>/dev/null || rm -rf "$tmp"
	fi
}
evaluate() {	# NAME REF DATA TAG VARIANT [CSV-SUFFIX]
	local device=()
	[ "${REPORT_DEVICE:-1}" = 0 ] || [ -n "${6:-}" ] || device=(--device)
	"$bin/accel-eval" --threads 1 "${device[@]}" --data "$3" --ref "$2" --tag "$4" --variants "$5" \
		--csv "$out/raw/$1${6:-}.csv" "$q/$1.bin" |
		grep -E "^([a-z0-9-]+/a(8|16)/|  on the device)" | sed "s/^/[qat${6:-}] /"
}
# Against the original and against the FP32 control (host figures only).
evaluate2() {	# NAME REF CONTROL DATA TAG VARIANT
	evaluate "$1" "$2" "$4" "$5" "$6" && evaluate "$1" "$3" "$4" "$5" "$6" -vs-ft
}
lm=$ckpt/moby-lm.bin; cls=$ckpt/fmnist-mlp.bin
controls="the FP32 controls"
[ -z "${QAT_TRAIN_ONLY:-}" ] || controls="no FP32 controls"
echo "[qat] training (LM: 400 steps of 16 x 256 bytes; classifier: 2 epochs; a16 and a8;" \
	"$controls)"
fail=0
if [ -z "${QAT_TRAIN_ONLY:-}" ]; then	# the controls are report rows, no sweep points
	train lm-ft "$lm" "$moby" fp32 0 --steps 400 & p1=$!
	train cls-ft "$cls" "$fmnist" fp32 0 --epochs 2 & p2=$!
	wait $p1 || fail=1
	wait $p2 || fail=1
fi
lm_qat=1
[ -z "${QAT_SKIP_LM:-}" ] || { lm_qat=0; echo "[qat] QAT_SKIP_LM: no LM QAT/KD rows"; }
for a in "" -a8; do
	[ $lm_qat = 1 ] || break
	train lm-int4-g32-qat$a "$lm" "$moby" int4-g32 0 --steps 400 & p1=$!
	train lm-int4-g32-kd$a "$lm" "$moby" int4-g32 1 --steps 400 & p2=$!
	wait $p1 || fail=1
	wait $p2 || fail=1
done
for f in int4-g32 mxfp4; do
	for a in "" -a8; do
		train cls-$f-qat$a "$cls" "$fmnist" $f 0 --epochs 2 & p1=$!
		train cls-$f-kd$a "$cls" "$fmnist" $f 0.5 --epochs 2 & p2=$!
		wait $p1 || fail=1
		wait $p2 || fail=1
	done
done
[ $fail -eq 0 ] || exit 1
[ -z "${QAT_TRAIN_ONLY:-}" ] || exit 0
evaluate lm-ft "$lm" "$moby" ft bf16/a16 & p1=$!
evaluate cls-ft "$cls" "$fmnist" ft bf16/a16 & p2=$!
wait $p1 || fail=1
wait $p2 || fail=1
for a in a16 a8; do
	[ $lm_qat = 1 ] || break
	s=${a/a16/}; s=${s:+-$s}
	evaluate2 lm-int4-g32-qat$s "$lm" "$q/lm-ft.bin" "$moby" qat int4-g32/$a & p1=$!
	evaluate2 lm-int4-g32-kd$s "$lm" "$q/lm-ft.bin" "$moby" kd int4-g32/$a & p2=$!
	wait $p1 || fail=1
	wait $p2 || fail=1
done
for f in int4-g32 mxfp4; do
	for a in a16 a8; do
		s=${a/a16/}; s=${s:+-$s}
		evaluate2 cls-$f-qat$s "$cls" "$q/cls-ft.bin" "$fmnist" qat $f/$a || fail=1
		evaluate2 cls-$f-kd$s "$cls" "$q/cls-ft.bin" "$fmnist" kd $f/$a || fail=1
	done
done
exit $fail
