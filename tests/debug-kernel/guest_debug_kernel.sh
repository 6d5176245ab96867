#!/bin/bash
# SPDX-License-Identifier: MIT
# The debug-kernel lane (docs/debug-kernel.md): boots the debug kernel
# (make debug-kernel) with its quasar.ko, runs the guest suites there, then a
# kmemleak scan, and checks the guest's whole dmesg for reports: KASAN,
# UBSAN, lockdep, "BUG:", a WARNING with a call trace, suspicious RCU usage,
# DMA-API and debug-objects warnings, leaks. TAP: one test per guest suite
# (its own counts in build/check/dbgk-<suite>.log), then one per kind of
# check on dmesg; a failing one names the first lines of the report.
# Environment: GUEST_TESTS (program names), GUEST_SCRIPTS (paths), as for
# scripts/check.sh; DBGK_SUITES, when set and not empty, the names of the
# suites of those to run (make check's subset; every one otherwise);
# DBGK_FUZZ_IOCTLS, the ioctl fuzzer's count here (default 20000: the
# debug kernel runs several times slower); DBGK_LIFETIME_NOPS, the NOPs of
# lifetime's unbounded submitter (default 5000 instead of a million:
# its submits run at about 90 a second there).
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
out=${DBGK_OUT:-$top/build/check}
dbgk=$top/build/debug-kernel
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
console=$out/dbgk-console.log
for f in "$dbgk/bzImage" "$dbgk/initramfs.cpio.gz"; do
	[ -f "$f" ] || { echo "guest_debug_kernel.sh: missing $f (make debug-kernel)" >&2; exit 2; }
done

# A suite runs when DBGK_SUITES is empty or names it.
chosen() { [ -z "${DBGK_SUITES:-}" ] || [[ " $DBGK_SUITES " == *" $1 "* ]]; }
tests=() scripts=() suites=()
for t in ${GUEST_TESTS:-}; do
	chosen "$t" && tests+=("$t") && suites+=("$t")
done
for s in ${GUEST_SCRIPTS:-}; do
	chosen "$(basename "$s")" && scripts+=("$s") && suites+=("$(basename "$s")")
