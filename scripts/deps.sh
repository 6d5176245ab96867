#!/bin/bash
# SPDX-License-Identifier: MIT
# Set up a fresh Debian 12 machine (as root) for building and running Quasar.
# Idempotent: each step checks whether its result is already there.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
eval "$(sed -n 's/^\([A-Z_]*\) [:?]= \(.*\)$/\1="${\1:-\2}"/p' "$top/versions.mk")"
export DEBIAN_FRONTEND=noninteractive

log() { printf '[deps] %s\n' "$*"; }

packages=(
	build-essential bc flex bison libelf-dev libssl-dev kmod cpio gzip xz-utils zstd
	dpkg-dev ninja-build meson pkg-config python3 libglib2.0-dev libpixman-1-dev
	zlib1g-dev libfdt-dev libdrm-dev busybox-static sparse rsync libopenblas-dev clang
	libclang-rt-14-dev gnuplot-nox abigail-tools help2man dkms ccache
	python3-numpy python3-cffi python3-pytest libblas3 liblapack3 slurm-wlm munge
	"linux-headers-$KVER=$KPKG_VERSION" "$KSRC_PACKAGE=$KPKG_VERSION"
)

missing=()
for p in "${packages[@]}"; do
	name=${p%%=*}
	want=${p#*=}
	[ "$want" = "$p" ] && want=
	have=$(dpkg-query -W -f='${Status} ${Version}' "$name" 2>/dev/null || true)
	case "$have" in
	"install ok installed $want"* | "install ok installed"*)
		if [ -z "$want" ] || [ "${have##* }" = "$want" ]; then continue; fi ;;
	esac
	missing+=("$p")
done

src_list=/etc/apt/sources.list.d/quasar-deb-src.sources
need_update=0
[ -f "$src_list" ] || need_update=1
[ ${#missing[@]} -eq 0 ] || need_update=1
if [ ! -f "$src_list" ]; then
	log "adding deb-src entries for apt-get source"
	cat >"$src_list" <<'SRC'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
fi
if [ $need_update -eq 1 ]; then
	log "apt-get update"
	apt-get update -q >/dev/null
fi
if [ ${#missing[@]} -gt 0 ]; then
	log "installing: ${missing[*]}"
	apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi

mkdir -p "$QUASAR_CACHE"
cd "$QUASAR_CACHE"

# QEMU source, with Debian's patches applied by dpkg-source.
qsrc="$QUASAR_CACHE/qemu-$QEMU_UPSTREAM/src"
if [ ! -f "$qsrc/.quasar-extracted" ]; then
	log "fetching QEMU source $QEMU_PKG_VERSION"
	rm -rf "$QUASAR_CACHE/qemu-$QEMU_UPSTREAM"
	mkdir -p "$QUASAR_CACHE/qemu-$QEMU_UPSTREAM/dl"
	(cd "$QUASAR_CACHE/qemu-$QEMU_UPSTREAM/dl" &&
		apt-get source -q --download-only "qemu=$QEMU_PKG_VERSION" >/dev/null 2>&1 &&
		dpkg-source -x ./qemu_*.dsc "$qsrc" >/dev/null 2>&1)
	grep -qx "$QEMU_UPSTREAM" "$qsrc/VERSION" || { log "unexpected QEMU version $(cat "$qsrc/VERSION")"; exit 1; }
	touch "$qsrc/.quasar-extracted"
fi

# Option ROMs and BIOS for -L.
roms="$QUASAR_CACHE/roms-$QEMU_PKG_VERSION"
if [ ! -f "$roms/.quasar-extracted" ]; then
	log "extracting qemu-system-data and seabios"
	rm -rf "$roms" "$roms.dl" && mkdir -p "$roms.dl"
	(cd "$roms.dl" && apt-get download -q "qemu-system-data=$QEMU_PKG_VERSION" seabios >/dev/null)
	for deb in "$roms.dl"/*.deb; do dpkg -x "$deb" "$roms.x"; done
	mkdir -p "$roms"
	cp -a "$roms.x/usr/share/qemu/." "$roms/"
	cp -a "$roms.x/usr/share/seabios/." "$roms/"
	rm -rf "$roms.dl" "$roms.x"
	touch "$roms/.quasar-extracted"
fi

# Kernel tooling that the headers package lacks: kselftest harness and checkpatch.
ksrc="$QUASAR_CACHE/linux-tools-$KPKG_VERSION"
if [ ! -f "$ksrc/.quasar-extracted" ]; then
	log "extracting kselftest harness and checkpatch from $KSRC_PACKAGE"
	rm -rf "$ksrc" && mkdir -p "$ksrc"
	tarball=$(ls /usr/src/linux-source-6.12.tar.* | head -n1)
	tar -C "$ksrc" --strip-components=1 -xf "$tarball" --wildcards \
		'*/tools/testing/selftests/kselftest_harness.h' \
		'*/tools/testing/selftests/kselftest.h' \
		'*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
		'*/scripts/const_structs.checkpatch'
	touch "$ksrc/.quasar-extracted"
fi

for f in "/boot/vmlinuz-$KVER" "/lib/modules/$KVER/build/Makefile"; do
	[ -e "$f" ] || { log "missing $f after installing linux-headers-$KVER"; exit 1; }
done
log "ok (cache: $QUASAR_CACHE)"
