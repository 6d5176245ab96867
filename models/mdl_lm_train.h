/* SPDX-License-Identifier: MIT */
/*
 * Quasar models: forward and backward pass of the Llama model for training
 * (llm.c style: flat arrays, one function per layer type). Multi-head
 * attention only (n_kv_heads == n_heads). Every reduction has one fixed
 * order and every parallel loop writes disjoint outputs, so a step gives
 * the same gradients for any thread count.
 */
#ifndef MDL_LM_TRAIN_H
#define MDL_LM_TRAIN_H

#include <stdint.h>

#include "mdl_llama.h"
#include "mdl_par.h"

struct mdl_lm_layer_acts;

struct mdl_lm_train {
	struct mdl_llama *m;
	struct mdl_pool *pool;
	uint32_t batch, t, n;		/* n = batch * t rows */
	float *grad;			/* same layout as m->params */
	struct mdl_llama_w g;
	float *wt;			/* transposed weight matrices, refreshed per step */
	struct mdl_llama_w wtm;		/* [in][out] views into wt */
	struct mdl_lm_layer_acts *acts;	/* per layer */
	float *x_final, *xn_final, *rs_final, *logits;
	float *d_x, *d_xm, *d_xn, *d_q, *d_k, *d_v, *d_att, *d_h1, *d_h3, *d_g, *d_tmp;
	float *att_scratch;		/* per (sequence, head) item */
	float *rope_c, *rope_s;		/* [t][head_size / 2] */
	const uint8_t *in, *tgt;
	double *row_loss;
};

int mdl_lm_train_init(struct mdl_lm_train *tr, struct mdl_llama *m, struct mdl_pool *pool,
		      uint32_t batch, uint32_t t);
void mdl_lm_train_free(struct mdl_lm_train *tr);

/*
 * in/tgt: batch x t bytes (tgt[i] follows in[i]). Runs forward and backward;
 * tr->grad holds d(mean loss)/d(params). Returns the mean loss in nats.
 */
double mdl_lm_train_step(struct mdl_lm_train *tr, const uint8_t *in, const uint8_t *tgt);

/* The forward pass alone: mean loss in nats (tr->grad is left alone). */
double mdl_lm_train_loss(struct mdl_lm_train *tr, const uint8_t *in, const uint8_t *tgt);

#endif /* MDL_LM_TRAIN_H */
