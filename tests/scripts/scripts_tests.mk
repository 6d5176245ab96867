# SPDX-License-Identifier: MIT
# Tests of the scripts a user runs (scripts/): vm_vmsh_options_test.sh
# boots a guest through vm.sh with a program and a file of the user's own
# and kernel/module parameters.

VM_SCRIPTS += $(TOP)/tests/scripts/vm_vmsh_options_test.sh

# make install / uninstall into a DESTDIR and a prefix, and the examples
# built out of the tree against the installed SDK (host; the examples run
# in the guest: examples/examples.mk).
HOST_TESTS += $(TOP)/tests/scripts/sdk_install_test.sh

# Every program's command line: --help, --version, usage errors naming the
# option and value, --json, progress lines and man pages (host; the guest
# tools run on the host for this); and the guest tools' --json and --device
# on the device (guest).
HOST_TESTS += $(TOP)/tests/scripts/tools_cli_test.sh
SCRT_GUEST_CLI := $(BUILD)/tests/scripts/guest_tools_cli_test.sh
$(SCRT_GUEST_CLI): $(TOP)/tests/scripts/guest_tools_cli_test.sh
	@mkdir -p $(@D)
	cp $< $@
GUEST_BINS += $(SCRT_GUEST_CLI)
GUEST_SCRIPTS += $(SCRT_GUEST_CLI)
ALL_TARGETS += $(SCRT_GUEST_CLI)

# The sweep runner (scripts/sweep.sh) in local mode: retry once, the
# failed list with stderr, exit codes, --jobs bound, malformed task files.
HOST_TESTS += $(TOP)/tests/scripts/sweep_local_test.sh

# The same small sweep through a single-node Slurm that the test starts and
# stops itself (scripts/slurm-local.sh) and locally: equal merged CSVs, a
# crashed worker retried (host, root; skipped without slurm-wlm and munge).
HOST_TESTS += $(TOP)/tests/scripts/slurm_sweep_matches_local.sh
