/* SPDX-License-Identifier: MIT */
/*
 * Quasar models: text generation with the language model's device program
 * (mdl_lm_program.h) on any backend: the prompt as one prefill job, then
 * one decode job per token, each token chosen from the last row of its
 * job's logits by a sampler (mdl_lm_sample.h). The first token comes from
 * the prefill; token i (i >= 1) from the decode job that fed token i - 1.
 * So n tokens take n jobs and positions 0 .. prompt + n - 2 of the context.
 */
#ifndef MDL_LM_GENERATE_H
#define MDL_LM_GENERATE_H

#include <stddef.h>
#include <stdint.h>

#include <accel_ops.h>

#include "mdl_llama.h"
#include "mdl_lm_sample.h"
#include "mdl_program.h"

/* One generated token and the job that produced it. */
struct mdl_gen_token {
	uint32_t index;		/* 0 .. n - 1 */
	uint32_t token;
	uint32_t top1;		/* the job's most likely token (what greedy takes) */
	uint32_t pos, rows;	/* the job fed positions pos .. pos + rows - 1 */
	const float *logits;	/* the last row's [vocab] (valid during the callback) */
	struct accel_job_stats st;
	double wall_s;		/* the job's wall clock: stream, submit, wait, read */
};

/* Called after each token; a non-zero return stops the generation with it. */
typedef int (*mdl_gen_fn)(void *ctx, const struct mdl_gen_token *t);

/*
 * Whether a prompt of @prompt tokens and @n more fit @m's context: 0, or
 * -EINVAL with the limit in @err.
 */
int mdl_lm_generate_check(const struct mdl_llama *m, uint32_t prompt, uint32_t n, char *err,
			  size_t errlen);

/*
 * Generates @n tokens after @prompt[@plen] on @l (a program of @m with
 * steps of at least @plen rows and one sequence slot), choosing each with
 * @s; @out gets them and @fn (optional) sees each as it comes. A job that
 * ends with another status than OK stops it: -EIO, @err naming the token,
 * the job's status and its command index (*@done: tokens made before).
 */
int mdl_lm_generate(struct mdl_loaded *l, const struct mdl_llama *m, const uint32_t *prompt,
		    uint32_t plen, uint32_t n, struct mdl_sampler *s, mdl_gen_fn fn, void *ctx,
		    uint32_t *out, uint32_t *done, char *err, size_t errlen);

#endif /* MDL_LM_GENERATE_H */
