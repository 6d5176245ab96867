#!/bin/bash
# SPDX-License-Identifier: MIT
# tools_cli_test: every program keeps the command-line conventions
# (docs/architecture.md "Command-line conventions", tools/tool_cli.h):
# --help and -h print the usage on stdout and exit 0; --version prints
# "NAME (Quasar) X.Y.Z" with accel.h's version; a bad option value and an
# unknown option exit 2 with a message naming the option and the value;
# a device that cannot be opened exits 1 naming it (--device, then
# $ACCEL_DEVICE). Then what the conventions carry: accel-eval --json has
# the table's figures, the training progress says k/N and time left and
# the curve has a line per step, and help2man makes a man page from --help.
# The guest tools run here too, with build/libaccel on LD_LIBRARY_PATH.
# TAP.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/tap.sh"
b=$top/build
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export LD_LIBRARY_PATH=$b/libaccel${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
unset ACCEL_DEVICE MDL_THREADS

# run OUT ERR PROGRAM ARGS...: the exit status, stdout and stderr apart
run() {
	local out=$1 err=$2; shift 2
	"$@" >"$out" 2>"$err"
}

version=$(sed -n 's/^#define ACCEL_VERSION_\(MAJOR\|MINOR\|PATCH\) //p' \
	"$top/libaccel/include/accel.h" | paste -sd.)
# PROGRAM  a bad value of one of its options
progs=(
	"tools/accel-info --device"
	"tools/accel-demo --device"
	"tools/accel-stats --group:48 -m:0 --act:tanh --seed:x"
	"models/accel-eval --threads:x --threads:65 --calib-mode:best --windows:-1"
	"models/mdl-train-lm --steps:0 --heads:x --lr:fast"
	"models/mdl-train-cls --epochs:-3 --hidden:12,,4 --batch:1e3"
	"models/mdl-qat --kd:2 --act:a4 --threads:0"
	"models/mdl-cls-fwrun --batch:0 --limit:ten"
	"models/mdl-lm-fwrun --tokens:0 --offset:0x"
	"bench/accel-bench --roundtrips:0 --jobs:x --gemv-reps:-1"
	"bench/dp_bench --only:nope"
	"bench/cost-sweep --csv:/nonexistent/dir/cost.csv"
	"codesign/accel-codesign --decode:0 --limit:x --max-delta-bpb:lots --model:gpt"
	"models/accel-mixprec --sel-windows:0 --metric:fast --budgets-uj:x --cands:int3/a16"
)

tap_begin $((${#progs[@]} * 4 + 9))
for entry in "${progs[@]}"; do
	read -r path bads <<<"$entry"
	name=${path##*/}
	prog=$b/$path
	log=$work/$name.log

	: >"$log"
	ok=0
	for h in --help -h; do
		run "$work/out" "$work/err" "$prog" $h
		rc=$?
		{ echo "$name $h: exit $rc"; cat "$work/out" "$work/err"; } >>"$log"
		[ $rc -eq 0 ] && [ ! -s "$work/err" ] && head -1 "$work/out" | grep -q "^Usage: $name " &&
			grep -q -- '--version' "$work/out" || ok=1
	done
	cmp -s <("$prog" --help) <("$prog" -h) || { echo "-h differs from --help" >>"$log"; ok=1; }
	tap_result_file $ok "$name --help and -h: usage on stdout, exit 0" "$log"

	run "$work/out" "$work/err" "$prog" --version
	rc=$?
	{ echo "$name --version: exit $rc"; cat "$work/out" "$work/err"; } >"$log"
	[ $rc -eq 0 ] && [ "$(cat "$work/out")" = "$name (Quasar) $version" ]
	tap_result_file $? "$name --version prints '$name (Quasar) $version'" "$log"

	# a bad value: exit 2, the message names the option and the value
	: >"$log"
	ok=0
	if [ "${bads%%:*}" = --csv ]; then
		# an output file that cannot be written fails (1), named
		run "$work/out" "$work/err" "$prog" --csv "${bads#*:}"
		rc=$?
		{ echo "$name --csv ${bads#*:}: exit $rc"; cat "$work/err"; } >"$log"
		[ $rc -eq 1 ] && grep -qF -- "$name: --csv ${bads#*:}: " "$work/err"
		tap_result_file $? "$name: an output it cannot write fails (1) naming it" "$log"
	elif [ "$bads" = --device ]; then
		# the device tools: a node that is not there fails (1), named
		for how in flag env; do
			if [ $how = flag ]; then
				run "$work/out" "$work/err" "$prog" --device /dev/accel/no-such-node
			else
				ACCEL_DEVICE=/dev/accel/no-such-node run "$work/out" "$work/err" "$prog"
			fi
			rc=$?
			{ echo "$name ($how): exit $rc"; cat "$work/err"; } >>"$log"
			[ $rc -eq 1 ] && grep -q "^$name: .*/dev/accel/no-such-node" "$work/err" || ok=1
		done
		tap_result_file $ok "$name: --device and \$ACCEL_DEVICE name the node that failed (exit 1)" \
			"$log"
	else
		for bad in $bads; do
			opt=${bad%%:*} val=${bad#*:}
			run "$work/out" "$work/err" "$prog" "$opt" "$val"
			rc=$?
			{ echo "$name $opt $val: exit $rc"; cat "$work/err"; } >>"$log"
			[ $rc -eq 2 ] && grep -qF -- "$name: $opt '$val'" "$work/err" || ok=1
		done
		tap_result_file $ok "$name: a bad value exits 2 naming option and value ($bads)" "$log"
	fi

	run "$work/out" "$work/err" "$prog" --no-such-option
	rc=$?
	{ echo "$name --no-such-option: exit $rc"; cat "$work/err"; } >"$log"
	[ $rc -eq 2 ] && grep -qF -- "$name: unknown option '--no-such-option'" "$work/err" &&
		grep -qF -- "Try '$name --help'" "$work/err"
	tap_result_file $? "$name: an unknown option exits 2 and names it" "$log"
done

# accel-stats, whose bad-value row above is its options, names the node too
run "$work/out" "$work/err" "$b/tools/accel-stats" --device /dev/accel/no-such-node
rc=$?
{ echo "exit $rc"; cat "$work/err"; } >"$work/stats-dev.log"
[ $rc -eq 1 ] && grep -q "^accel-stats: opening /dev/accel/no-such-node failed: " "$work/err"
tap_result_file $? "accel-stats: a node that cannot be opened is named (exit 1)" "$work/stats-dev.log"

# the VM runner: --help on stdout (exit 0), an unknown argument named (exit 2)
run "$work/out" "$work/err" bash "$top/scripts/vm.sh" --help
rc=$?
run "$work/out2" "$work/err2" bash "$top/scripts/vm.sh" --no-such-option
rc2=$?
cat "$work/out" "$work/err" "$work/err2" >"$work/vm.log"
[ $rc -eq 0 ] && [ ! -s "$work/err" ] && grep -q "^usage: vm.sh " "$work/out" &&
	grep -q -- "--shell" "$work/out" && [ $rc2 -eq 2 ] &&
	grep -qF "vm.sh: unknown argument --no-such-option" "$work/err2"
tap_result_file $? "vm.sh --help prints the usage (exit 0); an unknown argument exits 2 naming it" \
	"$work/vm.log"

# mdl-train-lm -h is help, --heads the heads (it was -h once)
run "$work/out" "$work/err" "$b/models/mdl-train-lm" --heads 2
rc=$?
{ echo "exit $rc"; cat "$work/err"; } >"$work/heads.log"
[ $rc -eq 2 ] && grep -qF "needed" "$work/err"
tap_result_file $? "mdl-train-lm --heads takes a value (and still wants --data and --out)" "$work/heads.log"

# accel-eval --json: one object per row, the same figures as the table
fm=/usr/share/datasets/fashion-mnist
eval_args=(--data "$fm" --limit 500 --variants int8/a16/rtn,int4-g32/a16/rtn --threads 2
	"$top/models/ckpt/fmnist-mlp.bin")
"$b/models/accel-eval" "${eval_args[@]}" >"$work/eval.txt" 2>"$work/eval.err" &&
	"$b/models/accel-eval" --json "${eval_args[@]}" >"$work/eval.json" 2>"$work/eval.jerr"
rc=$?
python3 - "$work/eval.txt" "$work/eval.json" >"$work/json.log" 2>&1 <<'PY'
import json, sys
text = [l.split() for l in open(sys.argv[1])]
rows = {l[0]: l for l in text if l and l[0] in ("fp32", "int8/a16/rtn", "int4-g32/a16/rtn")}
objs = [json.loads(l) for l in open(sys.argv[2])]
print(len(objs), "objects;", len(rows), "table rows")
assert [o["variant"] for o in objs] == ["fp32", "int8/a16/rtn", "int4-g32/a16/rtn"], objs
for o in objs:
    t = rows[o["variant"]]
    assert o["model"] == "cls" and o["on"] == "host", o
    assert int(t[1]) == o["weight_bytes"], (t, o)
    assert "%.2f" % o["bits_per_weight"] == t[2], (t, o)
    assert "%.4f" % o["top1"] == t[3], (t, o)
    if o["variant"] != "fp32":
        assert "%+.4f" % o["delta"] == t[4] and "%.4f" % o["agree"] == t[5], (t, o)
        # the delta's paired bootstrap interval, around the delta
        assert "[%+.4f," % o["delta_lo"] == t[7] and "%+.4f]" % o["delta_hi"] == t[8], (t, o)
        assert o["delta_lo"] <= o["delta"] <= o["delta_hi"], o
print("every row's figures agree")
PY
pyrc=$?
[ $rc -eq 0 ] && [ $pyrc -eq 0 ] && grep -q "^int4-g32/a16/rtn " "$work/eval.jerr"
tap_result_file $? "accel-eval --json: one object per row with the table's figures (table on stderr)" \
	"$work/json.log"

# accel-eval --vs-default: a hyperparameter spelled at its default differs by
# exactly 0; another value by its metric's difference, inside its interval;
# a value without its default listed before it is a usage error
vs_args=(--data "$fm" --limit 300 --threads 2 --vs-default --csv "$work/vs.csv"
	--variants int4-g32/a16/gptq,int4-g32/a16/gptq:damp=0.01,int4-g32/a16/gptq:damp=5
	"$top/models/ckpt/fmnist-mlp.bin")
run "$work/out" "$work/err" "$b/models/accel-eval" "${vs_args[@]}"
rc=$?
run "$work/out2" "$work/err2" "$b/models/accel-eval" --vs-default \
	--variants int4-g32/a16/gptq:damp=0.1 "$top/models/ckpt/fmnist-mlp.bin"
rc2=$?
{ echo "exit $rc, $rc2"; cat "$work/err" "$work/vs.csv" "$work/err2"; } >"$work/vs.log"
[ $rc -eq 0 ] && [ $rc2 -eq 2 ] &&
	grep -qF "int4-g32/a16/gptq:damp=0.1 needs int4-g32/a16/gptq listed before it" "$work/err2" &&
	awk -F, '
	NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
	{ t[$2] = $(h["top1"]); v[$2] = $(h["vs_default"]); lo[$2] = $(h["vs_default_lo"])
	  hi[$2] = $(h["vs_default_hi"]) }
	END {
		d = "int4-g32/a16/gptq"; s = d ":damp=0.01"; o = d ":damp=5"
		exit !(v[d] == "" && v[s] == 0 && lo[s] == 0 && hi[s] == 0 &&
		       t[s] == t[d] && sprintf("%.6f", t[o] - t[d]) == v[o] &&
		       lo[o] <= v[o] && v[o] <= hi[o])
	}' "$work/vs.csv"
tap_result_file $? "accel-eval --vs-default: the default spelled out differs by 0, another value by its difference inside its interval; one without its default first is refused" \
	"$work/vs.log"

# progress: k/N, elapsed and time left per step; the curve's CSV, a line per step
moby=$(sed -n 's/^MOBY_DICK_VERSION *:\?= *//p' "$top/versions.mk")
moby=${QUASAR_CACHE:-/var/cache/quasar}/data/moby-dick-$moby/data
run "$work/out" "$work/err" "$b/models/mdl-train-lm" --data "$moby" --out "$work/tiny.bin" \
	--steps 4 --log-every 2 --dim 16 --hidden 32 --layers 1 --heads 2 --seq 16 --batch 2 \
	--threads 1 --curve "$work/curve.csv"
rc=$?
{ echo "exit $rc"; cat "$work/err"; echo "curve:"; cat "$work/curve.csv"; } >"$work/prog.log"
[ $rc -eq 0 ] &&
	grep -Eq '^mdl-train-lm: step 2/4 \(50%\), [0-9]+:[0-9]{2} elapsed, [0-9]+:[0-9]{2} left, loss [0-9.]+' "$work/err" &&
	grep -Eq '^mdl-train-lm: step 4/4 \(100%\), .*, 0:00 left' "$work/err" &&
	[ "$(head -1 "$work/curve.csv")" = "step,loss,loss_smoothed,lr,grad_norm" ] &&
	[ "$(tail -n +2 "$work/curve.csv" | cut -d, -f1 | paste -sd' ')" = "1 2 3 4" ]
tap_result_file $? "mdl-train-lm: progress lines with k/N and time left; --curve a line per step" \
	"$work/prog.log"
gnuplot -e "csv='$work/curve.csv'; out='$work/curve.png'; what='tiny'" \
	"$top/models/programs/loss_curve.gp" >"$work/plot.log" 2>&1 &&
	[ "$(head -c 4 "$work/curve.png" | od -An -c | tr -d ' ')" = '211PNG' ]
tap_result_file $? "the loss curve plots to a PNG (loss_curve.gp)" "$work/plot.log"

# the man page is the --help text, through help2man
bash "$top/scripts/mkman.sh" "$b/tools/accel-stats" "$work/accel-stats.1" "$b/libaccel" \
	>"$work/man.log" 2>&1 &&
	grep -q '^accel-stats \\- runs one GEMM on the Quasar device, checked' "$work/accel-stats.1" &&
	grep -qF '\-\-priority' "$work/accel-stats.1" &&
	grep -q "$version" "$work/accel-stats.1"
tap_result_file $? "mkman.sh: accel-stats.1 from --help (NAME, options) and --version" "$work/man.log"

# JSON output is valid JSON and escapes what it must (tool_json via accel-eval --tag)
"$b/models/accel-eval" --json --tag 'q"uo\te' --data "$fm" --limit 100 --variants int8/a16/rtn \
	--threads 2 "$top/models/ckpt/fmnist-mlp.bin" 2>/dev/null |
	python3 -c 'import json, sys
o = [json.loads(l) for l in sys.stdin][1]
assert o["variant"] == "int8/a16/q\"uo\\te" and o["algo"] == "q\"uo\\te", o' >"$work/esc.log" 2>&1
tap_result_file $? "--json escapes quotes and backslashes in names" "$work/esc.log"

tap_end
