# SPDX-License-Identifier: MIT
# Quasar models (models/): small models trained in C on public data, their
# committed FP32 checkpoints (models/ckpt/), accel-eval and the compression
# report, and the models' device programs (a forward pass as one command
# stream: mdl_program.h; mdl-cls-fwrun runs the classifier's on the
# firmware in process). docs/models.md has the details. models/ holds the
# library the programs share (libquasar_models.a); models/programs/ the
# programs, one file per command (accel-eval.c builds accel-eval), and the
# scripts that drive them for the compression report.
#
#   make models   retrain both models (minutes; rewrites models/ckpt/), and plot
#                 their loss curves (build/models/*-curve.png)
#   make eval     accel-eval of every variant, linear-only and as the whole model's
#                 device program on fwrun: build/models/eval-{lm,cls}.{txt,csv}
#   make data     fetch and verify the data sets (scripts/fetch-data.sh)

MDL_DIR := $(TOP)/models
MDL_OUT := $(BUILD)/models
MDL_CKPT := $(MDL_DIR)/ckpt
MDL_LM_CKPT := $(MDL_CKPT)/moby-lm.bin
MDL_CLS_CKPT := $(MDL_CKPT)/fmnist-mlp.bin
MDL_MOBY_DIR := $(QUASAR_CACHE)/data/moby-dick-$(MOBY_DICK_VERSION)/data
MDL_FMNIST_DIR := /usr/share/datasets/fashion-mnist
MDL_DATA_STAMP := $(MDL_OUT)/.data-ok

# No FMA contraction: the FP32 reference sums give the same bits on every
# x86-64 machine and for every thread count (models/mdl_fp32_matmul.h).
MDL_CFLAGS := $(HOST_CFLAGS) -O3 -march=native -ffp-contract=off -pthread \
	-I$(DP_DIR) -I$(CMP_DIR) -I$(MDL_DIR) -I$(LIBACCEL_DIR)/include -I$(FWRUN_DIR) \
	$(FW_INCLUDES) $(TOOL_CFLAGS) \
	-DMDL_MOBY_DIR='"$(MDL_MOBY_DIR)"' -DMDL_FMNIST_DIR='"$(MDL_FMNIST_DIR)"'
MDL_LIBS := $(CMP_LIB) $(DP_LIB) -lz -lm -lpthread
# What a program that runs device programs (mdl_program.h) links besides:
# libaccel (its stream builder, and the device backend) and the firmware
# runner (the in-process backend).
MDL_DEV_LIBS := $(CMP_LIB) $(LIBACCEL_A) $(FWRUN_LIBS) $(shell pkg-config --libs libdrm) \
	-lz -lm -lpthread

MDL_SRCS := mdl_thread_pool.c mdl_fp32_matmul.c mdl_util.c mdl_data.c mdl_llama.c \
	mdl_lm_infer.c mdl_linear.c mdl_cls.c mdl_eval_lm.c mdl_eval_cls.c mdl_calib.c \
	mdl_variant.c mdl_compress_algos.c mdl_lm_train.c mdl_adamw.c mdl_packed_save.c \
	mdl_packed_load.c mdl_sequential_calib.c mdl_act_fakequant.c mdl_mixprec.c \
	mdl_bootstrap.c
# Device programs: the memory plan, ops and stream, the two backends, the
# classifier's program, and the figures a host and a guest run compare.
MDL_DEV_SRCS := mdl_program.c mdl_program_run.c mdl_program_patch.c mdl_backend_fwrun.c \
	mdl_backend_accel.c mdl_cls_program.c mdl_lm_program.c mdl_lm_fwrun.c mdl_device_figures.c \
	mdl_lm_sample.c mdl_lm_generate.c mdl_mixprec_cls.c
