// SPDX-License-Identifier: MIT
/*
 * GEMM and CONV2D (docs/isa.md 7.3, 7.11) through the datapath's GEMM
 * kernel, tile by tile through the SRAM.
 *
 * The tile plan (docs/cost-model.md section 4): weight tiles of np panels
 * (16 output channels each) in the outer loop, so the weights are read
 * exactly once; activation tiles of mt rows in the inner loop, so the
 * activations are re-read once per weight tile. np is the largest count
 * whose working set fits next to one activation row, then mt the largest
 * that fits next to np panels. Each (weight tile, activation tile) pair is
 * one kernel call, which a device with host threads splits by output
 * panels (fw_gemm_kernel()). Commands arrive decoded and checked by the ISA's
 * validator (isa/isa_validate.c).
 */
#include "dp_gemm.h"
#include "dp_num.h"
#include "dp_ops.h"
#include "fw_bytes.h"
#include "fw_exec.h"
#include "fw_time.h"

struct fw_gemm_plan {
	const struct isa_gemm *g;	/* the command */
	/* X rows: a strided BF16 tensor, or im2col of a conv2d input. */
	const struct dp_conv2d *conv;
	uint32_t osz;		/* output element bytes */
	uint32_t np, mt;	/* the plan */
};

static uint64_t fw_gemm_ws(const struct fw_gemm_plan *p, uint64_t mt, uint64_t np)
{
	const struct isa_gemm *g = p->g;
	uint64_t cols = np * DP_PANEL, k = g->w.k;
	uint64_t b = fw_weights_sram(&g->w, (uint32_t)np) + fw_a64(mt * k * 2) +
		     fw_a64(mt * cols * p->osz);

	if (g->a8)
		b += fw_a64(mt * k) + fw_a64(mt * 4);
	if (g->bias)
		b += fw_a64(cols * 4);
	if (g->residual)
		b += fw_a64(mt * cols * p->osz);
	return b;
}

/* Largest v in [1, hi] with fits(v), given fits(1); monotone. */
static uint32_t fw_gemm_search(const struct fw_gemm_plan *p, uint64_t size,
			       uint32_t hi, bool rows)
{
	uint32_t lo = 1;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo + 1) / 2;
		uint64_t ws = rows ? fw_gemm_ws(p, mid, p->np) : fw_gemm_ws(p, 1, mid);

		if (ws <= size)
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}

static int fw_gemm_make_plan(struct fw_xctx *x, struct fw_gemm_plan *p)
{
	const struct isa_gemm *g = p->g;
	uint64_t size = x->e->sram_size;

	if (fw_gemm_ws(p, 1, 1) > size)
		return DRM_QUASAR_STATUS_TOO_LARGE;
	p->np = fw_gemm_search(p, size, g->w.panels, false);
	p->mt = fw_gemm_search(p, size, g->m, true);
	return DRM_QUASAR_STATUS_OK;
}

/* Stage row m of X (K BF16 values) into @dst. */
static int fw_gemm_x_row(struct fw_xctx *x, const struct fw_gemm_plan *p,
			 uint32_t m, uint16_t *dst)
{
	const struct isa_gemm *g = p->g;
	const struct dp_conv2d *c = p->conv;
	uint32_t b, oy, ox;

	if (!c)
		return fw_sram_in(x, fw_tensor_row(&g->x, m), dst, (uint64_t)g->w.k * 2,
				  FW_CLS_ACT);
	/* im2col of one output pixel: a (kh, kw) window of Cin-long runs. */
	ox = m % g->ow;
	oy = m / g->ow % g->oh;
	b = m / g->ow / g->oh;
	for (uint32_t ky = 0; ky < c->kh; ky++) {
		for (uint32_t kx = 0; kx < c->kw; kx++) {
			uint16_t *run = dst + ((size_t)ky * c->kw + kx) * c->cin;
			int64_t iy = (int64_t)oy * c->stride + ky - c->pad;
			int64_t ix = (int64_t)ox * c->stride + kx - c->pad;
			uint64_t va;
			int st;

			if (iy < 0 || iy >= c->h || ix < 0 || ix >= c->w) {
				fw_memset(run, 0, (size_t)c->cin * 2);
				continue;
			}
			va = g->x.addr + ((uint64_t)b * g->x.strides[0] +
					  (uint64_t)iy * g->x.strides[1] +
					  (uint64_t)ix * g->x.strides[2]) * 2;
			st = fw_sram_in(x, va, run, (uint64_t)c->cin * 2, FW_CLS_ACT);
			if (st)
				return st;
		}
	}
	return DRM_QUASAR_STATUS_OK;
}

