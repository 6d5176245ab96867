# SPDX-License-Identifier: MIT
# The cost model over every weight format (bench/cost_sweep.c): one linear
# layer, decode (M = 1) and prefill (M = 64), run by the device firmware
# in-process and checked against the golden model.
#
#   make cost-sweep   build/bench/cost.csv and build/bench/cost.png
#
# This fragment is read before firmware.mk and datapath.mk define their
# variables, so targets and prerequisites are spelled as paths (recipes
# expand late and may use the variables).

COST_OUT := $(BUILD)/bench
COST_SWEEP := $(COST_OUT)/cost-sweep
COST_LIBS := $(BUILD)/fw/tests/obj/fw_test_hal.o $(BUILD)/fw/tests/obj/fw_test_image.o \
	$(BUILD)/fw/libquasarfw.a $(BUILD)/datapath/libquasar_dp.a

$(COST_SWEEP): $(TOP)/bench/cost_sweep.c $(COST_LIBS) $(wildcard $(TOP)/tests/host/*.h) \
		$(BUILD)/fw/fw_build_id.h $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(FW_TEST_CFLAGS) $< $(COST_LIBS) -o $@ -lz -lm

.PHONY: cost-sweep
cost-sweep: $(COST_SWEEP)
	$(COST_SWEEP) $(COST_OUT)/cost.csv
	@command -v gnuplot >/dev/null || { apt-get install -y -q gnuplot-nox >/dev/null || \
		{ apt-get update -q >/dev/null && apt-get install -y -q gnuplot-nox >/dev/null; }; }
	gnuplot -e "csv='$(COST_OUT)/cost.csv'; out='$(COST_OUT)/cost.png'" $(TOP)/bench/cost_plot.gp
	@echo "cost-sweep: $(COST_OUT)/cost.csv, $(COST_OUT)/cost.png"

ALL_TARGETS += $(COST_SWEEP)
