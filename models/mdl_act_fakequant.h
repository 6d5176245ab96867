/* SPDX-License-Identifier: MIT */
/*
 * Quasar models: fake quantization of activations for QAT. The A8 path of
 * the device rounds a linear layer's FP32 input rows to BF16 and quantizes
 * each row to int8 with one scale (dp_act_quant_ref); training at A8 runs
 * the forward pass on the dequantized rows (q * sx) so the weights learn
 * the noise the device adds, while the gradient passes straight through.
 */
#ifndef MDL_ACT_FAKEQUANT_H
#define MDL_ACT_FAKEQUANT_H

#include <stdint.h>

#include "mdl_thread_pool.h"

/*
 * y = dequantize(dp_act_quant_ref(bf16(x))) for one row of k values; xb
 * (k halves) and q (k bytes) are scratch. x and y may be the same array.
 */
void mdl_actq_a8_row(const float *x, uint32_t k, float *y, uint16_t *xb, int8_t *q);

/* The same for @rows rows of k (stride k) on the pool: 0 or -ENOMEM. */
int mdl_actq_a8(struct mdl_pool *pool, const float *x, uint32_t rows, uint32_t k, float *y);

#endif /* MDL_ACT_FAKEQUANT_H */
