# SPDX-License-Identifier: MIT
# quasar, the Python binding over libaccel.so.1 (cffi in ABI mode, numpy):
# nothing to compile. Built here: the Python guest image, the ordinary
# image with Debian's Python, numpy, cffi, pytest and this package over it
# (scripts/mkinitramfs-python.sh); vm.sh --initrd boots it.

PY_DIR := $(TOP)/python
PY_PKG := $(wildcard $(PY_DIR)/quasar/*.py)
PY_INITRAMFS := $(BUILD)/guest/initramfs-python.cpio.gz

# The ordinary image is named here as the Makefile names it ($(INITRAMFS) is
# set after the fragments).
$(PY_INITRAMFS): $(BUILD)/guest/initramfs.cpio.gz $(PY_PKG) $(TOP)/scripts/mkinitramfs-python.sh
	@bash $(TOP)/scripts/mkinitramfs-python.sh $@ $< $(PY_DIR)/quasar

.PHONY: initramfs-python
initramfs-python: $(PY_INITRAMFS)

ALL_TARGETS += $(PY_INITRAMFS)
INSTALL_PYTHON += $(PY_PKG)
