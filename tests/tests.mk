# SPDX-License-Identifier: MIT
# Every test suite's fragment, one folder of tests/ per thing tested. The
# place a test runs is in its name: <layer>_<area>_test runs on the host,
# guest_<area>_test in the TCG guest, qtest_<area>_test under QEMU's qtest,
# vm_<area>_test.sh on the host driving a guest of its own. Host suites run
# first; the guest suites run in the VM in the order they are registered.

include $(TOP)/tests/datapath/datapath_tests.mk
include $(TOP)/tests/compress/compress_tests.mk
include $(TOP)/tests/firmware/firmware_tests.mk
include $(TOP)/tests/firmware/fuzz/firmware_fuzz.mk
include $(TOP)/tests/models/models_tests.mk
include $(TOP)/tests/codesign/codesign_tests.mk
include $(TOP)/tests/driver/driver_tests.mk
include $(TOP)/tests/debug-kernel/debug-kernel.mk
include $(TOP)/tests/libaccel/libaccel_tests.mk
include $(TOP)/tests/qemu-device/qemu_device_tests.mk
include $(TOP)/tests/scripts/scripts_tests.mk
include $(TOP)/tests/python/python_tests.mk
