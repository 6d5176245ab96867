#!/bin/bash
# SPDX-License-Identifier: MIT
# make soak: the long runs (docs/fuzzing.md, docs/debug-kernel.md). Three
# parts, SOAK_PARTS (default "san fuzz dbgk") chooses which:
#   san   the sanitized lane (tests/qemu-device/run-qtests-san.sh) with
#         SOAK_RING_BATCHES ring batches (default 5000) and SOAK_REG_ROUNDS
#         register rounds (default 20000)
#   fuzz  the guest's ioctl fuzzer with SOAK_IOCTLS ioctls (default a
#         million, about 15 minutes under TCG)
#   dbgk  the whole debug-kernel lane: every guest suite (GUEST_TESTS,
#         GUEST_SCRIPTS, as make passes them) on the debug kernel, where
#         make check runs a subset; lifetime's unbounded submitter with
#         DBGK_LIFETIME_NOPS NOPs (default 50000, ten times the lane's)
# QUASAR_QTEST_SEED and QUASAR_FUZZ_SEED choose other seeds. Logs in
# build/soak/; prints "N passed, N failed, N skipped" like make check.
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

parts=" ${SOAK_PARTS:-san fuzz dbgk} "
for p in $parts; do
	case $p in
	san | fuzz | dbgk) ;;
	*) echo "soak.sh: SOAK_PARTS has '$p'; the parts are san, fuzz and dbgk" >&2; exit 2 ;;
	esac
done
part() { [[ $parts == *" $1 "* ]]; }
# Each part's wall clock time, for the figures in docs/.
timed() { # name: the seconds since $t0
	echo "$1 took $(($(date +%s) - t0)) s"
}

if part san; then
	echo "== sanitized device: register and ring fuzzers"
	t0=$(date +%s)
	QUASAR_QTEST_ITERS=${SOAK_RING_BATCHES:-5000} QUASAR_QTEST_ROUNDS=${SOAK_REG_ROUNDS:-20000} \
		bash "$top/tests/qemu-device/run-qtests-san.sh" >"$out/qtest-san.log" 2>&1
	tally qtest-san "$out/qtest-san.log" $?
	timed qtest-san
fi

if part fuzz; then
	echo "== guest: ioctl fuzzer"
	t0=$(date +%s)
	bash "$top/scripts/vm.sh" --timeout 7200 --log "$out/ioctl-fuzz-console.log" \
		--cmd "QUASAR_FUZZ_IOCTLS=${SOAK_IOCTLS:-1000000} ${QUASAR_FUZZ_SEED:+QUASAR_FUZZ_SEED=$QUASAR_FUZZ_SEED} guest_ioctl_fuzz_test" \
		>"$out/ioctl-fuzz.log" 2>&1
	tally ioctl-fuzz "$out/ioctl-fuzz.log" $?
	timed ioctl-fuzz
fi

if part dbgk; then
	echo "== guest: every suite on the debug kernel"
	t0=$(date +%s)
	DBGK_OUT=$out DBGK_SUITES= DBGK_LIFETIME_NOPS=${DBGK_LIFETIME_NOPS:-50000} \
		bash "$top/tests/debug-kernel/guest_debug_kernel.sh" >"$out/guest_debug_kernel.log" 2>&1
	tally debug-kernel "$out/guest_debug_kernel.log" $?
	timed debug-kernel
fi

echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
