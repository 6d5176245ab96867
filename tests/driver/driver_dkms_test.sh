#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# driver_dkms_test: the DKMS source package (make dkms-source:
# build/dkms/quasar-VERSION) builds with Debian's dkms against the pinned
# kernel headers, in trees of its own (--sourcetree, --dkmstree: nothing
# is installed on the machine), into a quasar.ko for that kernel built
# from the same sources as build/driver/quasar.ko (the same srcversion).
# TAP.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/tap.sh"
eval "$(sed -n 's/^\(KVER\) [:?]= \(.*\)$/\1="\2"/p' "$top/versions.mk")"
# The driver's version, as driver/driver.mk reads it (not whatever
# build/dkms/ holds from an older tree).
ver=$(awk '/^#define QUASAR_DRIVER_(MAJOR|MINOR)\t/ { v = v s $3; s = "." } END { print v }' \
	"$top/driver/quasar_drv.h")
src=$top/build/dkms/quasar-$ver
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dk=(-m quasar -v "$ver" --sourcetree "$work/src" --dkmstree "$work/tree")

tap_begin 3
mkdir -p "$work/src" "$work/tree"
[ -f "$src/dkms.conf" ] && cp -r "$src" "$work/src/" &&
	dkms add "${dk[@]}" >"$work/add.log" 2>&1
tap_result_file $? "dkms add quasar/$ver (from ${src:-build/dkms: missing})" "$work/add.log"

dkms build "${dk[@]}" -k "$KVER" >"$work/build.log" 2>&1 ||
	cat "$work/tree/quasar/$ver/build/make.log" >>"$work/build.log" 2>/dev/null
ko=$(find "$work/tree/quasar/$ver/$KVER" -name 'quasar.ko*' 2>/dev/null | head -1)
[ -n "$ko" ]
tap_result_file $? "dkms build for $KVER gives quasar.ko" "$work/build.log"

{
	echo "dkms:  $(modinfo -F vermagic "$ko" 2>&1) srcversion $(modinfo -F srcversion "$ko" 2>&1)"
	echo "build: srcversion $(modinfo -F srcversion "$top/build/driver/quasar.ko" 2>&1)"
} >"$work/modinfo"
modinfo -F vermagic "$ko" 2>/dev/null | grep -q "^$KVER " &&
	[ "$(modinfo -F srcversion "$ko")" = "$(modinfo -F srcversion "$top/build/driver/quasar.ko")" ]
tap_result_file $? "its vermagic is $KVER and its sources are the tree's (srcversion)" "$work/modinfo"
dkms remove "${dk[@]}" --all >/dev/null 2>&1
tap_end
