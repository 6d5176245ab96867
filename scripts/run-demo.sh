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
# The 4-bit LM (int4-g32, packed at build time) continues a held-out Moby
# Dick prompt (chapter 135), its whole forward pass on the device: one
# prefill job, then one decode job per byte, sampled (temperature 0.7,
# the 40 most likely bytes) with a fixed seed, so the text is the same at
# every run (accel-generate --help).
echo "== accel-generate: the 4-bit language model continues Moby Dick on the device"
accel-generate --tokens 96 --temperature 0.7 --top-k 40 --seed 2 --prompt 'The morning of the third day dawned fair and fresh, and once more the solitary night-man at the fore-mast-head was relieved by' \
	/usr/share/quasar/moby-lm-int4-g32-a16-rtn.qpk
