# SPDX-License-Identifier: MIT
# Host tests of the codesign sweep (codesign/): configuration files and the
# grid with their errors, budget answers on a known CSV, and a small sweep
# end to end (plan, each task, merge): the Pareto flags checked against an
# independent computation, a missing point refused. The sweep runs
# accel-eval and needs the data sets and both checkpoints.

CDST_OUT := $(BUILD)/tests/codesign

$(CDST_OUT)/cds_codesign_test: $(TOP)/tests/codesign/cds_codesign_test.c $(CDS_LIB) $(CDS_BIN) \
		$(MDL_EVAL) $(MDL_LIB) $(CDS_HDRS) $(MDL_DEPS_HDRS) $(DEPS_STAMP) $(MDL_DATA_STAMP) \
		$(MDL_LM_CKPT) $(MDL_CLS_CKPT)
	@mkdir -p $(dir $@)
	$(CC) $(CDS_CFLAGS) -isystem $(KSELFTEST_DIR) -Wno-unused-parameter \
		-DCDST_BIN='"$(CDS_BIN)"' -DCDST_CONFIG_DIR='"$(CDS_DIR)/configs"' \
		-DCDST_LM_CKPT='"$(MDL_LM_CKPT)"' $< -o $@ $(CDS_LIB) $(CDS_LIBS)

HOST_TESTS += $(CDST_OUT)/cds_codesign_test

# make codesign CODESIGN_RESUME=1 (codesign/codesign.sh) on the small sweep:
# unchanged points kept, lost or changed ones run again, the same merged CSV.
HOST_TESTS += $(TOP)/tests/codesign/codesign_resume_test.sh
