#!/bin/bash
# SPDX-License-Identifier: MIT
# dbgk_scan_test: the debug-kernel lane's reader of reports (dbgk_scan.sh)
# on reports in the kernel's own words: each must be found, by its kind,
# with its first line; a clean debug kernel's boot lines must not be. TAP.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
scan=$here/dbgk_scan.sh
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
n=0 fails=0

result() { # rc name [detail]
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		[ -n "${3:-}" ] && echo "# $3"
		fails=$((fails + 1))
	fi
}

# What the debug kernel prints at boot when all is well.
cat >"$work/boot" <<'LOG'
Lock dependency validator: Copyright (c) 2006 Red Hat, Inc., Ingo Molnar
... MAX_LOCKDEP_SUBCLASSES:  8
... MAX_LOCK_DEPTH:          48
KernelAddressSanitizer initialized (generic)
DMA-API: preallocated 65536 debug entries
DMA-API: debugging enabled by kernel config
kmemleak: Kernel memory leak detector initialized (mem pool available: 15624)
quasar 0000:01:00.0: [drm] firmware 1.4 running, 4 engines
[drm] Initialized quasar 1.9.0 for 0000:01:00.0 on minor 0
LOG

# expect KIND NAME FIRST-LINE: FIRST-LINE appears in the boot log + the
# report (in $work/report) and dbgk_scan.sh KIND names it.
expect() {
	local kind=$1 name=$2 want=$3 got
	cat "$work/boot" "$work/report" >"$work/dmesg"
	got=$(bash "$scan" "$kind" "$work/dmesg")
	local rc=$?
	if [ "$rc" -eq 0 ] && [ "$(head -n 1 <<<"$got")" = "$want" ]; then
		result 0 "$name"
	else
		result 1 "$name" "exit $rc, first line '$(head -n 1 <<<"$got")', want '$want'"
	fi
}

for kind in sanitizer lockdep; do
	bash "$scan" "$kind" "$work/boot" >"$work/out"
	rc=$?
	result "$([ "$rc" -eq 1 ] && [ ! -s "$work/out" ] && echo 0 || echo 1)" \
		"a_clean_boot_has_no_${kind}_report" "exit $rc: $(head -n 1 "$work/out")"
done

cat >"$work/report" <<'LOG'
==================================================================
BUG: KASAN: slab-use-after-free in quasar_job_free+0x3c/0x90 [quasar]
Read of size 8 at addr ffff888004a1c018 by task kworker/u8:1/57

CPU: 1 UID: 0 PID: 57 Comm: kworker/u8:1 Not tainted 6.12.57 #1
Call Trace:
 <TASK>
 dump_stack_lvl+0x5d/0x80
LOG
expect sanitizer kasan_use_after_free_is_a_sanitizer_report \
	"BUG: KASAN: slab-use-after-free in quasar_job_free+0x3c/0x90 [quasar]"
cat "$work/boot" "$work/report" >"$work/dmesg"
bash "$scan" lockdep "$work/dmesg" >/dev/null
result "$([ $? -eq 1 ] && echo 0 || echo 1)" "a_kasan_report_is_not_also_a_lockdep_report"

cat >"$work/report" <<'LOG'
UBSAN: shift-out-of-bounds in driver/quasar_mmu.c:88:21
shift exponent 64 is too large for 64-bit type 'long long unsigned int'
CPU: 0 UID: 0 PID: 91 Comm: guest_bo_test Not tainted 6.12.57 #1
Call Trace:
LOG
expect sanitizer ubsan_shift_is_a_sanitizer_report \
	"UBSAN: shift-out-of-bounds in driver/quasar_mmu.c:88:21"

cat >"$work/report" <<'LOG'
------------[ cut here ]------------
ODEBUG: free active (active state 0) object: ffff888005d2c0a8 object type: timer_list hint: quasar_watchdog_fn+0x0/0x120 [quasar]
WARNING: CPU: 1 PID: 120 at lib/debugobjects.c:514 debug_print_object+0x1b4/0x2a0
LOG
expect sanitizer debug_objects_free_active_is_a_sanitizer_report \
	"ODEBUG: free active (active state 0) object: ffff888005d2c0a8 object type: timer_list hint: quasar_watchdog_fn+0x0/0x120 [quasar]"

