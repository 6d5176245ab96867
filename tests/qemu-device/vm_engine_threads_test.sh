#!/bin/bash
# SPDX-License-Identifier: MIT
# vm_engine_threads_test: how many host threads an engine has changes
# nothing a program can see (hw-spec 12, `engine-threads`). Boots a guest
# with two Quasar devices, one whose engines run on one host thread and one
# whose engines run on four, and runs the same GEMMs on both through
# accel-stats: each output is checked byte for byte against the golden
# model in the guest, and each job's statistics record (bytes by class,
# SRAM bytes, MACs, tiles, cycles, energy) must be the same on both
# devices. The QEMU trace event quasar_hwq_job_engine shows that the
# four-thread device did split the kernel calls, and the one-thread device
# did not. TAP 13 with a Totals line.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/tap.sh"
out=$top/build/check
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
log=$out/vm-engine_threads_test-console.log

# Shapes of at least a million multiply-adds per part, so that the
# four-thread device splits them: a GEMV, a GEMM with the epilogue, and an
# output count that is not a whole number of panels (the last part's
# partial panel).
cases=(
	"w4 --a8 -m 1 -n 4096 -k 1024"
	"w8 -m 8 -n 1024 -k 512 --bias --act gelu --bf16-out"
	"nvfp4 --a8 -m 2 -n 2056 -k 1024"
)
{
	for i in "${!cases[@]}"; do
		for d in 0 1; do
			echo "echo '== case$i dev$d'"
			echo "accel-stats --device /dev/accel/accel$d --json --format ${cases[$i]}"
		done
	done
} >"$work/guest.sh"

bash "$top/scripts/vm.sh" --script "$work/guest.sh" --timeout 600 --log "$log" \
	--trace quasar_hwq_job_engine \
	-- -global quasar.engine-threads=1 \
	-device quasar,id=npu1,engine-threads=4 >/dev/null 2>&1
vmrc=$?
tr -d '\r' <"$log" >"$work/console"

tap_begin
# The JSON object a case printed on a device, without what may differ:
# the node, the wall and host times, the job's sequence number.
report() { # case device
	sed -n "/^== case$1 dev$2\$/,/^== /p" "$work/console" | grep '^{' | head -n 1 |
		python3 -c '
import json, sys
line = sys.stdin.read().strip()
if not line:
    sys.exit(1)
r = json.loads(line)
if r.get("verified") is not True or "macs_dense" not in r.get("report", {}):
    sys.exit(1)
for k in ("device", "wall_ms"):
    r.pop(k, None)
for k in ("device_ns", "seqno"):
    r.get("report", {}).pop(k, None)
print(json.dumps(r, sort_keys=True))'
}
for i in "${!cases[@]}"; do
	a=$(report "$i" 0)
	ra=$?
	b=$(report "$i" 1)
	rb=$?
	[ $ra = 0 ] && [ $rb = 0 ]
	tap_result $? "case${i}_verified_on_both_devices" \
		"${cases[$i]}: $(sed -n "/^== case$i /,/^== /p" "$work/console" | head -n 20)"
	[ $ra = 0 ] && [ $rb = 0 ] && [ "$a" = "$b" ]
	tap_result $? "case${i}_statistics_equal_for_1_and_4_threads" "one: $a
four: $b"
done
split=$(grep -c 'quasar_hwq_job_engine .*threads 4 split_calls [1-9]' "$work/console")
[ "$split" -ge ${#cases[@]} ]
tap_result $? "four_threads_split_every_case" "jobs split: $split"
grep -q 'quasar_hwq_job_engine .*threads 1 split_calls 0 ' "$work/console" &&
	! grep -q 'quasar_hwq_job_engine .*threads 1 split_calls [1-9]' "$work/console"
tap_result $? "one_thread_never_splits" "$(grep quasar_hwq_job_engine "$work/console" | head -n 12)"
grep -q '^QUASAR-DMESG: clean' "$work/console"
tap_result $? "dmesg_clean" "$(grep -A 12 '^QUASAR-DMESG: dirty' "$work/console")"
[ $vmrc = 0 ]
tap_result $? "guest_script_exit" "vm.sh exit $vmrc; console: $log"
tap_end
