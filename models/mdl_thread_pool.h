/* SPDX-License-Identifier: MIT */
/*
 * Quasar models: a fixed pool of worker threads running a parallel for.
 *
 * Work is cut into contiguous ranges, one per thread, and every caller
 * writes disjoint outputs from each range: nothing is ever reduced across
 * threads, so results do not depend on the thread count.
 */
#ifndef MDL_THREAD_POOL_H
#define MDL_THREAD_POOL_H

#include <stdint.h>

#define MDL_THREADS_MAX 64

struct mdl_pool;

/* fn(ctx, i0, i1) handles items i0 .. i1-1. */
typedef void (*mdl_par_fn)(void *ctx, uint32_t i0, uint32_t i1);

/* Starts nthreads - 1 workers (the caller is the last one). */
int mdl_pool_create(uint32_t nthreads, struct mdl_pool **out);
void mdl_pool_destroy(struct mdl_pool *p);
uint32_t mdl_pool_threads(const struct mdl_pool *p);

/*
 * Runs fn over [0, n) cut into ranges whose bounds are multiples of @grain
 * (except the last); returns when all are done. p may be NULL (serial).
 */
void mdl_par_for(struct mdl_pool *p, uint32_t n, uint32_t grain, mdl_par_fn fn, void *ctx);

/* Thread count from $MDL_THREADS, else @dflt; clamped to 1..MDL_THREADS_MAX. */
uint32_t mdl_threads_default(uint32_t dflt);

#endif /* MDL_THREAD_POOL_H */
