#!/bin/sh
# SPDX-License-Identifier: MIT
# module_reload: quasar.ko unloads and reloads 50 times, with a verified
# job on every queue after each load, without a kernel warning and without
# growth of unreclaimable slab memory. TAP 13, closing with a Totals line.
#
# The slab measure: SUnreclaim (/proc/meminfo), with page caches dropped
# and RCU-deferred frees given two seconds, before and after the 50 cycles,
# after ten warm-up cycles that grow the kernel's worker pools and caches
# for good. Measured without any leak, the kernel's own bookkeeping of the
# reloads (kworker tasks, workqueue pools, /proc/irq and kernfs entries
# freed lazily) adds 160-230 KiB over 50 cycles, so the tolerance is
# 320 KiB, 6.4 KiB per cycle. Every probe puts over 20 KiB in slab (the
# 4 KiB device state, four queues' 2 x 2 KiB slot arrays, scheduler and
# drmm bookkeeping), so leaking the device, or a file, job and BO per cycle
# together, fails the test; one small object per cycle would not.

KO=${QUASAR_KO:-/lib/modules/quasar/quasar.ko}
CYCLES=${RELOAD_CYCLES:-50}
WARMUP=10
SLAB_TOLERANCE_KB=320

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

wait_node() { # present|absent, 20 s (sh has no locals: w, not i)
	w=0
	while [ $w -lt 200 ]; do
		if [ "$1" = present ] && [ -c /dev/accel/accel0 ]; then return 0; fi
		if [ "$1" = absent ] && [ ! -e /dev/accel/accel0 ]; then return 0; fi
		sleep 0.1
		w=$((w + 1))
	done
	return 1
}

# One cycle: unload, load, a job on every queue.
cycle() {
	if [ -d /sys/module/quasar ]; then
		rmmod quasar || { why="rmmod failed"; return 1; }
		wait_node absent || { why="node still present after rmmod"; return 1; }
	fi
	insmod "$KO" || { why="insmod failed"; return 1; }
	wait_node present || { why="no node after insmod"; return 1; }
	guest_job_per_hwq || { why="job after reload failed"; return 1; }
}

unreclaim_kb() {
	sync
	echo 3 >/proc/sys/vm/drop_caches
	sleep 2
	sed -n 's/^SUnreclaim: *\([0-9]*\) kB/\1/p' /proc/meminfo
}

mark="guest_module_reload_test: start $$"
echo "$mark" >/dev/kmsg

echo "TAP version 13"
echo "1..1"
why=
i=0
while [ $i -lt $WARMUP ] && cycle; do i=$((i + 1)); done
[ $i = $WARMUP ] || { report 1 module_reload "warm-up cycle $i: $why"; echo "# Totals: pass:0 fail:1 xfail:0 xpass:0 skip:0 error:0"; exit 1; }
before=$(unreclaim_kb)
i=0
while [ $i -lt "$CYCLES" ] && cycle; do
	i=$((i + 1))
	[ $((i % 10)) = 0 ] && echo "# $i reload cycles done"
done
done_cycles=$i
after=$(unreclaim_kb)
growth=$((after - before))
echo "# $done_cycles reload cycles; SUnreclaim ${before} kB -> ${after} kB (growth ${growth} kB, tolerance ${SLAB_TOLERANCE_KB} kB)"
bad=$(dmesg | sed -n "/$mark/,\$p" | grep -E 'WARNING|BUG|Oops|Call Trace|leak' | head -n 5)
[ "$done_cycles" = "$CYCLES" ] && [ "$growth" -lt $SLAB_TOLERANCE_KB ] && [ -z "$bad" ]
report $? module_reload "cycles done: $done_cycles of $CYCLES${why:+ (cycle failed: $why)}" \
	"slab growth ${growth} kB (tolerance ${SLAB_TOLERANCE_KB} kB)" "$bad"
echo "# Totals: pass:$pass fail:$fail xfail:0 xpass:0 skip:0 error:0"
[ $fail = 0 ]
