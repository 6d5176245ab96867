#!/bin/busybox sh
# SPDX-License-Identifier: MIT
# Guest init: mount the basics, load the DRM modules and quasar.ko (with the
# quasar.* parameters of the kernel command line), run the job the host put
# at /run/job.sh, report its exit status, power off.
/bin/busybox --install -s /bin
export PATH=/usr/bin:/bin:/sbin LD_LIBRARY_PATH=/usr/lib
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
# The other vCPUs, which vm.sh keeps offline while the kernel boots, so
# that its boot-time code patching races with none (see vm.sh).
for c in /sys/devices/system/cpu/cpu[0-9]*/online; do
	[ "$(cat "$c")" = 1 ] || echo 1 >"$c" || echo "QUASAR-INIT: cannot online ${c%/online}"
done
# Trace events without the task names and tgids recorded beside them:
# recording them hooks the scheduler's own tracepoints (sched_switch,
# sched_wakeup) whenever an event is turned on or off, which patches the
# scheduler's hottest code while the other vCPU runs it, the race of
# vm.sh's comment (an "Oops: int3" in ttwu_do_activate). Lines show
# "<...>" for the task; nothing here reads it.
t=/sys/kernel/tracing
mount -t tracefs tracefs $t 2>/dev/null
for o in record-cmd record-tgid; do
	[ ! -e $t/options/$o ] || echo 0 >$t/options/$o
done
mount -t tmpfs tmpfs /tmp
echo 7 >/proc/sys/kernel/printk 2>/dev/null
echo 4 >/proc/sys/kernel/printk

while read -r m; do
	insmod "/lib/modules/deps/$m.ko" || echo "QUASAR-INIT: insmod $m failed"
done </lib/modules/deps/order

# quasar.<param>=<value> on the kernel command line (vm.sh --append) are
# the module's parameters: insmod does not read the command line itself.
params=$(tr ' ' '\n' </proc/cmdline | sed -n 's/^quasar\.\([a-z_]*=.*\)$/\1/p' |
	grep -v '^dyndbg=')
if [ "$(sed -n 's/.*quasar\.noload.*/1/p' /proc/cmdline)" != 1 ]; then
	# shellcheck disable=SC2086 # one word per parameter
	insmod /lib/modules/quasar/quasar.ko $params || echo "QUASAR-INIT: insmod quasar failed"
fi

rc=127
if [ -f /run/job.sh ]; then
	sh /run/job.sh
	rc=$?
else
	echo "QUASAR-INIT: no /run/job.sh"
fi

bad=$(dmesg | grep -E 'WARNING|BUG|Oops|lockdep|circular locking|kernel panic' | head -n 20)
if [ -n "$bad" ]; then
	echo "QUASAR-DMESG: dirty"
	echo "$bad"
	echo "--- full dmesg ---"
	dmesg | tail -n 200
else
	echo "QUASAR-DMESG: clean"
fi
echo "QUASAR-EXIT: $rc"
sync
poweroff -f
