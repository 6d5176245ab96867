#!/bin/bash
# SPDX-License-Identifier: MIT
# Boot the Quasar guest under TCG and run a job in it.
# usage: vm.sh [--script FILE | --cmd 'CMDS'] [--timeout SEC] [--log FILE]
#              [--noload] [--qmp SOCKET] [-- extra qemu args]
# Prints the guest console; exits with the job's exit status, or non-zero
# when the guest did not report one or its dmesg shows a WARNING/BUG/Oops.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
eval "$(sed -n 's/^\([A-Z_]*\) [:?]= \(.*\)$/\1="${\1:-\2}"/p' "$top/versions.mk")"

script= cmd= timeout=300 log= append= qmp=
extra=()
while [ $# -gt 0 ]; do
	case "$1" in
	--script) script=$2; shift 2 ;;
	--cmd) cmd=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	--log) log=$2; shift 2 ;;
	--noload) append=" quasar.noload"; shift ;;
	--qmp) qmp=$2; shift 2 ;;
	--) shift; extra=("$@"); break ;;
	*) echo "vm.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done

qemu=$top/build/qemu/qemu-system-x86_64
initramfs=$top/build/guest/initramfs.cpio.gz
roms=$QUASAR_CACHE/roms-$QEMU_PKG_VERSION
for f in "$qemu" "$initramfs" "/boot/vmlinuz-$KVER" "$roms/bios-256k.bin"; do
	[ -e "$f" ] || { echo "vm.sh: missing $f (run make)" >&2; exit 2; }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/job/run"
if [ -n "$script" ]; then
	cp "$script" "$work/job/run/job.sh"
else
	printf '%s\n' "${cmd:-true}" >"$work/job/run/job.sh"
fi
(cd "$work/job" && find . | cpio -o -H newc --quiet -R 0:0 | gzip -1) >"$work/job.cpio.gz"
cat "$initramfs" "$work/job.cpio.gz" >"$work/initrd.gz"

qmp_args=()
[ -n "$qmp" ] && qmp_args=(-qmp "unix:$qmp,server=on,wait=off")
[ -n "$log" ] || log=$work/console.log
mkdir -p "$(dirname "$log")"

set +e
timeout --foreground -k 5 "$timeout" "$qemu" -M q35 -accel tcg -cpu max -smp 2 -m 1G \
	-L "$roms" -display none -vga none -monitor none -serial stdio -nic none -no-reboot \
	-kernel "/boot/vmlinuz-$KVER" -initrd "$work/initrd.gz" \
	-append "console=ttyS0 panic=-1 quiet$append" \
	-device pcie-root-port,id=rp1,chassis=1,slot=1 \
	-device quasar,id=npu0,bus=rp1 \
	"${qmp_args[@]}" "${extra[@]}" </dev/null 2>&1 | tee "$log"
qrc=${PIPESTATUS[0]}
set -e

if [ "$qrc" -eq 124 ]; then
	echo "vm.sh: guest timed out after ${timeout}s" >&2
	exit 124
fi
rc=$(sed -n 's/^QUASAR-EXIT: \([0-9]*\).*/\1/p' "$log" | tail -n 1)
if [ -z "$rc" ]; then
	echo "vm.sh: the guest did not report an exit status (qemu exit $qrc)" >&2
	exit 125
fi
if grep -q '^QUASAR-DMESG: dirty' "$log"; then
	echo "vm.sh: guest dmesg has WARNING/BUG/Oops lines" >&2
	[ "$rc" -ne 0 ] || rc=126
fi
exit "$rc"
