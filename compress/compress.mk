# SPDX-License-Identifier: MIT
# The compression library (compress/): quantizers, pruners and packers that
# turn FP32 weights into the device's packed formats through the datapath's
# own quantizer (GPTQ, AWQ, SmoothQuant, Wanda, SparseGPT, RTN, 2:4).
# docs/compression.md describes the algorithms.
#
#   libquasar_compress.a   links with libquasar_dp.a or libquasar_dp_ref.a

CMP_DIR := $(TOP)/compress
CMP_OUT := $(BUILD)/compress
CMP_SRCS := compress_qtensor.c compress_pack.c compress_prune24.c compress_weight_error.c \
	compress_calib.c compress_linalg.c compress_qtensor_builder.c compress_brain_surgeon.c \
	compress_gptq.c compress_sparsegpt.c compress_awq.c compress_smoothquant.c compress_wanda.c \
	compress_quantize_mask.c compress_output_error.c
# compress_tensor_from_qtensor() uploads a qtensor into a libaccel tensor: a
# program that calls it also links libaccel (compress_libaccel.h).
CMP_SRCS += compress_libaccel.c
CMP_HDRS := $(wildcard $(CMP_DIR)/*.h) $(DP_HDRS)
CMP_CFLAGS := $(HOST_CFLAGS) -I$(DP_DIR) -I$(CMP_DIR) -I$(TOP)/libaccel/include
CMP_LIB := $(CMP_OUT)/libquasar_compress.a

ALL_TARGETS += $(CMP_LIB)
# The SDK's compression library (quasar-compress.pc): the headers a program
# includes, with the one datapath header they need, and the datapath
# library it links (CPU-dispatched SIMD kernels).
INSTALL_QUASAR_HEADERS += $(addprefix $(CMP_DIR)/,compress.h compress_algo.h \
	compress_libaccel.h compress_qtensor_builder.h) $(DP_DIR)/dp_format.h
INSTALL_STATIC += $(CMP_LIB) $(DP_LIB)
INSTALL_PC += $(CMP_DIR)/quasar-compress.pc.in

$(CMP_OUT)/%.o: $(CMP_DIR)/%.c $(CMP_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CMP_CFLAGS) -c $< -o $@

$(CMP_LIB): $(addprefix $(CMP_OUT)/,$(CMP_SRCS:.c=.o))
	@rm -f $@
	ar rcs $@ $^

.PHONY: compress
compress: $(CMP_LIB)
