#!/bin/sh
# SPDX-License-Identifier: MIT
# guest_tools_cli_test: the guest tools' command-line conventions on the
# device (tests/scripts/tools_cli_test.sh checks the rest on the host):
# accel-info --json carries the text's figures, --device picks the node and
# a missing one fails naming it, accel-stats --json reports a verified job
# with this GEMM's MACs, accel-demo takes --device, accel-bench reports every
# figure (values only, never judged on a time). TAP.

n=0 fail=0
report() { # status name [diagnostics...]
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n - $2"
	else
		fail=$((fail + 1))
		echo "not ok $n - $2"
		shift 2
		for line in "$@"; do printf '%s\n' "$line" | sed 's/^/# /'; done
	fi
}
# json_num JSON KEY: the number of a top-level "KEY":N
json_num() { printf '%s\n' "$1" | sed -n "s/.*\"$2\":\([0-9.]*\).*/\1/p"; }
# text_num TEXT LABEL: the first number after "LABEL:"
text_num() { printf '%s\n' "$1" | sed -n "s/^$2: *\([0-9]*\).*/\1/p"; }

echo "TAP version 13"
echo "1..5"

text=$(accel-info 2>&1)
json=$(accel-info --json 2>&1)
rc=$?
node=$(printf '%s\n' "$text" | sed -n 's/^device: *//p')
ok=0
[ $rc -eq 0 ] && [ "$(printf '%s\n' "$json" | wc -l)" -eq 1 ] || ok=1
case $json in "{\"device\":\"$node\","*"}") ;; *) ok=1 ;; esac
for k in queues engines contexts; do
	[ -n "$(text_num "$text" $k)" ] &&
		[ "$(json_num "$json" $k)" = "$(text_num "$text" $k)" ] || ok=1
done
[ "$(json_num "$json" page_size)" = "$(text_num "$text" 'page size')" ] || ok=1
report $ok "accel-info --json: one object with the text's device, queues, engines, contexts, page size" \
	"exit $rc" "$text" "$json"

out=$(accel-info --device "$node" 2>&1)
rc1=$?
bad=$(accel-info --device /dev/accel/no-such-node 2>&1)
rc2=$?
[ $rc1 -eq 0 ] && [ "$out" = "$text" ] && [ $rc2 -eq 1 ] &&
	printf '%s\n' "$bad" | grep -q '^accel-info: /dev/accel/no-such-node: '
report $? "accel-info --device: the node given; a missing one fails (1) naming it" \
	"exit $rc1, $rc2" "$bad"

json=$(accel-stats --json --format w8 -m 4 -n 64 -k 128 2>&1)
rc=$?
ok=0
[ $rc -eq 0 ] && [ "$(printf '%s\n' "$json" | wc -l)" -eq 1 ] || ok=1
for want in '"format":"w8"' '"verified":true' '"macs_dense":32768' '"m":4' '"n":64' '"k":128'; do
	case $json in *"$want"*) ;; *) ok=1 ;; esac
done
[ "$(printf '%s\n' "$json" | sed -n 's/.*"tiles":\([0-9]*\).*/\1/p')" -gt 0 ] 2>/dev/null || ok=1
report $ok "accel-stats --json: one object, verified, this GEMM's 32768 MACs" "exit $rc" "$json"

out=$(ACCEL_DEVICE=/dev/accel/no-such-node accel-demo --device "$node" 2>&1)
rc=$?
[ $rc -eq 0 ] && printf '%s\n' "$out" | grep -q '^verified$'
report $? "accel-demo --device wins over \$ACCEL_DEVICE" "exit $rc" "$(printf '%s\n' "$out" | tail -5)"

# accel-bench: every figure, the GEMV checked inside; the trace split for
# every round trip (tracefs mounted here as stack_bench.sh does)
t=/sys/kernel/tracing
[ -e $t/trace ] || mount -t tracefs tracefs $t
json=$(accel-bench --json --trace --roundtrips 6 --jobs 16 --bo-reps 2 --gemv-reps 1 2>/tmp/ab.err)
rc=$?
ok=0
[ $rc -eq 0 ] || ok=1
count() { printf '%s\n' "$json" | grep -c "$1"; }
[ "$(count '"figure":"nop_jobs_per_s"')" -eq 9 ] || ok=1
[ "$(count '"figure":"bo_create_map_free"')" -eq 4 ] || ok=1
for f in null_roundtrip null_submit_to_run_job null_run_job_to_complete; do
	[ "$(count "\"figure\":\"$f\",.*\"samples\":6}")" -eq 1 ] || ok=1
done
for f in gemv_w4_device gemv_w4_submit_to_complete; do
	[ "$(count "\"figure\":\"$f\",\"value\":[1-9]")" -eq 1 ] || ok=1
done
report $ok "accel-bench --json --trace: 9 depth/priority rows, 4 BO sizes, 6 traced round trips, a checked GEMV" \
	"exit $rc" "$json" "$(cat /tmp/ab.err)"

echo "# Totals: pass:$((n - fail)) fail:$fail xfail:0 xpass:0 skip:0 error:0"
[ $fail -eq 0 ]
