# SPDX-License-Identifier: MIT
# Host-driven VM scenarios of the device: each script boots its own guest
# (scripts/vm.sh) and drives it from outside.
#
#   device_properties.sh  the cost model follows -device quasar's properties

VM_SCRIPTS += $(TOP)/tests/vm/device_properties.sh
