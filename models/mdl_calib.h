/* SPDX-License-Identifier: MIT */
/*
 * Quasar models: calibration capture. The model runs over samples drawn
 * from the TRAINING split only (never held-out data) while a tap on every
 * linear layer records its FP32 input rows, so an algorithm that needs
 * activations (GPTQ, AWQ, SmoothQuant, Wanda, SparseGPT) gets, for layer i,
 * the X it will multiply.
 *
 * The capture runs whatever the linear-layer set holds: with FP32 layers
 * the inputs are the FP32 model's; a sequential algorithm can compress the
 * first layers and capture again to see their effect downstream.
 */
#ifndef MDL_CALIB_H
#define MDL_CALIB_H

#include <stdint.h>

#include "mdl_cls.h"
#include "mdl_data.h"
#include "mdl_lin.h"
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

#endif /* MDL_CALIB_H */
