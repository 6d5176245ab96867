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
#   make bench-stack  (part of make bench) the stack's own cost, accel-bench
#                     in the guest (job round trip, jobs/s per depth and
#                     priority, BOs, a 4096 x 4096 W4 GEMV's device time)
#                     against the same kernel on the host:
#                     build/bench/stack.csv and stack.png
#   make bench-model  (part of make bench) the language model's decode, one
#                     device job per token, on the host in process (fwrun),
#                     in the guest through /dev/accel/accel0 and in FP32 on
#                     the guest CPU, in one VM run: build/bench/model.csv
#                     (tokens/s, and per token the device's time by phase)

BENCH_OUT := $(BUILD)/bench
DP_BENCH := $(BENCH_OUT)/dp_bench
COST_SWEEP := $(BENCH_OUT)/cost-sweep

ALL_TARGETS += $(DP_BENCH) $(COST_SWEEP)
MAN_BINS += $(DP_BENCH) $(COST_SWEEP)

# The model benchmark: the host build (fwrun backend) and the guest's
# (portable, libaccel), from one source; the W4A8 LM the guest tests pack
# and its FP32 checkpoint, which the guest image carries for it.
MODEL_BENCH := $(BENCH_OUT)/accel-bench-model
MODEL_BENCH_GUEST := $(BENCH_OUT)/guest/accel-bench-model
MODEL_BENCH_QPK := $(MDLT_DEV_DIR)/moby-lm-int4-g32-a8-rtn.qpk
MODEL_BENCH_STEPS ?= 128

$(MODEL_BENCH): $(TOP)/bench/accel-bench-model.c $(MDL_LIB) $(CMP_LIB) $(LIBACCEL_A) \
		$(FWRUN_LIBS) $(MDL_DEPS_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(MDL_CFLAGS) -DBENCH_FWRUN $< -o $@ $(MDL_LIB) $(MDL_DEV_LIBS)

$(MODEL_BENCH_GUEST): $(TOP)/bench/accel-bench-model.c $(MDL_PORTABLE_LIB) $(CMP_LIB) \
		$(DP_LIB) $(LIBACCEL_DEPS) $(MDL_DEPS_HDRS) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(MDL_PORTABLE_CFLAGS) $$($(LIBACCEL_PKG) --cflags) $< -o $@ \
		$(MDL_PORTABLE_LIB) $(CMP_LIB) $(DP_LIB) $$($(LIBACCEL_PKG) --libs) \
		-lz -lm -lpthread -Wl,--strip-debug

ALL_TARGETS += $(MODEL_BENCH) $(MODEL_BENCH_GUEST)
GUEST_BINS += $(MODEL_BENCH_GUEST)
GUEST_DATA += $(MDL_LM_CKPT)

# accel-bench: the guest's build (libaccel, the golden model to check the
# GEMV: no SIMD, it runs under TCG) and the host's, which adds --host-kernel
# (the SIMD kernel alone, the overhead ratio's baseline).
STACK_BENCH := $(BENCH_OUT)/accel-bench
STACK_BENCH_GUEST := $(BENCH_OUT)/guest/accel-bench
STACK_BENCH_DEPS := $(TOP)/bench/accel-bench.c $(LIBACCEL_DEPS) $(LIBACCEL_HDRS) $(CMP_LIB) \
	$(TOOL_LIB) $(TOOL_HDRS)

$(STACK_BENCH_GUEST): $(STACK_BENCH_DEPS) $(DP_REF_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) $(TOOL_CFLAGS) $$($(LIBACCEL_PKG) --cflags) -I$(DP_DIR) -I$(CMP_DIR) \
		-o $@ $< $(CMP_LIB) $(DP_REF_LIB) $(TOOL_LIB) $$($(LIBACCEL_PKG) --libs) -lm

$(STACK_BENCH): $(STACK_BENCH_DEPS) $(DP_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -O2 -march=native -DBENCH_HOST_KERNEL $(TOOL_CFLAGS) \
		$$($(LIBACCEL_PKG) --cflags) -I$(DP_DIR) -I$(CMP_DIR) -o $@ $< $(CMP_LIB) $(DP_LIB) \
		$(TOOL_LIB) $$($(LIBACCEL_PKG) --libs) -lm -lpthread

ALL_TARGETS += $(STACK_BENCH) $(STACK_BENCH_GUEST)
GUEST_BINS += $(STACK_BENCH_GUEST)
MAN_BINS += $(STACK_BENCH_GUEST)

$(DP_BENCH): $(TOP)/bench/dp_bench.c $(CMP_LIB) $(DP_LIB) $(TOOL_LIB) $(TOOL_HDRS) $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -O2 -march=native $(TOOL_CFLAGS) -I$(DP_DIR) -I$(CMP_DIR) $< -o $@ \
		$(CMP_LIB) $(DP_LIB) $(TOOL_LIB) -lopenblas -lpthread -lm

$(COST_SWEEP): $(TOP)/bench/cost_sweep.c $(FWRUN_LIBS) $(FWRUN_HDRS) $(TOOL_LIB) $(TOOL_HDRS) \
		$(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(FWRUN_CFLAGS) $(TOOL_CFLAGS) $< -o $@ $(FWRUN_LIBS) $(TOOL_LIB) -lz -lm

.PHONY: bench bench-datapath bench-model bench-stack cost-sweep
bench: bench-datapath bench-stack bench-model

# OpenBLAS picks its kernel from the CPU unless these force a slower one.
bench-datapath: $(DP_BENCH)
	env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE $< --csv $(BENCH_OUT)/datapath.csv
	gnuplot -e "csv='$(BENCH_OUT)/datapath.csv'; out='$(BENCH_OUT)/datapath.png'" \
		$(TOP)/bench/datapath_plot.gp
	@echo "bench: $(BENCH_OUT)/datapath.csv, $(BENCH_OUT)/datapath.png"

# The guest image (make all) carries the guest build and the model files.
bench-model: all $(MODEL_BENCH) $(MODEL_BENCH_QPK)
	bash $(TOP)/bench/model_bench.sh $(MODEL_BENCH) $(MODEL_BENCH_QPK) $(MDL_LM_CKPT) \
		$(BENCH_OUT)/model.csv $(MODEL_BENCH_STEPS)
	gnuplot -e "csv='$(BENCH_OUT)/model.csv'; out='$(BENCH_OUT)/model.png'" \
		$(TOP)/bench/model_plot.gp
	@echo "bench-model: $(BENCH_OUT)/model.csv, $(BENCH_OUT)/model.png"

bench-stack: all $(STACK_BENCH)
	bash $(TOP)/bench/stack_bench.sh $(STACK_BENCH) $(BENCH_OUT)/stack.csv
	gnuplot -e "csv='$(BENCH_OUT)/stack.csv'; out='$(BENCH_OUT)/stack.png'" \
		$(TOP)/bench/stack_plot.gp
	@echo "bench-stack: $(BENCH_OUT)/stack.csv, $(BENCH_OUT)/stack.png"

cost-sweep: $(COST_SWEEP)
	$(COST_SWEEP) --csv $(BENCH_OUT)/cost.csv
	gnuplot -e "csv='$(BENCH_OUT)/cost.csv'; out='$(BENCH_OUT)/cost.png'" \
		$(TOP)/bench/cost_plot.gp
	@echo "cost-sweep: $(BENCH_OUT)/cost.csv, $(BENCH_OUT)/cost.png"
