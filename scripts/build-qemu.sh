#!/bin/bash
# SPDX-License-Identifier: MIT
# Build QEMU (Debian's 7.2 source, in the cache) with the Quasar device.
# The device, firmware and datapath sources are copied into hw/misc/quasar/
# only when their content changed, so ninja rebuilds exactly what changed,
# whichever checkout of Quasar the build comes from. Run by `make qemu`
# (qemu-device/qemu-device.mk), which hands over the source lists of
# firmware.mk and datapath.mk in the environment; meson.build reads them
# from hw/misc/quasar/lists/.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
eval "$(sed -n 's/^\([A-Z_]*\) [:?]= \(.*\)$/\1="${\1:-\2}"/p' "$top/versions.mk")"
qroot="$QUASAR_CACHE/qemu-$QEMU_UPSTREAM"
qsrc="$qroot/src"
qbuild="$qroot/build"
out="$top/build/qemu"

exec 9>"$qroot/.build.lock"
flock 9

dest="$qsrc/hw/misc/quasar"
mkdir -p "$dest"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
if [ -d "$top/qemu-device" ]; then
	cp -a "$top/qemu-device/." "$stage/"
fi
mkdir -p "$stage/firmware" "$stage/datapath" "$stage/include/hw" "$stage/include/drm" \
	"$stage/lists"
cp -a "$top/firmware/." "$stage/firmware/"
cp -a "$top/datapath/." "$stage/datapath/"
# The contracts the device and the firmware build with: no ioctl header,
# no libdrm.
cp "$top/include/hw/quasar_hw_interface.h" "$stage/include/hw/"
cp "$top/uapi/drm/quasar_isa.h" "$stage/include/drm/"
if [ -f "$top/build/fw/fw_build_id.h" ]; then
	cp "$top/build/fw/fw_build_id.h" "$stage/firmware/include/"
fi
rm -rf "$stage/firmware/tools" "$stage/firmware"/*.mk "$stage/datapath"/*.mk
for list in DP_REF_SRCS DP_FAST_SRCS DP_SIMD_SRCS DP_SIMD_ISAS DP_FP_FLAGS FW_SRCS \
	FW_ENGINE_SRCS; do
	[ -n "${!list:-}" ] || { echo "[qemu] $list is not set: run 'make qemu'"; exit 1; }
	printf '%s\n' "${!list}" >"$stage/lists/$list"
done
for isa in $DP_SIMD_ISAS; do
	list=DP_ISA_FLAGS_$isa
	[ -n "${!list:-}" ] || { echo "[qemu] $list is not set: run 'make qemu'"; exit 1; }
	printf '%s\n' "${!list}" >"$stage/lists/$list"
done
# -c: compare content, so unchanged files keep their mtime.
rsync -rc --delete "$stage/" "$dest/"

if ! grep -q "subdir('quasar')" "$qsrc/hw/misc/meson.build"; then
	echo "subdir('quasar')" >>"$qsrc/hw/misc/meson.build"
fi
if ! grep -q 'source quasar/Kconfig' "$qsrc/hw/misc/Kconfig"; then
	echo 'source quasar/Kconfig' >>"$qsrc/hw/misc/Kconfig"
fi
[ -f "$dest/meson.build" ] || echo "# placeholder until qemu-device/ exists" >"$dest/meson.build"
[ -f "$dest/Kconfig" ] || : >"$dest/Kconfig"

# QEMU 7.2 lists the directories with trace-events in its top meson.build;
# hw/misc/quasar goes next to hw/misc/macio.
if [ -f "$dest/trace-events" ] && ! grep -q "'hw/misc/quasar'" "$qsrc/meson.build"; then
	sed -i "s|^\( *\)'hw/misc/macio',\$|&\n\1'hw/misc/quasar',|" "$qsrc/meson.build"
	grep -q "'hw/misc/quasar'" "$qsrc/meson.build" ||
		{ echo "[qemu] cannot register hw/misc/quasar trace events"; exit 1; }
fi

# The device's qtests (tests/qemu-device/) live in QEMU's tests/qtest/, registered for x86_64:
# quasar-test (the device) and quasar-fuzz-test (register fuzzing).
for qtest in quasar-test quasar-fuzz-test; do
	qtest_src="$top/tests/qemu-device/$qtest.c"
	[ -f "$qtest_src" ] || continue
	rsync -c "$qtest_src" "$qsrc/tests/qtest/$qtest.c"
	# An older registration (one that still asked for libdrm) is replaced.
	if grep -q "^# Quasar NPU device test (added by Quasar's scripts/build-qemu.sh)$" \
		"$qsrc/tests/qtest/meson.build"; then
		awk -v old="# Quasar NPU device test (added by Quasar's scripts/build-qemu.sh)" '
			$0 == old { skip = 1; next }
			skip == 1 { if ($0 == "endif") skip = 2; next }
			skip == 2 { skip = 0; if ($0 == "") next }
			{ print }' "$qsrc/tests/qtest/meson.build" >"$stage/qtest-meson.build"
		cp "$stage/qtest-meson.build" "$qsrc/tests/qtest/meson.build"
	fi
	if ! grep -q "'$qtest'" "$qsrc/tests/qtest/meson.build"; then
		cat >"$stage/qtest-block" <<MESON
# Quasar NPU device test $qtest (added by Quasar's scripts/build-qemu.sh)
if config_all_devices.has_key('CONFIG_QUASAR')
  qtests_x86_64 += ['$qtest']
  qtests += {'$qtest': [zlib,
    declare_dependency(include_directories:
      include_directories('../../hw/misc/quasar/include'))]}
endif

MESON
		awk -v f="$stage/qtest-block" \
			'/^qtest_executables = \{\}/ { while ((getline l < f) > 0) print l } { print }' \
			"$qsrc/tests/qtest/meson.build" >"$stage/qtest-meson.build"
		cp "$stage/qtest-meson.build" "$qsrc/tests/qtest/meson.build"
		grep -q "'$qtest'" "$qsrc/tests/qtest/meson.build" ||
			{ echo "[qemu] cannot register $qtest"; exit 1; }
	fi
done

if [ ! -f "$qbuild/build.ninja" ]; then
	echo "[qemu] configuring $QEMU_UPSTREAM in $qbuild"
	mkdir -p "$qbuild"
	(cd "$qbuild" && PATH=/usr/sbin:/usr/bin:/sbin:/bin "$qsrc/configure" --target-list=x86_64-softmmu \
		--meson=/usr/bin/meson \
		--without-default-features --disable-docs --disable-install-blobs \
		--disable-werror >configure.log 2>&1) ||
		{ tail -n 30 "$qbuild/configure.log"; exit 1; }
fi
echo "[qemu] building (log: $qbuild/ninja.log.txt)"
if ! ninja -C "$qbuild" qemu-system-x86_64 >"$qbuild/ninja.log.txt" 2>&1; then
	grep -E 'error|Error' "$qbuild/ninja.log.txt" | head -n 40
	tail -n 20 "$qbuild/ninja.log.txt"
	exit 1
fi
mkdir -p "$out"
cp -p "$qbuild/qemu-system-x86_64" "$out/qemu-system-x86_64.new"
mv -f "$out/qemu-system-x86_64.new" "$out/qemu-system-x86_64"
echo "[qemu] ok: $out/qemu-system-x86_64"
