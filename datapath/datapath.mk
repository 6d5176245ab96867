# SPDX-License-Identifier: MIT
# The datapath (datapath/): the numerics every layer shares, freestanding.
#
#   libquasar_dp_ref.a  the golden model only: formats, numbers, quantizer,
#                       GEMM and the other ops, one value at a time. What the
#                       guest programs check the device against (no SIMD, so
#                       a TCG guest runs it on any CPU).
#   libquasar_dp.a      the golden model plus the fast kernels: run-time
#                       dispatch and the SIMD sources, compiled once per
#                       instruction set, bit-exact with the golden model.
#
# These lists are the only ones: the QEMU device's meson.build reads them
# through scripts/build-qemu.sh.

DP_DIR := $(TOP)/datapath
DP_OUT := $(BUILD)/datapath

DP_REF_SRCS := dp_format.c dp_num.c dp_math.c dp_quant.c dp_gemm_ref.c dp_ops_ref.c \
	dp_attn_ref.c
DP_FAST_SRCS := dp_isa.c dp_gemm_fast.c dp_ops_fast.c dp_attn_fast.c
DP_SIMD_SRCS := dp_gemm_simd.c dp_ops_simd.c dp_attn_simd.c
DP_SIMD_ISAS := avx2 avx512
DP_ISA_FLAGS_avx2 := -mavx2 -mbmi2 -mfma
DP_ISA_FLAGS_avx512 := $(DP_ISA_FLAGS_avx2) -mavx512f -mavx512bw -mavx512vl -mavx512dq \
	-mavx512vnni

# Floating point must be exactly what the source says: no contraction into
# FMA, no errno (sqrt stays an instruction). DP_ISA_<isa> selects the vector
# vocabulary of dp_simd_vec.h.
DP_FP_FLAGS := -ffp-contract=off -fno-math-errno -fno-strict-aliasing
DP_CFLAGS := $(COMMON_CFLAGS) -ffreestanding $(DP_FP_FLAGS) -I$(DP_DIR)
DP_HDRS := $(wildcard $(DP_DIR)/*.h) $(TOP)/uapi/drm/quasar_isa.h

DP_REF_OBJS := $(addprefix $(DP_OUT)/,$(DP_REF_SRCS:.c=.o))
DP_OBJS := $(DP_REF_OBJS) $(addprefix $(DP_OUT)/,$(DP_FAST_SRCS:.c=.o)) \
	$(foreach i,$(DP_SIMD_ISAS),$(addprefix $(DP_OUT)/$(i)/,$(DP_SIMD_SRCS:.c=.o)))
DP_REF_LIB := $(DP_OUT)/libquasar_dp_ref.a
DP_LIB := $(DP_OUT)/libquasar_dp.a

ALL_TARGETS += $(DP_REF_LIB) $(DP_LIB)

$(DP_OUT)/%.o: $(DP_DIR)/%.c $(DP_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(DP_CFLAGS) -c $< -o $@

define DP_SIMD_RULE
$(DP_OUT)/$(1)/%.o: $(DP_DIR)/%.c $(DP_HDRS)
	@mkdir -p $$(dir $$@)
	$$(CC) $$(DP_CFLAGS) -O3 $$(DP_ISA_FLAGS_$(1)) -DDP_ISA_$(1) -c $$< -o $$@
endef
$(foreach i,$(DP_SIMD_ISAS),$(eval $(call DP_SIMD_RULE,$(i))))

$(DP_REF_LIB): $(DP_REF_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(DP_LIB): $(DP_OBJS)
	@rm -f $@
	ar rcs $@ $^

.PHONY: datapath
datapath: $(DP_REF_LIB) $(DP_LIB)
