# SPDX-License-Identifier: MIT
# Every test suite's fragment, one per folder of tests/. Host suites first;
# the guest suites run in the VM in the order their fragments register them.

include $(TOP)/tests/datapath/datapath_tests.mk
include $(TOP)/tests/compress/compress_tests.mk
include $(TOP)/tests/firmware/firmware_tests.mk
include $(TOP)/tests/models/models_tests.mk
include $(TOP)/tests/driver/driver_tests.mk
include $(TOP)/tests/fuzz/fuzz.mk
include $(TOP)/tests/guest/conform.mk
include $(TOP)/tests/guest/guest.mk
include $(TOP)/tests/guest/observe.mk
include $(TOP)/tests/guest/queues.mk
include $(TOP)/tests/guest/robust.mk
include $(TOP)/tests/libaccel/libaccel_tests.mk
include $(TOP)/tests/qemu-device/qemu_device_tests.mk
include $(TOP)/tests/vm/vm.mk
