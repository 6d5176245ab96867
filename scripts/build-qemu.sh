#!/bin/bash
# SPDX-License-Identifier: MIT
# Build QEMU (Debian's 7.2 source, in the cache) with the Quasar device.
# The device, firmware, ISA validator and datapath sources are copied into
# hw/misc/quasar/ only when their content changed, so ninja rebuilds
# exactly what changed, whichever checkout of Quasar the build comes from.
# Run by `make qemu` (qemu-device/qemu-device.mk), which hands over the
# source lists of firmware.mk, isa.mk and datapath.mk in the environment;
# meson.build reads them from hw/misc/quasar/lists/.
#
# QEMU_SANITIZE=1 (`make qemu-san`) builds the same source tree a second
# time, in build-san2/ next to build/, into build/qemu-san/: configured
# exactly as build/ but for the sanitizer runtimes (ASan + UBSan) in the
# link arguments, from which qemu-device/meson.build learns to instrument
# the device, firmware, validator and datapath, and those alone
# (docs/fuzzing.md). Both builds compile through ccache, whose directory
# is in the cache: every other QEMU object of the sanitized build is the
# normal build's, taken from ccache instead of compiled again.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
eval "$(sed -n 's/^\([A-Z_]*\) [:?]= \(.*\)$/\1="${\1:-\2}"/p' "$top/versions.mk")"
qroot="$QUASAR_CACHE/qemu-$QEMU_UPSTREAM"
qsrc="$qroot/src"
qbuild="$qroot/build"
out="$top/build/qemu"
configure_extra=()
if [ "${QEMU_SANITIZE:-0}" = 1 ]; then
	# Not build-san/: that one instrumented all of QEMU.
	qbuild="$qroot/build-san2"
	out="$top/build/qemu-san"
	configure_extra=("--extra-ldflags=-fsanitize=address -fsanitize=undefined")
fi

# The compilers both builds are configured with: ccache in front of cc
# and c++, with its directory and settings fixed here rather than in the
# environment, so that ninja run by anyone (run-qtests.sh's qtests too)
# uses the same cache. base_dir makes the absolute paths of the source
# tree relative to the build directory, and hash_dir = false leaves the
# build directory out of the key (it is only in the objects' debug
# info), so the two sibling build directories share every entry.
ccdir="$QUASAR_CACHE/ccache"
ccwrap="$qroot/ccache-bin"
mkdir -p "$ccdir" "$ccwrap"
printf 'base_dir = %s\nhash_dir = false\nmax_size = 4G\n' "$QUASAR_CACHE" >"$ccdir/ccache.conf.new"
mv -f "$ccdir/ccache.conf.new" "$ccdir/ccache.conf"
for c in cc c++; do
	printf '#!/bin/sh\nCCACHE_DIR=%s exec ccache %s "$@"\n' "$ccdir" "$c" >"$ccwrap/$c.new"
	chmod +x "$ccwrap/$c.new"
	mv -f "$ccwrap/$c.new" "$ccwrap/$c"
done

configure_args=(--target-list=x86_64-softmmu --meson=/usr/bin/meson
	--without-default-features --disable-docs --disable-install-blobs --disable-werror
	"--cc=$ccwrap/cc" "--cxx=$ccwrap/c++" "${configure_extra[@]}")

# A build directory configured with other arguments (an older version of
# this script, or none stamped) is configured again from nothing: meson
# cannot change the compiler of a configured directory.
qemu_configure() {
	if [ -f "$qbuild/build.ninja" ] &&
		[ "$(cat "$qbuild/.quasar-configure" 2>/dev/null)" = "${configure_args[*]}" ]; then
		return
	fi
	echo "[qemu] configuring $QEMU_UPSTREAM in $qbuild ${configure_extra[*]}"
	rm -rf "$qbuild"
	mkdir -p "$qbuild"
	(cd "$qbuild" && PATH=/usr/sbin:/usr/bin:/sbin:/bin "$qsrc/configure" \
		"${configure_args[@]}" >configure.log 2>&1) ||
		{ tail -n 30 "$qbuild/configure.log"; rm -f "$qbuild/build.ninja"; exit 1; }
	printf '%s\n' "${configure_args[*]}" >"$qbuild/.quasar-configure"
}

# A caller that builds more in the tree after this (run-qtests.sh: the
# qtest programs) holds the lock itself, across both, and says so.
if [ -z "${QUASAR_QEMU_LOCK_HELD:-}" ]; then
	exec 9>"$qroot/.build.lock"
	flock 9
fi

dest="$qsrc/hw/misc/quasar"
mkdir -p "$dest"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
if [ -d "$top/qemu-device" ]; then
	cp -a "$top/qemu-device/." "$stage/"
