# SPDX-License-Identifier: MIT
# Kernel driver: quasar.ko for $(KVER), warning-free under W=1.
#
#   make driver        build $(BUILD)/driver/quasar.ko (part of `make`)
#   make checkpatch    checkpatch --strict on driver/*.c, driver/*.h
#   make sparse        the driver through sparse (C=2: every file)
#
# The top-level Kbuild builds the same module with the kernel's own build:
#   make -C /lib/modules/$(uname -r)/build M=$PWD

DRV_DIR := $(TOP)/driver
DRV_BUILD := $(BUILD)/driver
DRV_KO := $(DRV_BUILD)/quasar.ko
DRV_SRCS = $(wildcard $(DRV_DIR)/quasar_*.c $(DRV_DIR)/quasar_*.h)
DRV_KBUILD := $(MAKE) -C $(KDIR) M=$(DRV_DIR)

ALL_TARGETS += $(DRV_KO)

.PHONY: checkpatch sparse
driver: $(DRV_KO)

# Kbuild tracks the sources itself, so it always runs. It builds in the
# source directory, where a file that compiled with a warning would not be
# rebuilt next time: on a warning its objects are removed, so the build
# fails again until the warning is fixed.
$(DRV_KO): $(DEPS_STAMP) FORCE
	@mkdir -p $(DRV_BUILD)
	+@$(DRV_KBUILD) W=1 modules >$(DRV_BUILD)/build.log 2>&1; rc=$$?; \
	grep -v '^make\[[0-9]*\]: \(Entering\|Leaving\)' $(DRV_BUILD)/build.log; \
	if [ $$rc -ne 0 ]; then exit $$rc; fi; \
	if grep -Ev '^make(\[[0-9]+\])?: ' $(DRV_BUILD)/build.log | \
		grep -qi 'warning:'; then \
		rm -f $(DRV_DIR)/*.o $(DRV_DIR)/quasar.ko; \
		echo "driver: W=1 warnings are errors" >&2; exit 1; \
	fi
	@cp -p $(DRV_DIR)/quasar.ko $@.tmp && mv -f $@.tmp $@

# --no-tree: an out-of-tree module has no kernel tree around it.
# driver/Kbuild and this fragment are not C and are not checked.
checkpatch: $(DEPS_STAMP)
	$(CHECKPATCH) --strict --no-tree --file $(DRV_SRCS)

sparse: $(DEPS_STAMP)
	+@$(DRV_KBUILD) C=2 modules >$(DRV_BUILD)/sparse.log 2>&1; rc=$$?; \
	grep -E 'warning:|error:' $(DRV_BUILD)/sparse.log; \
	if [ $$rc -ne 0 ]; then exit $$rc; fi; \
	if grep -qE 'warning:|error:' $(DRV_BUILD)/sparse.log; then exit 1; fi

# DKMS: the driver's source package, as /usr/src/quasar-VERSION/ holds it
# (driver/, the two contracts it includes, the top-level Kbuild, dkms.conf);
# VERSION is the driver's (QUASAR_DRIVER_MAJOR.MINOR). Install it with
#   cp -r build/dkms/quasar-VERSION /usr/src/ && dkms install quasar/VERSION
# (docs/bringup.md); tests/driver/driver_dkms_test.sh builds it with dkms.
DKMS_VERSION := $(shell awk '/^\#define QUASAR_DRIVER_(MAJOR|MINOR)\t/ \
	{ v = v s $$3; s = "." } END { print v }' $(DRV_DIR)/quasar_drv.h)
DKMS_SRC := $(BUILD)/dkms/quasar-$(DKMS_VERSION)
.PHONY: dkms-source
dkms-source: $(DKMS_SRC)/dkms.conf
$(DKMS_SRC)/dkms.conf: $(DRV_SRCS) $(DRV_DIR)/Kbuild $(TOP)/Kbuild $(DRV_DIR)/dkms.conf.in \
		$(wildcard $(TOP)/include/hw/*.h $(TOP)/uapi/drm/*.h)
	rm -rf $(DKMS_SRC) && mkdir -p $(DKMS_SRC)/driver $(DKMS_SRC)/include/hw $(DKMS_SRC)/uapi/drm
	cp $(TOP)/Kbuild $(DKMS_SRC)/
	cp $(DRV_DIR)/Kbuild $(DRV_DIR)/quasar_*.c $(DRV_DIR)/quasar_*.h $(DKMS_SRC)/driver/
	cp $(TOP)/include/hw/*.h $(DKMS_SRC)/include/hw/
	cp $(TOP)/uapi/drm/*.h $(DKMS_SRC)/uapi/drm/
	sed -e 's/@VERSION@/$(DKMS_VERSION)/' -e '/^# SPDX/d' $(DRV_DIR)/dkms.conf.in >$@

ALL_TARGETS += $(DKMS_SRC)/dkms.conf
