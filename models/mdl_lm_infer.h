/* SPDX-License-Identifier: MIT */
/*
 * Quasar models: inference forward pass of the llama2.c model with a KV
 * cache, for scoring (many positions at once) and generation (one at a time).
 *
 * Linear layers run as their struct mdl_lin says (FP32 or the datapath
 * GEMM). Everything else stays FP32 and uses the datapath's golden
 * operations (dp_ops.h: RMSNorm, RoPE, softmax, SiLU, add, multiply), so a
 * device running the same graph computes the same bits. Attention's two
 * products (q.k and p.v) have no weights and are plain FP32 sums in position
 * order. Results do not depend on the thread count.
 */
#ifndef MDL_LM_INFER_H
#define MDL_LM_INFER_H

#include <stdint.h>

#include "mdl_linear.h"
#include "mdl_llama.h"

/* Linear layer ids in the set built by mdl_lm_linset. */
enum mdl_lm_lin {
	MDL_LM_WQ, MDL_LM_WK, MDL_LM_WV, MDL_LM_WO, MDL_LM_W1, MDL_LM_W2, MDL_LM_W3,
	MDL_LM_LIN_PER_LAYER
};

static inline uint32_t mdl_lm_lin_id(uint32_t layer, enum mdl_lm_lin which)
{
	return layer * MDL_LM_LIN_PER_LAYER + (uint32_t)which;
}

/* The classifier is last: id layers * 7. */
int mdl_lm_linset(const struct mdl_llama *m, struct mdl_linset *ls);

struct mdl_lm_state;

/* Room for @batch sequences of up to seq_len positions, @chunk new positions per call. */
int mdl_lm_state_create(const struct mdl_llama *m, uint32_t batch, uint32_t chunk,
			struct mdl_lm_state **out);
void mdl_lm_state_free(struct mdl_lm_state *st);

/*
 * Feeds tokens[b * t + i] (i < t) at positions pos .. pos + t - 1 of
 * sequences b < nb, after positions 0 .. pos - 1 were fed by earlier calls.
 * logits[(b * t + i) * vocab] gets the next-token scores. Tokens must be
 * below the vocabulary size.
 */
int mdl_lm_forward(struct mdl_exec *ex, const struct mdl_linset *ls, struct mdl_lm_state *st,
		   uint32_t nb, uint32_t pos, uint32_t t, const uint32_t *tokens, float *logits);

#endif /* MDL_LM_INFER_H */
