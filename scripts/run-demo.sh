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
echo "== done: all jobs verified"
