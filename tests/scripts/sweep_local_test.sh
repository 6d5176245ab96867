#!/bin/bash
# SPDX-License-Identifier: MIT
# sweep_local_test: scripts/sweep.sh --mode local keeps the sweep contract
# (docs/codesign-cluster.md): a task that fails once runs again and
# succeeds; a task that always fails, or is killed, is retried once, then
# listed with its stderr and the sweep exits 1 while the others still
# complete; --jobs N runs N at once and never more; the results equal
# running the same commands one after the other; a malformed task file or
# option is refused with exit 2 naming the line or the option, before any
# task runs; slurm mode without a cluster exits 1 with sbatch's message.
# TAP.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/tap.sh"
sweep=$top/scripts/sweep.sh
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# check FILE COND...: COND (a command) must hold, else its text goes to FILE
check() {
	local f=$1; shift
	"$@" && return 0
	echo "expected: $*" >>"$f"
	return 1
}

tap_begin 16

# 1-3: retries. "flaky" fails the first time (no marker yet), "broken"
# always fails with a message of its own, "killed" kills its own shell.
cd "$work" || exit 1
{
	printf 'good\techo good >good.res\n'
	printf 'flaky\tif [ -f flaky.once ]; then echo second >flaky.res; else touch flaky.once; echo "flaky: first try" >&2; exit 3; fi\n'
	printf 'broken\techo "broken: no such variant q9" >&2; echo try >>broken.tries; exit 4\n'
	printf 'killed\techo try >>killed.tries; kill -KILL $$\n'
} >retry.tsv
bash "$sweep" --mode local --jobs 2 --tasks retry.tsv --state st-retry >retry.out 2>retry.err
rc=$?
log=$work/retry.log
{ echo "sweep exit $rc"; cat retry.err; } >"$log"
ok=0
check "$log" [ "$(cat st-retry/status/flaky)" = 0 ] || ok=1
check "$log" [ "$(cat flaky.res 2>/dev/null)" = second ] || ok=1
check "$log" grep -q 'flaky: first try' st-retry/log/flaky.err || ok=1
check "$log" grep -q '^sweep: flaky failed (exit 3), running it again' retry.err || ok=1
tap_result_file $ok "a task that fails once is retried and succeeds" "$log"

ok=0
check "$log" [ $rc -eq 1 ] || ok=1
check "$log" [ "$(cat st-retry/status/broken)" = 4 ] || ok=1
check "$log" [ "$(wc -l <broken.tries)" -eq 2 ] || ok=1
check "$log" grep -q '^sweep: FAILED broken (exit 4)' retry.err || ok=1
check "$log" grep -q '^    broken: no such variant q9' retry.err || ok=1
check "$log" [ "$(cat good.res 2>/dev/null)" = good ] || ok=1
check "$log" [ "$(cat st-retry/status/good)" = 0 ] || ok=1
check "$log" grep -q '^sweep: 2 of 4 succeeded, 2 failed, 3 retried' retry.err || ok=1
tap_result_file $ok "a task that always fails runs twice, is listed with its stderr, exit 1" "$log"

ok=0
check "$log" [ "$(cat st-retry/status/killed)" = 137 ] || ok=1
check "$log" [ "$(wc -l <killed.tries)" -eq 2 ] || ok=1
check "$log" grep -q '^sweep: FAILED killed (exit 137)' retry.err || ok=1
check "$log" grep -q 'killed by signal KILL' st-retry/log/killed.err || ok=1
tap_result_file $ok "a killed task is retried once, then reported as killed" "$log"

# 4: progress lines, k/N with the failures, each k once, ending at N/N.
log=$work/progress.log
grep '^sweep: [0-9]*/4 done' retry.err >"$log"
ok=0
check "$log" [ "$(sed -n 's|^sweep: \([0-9]*\)/4 done.*|\1|p' "$log" | paste -sd,)" = 1,2,3,4 ] || ok=1
check "$log" grep -qE '^sweep: 4/4 done \(2 failed\), [0-9]+:[0-9]{2} elapsed, [0-9]+:[0-9]{2} left$' "$log" || ok=1
check "$log" cmp -s retry.err st-retry/sweep.log || ok=1
tap_result_file $ok "progress 'k/N done (f failed), elapsed, left' once per finished task" "$log"

# 5-6: --jobs 3 over 9 tasks: the first three wait for each other (a
# barrier that only opens when all three have started), and no task ever
# sees more than three running.
{
	for i in 1 2 3 4 5 6 7 8 9; do
		printf 't%d\tbash %s/conc.sh %d\n' "$i" "$work" "$i"
	done
} >conc.tsv
cat >conc.sh <<'EOF'
# one task of the concurrency check: count itself in among the running and
# record the count; the first three also arrive at a barrier (arrivals are
# never removed) and wait, up to 60 s, for all three: none of them can end
# before the third has started, so three ran at once
mkdir -p running arrived
touch "running/$1"
ls running | wc -l >>"seen.$1"
if [ "$1" -le 3 ]; then
	touch "arrived/$1"
	for _ in $(seq 600); do
		[ "$(ls arrived | wc -l)" -ge 3 ] && break
		sleep 0.1
	done
	[ "$(ls arrived | wc -l)" -ge 3 ] || { echo "barrier: alone after 60 s" >&2; rm "running/$1"; exit 1; }