MDL_SRCS += $(MDL_DEV_SRCS)
MDL_LIB := $(MDL_OUT)/libquasar_models.a
MDL_HDRS := $(wildcard $(MDL_DIR)/*.h)
MDL_DEPS_HDRS := $(MDL_HDRS) $(DP_HDRS) $(wildcard $(CMP_DIR)/*.h) $(LIBACCEL_HDRS) \
	$(FWRUN_HDRS) $(FW_BUILD_ID_H) $(TOOL_HDRS)
MDL_PROG_DIR := $(MDL_DIR)/programs
MDL_PROGS := mdl-train-lm mdl-train-cls mdl-qat
MDL_BINS := $(addprefix $(MDL_OUT)/,$(MDL_PROGS))
# Programs that run device programs (on fwrun): accel-eval's --device too.
MDL_EVAL := $(MDL_OUT)/accel-eval
MDL_CLS_FWRUN := $(MDL_OUT)/mdl-cls-fwrun
MDL_LM_FWRUN := $(MDL_OUT)/mdl-lm-fwrun
# accel-generate, built twice: for the host (--device fwrun: the firmware in
# process, or a device node) and for the guest (below).
MDL_GENERATE := $(MDL_OUT)/accel-generate
# accel-mixprec: per-layer formats under a cost budget (docs/models.md "Mixed precision").
MDL_MIXPREC := $(MDL_OUT)/accel-mixprec
ALL_TARGETS += $(MDL_BINS) $(MDL_EVAL) $(MDL_CLS_FWRUN) $(MDL_LM_FWRUN) $(MDL_GENERATE) \
	$(MDL_MIXPREC)
MAN_BINS += $(MDL_BINS) $(MDL_EVAL) $(MDL_CLS_FWRUN) $(MDL_LM_FWRUN) $(MDL_GENERATE) \
	$(MDL_MIXPREC)

$(MDL_OUT)/obj/%.o: $(MDL_DIR)/%.c $(MDL_DEPS_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(MDL_CFLAGS) -c $< -o $@

$(MDL_LIB): $(addprefix $(MDL_OUT)/obj/,$(MDL_SRCS:.c=.o))
	@rm -f $@
	ar rcs $@ $^

# A program: models/programs/NAME.c -> build/models/NAME
# (libquasar_tool: the command-line conventions, tools/tool_cli.h)
$(MDL_BINS): $(MDL_OUT)/%: $(MDL_OUT)/obj/programs/%.o $(MDL_LIB) $(CMP_LIB) $(DP_LIB) $(TOOL_LIB)
	$(CC) $(MDL_CFLAGS) $< -o $@ $(MDL_LIB) $(TOOL_LIB) $(MDL_LIBS)

# The device programs' commands on fwrun, and accel-eval (--device).
$(MDL_OUT)/obj/programs/accel-generate.o: MDL_CFLAGS += -DGEN_HAVE_FWRUN

$(MDL_EVAL) $(MDL_CLS_FWRUN) $(MDL_LM_FWRUN) $(MDL_GENERATE) $(MDL_MIXPREC): $(MDL_OUT)/%: $(MDL_OUT)/obj/programs/%.o $(MDL_LIB) \
		$(CMP_LIB) $(LIBACCEL_A) $(FWRUN_LIBS) $(TOOL_LIB)
	$(CC) $(MDL_CFLAGS) $< -o $@ $(MDL_LIB) $(TOOL_LIB) $(MDL_DEV_LIBS)

# The library again for the guest (tests/models/guest_models_test): what a
# device program in the guest needs, built without -march=native, since
# the TCG guest's CPU is not this machine's.
MDL_PORTABLE_SRCS := mdl_util.c mdl_data.c mdl_cls.c mdl_llama.c mdl_lm_infer.c mdl_linear.c \
	mdl_fp32_matmul.c mdl_thread_pool.c mdl_packed_load.c mdl_packed_save.c \
	mdl_program.c mdl_program_run.c mdl_program_patch.c mdl_backend_accel.c \
	mdl_cls_program.c mdl_lm_program.c mdl_device_figures.c mdl_lm_sample.c mdl_lm_generate.c
# (-Wno-psabi: the FP32 trainer's 64-byte vector types, which the guest never
# runs, warn that they pass differently without AVX-512.)
MDL_PORTABLE_CFLAGS := $(filter-out -march=native,$(MDL_CFLAGS)) -Wno-psabi
MDL_PORTABLE_LIB := $(MDL_OUT)/libquasar_models_portable.a

$(MDL_OUT)/portable/%.o: $(MDL_DIR)/%.c $(MDL_DEPS_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(MDL_PORTABLE_CFLAGS) -c $< -o $@

$(MDL_PORTABLE_LIB): $(addprefix $(MDL_OUT)/portable/,$(MDL_PORTABLE_SRCS:.c=.o))
	@rm -f $@
	ar rcs $@ $^

# accel-generate for the guest: the portable library and libaccel.so, the
# device only (no firmware in process), without debug sections.
MDL_GENERATE_GUEST := $(MDL_OUT)/guest/accel-generate

$(MDL_GENERATE_GUEST): $(MDL_PROG_DIR)/accel-generate.c $(MDL_PORTABLE_LIB) $(CMP_LIB) $(DP_LIB) \
		$(LIBACCEL_DEPS) $(MDL_DEPS_HDRS) | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(MDL_PORTABLE_CFLAGS) $$($(LIBACCEL_PKG) --cflags) $< -o $@ $(MDL_PORTABLE_LIB) \
		$(CMP_LIB) $(DP_LIB) $$($(LIBACCEL_PKG) --libs) -lz -lm -lpthread -Wl,--strip-debug

GUEST_BINS += $(MDL_GENERATE_GUEST)
ALL_TARGETS += $(MDL_GENERATE_GUEST)

# The data sets: installed/fetched once, re-verified when the script or pins change.
$(MDL_DATA_STAMP): $(TOP)/scripts/fetch-data.sh $(TOP)/versions.mk
	@mkdir -p $(dir $@)
	@bash $(TOP)/scripts/fetch-data.sh
	@touch $@

.PHONY: models eval data mixprec
data: $(MDL_DATA_STAMP)

# Two threads: the results do not depend on it, the shared machine does.
# The loss curves: build/models/{fmnist-mlp,moby-lm}-curve.{csv,png}.
MDL_CURVE_PLOT = gnuplot -e "csv='$(MDL_OUT)/$(1)-curve.csv'; \
	out='$(MDL_OUT)/$(1)-curve.png'; what='$(2)'" $(MDL_PROG_DIR)/loss_curve.gp
models: $(MDL_OUT)/mdl-train-lm $(MDL_OUT)/mdl-train-cls $(MDL_DATA_STAMP)
	@mkdir -p $(MDL_CKPT)
	$(MDL_OUT)/mdl-train-cls --data $(MDL_FMNIST_DIR) --out $(MDL_CLS_CKPT) \
		--threads 2 --figures $(MDL_CKPT)/fmnist-mlp.figures \
		--curve $(MDL_OUT)/fmnist-mlp-curve.csv 2>&1 | tee $(MDL_CKPT)/fmnist-mlp.log
	$(call MDL_CURVE_PLOT,fmnist-mlp,mdl-train-cls: Fashion-MNIST MLP)
	$(MDL_OUT)/mdl-train-lm --data $(MDL_MOBY_DIR) --out $(MDL_LM_CKPT) \
		--threads 2 --figures $(MDL_CKPT)/moby-lm.figures \
		--curve $(MDL_OUT)/moby-lm-curve.csv 2>&1 | tee $(MDL_CKPT)/moby-lm.log
	$(call MDL_CURVE_PLOT,moby-lm,mdl-train-lm: byte-level Llama on Moby Dick)

eval: $(MDL_OUT)/accel-eval $(MDL_DATA_STAMP)
	$(MDL_OUT)/accel-eval --device --data $(MDL_FMNIST_DIR) --csv $(MDL_OUT)/eval-cls.csv \
		$(MDL_CLS_CKPT) | tee $(MDL_OUT)/eval-cls.txt
	$(MDL_OUT)/accel-eval --device --data $(MDL_MOBY_DIR) --csv $(MDL_OUT)/eval-lm.csv \
		$(MDL_LM_CKPT) | tee $(MDL_OUT)/eval-lm.txt

# GPTQ and AWQ against the calibration sample's size, on the validation
# split (docs/models.md "Calibration size"): build/report/calib-ablation.{csv,png}.
.PHONY: calib-ablation
calib-ablation: $(MDL_OUT)/accel-eval $(MDL_DATA_STAMP) $(DEPS_STAMP)
	nice -n 10 bash $(MDL_PROG_DIR)/calib_ablation.sh $(MDL_OUT) $(MDL_CKPT) $(MDL_MOBY_DIR) \
		$(MDL_FMNIST_DIR) $(BUILD)/report

# The tuned defaults of the compression library (GPTQ/SparseGPT damping,
# AWQ's grid, SmoothQuant's alpha) swept on the validation split
# (docs/compression.md "Defaults chosen on validation"):
# build/report/hparams.{csv,md}.
.PHONY: hparam-select
hparam-select: $(MDL_OUT)/accel-eval $(MDL_DATA_STAMP) $(DEPS_STAMP)
	nice -n 10 bash $(MDL_PROG_DIR)/hparam_select.sh $(MDL_OUT) $(MDL_CKPT) $(MDL_MOBY_DIR) \
		$(MDL_FMNIST_DIR) $(BUILD)/report

# The compression report (docs/models.md "Compression report"): every
# variant of both models, QAT and distillation included, on two processes.
# The QAT/KD checkpoints are kept across clones and cleans in QAT_CACHE, keyed
# by everything that decides their bits (models/programs/qat_report.sh).
REPORT_OUT := $(BUILD)/report
QAT_CACHE ?= $(QUASAR_CACHE)/qat
.PHONY: compress-report
compress-report: $(MDL_OUT)/accel-eval $(MDL_OUT)/mdl-qat $(MDL_DATA_STAMP) $(DEPS_STAMP)
	QAT_CACHE=$(QAT_CACHE) nice -n 10 bash $(MDL_PROG_DIR)/compress_report.sh $(MDL_OUT) \
		$(MDL_CKPT) $(MDL_MOBY_DIR) $(MDL_FMNIST_DIR) $(REPORT_OUT)

# Mixed precision (docs/models.md "Mixed precision"): per-layer sensitivity
# and decode cost of every candidate, the budgeted searches, every uniform
# and mixed model evaluated whole on fwrun; build/mixprec/*.csv, the
# assignments and the plot.
MIXPREC_OUT := $(BUILD)/mixprec
mixprec: $(MDL_MIXPREC) $(MDL_DATA_STAMP) mixprec-cls
	@mkdir -p $(MIXPREC_OUT)
	nice -n 10 $(MDL_MIXPREC) --data $(MDL_MOBY_DIR) --out $(MIXPREC_OUT) --threads 2 \
		$(MDL_LM_CKPT) | tee $(MIXPREC_OUT)/mixprec.txt
	gnuplot -e "csv='$(MIXPREC_OUT)/points.csv'; out='$(MIXPREC_OUT)/mixprec.png'" \
		$(MDL_PROG_DIR)/mixprec.gp

# The classifier likewise (build/mixprec/cls/, build/mixprec/mixprec-cls.png):
# sensitivities on its validation images, every model on the 10,000 test
# images with paired intervals; GPTQ at 4 bits among the candidates.
MIXPREC_CLS_GPTQ := int4-g32/a16/gptq,int4-g32/a8/gptq,nvfp4/a16/gptq
MIXPREC_CLS_RTN := bf16/a16,int8/a16,int8/a8,int4-g32/a16,int4-g128/a16,mxfp4/a16,nvfp4/a16
MIXPREC_CLS_CANDS := $(MIXPREC_CLS_RTN),int4-g32/a8,$(MIXPREC_CLS_GPTQ)
.PHONY: mixprec-cls
mixprec-cls: $(MDL_MIXPREC) $(MDL_DATA_STAMP)
	@mkdir -p $(MIXPREC_OUT)/cls
	nice -n 10 $(MDL_MIXPREC) --data $(MDL_FMNIST_DIR) --out $(MIXPREC_OUT)/cls --threads 2 \
		--cands $(MIXPREC_CLS_CANDS) $(MDL_CLS_CKPT) | tee $(MIXPREC_OUT)/cls/mixprec.txt
	gnuplot -e "csv='$(MIXPREC_OUT)/cls/points.csv'; out='$(MIXPREC_OUT)/mixprec-cls.png'; \
		model='cls'" $(MDL_PROG_DIR)/mixprec.gp
