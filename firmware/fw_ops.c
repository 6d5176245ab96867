// SPDX-License-Identifier: MIT
/*
 * ISA v1 compute commands other than GEMM/CONV2D (docs/isa.md section 7),
 * the engine's entry point, and its set-up.
 *
 * Row operations (norms, softmax, RoPE, ADD/MUL, plain conversions) stage
 * as many whole rows as fit in the SRAM, run the datapath's row kernel on
 * each, and write the rows back; their per-command parameters (gains,
 * biases) are staged once. Dequantizing conversions and embedding gathers
 * stage packed weights panel by panel.
 */
#include "dp_format.h"
#include "dp_gemm.h"
#include "dp_num.h"
#include "dp_ops.h"
#include "fw_bytes.h"
#include "fw_exec.h"

#define FW_NORM(f)	offsetof(struct drm_quasar_cmd_norm, f)
#define FW_SMAX(f)	offsetof(struct drm_quasar_cmd_softmax, f)
#define FW_ROPE(f)	offsetof(struct drm_quasar_cmd_rope, f)
#define FW_ELT(f)	offsetof(struct drm_quasar_cmd_eltwise, f)
#define FW_GATH(f)	offsetof(struct drm_quasar_cmd_gather, f)
#define FW_CONVT(f)	offsetof(struct drm_quasar_cmd_convert, f)
#define FW_HDR(f)	offsetof(struct drm_quasar_cmd_header, f)

struct fw_rowop {
	uint16_t op;
	const struct fw_tensor *in[2];
	uint32_t nin;
	const struct fw_tensor *out;
	uint64_t par[2];	/* FP32 vectors of D, staged once */
	uint32_t npar;
	uint64_t tab[2];	/* dense FP32 tables of D / 2 per row (RoPE) */
	uint32_t ntab;
	float eps;
	uint32_t rt;		/* rows per tile */
};

static uint64_t fw_rowop_ws(const struct fw_rowop *r, uint64_t rt)
{
	uint64_t d = r->out->dims[3], b = r->npar * fw_a64(d * 4);

	for (uint32_t i = 0; i < r->nin; i++)
		b += fw_a64(rt * d * r->in[i]->esize);
	b += r->ntab * fw_a64(rt * (d / 2) * 4);
	return b + fw_a64(rt * d * r->out->esize);
}

static void fw_rowop_kernel(const struct fw_rowop *r, void *const *in, void *const *par,
			    void *const *tab, void *out, uint32_t d)
{
	switch (r->op) {
	case DRM_QUASAR_OP_RMSNORM:
		dp_rmsnorm_ref(in[0], par[0], d, r->eps, out);
		break;
	case DRM_QUASAR_OP_LAYERNORM:
		dp_layernorm_ref(in[0], par[0], par[1], d, r->eps, out);
		break;
	case DRM_QUASAR_OP_SOFTMAX:
		dp_softmax_ref(in[0], d, out);
		break;
	case DRM_QUASAR_OP_ROPE:
		dp_rope_ref(in[0], tab[0], tab[1], d, out);
		break;
	case DRM_QUASAR_OP_ADD:
		dp_add_ref(in[0], in[1], d, out);
		break;
	case DRM_QUASAR_OP_MUL:
		dp_mul_ref(in[0], in[1], d, out);
		break;
	default:	/* CONVERT, plain */
		if (r->out->format == DRM_QUASAR_FORMAT_FP32)
			dp_bf16_to_f32_ref(in[0], d, out);
		else
			dp_f32_to_bf16_ref(in[0], d, out);
		break;
	}
}

static int fw_rowop_access(struct fw_xctx *x, const struct fw_rowop *r)
{
	uint64_t d = r->out->dims[3];
	int st = DRM_QUASAR_STATUS_OK;

	for (uint32_t i = 0; !st && i < r->nin; i++)
		st = fw_tensor_check_access(x, r->in[i], false);
	for (uint32_t i = 0; !st && i < r->npar; i++)
		st = fw_range_check(x, r->par[i], d * 4, false);
	for (uint32_t i = 0; !st && i < r->ntab; i++)
		st = fw_range_check(x, r->tab[i], r->out->rows * (d / 2) * 4, false);
	return st ? st : fw_tensor_check_access(x, r->out, true);
}

