#!/bin/bash
# SPDX-License-Identifier: MIT
# Build the guest's busybox initramfs.
# usage: mkinitramfs.sh OUT.cpio.gz KVER QUASAR_KO FW_DIR DATA_DIR BINS... -- LIBS...
#   FW_DIR: files copied to /lib/firmware/quasar/
#   DATA_DIR: files copied to /usr/share/quasar/ (models, data sets)
#   BINS: programs for /usr/bin (their shared libraries come along)
#   LIBS: extra shared libraries for /usr/lib
set -euo pipefail
out=$1 kver=$2 ko=$3 fwdir=$4 datadir=$5
shift 5
bins=() libs=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do bins+=("$1"); shift; done
[ $# -gt 0 ] && shift
libs=("$@")
top=$(cd "$(dirname "$0")/.." && pwd)

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,sbin,usr/bin,usr/lib,lib64,lib/x86_64-linux-gnu,proc,sys,dev,tmp,run,etc} \
	"$root/lib/firmware/quasar" "$root/lib/modules/quasar" "$root/lib/modules/deps" \
	"$root/usr/share/quasar"
cp /bin/busybox "$root/bin/busybox"
cp "$top/scripts/guest-init.sh" "$root/init"
chmod 755 "$root/init"

# quasar.ko's dependencies, in load order, decompressed for busybox insmod.
declare -A seen=()
order=()
add_module() {
	local name=$1 dep
	[ -n "${seen[$name]:-}" ] && return
	seen[$name]=1
	for dep in $(modinfo -k "$kver" -F depends "$name" | tr ',' ' '); do
		add_module "$dep"
	done
	local file
	file=$(modinfo -k "$kver" -n "$name")
	case "$file" in
	*.xz) xz -dc "$file" >"$root/lib/modules/deps/$name.ko" ;;
	*.zst) zstd -qdc "$file" >"$root/lib/modules/deps/$name.ko" ;;
	*) cp "$file" "$root/lib/modules/deps/$name.ko" ;;
	esac
	order+=("$name")
}
for dep in $(modinfo -F depends "$ko" | tr ',' ' '); do
	add_module "$dep"
done
printf '%s\n' "${order[@]}" >"$root/lib/modules/deps/order"
cp "$ko" "$root/lib/modules/quasar/quasar.ko"
cp -a "$fwdir/." "$root/lib/firmware/quasar/"
cp -a "$datadir/." "$root/usr/share/quasar/"

copy_lib() {
	local lib=$1
	[ -e "$root$lib" ] && return
	mkdir -p "$root$(dirname "$lib")"
	cp -L "$lib" "$root$lib"
}
for b in "${bins[@]}"; do
	cp "$b" "$root/usr/bin/"
	if ldd "$b" >/dev/null 2>&1; then
		for lib in $(ldd "$b" | awk '/=> \//{print $3} /^\t\/lib/{print $1}'); do
			case "$lib" in "$top"/*) continue ;; esac
			copy_lib "$lib"
		done
	fi
done
for l in "${libs[@]}"; do
	cp -P "$l" "$root/usr/lib/" 2>/dev/null || cp "$l" "$root/usr/lib/"
	for lib in $(ldd "$l" 2>/dev/null | awk '/=> \//{print $3}'); do
		case "$lib" in "$top"/*) continue ;; esac
		copy_lib "$lib"
	done
done
copy_lib /lib64/ld-linux-x86-64.so.2

mkdir -p "$(dirname "$out")"
(cd "$root" && find . -print0 | sort -z | cpio --null -o -H newc --quiet -R 0:0) |
	gzip -1 >"$out.tmp"
mv -f "$out.tmp" "$out"
echo "[initramfs] $out: $(du -h "$out" | cut -f1), modules: ${order[*]}"