struct fw_gemm_bufs {
	void *wd, *ws, *wz, *wm;
	float *bias;
	uint16_t *xb;
	int8_t *qx;
	float *sx;
	void *yb, *rb;
};

static void fw_gemm_alloc(struct fw_xctx *x, const struct fw_gemm_plan *p,
			  struct fw_gemm_bufs *b)
{
	const struct isa_gemm *g = p->g;
	uint64_t cols = (uint64_t)p->np * DP_PANEL, k = g->w.k;

	/* The plan guarantees that all of these fit. */
	b->wd = fw_sram_alloc(x, p->np * g->w.data_pp);
	b->ws = fw_sram_alloc(x, p->np * g->w.scale_pp);
	b->wz = fw_sram_alloc(x, p->np * g->w.zero_pp);
	b->wm = fw_sram_alloc(x, p->np * g->w.meta_pp);
	b->bias = g->bias ? fw_sram_alloc(x, cols * 4) : 0;
	b->xb = fw_sram_alloc(x, p->mt * k * 2);
	b->qx = g->a8 ? fw_sram_alloc(x, p->mt * k) : 0;
	b->sx = g->a8 ? fw_sram_alloc(x, (uint64_t)p->mt * 4) : 0;
	b->yb = fw_sram_alloc(x, p->mt * cols * p->osz);
	b->rb = g->residual ? fw_sram_alloc(x, p->mt * cols * p->osz) : 0;
}

/*
 * A kernel call split across the engine's host threads (struct fw_engine
 * par_run): contiguous runs of whole panels, so no two parts share a
 * panel line, and every output element is computed by exactly the code
 * and accumulation order (docs/numerics.md) of the unsplit call. A part
 * of fewer than FW_GEMM_PART_MACS multiply-adds (unless the engine says
 * otherwise) costs more in waking a thread than it saves.
 */
#define FW_GEMM_PARTS_MAX	64
#define FW_GEMM_PART_MACS	(1u << 20)

struct fw_gemm_parts {
	const struct dp_gemm *dg;
	const void *ws;
	uint32_t isa, panels, parts;
	int st[FW_GEMM_PARTS_MAX];
};

static void fw_gemm_part(void *arg, uint32_t i)
{
	struct fw_gemm_parts *pt = arg;
	uint32_t n0 = pt->panels * i / pt->parts * DP_PANEL;
	uint32_t n1 = i + 1 == pt->parts ? pt->dg->w->n :
		      pt->panels * (i + 1) / pt->parts * DP_PANEL;

	pt->st[i] = dp_gemm_tile(pt->dg, pt->ws, pt->isa, n0, n1, 0, pt->dg->m);
}

static int fw_gemm_kernel(const struct fw_engine *e, const struct dp_gemm *dg,
			  const void *ws, uint32_t isa, uint64_t k)
{
	struct fw_gemm_parts pt = {
		.dg = dg, .ws = ws, .isa = isa,
		.panels = (dg->w->n + DP_PANEL - 1) / DP_PANEL,
	};
	uint64_t by_work = (uint64_t)dg->m * dg->w->n * k /
			   (e->par_part_macs ? e->par_part_macs : FW_GEMM_PART_MACS);
	int st = 0;

	pt.parts = e->par_run ? e->par_threads : 1;
	pt.parts = (uint32_t)fw_min_u64(fw_min_u64(pt.parts, FW_GEMM_PARTS_MAX),
					fw_min_u64(pt.panels, by_work));
	if (pt.parts < 2)
		return dp_gemm_tile(dg, ws, isa, 0, dg->w->n, 0, dg->m);
	e->par_run(e->par_opaque, pt.parts, fw_gemm_part, &pt);
	for (uint32_t i = 0; i < pt.parts; i++)
		st |= pt.st[i];
	return st;
}

