# SPDX-License-Identifier: MIT
# Quasar codesign (codesign/): accuracy x modeled hardware cost of whole
# models, the Pareto front and budget answers (docs/codesign.md).
# libquasar_codesign.a (configurations, cost runs, rows, the sweep folder,
# the report) and accel-codesign, over the models' library and fwrun.
#
#   make codesign [SWEEP=local|slurm] [CODESIGN_SMALL=1] [SWEEP_JOBS=N]
#                 [CODESIGN_RESUME=1] (keep a stopped sweep's unchanged points)
#                 every variant of the compression report x every
#                 configuration of codesign/configs/grid.tsv: plan,
#                 scripts/sweep.sh, merge into build/codesign/ (pareto.csv,
#                 report.md, pareto-*.png); CODESIGN_SMALL=1 the small sweep.
#                 The whole sweep first trains the QAT/KD checkpoints, or
#                 copies them from QAT_CACHE (models/programs/qat_report.sh).

CDS_DIR := $(TOP)/codesign
CDS_OUT := $(BUILD)/codesign
CDS_SRCS := cds_config.c cds_cost.c cds_rows.c cds_sweep.c cds_point.c cds_report.c
CDS_HDRS := $(wildcard $(CDS_DIR)/*.h)
CDS_LIB := $(CDS_OUT)/libquasar_codesign.a
CDS_BIN := $(CDS_OUT)/accel-codesign
CDS_CFLAGS := $(MDL_CFLAGS) -I$(CDS_DIR) \
	-DCDS_CONFIG_DIR='"$(CDS_DIR)/configs"' -DCDS_CKPT_DIR='"$(MDL_CKPT)"'
# What a program using the library links after it.
CDS_LIBS := $(MDL_LIB) $(TOOL_LIB) $(MDL_DEV_LIBS)

ALL_TARGETS += $(CDS_BIN)
MAN_BINS += $(CDS_BIN)
# (not installed: it drives accel-eval and the sources' configurations, which are not)


$(CDS_OUT)/obj/%.o: $(CDS_DIR)/%.c $(CDS_HDRS) $(MDL_DEPS_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CDS_CFLAGS) -c $< -o $@

$(CDS_LIB): $(addprefix $(CDS_OUT)/obj/,$(CDS_SRCS:.c=.o))
	@rm -f $@
	ar rcs $@ $^

$(CDS_BIN): $(CDS_OUT)/obj/accel-codesign.o $(CDS_LIB) $(MDL_LIB) $(CMP_LIB) $(LIBACCEL_A) \
		$(FWRUN_LIBS) $(TOOL_LIB)
	$(CC) $(CDS_CFLAGS) $< -o $@ $(CDS_LIB) $(CDS_LIBS)

SWEEP ?= local
SWEEP_JOBS ?=
CODESIGN_SMALL ?=
CODESIGN_RESUME ?=
.PHONY: codesign
codesign: $(CDS_BIN) $(MDL_EVAL) $(MDL_OUT)/mdl-qat $(MDL_DATA_STAMP) $(DEPS_STAMP)
	$(if $(CODESIGN_SMALL),,QAT_TRAIN_ONLY=1 QAT_CACHE=$(QAT_CACHE) nice -n 10 bash \
		$(MDL_PROG_DIR)/qat_report.sh $(MDL_OUT) $(MDL_CKPT) $(MDL_MOBY_DIR) \
		$(MDL_FMNIST_DIR) $(REPORT_OUT))
	SWEEP=$(SWEEP) SWEEP_JOBS=$(SWEEP_JOBS) CODESIGN_SMALL=$(CODESIGN_SMALL) \
		CODESIGN_RESUME=$(CODESIGN_RESUME) bash $(CDS_DIR)/codesign.sh $(CDS_BIN) $(MDL_PROG_DIR)/compress_report.sh \
		$(BUILD)/report/qat $(CDS_OUT)
