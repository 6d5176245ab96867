#!/bin/bash
# SPDX-License-Identifier: MIT
# The sanitized-device lane (docs/fuzzing.md): the register and ring
# fuzzers (qtest_fuzz_test.c, qtest_ring_fuzz_test.c) against QEMU built
# with ASan and UBSan (`make qemu-san`), device and firmware included. Any
# sanitizer report is fatal to QEMU (halt_on_error, abort_on_error: the
# qtest then fails on the dead QEMU) and is written under
# build/qtest-san/reports/, and any file there fails the lane. TAP on
# stdout, like run-qtests.sh, whose arguments and environment it takes:
#
#   tests/qemu-device/run-qtests-san.sh
#   QUASAR_QTEST_SEED=0x1234 QUASAR_QTEST_ITERS=5000 QUASAR_QTEST_ROUNDS=20000 \
#       tests/qemu-device/run-qtests-san.sh        # what make soak runs
#
# LeakSanitizer is off (detect_leaks=0): QEMU 7.2 frees little of what it
# allocates once at start-up before it exits, and a leak is no memory
# error a guest can cause or exploit.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
reports="$top/build/qtest-san/reports"

make -s -C "$top" qemu-san >&2
rm -rf "$reports"
mkdir -p "$reports"
export ASAN_OPTIONS="halt_on_error=1:abort_on_error=1:detect_leaks=0:log_path=$reports/asan"
export UBSAN_OPTIONS="halt_on_error=1:abort_on_error=1:print_stacktrace=1:log_path=$reports/ubsan"
export QUASAR_QTEST_QEMU="$top/build/qemu-san/qemu-system-x86_64"
# Fewer ring batches than run-qtests.sh's: each costs about three times
# as much under the sanitizers.
export QUASAR_QTEST_ITERS="${QUASAR_QTEST_ITERS:-100}"

set +e
if [ $# -eq 0 ]; then
	set -- -p /x86_64/quasar/fuzz -p /x86_64/quasar/ring_fuzz
fi
bash "$here/run-qtests.sh" "$@"
rc=$?
set -e

# ASan warns once per QEMU that its coroutines (ucontext) are not fully
# supported, and, since QEMU's coroutine switches are not annotated for
# it (only the Quasar libraries are instrumented, docs/fuzzing.md), that
# it ignores a no-return call on a stack it does not know: those lines
# alone are no report.
echo "# sanitizer reports ($reports)"
found=0
for f in "$reports"/*; do
	[ -e "$f" ] || continue
	echo "# --- $f"
	sed 's/^/# /' "$f"
	if grep -qv -e "WARNING: ASan doesn't fully support makecontext/swapcontext" \
		-e "WARNING: ASan is ignoring requested __asan_handle_no_return" \
		-e "^False positive error reports may follow" \
		-e "^For details see https://github.com/google/sanitizers/issues/189" "$f"; then
		found=$((found + 1))
	fi
done
if [ "$found" -eq 0 ]; then
	echo "ok 1 no sanitizer report from QEMU"
	echo "# Totals: pass:1 fail:0 xfail:0 xpass:0 skip:0 error:0"
else
	echo "not ok 1 $found sanitizer report(s) from QEMU"
	echo "# Totals: pass:0 fail:1 xfail:0 xpass:0 skip:0 error:0"
	rc=1
fi
exit "$rc"
