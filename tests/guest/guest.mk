# SPDX-License-Identifier: MIT
# In-guest tests: kselftest-harness programs (one per area) built against
# libaccel, and test_module.sh (driver reload, corrupt firmware image).

GUEST_T_DIR := $(TOP)/tests/guest
GUEST_T_OUT := $(BUILD)/tests/guest
GUEST_T_NAMES := test_probe test_bo test_jobs test_sync test_isolation \
	test_negative
GUEST_T_PROGS := $(addprefix $(GUEST_T_OUT)/,$(GUEST_T_NAMES))
GUEST_T_SCRIPT := $(GUEST_T_OUT)/test_module.sh
GUEST_T_COMMON := $(GUEST_T_DIR)/guest_util.c $(GUEST_T_DIR)/guest_gate.c \
	$(GUEST_T_DIR)/raw_util.c
GUEST_T_HDRS := $(GUEST_T_DIR)/guest_util.h $(GUEST_T_DIR)/guest_gate.h \
	$(GUEST_T_DIR)/raw_util.h \
	$(LIBACCEL_HDRS)

$(GUEST_T_OUT)/test_%: $(GUEST_T_DIR)/test_%.c $(GUEST_T_COMMON) \
		$(GUEST_T_HDRS) $(LIBACCEL_DEPS) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -isystem $(KSELFTEST_DIR) $$($(LIBACCEL_PKG) --cflags) \
		-o $@ $< $(GUEST_T_COMMON) $$($(LIBACCEL_PKG) --libs)

$(GUEST_T_SCRIPT): $(GUEST_T_DIR)/test_module.sh
	@mkdir -p $(dir $@)
	install -m 755 $< $@

# vgem provides the fences that hold jobs back in test_sync (guest_gate.h);
# its dependencies (drm, drm_shmem_helper) are quasar's too. It travels as a
# "library" so that it lands at /usr/lib/vgem.ko in the guest.
GUEST_T_VGEM := $(GUEST_T_OUT)/vgem.ko
$(GUEST_T_VGEM): | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	xz -dc $$(modinfo -k $(KVER) -n vgem) >$@.tmp && mv -f $@.tmp $@

.PHONY: guest-tests
guest-tests: $(GUEST_T_PROGS) $(GUEST_T_SCRIPT) $(GUEST_T_VGEM)

GUEST_TESTS += $(GUEST_T_PROGS)
GUEST_SCRIPTS += $(GUEST_T_SCRIPT)
GUEST_BINS += $(GUEST_T_PROGS) $(GUEST_T_SCRIPT)
GUEST_LIBS += $(GUEST_T_VGEM)
ALL_TARGETS += $(GUEST_T_PROGS) $(GUEST_T_SCRIPT) $(GUEST_T_VGEM)
