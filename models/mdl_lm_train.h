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
#include "mdl_thread_pool.h"

struct mdl_lm_layer_acts;

/*
 * Quantization-aware training: writes into wq (n x k) the weights the
 * forward pass should use for linear layer @id (mdl_lm_linset order), e.g.
 * the device's quantize-dequantize of w. The gradient then flows to the
 * FP32 w unchanged (straight-through estimator).
 */
typedef int (*mdl_lm_fq_fn)(void *arg, uint32_t id, const float *w, uint32_t n, uint32_t k,
			    float *wq);

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
	/* the linear weights the passes use: m->w's, or fq's copies in fq_buf */
	struct mdl_llama_w wf;
	mdl_lm_fq_fn fq;
	void *fq_arg;
	float *fq_buf;
	int fq_ret;
	/*
	 * A8 QAT: the forward input of every linear layer is the device's int8
	 * quantize-dequantize of it (mdl_actq_a8); the gradient passes straight
	 * through, weight gradients see the quantized input. Errors: fq_ret.
	 */
	int aq_a8;
	/*
	 * Distillation: n x vocab teacher probabilities; the loss is then
	 * (1 - soft_w) CE(target) + soft_w KL(teacher || model).
	 */
	const float *soft;
	float soft_w;
};

int mdl_lm_train_init(struct mdl_lm_train *tr, struct mdl_llama *m, struct mdl_pool *pool,
		      uint32_t batch, uint32_t t);
void mdl_lm_train_free(struct mdl_lm_train *tr);

/*
 * in/tgt: batch x t bytes (tgt[i] follows in[i]). Runs forward and backward;
 * tr->grad holds d(mean loss)/d(params). Returns the mean loss in nats.
 */
double mdl_lm_train_step(struct mdl_lm_train *tr, const uint8_t *in, const uint8_t *tgt);

/*
 * The forward pass alone: mean loss in nats (tr->grad is left alone).
 * tgt NULL: no loss; tr->logits become the next-byte probabilities (a
 * distillation teacher's targets).
 */
double mdl_lm_train_loss(struct mdl_lm_train *tr, const uint8_t *in, const uint8_t *tgt);

/* Installs a QAT weight hook (NULL: plain FP32 weights). Errors of fn end up in fq_ret. */
int mdl_lm_train_set_fq(struct mdl_lm_train *tr, mdl_lm_fq_fn fn, void *arg);

#endif /* MDL_LM_TRAIN_H */
