# SPDX-License-Identifier: MIT
# Tests of the scripts a user runs (scripts/): vm_vmsh_options_test.sh
# boots a guest through vm.sh with a program and a file of the user's own
# and kernel/module parameters.

VM_SCRIPTS += $(TOP)/tests/scripts/vm_vmsh_options_test.sh
