#!/bin/bash
# SPDX-License-Identifier: MIT
# Boot the Quasar guest under TCG and run a job in it.
# usage: vm.sh [--script FILE | --cmd 'CMDS' | --shell] [--add FILE[:DEST]]...
#              [--append ARGS] [--trace PATTERN] [--trace-file FILE]
#              [--gdb PORT] [--timeout SEC]
#              [--log FILE] [--noload] [--qmp SOCKET] [--initrd FILE]
#              [--kernel FILE] [-- extra qemu args]
#
#   --script FILE     run FILE in the guest (sh), as /run/job.sh
#   --cmd 'CMDS'      run these shell commands in the guest
#   --shell           an interactive shell on the guest console (stdin);
#                     `exit` powers the guest off
#   --add FILE[:DEST] put FILE into the guest at DEST (default
#                     /usr/bin/<name>, executable): a program of your own
#   --append ARGS     add ARGS to the guest kernel's command line
#                     (e.g. 'quasar.dyndbg=+p' or 'quasar.tdr_timeout_ms=500')
#   --trace PATTERN   enable QEMU trace events matching PATTERN (e.g.
#                     'quasar_*', qemu-device/trace-events); they go to the
#                     console log with the guest's output
#   --trace-file FILE the trace events into FILE instead, apart from the
#                     console (a parser never sees a trace line cut into
#                     a line of the guest's; QEMU's log backend, -D)
#   --gdb PORT        QEMU's gdb stub on localhost:PORT (target remote :PORT)
#   --noload          boot without loading quasar.ko
#   --qmp SOCKET      QMP on a unix socket (host-driven tests)
#   --initrd FILE     boot this guest image instead of the ordinary one
#                     (build/guest/initramfs-python.cpio.gz: with Python,
#                     numpy, cffi, pytest and the quasar package)
#   --kernel FILE     boot this kernel instead of /boot/vmlinuz-KVER (the
#                     debug kernel: build/debug-kernel/bzImage, with
#                     --initrd build/debug-kernel/initramfs.cpio.gz, whose
#                     quasar.ko is built for it; docs/debug-kernel.md)
# Prints the guest console; exits with the job's exit status, or non-zero
# when the guest did not report one or its dmesg shows a WARNING/BUG/Oops.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
eval "$(sed -n 's/^\([A-Z_]*\) [:?]= \(.*\)$/\1="${\1:-\2}"/p' "$top/versions.mk")"

script= cmd= timeout=300 log= append= qmp= shell= gdb= initramfs= kernel= trace_file=
extra=() adds=() traces=()
need_arg() { [ $# -ge 2 ] || { echo "vm.sh: $1 needs an argument" >&2; exit 2; }; }
while [ $# -gt 0 ]; do
	case "$1" in
	--script) need_arg "$@"; script=$2; shift 2 ;;
	--cmd) need_arg "$@"; cmd=$2; shift 2 ;;
	--shell) shell=1; shift ;;
	--add) need_arg "$@"; adds+=("$2"); shift 2 ;;
	--append) need_arg "$@"; append="$append $2"; shift 2 ;;
	--trace) need_arg "$@"; traces+=(-trace "$2"); shift 2 ;;
	--trace-file) need_arg "$@"; trace_file=$2; shift 2 ;;
	--gdb) need_arg "$@"; gdb=$2; shift 2 ;;
	--timeout) need_arg "$@"; timeout=$2; shift 2 ;;
	--log) need_arg "$@"; log=$2; shift 2 ;;
	--noload) append="$append quasar.noload"; shift ;;
	--qmp) need_arg "$@"; qmp=$2; shift 2 ;;
	--initrd) need_arg "$@"; initramfs=$2; shift 2 ;;
	--kernel) need_arg "$@"; kernel=$2; shift 2 ;;
	-h | --help) sed -n '3,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
	--) shift; extra=("$@"); break ;;
	*) echo "vm.sh: unknown argument $1 (vm.sh --help lists them)" >&2; exit 2 ;;
	esac
done
case "$gdb" in
'' | [0-9]*) ;;
*) echo "vm.sh: --gdb takes a TCP port, not '$gdb'" >&2; exit 2 ;;
esac

