#!/bin/sh
# SPDX-License-Identifier: MIT
# Driver recovery in the guest (root): reload quasar.ko with a job timeout
# shorter than a long job, run guest_reset_test (injected hangs, resets,
# replays, restored contexts), unload the driver under running jobs, and reload it
# with its defaults so that later suites find it as the image's init left
# it. TAP 13 output, closing with a Totals line.

KO=${QUASAR_KO:-/lib/modules/quasar/quasar.ko}
SHORT_TDR_MS=500

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
		for line in "$@"; do echo "# $line"; done
	fi
}

wait_node() { # the node appears within 20 s (firmware boot under TCG)
	i=0
	while [ $i -lt 200 ]; do
		[ -c /dev/accel/accel0 ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

mark=0
dmesg_mark() { mark=$((mark + 1)); echo "guest_reset_test: mark $mark" >/dev/kmsg; }
dmesg_since_mark() { dmesg | sed -n "/guest_reset_test: mark $mark\$/,\$p"; }
clean_since_mark() { ! dmesg_since_mark | grep -q -E 'WARNING|BUG|Oops|Call Trace'; }

echo "TAP version 13"
echo "1..4"

dmesg_mark
{ [ ! -d /sys/module/quasar ] || rmmod quasar; } &&
	insmod "$KO" tdr_timeout_ms=$SHORT_TDR_MS && wait_node
report $? "reload_with_a_${SHORT_TDR_MS}ms_job_timeout" "$(dmesg_since_mark | tail -n 5)"

out=$(guest_reset_test 2>&1)
rc=$?
echo "$out" | sed 's/^/# /'
[ $rc = 0 ] && clean_since_mark
report $? "quasar_reset_test_passes_with_a_clean_dmesg" "exit $rc" \
	"$(dmesg_since_mark | grep -E 'quasar|WARNING|BUG' | tail -n 8)"

dmesg_mark
guest_reset_test --leave-jobs && rmmod quasar && clean_since_mark
report $? "rmmod_under_running_jobs_is_clean" "$(dmesg_since_mark | tail -n 8)"

dmesg_mark
insmod "$KO" && wait_node && out=$(guest_raw_ioctl_test -t fill_then_copy_job_writes_the_pattern_through_the_mmu 2>&1)
rc=$?
[ $rc = 0 ] && clean_since_mark
report $? "reload_with_defaults_and_a_job_works" "exit $rc" "$(echo "$out" | tail -n 3)" \
	"$(dmesg_since_mark | tail -n 5)"

echo "# Totals: pass:$pass fail:$fail xfail:0 xpass:0 skip:0 error:0"
[ $fail = 0 ]
