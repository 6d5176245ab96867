# SPDX-License-Identifier: MIT
# Quasar NPU stack: top-level build.
#
#   make          build everything (firmware, QEMU device, driver, libaccel,
#                 tools, tests, guest image)
#   make deps     set up a fresh Debian 12 machine (as root); idempotent
#   make run      the main job: boot the VM and run the demo
#   make check    every test suite; ends with "N passed, N failed"
#
# Each layer adds its rules in its own fragment (<folder>/<folder>.mk),
# included below in dependency order, and registers what it builds in
# these lists:
#   HOST_TESTS   host test programs (TAP output, kselftest harness)
#   GUEST_BINS   programs copied to the guest image's /usr/bin
#   GUEST_TESTS  guest test programs (TAP output), also in GUEST_BINS
#   GUEST_LIBS   shared libraries copied to the guest's /usr/lib
#   GUEST_DATA   files copied to the guest's /usr/share/quasar
#   QTEST_SCRIPTS  scripts running QEMU qtests (TAP)
#   VM_SCRIPTS   host scripts that boot their own guest (TAP)
#   ALL_TARGETS  everything `make` builds
#   INSTALL_*    what `make install` puts where (install.mk)
#   MAN_BINS     programs with a man page from their --help (`make man`)

TOP := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
include $(TOP)/versions.mk

BUILD := $(TOP)/build
KDIR := /lib/modules/$(KVER)/build
DEPS_STAMP := $(QUASAR_CACHE)/.deps-ok
KTOOLS := $(QUASAR_CACHE)/linux-tools-$(KPKG_VERSION)
KSELFTEST_DIR := $(KTOOLS)/tools/testing/selftests
CHECKPATCH := $(KTOOLS)/scripts/checkpatch.pl

CC := gcc
# `make run` and `make check` build with this many jobs when make itself
# was not given -j (a fresh clone builds the whole tree; 2 cores do it in
# about half the time)
BUILD_JOBS ?= $(shell nproc)
BUILD_JOBS_FLAG := $(if $(filter -j%,$(MAKEFLAGS)),,-j$(BUILD_JOBS))
# The contracts: "drm/quasar_isa.h" and "hw/quasar_hw_interface.h" need no
# other header, so the datapath, the firmware and the runner build with
# these alone.
COMMON_CFLAGS := -O2 -g -Wall -Wextra -Werror=implicit-function-declaration \
	-I$(TOP)/include -I$(TOP)/uapi
# User-space programs of the ioctl header, "drm/quasar_accel.h": its
# "drm.h" is libdrm-dev's copy of the kernel's uapi header.
HOST_CFLAGS := $(COMMON_CFLAGS) -I/usr/include/libdrm

HOST_TESTS :=
GUEST_BINS :=
GUEST_TESTS :=
GUEST_LIBS :=
GUEST_DATA :=
GUEST_SCRIPTS :=
QTEST_SCRIPTS :=
# What make check builds before it runs anything, besides `all` (e.g. the
# sanitized QEMU: built here, not inside a suite's time limit)
CHECK_BUILDS :=
VM_SCRIPTS :=
# The debug-kernel lane (tests/debug-kernel/): guest suites on that kernel
DEBUG_KERNEL_SCRIPTS :=
ALL_TARGETS :=
INSTALL_BINS :=
INSTALL_HEADERS :=
INSTALL_UAPI :=
INSTALL_QUASAR_HEADERS :=
INSTALL_SHLIBS :=
INSTALL_STATIC :=
INSTALL_PC :=
INSTALL_FW :=
INSTALL_PYTHON :=
MAN_BINS :=

.PHONY: all deps run check soak check-host check-guest qemu driver initramfs clean \
	help FORCE
.DEFAULT_GOAL := all

# $(call RUN_SUITES,name,programs): runs each test program, then prints one
# line "name: N passed, N failed"; fails when any program failed.
RUN_SUITES = pass=0; fail=0; for t in $(2); do \
	if $$t; then pass=$$((pass+1)); else fail=$$((fail+1)); fi; \
	done; echo "$(1): $$pass passed, $$fail failed"; [ $$fail -eq 0 ]

