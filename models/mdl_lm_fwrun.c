// SPDX-License-Identifier: MIT
/*
 * Quasar models: the language model's device program over many sequences
 * on the firmware in process (mdl_lm_fwrun.h), one backend per worker.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mdl_backend.h"
#include "mdl_lm_fwrun.h"
#include "mdl_util.h"

struct mdl_lm_fwrun_worker {
	struct mdl_program p;
	struct mdl_backend *b;
	struct mdl_loaded l;
	struct accel_job_stats sum;
	uint64_t jobs, tokens;
};

struct mdl_lm_fwrun {
	const struct mdl_llama *m;
	struct mdl_pool *pool;
	uint32_t workers, seqs;
	struct mdl_lm_fwrun_worker *w;
	/* the call in progress */
	uint32_t nb, pos, t;
	const uint32_t *tokens;
	float *logits;
	int ret;
};

void mdl_lm_fwrun_free(struct mdl_lm_fwrun *d)
{
	if (!d)
		return;
	for (uint32_t i = 0; d->w && i < d->workers; i++) {
		mdl_program_unload(&d->w[i].l);
		mdl_backend_destroy(d->w[i].b);
		mdl_program_free(&d->w[i].p);
	}
	free(d->w);
	free(d);
}

int mdl_lm_fwrun_create(const struct mdl_llama *m, const struct mdl_linset *ls,
			struct mdl_pool *pool, uint32_t seqs, int simd, struct mdl_lm_fwrun **out,
			char *err, size_t errlen)
{
	struct mdl_lm_fwrun *d = calloc(1, sizeof(*d));
	uint32_t i;
	int ret = 0;

	*out = NULL;
	if (!d)
		return mdl_err(err, errlen, -ENOMEM, "out of memory");
	d->m = m;
	d->pool = pool;
	d->workers = pool ? mdl_pool_threads(pool) : 1;
	if (d->workers > seqs)
		d->workers = seqs ? seqs : 1;
	d->seqs = seqs;
	d->w = calloc(d->workers, sizeof(*d->w));
	if (!d->w)
		ret = mdl_err(err, errlen, -ENOMEM, "out of memory");
	for (i = 0; i < d->workers && !ret; i++) {
		struct mdl_lm_fwrun_worker *w = &d->w[i];

		ret = mdl_lm_program(m, ls, m->seq_len, (seqs + d->workers - 1) / d->workers, &w->p,
				     err, errlen);
		if (!ret && (ret = mdl_backend_fwrun_create(simd, &w->b)))
			mdl_err(err, errlen, ret, "fwrun: out of memory");
		if (!ret)
			ret = mdl_program_load(&w->p, w->b, &w->l, err, errlen);
	}
	if (ret) {
		mdl_lm_fwrun_free(d);
		return ret;
	}
	*out = d;
	return 0;
}

/* Worker @i's sequences: b = i, i + workers, ... */
static void mdl_lm_fwrun_items(void *ctx, uint32_t i0, uint32_t i1)
{
	struct mdl_lm_fwrun *d = ctx;
	const uint32_t V = d->m->vocab;

	for (uint32_t i = i0; i < i1; i++) {
		struct mdl_lm_fwrun_worker *w = &d->w[i];

		for (uint32_t b = i; b < d->nb; b += d->workers) {
			struct accel_job_stats st;
			char err[512];
			int ret = mdl_lm_device_step(&w->l, d->m, b / d->workers, d->pos, d->t,
						     d->tokens + (size_t)b * d->t,
						     d->logits + (size_t)b * d->t * V, &st, err,
						     sizeof(err));

			if (ret) {
				fprintf(stderr, "mdl_lm_fwrun: sequence %u: %s\n", b, err);
				__atomic_store_n(&d->ret, ret, __ATOMIC_RELAXED);
				return;
			}
			mdl_job_stats_add(&w->sum, &st);
			w->jobs++;
			w->tokens += d->t;
		}
	}
}

int mdl_lm_fwrun_forward(void *ctx, uint32_t nb, uint32_t pos, uint32_t t,
			 const uint32_t *tokens, float *logits)
{
	struct mdl_lm_fwrun *d = ctx;

	if (nb == 0 || nb > d->seqs)
		return -EINVAL;
	d->nb = nb;
	d->pos = pos;
	d->t = t;
	d->tokens = tokens;
	d->logits = logits;
	d->ret = 0;
	mdl_par_for(d->pool, d->workers, 1, mdl_lm_fwrun_items, d);
	return d->ret;
}

void mdl_lm_fwrun_totals(const struct mdl_lm_fwrun *d, struct accel_job_stats *sum,
			 uint64_t *jobs, uint64_t *tokens)
{
	memset(sum, 0, sizeof(*sum));
	*jobs = *tokens = 0;
	for (uint32_t i = 0; i < d->workers; i++) {
		mdl_job_stats_add(sum, &d->w[i].sum);
		*jobs += d->w[i].jobs;
		*tokens += d->w[i].tokens;
	}
}
