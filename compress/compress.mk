# SPDX-License-Identifier: MIT
# The compression library (compress/): quantizers, pruners and packers that
# turn FP32 weights into the device's packed formats through the datapath's
# own quantizer (GPTQ, AWQ, SmoothQuant, Wanda, SparseGPT, RTN, 2:4).
# docs/compression.md describes the algorithms.
#
#   libquasar_compress.a   links with libquasar_dp.a or libquasar_dp_ref.a

CMP_DIR := $(TOP)/compress
CMP_OUT := $(BUILD)/compress
CMP_SRCS := accel_qtensor.c accel_pack.c accel_prune.c accel_qerr.c \
	accel_calib.c accel_linalg.c accel_qf.c accel_obs.c accel_gptq.c accel_sparsegpt.c \
	accel_awq.c accel_smooth.c accel_wanda.c accel_qmask.c accel_oerr.c
# accel_tensor_from_qtensor() uploads a qtensor into a libaccel tensor: a
# program that calls it also links libaccel (accel_tensor_q.h).
CMP_SRCS += accel_tensor_q.c
CMP_HDRS := $(wildcard $(CMP_DIR)/*.h) $(DP_HDRS)
CMP_CFLAGS := $(HOST_CFLAGS) -I$(DP_DIR) -I$(CMP_DIR) -I$(TOP)/libaccel/include
CMP_LIB := $(CMP_OUT)/libquasar_compress.a

ALL_TARGETS += $(CMP_LIB)

$(CMP_OUT)/%.o: $(CMP_DIR)/%.c $(CMP_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CMP_CFLAGS) -c $< -o $@

$(CMP_LIB): $(addprefix $(CMP_OUT)/,$(CMP_SRCS:.c=.o))
	@rm -f $@
	ar rcs $@ $^

.PHONY: compress
compress: $(CMP_LIB)
