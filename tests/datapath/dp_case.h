/* SPDX-License-Identifier: MIT */
/*
 * Quasar datapath tests: random GEMM cases (shapes, data, epilogues), for
 * comparing the fast kernels with the golden model. Data comes in three
 * kinds: realistic (quantized from floats), raw random bytes (every
 * encoding, NaN/Inf scales, -128, E4M3 0x7F) and extremes (all-max codes,
 * all-zero blocks, huge activations).
 */
#ifndef DP_CASE_H
#define DP_CASE_H

#include "dp_test_util.h"
#include "dp_quant.h"

struct dpt_case {
	struct dpt_wt t;
	struct dp_gemm g;
	uint16_t *x;
	int8_t *qx;
	float *sx, *bias;
	void *res, *y0, *y1;
	char desc[200];
};

static inline void dpt_case_free(struct dpt_case *c)
{
	dpt_wt_free(&c->t);
	free(c->x);
	free(c->qx);
	free(c->sx);
	free(c->bias);
	free(c->res);
	free(c->y0);
	free(c->y1);
	memset(c, 0, sizeof(*c));
}

static inline uint32_t dpt_pick_dim(struct dpt_rng *r, uint32_t small, uint32_t big)
{
	switch (dpt_below(r, 4)) {
	case 0:
		return 1;
	case 1:
		return 1 + dpt_below(r, small);
	default:
		return 1 + dpt_below(r, big);
	}
}

static inline float dpt_act_value(struct dpt_rng *r, uint32_t kind)
{
	switch (kind) {
	case 0:
		return dpt_unif(r, 2.0f);
	case 1:
		return dpt_unif(r, 1e5f);	/* FP16 would overflow; BF16 must not */
	case 2:
		return dp_u2f((uint32_t)dpt_next(r));	/* any bits: NaN, Inf, subnormal */
	default:
		return 0.0f;
	}
}

/* Fills weights: kind 0 quantized floats, 1 random bytes, 2 all-extreme codes. */
static inline void dpt_fill_weights(struct dpt_rng *r, struct dpt_wt *t, uint32_t kind)
{
	uint32_t n = t->w.n, k = t->w.k, i;

	if (kind == 0) {
		float *src = malloc(sizeof(float) * n * k);
		struct dp_wt_buf buf = { t->data, t->scales, t->zeros, t->meta };
		float amp = dpt_below(r, 2) ? 1.0f : 3e4f;

		for (i = 0; i < n * k; i++)
			src[i] = dpt_below(r, 16) ? dpt_unif(r, amp) : 0.0f;
		if (dpt_below(r, 4) == 0)	/* a NaN or an Inf: an MX block of NaN */
			src[dpt_below(r, n * k)] = dpt_below(r, 2) ? NAN : -INFINITY;
		if (dp_quantize(&t->w, &buf, src, k, dpt_below(r, 2) ? DP_Q_NVFP4_1LEVEL : 0))
			abort();
		free(src);
		return;
	}
	dpt_bytes(r, t->data, t->g.data_bytes);
	if (t->g.scale_bytes)
		dpt_bytes(r, t->scales, t->g.scale_bytes);
	if (t->g.zero_bytes)
		dpt_bytes(r, t->zeros, t->g.zero_bytes);
	if (t->g.meta_bytes)
		dpt_bytes(r, t->meta, t->g.meta_bytes);
	t->w.tensor_scale = dpt_below(r, 2) ? 1.0f : dpt_act_value(r, dpt_below(r, 3));
	if (kind == 2) {
		/* the largest code everywhere: same-sign maximal products */
		uint8_t fill = dpt_below(r, 2) ? 0x80 : 0x7f;
		const struct dp_fmt_info *fi = dp_fmt_info(t->w.fmt);

		if (fi->elem_bits == 4)
			fill = dpt_below(r, 2) ? 0xff : 0x77;
		memset(t->data, fill, t->g.data_bytes);
		if (dpt_below(r, 2) && t->g.scale_bytes)
			memset(t->scales, 0, t->g.scale_bytes);	/* all-zero / tiny blocks */
	}
}

