#!/bin/bash
# SPDX-License-Identifier: MIT
# Run a list of independent tasks, here on the machine's cores or on a Slurm
# cluster as one job array, and nothing else (docs/codesign-cluster.md).
# usage: sweep.sh --mode local|slurm [--jobs N] --tasks FILE --state DIR
#
#   --mode local   run N tasks at once on this machine (default N: its cores)
#   --mode slurm   submit one job array (sbatch --array=0-(T-1)%N, default N:
#                  every task at once) and wait for it (squeue); DIR must
#                  be on a filesystem the compute nodes share
#   --jobs N       at most N tasks running at the same time
#   --tasks FILE   one task per line, ID<TAB>COMMAND; ID is [A-Za-z0-9._-]+
#                  and unique, COMMAND runs with `bash -c` from the directory
#                  sweep.sh was started in; empty lines and lines starting
#                  with '#' are skipped
#   --state DIR    DIR/log/ID.out, DIR/log/ID.err (every attempt, appended),
#                  DIR/status/ID (the last attempt's exit status), and
#                  DIR/sweep.log (what sweep.sh printed on stderr)
#
# A task that fails (non-zero exit, killed, or in slurm mode no status at
# all: a crashed node or a job Slurm cancelled, recorded as 255) runs once
# more. Progress "sweep: k/N done (f failed), elapsed, left" goes to stderr;
# at the end the IDs still failed, each with the tail of its stderr.
# Environment: SWEEP_SBATCH_OPTS, more sbatch options for slurm mode (e.g.
# "--partition=batch --time=30:00 --account=me"); SWEEP_POLL, seconds
# between slurm-mode progress checks (default 2).
# Exit status: 0 every task succeeded, 1 some failed (or sbatch did),
# 2 usage error.
set -uo pipefail

sweep_usage() { # the header comment above, from its third line
	awk 'NR >= 3 && /^#/ { sub(/^# ?/, ""); print; next } NR >= 3 { exit }' "$0"
}

sweep_usage_error() {
	echo "sweep.sh: $*" >&2
	echo "usage: sweep.sh --mode local|slurm [--jobs N] --tasks FILE --state DIR" >&2
	exit 2
}

mode='' jobs='' tasks_file='' state=''
while [ $# -gt 0 ]; do
	case "$1" in
	-h | --help) sweep_usage; exit 0 ;;
	--mode | --jobs | --tasks | --state)
		[ $# -ge 2 ] || sweep_usage_error "$1 needs an argument"
		case "$1" in
		--mode) mode=$2 ;;
		--jobs) jobs=$2 ;;
		--tasks) tasks_file=$2 ;;
		--state) state=$2 ;;
		esac
		shift 2 ;;
	*) sweep_usage_error "unknown option '$1'" ;;
	esac
done
case "$mode" in
local | slurm) ;;
'') sweep_usage_error "--mode is required (local or slurm)" ;;
*) sweep_usage_error "--mode '$mode': must be local or slurm" ;;
esac
if [ -n "$jobs" ] && ! [[ "$jobs" =~ ^[1-9][0-9]{0,5}$ ]]; then
	sweep_usage_error "--jobs '$jobs': must be a positive integer"
fi
[ -n "$tasks_file" ] || sweep_usage_error "--tasks FILE is required"
[ -n "$state" ] || sweep_usage_error "--state DIR is required"
[ -f "$tasks_file" ] && [ -r "$tasks_file" ] ||
	sweep_usage_error "--tasks '$tasks_file': no such readable file"

