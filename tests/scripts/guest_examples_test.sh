#!/bin/sh
# SPDX-License-Identifier: MIT
# guest_examples_test: the examples (examples/), built against the installed
# SDK, run on the device: gemm's 4-bit GEMM within 1e-3 of the FP32
# product (it checks and exits 1 otherwise) and its cost report; graph's
# four jobs all OK, on increasing timeline points, the LOW job on a LOW
# queue; qpk_classify's packed classifiers (the image's .qpk files) over the
# first 1000 test images as one job: the logits' digest, the MACs and the
# cycles those of the .figures the host computed for the C device program
# (mdl-cls-fwrun), a run of a few images giving the same top-1, and a
# truncated file refused by its size field. TAP.
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
echo "1..10"
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

data=/usr/share/quasar
images=/tmp/t10k-images-idx3-ubyte labels=/tmp/t10k-labels-idx1-ubyte
gunzip -c $data/t10k-images-idx3-ubyte.gz >$images
gunzip -c $data/t10k-labels-idx1-ubyte.gz >$labels
# job0 FILE FIELD: the value of FIELD in job 0's line of a .figures file
job0() {
	awk -v k="$2" '$1 == "job" && $2 == 0 {
		for (i = 3; i < NF; i += 2) if ($i == k) print $(i + 1) }' "$1"
}
for v in fmnist-mlp-int8-a8-smooth fmnist-mlp-int4-g32-a16-rtn; do
	out=$(qpk_classify -n 1000 $data/$v.qpk $images $labels 2>&1)
	rc=$?
	check $rc "qpk_classify $v: 1000 images as one job (exit $rc)" "$out"
	fnv=$(job0 $data/$v.figures outputs_fnv64)
	cycles=$(job0 $data/$v.figures cycles)
	macs=$(job0 $data/$v.figures macs_dense)
	echo "$out" | grep -qx "logits fnv1a64: $fnv" &&
		echo "$out" | grep -q "cycles .*, total $cycles " &&
		echo "$out" | grep -q "MACs *dense $macs,"
	check $? "qpk_classify $v: logits $fnv, $macs MACs, $cycles cycles: the host's figures" \
		"$out"
	[ $v = fmnist-mlp-int8-a8-smooth ] && many=$out
done
few=$(qpk_classify $data/fmnist-mlp-int8-a8-smooth.qpk $images $labels 2>&1)
rc=$?
# the 8 images' lines "index top-1 label" are the first 8 of the 1000's
top() { echo "$1" | awk '$1 ~ /^[0-9]+$/ && $1 < 8'; }
[ $rc = 0 ] && [ "$(top "$few" | wc -l)" = 8 ] && [ "$(top "$few")" = "$(top "$many")" ]
check $? "qpk_classify: 8 images get the top-1 of the same images in a batch of 1000" "$few"
head -c 100000 $data/fmnist-mlp-int8-a8-smooth.qpk >/tmp/short.qpk
out=$(qpk_classify /tmp/short.qpk $images 2>&1)
rc=$?
[ $rc = 1 ] && echo "$out" | grep -q "size [0-9]* at offset 16: the file has 100000 bytes"
check $? "qpk_classify: a truncated .qpk is refused by its size field (exit $rc)" "$out"
rm -f $images $labels /tmp/short.qpk
[ $fail -eq 0 ]