/*
 * The kernel calls of one activation tile, one per run of the placed
 * weight tile (fw_wplace.c), over the activations prepared once: each
 * run's output columns are what the whole tile's call would give them.
 */
static int fw_gemm_calls(struct fw_xctx *x, const struct fw_gemm_plan *p,
			 const struct fw_wtile *t, struct dp_gemm *dg)
{
	const struct isa_gemm *g = p->g;
	uint32_t isa = DP_ISA_SCALAR;
	const void *ws = NULL;
	struct dp_wt view;
	void *y = dg->y;
	const void *res = dg->res;
	const float *bias = dg->bias;
	int st = 0;

	for (uint32_t i = 0; i < t->n; i++) {
		const struct fw_wrun *r = &t->run[i];
		uint64_t col = (uint64_t)r->p * DP_PANEL;

		fw_weights_view(&g->w, t->p0 + r->p, r->np, r->data, r->scales, r->zeros,
				r->meta, &view);
		dg->w = &view;
		dg->y = (uint8_t *)y + col * p->osz;
		dg->res = res ? (const uint8_t *)res + col * p->osz : NULL;
		dg->bias = bias ? bias + col : NULL;
		/* The preparation depends on the activations and K only. */
		if (!i && x->e->isa != DP_ISA_SCALAR && dp_gemm_ws_size(dg) <= x->e->ws_size &&
		    !dp_gemm_prepare(dg, x->e->ws, x->e->ws_size)) {
			isa = x->e->isa;
			ws = x->e->ws;
		}
		st |= fw_gemm_kernel(x->e, dg, ws, isa, g->w.k);
	}
	return st;
}

/* One activation tile against the placed weight tile: the kernel calls. */
static int fw_gemm_tile(struct fw_xctx *x, const struct fw_gemm_plan *p,
			const struct fw_gemm_bufs *b, const struct fw_wtile *wt,
			uint32_t nn, uint32_t n0, uint32_t m0, uint32_t mm, uint64_t wbytes)
{
	const struct isa_gemm *g = p->g;
	uint32_t k = g->w.k;
	uint64_t obytes = (uint64_t)nn * p->osz, dense, t0;
	struct dp_gemm dg;
	int st;

	for (uint32_t r = 0; r < mm; r++) {
		st = fw_gemm_x_row(x, p, m0 + r, b->xb + (size_t)r * k);
		if (st)
			return st;
		if (g->residual) {
			st = fw_sram_in(x, fw_tensor_row(&g->y, m0 + r) - g->y.addr +
					g->residual + (uint64_t)n0 * p->osz,
					(uint8_t *)b->rb + r * obytes, obytes, FW_CLS_ACT);
			if (st)
				return st;
		}
	}
	t0 = fw_time_now(x->fw);
	if (g->a8) {
		for (uint32_t r = 0; r < mm; r++)
			dp_act_quant_fast(b->xb + (size_t)r * k, k, b->qx + (size_t)r * k,
					  &b->sx[r], x->e->isa);
		fw_cost_vec(x, (uint64_t)mm * k);
	}
	dg = (struct dp_gemm){
		.m = mm, .afmt = g->a8 ? DP_A_INT8 : DP_A_BF16,
		.x = b->xb, .qx = b->qx, .sx = b->sx, .ldx = k, .alpha = dp_u2f(g->alpha),
		.bias = b->bias, .act = g->act,
		.ofmt = p->osz == 4 ? DP_O_FP32 : DP_O_BF16,
		.res = b->rb, .y = b->yb, .ldy = nn,
	};
	st = fw_gemm_calls(x, p, wt, &dg);
	fw_time_add(x->fw, kernel_ns, t0);
	if (st)
		return DRM_QUASAR_STATUS_BAD_OPERAND;	/* validated: cannot happen */
	dense = (uint64_t)mm * nn * k;
	fw_cost_macs(x, dense, g->w.sparse ? (uint64_t)mm * nn * ((k + 1) / 2) : dense,
		     g->w.t.format, g->a8);
	fw_cost_operands(x, wbytes + (uint64_t)mm * k * 2 + (b->bias ? (uint64_t)nn * 4 : 0) +
			 (g->residual ? 2 : 1) * (uint64_t)mm * obytes);
	for (uint32_t r = 0; r < mm; r++) {
		st = fw_sram_out(x, fw_tensor_row(&g->y, m0 + r) + (uint64_t)n0 * p->osz,
				 (const uint8_t *)b->yb + r * obytes, obytes);
		if (st)
			return st;
	}
	fw_cost_tile_end(x);
	return DRM_QUASAR_STATUS_OK;
}