static int fw_rowop_run(struct fw_xctx *x, struct fw_rowop *r)
{
	uint32_t d = r->out->dims[3], lo = 1, hi;
	uint64_t rows = r->out->rows, pbytes = (uint64_t)r->npar * d * 4;
	void *in[2] = { 0 }, *par[2] = { 0 }, *tab[2] = { 0 }, *out;
	int st;

	st = fw_rowop_access(x, r);
	if (st)
		return st;
	if (fw_rowop_ws(r, 1) > x->e->sram_size)
		return DRM_QUASAR_STATUS_TOO_LARGE;
	hi = rows < DRM_QUASAR_DIM_MAX ? (uint32_t)rows : DRM_QUASAR_DIM_MAX;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo + 1) / 2;

		if (fw_rowop_ws(r, mid) <= x->e->sram_size)
			lo = mid;
		else
			hi = mid - 1;
	}
	r->rt = lo;
	for (uint32_t i = 0; i < r->npar; i++) {
		par[i] = fw_sram_alloc(x, (uint64_t)d * 4);
		st = fw_sram_in(x, r->par[i], par[i], (uint64_t)d * 4, FW_CLS_ACT);
		if (st)
			return st;
	}
	for (uint32_t i = 0; i < r->nin; i++)
		in[i] = fw_sram_alloc(x, (uint64_t)r->rt * d * r->in[i]->esize);
	for (uint32_t i = 0; i < r->ntab; i++)
		tab[i] = fw_sram_alloc(x, (uint64_t)r->rt * (d / 2) * 4);
	out = fw_sram_alloc(x, (uint64_t)r->rt * d * r->out->esize);

	for (uint64_t r0 = 0; r0 < rows; r0 += r->rt) {
		uint64_t n = rows - r0 < r->rt ? rows - r0 : r->rt, opnd = pbytes;

		if (fw_xctx_stopped(x))
			return DRM_QUASAR_STATUS_ABORTED;
		for (uint64_t j = 0; j < n; j++)
			for (uint32_t i = 0; i < r->nin; i++) {
				uint64_t rb = (uint64_t)d * r->in[i]->esize;

				st = fw_sram_in(x, fw_tensor_row(r->in[i], r0 + j),
						(uint8_t *)in[i] + j * rb, rb, FW_CLS_ACT);
				if (st)
					return st;
				opnd += rb;
			}
		for (uint32_t i = 0; i < r->ntab; i++) {
			uint64_t tb = (uint64_t)(d / 2) * 4;

			st = fw_sram_in(x, r->tab[i] + r0 * tb, tab[i], n * tb, FW_CLS_ACT);
			if (st)
				return st;
			opnd += n * tb;
		}
		for (uint64_t j = 0; j < n; j++) {
			void *ri[2], *rtab[2];

			for (uint32_t i = 0; i < 2; i++) {
				ri[i] = i < r->nin ? (uint8_t *)in[i] + j * d * r->in[i]->esize : 0;
				rtab[i] = i < r->ntab ? (uint8_t *)tab[i] + j * (d / 2) * 4 : 0;
			}
			fw_rowop_kernel(r, ri, par, rtab,
					(uint8_t *)out + j * d * r->out->esize, d);
		}
		fw_cost_vec(x, n * d);
		fw_cost_operands(x, opnd + n * d * r->out->esize);
		for (uint64_t j = 0; j < n; j++) {
			uint64_t ob = (uint64_t)d * r->out->esize;

			st = fw_sram_out(x, fw_tensor_row(r->out, r0 + j),
					 (uint8_t *)out + j * ob, ob);
			if (st)
				return st;
		}
		fw_cost_tile_end(x);
	}
	return DRM_QUASAR_STATUS_OK;
}

