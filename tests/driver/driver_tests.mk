# SPDX-License-Identifier: MIT
# The driver's raw-ioctl guest tests (run in the VM by `make check`):
# quasar_drv_test (each ioctl, raw), quasar_reset_test.sh (timeout
# recovery, unload under running jobs).
#
#   make driver-tests   build them

DRV_T_DIR := $(TOP)/tests/driver
DRV_T_OUT := $(BUILD)/tests/driver
DRV_T_PROGS := $(DRV_T_OUT)/quasar_drv_test $(DRV_T_OUT)/quasar_reset_test
DRV_T_SCRIPT := $(DRV_T_OUT)/quasar_reset_test.sh
# Raw ioctls only, through tests/guest/raw_util.
DRV_T_CFLAGS := $(HOST_CFLAGS) -isystem $(KSELFTEST_DIR) \
	-I$(TOP)/tests/guest
DRV_T_RAW := $(TOP)/tests/guest/raw_util.c

$(DRV_T_PROGS): $(DRV_T_OUT)/%: $(DRV_T_DIR)/%.c $(DRV_T_RAW) \
		$(TOP)/tests/guest/raw_util.h $(TOP)/uapi/drm/quasar_accel.h \
		| $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(DRV_T_CFLAGS) -o $@ $< $(DRV_T_RAW)

$(DRV_T_SCRIPT): $(DRV_T_DIR)/quasar_reset_test.sh
	@mkdir -p $(@D)
	install -m 755 $< $@

.PHONY: driver-tests
driver-tests: $(DRV_T_PROGS) $(DRV_T_SCRIPT)

GUEST_TESTS += $(DRV_T_OUT)/quasar_drv_test
GUEST_SCRIPTS += $(DRV_T_SCRIPT)
GUEST_BINS += $(DRV_T_PROGS) $(DRV_T_SCRIPT)
ALL_TARGETS += $(DRV_T_PROGS) $(DRV_T_SCRIPT)
