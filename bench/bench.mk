# SPDX-License-Identifier: MIT
# Benchmarks (bench/).
#
#   make bench        the datapath's GEMM kernels against OpenBLAS:
#                     build/bench/datapath.csv (and a table on stdout) and
#                     its plot, datapath.png
#   make cost-sweep   the cost model over every weight format: one linear
#                     layer, decode (M = 1) and prefill (M = 64), run by the
#                     firmware in-process (fwrun/) and checked against the
#                     golden model: build/bench/cost.csv and cost.png

BENCH_OUT := $(BUILD)/bench
DP_BENCH := $(BENCH_OUT)/dp_bench
COST_SWEEP := $(BENCH_OUT)/cost-sweep

ALL_TARGETS += $(DP_BENCH) $(COST_SWEEP)

$(DP_BENCH): $(TOP)/bench/dp_bench.c $(CMP_LIB) $(DP_LIB) $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -O2 -march=native -I$(DP_DIR) -I$(CMP_DIR) $< -o $@ \
		$(CMP_LIB) $(DP_LIB) -lopenblas -lpthread -lm

$(COST_SWEEP): $(TOP)/bench/cost_sweep.c $(FWRUN_LIBS) $(FWRUN_HDRS) $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(FWRUN_CFLAGS) $< -o $@ $(FWRUN_LIBS) -lz -lm

.PHONY: bench cost-sweep
# OpenBLAS picks its kernel from the CPU unless these force a slower one.
bench: $(DP_BENCH)
	env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE $< $(BENCH_OUT)/datapath.csv
	gnuplot -e "csv='$(BENCH_OUT)/datapath.csv'; out='$(BENCH_OUT)/datapath.png'" \
		$(TOP)/bench/datapath_plot.gp
	@echo "bench: $(BENCH_OUT)/datapath.csv, $(BENCH_OUT)/datapath.png"

cost-sweep: $(COST_SWEEP)
	$(COST_SWEEP) $(BENCH_OUT)/cost.csv
	gnuplot -e "csv='$(BENCH_OUT)/cost.csv'; out='$(BENCH_OUT)/cost.png'" \
		$(TOP)/bench/cost_plot.gp
	@echo "cost-sweep: $(BENCH_OUT)/cost.csv, $(BENCH_OUT)/cost.png"