done
[ ${#suites[@]} -gt 0 ] || { echo "guest_debug_kernel.sh: GUEST_TESTS is empty" >&2; exit 2; }
# A name in DBGK_SUITES that is no suite is a typo, not a suite to skip.
for w in ${DBGK_SUITES:-}; do
	[[ " ${suites[*]} " == *" $w "* ]] || {
		echo "guest_debug_kernel.sh: DBGK_SUITES names '$w', which is in neither GUEST_TESTS nor GUEST_SCRIPTS" >&2
		exit 2
	}
done

# The guest's job: every suite between markers, then the kmemleak scan
# (twice: an object is reported once it was unreferenced in a scan and is
# older than 5 s; the second scan drops pointers that were only in flight),
# then the whole dmesg between markers for the host to read.
{
	echo 'cd /tmp'
	# Warnings on the console as they happen, not only in the dmesg read
	# at the end: a guest that dies early still shows its report.
	echo 'echo 5 >/proc/sys/kernel/printk'
	echo "export QUASAR_FUZZ_IOCTLS=${DBGK_FUZZ_IOCTLS:-20000}"
	echo "export QUASAR_LIFETIME_NOPS=${DBGK_LIFETIME_NOPS:-5000}"
	# The END marker carries the suite's exit status and its seconds.
	for t in "${tests[@]}"; do
		echo "echo QUASAR-SUITE-BEGIN $t; t0=\$(date +%s); $t;" \
			"echo QUASAR-SUITE-END $t \$? \$((\$(date +%s) - t0))"
	done
	for s in "${scripts[@]}"; do
		b=$(basename "$s")
		echo "echo QUASAR-SUITE-BEGIN $b; t0=\$(date +%s); sh /usr/bin/$b;" \
			"echo QUASAR-SUITE-END $b \$? \$((\$(date +%s) - t0))"
	done
	cat <<'GUEST'
echo QUASAR-DBGK-KMEMLEAK-BEGIN
if [ -w /sys/kernel/debug/kmemleak ]; then
	sleep 6
	echo scan >/sys/kernel/debug/kmemleak
	sleep 1
	echo scan >/sys/kernel/debug/kmemleak
	cat /sys/kernel/debug/kmemleak
else
	echo "QUASAR-DBGK-NO-KMEMLEAK"
fi
echo QUASAR-DBGK-KMEMLEAK-END
echo QUASAR-DBGK-DMESG-BEGIN
dmesg
echo QUASAR-DBGK-DMESG-END
exit 0
GUEST
} >"$work/job.sh"

start=$(date +%s)
# log_buf_len: the whole run's dmesg must still be in the buffer at the end.
bash "$top/scripts/vm.sh" --kernel "$dbgk/bzImage" --initrd "$dbgk/initramfs.cpio.gz" \
	--append log_buf_len=16M --script "$work/job.sh" --timeout "${DBGK_TIMEOUT:-3000}" \
	--log "$console" \
	>/dev/null 2>"$work/vm.err"
vmrc=$?
secs=$(($(date +%s) - start))
tr -d '\r' <"$console" >"$work/console"

# One log per suite, as scripts/check.sh splits them.
awk -v out="$out" '
/^QUASAR-SUITE-BEGIN / { name = $2; f = out "/dbgk-" name ".log"; printf "" > f; next }
/^QUASAR-SUITE-END / {
	if (name != "") { print "QUASAR-RC " $3 >> f; print "QUASAR-SECS " $4 >> f }
	close(f); name = ""; next
}
name != "" { print >> f }
' "$work/console"
between() { # marker: the console's lines between QUASAR-DBGK-<marker>-BEGIN and -END
	awk -v m="QUASAR-DBGK-$1" '$0 == m "-END" { exit } on { print } $0 == m "-BEGIN" { on = 1 }' \
		"$work/console"
}
between DMESG >"$work/dmesg"
# A guest that died before its dmesg was read: its console, which has
# every report of level warning or higher.
[ -s "$work/dmesg" ] || cp "$work/console" "$work/dmesg"
between KMEMLEAK >"$work/kmemleak"
cp "$work/dmesg" "$out/dbgk-dmesg.log"
cp "$work/kmemleak" "$out/dbgk-kmemleak.log"

n=0 failed=0
echo "1..$((${#suites[@]} + 4))"
report() { # ok? name [detail lines]
	local ok=$1 name=$2
	shift 2
	n=$((n + 1))
	if [ "$ok" -eq 0 ]; then
		echo "ok $n $name"
	else
		failed=1
		echo "not ok $n $name${1:+ # $1}"
		shift || true
		for l in "$@"; do echo "#   $l"; done
	fi
}

for s in "${suites[@]}"; do
	logf=$out/dbgk-$s.log
	if [ ! -f "$logf" ]; then
		report 1 "$s" "no output (the guest crashed or timed out before it)"
		continue
	fi
	read -r p f k < <(awk -f "$top/scripts/tap-count.awk" "$logf")
	rc=$(sed -n 's/^QUASAR-RC \([0-9]*\)/\1/p' "$logf" | tail -n 1)
	t=$(sed -n 's/^QUASAR-SECS \([0-9]*\)/\1/p' "$logf" | tail -n 1)
	if [ "${rc:-1}" -eq 0 ] && [ "$f" -eq 0 ] && [ "$p" -eq 0 ] && [ "$k" -gt 0 ]; then
		# A suite that only skipped tested nothing on this kernel: say so.
		report 0 "$s # SKIP all $k skipped: $(grep -m 1 -E '^ok .*# *SKIP' "$logf" |
			sed 's/.*# *SKIP *//')"
	elif [ "${rc:-1}" -eq 0 ] && [ "$f" -eq 0 ]; then
		skipped=
		[ "$k" -gt 0 ] && skipped=", $k skipped"
		report 0 "$s ($p passed$skipped${t:+, ${t}s})"
	else
		report 1 "$s" "exit ${rc:-none}, $p passed, $f failed (log: $logf)" \
			"$(grep -m 3 -E '^not ok' "$logf")"
	fi
done

# vm.sh exits 126 when the job passed but guest-init found WARNING/BUG in
# dmesg: the checks below name that report.
ran=$vmrc
[ "$vmrc" -eq 126 ] && grep -q '^QUASAR-DBGK-DMESG-END' "$work/console" && ran=0
report "$ran" "guest_ran_to_its_end" \
	"vm.sh exit $vmrc after ${secs}s: $(head -c 300 "$work/vm.err")"

scan=$top/tests/debug-kernel/dbgk_scan.sh
check_dmesg() { # name kind file
	local lines
	if lines=$(bash "$scan" "$2" "$3"); then
		mapfile -t l <<<"$lines"
		report 1 "$1" "${l[0]}" "${l[@]:1}"
	else
		report 0 "$1"
	fi
}
check_dmesg dmesg_has_no_sanitizer_report sanitizer "$work/dmesg"
check_dmesg dmesg_has_no_lockdep_or_bug_report lockdep "$work/dmesg"
if ! grep -q '^QUASAR-DBGK-KMEMLEAK-END' "$work/console"; then
	report 1 kmemleak_finds_no_leak "the guest did not get to its kmemleak scan"
elif grep -q '^QUASAR-DBGK-NO-KMEMLEAK' "$work/kmemleak"; then
	report 1 kmemleak_finds_no_leak "no /sys/kernel/debug/kmemleak in the guest"
else
	check_dmesg kmemleak_finds_no_leak leak "$work/kmemleak"
fi
echo "# the debug-kernel lane took ${secs}s in the guest (console: $console)"
exit "$failed"
