// SPDX-License-Identifier: MIT
/* Quasar models: the worker pool behind mdl_par_for. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include "mdl_thread_pool.h"

struct mdl_pool {
	uint32_t nthreads;
	pthread_t tid[MDL_THREADS_MAX];
	pthread_mutex_t lock;
	pthread_cond_t start;
	pthread_cond_t done;
	uint64_t generation;	/* bumped once per mdl_par_for */
	uint32_t pending;	/* workers still running this generation */
	int quit;
	/* the current job */
	mdl_par_fn fn;
	void *ctx;
	uint32_t n, grain;
};

struct mdl_worker_arg {
	struct mdl_pool *pool;
	uint32_t index;
};

static void mdl_range(const struct mdl_pool *p, uint32_t idx, uint32_t *i0, uint32_t *i1)
{
	uint32_t units = (p->n + p->grain - 1) / p->grain;
	uint64_t a = (uint64_t)units * idx / p->nthreads;
	uint64_t b = (uint64_t)units * (idx + 1) / p->nthreads;

	*i0 = (uint32_t)(a * p->grain < p->n ? a * p->grain : p->n);
	*i1 = (uint32_t)(b * p->grain < p->n ? b * p->grain : p->n);
}

static void *mdl_worker(void *argp)
{
	struct mdl_worker_arg *arg = argp;
	struct mdl_pool *p = arg->pool;
	uint32_t idx = arg->index;
	uint64_t seen = 0;

	free(arg);
	for (;;) {
		uint32_t i0, i1;

		pthread_mutex_lock(&p->lock);
		while (p->generation == seen && !p->quit)
			pthread_cond_wait(&p->start, &p->lock);
		if (p->quit) {
			pthread_mutex_unlock(&p->lock);
			return NULL;
		}
		seen = p->generation;
		pthread_mutex_unlock(&p->lock);

		mdl_range(p, idx, &i0, &i1);
		if (i0 < i1)
			p->fn(p->ctx, i0, i1);

		pthread_mutex_lock(&p->lock);
		if (--p->pending == 0)
			pthread_cond_signal(&p->done);
		pthread_mutex_unlock(&p->lock);
	}
}

int mdl_pool_create(uint32_t nthreads, struct mdl_pool **out)
{
	struct mdl_pool *p;
	uint32_t i;

	*out = NULL;
	if (nthreads < 1 || nthreads > MDL_THREADS_MAX)
		return -EINVAL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->nthreads = nthreads;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->start, NULL);
	pthread_cond_init(&p->done, NULL);
	/* workers take indices 1..n-1; the caller runs range 0 */
	for (i = 1; i < nthreads; i++) {
		struct mdl_worker_arg *arg = malloc(sizeof(*arg));

		if (!arg) {
			p->nthreads = i;
			mdl_pool_destroy(p);
			return -ENOMEM;
		}
		arg->pool = p;
		arg->index = i;
		if (pthread_create(&p->tid[i], NULL, mdl_worker, arg)) {
			free(arg);
			p->nthreads = i;
			mdl_pool_destroy(p);
			return -EAGAIN;
		}
	}
	*out = p;
	return 0;
}

void mdl_pool_destroy(struct mdl_pool *p)
{
	uint32_t i;

	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	p->quit = 1;
	pthread_cond_broadcast(&p->start);
	pthread_mutex_unlock(&p->lock);
	for (i = 1; i < p->nthreads; i++)
		pthread_join(p->tid[i], NULL);
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->start);
	pthread_cond_destroy(&p->done);
	free(p);
}

uint32_t mdl_pool_threads(const struct mdl_pool *p)
{
	return p ? p->nthreads : 1;
}

void mdl_par_for(struct mdl_pool *p, uint32_t n, uint32_t grain, mdl_par_fn fn, void *ctx)
{
	uint32_t i0, i1;

	if (n == 0)
		return;
	if (grain == 0)
		grain = 1;
	if (!p || p->nthreads == 1 || n <= grain) {
		fn(ctx, 0, n);
		return;
	}
	pthread_mutex_lock(&p->lock);
	p->fn = fn;
	p->ctx = ctx;
	p->n = n;
	p->grain = grain;
	p->pending = p->nthreads - 1;
	p->generation++;
	pthread_cond_broadcast(&p->start);
	pthread_mutex_unlock(&p->lock);

	mdl_range(p, 0, &i0, &i1);
	if (i0 < i1)
		fn(ctx, i0, i1);

	pthread_mutex_lock(&p->lock);
	while (p->pending)
		pthread_cond_wait(&p->done, &p->lock);
	pthread_mutex_unlock(&p->lock);
}

uint32_t mdl_threads_default(uint32_t dflt)
{
	const char *s = getenv("MDL_THREADS");
	long v = s ? strtol(s, NULL, 10) : (long)dflt;

	if (v < 1)
		v = 1;
	if (v > MDL_THREADS_MAX)
		v = MDL_THREADS_MAX;
	return (uint32_t)v;
}
