#!/bin/bash
# SPDX-License-Identifier: MIT
# vm_hot_unplug_test: device_del of the NPU through QMP while jobs run. The guest
# (guest_unplug_jobs) keeps every queue busy and prints QUASAR-UNPLUG-READY; this
# script then removes the device (pciehp takes ~5 s, the attention-button
# delay). The guest checks -ENODEV on its open fd, errors on the fences of
# unfinished jobs, no /dev/accel/accel0, then that nothing still holds the
# module (every file, BO and job was freed: it unloads). vm.sh fails the
# run on any WARNING/BUG/Oops in dmesg. TAP 13 with a Totals line.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/tap.sh"
out=$top/build/check
mkdir -p "$out"
work=$(mktemp -d)
vmpid=
cleanup() { [ -n "$vmpid" ] && kill "$vmpid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
sock=$work/qmp.sock
log=$out/vm-hot_unplug_test-console.log
READY_WAIT=240

cat >"$work/guest.sh" <<'GUEST'
cd /tmp
guest_unplug_jobs
echo "QUASAR-UNPLUG-GUEST-RC $?"
sleep 1
refs=$(cat /sys/module/quasar/refcnt 2>/dev/null)
if [ "$refs" = 0 ] && rmmod quasar; then
	echo "ok - module_unloads_after_unplug"
else
	echo "not ok - module_unloads_after_unplug"
	echo "# /sys/module/quasar/refcnt: $refs"
fi
GUEST

rm -f "$log"
bash "$top/scripts/vm.sh" --qmp "$sock" --script "$work/guest.sh" --timeout 600 \
	--log "$log" >/dev/null 2>&1 &
vmpid=$!

ready=0
for _ in $(seq $((READY_WAIT * 5))); do
	if grep -q 'QUASAR-UNPLUG-READY' "$log" 2>/dev/null; then ready=1; break; fi
	kill -0 "$vmpid" 2>/dev/null || break
	sleep 0.2
done
qmp_out=
qmp_rc=1
if [ $ready = 1 ]; then
	qmp_out=$(python3 "$top/tests/lib/vm_qmp.py" "$sock" \
		'{"execute": "device_del", "arguments": {"id": "npu0"}}' 2>&1)
	qmp_rc=$?
fi
wait "$vmpid"
vmrc=$?
vmpid=

tap_begin
tap_result $((1 - ready)) "guest_started_jobs" "no QUASAR-UNPLUG-READY in $log"
tap_result $qmp_rc "device_del_accepted" "$qmp_out"
# The guest's own checks, renumbered.
while IFS= read -r line; do
	case "$line" in
	"ok "*) tap_result 0 "$(echo "$line" | sed 's/^ok [0-9]* *- *//')" ;;
	"not ok "*) tap_result 1 "$(echo "$line" | sed 's/^not ok [0-9]* *- *//')" ;;
	"# "*) echo "$line" ;;
	esac
done < <(tr -d '\r' <"$log" | sed -n '/^TAP version/,/^QUASAR-DMESG/p' | grep -E '^(ok|not ok|# )')
grep -q '^QUASAR-DMESG: clean' "$log"
tap_result $? "dmesg_clean_after_unplug" "$(grep -A 12 '^QUASAR-DMESG: dirty' "$log")"
[ $tap_fail = 0 ] && [ $vmrc = 0 ] && grep -q '^QUASAR-UNPLUG-GUEST-RC 0' <(tr -d '\r' <"$log")
tap_result $? "hot_unplug" "vm.sh exit $vmrc; console: $log"
tap_end
