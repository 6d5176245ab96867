#!/bin/bash
# SPDX-License-Identifier: MIT
# vm_python_test: the quasar Python binding's tests (python/tests, pytest)
# in the guest, on the device: boots the Python image
# (build/guest/initramfs-python.cpio.gz) with the tests, py_int8_ref and
# py_sample_ref added, runs pytest -v, and prints one TAP line per test
# from its verdicts ("path::test PASSED"). A test that never reported, a pytest that
# did not finish, or a dirty dmesg fails the suite. TAP.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
out=$top/build/check
mkdir -p "$out"
log=$out/vm-python_test-console.log
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

adds=(--add "$top/build/tests/python/py_int8_ref" --add "$top/build/tests/python/py_sample_ref")
for f in "$top"/python/tests/*.py; do
	adds+=(--add "$f:/opt/quasar/tests/$(basename "$f")")
done
cat >"$work/job.sh" <<'GUEST'
cd /opt/quasar/tests || exit 1
python3 -m pytest -p no:cacheprovider -v -rfE --color=no --tb=short 2>&1
rc=$?
echo "QUASAR-PYTEST-EXIT: $rc"
exit $rc
GUEST
bash "$top/scripts/vm.sh" --initrd "$top/build/guest/initramfs-python.cpio.gz" \
	--script "$work/job.sh" "${adds[@]}" --timeout 900 --log "$log" >/dev/null 2>&1
rc=$?

echo "TAP version 13"
# "test_x.py::test_name[id] PASSED   [ 10%]": one TAP line per verdict (an
# id may hold spaces).
tr -d '\r' <"$log" | awk '
	BEGIN { verdict = "(PASSED|FAILED|SKIPPED|ERROR|XFAIL|XPASS)( +\\[ *[0-9]+%\\])?$" }
	$0 ~ "^[^ ]+\\.py::.* " verdict {
		sub(/ +\[ *[0-9]+%\]$/, "")
		v = $NF; name = substr($0, 1, length($0) - length(v) - 1)
		n++
		if (v == "PASSED" || v == "XPASS") line = "ok " n " - " name
		else if (v == "SKIPPED" || v == "XFAIL") line = "ok " n " - " name " # SKIP"
		else line = "not ok " n " - " name
		lines[n] = line
	}
	END {
		print "1.." n
		for (i = 1; i <= n; i++) print lines[i]
	}' >"$work/tap"
cat "$work/tap"
tests=$(grep -c '^\(not \)\?ok ' "$work/tap")
pyrc=$(sed -n 's/^QUASAR-PYTEST-EXIT: \([0-9]*\).*/\1/p' "$log" | tail -n 1)
# pytest's closing line ("== 2 failed, 29 passed in 3.20s ==") counts them too.
summed=$(tr -d '\r' <"$log" | grep -E '^=+ .*[0-9]+ (passed|failed|skipped|error)' | tail -n 1 |
	grep -oE '[0-9]+ (passed|failed|skipped|errors?|xfailed|xpassed)' |
	awk '{s += $1} END {print s + 0}')
if [ "$summed" -ne "$tests" ]; then
	echo "not ok $((tests + 1)) - one verdict per test: pytest counted $summed, the log has $tests"
	exit 1
fi
if [ "$tests" -eq 0 ] || [ -z "$pyrc" ] || [ "$rc" -ne 0 ]; then
	echo "not ok $((tests + 1)) - pytest in the guest finished cleanly" \
		"(pytest exit ${pyrc:-none}, vm.sh exit $rc; console: $log)"
	# Failures' short summaries, for the reader of make check's log.
	tr -d '\r' <"$log" | sed -n '/short test summary/,$p' | head -n 30 | sed 's/^/# /'
	exit 1
fi
exit 0