static int fw_norm_exec(struct fw_xctx *x, const uint8_t *cmd, uint16_t op)
{
	struct fw_tensor in, out;
	struct fw_rowop r = { .op = op, .in = { &in }, .nin = 1, .out = &out };
	int st;

	if (fw_le32(cmd + FW_NORM(reserved)))
		return DRM_QUASAR_STATUS_BAD_FLAGS;
	st = fw_tensor_plain(cmd + FW_NORM(x), DRM_QUASAR_FORMAT_FP32, &in);
	if (!st)
		st = fw_tensor_plain(cmd + FW_NORM(y), DRM_QUASAR_FORMAT_FP32, &out);
	if (st)
		return st;
	if (!fw_tensor_same_dims(&in, &out))
		return DRM_QUASAR_STATUS_BAD_SHAPE;
	r.par[0] = fw_le64(cmd + FW_NORM(gain));
	r.par[1] = fw_le64(cmd + FW_NORM(bias));
	r.npar = op == DRM_QUASAR_OP_LAYERNORM ? 2 : 1;
	if (!r.par[0] || (op == DRM_QUASAR_OP_LAYERNORM) != (r.par[1] != 0))
		return DRM_QUASAR_STATUS_BAD_OPERAND;
	for (uint32_t i = 0; i < r.npar; i++) {
		if (r.par[i] % 4)
			return DRM_QUASAR_STATUS_BAD_ALIGN;
		if (fw_range_wraps(r.par[i], (uint64_t)out.dims[3] * 4))
			return DRM_QUASAR_STATUS_BAD_RANGE;
	}
	r.eps = dp_u2f(fw_le32(cmd + FW_NORM(eps)));
	return fw_rowop_run(x, &r);
}

static int fw_softmax_exec(struct fw_xctx *x, const uint8_t *cmd)
{
	struct fw_tensor in, out;
	struct fw_rowop r = { .op = DRM_QUASAR_OP_SOFTMAX, .in = { &in }, .nin = 1,
			      .out = &out };
	int st;

	st = fw_tensor_plain(cmd + FW_SMAX(x), DRM_QUASAR_FORMAT_FP32, &in);
	if (!st)
		st = fw_tensor_plain(cmd + FW_SMAX(y), DRM_QUASAR_FORMAT_FP32, &out);
	if (st)
		return st;
	if (!fw_tensor_same_dims(&in, &out))
		return DRM_QUASAR_STATUS_BAD_SHAPE;
	return fw_rowop_run(x, &r);
}

static int fw_rope_exec(struct fw_xctx *x, const uint8_t *cmd)
{
	struct fw_tensor in, out;
	struct fw_rowop r = { .op = DRM_QUASAR_OP_ROPE, .in = { &in }, .nin = 1,
			      .out = &out, .ntab = 2 };
	int st;

	st = fw_tensor_plain(cmd + FW_ROPE(x), DRM_QUASAR_FORMAT_FP32, &in);
	if (!st)
		st = fw_tensor_plain(cmd + FW_ROPE(y), DRM_QUASAR_FORMAT_FP32, &out);
	if (st)
		return st;
	if (!fw_tensor_same_dims(&in, &out) || out.dims[3] % 2)
		return DRM_QUASAR_STATUS_BAD_SHAPE;
	r.tab[0] = fw_le64(cmd + FW_ROPE(cos));
	r.tab[1] = fw_le64(cmd + FW_ROPE(sin));
	for (uint32_t i = 0; i < 2; i++) {
		if (!r.tab[i])
			return DRM_QUASAR_STATUS_BAD_OPERAND;
		if (r.tab[i] % 4)
			return DRM_QUASAR_STATUS_BAD_ALIGN;
		/* rows * D / 2 * 4 < 2^48 * 2^17: no wrap before the check. */
		if (fw_range_wraps(r.tab[i], out.rows * (out.dims[3] / 2) * 4))
			return DRM_QUASAR_STATUS_BAD_RANGE;
	}
	return fw_rowop_run(x, &r);
}

