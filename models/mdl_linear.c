// SPDX-License-Identifier: MIT
/* Quasar models: linear layers, FP32 reference or the datapath GEMM. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dp_gemm.h"
#include "dp_math.h"
#include "dp_ops.h"
#include "mdl_fp32_matmul.h"
#include "mdl_linear.h"
#include "mdl_util.h"

struct mdl_exec {
	struct mdl_pool *pool;
	uint32_t isa;
	mdl_tap_fn tap;
	void *tap_arg;
	/* scratch, grown on demand */
	float *xs;
	uint16_t *xb;
	int8_t *qx;
	float *sx;
	void *ws;
	size_t xs_cap, xb_cap, qx_cap, sx_cap, ws_cap;
};

int mdl_exec_create(struct mdl_pool *pool, uint32_t isa, struct mdl_exec **out)
{
	struct mdl_exec *ex;

	*out = NULL;
	if (isa >= DP_ISA_COUNT || !dp_isa_ok(isa))
		return -ENOTSUP;
	ex = calloc(1, sizeof(*ex));
	if (!ex)
		return -ENOMEM;
	ex->pool = pool;
	ex->isa = isa;
	*out = ex;
	return 0;
}

void mdl_exec_free(struct mdl_exec *ex)
{
	if (!ex)
		return;
	free(ex->xs);
	free(ex->xb);
	free(ex->qx);
	free(ex->sx);
	free(ex->ws);
	free(ex);
}

struct mdl_pool *mdl_exec_pool(const struct mdl_exec *ex)
{
	return ex->pool;
}

uint32_t mdl_exec_isa(const struct mdl_exec *ex)
{
	return ex->isa;
}

void mdl_exec_set_tap(struct mdl_exec *ex, mdl_tap_fn fn, void *arg)
{
	ex->tap = fn;
	ex->tap_arg = arg;
}

/* Grows *buf to @bytes (64-byte aligned). */
static int mdl_grow(void **buf, size_t *cap, size_t bytes)
{
	void *nb;

	if (*cap >= bytes)
		return 0;
	nb = mdl_zalloc(bytes);
	if (!nb)
		return -ENOMEM;
	free(*buf);
	*buf = nb;
	*cap = bytes;
	return 0;
}

struct mdl_gemm_job {
	const struct dp_gemm *g;
	const void *ws;
	uint32_t isa;
	uint32_t split_m;	/* 1: tasks are row ranges, 0: tasks are 16-row weight panels */
	int ret;
};

static void mdl_gemm_tiles(void *ctx, uint32_t i0, uint32_t i1)
{
	struct mdl_gemm_job *j = ctx;
	int ret;

	if (j->split_m)
		ret = dp_gemm_tile(j->g, j->ws, j->isa, 0, j->g->w->n, i0, i1);
	else
		ret = dp_gemm_tile(j->g, j->ws, j->isa, i0 * DP_PANEL,
				   i1 * DP_PANEL < j->g->w->n ? i1 * DP_PANEL : j->g->w->n,
				   0, j->g->m);
	if (ret)
		__atomic_store_n(&j->ret, ret, __ATOMIC_RELAXED);
}

struct mdl_act_job {
	struct mdl_exec *ex;
	const float *x;
	const float *in_inv;
	uint32_t k;
	int a8;
};

/* FP32 rows -> BF16 (the A16 operand), then int8 + row scale for A8 */
static void mdl_act_rows(void *ctx, uint32_t r0, uint32_t r1)
{
	const struct mdl_act_job *j = ctx;
	struct mdl_exec *ex = j->ex;
	const float *x = j->x;
	size_t k = j->k, r, i;

	if (j->in_inv) {
		for (r = r0; r < r1; r++)
			for (i = 0; i < k; i++)
				ex->xs[r * k + i] = x[r * k + i] * j->in_inv[i];
		x = ex->xs;
	}
	dp_f32_to_bf16_fast(x + r0 * k, (uint32_t)((r1 - r0) * k), ex->xb + r0 * k, ex->isa);
	if (j->a8)
		for (r = r0; r < r1; r++)
			dp_act_quant_fast(ex->xb + r * k, j->k, ex->qx + r * k, &ex->sx[r],
					  ex->isa);
}

static int mdl_lin_packed(struct mdl_exec *ex, const struct mdl_lin *l, const float *x,
			  uint32_t m, float *y)
{
	int a8 = l->afmt == DP_A_INT8;
	struct mdl_act_job aj = { ex, x, l->in_inv, l->k, a8 };
	struct mdl_gemm_job gj;
	struct dp_gemm g;
	size_t ws;

	size_t mk = (size_t)m * l->k;

	if (mdl_grow((void **)&ex->xb, &ex->xb_cap, mk * sizeof(uint16_t)) ||
	    (l->in_inv && mdl_grow((void **)&ex->xs, &ex->xs_cap, mk * sizeof(float))) ||
	    (a8 && (mdl_grow((void **)&ex->qx, &ex->qx_cap, (size_t)m * l->k) ||
		    mdl_grow((void **)&ex->sx, &ex->sx_cap, (size_t)m * sizeof(float)))))
		return -ENOMEM;
	g = (struct dp_gemm){ .w = compress_qtensor_wt(l->qt), .m = m, .afmt = l->afmt,
			      .x = ex->xb, .qx = a8 ? ex->qx : NULL, .sx = a8 ? ex->sx : NULL,
			      .ldx = l->k, .alpha = 1.0f, .bias = l->bias, .act = l->act,
			      .ofmt = DP_O_FP32, .y = y, .ldy = l->n };
	ws = dp_gemm_ws_size(&g);
	if (!ws)	/* the only way to get 0: dp_gemm_check refused the GEMM */
		return -EINVAL;
	if (mdl_grow(&ex->ws, &ex->ws_cap, ws))
		return -ENOMEM;
	mdl_par_for(ex->pool, m, 8, mdl_act_rows, &aj);
	if (ex->isa != DP_ISA_SCALAR && dp_gemm_prepare(&g, ex->ws, ex->ws_cap))
		return -EINVAL;
	gj = (struct mdl_gemm_job){ &g, ex->ws, ex->isa, 0, 0 };
	/* tiles never change a result (docs/numerics.md): split where the work is */
	gj.split_m = m >= 2 * mdl_pool_threads(ex->pool) * 8;
	if (gj.split_m)
		mdl_par_for(ex->pool, m, 8, mdl_gemm_tiles, &gj);
	else
		mdl_par_for(ex->pool, (l->n + DP_PANEL - 1) / DP_PANEL, 1, mdl_gemm_tiles, &gj);
	return gj.ret ? -EINVAL : 0;
}

