/* SPDX-License-Identifier: MIT */
/*
 * Quasar models: calibration capture. The model runs over samples drawn
 * from the TRAINING split only (never held-out data) while a tap on every
 * linear layer records its FP32 input rows, so an algorithm that needs
 * activations (GPTQ, AWQ, SmoothQuant, Wanda, SparseGPT) gets, for layer i,
 * the X it will multiply.
 *
 * The capture runs whatever the linear-layer set holds: with FP32 layers
 * the inputs are the FP32 model's; sequential calibration
 * (mdl_variant_build_seq) compresses the first layers and captures again,
 * stopping each pass at the last layer it needs (mdl_calib_capture).
 */
#ifndef MDL_CALIB_H
#define MDL_CALIB_H

#include <stdint.h>

#include "mdl_cls.h"
#include "mdl_data.h"
#include "mdl_linear.h"
#include "mdl_llama.h"

/* Calibration inputs of one linear layer: rows x k floats. */
struct mdl_calib {
	uint32_t rows, k;
	float *x;
};

struct mdl_calib_set {
	uint32_t count;		/* layers, in the linear-layer set's order */
	uint32_t max_rows;	/* rows kept per layer (the first ones seen) */
	struct mdl_calib *c;
	/*
	 * Layer ids in the order the forward pass first ran them (seen of
	 * them): a sequential build packs layers in this order, which is not
	 * the set's (the LM's w2 reads the product of w1 and w3).
	 */
	uint32_t *order, seen;
	uint32_t stop;		/* internal: last layer captured (MDL_CALIB_ALL: every one) */
};

#define MDL_CALIB_ALL UINT32_MAX

/*
 * A model and its calibration sample, to capture again after compressing
 * some layers (sequential calibration). Exactly one of lm (with text) or
 * cls (with images); n and seed as for mdl_calib_lm / mdl_calib_cls.
 */
struct mdl_calib_src {
	struct mdl_exec *ex;
	const struct mdl_llama *lm;
	const struct mdl_text *text;
	const struct mdl_cls *cls;
	const struct mdl_images *images;
	uint32_t n;
	uint64_t seed;
};

void mdl_calib_free(struct mdl_calib_set *cs);

/* @nseq windows of seq_len bytes at seeded random offsets of the training text. */
int mdl_calib_lm(struct mdl_exec *ex, const struct mdl_llama *m, const struct mdl_linset *ls,
		 const struct mdl_text *train, uint32_t nseq, uint64_t seed,
		 struct mdl_calib_set *out);

/* @n training images drawn without replacement (seeded). */
int mdl_calib_cls(struct mdl_exec *ex, const struct mdl_cls *c, const struct mdl_linset *ls,
		  const struct mdl_images *train, uint32_t n, uint64_t seed,
		  struct mdl_calib_set *out);

/*
 * Runs @src's sample through @ls and captures the inputs of every layer up
 * to and including layer @stop in execution order (MDL_CALIB_ALL: all);
 * each forward pass ends at @stop, so later layers have no rows. The
 * sample is the same on every call.
 */
int mdl_calib_capture(const struct mdl_calib_src *src, const struct mdl_linset *ls,
		      uint32_t stop, struct mdl_calib_set *out);

#endif /* MDL_CALIB_H */
