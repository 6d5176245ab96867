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
 * one kernel call over an output-tile range: the unit a device may later
 * hand to worker threads.
 */
#include "dp_gemm.h"
#include "dp_num.h"
#include "dp_ops.h"
#include "fw_bytes.h"
#include "fw_exec.h"

#define FW_GEMM(f)	offsetof(struct drm_quasar_cmd_gemm, f)
#define FW_CONV(f)	offsetof(struct drm_quasar_cmd_conv2d, f)

struct fw_gemm_plan {
	struct fw_wtensor w;
	struct fw_tensor y;
	uint32_t m;		/* rows of X and Y */
	bool a8;
	float alpha;
	uint32_t act;
	uint32_t osz;		/* output element bytes */
	uint64_t bias, res;	/* device addresses or 0 */
	/* X rows: a strided BF16 tensor, or im2col of a conv2d input. */
	struct fw_tensor x;
	const struct dp_conv2d *conv;
	uint32_t oh, ow;
	uint32_t np, mt;	/* the plan */
};

static uint64_t fw_gemm_ws(const struct fw_gemm_plan *p, uint64_t mt, uint64_t np)
{
	uint64_t cols = np * DP_PANEL, k = p->w.k;
	uint64_t b = fw_weights_sram(&p->w, (uint32_t)np) + fw_a64(mt * k * 2) +
		     fw_a64(mt * cols * p->osz);

	if (p->a8)
		b += fw_a64(mt * k) + fw_a64(mt * 4);
	if (p->bias)
		b += fw_a64(cols * 4);
	if (p->res)
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
	uint64_t size = x->e->sram_size;

	if (fw_gemm_ws(p, 1, 1) > size)
		return DRM_QUASAR_STATUS_TOO_LARGE;
	p->np = fw_gemm_search(p, size, p->w.panels, false);
	p->mt = fw_gemm_search(p, size, p->m, true);
	return DRM_QUASAR_STATUS_OK;
}

/* Stage row m of X (K BF16 values) into @dst. */
static int fw_gemm_x_row(struct fw_xctx *x, const struct fw_gemm_plan *p,
			 uint32_t m, uint16_t *dst)
{
	const struct dp_conv2d *c = p->conv;
	uint32_t b, oy, ox;

	if (!c)
		return fw_sram_in(x, fw_tensor_row(&p->x, m), dst, (uint64_t)p->w.k * 2,
				  FW_CLS_ACT);
	/* im2col of one output pixel: a (kh, kw) window of Cin-long runs. */
	ox = m % p->ow;
	oy = m / p->ow % p->oh;
	b = m / p->ow / p->oh;
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
			va = p->x.addr + ((uint64_t)b * p->x.strides[0] +
					  (uint64_t)iy * p->x.strides[1] +
					  (uint64_t)ix * p->x.strides[2]) * 2;
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
	uint64_t cols = (uint64_t)p->np * DP_PANEL, k = p->w.k;

	/* The plan guarantees that all of these fit. */
	b->wd = fw_sram_alloc(x, p->np * p->w.data_pp);
	b->ws = fw_sram_alloc(x, p->np * p->w.scale_pp);
	b->wz = fw_sram_alloc(x, p->np * p->w.zero_pp);
	b->wm = fw_sram_alloc(x, p->np * p->w.meta_pp);
	b->bias = p->bias ? fw_sram_alloc(x, cols * 4) : 0;
	b->xb = fw_sram_alloc(x, p->mt * k * 2);
	b->qx = p->a8 ? fw_sram_alloc(x, p->mt * k) : 0;
	b->sx = p->a8 ? fw_sram_alloc(x, (uint64_t)p->mt * 4) : 0;
	b->yb = fw_sram_alloc(x, p->mt * cols * p->osz);
	b->rb = p->res ? fw_sram_alloc(x, p->mt * cols * p->osz) : 0;
}

