# SPDX-License-Identifier: MIT
# Host-driven VM scenarios: each script boots its own guest (scripts/vm.sh)
# and drives it from outside, e.g. through QMP. `make check` runs them.
#
#   hot_unplug.sh         device_del of the NPU while jobs run (needs obs_unplug)
#   device_properties.sh  the cost model follows -device quasar's properties

VM_SCRIPTS += $(TOP)/tests/vm/hot_unplug.sh $(TOP)/tests/vm/device_properties.sh
