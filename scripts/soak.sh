#!/bin/bash
# SPDX-License-Identifier: MIT
# make soak: the device's fuzzers run long (docs/fuzzing.md). The sanitized
# lane (tests/qemu-device/run-qtests-san.sh) with SOAK_RING_BATCHES ring
# batches (default 5000) and SOAK_REG_ROUNDS register rounds (default
# 20000), then the guest's ioctl fuzzer with SOAK_IOCTLS ioctls (default a
# million, about 15 minutes under TCG). QUASAR_QTEST_SEED and
# QUASAR_FUZZ_SEED choose other seeds. Logs in build/soak/; prints
# "N passed, N failed, N skipped" like make check.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/build/soak
mkdir -p "$out"
pass=0 fail=0 skip=0

tally() {
	local name=$1 log=$2 rc=$3 p f s
	read -r p f s < <(awk -f "$top/scripts/tap-count.awk" "$log")
	[ "$rc" -eq 0 ] || [ "$f" -gt 0 ] || f=1
	pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
	echo "$name: $p passed, $f failed, $s skipped (log: $log)"
}

echo "== sanitized device: register and ring fuzzers"
QUASAR_QTEST_ITERS=${SOAK_RING_BATCHES:-5000} QUASAR_QTEST_ROUNDS=${SOAK_REG_ROUNDS:-20000} \
	bash "$top/tests/qemu-device/run-qtests-san.sh" >"$out/qtest-san.log" 2>&1
tally qtest-san "$out/qtest-san.log" $?

echo "== guest: ioctl fuzzer"
bash "$top/scripts/vm.sh" --timeout 7200 --log "$out/ioctl-fuzz-console.log" \
	--cmd "QUASAR_FUZZ_IOCTLS=${SOAK_IOCTLS:-1000000} ${QUASAR_FUZZ_SEED:+QUASAR_FUZZ_SEED=$QUASAR_FUZZ_SEED} guest_ioctl_fuzz_test" \
	>"$out/ioctl-fuzz.log" 2>&1
tally ioctl-fuzz "$out/ioctl-fuzz.log" $?

echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
