# SPDX-License-Identifier: MIT
# The main job, run inside the guest by `make run`.
set -e
echo "== probe"
dmesg | grep -i quasar | sed 's/^/  /'
ls -l /dev/accel/
echo "== accel-info"
accel-info
echo "== accel-demo"
accel-demo
# ISA v1 on the device: each GEMM checked bit for bit against the golden
# model in the guest, then its cost report (accel-stats --help).
echo "== accel-stats: W4 GEMM (INT4, group 128, bias, GELU)"
accel-stats --format w4 --group 128 -m 64 -n 256 -k 512 --bias --act gelu
echo "== accel-stats: W8A8 GEMM"
accel-stats --format w8 --a8 -m 64 -n 256 -k 512
echo "== done: all jobs verified"