# Contracts and shared cores first, consumers after them: a fragment may
# use the variables of every fragment above it.
include $(TOP)/datapath/datapath.mk
include $(TOP)/isa/isa.mk
include $(TOP)/firmware/firmware.mk
include $(TOP)/fwrun/fwrun.mk
include $(TOP)/libaccel/libaccel.mk
include $(TOP)/compress/compress.mk
include $(TOP)/driver/driver.mk
include $(TOP)/qemu-device/qemu-device.mk
include $(TOP)/tools/tools.mk
include $(TOP)/models/models.mk
include $(TOP)/codesign/codesign.mk
include $(TOP)/python/python.mk
include $(TOP)/tests/tests.mk
include $(TOP)/bench/bench.mk
include $(TOP)/examples/examples.mk
include $(TOP)/install.mk

help:
	@sed -n '2,12p' $(TOP)/Makefile

# Set-up runs when a needed tool or download is missing, and on request.
deps:
	@bash $(TOP)/scripts/deps.sh

$(DEPS_STAMP): $(TOP)/scripts/deps.sh $(TOP)/versions.mk
	@bash $(TOP)/scripts/deps.sh
	@touch $@

clean:
	rm -rf $(BUILD)
	-$(MAKE) -C $(KDIR) M=$(TOP)/driver clean >/dev/null 2>&1

FORCE:

# ---------------------------------------------------------------------------
# Guest image, the main job and the test run. These come after the fragments
# so that the lists they registered are complete.

QUASAR_KO ?= $(BUILD)/driver/quasar.ko
FW_IMAGE ?= $(BUILD)/fw/quasar-fw.bin
INITRAMFS := $(BUILD)/guest/initramfs.cpio.gz
QEMU_BIN := $(BUILD)/qemu/qemu-system-x86_64

ALL_TARGETS += qemu $(INITRAMFS)

$(INITRAMFS): $(DEPS_STAMP) $(QUASAR_KO) $(FW_IMAGE) $(FW_EXTRA_IMAGES) \
		$(GUEST_BINS) $(GUEST_LIBS) $(GUEST_DATA) $(TOP)/scripts/mkinitramfs.sh \
		$(TOP)/scripts/guest-init.sh
	@rm -rf $(BUILD)/guest/fw $(BUILD)/guest/data && mkdir -p $(BUILD)/guest/fw $(BUILD)/guest/data
	@cp $(FW_IMAGE) $(FW_EXTRA_IMAGES) $(BUILD)/guest/fw/
	@$(if $(GUEST_DATA),cp $(GUEST_DATA) $(BUILD)/guest/data/)
	@bash $(TOP)/scripts/mkinitramfs.sh $@ $(KVER) $(QUASAR_KO) $(BUILD)/guest/fw \
		$(BUILD)/guest/data $(GUEST_BINS) -- $(GUEST_LIBS)

initramfs: $(INITRAMFS)

# Last, so that every fragment's ALL_TARGETS is in the list when it expands.
all: $(ALL_TARGETS)

run: $(DEPS_STAMP)
	@$(MAKE) --no-print-directory $(BUILD_JOBS_FLAG) all
	@bash $(TOP)/scripts/vm.sh --script $(TOP)/scripts/run-demo.sh --log $(BUILD)/run/console.log

check: $(DEPS_STAMP)
	@$(MAKE) --no-print-directory $(BUILD_JOBS_FLAG) all $(HOST_TESTS) $(GUEST_TESTS) $(CHECK_BUILDS)
	@HOST_TESTS="$(HOST_TESTS)" GUEST_TESTS="$(notdir $(GUEST_TESTS))" \
		GUEST_SCRIPTS="$(GUEST_SCRIPTS)" QTEST_SCRIPTS="$(QTEST_SCRIPTS)" \
		VM_SCRIPTS="$(VM_SCRIPTS)" DEBUG_KERNEL_SCRIPTS="$(DEBUG_KERNEL_SCRIPTS)" \
		bash $(TOP)/scripts/check.sh

# The long runs (docs/fuzzing.md, docs/debug-kernel.md): the sanitized
# device's fuzzers, a million ioctls in the guest, then every guest suite
# on the debug kernel (make check runs a subset there).
soak: $(DEPS_STAMP)
	@$(MAKE) --no-print-directory all qemu-san debug-kernel
	@GUEST_TESTS="$(notdir $(GUEST_TESTS))" GUEST_SCRIPTS="$(GUEST_SCRIPTS)" \
		bash $(TOP)/scripts/soak.sh

# `make build/...` from the top names the same file as the rules' absolute
# paths (the fragments write every target as $(BUILD)/...).
build/%: FORCE
	@$(MAKE) --no-print-directory $(BUILD)/$*