qemu=$top/build/qemu/qemu-system-x86_64
[ -n "$initramfs" ] || initramfs=$top/build/guest/initramfs.cpio.gz
[ -n "$kernel" ] || kernel=/boot/vmlinuz-$KVER
roms=$QUASAR_CACHE/roms-$QEMU_PKG_VERSION
for f in "$qemu" "$initramfs" "$kernel" "$roms/bios-256k.bin"; do
	[ -e "$f" ] || { echo "vm.sh: missing $f (run make)" >&2; exit 2; }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/job/run"
if [ -n "$shell" ]; then
	printf '%s\n' 'echo "QUASAR-SHELL: exit powers the guest off"' 'exec sh -i' \
		>"$work/job/run/job.sh"
elif [ -n "$script" ]; then
	cp "$script" "$work/job/run/job.sh"
else
	printf '%s\n' "${cmd:-true}" >"$work/job/run/job.sh"
fi
for a in "${adds[@]}"; do
	src=${a%%:*}
	dest=${a#"$src"}
	dest=${dest#:}
	[ -n "$dest" ] || dest=/usr/bin/$(basename "$src")
	[ -f "$src" ] || { echo "vm.sh: --add $src: no such file" >&2; exit 2; }
	case "$dest" in
	/*) ;;
	*) echo "vm.sh: --add $a: the guest path must be absolute" >&2; exit 2 ;;
	esac
	mkdir -p "$work/job$(dirname "$dest")"
	cp "$src" "$work/job$dest"
	case "$dest" in /usr/bin/*) chmod 755 "$work/job$dest" ;; esac
done
(cd "$work/job" && find . | cpio -o -H newc --quiet -R 0:0 | gzip -1) >"$work/job.cpio.gz"
cat "$initramfs" "$work/job.cpio.gz" >"$work/initrd.gz"

qmp_args=()
if [ -n "$trace_file" ]; then
	mkdir -p "$(dirname "$trace_file")"
	rm -f "$trace_file"
	traces+=(-D "$trace_file")
fi
[ -n "$qmp" ] && qmp_args=(-qmp "unix:$qmp,server=on,wait=off")
[ -n "$gdb" ] && qmp_args+=(-gdb "tcp:127.0.0.1:$gdb")
# The job's stdin: the terminal for --shell, nothing otherwise.
stdin=/dev/null
[ -n "$shell" ] && stdin=/dev/stdin
[ -n "$log" ] || log=$work/console.log
mkdir -p "$(dirname "$log")"

# maxcpus=1: the second vCPU comes up when the guest's init runs
# (scripts/guest-init.sh). QEMU 7.2's multi-threaded TCG now and then runs
# a stale translation of the int3 with which the guest kernel patches its
# own code while another vCPU executes it, after the patch has finished,
# and the kernel dies of "Oops: int3" (seen three times in a week of runs,
# each with the host loaded). The patch that hit twice is the kernel's
# last at boot ("sched_clock: Marking stable", in sched_clock_cpu(), where
# the other vCPU idles): with one vCPU up there is nobody to race. The
# third, a tracepoint's (below), guest-init.sh avoids too. Taking turns on
# one host thread (-accel tcg,thread=single) would rule it out entirely,
# but made the guest suites several times slower.
# no_timer_check: the kernel's check that the IO-APIC timer ticks counts
# ticks against a busy loop, which a TCG guest on a loaded host fails
# ("IO-APIC + timer doesn't work!" and a panic at boot; seen once in a
# make check with the host's load at 9 on its 2 cores).
set +e
timeout --foreground -k 5 "$timeout" "$qemu" -M q35 -accel tcg -cpu max -smp 2 -m 1G \
	-L "$roms" -display none -vga none -monitor none -serial stdio -nic none -no-reboot \
	-kernel "$kernel" -initrd "$work/initrd.gz" \
	-append "console=ttyS0 panic=-1 quiet no_timer_check maxcpus=1$append" \
	-device pcie-root-port,id=rp1,chassis=1,slot=1 \
	-device quasar,id=npu0,bus=rp1 \
	"${qmp_args[@]}" "${traces[@]}" "${extra[@]}" <"$stdin" 2>&1 | tee "$log"
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
