#!/bin/bash
# SPDX-License-Identifier: MIT
# The stack's own cost (`make bench`, docs/cost-model.md section 8).
#
# usage: stack_bench.sh HOST_BENCH OUT.csv [accel-bench options...]
#
#   HOST_BENCH  build/bench/accel-bench (the host build: --host-kernel)
#
# Runs the 4096 x 4096 W4 GEMV through the datapath's SIMD kernel on this
# host, then boots the guest once and runs accel-bench there (--trace: the
# driver's tracepoints split the round trip) with the QEMU trace event
# quasar_hwq_job_phases on, and writes OUT.csv: accel-bench's figures, the
# device's phases of the same jobs (matched by hardware queue and seqno) and
# the ratios: the GEMV job's device time and its submit-to-completion time
# against the kernel alone, and the share of the job's device time that is
# not the kernel (page walks, DMA, the firmware's loop, completion). The
# VM's console stays in OUT.log, the QEMU trace in OUT.log.trace. Figures
# only: nothing passes or fails on a time.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
[ $# -ge 2 ] || { echo "usage: stack_bench.sh HOST_BENCH OUT.csv [accel-bench options]" >&2; exit 2; }
host_bench=$1 out=$2
shift 2
log=${out%.csv}.log
mkdir -p "$(dirname "$out")"

echo "stack-bench: the GEMV's kernel alone on this host"
LD_LIBRARY_PATH=$top/build/libaccel${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH} \
	"$host_bench" --host-kernel --json "$@" >"$log.host"
cat "$log.host"
echo "stack-bench: accel-bench in the guest (console: $log)"
t=/sys/kernel/tracing
# The QEMU trace goes to a file of its own: on the console a trace line can
# land inside a line of the guest's and cut a figure in two.
# quasar_hwq_job_transfers: the page walks and DMA timed too, for the
# split of the GEMV's busy time (a few hundred clock reads against its
# milliseconds; a decode token's are another matter, model_bench.sh).
bash "$top/scripts/vm.sh" --timeout 1800 --trace quasar_hwq_job_phases \
	--trace quasar_hwq_job_transfers --trace quasar_hwq_job_engine \
	--trace-file "$log.trace" --cmd "
[ -e $t/trace ] || mount -t tracefs tracefs $t
accel-bench --trace --json $*" >"$log" 2>&1 ||
	{ tail -n 30 "$log" >&2; echo "stack-bench: the guest run failed" >&2; exit 1; }

tr -d '\r' <"$log" | cat "$log.host" - "$log.trace" | python3 -c '
import json, re, sys

out = sys.argv[1]
rows, phases, engine = [], {}, {}
ph_re = re.compile(r"quasar_hwq_job_(phases|engine)\b.*?\bq(\d+) seqno (\d+) (.*)")
for line in sys.stdin:
    line = line.strip()
    m = ph_re.search(line)
    if m:
        kv = m.group(4).split()
        (phases if m.group(1) == "phases" else engine)[(int(m.group(2)), int(m.group(3)))] = {
            kv[i]: int(kv[i + 1]) for i in range(0, len(kv) - 1, 2)}
        continue
    if line.startswith("{\"figure\""):
        rows.append(json.loads(line))
fig = {r["figure"]: r for r in rows}
need = ["gemv_w4_host_kernel", "null_roundtrip", "gemv_w4_device", "null_seqno_first"]
missing = [n for n in need if n not in fig]
if missing:
    sys.exit("stack-bench: no figure " + ", ".join(missing) + " in the output")

def add(figure, value, unit):
    rows.append({"figure": figure, "value": value, "unit": unit})

def device_phases(prefix, first, last, queue):
    """Mean of the QEMU phases of seqnos first..last on queue (us)."""
    jobs = [phases.get((queue, s)) for s in range(first, last + 1)]
    if not all(jobs):
        sys.exit("stack-bench: no quasar_hwq_job_phases for some %s job (seqnos %d..%d, "
                 "queue %d)" % (prefix, first, last, queue))
    mean = lambda k: sum(j[k] for j in jobs) / len(jobs) / 1e3
    busy = mean("job_ns") + mean("cpl_ns") + mean("irq_ns")
    add(prefix + "_device_wake", mean("wake_ns"), "us")
    add(prefix + "_device_busy", busy, "us")
    for k in ("mmu", "dma", "kernel", "cpl", "irq"):
        add("%s_device_%s" % (prefix, k), mean(k + "_ns"), "us")
    add(prefix + "_device_firmware", mean("job_ns") - mean("mmu_ns") - mean("dma_ns")
        - mean("kernel_ns"), "us")
    # What the device read where it lay instead of staging a copy
    # (docs/hw-spec.md, DBG_INPLACE): 0 says the copy path ran.
    eng = [engine.get((queue, s)) for s in range(first, last + 1)]
    if all(eng):
        add(prefix + "_device_inplace", sum(e["inplace_bytes"] for e in eng)
            / len(eng) / 1024, "KiB")
    return busy, mean("kernel_ns")

v = lambda n: fig[n]["value"]
device_phases("null", int(v("null_seqno_first")), int(v("null_seqno_last")),
              int(v("null_hw_queue")))
busy, kern = device_phases("gemv_w4", int(v("gemv_w4_seqno_first")),
                           int(v("gemv_w4_seqno_last")), int(v("gemv_w4_hw_queue")))
k = v("gemv_w4_host_kernel")
add("gemv_w4_device_over_kernel", v("gemv_w4_device") / k, "ratio")
add("gemv_w4_submit_to_complete_over_kernel", v("gemv_w4_submit_to_complete") / k, "ratio")
add("gemv_w4_not_kernel_share_of_busy", (busy - kern) / busy, "ratio")
cols = ["figure", "priority", "depth", "bytes", "value", "unit", "p50", "p99", "samples"]
with open(out, "w") as f:
    f.write(",".join(cols) + "\n")
    for r in rows:
        if r["unit"] in ("seqno", "index"):
            continue
        f.write(",".join(("%.4f" % r[c] if isinstance(r.get(c), float) else str(r.get(c, "")))
                         for c in cols) + "\n")
' "$out"
rm -f "$log.host"
column -s, -t "$out"
echo "stack-bench: $out"
