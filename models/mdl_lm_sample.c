// SPDX-License-Identifier: MIT
/* Quasar models: greedy and seeded temperature / top-k sampling (mdl_lm_sample.h). */
#define _GNU_SOURCE	/* qsort_r */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mdl_lm_sample.h"
#include "mdl_util.h"

int mdl_sampler_init(struct mdl_sampler *s, double temperature, uint32_t top_k,
		     uint64_t seed, uint32_t vocab, char *err, size_t errlen)
{
	memset(s, 0, sizeof(*s));
	if (!(temperature >= 0.0) || !isfinite(temperature))
		return mdl_err(err, errlen, -EINVAL,
			       "temperature %g: 0 (greedy) or a finite positive value",
			       temperature);
	if (vocab == 0 || vocab > MDL_SAMPLE_VOCAB_MAX)
		return mdl_err(err, errlen, -EINVAL, "a vocabulary of %u tokens (1..%u)", vocab,
			       MDL_SAMPLE_VOCAB_MAX);
	if (top_k > vocab)
		return mdl_err(err, errlen, -EINVAL,
			       "top-k %u: past the vocabulary of %u tokens (0: every token)",
			       top_k, vocab);
	s->order = malloc(sizeof(*s->order) * vocab);
	s->weight = malloc(sizeof(*s->weight) * vocab);
	if (!s->order || !s->weight) {
		mdl_sampler_free(s);
		return mdl_err(err, errlen, -ENOMEM, "out of memory");
	}
	s->temperature = temperature;
	s->top_k = top_k;
	s->seed = seed;
	s->vocab = vocab;
	mdl_rng_seed(&s->rng, seed);
	return 0;
}

void mdl_sampler_free(struct mdl_sampler *s)
{
	free(s->order);
	free(s->weight);
	memset(s, 0, sizeof(*s));
}

uint32_t mdl_sample_argmax(const float *logits, uint32_t vocab)
{
	uint32_t best = vocab, i;

	for (i = 0; i < vocab; i++)
		if (!isnan(logits[i]) && (best == vocab || logits[i] > logits[best]))
			best = i;
	return best == vocab ? 0 : best;
}

double mdl_sample_exp(double x)
{
	/* ln 2 split so that k * LN2_HI is exact for the k that occur (|k| <= 1022) */
	static const double LN2_HI = 6.93147180369123816490e-01;
	static const double LN2_LO = 1.90821492927058770002e-10;
	static const double INV_LN2 = 1.44269504088896338700e+00;
	double k, r, p;
	int i;

	if (x < -708.0)
		return 0.0;
	if (!(x < 0.0))
		return 1.0;
	/* x = k ln 2 + r, |r| <= ln 2 / 2 */
	k = floor(x * INV_LN2 + 0.5);
	r = (x - k * LN2_HI) - k * LN2_LO;
	/* e^r by its Taylor series to r^14 / 14! (the rest below 2^-60 here), Horner */
	p = 1.0;
	for (i = 14; i >= 1; i--)
		p = 1.0 + p * r / (double)i;
	return ldexp(p, (int)k);
}

/*
 * Token ids ordered by logit, highest first, NaN last, equal logits by id:
 * a total order, so qsort_r's result is the same on every machine.
 */
static int mdl_sample_cmp(const void *pa, const void *pb, void *ctx)
{
	const float *logits = ctx;
	uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
	float la = logits[a], lb = logits[b];

	if (isnan(la) != isnan(lb))
		return isnan(la) ? 1 : -1;
	if (!isnan(la) && la != lb)
		return la > lb ? -1 : 1;
	return a < b ? -1 : a > b;
}

uint32_t mdl_sample(struct mdl_sampler *s, const float *logits)
{
	const uint32_t vocab = s->vocab;
	uint32_t n = s->top_k ? s->top_k : vocab, i, keep = 0;
	double max, sum = 0.0, u, run = 0.0;

	if (s->temperature == 0.0)
		return mdl_sample_argmax(logits, vocab);
	/* one draw per token, whatever the logits: the sequence of draws is the seed's */
	u = mdl_rng_unif(&s->rng);
	for (i = 0; i < vocab; i++)
		s->order[i] = i;
	qsort_r(s->order, vocab, sizeof(*s->order), mdl_sample_cmp, (void *)logits);
	max = logits[s->order[0]];
	if (isnan(max))
		return 0;
	for (i = 0; i < n && !isnan(logits[s->order[i]]); i++) {
		s->weight[i] = mdl_sample_exp(((double)logits[s->order[i]] - max) / s->temperature);
		sum += s->weight[i];
		keep = i + 1;
	}
	u *= sum;
	for (i = 0; i + 1 < keep; i++) {
		run += s->weight[i];
		if (run > u)
			break;
	}
	return s->order[i];
}
