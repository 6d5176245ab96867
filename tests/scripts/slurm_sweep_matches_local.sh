#!/bin/bash
# SPDX-License-Identifier: MIT
# slurm_sweep_matches_local: the same small sweep run by scripts/sweep.sh
# --mode local and --mode slurm, on a single-node Slurm this test starts
# itself (scripts/slurm-local.sh: munged, slurmctld, slurmd on localhost,
# stopped at the end, also on failure), gives the same merged CSV. On the
# way: one point's worker crashes on its first try under Slurm (it kills
# the array task's job script, which leaves no status), and is retried and
# merged like the others; a sweep with a point that always fails exits 1
# naming it with its stderr; and slurm-local.sh stop leaves nothing
# running. The points are real: make codesign's small sweep, planned and
# merged by accel-codesign (docs/codesign.md, docs/codesign-cluster.md).
# Needs root, slurm-wlm and munge (scripts/deps.sh). TAP.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/tap.sh"
b=$top/build
sweep=$top/scripts/sweep.sh
slurml=$top/scripts/slurm-local.sh
work=$(mktemp -d)
cluster=$work/cluster
t0=$SECONDS

cleanup() {
	[ -d "$cluster/run" ] && bash "$slurml" stop "$cluster" >/dev/null 2>&1
	rm -rf "$work"
}
trap cleanup EXIT

tap_begin 6
if [ "$(id -u)" -ne 0 ] || ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
	for i in 1 2 3 4 5 6; do echo "ok $i # SKIP needs root, slurm-wlm and munge (make deps)"; done
	exit 0
fi

# The small sweep of make codesign (accel-codesign --plan --small: a few
# variants of each model, each point a task that evaluates the variant and
# runs its command streams on every configuration of the small grid), and
# its merge into pareto.csv (the rows of every point, the Pareto columns).
cds=$b/codesign/accel-codesign
expect_rows=
plan() { # DIR: DIR/tasks.tsv; the merge's row count from the plan's line
	local line
	line=$("$cds" --plan "$1" --small) || return 1
	# "accel-codesign: T tasks (variants) x C configurations (...)"
	expect_rows=$(echo "$line" | sed -n 's/^accel-codesign: \([0-9]*\) tasks .* x \([0-9]*\) configurations.*/\1 * \2/p')
	expect_rows=$((expect_rows))
}
merge() { # DIR OUT.csv: accel-codesign refuses an incomplete sweep
	"$cds" --merge "$1" --out "$1/merged" >/dev/null && cp "$1/merged/pareto.csv" "$2"
}

# 1: the cluster comes up.
log=$work/start.log
s0=$SECONDS
bash "$slurml" start "$cluster" >"$log" 2>&1
rc=$?
export SLURM_CONF=$cluster/slurm.conf
tap_result_file $rc "slurm-local.sh start: a single-node cluster, node idle in $((SECONDS - s0)) s" "$log"

# 2: local and slurm runs of the same plan merge to the same CSV. Under
# Slurm the first try of one point (the second line) kills its job script
# (a crashed worker: no exit status), once: crash-once goes with it. The
# cluster's MaxArraySize is lowered to 4, so that the points (5 to 8) go
# out as two arrays, as a sweep larger than a real cluster's limit does.
sed -i 's/^MaxArraySize=.*/MaxArraySize=4/' "$SLURM_CONF" 2>/dev/null
[ "$rc" -ne 0 ] || scontrol reconfigure >/dev/null 2>&1 || rc=1
cd "$work" || exit 1
plan local
plan slurm
crash=$(sed -n '2s/\t.*//p' slurm/tasks.tsv)
sed -i '2s|\t|\tif rm crash-once 2>/dev/null; then kill -KILL $PPID; exit 1; fi; |' slurm/tasks.tsv
l0=$SECONDS
bash "$sweep" --mode local --jobs 2 --tasks local/tasks.tsv --state local/state >/dev/null \
	2>local.err
lrc=$?
lt=$((SECONDS - l0))
merge local local.csv 2>>local.err
lm=$?
touch crash-once
s0=$SECONDS
if [ "$rc" -eq 0 ]; then
	SWEEP_POLL=1 bash "$sweep" --mode slurm --tasks slurm/tasks.tsv --state slurm/state \
		>/dev/null 2>slurm.err
	src=$?
