/* SPDX-License-Identifier: MIT */
/*
 * Quasar models: accuracy metrics of a model whose linear layers are FP32 or
 * compressed (struct mdl_linset), against the data's labels and against
 * the FP32 model's own outputs.
 *
 * Language model, on held-out text cut into windows of seq_len bytes (every
 * window starts a fresh context; each of its positions predicts the next byte):
 *   bits per byte   mean -log2 p(next byte)
 *   KL              mean KL(FP32 || variant) of next-byte distributions, nats
 *   top-1 agreement share of positions whose most likely byte equals FP32's
 *   greedy agreement  @prompts prompts of @prompt_len held-out bytes, each
 *                   continued greedily for @gen_len bytes; share of generated
 *                   bytes equal to FP32's at the same place
 * Classifier: top-1 accuracy and agreement of predictions with FP32.
 * The host-side metric arithmetic (log-softmax, sums) is double precision.
 */
#ifndef MDL_EVAL_H
#define MDL_EVAL_H

#include <stddef.h>
#include <stdint.h>

#include "mdl_cls.h"
#include "mdl_data.h"
#include "mdl_linear.h"
#include "mdl_llama.h"

struct mdl_lm_eval_opts {
	uint32_t windows;	/* first N windows only; 0 = all */
	uint32_t batch;		/* windows per forward call */
	uint32_t prompts, prompt_len, gen_len;	/* prompts 0: no generation */
	/*
	 * NULL (the default), or the caller's array of mdl_lm_eval_windows()
	 * entries that gets each window's bits per byte (all windows have
	 * seq_len positions, so their mean is bits_per_byte), for paired
	 * bootstrap intervals (mdl_bootstrap.h).
	 */
	double *window_bits;
};

void mdl_lm_eval_opts_default(struct mdl_lm_eval_opts *o);

/* How many windows of @held an evaluation with @o scores (0: too short). */
uint32_t mdl_lm_eval_windows(const struct mdl_llama *m, const struct mdl_text *held,
			     const struct mdl_lm_eval_opts *o);

/* What the FP32 model produced, for the comparisons. */
struct mdl_lm_ref {
	size_t tokens;
	uint32_t vocab, prompts, gen_len;
	float *logp;		/* [tokens][vocab], natural log */
	uint32_t *top1;		/* [tokens] */
	uint32_t *gen;		/* [prompts][gen_len] */
};

void mdl_lm_ref_free(struct mdl_lm_ref *r);

struct mdl_lm_figures {
	size_t tokens;
	uint32_t windows;	/* held-out windows scored */
	double bits_per_byte;
	double kl;		/* 0 without a reference */
	double top1_agree;	/* 1 without a reference */
	double gen_agree;	/* 1 without a reference or prompts */
};

/*
 * Runs the model (vocab 256: bytes are tokens) over @held. With @ref, compares
 * with it; with @make_ref (ref NULL), fills it for later comparisons.
 */
int mdl_lm_evaluate(struct mdl_exec *ex, const struct mdl_llama *m, const struct mdl_linset *ls,
		    const struct mdl_text *held, const struct mdl_lm_eval_opts *o,
		    const struct mdl_lm_ref *ref, struct mdl_lm_ref *make_ref,
		    struct mdl_lm_figures *f, char *err, size_t errlen);

/*
 * A forward pass the LM metrics run instead of the host's: @forward is
 * mdl_lm_forward() elsewhere (sequences b < nb of t tokens at pos, after
 * earlier calls filled positions 0 .. pos - 1, logits [nb * t][vocab]),
 * for up to @seqs sequences at once; a call at pos 0 starts them afresh.
 * The device program on fwrun is one (mdl_lm_fwrun.h).
 */
struct mdl_lm_fwd {
	int (*forward)(void *ctx, uint32_t nb, uint32_t pos, uint32_t t,
		       const uint32_t *tokens, float *logits);
	void *ctx;
	uint32_t seqs;
};

/* mdl_lm_evaluate() through @fwd (windows in batches of at most fwd->seqs). */
int mdl_lm_evaluate_on(const struct mdl_lm_fwd *fwd, const struct mdl_llama *m,
		       const struct mdl_text *held, const struct mdl_lm_eval_opts *o,
		       const struct mdl_lm_ref *ref, struct mdl_lm_figures *f, char *err,
		       size_t errlen);

/* FP32 figures of a model over all held-out windows (for the trainer). */
int mdl_lm_eval_fp32(const struct mdl_llama *m, struct mdl_pool *pool,
		     const struct mdl_text *held, struct mdl_lm_figures *f, char *err,
		     size_t errlen);

struct mdl_cls_figures {
	uint32_t n;
	double top1;
	double agree;		/* 1 without a reference */
};

/*
 * Classifies the first @limit images (0 = all). @ref_pred: FP32 predictions
 * to compare with, or NULL; @pred (optional): gets this model's predictions.
 */
int mdl_cls_evaluate(struct mdl_exec *ex, const struct mdl_cls *c, const struct mdl_linset *ls,
		     const struct mdl_images *im, uint32_t limit, const uint8_t *ref_pred,
		     uint8_t *pred, struct mdl_cls_figures *f);

#endif /* MDL_EVAL_H */
