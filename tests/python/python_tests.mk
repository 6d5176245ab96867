# SPDX-License-Identifier: MIT
# The Python binding's tests (python/tests/test_*.py, pytest) in the Python
# guest image, from a host script that boots it and prints TAP; and
# py_int8_ref, the C library's INT8 quantizer that test_quant.py holds the
# numpy one to.

PYT_OUT := $(BUILD)/tests/python
PYT_INT8_REF := $(PYT_OUT)/py_int8_ref

$(PYT_INT8_REF): $(TOP)/tests/python/py_int8_ref.c $(LIBACCEL_DEPS) $(LIBACCEL_HDRS) \
		$(CMP_LIB) $(DP_REF_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) $$($(LIBACCEL_PKG) --cflags) -I$(DP_DIR) -I$(CMP_DIR) -o $@ $< \
		$(CMP_LIB) $(DP_REF_LIB) $$($(LIBACCEL_PKG) --libs) -lm

PYT_SAMPLE_REF := $(PYT_OUT)/py_sample_ref

$(PYT_SAMPLE_REF): $(TOP)/tests/python/py_sample_ref.c $(MDL_PORTABLE_LIB) $(MDL_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -ffp-contract=off -I$(MDL_DIR) -o $@ $< $(MDL_PORTABLE_LIB) -lm

ALL_TARGETS += $(PYT_INT8_REF) $(PYT_SAMPLE_REF)
VM_SCRIPTS += $(TOP)/tests/python/vm_python_test.sh
