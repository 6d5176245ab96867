#!/bin/bash
# SPDX-License-Identifier: MIT
# The language model's decode on the device against the guest CPU
# (`make bench`, docs/cost-model.md "Where a token's time goes").
#
# usage: model_bench.sh HOST_BENCH QPK FP32 OUT.csv [STEPS]
#
#   HOST_BENCH  build/bench/accel-bench-model (the host build, with fwrun)
#   QPK         the packed LM; the guest image holds it in /usr/share/quasar
#   FP32        its FP32 checkpoint; the guest image holds it there too
#
# Runs the model on the host in process (fwrun), then boots the guest and
# runs it there through /dev/accel/accel0 and on the guest CPU in FP32,
# with the QEMU trace event quasar_hwq_job_phases on; writes OUT.csv (one
# row per path: tokens/s and, per decode token, where the time went) and
# keeps the VM's console in OUT.log (the QEMU trace in OUT.log.trace).
# Then both device paths once more with the page walks and DMA timed too
# (rows "...-transfers"; the guest's in a second VM run, OUT-transfers.log):
# those clock reads cost what they measure, so the first rows give the
# figures and the kernels' share, and these only split the rest.
# Figures only: nothing here passes or fails on a time.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
[ $# -ge 4 ] || { echo "usage: model_bench.sh HOST_BENCH QPK FP32 OUT.csv [STEPS]" >&2; exit 2; }
host_bench=$1 qpk=$2 fp32=$3 out=$4 steps=${5:-128}
log=${out%.csv}.log
guest_dir=/usr/share/quasar

mkdir -p "$(dirname "$out")"
echo "model-bench: host, fwrun and CPU FP32 ($steps decode steps)"
{
	"$host_bench" --fwrun --steps "$steps" --fp32 "$fp32" "$qpk"
	"$host_bench" --fwrun --time-transfers --steps "$steps" "$qpk"
} | tee "$log.host"

# One VM run of the benchmark in the guest: guest_run N LOG [QEMU trace
# event] [accel-bench-model options]. The driver's tracepoints too (submit,
# run_job, completion), printed after. The QEMU trace goes to a file of its
# own (never cut into a guest line); the guest's trace clock is
# CLOCK_MONOTONIC, the benchmark's step stamps'.
guest_run() {
	local n=$1 glog=$2 event=$3 t=/sys/kernel/tracing
	shift 3
	echo "model-bench: guest run $n, /dev/accel/accel0 $* (console: $glog)"
	bash "$top/scripts/vm.sh" --timeout 1200 --trace quasar_hwq_job_phases \
		--trace quasar_hwq_job_engine ${event:+--trace "$event"} \
		--trace-file "$glog.trace" --cmd "
[ -e $t/trace ] || mount -t tracefs tracefs $t
echo mono >$t/trace_clock
for e in submit run complete; do echo 1 >$t/events/quasar/quasar_job_\$e/enable; done
# The waiter, its interrupts and run_job (the submitter's vCPU) on vCPU 0:
# the interrupt thread then wakes the waiter without an IPI to an idle vCPU,
# whose QEMU thread the host would have to wake first.
for i in \$(grep quasar /proc/interrupts | cut -d: -f1); do echo 1 >/proc/irq/\$i/smp_affinity; done
echo >$t/trace
taskset 1 accel-bench-model --steps $steps $* $guest_dir/$(basename "$qpk")
rc=\$?
echo 0 >$t/tracing_on
grep -E 'quasar_job_(submit|run|complete):' $t/trace
exit \$rc" >"$glog" 2>&1 ||
		{ tail -n 30 "$glog" >&2; echo "model-bench: the guest run failed" >&2; exit 1; }
}

# Run 1: the figures (the device times its jobs and kernels only); run 2:
# the page walks and DMA timed too (quasar_hwq_job_transfers), whose clock
# reads, hundreds a token, cost what they measure: its rows end
# "-transfers" and only split the rest of the firmware's time.
guest_run 1 "$log" "" --fp32 "$guest_dir/$(basename "$fp32")"
guest_run 2 "${log%.log}-transfers.log" quasar_hwq_job_transfers --time-transfers

# The runs one after the other, each behind a marker: seqnos repeat across
# VM runs, so the device's figures are kept by run and seqno.
for r in 1 2; do
	l=$log
	[ "$r" = 2 ] && l=${log%.log}-transfers.log
	echo "model-bench-run: $r"
	tr -d '\r' <"$l"
	cat "$l.trace"
done | cat "$log.host" - | awk -v out="$out" '
function kv(line, k,    n, i, f, a) {
	n = split(line, f, " ")
	for (i = 1; i <= n; i++)
		if (split(f[i], a, "=") == 2 && a[1] == k)
			return a[2]
	return ""
}
/^model-bench-run: / { R = $2; next }
/^model-bench-step: / {
	s = R ":" kv($0, "seqno"); sub_at[s] = kv($0, "submit_at_ns"); wait_at[s] = kv($0, "waited_at_ns")
	next
}
/^model-bench: path=/ {
	p = kv($0, "path"); path[p] = $0; order[++np] = p; prun[p] = R
	next
}
# The guest driver tracepoints: "... TS: quasar_job_run: hwq=0 ... job=J seqno=S"
/quasar_job_(submit|run|complete): / {
	for (i = 2; i <= NF; i++)
		if ($i ~ /^quasar_job_/) { ts = $(i - 1); sub(/:$/, "", ts); ev = $i; break }
	if (ev == "quasar_job_submit:") submit[R ":" kv($0, "job")] = ts
	else if (ev == "quasar_job_run:") { run[R ":" kv($0, "seqno")] = ts; jobid[R ":" kv($0, "seqno")] = R ":" kv($0, "job") }
	else done_ts[R ":" kv($0, "seqno")] = ts
	next
}
/quasar_hwq_job_engine/ {
	for (i = 1; i < NF; i++) {
		if ($i == "seqno") s = R ":" $(i + 1)
		else if ($i == "inplace_bytes") inplace[s] = $(i + 1)
	}
	next
}
/quasar_hwq_job_phases/ {
	# q0 seqno S wake_ns W job_ns J mmu_ns M dma_ns D kernel_ns K cpl_ns C irq_ns I
	for (i = 1; i < NF; i++) {
		if ($i == "seqno") s = R ":" $(i + 1)
		else if ($i ~ /_ns$/) ph[s, $i] = $(i + 1)
	}
	next
}
function ms(ns, n) { return sprintf("%.3f", ns / n / 1e6) }
# busy: the device from job start to its interrupt; wake: doorbell to job
# start; guest: the rest of the time the caller saw (stream: building it).
# sched: SUBMIT to run_job; ring: run_job to the completion handled (the
# device wake-up, busy time and interrupt included), from the driver tracepoints.
# The side of the caller (the device): submit (the stream into the command BO
# and SUBMIT), wait (BO_WAIT), stats (JOB_STATS); from the step stamps and
# the driver tracepoints, entry (SUBMIT entered to its tracepoint) and
# wakeup (the completion handled to BO_WAIT returned); inplace: weight
# bytes the device read where they lie instead of copying them (KiB a token).
function row(p, l, wall, busy, wake, job, mmu, dma, kern, cpl, irq, sched, ring, speed, n,
	     caller, fw) {
	fw = job - mmu - dma - kern
	printf "%s,%s,%d,%.1f,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%d,%s,%s\n", p,
		variant[p], n, n / (wall / 1e9), ms(wall, n), ms(busy, n), ms(mmu, n), ms(dma, n),
		ms(kern, n), ms(fw, n), ms(cpl, n), ms(irq, n), ms(wake, n),
		ms(wall - busy - wake, n), ms(kv(l, "stream_ns"), n),
		(sched != "" ? ms(sched, n) : ""), (ring != "" ? ms(ring, n) : ""),
		(busy ? sprintf("%.3f", kern / busy) : ""), kv(l, "cmds"), kv(l, "stream_bytes"),
		speed, caller > out
}
END {
	print "path,variant,steps,tokens_per_s,ms_per_token,busy_ms,mmu_ms,dma_ms,kernel_ms," \
	      "firmware_ms,completion_ms,irq_ms,wake_ms,guest_ms,stream_build_ms," \
	      "guest_sched_ms,guest_run_to_irq_ms,kernel_share_of_busy,commands," \
	      "stream_bytes,speedup_vs_cpu_fp32,submit_ms,wait_ms,stats_ms,submit_entry_ms," \
	      "complete_to_wake_ms,inplace_kib" > out
	for (k = 1; k <= np; k++) {
		p = order[k]; l = path[p]; n = kv(l, "steps"); variant[p] = kv(l, "variant")
		wall = kv(l, "wall_ns")
		if (p ~ /cpu-fp32$/) {
			printf "%s,fp32,%d,%.1f,%s,,,,,,,,,,,,,,,,,,,,,,\n", p, n, n / (wall / 1e9),
				ms(wall, n) > out
			continue
		}
		cpu = path[(p ~ /^host-fwrun/ ? "host" : "guest") "-cpu-fp32"]
		speed = cpu ? sprintf("%.2f", kv(cpu, "wall_ns") / wall) : ""
		if (p ~ /^host-fwrun/) {
			job = kv(l, "job_ns")
			row(p, l, wall, job, 0, job, kv(l, "mmu_ns"), kv(l, "dma_ns"),
			    kv(l, "kernel_ns"), 0, 0, "", "", speed, n, ",,,,,")
			continue
		}
		# The device: its decode jobs by seqno, from the QEMU trace.
		wake = job = mmu = dma = kern = cpl = irq = sched = ring = traced = 0
		entry = wakeup = inpl = 0
		for (q = kv(l, "seq_first"); q <= kv(l, "seq_last") + 0; q++) {
			s = prun[p] ":" q
			if ((s in run) && (s in done_ts) && (jobid[s] in submit) && (s in sub_at)) {
				sched += (run[s] - submit[jobid[s]]) * 1e9
				ring += (done_ts[s] - run[s]) * 1e9
				entry += submit[jobid[s]] * 1e9 - sub_at[s]
				wakeup += wait_at[s] - done_ts[s] * 1e9
				traced++
			}
			if (!((s, "job_ns") in ph)) {
				print "model-bench: no quasar_hwq_job_phases for seqno " s > "/dev/stderr"
				exit 1
			}
			inpl += inplace[s]
			wake += ph[s, "wake_ns"]; job += ph[s, "job_ns"]; mmu += ph[s, "mmu_ns"]
			dma += ph[s, "dma_ns"]; kern += ph[s, "kernel_ns"]
			cpl += ph[s, "cpl_ns"]; irq += ph[s, "irq_ns"]
		}
		if (traced != kv(l, "seq_last") - kv(l, "seq_first") + 1)
			sched = ring = entry = wakeup = ""
		caller = ms(kv(l, "submit_ns"), n) "," ms(kv(l, "wait_ns"), n) "," \
			 ms(kv(l, "stats_ns"), n) "," (entry != "" ? ms(entry, n) : "") "," \
			 (wakeup != "" ? ms(wakeup, n) : "") "," sprintf("%.1f", inpl / n / 1024)
		row(p, l, wall, job + cpl + irq, wake, job, mmu, dma, kern, cpl, irq, sched, ring,
		    speed, n, caller)
	}
}'
rm -f "$log.host"
column -s, -t "$out"
echo "model-bench: $out"
