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

# The paired bootstrap intervals of accel-eval's deltas (no data needed).
$(MDLT_OUT)/mdl_bootstrap_test: $(TOP)/tests/models/mdl_bootstrap_test.c $(MDL_LIB) \
		$(MDL_HDRS) $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(MDL_CFLAGS) -isystem $(KSELFTEST_DIR) -Wno-unused-parameter $< -o $@ \
		$(MDL_LIB) $(MDL_LIBS)

HOST_TESTS += $(MDLT_OUT)/mdl_bootstrap_test

# Hyperparameters in variant specs (ALGO:KEY=VALUE), what make hparam-select
# sweeps: parsed, refused with the field and value, passed to the library.
$(MDLT_OUT)/mdl_hparams_test: $(TOP)/tests/models/mdl_hparams_test.c $(MDL_LIB) $(CMP_LIB) \
		$(DP_LIB) $(MDL_HDRS) $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(MDL_CFLAGS) -isystem $(KSELFTEST_DIR) -Wno-unused-parameter $< -o $@ \
		$(MDL_LIB) $(MDL_LIBS)

HOST_TESTS += $(MDLT_OUT)/mdl_hparams_test

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

# Generation (models/mdl_lm_generate.h, accel-generate): the sampler, greedy
# on fwrun against a separate run of its tokens, the command line.
$(MDLT_OUT)/mdl_generate_test: $(TOP)/tests/models/mdl_generate_test.c $(MDL_LIB) $(CMP_LIB) \
		$(LIBACCEL_A) $(FWRUN_LIBS) $(MDL_DEPS_HDRS) $(DEPS_STAMP) $(MDLT_LM_QPKS) \
		$(MDLT_DEV_QPKS) $(MDL_GENERATE)
	@mkdir -p $(dir $@)
	$(CC) $(MDL_CFLAGS) -isystem $(KSELFTEST_DIR) -Wno-unused-parameter \
		-DMDLT_LM_QPK='"$(firstword $(MDLT_LM_QPKS))"' -DMDLT_GENERATE='"$(MDL_GENERATE)"' \
		-DMDLT_CLS_QPK='"$(firstword $(MDLT_DEV_QPKS))"' \
		$< -o $@ $(MDL_LIB) $(MDL_DEV_LIBS)

HOST_TESTS += $(MDLT_OUT)/mdl_generate_test

# Bad packed files, crafted from the build's packed LM: each message names the field.
$(MDLT_OUT)/mdl_packed_errors_test: $(TOP)/tests/models/mdl_packed_errors_test.c $(MDL_LIB) \
		$(CMP_LIB) $(DP_LIB) $(MDL_HDRS) $(DEPS_STAMP) $(MDLT_LM_QPKS)
	@mkdir -p $(dir $@)
	$(CC) $(MDL_CFLAGS) -isystem $(KSELFTEST_DIR) -Wno-unused-parameter \
		-DMDLT_LM_QPK='"$(firstword $(MDLT_LM_QPKS))"' $< -o $@ $(MDL_LIB) $(MDL_LIBS)

HOST_TESTS += $(MDLT_OUT)/mdl_packed_errors_test

# accel-generate's runs the guest must repeat (guest_generate_test): each
# generate-NAME.args holds the arguments, one a line (the model's base name
# first); the host's accel-generate ran them on fwrun with --json into
# generate-NAME.json. Greedy on W4A16, sampled with a seed on W4A8, from a
# held-out prompt (chapter 135).
MDLT_GEN_PROMPT := The morning of the third day dawned fair and fresh, and once more the solitary night-man at the fore-mast-head was relieved by
MDLT_GEN_CASES := $(MDLT_DEV_DIR)/generate-greedy $(MDLT_DEV_DIR)/generate-sampled

$(MDLT_DEV_DIR)/generate-greedy.args: $(TOP)/tests/models/models_tests.mk
	@mkdir -p $(@D)
	printf '%s\n' moby-lm-int4-g32-a16-rtn.qpk --tokens 48 --prompt '$(MDLT_GEN_PROMPT)' >$@

$(MDLT_DEV_DIR)/generate-sampled.args: $(TOP)/tests/models/models_tests.mk
	@mkdir -p $(@D)
	printf '%s\n' moby-lm-int4-g32-a8-rtn.qpk --tokens 48 --temperature 0.8 --top-k 40 \
		--seed 7 --prompt '$(MDLT_GEN_PROMPT)' >$@

$(MDLT_DEV_DIR)/generate-%.json: $(MDLT_DEV_DIR)/generate-%.args $(MDL_GENERATE) $(MDLT_LM_QPKS)
	cd $(@D) && xargs -d '\n' -a $< $(MDL_GENERATE) --device fwrun --json >$@.tmp
	@mv $@.tmp $@

GUEST_DATA += $(addsuffix .args,$(MDLT_GEN_CASES)) $(addsuffix .json,$(MDLT_GEN_CASES))

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

