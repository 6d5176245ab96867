# SPDX-License-Identifier: MIT
# Host tests of the models (models/): the committed checkpoints' held-out
# figures, the algorithms on the real models, packed checkpoints; the
# classifier as a device program on the firmware in process. They need the
# data sets, so plain `make` does not build them (`make check` does); the
# guest's classifiers (below) need Fashion-MNIST in the guest image, so
# `make` fetches the data sets for them.

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

# The language model as a device program on fwrun: prefill and decode steps
# bit for bit, golden and SIMD kernels, each job's cost, bad input.
$(MDLT_OUT)/mdl_lm_device_test: $(TOP)/tests/models/mdl_lm_device_test.c $(MDL_LIB) $(CMP_LIB) \
		$(LIBACCEL_A) $(FWRUN_LIBS) $(MDL_DEPS_HDRS) $(DEPS_STAMP) $(MDL_DATA_STAMP) \
		$(MDL_LM_CKPT)
	@mkdir -p $(dir $@)
	$(CC) $(MDL_CFLAGS) -isystem $(KSELFTEST_DIR) -Wno-unused-parameter \
		-DMDL_CKPT_DIR='"$(MDL_CKPT)"' $< -o $@ $(MDL_LIB) $(MDL_DEV_LIBS)

HOST_TESTS += $(MDLT_OUT)/mdl_lm_device_test

# In the guest: packed classifiers, each with the figures the host computed
# for it on the firmware in process (mdl-cls-fwrun), and the test images,
# all in the guest image's /usr/share/quasar; guest_models_test runs each
# model through /dev/accel/accel0 and compares (docs/models.md "Models on
# the device"). W8A8, W4 (g32) and SmoothQuant's input factors (MUL).
MDLT_DEV_DIR := $(MDLT_OUT)/device
MDLT_DEV_SPECS := int8/a8/rtn int4-g32/a16/rtn int8/a8/smooth
MDLT_DEV_QPKS := $(foreach v,$(MDLT_DEV_SPECS),$(MDLT_DEV_DIR)/fmnist-mlp-$(subst /,-,$(v)).qpk)
MDLT_DEV_FIGURES := $(MDLT_DEV_QPKS:.qpk=.figures)

MDLT_SPACE := $(subst ,, )
MDLT_COMMA := ,

# accel-eval writes every variant's .qpk in one run (and evaluates them).
$(MDLT_DEV_DIR)/.packed: $(MDL_OUT)/accel-eval $(MDL_CLS_CKPT) $(MDL_DATA_STAMP) \
		$(TOP)/tests/models/models_tests.mk
	@mkdir -p $(@D)
	$(MDL_OUT)/accel-eval --data $(MDL_FMNIST_DIR) --save-packed $(@D) \
		--variants $(subst $(MDLT_SPACE),$(MDLT_COMMA),$(strip $(MDLT_DEV_SPECS))) \
		$(MDL_CLS_CKPT) >$(@D)/accel-eval.txt
	@touch $@

$(MDLT_DEV_QPKS): $(MDLT_DEV_DIR)/.packed ;

$(MDLT_DEV_DIR)/%.figures: $(MDLT_DEV_DIR)/%.qpk $(MDL_CLS_FWRUN)
	$(MDL_CLS_FWRUN) --data $(MDL_FMNIST_DIR) --figures $@ $<

# The language model too: W4 (int4 g32) at A16 and A8, packed by accel-eval
# (one window evaluated: the packing is what the build needs), each with
# the figures mdl-lm-fwrun computed for it over the first 256 held-out
# bytes (a prefill of 64, then 192 decode steps; the token ids are in the
# figures, so the guest needs no text).
MDLT_LM_SPECS := int4-g32/a16/rtn int4-g32/a8/rtn
MDLT_LM_QPKS := $(foreach v,$(MDLT_LM_SPECS),$(MDLT_DEV_DIR)/moby-lm-$(subst /,-,$(v)).qpk)
MDLT_LM_FIGURES := $(MDLT_LM_QPKS:.qpk=.figures)

$(MDLT_DEV_DIR)/.packed-lm: $(MDL_OUT)/accel-eval $(MDL_LM_CKPT) $(MDL_DATA_STAMP) \
		$(TOP)/tests/models/models_tests.mk
	@mkdir -p $(@D)
	$(MDL_OUT)/accel-eval --data $(MDL_MOBY_DIR) --save-packed $(@D) --windows 1 --prompts 0 \
		--variants $(subst $(MDLT_SPACE),$(MDLT_COMMA),$(strip $(MDLT_LM_SPECS))) \
		$(MDL_LM_CKPT) >$(@D)/accel-eval-lm.txt
	@touch $@

$(MDLT_LM_QPKS): $(MDLT_DEV_DIR)/.packed-lm ;

$(MDLT_DEV_DIR)/moby-lm-%.figures: $(MDLT_DEV_DIR)/moby-lm-%.qpk $(MDL_LM_FWRUN)
	$(MDL_LM_FWRUN) --data $(MDL_MOBY_DIR) --tokens 256 --prompt 64 --figures $@ $<

GUEST_DATA += $(MDLT_DEV_QPKS) $(MDLT_DEV_FIGURES) $(MDLT_LM_QPKS) $(MDLT_LM_FIGURES) \
	$(MDL_FMNIST_DIR)/t10k-images-idx3-ubyte.gz $(MDL_FMNIST_DIR)/t10k-labels-idx1-ubyte.gz

# The guest program: the portable build of the models' library, libaccel.so;
# linked without debug sections, which would be most of the guest image's
# growth (6 MB of 7; the test images take 4.4 MB).
MDLT_GUEST := $(MDLT_OUT)/guest_models_test

$(MDLT_GUEST): $(TOP)/tests/models/guest_models_test.c $(MDL_PORTABLE_LIB) $(CMP_LIB) \
		$(DP_LIB) $(LIBACCEL_DEPS) $(MDL_DEPS_HDRS) | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(MDL_PORTABLE_CFLAGS) -isystem $(KSELFTEST_DIR) -Wno-unused-parameter \
		$$($(LIBACCEL_PKG) --cflags) $< -o $@ $(MDL_PORTABLE_LIB) $(CMP_LIB) $(DP_LIB) \
		$$($(LIBACCEL_PKG) --libs) -lz -lm -lpthread -Wl,--strip-debug

GUEST_TESTS += $(MDLT_GUEST)
GUEST_BINS += $(MDLT_GUEST)
ALL_TARGETS += $(MDLT_GUEST)