static int fw_eltwise_exec(struct fw_xctx *x, const uint8_t *cmd, uint16_t op)
{
	struct fw_tensor a, b, out;
	struct fw_rowop r = { .op = op, .in = { &a, &b }, .nin = 2, .out = &out };
	int st;

	st = fw_tensor_plain(cmd + FW_ELT(a), DRM_QUASAR_FORMAT_FP32, &a);
	if (!st)
		st = fw_tensor_plain(cmd + FW_ELT(b), DRM_QUASAR_FORMAT_FP32, &b);
	if (!st)
		st = fw_tensor_plain(cmd + FW_ELT(y), DRM_QUASAR_FORMAT_FP32, &out);
	if (st)
		return st;
	if (!fw_tensor_same_dims(&a, &out) || !fw_tensor_same_dims(&b, &out))
		return DRM_QUASAR_STATUS_BAD_SHAPE;
	return fw_rowop_run(x, &r);
}

/* Dequantize panels into rows of @out (FP32 or BF16): CONVERT from W_*. */
static int fw_dequant_run(struct fw_xctx *x, const struct fw_wtensor *w,
			  const struct fw_tensor *out)
{
	uint64_t osz = out->esize, rowb = (uint64_t)w->k * osz;
	uint32_t np = 1;
	void *wd, *ws, *wz, *wm, *ob;
	int st;

	if (fw_weights_sram(w, 1) + fw_a64(DP_PANEL * rowb) > x->e->sram_size)
		return DRM_QUASAR_STATUS_TOO_LARGE;
	while (np < w->panels &&
	       fw_weights_sram(w, np + 1) + fw_a64((np + 1) * DP_PANEL * rowb) <=
	       x->e->sram_size)
		np++;
	wd = fw_sram_alloc(x, np * w->data_pp);
	ws = fw_sram_alloc(x, np * w->scale_pp);
	wz = fw_sram_alloc(x, np * w->zero_pp);
	wm = fw_sram_alloc(x, np * w->meta_pp);
	ob = fw_sram_alloc(x, np * DP_PANEL * rowb);
	for (uint32_t p0 = 0; p0 < w->panels; p0 += np) {
		uint32_t n = w->panels - p0 < np ? w->panels - p0 : np;
		struct dp_wt view;

		if (fw_xctx_stopped(x))
			return DRM_QUASAR_STATUS_ABORTED;
		fw_weights_view(w, p0, n, wd, ws, wz, wm, &view);
		st = fw_weights_stage(x, w, p0, n, wd, ws, wz, wm);
		if (st)
			return st;
		if (osz == 4)
			dp_dequant_ref(&view, 0, view.n, ob, w->k);
		else
			dp_dequant_bf16_ref(&view, 0, view.n, ob, w->k);
		fw_cost_vec(x, (uint64_t)view.n * w->k);
		fw_cost_operands(x, n * (w->data_pp + w->scale_pp + w->zero_pp + w->meta_pp) +
				 view.n * rowb);
		for (uint32_t i = 0; i < view.n; i++) {
			st = fw_sram_out(x, fw_tensor_row(out, (uint64_t)p0 * DP_PANEL + i),
					 (uint8_t *)ob + i * rowb, rowb);
			if (st)
				return st;
		}
		fw_cost_tile_end(x);
	}
	return DRM_QUASAR_STATUS_OK;
}