else
	echo "no cluster" >slurm.err
	src=1
fi
st=$((SECONDS - s0))
merge slurm slurm.csv 2>>slurm.err
sm=$?
log=$work/match.log
{
	echo "local sweep exit $lrc (merge $lm) in $lt s:"; cat local.err
	echo "slurm sweep exit $src (merge $sm) in $st s:"; cat slurm.err
	echo "diff local.csv slurm.csv:"; diff local.csv slurm.csv
} >"$log" 2>&1
rows=$(($(wc -l <local.csv 2>/dev/null || echo 1) - 1))
echo "# local sweep $lt s, slurm sweep $st s, $rows merged rows"
r=1
[ $lrc -eq 0 ] && [ $src -eq 0 ] && [ $lm -eq 0 ] && [ $sm -eq 0 ] &&
	[ "$rows" -eq "$expect_rows" ] && cmp -s local.csv slurm.csv && r=0
tap_result_file $r "the merged CSV of the Slurm sweep equals the local one's ($rows rows)" "$log"

# 3: the Slurm run really ran under Slurm, in two arrays, and the crashed
# point was retried: status 255 from the first round, 0 at the end.
ok=0
ntasks=$(grep -c . slurm/tasks.tsv)
grep -q '^sweep: round 1 part 1: Slurm job array [0-9]*, 4 task(s)' slurm.err || ok=1
grep -q "^sweep: round 1 part 2: Slurm job array [0-9]*, $((ntasks - 4)) task(s)" slurm.err || ok=1
grep -q "^sweep: $crash failed (exit 255), running it again" slurm.err || ok=1
grep -q '^sweep: round 2: Slurm job array [0-9]*, 1 task(s)' slurm.err || ok=1
grep -q "no exit status from Slurm for $crash" "slurm/state/log/$crash.err" || ok=1
[ "$(grep -c "^sweep task: $crash on $(hostname), job [0-9]*_[0-9]*" \
	"slurm/state/log/$crash.err")" -eq 2 ] || ok=1
[ "$(cat "slurm/state/status/$crash" 2>/dev/null)" = 0 ] || ok=1
[ ! -e crash-once ] || ok=1
tap_result_file $ok "two arrays past MaxArraySize; a worker crashed under Slurm is retried and merged" "$log"

# 4: a point that always fails: the sweep exits 1 naming it with its stderr
# (two tasks: one array).
printf 'fine\ttrue\nbad-point\techo "bad-point: variant q9 unknown" >&2; exit 3\n' >fail.tsv
log=$work/fail.log
SWEEP_POLL=1 bash "$sweep" --mode slurm --tasks fail.tsv --state fail-state >/dev/null 2>"$log"
frc=$?
echo "sweep exit $frc" >>"$log"
r=1
[ $frc -eq 1 ] && grep -q '^sweep: FAILED bad-point (exit 3)' "$log" &&
	grep -q '^    bad-point: variant q9 unknown' "$log" &&
	grep -q '^sweep: round 1: Slurm job array [0-9]*, 2 task(s)' "$log" &&
	[ "$(cat fail-state/status/fine)" = 0 ] && r=0
tap_result_file $r "a point failing twice under Slurm is listed with its stderr, exit 1" "$log"

# 5-6: stop stops exactly the daemons start started, and nothing is left.
pids=$(cat "$cluster"/run/*.pid 2>/dev/null)
log=$work/stop.log
bash "$slurml" stop "$cluster" >"$log" 2>&1
rc=$?
left=
for p in $pids; do kill -0 "$p" 2>/dev/null && left="$left $p"; done
echo "pids started: $pids; still alive:${left:- none}" >>"$log"
r=1
[ $rc -eq 0 ] && [ -n "$pids" ] && [ -z "$left" ] && r=0
tap_result_file $r "slurm-local.sh stop ends the daemons it started" "$log"
bash "$slurml" status "$cluster" >"$log" 2>&1
rc=$?
r=1
[ $rc -ne 0 ] && [ "$(grep -c 'not running' "$log")" -eq 3 ] && r=0
tap_result_file $r "slurm-local.sh status then reports all three stopped" "$log"
echo "# slurm_sweep_matches_local: $((SECONDS - t0)) s in all"

tap_end
