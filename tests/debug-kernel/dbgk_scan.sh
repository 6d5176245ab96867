#!/bin/bash
# SPDX-License-Identifier: MIT
# The debug-kernel lane's reader of reports (docs/debug-kernel.md).
# usage: dbgk_scan.sh KIND FILE
#   KIND sanitizer  KASAN, UBSAN, debug objects (ODEBUG), DMA-API debug,
#                   list debugging, BUG_ON
#        lockdep    lockdep, sleeping in atomic context, suspicious RCU
#                   usage, any other "BUG:", a WARNING with a call trace,
#                   oopses, panics, hung tasks
#        leak       FILE is /sys/kernel/debug/kmemleak after a scan
# Prints the first report of that kind (its first line, then its lines up
# to the call trace, at most 10) and exits 0; exits 1 when there is none,
# 2 on a usage error.
set -uo pipefail
[ $# -eq 2 ] || { echo "usage: dbgk_scan.sh sanitizer|lockdep|leak FILE" >&2; exit 2; }
kind=$1 file=$2
[ -r "$file" ] || { echo "dbgk_scan.sh: cannot read $file" >&2; exit 2; }

case "$kind" in
sanitizer)
	pat='BUG: KASAN: |UBSAN: |ODEBUG: |DMA-API: |list_(add|del) corruption|kernel BUG at '
	;;
lockdep)
	# lockdep's reports: "WARNING: possible circular locking dependency",
	# "... recursive locking ...", "inconsistent lock state", "suspicious
	# RCU usage", "bad unlock balance", "lock held when returning to user
	# space", "held lock freed" ...; "BUG: sleeping function called from
	# invalid context", "BUG: scheduling while atomic"; any WARN_ON
	# ("WARNING: CPU: 1 PID: 42 at file:line").
	pat='WARNING: (possible|inconsistent|suspicious|bad unlock|held lock|lock held|nested lock)'
	pat+='|WARNING: CPU: [0-9]+ PID: |BUG: |Oops|general protection fault|Kernel panic'
	pat+='|INFO: task .* blocked for more than|INFO: possible '
	;;
leak)
	pat='^unreferenced object '
	;;
*)
	echo "dbgk_scan.sh: unknown kind '$kind' (sanitizer, lockdep or leak)" >&2
	exit 2
	;;
esac

# DMA-API debugging says at boot that it is on; its reports name a device
# ("DMA-API: pci 0000:01:00.0: device driver frees DMA memory ...").
# A KASAN report is the sanitizer kind's, not a second "BUG:" here.
ignore='DMA-API: (preallocated [0-9]+ debug entries|debugging enabled by kernel config)'
[ "$kind" = lockdep ] && ignore+='|BUG: KASAN: '
first=$(grep -n -E "$pat" "$file" | grep -v -E "$ignore" | head -n 1 | cut -d: -f1)
[ -n "$first" ] || exit 1
if [ "$kind" = leak ]; then
	echo "unreferenced objects: $(grep -c -E "$pat" "$file"), the first:"
	awk -v f="$first" 'NR == f { print; next } NR > f { if (/^unreferenced object /) exit; print }' \
		"$file" | head -n 12
	exit 0
fi
# The report's lines up to its call trace (the frames are in the console
# log for whoever reads on).
sed -n "${first},\$p" "$file" | awk 'NR > 1 && /Call Trace:|<TASK>/ { exit } { print }' |
	head -n 10
exit 0
