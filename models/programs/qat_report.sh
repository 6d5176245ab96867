#!/bin/bash
# SPDX-License-Identifier: MIT
# The QAT and distillation rows of make compress-report: fine-tunes each
# model for a 4-bit weight format with mdl-qat (two trainings at a time, one
# thread each), caches the checkpoints in OUT/qat/ (retrained when the FP32
# checkpoint or mdl-qat is newer), and evaluates them with accel-eval
# against the original FP32 model (--ref), packed by the device's RTN rule,
# which gives exactly the weights the QAT forward pass used. Each row is a
# model trained for its activations: the a16 rows weight-only, the a8 rows
# (NAME-a8) with the device's int8 activations fake-quantized too
# (mdl-qat --act a8). mdl-qat's packed checkpoints (that RTN pack, FMT/ACT)
# are copied to OUT/packed/.
#
# usage: qat_report.sh BUILD_MODELS_DIR CKPT_DIR MOBY_DIR FMNIST_DIR OUT_DIR
set -euo pipefail

bin=$1; ckpt=$2; moby=$3; fmnist=$4; out=$5
q=$out/qat
mkdir -p "$q" "$out/raw" "$out/packed"

train() {	# NAME CKPT DATA FORMAT KD ARGS... (NAME ending in -a8: --act a8)
	local name=$1 src=$2 data=$3 fmt=$4 kd=$5; shift 5
	local dst=$q/$name.bin
	local pk=$q/$name.qpk
	case $name in *-a8) set -- --act a8 "$@";; esac
	if [ -s "$dst" ] && [ -s "$pk" ] && [ "$dst" -nt "$src" ] && [ "$dst" -nt "$bin/mdl-qat" ]; then
		echo "[qat] $name: cached ($dst)"
		cp "$pk" "$out/packed/"
		return 0
	fi
	"$bin/mdl-qat" --threads 1 --data "$data" --format "$fmt" --kd "$kd" "$@" \
		--out "$dst.tmp" --packed "$pk.tmp" "$src" 2> "$q/$name.log" ||
		{ echo "[qat] $name failed:"; tail -5 "$q/$name.log"; return 1; }
	mv "$pk.tmp" "$pk"
	mv "$dst.tmp" "$dst"
	cp "$pk" "$out/packed/"
	echo "[qat] $name: $(grep -v '^mdl-qat: packed' "$q/$name.log" | tail -1)"
}
evaluate() {	# NAME REF DATA TAG VARIANT
	local device=()
	[ "${REPORT_DEVICE:-1}" = 0 ] || device=(--device)
	"$bin/accel-eval" --threads 1 "${device[@]}" --data "$3" --ref "$2" --tag "$4" --variants "$5" \
		--csv "$out/raw/$1.csv" "$q/$1.bin" |
		grep -E "^([a-z0-9-]+/a(8|16)/|  on the device)" | sed "s/^/[qat] /"
}
lm=$ckpt/moby-lm.bin; cls=$ckpt/fmnist-mlp.bin
echo "[qat] training (LM: 400 steps of 16 x 256 bytes; classifier: 2 epochs; a16 and a8)"
fail=0
for a in "" -a8; do
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
for a in a16 a8; do
	s=${a/a16/}; s=${s:+-$s}
	evaluate lm-int4-g32-qat$s "$lm" "$moby" qat int4-g32/$a & p1=$!
	evaluate lm-int4-g32-kd$s "$lm" "$moby" kd int4-g32/$a & p2=$!
	wait $p1 || fail=1
	wait $p2 || fail=1
done
for f in int4-g32 mxfp4; do
	for a in a16 a8; do
		s=${a/a16/}; s=${s:+-$s}
		evaluate cls-$f-qat$s "$cls" "$fmnist" qat $f/$a || fail=1
		evaluate cls-$f-kd$s "$cls" "$fmnist" kd $f/$a || fail=1
	done
done
exit $fail
