# SPDX-License-Identifier: MIT
# Quasar compressed-math datapath (firmware/datapath), its producers
# (libaccel/compress), host tests (tests/datapath) and benchmark (bench/).
#
#   make check-datapath   golden, packing, edge-case and bit-exactness suites
#   make bench            build/bench/datapath.csv (and a table on stdout)

DP_DIR := $(TOP)/firmware/datapath
DP_OUT := $(BUILD)/datapath
CMP_DIR := $(TOP)/libaccel/compress
CMP_OUT := $(BUILD)/compress
DPT_DIR := $(TOP)/tests/datapath
DPT_OUT := $(BUILD)/tests/datapath
DPB_OUT := $(BUILD)/bench

# The datapath is freestanding. Floating point must be exactly what the
# source says: no contraction into FMA, no errno (sqrt stays an instruction).
DP_CFLAGS := $(COMMON_CFLAGS) -ffreestanding -fno-math-errno -ffp-contract=off \
	-fno-strict-aliasing -I$(DP_DIR)
DP_ISA_avx2 := -mavx2 -mbmi2 -mfma
DP_ISA_avx512 := -mavx2 -mbmi2 -mfma -mavx512f -mavx512bw -mavx512vl -mavx512dq -mavx512vnni

DP_SRCS := dp_format.c dp_num.c dp_math.c dp_quant.c dp_gemm_ref.c dp_ops_ref.c \
	dp_kern.c dp_ops_fast.c
DP_KERN_ISAS := avx2 avx512
DP_OBJS := $(addprefix $(DP_OUT)/,$(DP_SRCS:.c=.o)) \
	$(foreach i,$(DP_KERN_ISAS),$(DP_OUT)/dp_kern_$(i).o $(DP_OUT)/dp_opsimd_$(i).o)
DP_LIB := $(DP_OUT)/libquasar_dp.a
DP_HDRS := $(wildcard $(DP_DIR)/*.h)

CMP_SRCS := accel_qtensor.c accel_pack.c accel_prune.c accel_qerr.c \
	accel_calib.c accel_linalg.c accel_qf.c accel_obs.c accel_gptq.c accel_sparsegpt.c \
	accel_awq.c accel_smooth.c accel_wanda.c accel_qmask.c accel_oerr.c
CMP_LIB := $(CMP_OUT)/libaccel_compress.a
CMP_CFLAGS := $(HOST_CFLAGS) -I$(DP_DIR) -I$(CMP_DIR)
# accel_tensor_from_qtensor() uploads a qtensor into a libaccel tensor: a
# program that calls it also links libaccel (accel_tensor_q.h).
CMP_SRCS += accel_tensor_q.c
CMP_CFLAGS += -I$(TOP)/libaccel/include

DPT_NAMES := dp_golden_test dp_pack_test dp_edge_test dp_simd_test dp_ops_test dp_conv_test
DPT_BINS := $(addprefix $(DPT_OUT)/,$(DPT_NAMES))
DPT_CFLAGS := $(HOST_CFLAGS) -I$(KSELFTEST_DIR) -I$(DP_DIR) -I$(CMP_DIR) -I$(DPT_DIR) \
	-ffp-contract=off -Wno-unused-parameter

HOST_TESTS += $(DPT_BINS)
ALL_TARGETS += $(DP_LIB) $(CMP_LIB) $(DPT_BINS) $(DPB_OUT)/dp_bench

$(DP_OUT)/%.o: $(DP_DIR)/%.c $(DP_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(DP_CFLAGS) -c $< -o $@

$(DP_OUT)/dp_kern_%.o: $(DP_DIR)/dp_kern_simd.c $(DP_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(DP_CFLAGS) -O3 $(DP_ISA_$*) -DDP_ISA_$* -c $< -o $@

$(DP_OUT)/dp_opsimd_%.o: $(DP_DIR)/dp_ops_simd.c $(DP_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(DP_CFLAGS) -O3 $(DP_ISA_$*) -DDP_ISA_$* -c $< -o $@

$(DP_LIB): $(DP_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(CMP_OUT)/%.o: $(CMP_DIR)/%.c $(wildcard $(CMP_DIR)/*.h) $(DP_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CMP_CFLAGS) -c $< -o $@

$(CMP_LIB): $(addprefix $(CMP_OUT)/,$(CMP_SRCS:.c=.o))
	@rm -f $@
	ar rcs $@ $^

$(DPT_OUT)/%: $(DPT_DIR)/%.c $(wildcard $(DPT_DIR)/*.h) $(CMP_LIB) $(DP_LIB) $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(DPT_CFLAGS) $< -o $@ $(CMP_LIB) $(DP_LIB) -lm

$(DPB_OUT)/dp_bench: $(TOP)/bench/dp_bench.c $(wildcard $(TOP)/bench/*.h) $(CMP_LIB) $(DP_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -O2 -march=native -I$(DP_DIR) -I$(CMP_DIR) $< -o $@ \
		$(CMP_LIB) $(DP_LIB) -lopenblas -lpthread -lm

.PHONY: check-datapath bench
check-datapath: $(DPT_BINS)
	@pass=0; fail=0; for t in $(DPT_BINS); do \
		if $$t; then pass=$$((pass+1)); else fail=$$((fail+1)); fi; \
	done; echo "datapath: $$pass passed, $$fail failed"; [ $$fail -eq 0 ]

# OpenBLAS picks its kernel from the CPU unless these force a slower one.
bench: $(DPB_OUT)/dp_bench
	env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE $< $(DPB_OUT)/datapath.csv
