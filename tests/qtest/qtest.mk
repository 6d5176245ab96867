# SPDX-License-Identifier: MIT
# The Quasar device's QEMU qtest: built inside QEMU's tree (see
# scripts/build-qemu.sh), run by `make check` through QTEST_SCRIPTS.
#
#   make check-qtest    build QEMU, the firmware image and the qtest; run it

QTEST_SCRIPTS += $(TOP)/tests/qtest/run-qtest.sh

.PHONY: check-qtest
check-qtest: $(DEPS_STAMP)
	@bash $(TOP)/tests/qtest/run-qtest.sh