fi
sleep 0.2
rm "running/$1"
EOF
bash "$sweep" --mode local --jobs 3 --tasks conc.tsv --state st-conc >conc.out 2>conc.err
rc=$?
log=$work/conc.log
{ echo "sweep exit $rc"; cat conc.err; } >"$log"
max=$(cat seen.* | sort -n | tail -n 1)
echo "most running seen by a task: $max" >>"$log"
r=1
[ $rc -eq 0 ] && [ "$max" -eq 3 ] && r=0
tap_result_file $r "--jobs 3 runs three tasks at once" "$log"
r=1
[ $rc -eq 0 ] && [ "$max" -le 3 ] && r=0
tap_result_file $r "--jobs 3 never runs more than three" "$log"

# 7: the results equal the same commands run one after the other. Each
# task writes a file from a computation of its own and sleeps a length
# that makes them finish out of order.
{
	for i in $(seq 0 11); do
		printf 'p%02d\tsleep 0.%d; seq %d 7 %d | awk "{s += \\$1 * \\$1} END {print \\"p%02d\\", s}" >res/p%02d.txt\n' \
			"$i" $(((11 - i) % 4)) "$i" $((1000 + 97 * i)) "$i" "$i"
	done
} >calc.tsv
mkdir -p res
bash "$sweep" --mode local --jobs 4 --tasks calc.tsv --state st-calc >/dev/null 2>calc.err
rc=$?
cat res/*.txt >parallel.txt
rm -rf res && mkdir res
while IFS=$'\t' read -r _ cmd; do bash -c "$cmd"; done <calc.tsv
cat res/*.txt >serial.txt
log=$work/calc.log
{ echo "sweep exit $rc"; cat calc.err; diff parallel.txt serial.txt; } >"$log"
r=1
[ $rc -eq 0 ] && [ "$(wc -l <serial.txt)" -eq 12 ] && cmp -s parallel.txt serial.txt && r=0
tap_result_file $r "results equal the serial run of the same 12 tasks" "$log"

# 8: every task has its status, its logs, and nothing is left running.
ok=0
log=$work/state.log
: >"$log"
for i in $(seq 0 11); do
	id=$(printf 'p%02d' "$i")
	check "$log" [ "$(cat "st-calc/status/$id")" = 0 ] || ok=1
	check "$log" [ -f "st-calc/log/$id.out" ] || ok=1
	check "$log" [ -f "st-calc/log/$id.err" ] || ok=1
done
check "$log" [ ! -e st-calc/run ] || ok=1
tap_result_file $ok "DIR/status/ID and DIR/log/ID.{out,err} for every task" "$log"

# 9-15: refused before anything runs, exit 2, naming the line or option.
refuse() { # name expected-message-regex sweep-args...
	local name=$1 want=$2 rc r
	shift 2
	rm -f ran
	bash "$sweep" "$@" >refuse.out 2>refuse.err
	rc=$?
	log=$work/refuse-$tap_n.log
	{ echo "sweep $*: exit $rc"; cat refuse.err; } >"$log"
	r=1
	[ $rc -eq 2 ] && [ ! -e ran ] && grep -qE -- "$want" refuse.err && r=0
	tap_result_file $r "$name" "$log"
}
printf 'a\ttouch ran\nb touch ran\n' >notab.tsv
refuse "a line without a TAB is refused naming its number" \
	"notab.tsv:2: no TAB between ID and COMMAND" --mode local --tasks notab.tsv --state st-x
printf 'a\ttouch ran\n\n# note\nb/c\ttouch ran\n' >badid.tsv
refuse "an ID outside [A-Za-z0-9._-] is refused naming its line" \
	"badid.tsv:4: ID 'b/c' has characters outside" --mode local --tasks badid.tsv --state st-x
printf 'a\ttouch ran\n..\ttrue\n' >dotdot.tsv
refuse "an ID '..' (a directory) is refused naming its line" \
	"dotdot.tsv:2: ID '..' names a directory" --mode local --tasks dotdot.tsv --state st-x
printf 'a\ttouch ran\nb\ttrue\na\ttrue\n' >dup.tsv
refuse "a repeated ID is refused naming both lines" \
	"dup.tsv:3: ID 'a' again \(first on line 1\)" --mode local --tasks dup.tsv --state st-x
printf 'a\ttouch ran\nb\t \n' >empty.tsv
refuse "an empty COMMAND is refused naming its line" \
	"empty.tsv:2: task 'b' has an empty COMMAND" --mode local --tasks empty.tsv --state st-x
refuse "an unknown mode is refused naming it" \
	"--mode 'cloud': must be local or slurm" --mode cloud --tasks dup.tsv --state st-x
refuse "a bad --jobs is refused naming it" \
	"--jobs '0': must be a positive integer" --mode local --jobs 0 --tasks calc.tsv --state st-x

# 16: slurm mode with no cluster to reach: exit 1 with sbatch's own words
# (or that there is no sbatch), nothing run.
rm -f ran
printf 'a\ttouch ran\n' >one.tsv
SLURM_CONF=$work/no-such-slurm.conf bash "$sweep" --mode slurm --tasks one.tsv --state st-ns \
	>/dev/null 2>ns.err
rc=$?
log=$work/ns.log
{ echo "sweep exit $rc"; cat ns.err; } >"$log"
r=1
[ $rc -eq 1 ] && [ ! -e ran ] &&
	grep -qE '^sweep: (round 1: sbatch submitted nothing|sbatch not found)' ns.err && r=0
tap_result_file $r "slurm mode without a reachable cluster exits 1 with sbatch's message" "$log"

tap_end
