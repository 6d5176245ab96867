#!/bin/bash
# SPDX-License-Identifier: MIT
# sdk_install_test: make install / uninstall as a packager and a user use
# them. Staged into a DESTDIR with PREFIX=/usr and Debian's multiarch
# LIBDIR: every file where it belongs, the .pc files naming the installed
# paths and nothing of this tree, a library that resolves through its soname
# link, and uninstall removing every file. Installed into a prefix of its
# own (as under /opt): the examples, copied out of the tree, build with
# their Makefile through pkg-config alone and link the installed library,
# and the Python package imports with the installed library. TAP.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/tap.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

tap_begin 7
stage=$work/stage
libdir=/usr/lib/x86_64-linux-gnu
make -s -C "$top" install DESTDIR="$stage" PREFIX=/usr LIBDIR=$libdir >"$work/install.log" 2>&1
tap_result_file $? "make install DESTDIR=... PREFIX=/usr LIBDIR=$libdir" "$work/install.log"

missing=0
for f in usr/bin/accel-info usr/bin/accel-stats usr/include/accel.h usr/include/accel_ops.h \
	usr/include/accel_stream.h usr/include/drm/quasar_accel.h usr/include/drm/quasar_isa.h \
	usr/include/quasar/compress.h usr/include/quasar/dp_format.h \
	${libdir#/}/libaccel.so.1 ${libdir#/}/libaccel.so ${libdir#/}/libaccel.a \
	${libdir#/}/libquasar_compress.a ${libdir#/}/libquasar_dp.a \
	${libdir#/}/pkgconfig/libaccel.pc ${libdir#/}/pkgconfig/quasar-compress.pc \
	lib/firmware/quasar/quasar-fw.bin usr/lib/python3/dist-packages/quasar/__init__.py \
	usr/lib/python3/dist-packages/quasar/_ffi.py usr/share/man/man1/accel-info.1 \
	usr/share/man/man1/accel-stats.1; do
	[ -e "$stage/$f" ] || { echo "missing: $f"; missing=1; }
done >"$work/missing"
[ "$(readlink "$stage$libdir/libaccel.so")" = libaccel.so.1 ] ||
	{ echo "libaccel.so does not link to libaccel.so.1"; missing=1; } >>"$work/missing"
tap_result_file $missing "every file in its place, libaccel.so -> libaccel.so.1" "$work/missing"

pc=$stage$libdir/pkgconfig
version=$(sed -n 's/^#define ACCEL_VERSION_\(MAJOR\|MINOR\|PATCH\) //p' \
	"$top/libaccel/include/accel.h" | paste -sd.)
{
	grep -HF "$top" "$pc"/*.pc && echo "^ names the source tree"
	echo "libdir: $(PKG_CONFIG_PATH=$pc pkg-config --variable=libdir libaccel)"
	echo "version: $(PKG_CONFIG_PATH=$pc pkg-config --modversion quasar-compress), accel.h: $version"
} >"$work/pc" 2>&1
! grep -qF "$top" "$pc"/*.pc && grep -qx "libdir: $libdir" "$work/pc" &&
	grep -qx "version: $version, accel.h: $version" "$work/pc"
tap_result_file $? "the .pc files name the installed paths ($libdir) and the version, not the tree" "$work/pc"

make -s -C "$top" uninstall DESTDIR="$stage" PREFIX=/usr LIBDIR=$libdir >"$work/uninstall.log" 2>&1
left=$(find "$stage" -type f -o -type l)
echo "$left" >>"$work/uninstall.log"
[ -z "$left" ]
tap_result_file $? "make uninstall removes every file it installed" "$work/uninstall.log"

prefix=$work/opt/quasar
make -s -C "$top" install PREFIX="$prefix" FIRMWAREDIR="$prefix/lib/firmware" >"$work/opt.log" 2>&1 &&
	cp -r "$top/examples" "$work/src" &&
	make -C "$work/src" PKG_CONFIG_PATH="$prefix/lib/pkgconfig" >>"$work/opt.log" 2>&1
tap_result_file $? "the examples build out of the tree against an SDK in $prefix (pkg-config)" "$work/opt.log"

{
	readelf -d "$work/src/gemm" | grep NEEDED
	LD_LIBRARY_PATH=$prefix/lib ldd "$work/src/gemm"
} >"$work/ldd" 2>&1
grep -q "NEEDED.*libaccel.so.1" "$work/ldd" && grep -q "libaccel.so.1 => $prefix/lib/libaccel.so.1" "$work/ldd"
tap_result_file $? "gemm needs libaccel.so.1 and resolves it to the installed one" "$work/ldd"

# Debian's python3 (not a python3 earlier in PATH): the one the package is for.
PYTHONPATH=$prefix/lib/python3/dist-packages LD_LIBRARY_PATH=$prefix/lib /usr/bin/python3 -c '
import quasar
print(quasar.__file__, quasar.library_version())
print(*sorted({l.split()[-1] for l in open("/proc/self/maps") if "libaccel" in l}))' \
	>"$work/py" 2>&1 &&
	grep -qx "$prefix/lib/python3/dist-packages/quasar/__init__.py ([0-9]*, '$version')" "$work/py" &&
	grep -qx "$prefix/lib/libaccel.so.1" "$work/py"
tap_result_file $? "the installed quasar package imports and loads the installed libaccel.so.1" "$work/py"
tap_end
