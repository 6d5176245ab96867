#!/bin/bash
# SPDX-License-Identifier: MIT
# Run every test suite and print one closing line "N passed, N failed, N skipped".
# Environment (set by `make check`): HOST_TESTS (paths), GUEST_TESTS (program
# names in the guest's /usr/bin), GUEST_SCRIPTS (shell tests, paths),
# QTEST_SCRIPTS (scripts that run QEMU qtests and print TAP), VM_SCRIPTS
# (host scripts that boot their own guest, e.g. to drive QMP, and print TAP),
# DEBUG_KERNEL_SCRIPTS (the guest suites again on the debug kernel, one
# script that boots it and prints TAP; docs/debug-kernel.md).
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/build/check
rm -rf "$out" && mkdir -p "$out"
total_pass=0 total_fail=0 total_skip=0
failed_suites=()

tally() { # name logfile [exit status]
	local name=$1 logf=$2 rc=${3:-0} p f s
	read -r p f s < <(awk -f "$top/scripts/tap-count.awk" "$logf")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1 # non-zero exit with no failing test: count the suite itself
	fi
	total_pass=$((total_pass + p)); total_fail=$((total_fail + f)); total_skip=$((total_skip + s))
	printf '  %-32s %4d passed %4d failed %4d skipped\n' "$name" "$p" "$f" "$s"
	if [ "$f" -ne 0 ]; then
		failed_suites+=("$name ($logf)")
		grep -E '^not ok|^# +(FAIL|.*Expected)|Assertion|Segmentation' "$logf" | head -n 10 | sed 's/^/      /'
	fi
}

echo "== host tests"
for t in ${HOST_TESTS:-}; do
	name=$(basename "$t")
	timeout 600 "$t" >"$out/host-$name.log" 2>&1
	tally "$name" "$out/host-$name.log" $?
done

echo "== QEMU qtests"
for s in ${QTEST_SCRIPTS:-}; do
	name=$(basename "$s" .sh)
	timeout 900 bash "$s" >"$out/qtest-$name.log" 2>&1
	tally "$name" "$out/qtest-$name.log" $?
done

echo "== guest tests (TCG VM)"
job=$out/guest-job.sh
{
	echo 'cd /tmp'
	for t in ${GUEST_TESTS:-}; do
		echo "echo QUASAR-SUITE-BEGIN $t; $t; echo QUASAR-SUITE-END $t \$?"
	done
	for s in ${GUEST_SCRIPTS:-}; do
		b=$(basename "$s")
		echo "echo QUASAR-SUITE-BEGIN $b; sh /usr/bin/$b; echo QUASAR-SUITE-END $b \$?"
	done
	echo 'exit 0'
} >"$job"
# The console is split into one log per suite as it arrives, and each suite's
# line printed when its QUASAR-SUITE-END marker does: the guest run takes
# many minutes, and a hang shows as the suite that does not end.
vmrc=1 name= logf=
declare -A tallied=()
while IFS= read -r line; do
	line=${line%$'\r'}
	case $line in
	QUASAR-SUITE-BEGIN\ *)
		read -r _ name _ <<<"$line"
		logf=$out/guest-$name.log
		: >"$logf"
		;;
	QUASAR-SUITE-END\ *)
		read -r _ _ rc _ <<<"$line"
		if [ -n "$name" ]; then
			echo "QUASAR-RC $rc" >>"$logf"
			tally "$name" "$logf" "${rc:-1}"
			tallied[$name]=1
		fi
		name=
		;;
	QUASAR-CHECK-VMRC\ *)
		vmrc=${line#QUASAR-CHECK-VMRC }
		;;
	*)
		[ -z "$name" ] || printf '%s\n' "$line" >>"$logf"
		;;
	esac
done < <(bash "$top/scripts/vm.sh" --script "$job" --timeout 1800 \
		--log "$out/guest-console.log"; echo "QUASAR-CHECK-VMRC $?")
# Suites that never ended: the guest crashed or timed out in them or before.
for t in ${GUEST_TESTS:-} ${GUEST_SCRIPTS:-}; do
	b=$(basename "$t")
	[ -z "${tallied[$b]:-}" ] || continue
	logf=$out/guest-$b.log
	if [ ! -f "$logf" ]; then
		echo "no output from $b (guest crashed or timed out?)" >"$logf"
		tally "$b" "$logf" 1
		continue
	fi
	rc=$(sed -n 's/^QUASAR-RC \([0-9]*\)/\1/p' "$logf" | tail -n 1)
	tally "$b" "$logf" "${rc:-1}"
done
if [ "$vmrc" -ne 0 ]; then
	echo "  guest run failed (vm.sh exit $vmrc; console: $out/guest-console.log)"
	grep -A 25 '^QUASAR-DMESG: dirty' "$out/guest-console.log" | sed 's/^/      /'
	total_fail=$((total_fail + 1))
	failed_suites+=("guest-vm ($out/guest-console.log)")
fi

echo "== VM scenario tests (host-driven: each boots its own guest)"
for s in ${VM_SCRIPTS:-}; do
	name=$(basename "$s" .sh)
	timeout 1200 bash "$s" >"$out/vm-$name.log" 2>&1
	tally "$name" "$out/vm-$name.log" $?
done

[ -z "${DEBUG_KERNEL_SCRIPTS:-}" ] ||
	echo "== guest tests on the debug kernel (KASAN, lockdep, UBSAN, kmemleak; one VM)"
for s in ${DEBUG_KERNEL_SCRIPTS:-}; do
	name=$(basename "$s" .sh)
	GUEST_TESTS="${GUEST_TESTS:-}" GUEST_SCRIPTS="${GUEST_SCRIPTS:-}" \
		timeout 3600 bash "$s" >"$out/$name.log" 2>&1
	tally "$name" "$out/$name.log" $?
done

echo
for s in "${failed_suites[@]}"; do echo "FAILED: $s"; done
echo "$total_pass passed, $total_fail failed, $total_skip skipped"
[ "$total_fail" -eq 0 ]
