# SPDX-License-Identifier: MIT
# Host tests of the models (models/): the committed checkpoints' held-out
# figures, the algorithms on the real models, packed checkpoints; the
# classifier as a device program on the firmware in process.
# It needs the data sets, so plain `make` does not build it (`make check`
# does).

MDLT_OUT := $(BUILD)/tests/models
MDLT_BINS := $(MDLT_OUT)/mdl_models_test

HOST_TESTS += $(MDLT_BINS)

# The test reads the committed checkpoints and both data sets.
$(MDLT_OUT)/mdl_models_test: $(TOP)/tests/models/mdl_models_test.c $(MDL_LIB) $(CMP_LIB) \
		$(DP_LIB) $(MDL_HDRS) $(DEPS_STAMP) $(MDL_DATA_STAMP) $(MDL_LM_CKPT) $(MDL_CLS_CKPT)
	@mkdir -p $(dir $@)
	$(CC) $(MDL_CFLAGS) -I$(KSELFTEST_DIR) -Wno-unused-parameter \
		-DMDL_CKPT_DIR='"$(MDL_CKPT)"' $< -o $@ $(MDL_LIB) $(MDL_LIBS)

# The classifier as a device program on the firmware in process (fwrun):
# the linear path's logits bit for bit, and what each job costs.
$(MDLT_OUT)/mdl_device_test: $(TOP)/tests/models/mdl_device_test.c $(MDL_LIB) $(CMP_LIB) \
		$(LIBACCEL_A) $(FWRUN_LIBS) $(MDL_DEPS_HDRS) $(DEPS_STAMP) $(MDL_DATA_STAMP) \
		$(MDL_CLS_CKPT)
	@mkdir -p $(dir $@)
	$(CC) $(MDL_CFLAGS) -isystem $(KSELFTEST_DIR) -Wno-unused-parameter \
		-DMDL_CKPT_DIR='"$(MDL_CKPT)"' $< -o $@ $(MDL_LIB) $(MDL_DEV_LIBS)

HOST_TESTS += $(MDLT_OUT)/mdl_device_test