/* One activation tile against the staged weight tile: the kernel call. */
static int fw_gemm_tile(struct fw_xctx *x, const struct fw_gemm_plan *p,
			const struct fw_gemm_bufs *b, const struct dp_wt *view,
			uint32_t n0, uint32_t m0, uint32_t mm, uint64_t wbytes)
{
	uint32_t nn = view->n, k = p->w.k;
	uint64_t obytes = (uint64_t)nn * p->osz, dense;
	uint32_t isa = DP_ISA_SCALAR;
	const void *ws = NULL;
	struct dp_gemm g;
	int st;

	for (uint32_t r = 0; r < mm; r++) {
		st = fw_gemm_x_row(x, p, m0 + r, b->xb + (size_t)r * k);
		if (st)
			return st;
		if (p->res) {
			st = fw_sram_in(x, fw_tensor_row(&p->y, m0 + r) - p->y.addr + p->res +
					(uint64_t)n0 * p->osz,
					(uint8_t *)b->rb + r * obytes, obytes, FW_CLS_ACT);
			if (st)
				return st;
		}
	}
	if (p->a8) {
		for (uint32_t r = 0; r < mm; r++)
			dp_act_quant_ref(b->xb + (size_t)r * k, k, b->qx + (size_t)r * k,
					 &b->sx[r]);
		fw_cost_vec(x, (uint64_t)mm * k);
	}
	g = (struct dp_gemm){
		.w = view, .m = mm, .afmt = p->a8 ? DP_A_INT8 : DP_A_BF16,
		.x = b->xb, .qx = b->qx, .sx = b->sx, .ldx = k, .alpha = p->alpha,
		.bias = b->bias, .act = p->act,
		.ofmt = p->osz == 4 ? DP_O_FP32 : DP_O_BF16,
		.res = b->rb, .y = b->yb, .ldy = nn,
	};
	if (x->e->isa != DP_ISA_SCALAR && dp_gemm_ws_size(&g) <= x->e->ws_size &&
	    !dp_gemm_prepare(&g, x->e->ws, x->e->ws_size)) {
		isa = x->e->isa;
		ws = x->e->ws;
	}
	if (dp_gemm_tile(&g, ws, isa, 0, nn, 0, mm))
		return DRM_QUASAR_STATUS_BAD_OPERAND;	/* validated: cannot happen */
	dense = (uint64_t)mm * nn * k;
	fw_cost_macs(x, dense, p->w.sparse ? (uint64_t)mm * nn * ((k + 1) / 2) : dense,
		     p->w.t.format, p->a8);
	fw_cost_operands(x, wbytes + (uint64_t)mm * k * 2 + (b->bias ? (uint64_t)nn * 4 : 0) +
			 (p->res ? 2 : 1) * (uint64_t)mm * obytes);
	for (uint32_t r = 0; r < mm; r++) {
		st = fw_sram_out(x, fw_tensor_row(&p->y, m0 + r) + (uint64_t)n0 * p->osz,
				 (const uint8_t *)b->yb + r * obytes, obytes);
		if (st)
			return st;
	}
	fw_cost_tile_end(x);
	return DRM_QUASAR_STATUS_OK;
}

static int fw_gemm_run(struct fw_xctx *x, struct fw_gemm_plan *p)
{
	struct fw_gemm_bufs b;
	int st;

	st = fw_gemm_make_plan(x, p);
	if (st)
		return st;
	fw_gemm_alloc(x, p, &b);
	for (uint32_t p0 = 0; p0 < p->w.panels; p0 += p->np) {
		uint32_t np = p->w.panels - p0 < p->np ? p->w.panels - p0 : p->np;
		uint32_t n0 = p0 * DP_PANEL;
		struct dp_wt view;
		uint64_t wbytes = np * (p->w.data_pp + p->w.scale_pp + p->w.zero_pp +
					p->w.meta_pp);

		fw_weights_view(&p->w, p0, np, b.wd, b.ws, b.wz, b.wm, &view);
		st = fw_weights_stage(x, &p->w, p0, np, b.wd, b.ws, b.wz, b.wm);
		if (!st && p->bias)
			st = fw_sram_in(x, p->bias + (uint64_t)n0 * 4, b.bias,
					(uint64_t)view.n * 4, FW_CLS_ACT);
		for (uint32_t m0 = 0; !st && m0 < p->m; m0 += p->mt) {
			uint32_t mm = p->m - m0 < p->mt ? p->m - m0 : p->mt;

			if (fw_xctx_stopped(x))
				return DRM_QUASAR_STATUS_ABORTED;
			st = fw_gemm_tile(x, p, &b, &view, n0, m0, mm, wbytes);
		}
		if (st)
			return st;
	}
	return DRM_QUASAR_STATUS_OK;
}

/* The epilogue fields both commands share. */
static int fw_gemm_epilogue(struct fw_gemm_plan *p, uint32_t alpha, uint32_t act,
			    uint32_t flags)
{
	if (flags & ~DRM_QUASAR_GEMM_A8)
		return DRM_QUASAR_STATUS_BAD_FLAGS;
	if (act > DRM_QUASAR_ACT_SILU)
		return DRM_QUASAR_STATUS_BAD_OPERAND;
	p->a8 = flags & DRM_QUASAR_GEMM_A8;
	if (p->a8 && !p->w.a8_ok)
		return DRM_QUASAR_STATUS_BAD_FORMAT;
	p->alpha = dp_u2f(alpha);
	p->act = act;
	if (p->y.format != DRM_QUASAR_FORMAT_FP32 && p->y.format != DRM_QUASAR_FORMAT_BF16)
		return DRM_QUASAR_STATUS_BAD_FORMAT;
	p->osz = p->y.esize;
	if (p->y.dims[3] != p->w.n)
		return DRM_QUASAR_STATUS_BAD_SHAPE;
	if (p->bias % 4)
		return DRM_QUASAR_STATUS_BAD_ALIGN;
	if (p->bias && fw_range_wraps(p->bias, (uint64_t)p->w.n * 4))
		return DRM_QUASAR_STATUS_BAD_RANGE;
	return DRM_QUASAR_STATUS_OK;
}