# accel-generate in the guest against the host's runs, a job failing
# mid-generation, a prompt past the context: it runs the program, so it
# needs no library.
MDLT_GEN_GUEST := $(MDLT_OUT)/guest_generate_test

$(MDLT_GEN_GUEST): $(TOP)/tests/models/guest_generate_test.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -isystem $(KSELFTEST_DIR) -Wno-unused-parameter $< -o $@

GUEST_TESTS += $(MDLT_GEN_GUEST)
GUEST_BINS += $(MDLT_GEN_GUEST)
ALL_TARGETS += $(MDLT_GEN_GUEST)

# Mixed precision (models/mdl_mixprec.h): the search against hand-checked and
# brute-force optima, candidates and assignment files, a mixed .qpk of the
# LM round-tripped and damaged.
$(MDLT_OUT)/mdl_mixprec_test: $(TOP)/tests/models/mdl_mixprec_test.c $(MDL_LIB) $(CMP_LIB) \
		$(DP_LIB) $(MDL_HDRS) $(DEPS_STAMP) $(MDL_DATA_STAMP) $(MDL_LM_CKPT)
	@mkdir -p $(dir $@)
	$(CC) $(MDL_CFLAGS) -isystem $(KSELFTEST_DIR) -Wno-unused-parameter \
		-DMDL_CKPT_DIR='"$(MDL_CKPT)"' $< -o $@ $(MDL_LIB) $(MDL_LIBS)

HOST_TESTS += $(MDLT_OUT)/mdl_mixprec_test

# One mixed-precision LM (docs/models.md "Mixed precision"): the assignment
# accel-mixprec chose (committed), packed per layer, its figures from
# mdl-lm-fwrun over 96 held-out bytes (a prefill of 32, then 64 decode
# steps); guest_models_test runs it through /dev/accel/accel0 like the
# uniform ones.
MDLT_MIX_ASSIGN := $(MDL_DIR)/mixprec/moby-lm-mixed.assign
MDLT_MIX_QPK := $(MDLT_DEV_DIR)/moby-lm-mixed.qpk
MDLT_MIX_FIGURES := $(MDLT_MIX_QPK:.qpk=.figures)

$(MDLT_MIX_QPK): $(MDLT_MIX_ASSIGN) $(MDL_MIXPREC) $(MDL_LM_CKPT) $(MDL_DATA_STAMP)
	@mkdir -p $(@D)
	$(MDL_MIXPREC) --data $(MDL_MOBY_DIR) --pack $< --save $@ $(MDL_LM_CKPT) >$@.txt

$(MDLT_MIX_FIGURES): $(MDLT_MIX_QPK) $(MDL_LM_FWRUN)
	$(MDL_LM_FWRUN) --data $(MDL_MOBY_DIR) --tokens 96 --prompt 32 --figures $@ $<

GUEST_DATA += $(MDLT_MIX_QPK) $(MDLT_MIX_FIGURES)

# The classifier's mixed model likewise: the assignment accel-mixprec chose
# (committed; make mixprec-cls), packed per layer, its figures from
# mdl-cls-fwrun over the 10,000 test images; guest_models_test runs it like
# the uniform classifiers.
MDLT_MIX_CLS_ASSIGN := $(MDL_DIR)/mixprec/fmnist-mlp-mixed.assign
MDLT_MIX_CLS_QPK := $(MDLT_DEV_DIR)/fmnist-mlp-mixed.qpk

$(MDLT_MIX_CLS_QPK): $(MDLT_MIX_CLS_ASSIGN) $(MDL_MIXPREC) $(MDL_CLS_CKPT) $(MDL_DATA_STAMP)
	@mkdir -p $(@D)
	$(MDL_MIXPREC) --data $(MDL_FMNIST_DIR) --pack $< --save $@ $(MDL_CLS_CKPT) >$@.txt

GUEST_DATA += $(MDLT_MIX_CLS_QPK) $(MDLT_MIX_CLS_QPK:.qpk=.figures)

# accel-mixprec on the classifier, a tiny instance: the budgets kept, each
# mixed model's assignment packed and run on fwrun at its predicted cost.
$(MDLT_OUT)/mdl_mixprec_cls_test: $(TOP)/tests/models/mdl_mixprec_cls_test.c $(MDL_LIB) \
		$(CMP_LIB) $(LIBACCEL_A) $(FWRUN_LIBS) $(MDL_DEPS_HDRS) $(DEPS_STAMP) \
		$(MDL_DATA_STAMP) $(MDL_CLS_CKPT) $(MDL_MIXPREC)
	@mkdir -p $(dir $@)
	$(CC) $(MDL_CFLAGS) -isystem $(KSELFTEST_DIR) -Wno-unused-parameter \
		-DMDL_CKPT_DIR='"$(MDL_CKPT)"' -DMDLT_MIXPREC='"$(MDL_MIXPREC)"' $< -o $@ \
		$(MDL_LIB) $(MDL_DEV_LIBS)

HOST_TESTS += $(MDLT_OUT)/mdl_mixprec_cls_test
