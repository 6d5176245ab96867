#!/bin/bash
# SPDX-License-Identifier: MIT
# libaccel_abi_test: the built libaccel.so keeps the ABI recorded in
# libaccel/abi/libaccel.abi (abidw of the last release, the public headers'
# types only): the same soname, exactly the symbols of libaccel.map, each in
# a version node, and no change abidiff reports in a function, a variable or
# a type a program sees. A change fails until it is acknowledged: functions
# added, ACCEL_VERSION_MINOR up; anything else is incompatible,
# ACCEL_VERSION_MAJOR (the soname) up; then `make abi-baseline`. A last
# case checks that the check itself sees a removed function. TAP.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
[ -d "$top/libaccel" ] || top=$(cd "$(dirname "$0")/../../.." && pwd)	# run from build/tests/
. "$top/tests/lib/tap.sh"
lib=$top/build/libaccel/libaccel.so
base=$top/libaccel/abi/libaccel.abi
map=$top/libaccel/libaccel.map
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

abi_diff() { # OLD NEW
	abidiff --headers-dir2 "$top/libaccel/include" --headers-dir2 "$top/uapi/drm" "$1" "$2"
}

tap_begin 4
so=$(readlink -f "$lib")
soname=$(objdump -p "$so" | awk '$1 == "SONAME" { print $2 }')
want=$(sed -n "s/.*soname='\([^']*\)'.*/\1/p" "$base" | head -1)
echo "# $so: soname $soname; baseline $base: soname $want" >"$work/soname"
[ "$soname" = "$want" ]
tap_result_file $? "the soname is the baseline's ($want)" "$work/soname" head 40

sed -n 's/^\t\(accel_[a-z0-9_]*\);$/\1/p' "$map" | sort >"$work/map"
objdump -T "$so" | awk '$2 == "g" && $4 == ".text" { print $6, $7 }' >"$work/exported"
awk '{ print $2 }' "$work/exported" | sort >"$work/names"
awk '$1 !~ /^LIBACCEL_/ { print "unversioned:", $0 }' "$work/exported" >"$work/unversioned"
diff "$work/map" "$work/names" >"$work/symdiff" && [ ! -s "$work/unversioned" ]
tap_result_file $? "exports exactly libaccel.map's $(wc -l <"$work/map") functions, each versioned" \
	"$work/symdiff" head 40

abi_diff "$base" "$so" >"$work/abidiff" 2>&1
rc=$?
{
	echo "abidiff exit $rc: the ABI differs from $base."
	echo "Only functions added: raise ACCEL_VERSION_MINOR (accel.h), put them in a new"
	echo "version node of libaccel.map. Anything else is incompatible: raise"
	echo "ACCEL_VERSION_MAJOR (the soname). Then: make abi-baseline."
	cat "$work/abidiff"
} >"$work/why"
[ $rc -eq 0 ]
tap_result_file $? "the ABI is the baseline's (abidiff)" "$work/why" head 40

# The check sees a removed function: the baseline without accel_bo_addr.
awk '/<elf-symbol name=.accel_bo_addr./ { next }
	/<function-decl name=.accel_bo_addr./ { skip = 1 }
	!skip { print }
	skip && /<\/function-decl>/ { skip = 0 }' "$base" >"$work/removed.abi"
abi_diff "$base" "$work/removed.abi" >"$work/control" 2>&1
rc=$?
grep -q "accel_bo_addr" "$work/control" && [ $rc -ne 0 ]
tap_result_file $? "a baseline without accel_bo_addr is reported (abidiff exit $rc)" "$work/control" head 40
tap_end