/* A random case of M x N outputs (the other dimensions and contents random). */
static inline void dpt_case_make_mn(struct dpt_rng *r, struct dpt_case *c, uint32_t fmt,
				    uint32_t m, uint32_t n)
{
	const struct dp_fmt_info *fi = dp_fmt_info(fmt);
	uint32_t k = dpt_pick_dim(r, 40, 330), group = 0, flags = 0, i, j;
	uint32_t wkind = dpt_below(r, 3), xkind = dpt_below(r, 6);
	uint32_t ldx, ldy, ysz;
	bool a8 = fi->a8 && dpt_below(r, 2);

	memset(c, 0, sizeof(*c));
	if (fmt == DP_W_INT4 || fmt == DP_W_SP_INT4) {
		group = 32u << dpt_below(r, 3);
		flags = dpt_below(r, 2) ? DP_WT_ZERO : 0;
	}
	if (dpt_below(r, 8) == 0)
		k = (1 + dpt_below(r, 4)) * (group ? group : 32);	/* whole blocks */
	if (dpt_wt_alloc(&c->t, fmt, n, k, group, flags))
		abort();
	dpt_fill_weights(r, &c->t, wkind);
	ldx = k + (dpt_below(r, 3) == 0 ? dpt_below(r, 9) : 0);
	ldy = n + (dpt_below(r, 3) == 0 ? dpt_below(r, 5) : 0);
	c->x = malloc(sizeof(uint16_t) * m * ldx);
	c->qx = malloc((size_t)m * ldx);
	c->sx = malloc(sizeof(float) * m);
	for (i = 0; i < m; i++) {
		/* xkind 4: a row with amax 2^-64 .. 2^-133 (tiny, subnormals); 5: mixed rows */
		uint32_t rowkind = xkind == 5 ? dpt_below(r, 5) : xkind;
		int tiny = -64 - (int)dpt_below(r, 70);

		for (j = 0; j < ldx; j++)
			c->x[i * ldx + j] = dp_f32_to_bf16(rowkind == 4 ?
							   ldexpf(dpt_unif(r, 2.0f), tiny) :
							   dpt_act_value(r, rowkind));
		if (dpt_below(r, 3) == 0) {
			/* int8 extremes: -128 and 127 everywhere (negation and saturation traps) */
			int8_t v = dpt_below(r, 2) ? -128 : 127;

			for (j = 0; j < ldx; j++)
				c->qx[i * ldx + j] = dpt_below(r, 4) ? v : (int8_t)-v;
			c->sx[i] = dpt_unif(r, 1.0f);
		} else {
			dp_act_quant_ref(c->x + i * ldx, k, c->qx + i * ldx, &c->sx[i]);
		}
	}
	if (dpt_below(r, 2)) {
		c->bias = malloc(sizeof(float) * n);
		for (j = 0; j < n; j++)
			c->bias[j] = dpt_below(r, 10) ? dpt_unif(r, 3.0f) : dpt_act_value(r, 2);
	}
	c->g = (struct dp_gemm){
		.w = &c->t.w, .m = m, .afmt = a8 ? DP_A_INT8 : DP_A_BF16, .x = c->x, .qx = c->qx,
		.sx = c->sx, .ldx = ldx, .alpha = dpt_below(r, 2) ? 1.0f : dpt_unif(r, 4.0f),
		.bias = c->bias, .act = dpt_below(r, 4), .ofmt = dpt_below(r, 2) ? DP_O_FP32 : DP_O_BF16,
		.ldy = ldy,
	};
	ysz = (c->g.ofmt == DP_O_FP32 ? 4 : 2) * m * ldy;
	c->y0 = calloc(1, ysz);
	c->y1 = calloc(1, ysz);
	if (dpt_below(r, 2)) {
		c->res = malloc(ysz);
		for (i = 0; i < m * ldy; i++) {
			float v = dpt_unif(r, 2.0f);

			if (c->g.ofmt == DP_O_FP32)
				((float *)c->res)[i] = v;
			else
				((uint16_t *)c->res)[i] = dp_f32_to_bf16(v);
		}
		c->g.res = c->res;
	}
	snprintf(c->desc, sizeof(c->desc),
		 "fmt=%s a=%s M=%u N=%u K=%u group=%u zero=%u wkind=%u xkind=%u act=%u out=%s bias=%d res=%d",
		 fi->name, a8 ? "int8" : "bf16", m, n, k, group, !!flags, wkind, xkind,
		 c->g.act, c->g.ofmt == DP_O_FP32 ? "fp32" : "bf16", !!c->bias, !!c->res);
}

static inline void dpt_case_make(struct dpt_rng *r, struct dpt_case *c, uint32_t fmt)
{
	uint32_t m = dpt_pick_dim(r, 4, 12), n = dpt_pick_dim(r, 16, 120);

	dpt_case_make_mn(r, c, fmt, m, n);
}

#endif /* DP_CASE_H */