static int fw_gemm_access(struct fw_xctx *x, const struct fw_gemm_plan *p)
{
	int st = fw_tensor_check_access(x, &p->x, false);

	if (!st)
		st = fw_weights_check_access(x, &p->w);
	if (!st && p->bias)
		st = fw_range_check(x, p->bias, (uint64_t)p->w.n * 4, false);
	if (!st && p->res)
		st = fw_range_check(x, p->res, p->y.span, false);
	if (!st)
		st = fw_tensor_check_access(x, &p->y, true);
	return st;
}

int fw_gemm_exec(struct fw_xctx *x, const uint8_t *cmd)
{
	struct fw_gemm_plan p = { 0 };
	int st;

	if (fw_le32(cmd + FW_GEMM(reserved)))
		return DRM_QUASAR_STATUS_BAD_FLAGS;
	st = fw_tensor_plain(cmd + FW_GEMM(x), DRM_QUASAR_FORMAT_BF16, &p.x);
	if (!st)
		st = fw_tensor_weights(cmd + FW_GEMM(w), cmd + FW_GEMM(wp), &p.w);
	if (!st)
		st = fw_tensor_plain(cmd + FW_GEMM(y), 0, &p.y);
	if (st)
		return st;
	p.bias = fw_le64(cmd + FW_GEMM(bias));
	p.res = fw_le64(cmd + FW_GEMM(residual));
	st = fw_gemm_epilogue(&p, fw_le32(cmd + FW_GEMM(alpha)), fw_le32(cmd + FW_GEMM(act)),
			      fw_le32(cmd + FW_GEMM(flags)));
	if (st)
		return st;
	if (p.x.dims[3] != p.w.k || p.x.rows != p.y.rows || p.x.rows > DP_DIM_MAX)
		return DRM_QUASAR_STATUS_BAD_SHAPE;
	if (p.res % p.osz)
		return DRM_QUASAR_STATUS_BAD_ALIGN;
	if (p.res && fw_range_wraps(p.res, p.y.span))
		return DRM_QUASAR_STATUS_BAD_RANGE;
	p.m = (uint32_t)p.x.rows;
	st = fw_gemm_access(x, &p);
	return st ? st : fw_gemm_run(x, &p);
}

int fw_conv2d_exec(struct fw_xctx *x, const uint8_t *cmd)
{
	struct fw_gemm_plan p = { 0 };
	struct dp_conv2d c;
	int st;

	if (fw_le32(cmd + FW_CONV(reserved)))
		return DRM_QUASAR_STATUS_BAD_FLAGS;
	st = fw_tensor_plain(cmd + FW_CONV(x), DRM_QUASAR_FORMAT_BF16, &p.x);
	if (!st)
		st = fw_tensor_weights(cmd + FW_CONV(w), cmd + FW_CONV(wp), &p.w);
	if (!st)
		st = fw_tensor_plain(cmd + FW_CONV(y), 0, &p.y);
	if (st)
		return st;
	p.bias = fw_le64(cmd + FW_CONV(bias));
	st = fw_gemm_epilogue(&p, fw_le32(cmd + FW_CONV(alpha)), fw_le32(cmd + FW_CONV(act)),
			      fw_le32(cmd + FW_CONV(flags)));
	if (st)
		return st;
	c = (struct dp_conv2d){
		.b = p.x.dims[0], .h = p.x.dims[1], .w = p.x.dims[2], .cin = p.x.dims[3],
		.kh = fw_le32(cmd + FW_CONV(kh)), .kw = fw_le32(cmd + FW_CONV(kw)),
		.stride = fw_le32(cmd + FW_CONV(stride)), .pad = fw_le32(cmd + FW_CONV(pad)),
	};
	/* Bounds kh * kw * Cin and B * OH * OW by DP_DIM_MAX. */
	if (dp_conv2d_out(&c, &p.oh, &p.ow))
		return DRM_QUASAR_STATUS_BAD_SHAPE;
	if ((uint64_t)c.kh * c.kw * c.cin != p.w.k || p.y.dims[0] != c.b ||
	    p.y.dims[1] != p.oh || p.y.dims[2] != p.ow)
		return DRM_QUASAR_STATUS_BAD_SHAPE;
	p.conv = &c;
	p.m = (uint32_t)p.y.rows;
	st = fw_gemm_access(x, &p);
	return st ? st : fw_gemm_run(x, &p);
}
