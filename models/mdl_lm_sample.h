/* SPDX-License-Identifier: MIT */
/*
 * Quasar models: choosing the next token from a language model's logits,
 * greedily or by seeded temperature / top-k sampling, with the same
 * choice on every machine for the same logits and seed.
 *
 * Greedy (temperature 0) takes the most likely token, the lowest id among
 * equal logits. Sampling keeps the top_k tokens of highest logit (every
 * token with top_k 0; equal logits in id order), weighs token i by
 * exp((logit_i - max) / temperature) in double precision, and draws one
 * uniform double u in [0, 1) from the seeded generator (mdl_rng.h) per
 * token: the first token whose running sum of weights exceeds u * sum.
 * The exponential is computed here (mdl_sample_exp(): range reduction
 * and a polynomial in plain double operations, no FMA) rather than by
 * libm, whose exp() may round differently with the CPU's features (the
 * guest's CPU is not the host's), so that a seed gives the same text on
 * the host and on the device. A NaN logit is never chosen.
 */
#ifndef MDL_LM_SAMPLE_H
#define MDL_LM_SAMPLE_H

#include <stddef.h>
#include <stdint.h>

#include "mdl_rng.h"

#define MDL_SAMPLE_VOCAB_MAX	65536u

struct mdl_sampler {
	double temperature;	/* 0: greedy */
	uint32_t top_k;		/* 0: every token */
	uint64_t seed;
	struct mdl_rng rng;
	uint32_t *order;	/* scratch: token ids by logit */
	double *weight;
	uint32_t vocab;
};

/*
 * A sampler for a vocabulary of @vocab tokens. Refused with a reason: a
 * temperature that is negative or not finite, top_k past the vocabulary.
 */
int mdl_sampler_init(struct mdl_sampler *s, double temperature, uint32_t top_k,
		     uint64_t seed, uint32_t vocab, char *err, size_t errlen);
void mdl_sampler_free(struct mdl_sampler *s);

/* The next token for @logits (the sampler's vocabulary of them). */
uint32_t mdl_sample(struct mdl_sampler *s, const float *logits);

/* The most likely token: the lowest id of the largest logit, NaN skipped (0 if all NaN). */
uint32_t mdl_sample_argmax(const float *logits, uint32_t vocab);

/* e^x for x <= 0 (x > 0 is taken as 0), the same bits on every IEEE-754 machine. */
double mdl_sample_exp(double x);

#endif /* MDL_LM_SAMPLE_H */
