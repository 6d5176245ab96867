#!/bin/bash
# SPDX-License-Identifier: MIT
# vm_device_properties_test: the modeled hardware is what -device quasar's
# properties say (hw-spec 12). Boots a guest whose device has one engine,
# a 64 KiB SRAM, half the DRAM and SRAM bandwidth, a slower int8 array,
# cheaper DRAM bytes and a 500 MHz clock, and checks through the driver's
# JOB_STATS (accel-stats) that a job's report follows docs/cost-model.md
# with those numbers, not the defaults:
#  - cost example A (W8A8 4x32x64): compute ceil(8192/1024) + ceil(256/32)
#    = 16, memory max(ceil(3200/8), ceil(6400/64)) = 400 cycles; energy
#    8192*100 + 256*500 + 3200*10000 + 6400*1000 = 39,347,200 fJ (0.039347 uJ);
#  - a 128 KiB weight matrix no longer fits the SRAM in one tile;
#  - accel-info reports one engine.
# TAP 13 with a Totals line.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/tap.sh"
out=$top/build/check
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
log=$out/vm-device_properties_test-console.log

cat >"$work/guest.sh" <<'GUEST'
echo "== info"; accel-info
echo "== example-a"; accel-stats --format w8 --a8 -m 4 -n 32 -k 64
echo "== big"; accel-stats --format w8 --a8 -m 4 -n 256 -k 512
GUEST

props=(-global quasar.engines=1 -global quasar.sram-size=64K
	-global quasar.dram-bytes-per-cycle=8 -global quasar.sram-bytes-per-cycle=64
	-global quasar.macs-a8-int8=1024 -global quasar.fj-dram-byte=10000
	-global quasar.clock-mhz=500)
bash "$top/scripts/vm.sh" --script "$work/guest.sh" --timeout 300 --log "$log" \
	-- "${props[@]}" >/dev/null 2>&1
vmrc=$?
tr -d '\r' <"$log" >"$work/console"

tap_begin
section() { sed -n "/^== $1\$/,/^== /p" "$work/console"; }
expect() { # name section regex
	section "$2" | grep -Eq "$3"
	tap_result $? "$1" "$(section "$2" | head -n 30)"
}
expect engines_property info '^engines: +1$'
expect example_a_verified example-a '^verified: '
expect example_a_cycles_follow_bandwidth_and_mac_rate example-a \
	'cycles +compute 16, memory 400, total 400 -> memory-bound'
expect example_a_energy_follows_fj_per_byte example-a '^ +energy +0\.039347 uJ'
expect example_a_time_at_the_clock example-a 'at 500 MHz'
expect big_weights_verified big '^verified: '
big_tiles=$(section big | sed -n 's/.*tiles \([0-9]*\).*/\1/p' | head -n 1)
[ "${big_tiles:-0}" -ge 2 ]
tap_result $? "weights_beyond_the_sram_take_several_tiles" "tiles: ${big_tiles:-none}"
grep -q '^QUASAR-DMESG: clean' "$work/console"
tap_result $? "dmesg_clean" "$(grep -A 12 '^QUASAR-DMESG: dirty' "$work/console")"
[ $vmrc = 0 ]
tap_result $? "guest_script_exit" "vm.sh exit $vmrc; console: $log"
tap_end
