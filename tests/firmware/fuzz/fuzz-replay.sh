#!/bin/bash
# SPDX-License-Identifier: MIT
# Replay the committed libFuzzer corpus (tests/firmware/fuzz/corpus/<target>/) through
# each target once, as TAP: one test per target, fuzz_replay_<target>. Every
# file runs, crash reproducers included; any sanitizer report or broken
# invariant fails the target. Installed by tests/firmware/fuzz/fuzz.mk with paths.
set -uo pipefail
out=@FUZZ_OUT@
corpus=@FUZZ_CORPUS@
targets=(@FUZZ_TARGETS@)
pass=0 fail=0 n=0
echo "TAP version 13"
echo "1..${#targets[@]}"
for t in "${targets[@]}"; do
	n=$((n + 1))
	files=("$corpus/$t"/*)
	log=$out/replay-$t.log
	if [ ! -e "${files[0]}" ]; then
		echo "# no corpus in $corpus/$t"
		echo "not ok $n fuzz_replay_$t"
		fail=$((fail + 1))
		continue
	fi
	# Listing the files runs each exactly once (no mutation).
	if "$out/fuzz_$t" -runs=1 "${files[@]}" >"$log" 2>&1 &&
		[ "$(grep -c '^Executed ' "$log")" -eq "${#files[@]}" ]; then
		echo "# fuzz_$t: ${#files[@]} inputs replayed clean"
		echo "ok $n fuzz_replay_$t"
		pass=$((pass + 1))
	else
		grep -E 'ERROR|SUMMARY|runtime error|Running:' "$log" | tail -n 8 | sed 's/^/# /'
		echo "not ok $n fuzz_replay_$t (log: $log)"
		fail=$((fail + 1))
	fi
done
echo "# Totals: pass:$pass fail:$fail xfail:0 xpass:0 skip:0 error:0"
[ "$fail" -eq 0 ]
