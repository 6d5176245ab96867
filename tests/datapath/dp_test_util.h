/* SPDX-License-Identifier: MIT */
/* Quasar datapath tests: deterministic random data and exact comparison. */
#ifndef DP_TEST_UTIL_H
#define DP_TEST_UTIL_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dp_format.h"
#include "dp_gemm.h"
#include "dp_num.h"

struct dpt_rng {
	uint64_t s;
};

static inline uint64_t dpt_next(struct dpt_rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static inline uint32_t dpt_below(struct dpt_rng *r, uint32_t n)
{
	return (uint32_t)(dpt_next(r) % n);
}

/* uniform in [-a, a) */
static inline float dpt_unif(struct dpt_rng *r, float a)
{
	return (float)((double)(dpt_next(r) >> 11) / 9007199254740992.0 * 2.0 - 1.0) * a;
}

static inline void dpt_bytes(struct dpt_rng *r, void *p, size_t len)
{
	uint8_t *b = p;

	while (len--)
		*b++ = (uint8_t)dpt_next(r);
}

/* Equal bit for bit, except that any two NaNs are equal (payloads are unspecified). */
static inline int dpt_f32_same(float a, float b)
{
	if (a != a && b != b)
		return 1;
	return dp_f2u(a) == dp_f2u(b);
}

static inline int dpt_bf16_same(uint16_t a, uint16_t b)
{
	int an = (a & 0x7f80) == 0x7f80 && (a & 0x7f), bn = (b & 0x7f80) == 0x7f80 && (b & 0x7f);

	return (an && bn) || a == b;
}

/* Owned storage for a random packed tensor. */
struct dpt_wt {
	struct dp_wt w;
	struct dp_geom g;
	void *data, *scales;
	uint8_t *zeros, *meta;
};

static inline void *dpt_alloc(size_t n)
{
	void *p = aligned_alloc(64, (n + 63) / 64 * 64 + 64);

	if (!p)
		abort();
	memset(p, 0, (n + 63) / 64 * 64 + 64);
	return p;
}

static inline void dpt_wt_free(struct dpt_wt *t)
{
	free(t->data);
	free(t->scales);
	free(t->zeros);
	free(t->meta);
	memset(t, 0, sizeof(*t));
}

static inline int dpt_wt_alloc(struct dpt_wt *t, uint32_t fmt, uint32_t n, uint32_t k,
			       uint32_t group, uint32_t flags)
{
	memset(t, 0, sizeof(*t));
	if (dp_geom_get(fmt, n, k, group, flags, &t->g))
		return -1;
	t->data = dpt_alloc(t->g.data_bytes);
	t->scales = t->g.scale_bytes ? dpt_alloc(t->g.scale_bytes) : NULL;
	t->zeros = t->g.zero_bytes ? dpt_alloc(t->g.zero_bytes) : NULL;
	t->meta = t->g.meta_bytes ? dpt_alloc(t->g.meta_bytes) : NULL;
	t->w = (struct dp_wt){ fmt, n, k, group, flags, t->data, t->scales, t->zeros, t->meta, 1.0f };
	return 0;
}

/* Runs g with the fast kernels of @isa over the whole output (in 2 n-tiles). */
static inline int dpt_run_fast(const struct dp_gemm *g, uint32_t isa)
{
	size_t sz = dp_gemm_ws_size(g);
	void *ws = dpt_alloc(sz ? sz : 64);
	uint32_t split = (g->w->n / 2) / DP_PANEL * DP_PANEL;
	int ret = dp_gemm_prepare(g, ws, sz);

	if (!ret)
		ret = dp_gemm_tile(g, ws, isa, 0, split, 0, g->m);
	if (!ret)
		ret = dp_gemm_tile(g, ws, isa, split, g->w->n, 0, g->m);
	free(ws);
	return ret;
}

/* Index of the first output that differs between y0 and y1, or -1. */
static inline long dpt_first_diff(const struct dp_gemm *g, const void *y0, const void *y1)
{
	uint32_t m, n;

	for (m = 0; m < g->m; m++)
		for (n = 0; n < g->w->n; n++) {
			size_t i = (size_t)m * g->ldy + n;
			int same = g->ofmt == DP_O_FP32 ?
				dpt_f32_same(((const float *)y0)[i], ((const float *)y1)[i]) :
				dpt_bf16_same(((const uint16_t *)y0)[i], ((const uint16_t *)y1)[i]);

			if (!same)
				return (long)i;
		}
	return -1;
}

static inline uint32_t dpt_seed(void)
{
	const char *s = getenv("DP_TEST_SEED");

	return s ? (uint32_t)strtoul(s, NULL, 0) : 0x5eed2024u;
}

#endif /* DP_TEST_UTIL_H */