struct mdl_epi_job {
	const struct mdl_lin *l;
	float *y;
};

static void mdl_epi_rows(void *ctx, uint32_t r0, uint32_t r1)
{
	const struct mdl_epi_job *j = ctx;
	const struct mdl_lin *l = j->l;
	uint32_t r, i;

	for (r = r0; r < r1; r++) {
		float *y = j->y + (size_t)r * l->n;

		for (i = 0; i < l->n; i++) {
			float v = l->bias ? y[i] + l->bias[i] : y[i];

			y[i] = dp_act_apply(l->act, v);
		}
	}
}

int mdl_lin_run(struct mdl_exec *ex, const struct mdl_linset *ls, uint32_t id, const float *x,
		uint32_t m, float *y)
{
	const struct mdl_lin *l;
	int ret;

	if (id >= ls->count || m == 0)
		return -EINVAL;
	l = &ls->l[id];
	if (ex->tap) {
		ret = ex->tap(ex->tap_arg, id, l, x, m);
		if (ret)
			return ret;
	}
	if (l->qt)
		return mdl_lin_packed(ex, l, x, m, y);
	mdl_mm_par(ex->pool, m, l->n, l->k, x, l->k, l->wt, l->n, y, l->n, false);
	if (l->bias || l->act != DP_ACT_NONE) {
		struct mdl_epi_job j = { l, y };

		mdl_par_for(ex->pool, m, 16, mdl_epi_rows, &j);
	}
	return 0;
}

int mdl_linset_add(struct mdl_linset *ls, const char *name, const float *w, uint32_t n,
		   uint32_t k, const float *bias, uint32_t act)
{
	struct mdl_lin *nl, *l;

	if (!w || n == 0 || k == 0 || act > DP_ACT_SILU)
		return -EINVAL;
	nl = realloc(ls->l, sizeof(*nl) * (ls->count + 1));
	if (!nl)
		return -ENOMEM;
	ls->l = nl;
	l = &nl[ls->count];
	memset(l, 0, sizeof(*l));
	snprintf(l->name, sizeof(l->name), "%s", name);
	l->n = n;
	l->k = k;
	l->w = w;
	l->bias = bias;
	l->act = act;
	l->in_group = ls->count;
	l->wt = malloc(sizeof(float) * n * k);
	if (!l->wt)
		return -ENOMEM;
	mdl_transpose(w, n, k, k, l->wt, n);
	return (int)ls->count++;
}

int mdl_linset_share_input(struct mdl_linset *ls, uint32_t id, uint32_t with)
{
	if (id >= ls->count || with >= id || ls->l[id].k != ls->l[with].k)
		return -EINVAL;
	ls->l[id].in_group = ls->l[with].in_group;
	return 0;
}

int mdl_linset_clone(const struct mdl_linset *src, struct mdl_linset *dst)
{
	uint32_t i;

	dst->count = 0;
	dst->l = calloc(src->count ? src->count : 1, sizeof(*dst->l));
	if (!dst->l)
		return -ENOMEM;
	for (i = 0; i < src->count; i++) {
		dst->l[i] = src->l[i];
		dst->l[i].qt = NULL;
		dst->l[i].in_inv = NULL;
	}
	dst->count = src->count;
	return 0;
}

void mdl_linset_free(struct mdl_linset *ls, int owner)
{
	uint32_t i;

	for (i = 0; i < ls->count; i++) {
		compress_qtensor_free(ls->l[i].qt);
		free(ls->l[i].in_inv);
		if (owner)
			free(ls->l[i].wt);
	}
	free(ls->l);
	ls->l = NULL;
	ls->count = 0;
}

size_t mdl_linset_params(const struct mdl_linset *ls)
{
	size_t s = 0;
	uint32_t i;

	for (i = 0; i < ls->count; i++)
		s += (size_t)ls->l[i].n * ls->l[i].k;
	return s;
}

size_t mdl_linset_bytes(const struct mdl_linset *ls)
{
	size_t s = 0;
	uint32_t i;

	for (i = 0; i < ls->count; i++)
		s += ls->l[i].qt ? compress_qtensor_bytes(ls->l[i].qt) :
				   (size_t)ls->l[i].n * ls->l[i].k * sizeof(float);
	return s;
}