static int fw_gemm_run(struct fw_xctx *x, struct fw_gemm_plan *p)
{
	const struct isa_gemm *g = p->g;
	struct fw_gemm_bufs b;
	int st;

	st = fw_gemm_make_plan(x, p);
	if (st)
		return st;
	fw_gemm_alloc(x, p, &b);
	for (uint32_t p0 = 0; p0 < g->w.panels; p0 += p->np) {
		uint32_t np = g->w.panels - p0 < p->np ? g->w.panels - p0 : p->np;
		uint32_t n0 = p0 * DP_PANEL;
		uint32_t nn = (uint32_t)fw_min_u64((uint64_t)np * DP_PANEL, g->w.n - n0);
		struct fw_wtile wt;
		uint64_t wbytes = np * (g->w.data_pp + g->w.scale_pp + g->w.zero_pp +
					g->w.meta_pp);

		st = fw_weights_place(x, &g->w, p0, np, b.wd, b.ws, b.wz, b.wm, &wt);
		if (st)
			return st;
		if (g->bias)
			st = fw_sram_in(x, g->bias + (uint64_t)n0 * 4, b.bias,
					(uint64_t)nn * 4, FW_CLS_ACT);
		for (uint32_t m0 = 0; !st && m0 < g->m; m0 += p->mt) {
			uint32_t mm = g->m - m0 < p->mt ? g->m - m0 : p->mt;

			if (fw_xctx_stopped(x))
				st = DRM_QUASAR_STATUS_ABORTED;
			else
				st = fw_gemm_tile(x, p, &b, &wt, nn, n0, m0, mm, wbytes);
		}
		fw_weights_release(x, &wt);
		if (st)
			return st;
	}
	return DRM_QUASAR_STATUS_OK;
}

static int fw_gemm_access(struct fw_xctx *x, const struct isa_gemm *g)
{
	int st = fw_tensor_check_access(x, &g->x, false);

	if (!st)
		st = fw_weights_check_access(x, &g->w);
	if (!st && g->bias)
		st = fw_range_check(x, g->bias, (uint64_t)g->w.n * 4, false);
	if (!st && g->residual)
		st = fw_range_check(x, g->residual, g->y.span, false);
	if (!st)
		st = fw_tensor_check_access(x, &g->y, true);
	return st;
}

int fw_gemm_exec(struct fw_xctx *x, uint16_t op, const struct isa_gemm *g)
{
	struct fw_gemm_plan p = { .g = g, .osz = g->y.esize };
	struct dp_conv2d c;
	int st;

	if (op == DRM_QUASAR_OP_CONV2D) {
		c = (struct dp_conv2d){
			.b = g->x.dims[0], .h = g->x.dims[1], .w = g->x.dims[2],
			.cin = g->x.dims[3], .kh = g->kh, .kw = g->kw, .stride = g->stride,
			.pad = g->pad,
		};
		p.conv = &c;
	}
	st = fw_gemm_access(x, g);
	return st ? st : fw_gemm_run(x, &p);
}
