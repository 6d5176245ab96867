// SPDX-License-Identifier: MIT
/*
 * py_sample_ref: the models library's token sampler (models/mdl_lm_sample.c),
 * for python/tests/test_sample.py to hold quasar.Sampler to, token for
 * token. Reads on stdin u32 vocab, u32 top_k, f64 temperature, u64 seed,
 * u32 rows, then rows x vocab binary32 logits; writes the u32 token the
 * sampler picks for each row, in order (one sampler: its draws go on from
 * row to row), then the f64 mdl_sample_exp() of every row's first logit
 * minus 40 (exercising the exponential alone over a wide range).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "mdl_lm_sample.h"

struct py_sample_args {
	uint32_t vocab, top_k;
	double temperature;
	uint64_t seed;
	uint32_t rows;
} __attribute__((packed));

int main(void)
{
	struct py_sample_args a;
	struct mdl_sampler s;
	char err[256];
	float *logits;
	size_t n;

	if (fread(&a, sizeof(a), 1, stdin) != 1 || !a.rows || a.rows > 4096) {
		fprintf(stderr, "py_sample_ref: expected vocab, top_k, temperature, seed, rows "
			"(1..4096) on stdin\n");
		return 2;
	}
	if (mdl_sampler_init(&s, a.temperature, a.top_k, a.seed, a.vocab, err, sizeof(err))) {
		fprintf(stderr, "py_sample_ref: %s\n", err);
		return 2;
	}
	n = (size_t)a.rows * a.vocab;
	logits = malloc(sizeof(*logits) * n);
	if (!logits || fread(logits, sizeof(*logits), n, stdin) != n) {
		fprintf(stderr, "py_sample_ref: expected %u x %u floats on stdin\n", a.rows, a.vocab);
		return 2;
	}
	for (uint32_t r = 0; r < a.rows; r++) {
		uint32_t tok = mdl_sample(&s, logits + (size_t)r * a.vocab);

		fwrite(&tok, sizeof(tok), 1, stdout);
	}
	for (uint32_t r = 0; r < a.rows; r++) {
		double e = mdl_sample_exp((double)logits[(size_t)r * a.vocab] - 40.0);

		fwrite(&e, sizeof(e), 1, stdout);
	}
	mdl_sampler_free(&s);
	free(logits);
	return fflush(stdout) ? 1 : 0;
}