# The task file: every line checked before anything runs.
ids=() cmds=()
declare -A line_of=()
lineno=0
while IFS= read -r line || [ -n "$line" ]; do
	lineno=$((lineno + 1))
	line=${line%$'\r'}
	[ -z "$line" ] || [ "${line:0:1}" = "#" ] && continue
	where="$tasks_file:$lineno"
	[[ "$line" == *$'\t'* ]] ||
		sweep_usage_error "$where: no TAB between ID and COMMAND in '$line'"
	id=${line%%$'\t'*}
	cmd=${line#*$'\t'}
	[[ "$id" =~ ^[A-Za-z0-9._-]+$ ]] ||
		sweep_usage_error "$where: ID '$id' has characters outside [A-Za-z0-9._-]"
	[ "$id" != . ] && [ "$id" != .. ] ||
		sweep_usage_error "$where: ID '$id' names a directory, not a file"
	[[ "$cmd" =~ [^[:space:]] ]] || sweep_usage_error "$where: task '$id' has an empty COMMAND"
	[ -z "${line_of[$id]:-}" ] ||
		sweep_usage_error "$where: ID '$id' again (first on line ${line_of[$id]})"
	line_of[$id]=$lineno
	ids+=("$id")
	cmds+=("$cmd")
done <"$tasks_file"
ntasks=${#ids[@]}
[ "$ntasks" -gt 0 ] || sweep_usage_error "--tasks '$tasks_file': no tasks in it"

mkdir -p "$state" || exit 1
state=$(cd "$state" && pwd)
rm -rf "$state/log" "$state/status" "$state/slurm"
mkdir -p "$state/log" "$state/status"
: >"$state/sweep.log"
workdir=$PWD
start=$SECONDS

sweep_say() {
	echo "sweep: $*" | tee -a "$state/sweep.log" >&2
}

sweep_clock() { # seconds -> M:SS or H:MM:SS
	local s=$1
	if [ "$s" -ge 3600 ]; then
		printf '%d:%02d:%02d' $((s / 3600)) $((s % 3600 / 60)) $((s % 60))
	else
		printf '%d:%02d' $((s / 60)) $((s % 60))
	fi
}

# done_count tasks have their final result, failed_count of them a failure.
done_count=0 failed_count=0 retried=()
progress_last=
sweep_progress() { # [k f]: defaults done_count failed_count; once per change
	local k=${1:-$done_count} f=${2:-$failed_count} el=$((SECONDS - start)) left='?'
	[ "$k/$f" != "$progress_last" ] || return 0
	progress_last=$k/$f
	[ "$k" -gt 0 ] && left=$(sweep_clock $(((el * (ntasks - k) + k - 1) / k)))
	sweep_say "$k/$ntasks done ($f failed), $(sweep_clock $el) elapsed, $left left"
}

# The marker a retry leaves in the task's logs, between the two attempts.
sweep_mark_retry() { # index rc
	local id=${ids[$1]} msg
	msg="$id failed (exit $2), running it again (attempt 2 of 2)"
	echo "=== sweep: $msg" >>"$state/log/$id.out"
	echo "=== sweep: $msg" >>"$state/log/$id.err"
	sweep_say "$msg"
	retried+=("$id")
}

# Written whole or not at all (the temporary file outside status/, where no
# ID can name it).
sweep_set_status() { # index rc
	echo "$2" >"$state/.status.tmp" && mv "$state/.status.tmp" "$state/status/${ids[$1]}"
}

# ---- local mode: a pool of at most $jobs tasks. Each task runs in a
# process group of its own (setsid), under a subshell that waits for it: the
# subshell's exit status is the task's, it notes in the task's stderr log a
# task killed by a signal, and the group's id in DIR/run/ID
# lets an interrupted sweep stop every process of the running tasks.
declare -A pid_index=()
sweep_local_stop() {
	local p i
	for p in "${!pid_index[@]}"; do
		i=${pid_index[$p]}
		[ -s "$state/run/${ids[i]}" ] && kill -TERM -- "-$(cat "$state/run/${ids[i]}")" 2>/dev/null
	done
	sweep_say "interrupted: stopped ${#pid_index[@]} running task(s)"
	exit 130
}

sweep_local_start() { # index
	local id=${ids[$1]}
	(
		setsid bash -c "${cmds[$1]}" </dev/null >>"$state/log/$id.out" 2>>"$state/log/$id.err" &
		echo $! >"$state/run/$id"
		wait $! 2>/dev/null
		rc=$?
		[ $rc -le 128 ] || echo "sweep: $id killed by signal $(kill -l $rc) (exit $rc)" >&2
		exit $rc
	) 2>>"$state/log/$id.err" &
	pid_index[$!]=$1
}

sweep_local() {
	local queue=() attempts=() i rc pid reaped
	for ((i = 0; i < ntasks; i++)); do queue+=("$i"); attempts+=(0); done
	[ -n "$jobs" ] || jobs=$(nproc)
	mkdir -p "$state/run"
	trap sweep_local_stop INT TERM
	while [ ${#queue[@]} -gt 0 ] || [ ${#pid_index[@]} -gt 0 ]; do
		while [ ${#queue[@]} -gt 0 ] && [ ${#pid_index[@]} -lt "$jobs" ]; do
			i=${queue[0]}
			queue=("${queue[@]:1}")
			attempts[i]=$((attempts[i] + 1))
			sweep_local_start "$i"
		done
		# wait -n only says that something ended: which ones, and their
		# exit statuses, come from `wait PID` on each that is gone.
		wait -n 2>/dev/null
		reaped=0
		for pid in "${!pid_index[@]}"; do
			kill -0 "$pid" 2>/dev/null && continue
			wait "$pid"
			rc=$?
			i=${pid_index[$pid]}
			unset "pid_index[$pid]"
			reaped=1
			sweep_set_status "$i" "$rc"
			if [ "$rc" -ne 0 ] && [ "${attempts[i]}" -lt 2 ]; then
				sweep_mark_retry "$i" "$rc"
				queue+=("$i")
				continue
			fi
			done_count=$((done_count + 1))
			[ "$rc" -eq 0 ] || failed_count=$((failed_count + 1))
			sweep_progress
		done
		[ "$reaped" -eq 1 ] || sleep 0.2
	done
	rm -rf "$state/run"
	trap - INT TERM
}

# ---- slurm mode: round 1 is an array of every task, round 2 an array of
# those that failed; the job script maps SLURM_ARRAY_TASK_ID to a line of
# the round's task list and leaves the exit status in DIR/slurm/rc/ROUND/ID.
sweep_write_job_script() {
	cat >"$state/slurm/task.sh" <<'JOB'
#!/bin/bash
# Written by sweep.sh: one array task. Arguments: the round's task list,
# the directory to run in, the state directory, the round.
set -u
list=$1 workdir=$2 state=$3 round=$4
line=$(sed -n "$((SLURM_ARRAY_TASK_ID + 1))p" "$list")
id=${line%%$'\t'*}
cmd=${line#*$'\t'}
if [ -z "$line" ]; then
	echo "sweep task: no line $((SLURM_ARRAY_TASK_ID + 1)) in $list" >&2
	exit 1
fi
echo "sweep task: $id on $(hostname), job ${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}" \
	>>"$state/log/$id.err"
cd "$workdir" || { echo 1 >"$state/slurm/rc/$round/$id"; exit 1; }
bash -c "$cmd" </dev/null >>"$state/log/$id.out" 2>>"$state/log/$id.err"
rc=$?
[ $rc -le 128 ] || echo "sweep: $id killed by signal $(kill -l $rc) (exit $rc)" >>"$state/log/$id.err"
tmp=$state/slurm/rc/.$round.$SLURM_JOB_ID
echo "$rc" >"$tmp" && mv "$tmp" "$state/slurm/rc/$round/$id"
exit "$rc"
JOB
	chmod +x "$state/slurm/task.sh"
}

slurm_jobs=()
sweep_slurm_stop() {
	[ ${#slurm_jobs[@]} -eq 0 ] || scancel "${slurm_jobs[@]}" 2>/dev/null
	sweep_say "interrupted: cancelled Slurm job(s) ${slurm_jobs[*]:-(none submitted yet)}"
	exit 130
}

# The most tasks one array may have: the cluster's MaxArraySize (array
# indexes run from 0 to MaxArraySize - 1).
sweep_slurm_max_array() {
	local m
	m=$(scontrol show config 2>/dev/null | sed -n 's/^MaxArraySize *= *\([0-9]*\).*/\1/p')
	[[ "$m" =~ ^[1-9][0-9]*$ ]] || m=1001
	echo "$m"
}

# sweep_slurm_round ROUND INDEXES...: submit them as one job array (or, past
# the cluster's MaxArraySize, as several), wait for them, and set rc[] for
# each (255 when the task left no status).
declare -A rc=()
sweep_slurm_round() {
	local round=$1 n i c nchunks size throttle last=-1 finished f id opts=() tag job label
	local -a chunk
	shift
	n=$#
	size=$(sweep_slurm_max_array)
	nchunks=$(((n + size - 1) / size))
	# --jobs bounds the whole round: shared out between the arrays.
	throttle=${jobs:-$n}
	throttle=$(((throttle + nchunks - 1) / nchunks))
	mkdir -p "$state/slurm/rc/$round"
	read -r -a opts <<<"${SWEEP_SBATCH_OPTS:-}"
	slurm_jobs=()
	for ((c = 0; c < nchunks; c++)); do
		chunk=("${@:$((c * size + 1)):size}")
		tag=round$round label="round $round"
		[ "$nchunks" -eq 1 ] || tag=round$round-part$((c + 1)) label="round $round part $((c + 1))"
		: >"$state/slurm/$tag.tsv"
		for i in "${chunk[@]}"; do
			printf '%s\t%s\n' "${ids[i]}" "${cmds[i]}" >>"$state/slurm/$tag.tsv"
		done
		if ! job=$(sbatch --parsable --array="0-$((${#chunk[@]} - 1))%$throttle" \
			--job-name="sweep-$(basename "$state")-$tag" \
			--output="$state/slurm/$tag-%a.log" --chdir="$workdir" "${opts[@]}" \
			"$state/slurm/task.sh" "$state/slurm/$tag.tsv" "$workdir" "$state" "$round" \
			2>"$state/slurm/$tag.sbatch.err") || [ -z "$job" ]; then
			sweep_say "$label: sbatch submitted nothing:"
			sed 's/^/    /' "$state/slurm/$tag.sbatch.err" | tee -a "$state/sweep.log" >&2
			sweep_say "(the cluster's configuration: SLURM_CONF=${SLURM_CONF:-unset};" \
				"a single-node cluster here: scripts/slurm-local.sh start DIR)"
			[ ${#slurm_jobs[@]} -eq 0 ] || scancel "${slurm_jobs[@]}" 2>/dev/null
			return 1
		fi
		job=${job%%;*}
		slurm_jobs+=("$job")
		sweep_say "$label: Slurm job array $job, ${#chunk[@]} task(s)"
	done
	while :; do
		# Progress: the tasks that ended this round, counted as done
		# unless a failure will be retried.
		# (rc/ROUND/ has a file per task of the round that ended.)
		c=$(find "$state/slurm/rc/$round" -type f | wc -l)
		finished=$(find "$state/slurm/rc/$round" -type f -exec grep -lx 0 {} + | wc -l)
		f=0
		[ "$round" -eq 1 ] || f=$((c - finished)) finished=$c
		if [ "$finished" -ne "$last" ]; then
			last=$finished
			[ "$finished" -eq 0 ] ||
				sweep_progress $((done_count + finished)) $((failed_count + f))
		fi
		[ "$c" -lt "$n" ] && sweep_slurm_queued || break
		sleep "${SWEEP_POLL:-2}" &
		wait $! 2>/dev/null
	done
	slurm_jobs=()
	for i in "$@"; do
		id=${ids[i]}
		if [ -f "$state/slurm/rc/$round/$id" ]; then
			rc[$i]=$(cat "$state/slurm/rc/$round/$id")
		else
			rc[$i]=255
			echo "sweep: no exit status from Slurm for $id (node crashed, job cancelled" \
				"or timed out; see $state/slurm/round$round*.log)" >>"$state/log/$id.err"
		fi
		sweep_set_status "$i" "${rc[$i]}"
	done
}

# True while squeue lists a task of the round's arrays. A job Slurm has
# already forgotten is "Invalid job id"; any other squeue error (the
# controller busy or restarting) counts as still queued, said once: a task
# must never run twice at the same time.
sweep_slurm_queued() {
	local job out
	for job in "${slurm_jobs[@]}"; do
		if out=$(squeue -h -j "$job" -o %i 2>&1); then
			[ -z "$out" ] || return 0
		elif [[ "$out" != *"Invalid job id"* ]]; then
			[ -n "${squeue_said:-}" ] || sweep_say "squeue failed, waiting: $out"
			squeue_said=1
			return 0
		fi
	done
	return 1
}

sweep_slurm() {
	local i again=() all=()
	command -v sbatch >/dev/null || { sweep_say "sbatch not found (Slurm's client tools)"; exit 1; }
	mkdir -p "$state/slurm"
	sweep_write_job_script
	trap sweep_slurm_stop INT TERM
	for ((i = 0; i < ntasks; i++)); do all+=("$i"); done
	sweep_slurm_round 1 "${all[@]}" || exit 1
	for i in "${all[@]}"; do
		if [ "${rc[$i]}" -eq 0 ]; then
			done_count=$((done_count + 1))
		else
			sweep_mark_retry "$i" "${rc[$i]}"
			again+=("$i")
		fi
	done
	sweep_progress
	if [ ${#again[@]} -gt 0 ]; then
		sweep_slurm_round 2 "${again[@]}" || exit 1
		for i in "${again[@]}"; do
			done_count=$((done_count + 1))
			[ "${rc[$i]}" -eq 0 ] || failed_count=$((failed_count + 1))
		done
		sweep_progress
	fi
	trap - INT TERM
}

sweep_say "$ntasks task(s) from $tasks_file, mode $mode${jobs:+, at most $jobs at once}, state $state"
if [ "$mode" = local ]; then sweep_local; else sweep_slurm; fi

# The end: every task has a status file; the failed ones are listed.
failed=()
for id in "${ids[@]}"; do
	[ "$(cat "$state/status/$id")" = 0 ] || failed+=("$id")
done
sweep_say "$((ntasks - ${#failed[@]})) of $ntasks succeeded, ${#failed[@]} failed," \
	"${#retried[@]} retried, in $(sweep_clock $((SECONDS - start)))"
[ ${#failed[@]} -eq 0 ] && exit 0
for id in "${failed[@]}"; do
	sweep_say "FAILED $id (exit $(cat "$state/status/$id")), last lines of $state/log/$id.err:"
	tail -n 8 "$state/log/$id.err" | sed 's/^/    /' | tee -a "$state/sweep.log" >&2
done
exit 1
