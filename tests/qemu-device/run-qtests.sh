#!/bin/bash
# SPDX-License-Identifier: MIT
# Build and run the Quasar device's qtests: every qtest_<section>_test.c of
# tests/qemu-device/, built inside QEMU's tree as quasar-<section>-test
# (scripts/build-qemu.sh). TAP on stdout, each program's followed by its
# "# Totals:" line; the exit status is the result.
#
#   tests/qemu-device/run-qtests.sh [gtest args]
#
# The arguments go to every program; with -p or -s only the programs that
# then have a test to run are run, e.g.
#
#   tests/qemu-device/run-qtests.sh -p /x86_64/quasar/boot/rejects_bad_magic
#   QUASAR_QTEST_SEED=0x1234 tests/qemu-device/run-qtests.sh -p /x86_64/quasar/fuzz
#
# (QUASAR_QTEST_SEED: the fuzzers' seed, docs/fuzzing.md; QUASAR_QTEST_QEMU:
# another QEMU binary, e.g. the sanitized one of run-qtests-san.sh.)
#
# The firmware image and the QEMU ROM must come from the same firmware
# sources (their build ids must match), so this rebuilds both first: the
# image and QEMU (with the device and the ROM), both with make.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
eval "$(sed -n 's/^\([A-Z_]*\) [:?]= \(.*\)$/\1="${\1:-\2}"/p' "$top/versions.mk")"
qroot="$QUASAR_CACHE/qemu-$QEMU_UPSTREAM"
qbuild="$qroot/build"
roms="$QUASAR_CACHE/roms-$QEMU_PKG_VERSION"
out="$top/build/qtest"
image="${QUASAR_FW_IMAGE:-$top/build/fw/quasar-fw.bin}"

# The programs, named as build-qemu.sh names them in QEMU's tree.
progs=()
for src in "$here"/qtest_*_test.c; do
	name=${src##*/qtest_}
	name=${name%_test.c}
	progs+=("quasar-${name//_/-}-test")
done

# Progress goes to stderr so that stdout stays pure TAP.
make -s -C "$top" "$top/build/fw/quasar-fw.bin" >&2
mkdir -p "$out/bin"
# One hold of the tree's lock for QEMU and the qtests: another checkout's
# build in between would copy its own tests over these, and remove the
# ones it does not have.
(
	flock 9
	QUASAR_QEMU_LOCK_HELD=1 make -s -C "$top" qemu >&2
	ninja -C "$qbuild" "${progs[@]/#/tests/qtest/}" >"$qbuild/ninja-qtest.log.txt" 2>&1 ||
		{ grep -E 'error' "$qbuild/ninja-qtest.log.txt" | head -n 40 >&2; exit 1; }
	# Copied while the lock is held: another checkout may build them next.
	# Renamed into place: a program still running (another run of this
	# checkout) keeps its file, and cp onto it would fail.
	for p in "${progs[@]}"; do
		cp -p "$qbuild/tests/qtest/$p" "$out/$p.new"
		mv -f "$out/$p.new" "$out/$p"
	done
) 9>"$qroot/.build.lock"

# QTEST_QEMU_BINARY must be named qemu-system-x86_64 (libqtest derives the
# target from it); the wrapper adds the ROM/BIOS path and no default NIC.
cat >"$out/bin/qemu-system-x86_64.new" <<EOF
#!/bin/sh
exec "${QUASAR_QTEST_QEMU:-$top/build/qemu/qemu-system-x86_64}" -L "$roms" "\$@" -net none
EOF
chmod +x "$out/bin/qemu-system-x86_64.new"
mv -f "$out/bin/qemu-system-x86_64.new" "$out/bin/qemu-system-x86_64"

export QTEST_QEMU_BINARY="$out/bin/qemu-system-x86_64"
export QUASAR_FW_IMAGE="$image"

# GLib's TAP has no summary line: add the kselftest-style one that the
# other suites print. The tests a program lists (-l, with the same
# arguments) are its plan; a failed assertion aborts the program ("Bail
# out!"), so every listed test it never reported is reported here as not
# ok, and scripts/tap-count.awk counts it failed.
failed=0 ran=0
for p in "${progs[@]}"; do
	if ! list=$("$out/$p" -l "$@" 2>&1); then
		printf '%s\n' "$list" | sed 's/^/# /'
		echo "not ok 1 $p: cannot list its tests"
		echo "# Totals: pass:0 fail:1 xfail:0 xpass:0 skip:0 error:0"
		failed=$((failed + 1)) ran=$((ran + 1))
		continue
	fi
	planned=$(grep -c '^/' <<<"$list" || true)
	[ "$planned" -gt 0 ] || continue
	ran=$((ran + 1))
	echo "# $p ($planned tests)"
	set +e
	"$out/$p" --tap -k "$@" 2>&1 | awk -v prog="$p" -v planned="$planned" '
		{ print; fflush() }
		/^ok [0-9]+/ { if ($0 ~ /# SKIP/) skip++; else pass++ }
		/^not ok [0-9]+/ { fail++ }
		END {
			for (n = pass + skip + fail + 1; n <= planned; n++) {
				printf "not ok %d %s: not reported (the program stopped)\n", n, prog
				fail++
			}
			printf "# Totals: pass:%d fail:%d xfail:0 xpass:0 skip:%d error:0\n",
				pass, fail, skip
			exit fail != 0
		}'
	rc=("${PIPESTATUS[@]}")
	set -e
	if [ "${rc[0]}" -ne 0 ] || [ "${rc[1]}" -ne 0 ]; then
		failed=$((failed + 1))
	fi
done
if [ "$ran" -eq 0 ]; then
	echo "# no qtest matches: $*" >&2
	exit 1
fi
[ "$failed" -eq 0 ]
