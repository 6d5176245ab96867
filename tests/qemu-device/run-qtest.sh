#!/bin/bash
# SPDX-License-Identifier: MIT
# Build and run the Quasar device qtest (TAP on stdout, exit status = result).
#
#   tests/qemu-device/run-qtest.sh [extra gtest args, e.g. -p /x86_64/quasar/boot/...]
#
# QUASAR_QTEST names another qtest of tests/qemu-device/ to run (default
# quasar-test; run-qtest-fuzz.sh runs quasar-fuzz-test).
#
# The firmware image and the QEMU ROM must come from the same firmware
# sources (their build ids must match), so this rebuilds both first: the
# image and QEMU (with the device and the ROM), both with make.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
eval "$(sed -n 's/^\([A-Z_]*\) [:?]= \(.*\)$/\1="${\1:-\2}"/p' "$top/versions.mk")"
qroot="$QUASAR_CACHE/qemu-$QEMU_UPSTREAM"
qbuild="$qroot/build"
roms="$QUASAR_CACHE/roms-$QEMU_PKG_VERSION"
out="$top/build/qtest"
image="${QUASAR_FW_IMAGE:-$top/build/fw/quasar-fw.bin}"
qtest="${QUASAR_QTEST:-quasar-test}"

# Progress goes to stderr so that stdout stays pure TAP.
make -s -C "$top" "$top/build/fw/quasar-fw.bin" >&2
make -s -C "$top" qemu >&2
(
	flock 9
	ninja -C "$qbuild" "tests/qtest/$qtest" >"$qbuild/ninja-qtest.log.txt" 2>&1 ||
		{ grep -E 'error' "$qbuild/ninja-qtest.log.txt" | head -n 40 >&2; exit 1; }
) 9>"$qroot/.build.lock"

# QTEST_QEMU_BINARY must be named qemu-system-x86_64 (libqtest derives the
# target from it); the wrapper adds the ROM/BIOS path and no default NIC.
mkdir -p "$out/bin"
cat >"$out/bin/qemu-system-x86_64.new" <<EOF
#!/bin/sh
exec "$top/build/qemu/qemu-system-x86_64" -L "$roms" "\$@" -net none
EOF
chmod +x "$out/bin/qemu-system-x86_64.new"
mv -f "$out/bin/qemu-system-x86_64.new" "$out/bin/qemu-system-x86_64"
cp -p "$qbuild/tests/qtest/$qtest" "$out/$qtest"

export QTEST_QEMU_BINARY="$out/bin/qemu-system-x86_64"
export QUASAR_FW_IMAGE="$image"

# GLib's TAP has no summary line; add the kselftest-style one that the
# other suites print. A failed assertion aborts the program ("Bail out!"),
# so the tests it never reached count as failed.
set +e
"$out/$qtest" --tap -k "$@" 2>&1 | awk '
	{ print; fflush() }
	/^1\.\.[0-9]+/ { plan = substr($0, 4) + 0 }
	/^ok / { if ($0 ~ /# SKIP/) skip++; else pass++ }
	END {
		fail = plan - pass - skip
		if (fail < 0) fail = 0
		printf "# Totals: pass:%d fail:%d xfail:0 xpass:0 skip:%d error:0\n", pass, fail, skip
		exit fail != 0
	}'
rc=("${PIPESTATUS[@]}")
[ "${rc[0]}" -eq 0 ] && [ "${rc[1]}" -eq 0 ]