static int fw_convert_exec(struct fw_xctx *x, const uint8_t *cmd)
{
	struct fw_tensor src, dst;
	struct fw_wtensor w;
	int st;

	st = fw_tensor_get(cmd + FW_CONVT(src), &src);
	if (!st)
		st = fw_tensor_plain(cmd + FW_CONVT(dst), 0, &dst);
	if (st)
		return st;
	if (fw_fmt_packed(src.format)) {
		st = fw_tensor_weights(cmd + FW_CONVT(src), cmd + FW_CONVT(sp), &w);
		if (st)
			return st;
		if (dst.format == DRM_QUASAR_FORMAT_U32)
			return DRM_QUASAR_STATUS_BAD_FORMAT;
		if (dst.rows != w.n || dst.dims[3] != w.k)
			return DRM_QUASAR_STATUS_BAD_SHAPE;
		st = fw_weights_check_access(x, &w);
		if (!st)
			st = fw_tensor_check_access(x, &dst, true);
		return st ? st : fw_dequant_run(x, &w, &dst);
	}
	for (uint32_t i = 0; i < sizeof(struct drm_quasar_wparams); i++)
		if (cmd[FW_CONVT(sp) + i])
			return DRM_QUASAR_STATUS_BAD_OPERAND;
	if (!((src.format == DRM_QUASAR_FORMAT_BF16 && dst.format == DRM_QUASAR_FORMAT_FP32) ||
	      (src.format == DRM_QUASAR_FORMAT_FP32 && dst.format == DRM_QUASAR_FORMAT_BF16)))
		return DRM_QUASAR_STATUS_BAD_FORMAT;
	if (!fw_tensor_same_dims(&src, &dst))
		return DRM_QUASAR_STATUS_BAD_SHAPE;
	{
		struct fw_rowop r = { .op = DRM_QUASAR_OP_CONVERT, .in = { &src }, .nin = 1,
				      .out = &dst };

		return fw_rowop_run(x, &r);
	}
}

/*
 * Embedding gather: ids in chunks, one panel at a time (kept while
 * consecutive ids fall in it), one output row per id and per tile.
 */
static int fw_gather_exec(struct fw_xctx *x, const uint8_t *cmd)
{
	struct fw_tensor ids, out;
	struct fw_wtensor w;
	uint64_t count, rowb, chunk = 1, have = UINT64_MAX;
	uint32_t *idb;
	void *wd, *ws, *wz, *wm;
	float *ob;
	int st;

	st = fw_tensor_weights(cmd + FW_GATH(table), cmd + FW_GATH(tp), &w);
	if (!st)
		st = fw_tensor_plain(cmd + FW_GATH(ids), DRM_QUASAR_FORMAT_U32, &ids);
	if (!st)
		st = fw_tensor_plain(cmd + FW_GATH(y), DRM_QUASAR_FORMAT_FP32, &out);
	if (st)
		return st;
	count = ids.rows * ids.dims[3];
	if (ids.rows != 1 || out.rows != count || out.dims[3] != w.k)
		return DRM_QUASAR_STATUS_BAD_SHAPE;
	st = fw_weights_check_access(x, &w);
	if (!st)
		st = fw_tensor_check_access(x, &ids, false);
	if (!st)
		st = fw_tensor_check_access(x, &out, true);
	if (st)
		return st;
	rowb = (uint64_t)w.k * 4;
	if (fw_weights_sram(&w, 1) + fw_a64(rowb) + fw_a64(4) > x->e->sram_size)
		return DRM_QUASAR_STATUS_TOO_LARGE;
	while (chunk < count &&
	       fw_weights_sram(&w, 1) + fw_a64(rowb) + fw_a64((chunk + 1) * 4) <=
	       x->e->sram_size)
		chunk++;
	wd = fw_sram_alloc(x, w.data_pp);
	ws = fw_sram_alloc(x, w.scale_pp);
	wz = fw_sram_alloc(x, w.zero_pp);
	wm = fw_sram_alloc(x, w.meta_pp);
	ob = fw_sram_alloc(x, rowb);
	idb = fw_sram_alloc(x, chunk * 4);
	for (uint64_t c0 = 0; c0 < count; c0 += chunk) {
		uint64_t n = count - c0 < chunk ? count - c0 : chunk;

		st = fw_sram_in(x, ids.addr + c0 * 4, idb, n * 4, FW_CLS_ACT);
		if (st)
			return st;
		for (uint64_t i = 0; i < n; i++) {
			uint32_t id = fw_le32((const uint8_t *)&idb[i]), p = id / DP_PANEL;
			uint64_t opnd = 4 + rowb;
			struct dp_wt view;

			if (fw_xctx_stopped(x))
				return DRM_QUASAR_STATUS_ABORTED;
			if (id >= w.n)
				return DRM_QUASAR_STATUS_BAD_INDEX;
			fw_weights_view(&w, p, 1, wd, ws, wz, wm, &view);
			if (p != have) {
				st = fw_weights_stage(x, &w, p, 1, wd, ws, wz, wm);
				if (st)
					return st;
				have = p;
			}
			opnd += w.data_pp + w.scale_pp + w.zero_pp + w.meta_pp;
			dp_dequant_ref(&view, id % DP_PANEL, id % DP_PANEL + 1, ob, w.k);
			fw_cost_vec(x, w.k);
			fw_cost_operands(x, opnd);
			st = fw_sram_out(x, fw_tensor_row(&out, c0 + i), ob, rowb);
			if (st)
				return st;
			fw_cost_tile_end(x);
		}
	}
	return DRM_QUASAR_STATUS_OK;
}

