# SPDX-License-Identifier: MIT
# The cost model over every weight format (bench/cost_sweep.c): one linear
# layer, decode (M = 1) and prefill (M = 64), run by the device firmware
# in-process and checked against the golden model.
#
#   make cost-sweep   build/bench/cost.csv and build/bench/cost.png

COST_SWEEP := $(DPB_OUT)/cost-sweep

$(COST_SWEEP): $(TOP)/bench/cost_sweep.c $(FW_TEST_SUPPORT_OBJS) $(FW_LIB) $(FW_DP_LIB) \
		$(wildcard $(FW_TEST_DIR)/*.h) $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(FW_TEST_CFLAGS) $< $(FW_TEST_SUPPORT_OBJS) $(FW_LIB) $(FW_DP_LIB) -o $@ -lz -lm

.PHONY: cost-sweep
cost-sweep: $(COST_SWEEP)
	$(COST_SWEEP) $(DPB_OUT)/cost.csv
	@command -v gnuplot >/dev/null || { apt-get install -y -q gnuplot-nox >/dev/null || \
		{ apt-get update -q >/dev/null && apt-get install -y -q gnuplot-nox >/dev/null; }; }
	gnuplot -e "csv='$(DPB_OUT)/cost.csv'; out='$(DPB_OUT)/cost.png'" $(TOP)/bench/cost_plot.gp
	@echo "cost-sweep: $(DPB_OUT)/cost.csv, $(DPB_OUT)/cost.png"

ALL_TARGETS += $(COST_SWEEP)
