#!/bin/bash
# SPDX-License-Identifier: MIT
# Build the guest's debug kernel (KASAN, lockdep, UBSAN, kmemleak, ...;
# docs/debug-kernel.md) from Debian's linux-source-6.12, cached under
# $QUASAR_CACHE by source version and configuration.
# usage: build-debug-kernel.sh [--print-dir]
#   Builds when the cache has no finished build of this configuration, then
#   prints the build's directory: DIR/obj is the kernel's build tree (O=,
#   the KDIR for quasar.ko), DIR/obj/arch/x86/boot/bzImage the kernel.
#   --print-dir only prints the directory, building nothing.
# The key is a hash of the source package's version, the config fragment,
# the Kconfig addition, the build steps below (DBGK_RECIPE) and the
# compiler's version: a changed input is a new directory, a stale build is
# never reused. A build that was
# interrupted resumes (make is incremental); a finished one has .quasar-built.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
eval "$(sed -n 's/^\([A-Z_]*\) [:?]= \(.*\)$/\1="${\1:-\2}"/p' "$top/versions.mk")"

fragment=$top/tests/debug-kernel/debug-kernel.config
kconfig_add=$top/tests/debug-kernel/Kconfig.quasar
log() { echo "[debug-kernel] $*" >&2; }

# What the build does, in words that change when the steps below change
# the kernel they make (not when a message or a comment changes).
DBGK_RECIPE="allnoconfig+KCONFIG_ALLCONFIG, olddefconfig, make ARCH=x86_64 all; recipe 1"
# Comments do not change the kernel: only the fragment's settings count
# ("# CONFIG_X is not set" is one).
key=$( {
	echo "$KSRC_PACKAGE $KPKG_VERSION $DBGK_RECIPE"
	grep -E '^(CONFIG_|# CONFIG_.* is not set$)' "$fragment"
	grep -v '^#' "$kconfig_add"
	gcc --version | head -n 1
} | sha256sum | cut -c1-12)
dir=$QUASAR_CACHE/debug-kernel-$KPKG_VERSION-$key
if [ "${1:-}" = --print-dir ]; then
	echo "$dir"
	exit 0
fi
[ $# -eq 0 ] || { echo "build-debug-kernel.sh: unknown argument $1" >&2; exit 2; }
if [ -f "$dir/.quasar-built" ]; then
	echo "$dir"
	exit 0
fi

src=$dir/src obj=$dir/obj
mkdir -p "$dir"
# One build of a directory at a time: checkouts share the cache, and two
# make check runs may want the same kernel. The second waits, then finds
# the first one's build finished.
exec 9>"$dir.lock"
if ! flock -n 9; then
	log "another build of $dir is running; waiting for it"
	flock 9
fi
if [ -f "$dir/.quasar-built" ]; then
	echo "$dir"
	exit 0
fi
if [ ! -f "$src/.quasar-extracted" ]; then
	tarball=$(ls /usr/src/"$KSRC_PACKAGE".tar.* 2>/dev/null | head -n 1)
	[ -n "$tarball" ] || {
		echo "build-debug-kernel.sh: no /usr/src/$KSRC_PACKAGE.tar.* (make deps)" >&2
		exit 1
	}
	log "extracting $tarball into $src"
	rm -rf "$src" "$obj" && mkdir -p "$src"
	tar -C "$src" --strip-components=1 -xf "$tarball"
	cat "$kconfig_add" >>"$src/drivers/gpu/drm/Kconfig"
	touch "$src/.quasar-extracted"
fi

kmake=(make -C "$src" O="$obj" ARCH=x86_64 -j"$(nproc)")
if [ ! -f "$obj/.quasar-configured" ]; then
	log "configuring: allnoconfig + $fragment"
	mkdir -p "$obj"
	"${kmake[@]}" KCONFIG_ALLCONFIG="$fragment" allnoconfig >"$dir/config.log" 2>&1 ||
		{ tail -n 20 "$dir/config.log" >&2; exit 1; }
	"${kmake[@]}" olddefconfig >>"$dir/config.log" 2>&1 ||
		{ tail -n 20 "$dir/config.log" >&2; exit 1; }
	# A line of the fragment whose dependencies are not met is dropped
	# silently by Kconfig: name it, with what the .config has instead.
	bad=0
	while IFS= read -r line; do
		case "$line" in
		CONFIG_*=*) sym=${line%%=*} ;;
		"# CONFIG_"*" is not set") sym=${line#\# }; sym=${sym%% *} ;;
		*) continue ;;
		esac
		grep -qxF "$line" "$obj/.config" && continue
		have=$(grep -E "^$sym=|^# $sym is not set" "$obj/.config" || echo "absent")
		echo "build-debug-kernel.sh: $fragment wants '$line', the .config has '$have'" \
			"(a dependency is missing)" >&2
		bad=1
	done <"$fragment"
	[ "$bad" -eq 0 ] || exit 1
	touch "$obj/.quasar-configured"
fi

load=$(cut -d' ' -f1-3 /proc/loadavg)
log "building in $obj (log: $dir/build.log; $(nproc) jobs, load average $load)"
start=$(date +%s)
if ! "${kmake[@]}" >>"$dir/build.log" 2>&1; then
	grep -E 'error|Error' "$dir/build.log" | head -n 20 >&2
	exit 1
fi
for f in "$obj/arch/x86/boot/bzImage" "$obj/Module.symvers"; do
	[ -f "$f" ] || { echo "build-debug-kernel.sh: the build made no $f" >&2; exit 1; }
done
log "built in $(($(date +%s) - start)) s ($(nproc) jobs; load average $load before," \
	"$(cut -d' ' -f1-3 /proc/loadavg) after)"
touch "$dir/.quasar-built"
echo "$dir"
