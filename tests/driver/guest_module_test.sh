#!/bin/sh
# SPDX-License-Identifier: MIT
# Module life cycle in the guest (root): the driver unloads and reloads and
# the device works again; a corrupt firmware image fails the probe with a
# clear message, no /dev/accel node and no oops; the good image brings the
# device back; a device wedged before the driver loads (its soft reset
# never ends) is brought back by probe with a function-level reset. TAP 13
# output, closing with the harness's Totals line.

KO=${QUASAR_KO:-/lib/modules/quasar/quasar.ko}
FW_DIR=/lib/firmware/quasar
FW=$FW_DIR/quasar-fw.bin
FW_BAD_CRC=$FW_DIR/quasar-fw-bad-crc.bin
FW_SAVED=/tmp/quasar-fw.bin.good
NODE_WAIT=20	# seconds for a probe (firmware boot under TCG) to finish

n=0 pass=0 fail=0
report() { # status name [diagnostics...]
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		pass=$((pass + 1))
		echo "ok $n - $2"
	else
		fail=$((fail + 1))
		echo "not ok $n - $2"
		shift 2
		for line in "$@"; do printf '%s\n' "$line" | sed 's/^/# /'; done
	fi
}

quasar_nodes() { # the accel nodes whose driver is quasar
	for d in /sys/class/accel/accel*; do
		[ -e "$d/device/driver" ] || continue
		case "$(readlink "$d/device/driver")" in
		*/quasar) echo "/dev/accel/${d##*/}" ;;
		esac
	done
}

