#!/bin/bash
# SPDX-License-Identifier: MIT
# vm_vmsh_options_test: what scripts/vm.sh promises a user who brings a
# program of their own: --add puts a file into the guest (executable under
# /usr/bin), --append reaches the kernel command line and quasar.* on it
# reaches quasar.ko's parameters, and a job's exit status is vm.sh's;
# --kernel names a kernel that is not there. TAP.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/tap.sh"
out=$top/build/check
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
log=$out/vm-vmsh_options_test-console.log

tap_begin
printf '#!/bin/sh\necho "QUASAR-TEST: my program ran with $*"\nexit 0\n' >"$work/my-program"
printf 'data of my own\n' >"$work/data.txt"
cat >"$work/job.sh" <<'GUEST'
my-program one two
echo "QUASAR-TEST: data $(cat /opt/mine/data.txt)"
echo "QUASAR-TEST: cmdline $(cat /proc/cmdline)"
echo "QUASAR-TEST: tdr $(cat /sys/module/quasar/parameters/tdr_timeout_ms)"
echo "QUASAR-TEST: cpus online $(cat /sys/devices/system/cpu/online)"
echo "QUASAR-TEST: record-cmd $(cat /sys/kernel/tracing/options/record-cmd)"
exit 3
GUEST
bash "$top/scripts/vm.sh" --script "$work/job.sh" --add "$work/my-program" \
	--add "$work/data.txt:/opt/mine/data.txt" \
	--append 'quasar.tdr_timeout_ms=4321 quasar_vmsh_marker' --log "$log" >/dev/null 2>&1
rc=$?
c() { tr -d '\r' <"$log" | grep -q "$1"; }
c '^QUASAR-TEST: my program ran with one two$'
tap_result $? "add_puts_an_executable_in_usr_bin" "console: $log"
c '^QUASAR-TEST: data data of my own$'
tap_result $? "add_with_a_destination" "console: $log"
c '^QUASAR-TEST: cmdline .* quasar_vmsh_marker'
tap_result $? "append_reaches_the_kernel_command_line" "console: $log"
c '^QUASAR-TEST: tdr 4321$'
tap_result $? "quasar_parameters_on_the_command_line_reach_the_module" "console: $log"
# Booted with one (maxcpus=1, see vm.sh), the guest runs the job with both,
# and trace events leave the scheduler's tracepoints alone (guest-init.sh).
c '^QUASAR-TEST: cpus online 0-1$'
tap_result $? "both_vcpus_are_online_when_the_job_runs" "console: $log"
c '^QUASAR-TEST: record-cmd 0$'
tap_result $? "trace_events_do_not_record_task_names" "console: $log"
[ "$rc" -eq 3 ]
tap_result $? "the_jobs_exit_status_is_vmsh_s" "vm.sh exit $rc"
bash "$top/scripts/vm.sh" --add "$work/nonexistent" --cmd true >/dev/null 2>&1
[ $? -eq 2 ]
tap_result $? "a_missing_file_is_a_usage_error"
err=$(bash "$top/scripts/vm.sh" --kernel "$work/no-such-kernel" --cmd true 2>&1 >/dev/null)
rc=$?
[ "$rc" -eq 2 ] && grep -q "missing $work/no-such-kernel" <<<"$err"
tap_result $? "a_missing_kernel_is_named" "exit $rc: $err"
tap_end