cat >"$work/report" <<'LOG'
------------[ cut here ]------------
DMA-API: pci 0000:01:00.0: device driver failed to check map error[device address=0x0000000004a1c000] [size=4096 bytes] [mapped as page]
WARNING: CPU: 0 PID: 88 at kernel/dma/debug.c:1036 check_unmap+0x9a5/0x1ea0
LOG
expect sanitizer dma_api_report_is_a_sanitizer_report \
	"DMA-API: pci 0000:01:00.0: device driver failed to check map error[device address=0x0000000004a1c000] [size=4096 bytes] [mapped as page]"

cat >"$work/report" <<'LOG'

======================================================
WARNING: possible circular locking dependency detected
6.12.57 #1 Not tainted
------------------------------------------------------
kworker/u8:2/58 is trying to acquire lock:
ffff888004d2a130 (&qdev->reset_lock){+.+.}-{3:3}, at: quasar_reset_work+0x4c/0x3a0 [quasar]

but task is already holding lock:
LOG
expect lockdep lockdep_circular_dependency_is_a_lockdep_report \
	"WARNING: possible circular locking dependency detected"

cat >"$work/report" <<'LOG'
BUG: sleeping function called from invalid context at mm/slab.h:322
in_atomic(): 1, irqs_disabled(): 1, non_block: 0, pid: 0, name: swapper/1
preempt_count: 10001, expected: 0
Call Trace:
LOG
expect lockdep sleeping_in_atomic_context_is_a_lockdep_report \
	"BUG: sleeping function called from invalid context at mm/slab.h:322"

cat >"$work/report" <<'LOG'
=============================
WARNING: suspicious RCU usage
6.12.57 #1 Not tainted
-----------------------------
drivers/dma-buf/dma-resv.c:290 suspicious rcu_dereference_protected() usage!
LOG
expect lockdep suspicious_rcu_usage_is_a_lockdep_report "WARNING: suspicious RCU usage"

cat >"$work/report" <<'LOG'
------------[ cut here ]------------
WARNING: CPU: 1 PID: 57 at driver/quasar_job.c:412 quasar_job_run+0x2f1/0x4c0 [quasar]
Modules linked in: quasar
CPU: 1 UID: 0 PID: 57 Comm: kworker/u8:1 Not tainted 6.12.57 #1
RIP: 0010:quasar_job_run+0x2f1/0x4c0 [quasar]
Call Trace:
 <TASK>
 drm_sched_run_job_work+0x52f/0x9c0
LOG
expect lockdep warn_on_with_a_call_trace_is_a_report \
	"WARNING: CPU: 1 PID: 57 at driver/quasar_job.c:412 quasar_job_run+0x2f1/0x4c0 [quasar]"

# The lines printed stop before the call trace.
bash "$scan" lockdep "$work/dmesg" >"$work/out"
result "$(grep -q 'drm_sched_run_job_work\|Call Trace' "$work/out" && echo 1 || echo 0)" \
	"a_report_is_printed_up_to_its_call_trace" "$(cat "$work/out")"

cat >"$work/leaks" <<'LOG'
unreferenced object 0xffff888005e1c000 (size 512):
  comm "guest_jobs_test", pid 77, jiffies 4294912345
  hex dump (first 32 bytes):
    00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00  ................
  backtrace (crc 5d1a2b3c):
    kmalloc_trace_noprof+0x2b0/0x3c0
    quasar_job_create+0x7e/0x4a0 [quasar]
unreferenced object 0xffff888005e1c200 (size 64):
  comm "guest_jobs_test", pid 77, jiffies 4294912345
LOG
got=$(bash "$scan" leak "$work/leaks")
result "$([ "$(sed -n 2p <<<"$got")" = "unreferenced object 0xffff888005e1c000 (size 512):" ] &&
	head -n 1 <<<"$got" | grep -q '^unreferenced objects: 2,' &&
	! grep -q 0xffff888005e1c200 <<<"$got" && echo 0 || echo 1)" \
	"kmemleak_leaks_are_counted_and_the_first_is_named" "$got"
: >"$work/leaks"
bash "$scan" leak "$work/leaks" >/dev/null
result "$([ $? -eq 1 ] && echo 0 || echo 1)" "an_empty_kmemleak_file_is_no_leak"

bash "$scan" kasan "$work/leaks" 2>"$work/err"
rc=$?
result "$([ "$rc" -eq 2 ] && grep -q "unknown kind 'kasan'" "$work/err" && echo 0 || echo 1)" \
	"an_unknown_kind_is_a_usage_error_naming_it" "exit $rc: $(cat "$work/err")"

echo "1..$n"
[ "$fails" -eq 0 ]
