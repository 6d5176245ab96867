# SPDX-License-Identifier: MIT
# The debug-kernel lane (docs/debug-kernel.md): the guest suites again, on a
# kernel with KASAN, lockdep, UBSAN, debug objects, DMA-API debug and
# kmemleak; any report in the guest's dmesg fails it.
#
#   make debug-kernel         the kernel (cached, scripts/build-debug-kernel.sh),
#                             quasar.ko built for it and its guest image
#   make check-debug-kernel   build them and run the lane alone
#
# Everything is built into the kernel but quasar.ko, so the guest image is
# the ordinary one with this quasar.ko and an empty module load list laid
# over it (a second cpio archive: the later file wins).

DBGK_DIR := $(TOP)/tests/debug-kernel
DBGK_OUT := $(BUILD)/debug-kernel
DBGK_BZIMAGE := $(DBGK_OUT)/bzImage
DBGK_KDIR := $(DBGK_OUT)/kdir
DBGK_MOD := $(DBGK_OUT)/mod
DBGK_KO := $(DBGK_OUT)/quasar.ko
DBGK_INITRAMFS := $(DBGK_OUT)/initramfs.cpio.gz
DBGK_LANE := $(DBGK_DIR)/guest_debug_kernel.sh

.PHONY: debug-kernel check-debug-kernel

# The script is quick when the cache holds this configuration's build; it
# always runs, so that a changed fragment is a new build. bzImage and kdir
# change only when the build they point to does.
$(DBGK_BZIMAGE): $(DEPS_STAMP) FORCE
	@mkdir -p $(@D)
	+@dir=$$(bash $(TOP)/scripts/build-debug-kernel.sh) && \
	ln -sfn $$dir/obj $(DBGK_KDIR) && \
	{ cmp -s $$dir/obj/arch/x86/boot/bzImage $@ || \
		cp $$dir/obj/arch/x86/boot/bzImage $@; }

# Kbuild of 6.12 builds an external module in its source directory; driver/
# keeps the objects of the ordinary build, so this one builds in a tree of
# links: mod/driver/* -> driver/*, mod/include and mod/uapi for the
# Kbuild's ../include and ../uapi. W=1 warnings are errors, as for driver/.
$(DBGK_KO): $(DBGK_BZIMAGE) FORCE
	@mkdir -p $(DBGK_MOD)/driver
	@ln -sfn $(TOP)/include $(DBGK_MOD)/include
	@ln -sfn $(TOP)/uapi $(DBGK_MOD)/uapi
	@find $(DBGK_MOD)/driver -maxdepth 1 -type l ! -exec test -e {} \; -delete
	@for f in $(DRV_DIR)/Kbuild $(DRV_DIR)/quasar_*.[ch]; do \
		ln -sfn $$f $(DBGK_MOD)/driver/; done
	+@$(MAKE) -C $(DBGK_KDIR) M=$(DBGK_MOD)/driver W=1 modules \
		>$(DBGK_OUT)/driver-build.log 2>&1; rc=$$?; \
	grep -v '^make\[[0-9]*\]: \(Entering\|Leaving\)' $(DBGK_OUT)/driver-build.log; \
	if [ $$rc -ne 0 ]; then exit $$rc; fi; \
	if grep -Ev '^make(\[[0-9]+\])?: ' $(DBGK_OUT)/driver-build.log | \
		grep -qi 'warning:'; then \
		rm -f $(DBGK_MOD)/driver/*.o $(DBGK_MOD)/driver/quasar.ko; \
		echo "debug-kernel: W=1 warnings are errors" >&2; exit 1; \
	fi
	@cmp -s $(DBGK_MOD)/driver/quasar.ko $@ || cp $(DBGK_MOD)/driver/quasar.ko $@

$(DBGK_INITRAMFS): $(BUILD)/guest/initramfs.cpio.gz $(DBGK_KO)
	@rm -rf $(DBGK_OUT)/overlay
	@mkdir -p $(DBGK_OUT)/overlay/lib/modules/quasar $(DBGK_OUT)/overlay/lib/modules/deps
	@cp $(DBGK_KO) $(DBGK_OUT)/overlay/lib/modules/quasar/quasar.ko
	@: >$(DBGK_OUT)/overlay/lib/modules/deps/order
	@(cd $(DBGK_OUT)/overlay && find . | sort | cpio -o -H newc --quiet -R 0:0 | gzip -1) \
		>$@.overlay
	@cat $(BUILD)/guest/initramfs.cpio.gz $@.overlay >$@.tmp && rm -f $@.overlay && \
		mv -f $@.tmp $@
	@echo "[debug-kernel] $@"

debug-kernel: $(DBGK_BZIMAGE) $(DBGK_KO) $(DBGK_INITRAMFS)

# In make check (DEBUG_KERNEL_LANE=0 turns it off): the kernel is built
# before any suite runs (a cold build must not count against a suite's time
# limit) and the lane runs after the VM scenario tests, on DBGK_CHECK_SUITES:
# the suites that between them drive the driver's paths (probe, unload and
# a wedged probe, BOs, jobs, syncobjs, isolation, bad arguments, queues and
# priorities, hangs, resets and FLRs, runtime PM and system sleep, PRIME,
# lifetimes, the ioctl fuzzer with DBGK_CHECK_FUZZ_IOCTLS ioctls), 6 to 10
# minutes of guest time there by load (docs/debug-kernel.md). Every suite runs
# on it in make soak and make check-debug-kernel.
DEBUG_KERNEL_LANE ?= 1
DBGK_CHECK_SUITES ?= guest_probe_test guest_bo_test guest_jobs_test guest_sync_test \
	guest_isolation_test guest_negative_test guest_observe_test guest_power_test \
	guest_sleep_test guest_queues_test guest_robust_test guest_prime_test \
	guest_lifetime_test guest_ioctl_fuzz_test guest_reset_test.sh guest_module_test.sh
DBGK_CHECK_FUZZ_IOCTLS ?= 10000
ifeq ($(DEBUG_KERNEL_LANE),1)
CHECK_BUILDS += debug-kernel
DEBUG_KERNEL_SCRIPTS += $(DBGK_LANE)
check: export DBGK_SUITES = $(DBGK_CHECK_SUITES)
check: export DBGK_FUZZ_IOCTLS = $(DBGK_CHECK_FUZZ_IOCTLS)
endif

# The lane's reader of reports, on reports in the kernel's own words.
HOST_TESTS += $(DBGK_DIR)/dbgk_scan_test.sh

# The lane alone: its TAP, then one line "N passed, N failed, N skipped".
check-debug-kernel: $(DEPS_STAMP)
	@$(MAKE) --no-print-directory all debug-kernel
	@mkdir -p $(BUILD)/check
	@GUEST_TESTS="$(notdir $(GUEST_TESTS))" GUEST_SCRIPTS="$(GUEST_SCRIPTS)" DBGK_SUITES= \
		bash $(DBGK_LANE) >$(BUILD)/check/guest_debug_kernel.log 2>&1; rc=$$?; \
	cat $(BUILD)/check/guest_debug_kernel.log; \
	awk -f $(TOP)/scripts/tap-count.awk $(BUILD)/check/guest_debug_kernel.log | \
		{ read -r p f s; echo "$$p passed, $$f failed, $$s skipped"; }; \
	exit $$rc