fi
mkdir -p "$stage/firmware" "$stage/isa" "$stage/datapath" "$stage/include/hw" \
	"$stage/include/drm" "$stage/lists"
cp -a "$top/firmware/." "$stage/firmware/"
cp -a "$top/isa/." "$stage/isa/"
cp -a "$top/datapath/." "$stage/datapath/"
# The contracts the device and the firmware build with: no ioctl header,
# no libdrm.
cp "$top/include/hw/quasar_hw_interface.h" "$stage/include/hw/"
cp "$top/uapi/drm/quasar_isa.h" "$stage/include/drm/"
if [ -f "$top/build/fw/fw_build_id.h" ]; then
	cp "$top/build/fw/fw_build_id.h" "$stage/firmware/include/"
fi
rm -rf "$stage/firmware/tools" "$stage/firmware"/*.mk "$stage/isa"/*.mk "$stage/datapath"/*.mk
for list in DP_REF_SRCS DP_FAST_SRCS DP_SIMD_SRCS DP_SIMD_ISAS DP_FP_FLAGS FW_SRCS \
	FW_ENGINE_SRCS ISA_SRCS; do
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

# The device's qtests (tests/qemu-device/) go to QEMU's tests/qtest/ under
# QEMU's names: each qtest_<section>_test.c as quasar-<section>-test.c, a
# program linked with the helpers, qtest_<name>.c/.h as quasar-qtest-<name>
# (the #include lines follow). Files are copied only when their content
# changed; a quasar-* file there that is none of them is removed, and so
# is its registration below.
qtdir="$top/tests/qemu-device"
qtstage="$stage/qtest"
mkdir -p "$qtstage"
qtests=() qthelpers=()
for src in "$qtdir"/qtest_*.[ch]; do
	[ -f "$src" ] || continue
	name=${src##*/qtest_}
	name=${name//_/-}
	case "$name" in
	*-test.c) name=quasar-$name; qtests+=("${name%.c}") ;;
	*.c) name=quasar-qtest-$name; qthelpers+=("$name") ;;
	*) name=quasar-qtest-$name ;;
	esac
	sed 's/^#include "qtest_\([a-z0-9]*\)\.h"$/#include "quasar-qtest-\1.h"/' "$src" \
		>"$qtstage/$name"
done
for f in "$qsrc"/tests/qtest/quasar-*.[ch]; do
	if [ -e "$f" ] && [ ! -e "$qtstage/${f##*/}" ]; then
		rm -f "$f"
	fi
done
rsync -rc "$qtstage/" "$qsrc/tests/qtest/"

# Every block an earlier build added (one per test, or one for all; the
# oldest asked for libdrm) goes, then one block for today's tests comes
# before qtest_executables. meson.build is written only when it changes,
# so that an unchanged tree is not reconfigured.
qmeson="$qsrc/tests/qtest/meson.build"
awk '
	/^# Quasar NPU device test.*\(added by Quasar.s scripts\/build-qemu\.sh\)$/ {
		skip = 1; next
	}
	skip == 1 { if ($0 == "endif") skip = 2; next }
	skip == 2 { skip = 0; if ($0 == "") next }
	{ print }' "$qmeson" >"$stage/qtest-meson.build"
if [ ${#qtests[@]} -gt 0 ]; then
	{
		echo "# Quasar NPU device tests (added by Quasar's scripts/build-qemu.sh)"
		echo "if config_all_devices.has_key('CONFIG_QUASAR')"
		echo "  quasar_qtest_deps = [zlib,"
		[ ${#qthelpers[@]} -eq 0 ] || printf "    '%s',\n" "${qthelpers[@]}"
		echo "    declare_dependency(include_directories:"
		echo "      include_directories('../../hw/misc/quasar/include'))]"
		echo "  qtests_x86_64 += ["
		printf "    '%s',\n" "${qtests[@]}"
		echo "  ]"
		echo "  qtests += {"
		printf "    '%s': quasar_qtest_deps,\n" "${qtests[@]}"
		echo "  }"
		echo "endif"
		echo
	} >"$stage/qtest-block"
	awk -v f="$stage/qtest-block" \
		'/^qtest_executables = \{\}/ { while ((getline l < f) > 0) print l } { print }' \
		"$stage/qtest-meson.build" >"$stage/qtest-meson.build.new"
	mv "$stage/qtest-meson.build.new" "$stage/qtest-meson.build"
	grep -q "'${qtests[0]}': quasar_qtest_deps" "$stage/qtest-meson.build" ||
		{ echo "[qemu] cannot register the qtests in $qmeson"; exit 1; }
fi
cmp -s "$stage/qtest-meson.build" "$qmeson" || cp "$stage/qtest-meson.build" "$qmeson"

qemu_configure
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