wait_node() { # wait_node present|absent
	i=0
	while [ $i -lt $((NODE_WAIT * 10)) ]; do
		nodes=$(quasar_nodes)
		if [ "$1" = present ] && [ -n "$nodes" ] && [ -c "${nodes%% *}" ]; then return 0; fi
		if [ "$1" = absent ] && [ -z "$nodes" ]; then return 0; fi
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

mark=0
dmesg_mark() { mark=$((mark + 1)); echo "guest_module_test: mark $mark" >/dev/kmsg; }
dmesg_since_mark() { dmesg | sed -n "/guest_module_test: mark $mark\$/,\$p"; }

loaded() { [ -d /sys/module/quasar ]; }

reload() {
	if loaded; then rmmod quasar || return 1; fi
	insmod "$KO"
}

restore_fw() {
	if [ -f "$FW_SAVED" ]; then cp "$FW_SAVED" "$FW"; fi
}
trap restore_fw EXIT

echo "TAP version 13"
echo "1..14"

# 1-2: the image's init loaded the driver, which made the node.
loaded
report $? "driver_is_loaded" "/sys/module/quasar missing; lsmod: $(lsmod | tr '\n' ' ')"
[ -c /dev/accel/accel0 ] && [ -n "$(quasar_nodes)" ]
report $? "accel0_node_exists_for_quasar" "ls /dev/accel: $(ls /dev/accel 2>&1)"

# 3-5: unload and load again; the device works.
dmesg_mark
rmmod quasar && wait_node absent && [ ! -e /dev/accel/accel0 ]
report $? "rmmod_removes_the_node" "nodes left: $(quasar_nodes) $(ls /dev/accel 2>&1)"
insmod "$KO" && wait_node present
report $? "insmod_brings_the_node_back" "$(dmesg_since_mark | tail -n 5)"
out=$(accel-demo 2>&1)
rc=$?
[ $rc = 0 ] && echo "$out" | grep -qx verified
report $? "device_works_after_reload" "accel-demo exit $rc:" "$(echo "$out" | tail -n 6)"

# 6-9: a corrupt image. The firmware engineer's tool writes a bad-CRC copy;
# without it, flip the last byte (covered by the CRC, not by any field).
cp "$FW" "$FW_SAVED"
if [ -f "$FW_BAD_CRC" ]; then
	cp "$FW_BAD_CRC" "$FW"
	how="quasar-fw-bad-crc.bin"
else
	size=$(wc -c <"$FW")
	last=$(dd if="$FW" bs=1 skip=$((size - 1)) count=1 2>/dev/null | od -An -tu1 | tr -d ' ')
	# shellcheck disable=SC2059 # an octal escape built on purpose
	printf "\\$(printf '%03o' $(((last ^ 0xff) & 0xff)))" |
		dd of="$FW" bs=1 seek=$((size - 1)) count=1 conv=notrunc 2>/dev/null
	how="last byte flipped"
fi
cmp -s "$FW" "$FW_SAVED"
[ $? = 1 ]
report $? "firmware_image_corrupted ($how)" "the image is unchanged"
dmesg_mark
reload
sleep 1
[ -z "$(quasar_nodes)" ] && [ ! -e /dev/accel/accel0 ]
report $? "corrupt_firmware_fails_the_probe_without_a_node" "nodes: $(quasar_nodes)"
log=$(dmesg_since_mark)
echo "$log" | grep -i quasar | grep -i -E 'firmware|fw' | grep -q -i 'crc'
report $? "corrupt_firmware_probe_failure_names_the_crc_error" \
	"dmesg since the reload:" "$(echo "$log" | tail -n 8)"
! echo "$log" | grep -q -E 'WARNING|BUG|Oops|general protection|Call Trace'
report $? "corrupt_firmware_causes_no_oops_or_warning" "$(echo "$log" | grep -E 'WARNING|BUG|Oops|Call Trace' | head -n 5)"

# 10-11: the good image again.
restore_fw
dmesg_mark
reload && wait_node present
report $? "good_firmware_restored_probe_succeeds" "$(dmesg_since_mark | tail -n 5)"
out=$(accel-demo 2>&1)
rc=$?
[ $rc = 0 ] && echo "$out" | grep -qx verified
report $? "device_works_with_the_restored_firmware" "accel-demo exit $rc:" "$(echo "$out" | tail -n 6)"

# 12-14: a device wedged before the driver loads. DBG_HOLD.RESET (the
# driver's debugfs reset_hold) makes every soft reset hang; it stays set
# across the unload, so the next probe's soft reset times out and probe
# falls back to a function-level reset, which clears the hold. Without the
# fallback the probe failed with ETIMEDOUT and there was no node.
PARAM=/sys/module/quasar/parameters/soft_reset_timeout_ms
WEDGE_MS=300
find_hold() { # the new instance's debugfs reset_hold
	hold=
	for d in /sys/kernel/debug/accel/*/; do
		[ -e "${d}reset_hold" ] && hold=${d}reset_hold
	done
}
find_hold
saved_ms=$(cat "$PARAM" 2>/dev/null)
# The unload's own soft reset hangs too: let it give up quickly.
echo "$WEDGE_MS" >"$PARAM" && [ -n "$hold" ] && echo 1 >"$hold" &&
	[ "$(cat "$hold")" = 1 ] && rmmod quasar && wait_node absent
report $? "device_wedged_before_the_load" "reset_hold '$hold', param '$saved_ms'"
dmesg_mark
insmod "$KO" soft_reset_timeout_ms=$WEDGE_MS && wait_node present
rc=$?
log=$(dmesg_since_mark)
find_hold
[ $rc = 0 ] && echo "$log" | grep -q 'soft reset timed out; function-level reset' &&
	[ "$(cat "$hold" 2>/dev/null)" = 0 ]
report $? "probe_of_a_wedged_device_falls_back_to_flr" "insmod exit $rc, reset_hold" \
	"$(cat "$hold" 2>&1)" "dmesg since the load:" "$(echo "$log" | tail -n 8)"
out=$(accel-demo 2>&1)
rc=$?
[ $rc = 0 ] && echo "$out" | grep -qx verified
report $? "device_works_after_the_probe_flr" "accel-demo exit $rc:" "$(echo "$out" | tail -n 6)"
# The suites after this one run with the module's default again, on a
# device that works: a failed probe left it wedged, with no driver to
# reset it, so the function is reset from sysfs and the driver loaded.
if [ -z "$(quasar_nodes)" ]; then
	for f in /sys/bus/pci/devices/*; do
		[ "$(cat "$f/vendor")" = 0x1af4 ] && [ "$(cat "$f/device")" = 0x10f0 ] &&
			echo 1 >"$f/reset"
	done
	loaded && rmmod quasar
	insmod "$KO" && wait_node present
fi
[ -n "$saved_ms" ] && echo "$saved_ms" >"$PARAM"

echo "# Totals: pass:$pass fail:$fail xfail:0 xpass:0 skip:0 error:0"
[ $fail = 0 ]
