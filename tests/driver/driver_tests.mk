# SPDX-License-Identifier: MIT
# Tests of the kernel driver (driver/), all in the TCG guest but the last:
#
#   guest_raw_ioctl_test     every ioctl through raw ioctl(2), no libaccel
#   guest_reset_test.sh      watchdog recovery and unload under running jobs
#                            (runs guest_reset_test, raw ioctls too)
#   guest_<area>_test        through libaccel: probe, BOs, jobs, syncobjs,
#                            isolation, negative cases, queues with
#                            priorities, recovery, debugfs/fdinfo/tracepoints,
#                            runtime PM, system sleep (the kernel's
#                            suspend test), a 100,000-ioctl fuzzer, object
#                            lifetimes (freed BOs vs jobs on the device),
#                            PRIME import and read-only BOs
#   guest_module_test.sh     reload, corrupt firmware image
#   guest_module_reload_test.sh  50 reloads, slab growth (runs guest_job_per_hwq)
#   vm_hot_unplug_test.sh    host-driven: device_del over QMP while jobs run
#                            (the guest side is guest_unplug_jobs)
#
#   make driver-tests   build them

DRVT_DIR := $(TOP)/tests/driver
DRVT_OUT := $(BUILD)/tests/driver
DRVT_LIB := $(TOP)/tests/lib

DRVT_RAW_PROGS := $(addprefix $(DRVT_OUT)/,guest_raw_ioctl_test guest_reset_test)
DRVT_TESTS := $(addprefix $(DRVT_OUT)/,guest_ioctl_fuzz_test guest_probe_test guest_bo_test \
	guest_jobs_test guest_sync_test guest_isolation_test guest_negative_test \
	guest_observe_test guest_power_test guest_queues_test guest_robust_test \
	guest_lifetime_test guest_prime_test guest_sleep_test)
DRVT_HELPERS := $(addprefix $(DRVT_OUT)/,guest_job_per_hwq guest_unplug_jobs)
DRVT_SCRIPTS := $(addprefix $(DRVT_OUT)/,guest_reset_test.sh guest_module_test.sh \
	guest_module_reload_test.sh)
DRVT_RAW_SRCS := $(DRVT_LIB)/raw_util.c
DRVT_SRCS := $(DRVT_LIB)/guest_util.c $(DRVT_LIB)/guest_gate.c $(DRVT_LIB)/raw_util.c \
	$(DRVT_DIR)/obs_util.c
DRVT_HDRS := $(wildcard $(DRVT_LIB)/*.h) $(DRVT_DIR)/obs_util.h $(LIBACCEL_HDRS)
DRVT_CFLAGS := $(HOST_CFLAGS) -isystem $(KSELFTEST_DIR) -I$(DRVT_LIB) -I$(DRVT_DIR)

# Raw ioctls only: the uapi header and tests/lib/raw_util.
$(DRVT_RAW_PROGS): $(DRVT_OUT)/%: $(DRVT_DIR)/%.c $(DRVT_RAW_SRCS) $(DRVT_HDRS) \
		| $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(DRVT_CFLAGS) -o $@ $< $(DRVT_RAW_SRCS)

$(DRVT_TESTS) $(DRVT_HELPERS): $(DRVT_OUT)/%: $(DRVT_DIR)/%.c $(DRVT_SRCS) $(DRVT_HDRS) \
		$(LIBACCEL_DEPS) | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(DRVT_CFLAGS) $$($(LIBACCEL_PKG) --cflags) -o $@ $< $(DRVT_SRCS) \
		$$($(LIBACCEL_PKG) --libs) -ldrm

$(DRVT_SCRIPTS): $(DRVT_OUT)/%: $(DRVT_DIR)/%
	@mkdir -p $(@D)
	install -m 755 $< $@

# vgem provides the fences that hold jobs back (tests/lib/guest_gate.h); its
# dependencies (drm, drm_shmem_helper) are quasar's too. It travels as a
# "library" so that it lands at /usr/lib/vgem.ko in the guest.
DRVT_VGEM := $(DRVT_OUT)/vgem.ko
$(DRVT_VGEM): | $(DEPS_STAMP)
	@mkdir -p $(@D)
	xz -dc $$(modinfo -k $(KVER) -n vgem) >$@.tmp && mv -f $@.tmp $@

.PHONY: driver-tests
driver-tests: $(DRVT_RAW_PROGS) $(DRVT_TESTS) $(DRVT_HELPERS) $(DRVT_SCRIPTS) $(DRVT_VGEM)

GUEST_TESTS += $(DRVT_OUT)/guest_raw_ioctl_test $(DRVT_TESTS)
GUEST_SCRIPTS += $(DRVT_SCRIPTS)
GUEST_BINS += $(DRVT_RAW_PROGS) $(DRVT_TESTS) $(DRVT_HELPERS) $(DRVT_SCRIPTS)
GUEST_LIBS += $(DRVT_VGEM)
VM_SCRIPTS += $(DRVT_DIR)/vm_hot_unplug_test.sh
# The DKMS source package built by Debian's dkms (host, trees of its own).
HOST_TESTS += $(DRVT_DIR)/driver_dkms_test.sh
ALL_TARGETS += $(DRVT_RAW_PROGS) $(DRVT_TESTS) $(DRVT_HELPERS) $(DRVT_SCRIPTS) $(DRVT_VGEM)