static int fw_ops_exec(const struct fw_device *fw, unsigned int slot,
		       const uint8_t *cmd, const struct fw_job_stop *stop,
		       uint64_t *fault_addr)
{
	struct fw_xctx x = {
		.fw = fw, .e = fw->engine, .slot = slot, .stop = stop,
		.fault_addr = fault_addr,
	};
	uint16_t op = fw_le16(cmd + FW_HDR(opcode));
	int st;

	switch (op) {
	case DRM_QUASAR_OP_GEMM:
		st = fw_gemm_exec(&x, cmd);
		break;
	case DRM_QUASAR_OP_CONV2D:
		st = fw_conv2d_exec(&x, cmd);
		break;
	case DRM_QUASAR_OP_RMSNORM:
	case DRM_QUASAR_OP_LAYERNORM:
		st = fw_norm_exec(&x, cmd, op);
		break;
	case DRM_QUASAR_OP_SOFTMAX:
		st = fw_softmax_exec(&x, cmd);
		break;
	case DRM_QUASAR_OP_ROPE:
		st = fw_rope_exec(&x, cmd);
		break;
	case DRM_QUASAR_OP_ADD:
	case DRM_QUASAR_OP_MUL:
		st = fw_eltwise_exec(&x, cmd, op);
		break;
	case DRM_QUASAR_OP_GATHER:
		st = fw_gather_exec(&x, cmd);
		break;
	case DRM_QUASAR_OP_CONVERT:
		st = fw_convert_exec(&x, cmd);
		break;
	default:
		st = DRM_QUASAR_STATUS_BAD_OPCODE;
		break;
	}
	/* A tile cut short still moved its bytes: charge them. */
	if (x.t_dram || x.t_sram || x.t_macs || x.t_vec)
		fw_cost_tile_end(&x);
	return st;
}

int fw_engine_init(struct fw_engine *e, void *sram, uint64_t size)
{
	fw_memset(e, 0, sizeof(*e));
	if (!sram || ((uintptr_t)sram % FW_SRAM_ALIGN) || size < FW_SRAM_ALIGN)
		return -1;
	e->exec = fw_ops_exec;
	e->sram = sram;
	e->sram_size = size & ~(uint64_t)(FW_SRAM_ALIGN - 1);
	fw_cost_defaults(&e->cost);
	e->isa = DP_ISA_SCALAR;
	return 0;
}

/*
 * A tile's activations take at most the whole SRAM as BF16; the kernels
 * keep them as FP32 (twice that) plus padding to the format's block, which
 * only a few tiny-K tiles exceed (they fall back to the golden model).
 */
uint64_t fw_engine_ws_size(uint64_t sram)
{
	return 2 * sram + (256u << 10);
}

uint32_t fw_engine_use_simd(struct fw_engine *e, void *ws, uint64_t size)
{
	if (!ws || (uintptr_t)ws % DP_WS_ALIGN)
		return DP_ISA_SCALAR;
	e->ws = ws;
	e->ws_size = size;
	e->isa = dp_isa_best();
	return e->isa;
}
