// SPDX-License-Identifier: MIT
/*
 * The compute commands other than GEMM/CONV2D and MATMUL (docs/isa.md
 * sections 7 and 11), the engine's entry point, and its set-up. Commands arrive decoded and
 * checked by the ISA's validator (isa/isa_validate.c); what is left here
 * needs the device: the MMU pre-check, the SRAM tiling (TOO_LARGE),
 * GATHER's ids (BAD_INDEX), and the execution.
 *
 * Row operations (norms, softmax, RoPE, ADD/MUL, plain conversions) stage
 * as many whole rows as fit in the SRAM, run the datapath's row kernel on
 * each, and write the rows back; their per-command vectors (gains,
 * biases, a ROW_B operand) are staged once. A causal softmax reads each
 * row only up to its limit. Dequantizing conversions and embedding gathers
 * stage packed weights panel by panel.
 */
#include "dp_attn.h"
#include "dp_format.h"
#include "dp_gemm.h"
#include "dp_num.h"
#include "dp_ops.h"
#include "fw_bytes.h"
#include "fw_exec.h"
#include "fw_time.h"

/* A row operation: the decoded command and its tile, rt rows. */
struct fw_rowop {
	uint16_t op;
	const struct isa_rows *c;
	uint32_t rt;
	uint32_t isa;		/* the engine's (enum dp_isa): the fast twins are bit-exact */
};

/* Input @i is one row for every row (ROW_B's b): staged once. */
static bool fw_rowop_shared(const struct isa_rows *c, uint32_t i)
{
	return i == 1 && c->row_b;
}

/* Elements of row @r that the op reads: a causal softmax's limit, else D. */
static uint32_t fw_rowop_limit(const struct isa_rows *c, uint64_t r)
{
	uint32_t d = c->y.dims[3];

	return c->causal ? dp_causal_limit(d, c->causal_offset, (uint32_t)(r % c->y.dims[2])) : d;
}

static uint64_t fw_rowop_ws(const struct fw_rowop *r, uint64_t rt)
{
	const struct isa_rows *c = r->c;
	uint64_t d = c->y.dims[3], b = c->nvec * fw_a64(d * 4);

	for (uint32_t i = 0; i < c->nin; i++)
		b += fw_a64((fw_rowop_shared(c, i) ? 1 : rt) * d * c->in[i].esize);
	b += c->ntab * fw_a64(rt * (d / 2) * 4);
	return b + fw_a64(rt * d * c->y.esize);
}

static void fw_rowop_kernel(const struct fw_rowop *r, void *const *in, void *const *vec,
			    void *const *tab, void *out, uint32_t d, uint32_t lim)
{
	float eps = dp_u2f(r->c->eps);

	switch (r->op) {
	case DRM_QUASAR_OP_RMSNORM:
		dp_rmsnorm_fast(in[0], vec[0], d, eps, out, r->isa);
		break;
	case DRM_QUASAR_OP_LAYERNORM:
		dp_layernorm_fast(in[0], vec[0], vec[1], d, eps, out, r->isa);
		break;
	case DRM_QUASAR_OP_SOFTMAX:
		if (r->c->causal)
			dp_softmax_causal_fast(in[0], d, lim, out, r->isa);
		else
			dp_softmax_fast(in[0], d, out, r->isa);
		break;
	case DRM_QUASAR_OP_ROPE:
		dp_rope_fast(in[0], tab[0], tab[1], d, out, r->isa);
		break;
	case DRM_QUASAR_OP_ADD:
		dp_add_fast(in[0], in[1], d, out, r->isa);
		break;
	case DRM_QUASAR_OP_MUL:
		dp_mul_fast(in[0], in[1], d, out, r->isa);
		break;
	default:	/* CONVERT, plain */
		if (r->c->y.format == DRM_QUASAR_FORMAT_FP32)
			dp_bf16_to_f32_fast(in[0], d, out, r->isa);
		else
			dp_f32_to_bf16_fast(in[0], d, out, r->isa);
		break;
	}
}

static int fw_rowop_access(struct fw_xctx *x, const struct isa_rows *c)
{
	uint64_t d = c->y.dims[3];
	int st = DRM_QUASAR_STATUS_OK;

	for (uint32_t i = 0; !st && i < c->nin; i++)
		st = fw_tensor_check_access(x, &c->in[i], false);
	for (uint32_t i = 0; !st && i < c->nvec; i++)
		st = fw_range_check(x, c->vec[i], d * 4, false);
	for (uint32_t i = 0; !st && i < c->ntab; i++)
		st = fw_range_check(x, c->tab[i], c->y.rows * (d / 2) * 4, false);
	return st ? st : fw_tensor_check_access(x, &c->y, true);
}

static int fw_rowop_run(struct fw_xctx *x, uint16_t op, const struct isa_rows *c)
{
	struct fw_rowop r = { .op = op, .c = c, .isa = x->e->isa };
	uint32_t d = c->y.dims[3], lo = 1, hi;
	uint64_t rows = c->y.rows, vbytes = (uint64_t)c->nvec * d * 4;
	void *in[2] = { 0 }, *vec[2] = { 0 }, *tab[2] = { 0 }, *out;
	uint64_t t0;
	int st;

	st = fw_rowop_access(x, c);
	if (st)
		return st;
	if (fw_rowop_ws(&r, 1) > x->e->sram_size)
		return DRM_QUASAR_STATUS_TOO_LARGE;
	hi = rows < DRM_QUASAR_DIM_MAX ? (uint32_t)rows : DRM_QUASAR_DIM_MAX;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo + 1) / 2;

		if (fw_rowop_ws(&r, mid) <= x->e->sram_size)
			lo = mid;
		else
			hi = mid - 1;
	}
	r.rt = lo;
	for (uint32_t i = 0; i < c->nvec; i++) {
		vec[i] = fw_sram_alloc(x, (uint64_t)d * 4);
		st = fw_sram_in(x, c->vec[i], vec[i], (uint64_t)d * 4, FW_CLS_ACT);
		if (st)
			return st;
	}
	for (uint32_t i = 0; i < c->nin; i++) {
		if (!fw_rowop_shared(c, i)) {
			in[i] = fw_sram_alloc(x, (uint64_t)r.rt * d * c->in[i].esize);
			continue;
		}
		in[i] = fw_sram_alloc(x, (uint64_t)d * c->in[i].esize);
		st = fw_sram_in(x, c->in[i].addr, in[i], (uint64_t)d * c->in[i].esize, FW_CLS_ACT);
		if (st)
			return st;
		vbytes += (uint64_t)d * c->in[i].esize;
	}
	for (uint32_t i = 0; i < c->ntab; i++)
		tab[i] = fw_sram_alloc(x, (uint64_t)r.rt * (d / 2) * 4);
	out = fw_sram_alloc(x, (uint64_t)r.rt * d * c->y.esize);

	for (uint64_t r0 = 0; r0 < rows; r0 += r.rt) {
		uint64_t n = rows - r0 < r.rt ? rows - r0 : r.rt, opnd = vbytes, vec_elems = 0;

		if (fw_xctx_stopped(x))
			return DRM_QUASAR_STATUS_ABORTED;
		for (uint64_t j = 0; j < n; j++)
			for (uint32_t i = 0; i < c->nin; i++) {
				uint64_t rb = (uint64_t)d * c->in[i].esize;
				uint64_t len = (uint64_t)fw_rowop_limit(c, r0 + j) * c->in[i].esize;

				if (fw_rowop_shared(c, i))
					continue;
				st = fw_sram_in(x, fw_tensor_row(&c->in[i], r0 + j),
						(uint8_t *)in[i] + j * rb, len, FW_CLS_ACT);
				if (st)
					return st;
				opnd += len;
			}
		for (uint32_t i = 0; i < c->ntab; i++) {
			uint64_t tb = (uint64_t)(d / 2) * 4;

			st = fw_sram_in(x, c->tab[i] + r0 * tb, tab[i], n * tb, FW_CLS_ACT);
			if (st)
				return st;
			opnd += n * tb;
		}
		t0 = fw_time_now(x->fw);
		for (uint64_t j = 0; j < n; j++) {
			uint32_t lim = fw_rowop_limit(c, r0 + j);
			void *ri[2], *rtab[2];

			for (uint32_t i = 0; i < 2; i++) {
				uint64_t at = fw_rowop_shared(c, i) ? 0 : j * d * c->in[i].esize;

				ri[i] = i < c->nin ? (uint8_t *)in[i] + at : 0;
				rtab[i] = i < c->ntab ? (uint8_t *)tab[i] + j * (d / 2) * 4 : 0;
			}
			fw_rowop_kernel(&r, ri, vec, rtab,
					(uint8_t *)out + j * d * c->y.esize, d, lim);
			vec_elems += lim;
		}
		fw_time_add(x->fw, kernel_ns, t0);
		fw_cost_vec(x, vec_elems);
		fw_cost_operands(x, opnd + n * d * c->y.esize);
		for (uint64_t j = 0; j < n; j++) {
			uint64_t ob = (uint64_t)d * c->y.esize;

			st = fw_sram_out(x, fw_tensor_row(&c->y, r0 + j),
					 (uint8_t *)out + j * ob, ob);
			if (st)
				return st;
		}
		fw_cost_tile_end(x);
	}
	return DRM_QUASAR_STATUS_OK;
}

/* Dequantize panels into rows of @out (FP32 or BF16): CONVERT from W_*. */
static int fw_dequant_run(struct fw_xctx *x, const struct isa_weights *w,
			  const struct isa_tensor *out)
{
	uint64_t osz = out->esize, rowb = (uint64_t)w->k * osz, t0;
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
		t0 = fw_time_now(x->fw);
		if (osz == 4)
			dp_dequant_ref(&view, 0, view.n, ob, w->k);
		else
			dp_dequant_bf16_ref(&view, 0, view.n, ob, w->k);
		fw_time_add(x->fw, kernel_ns, t0);
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

/* CONVERT from packed weights: the pre-check, then panel by panel. */
static int fw_dequant_exec(struct fw_xctx *x, const struct isa_dequant *c)
{
	int st = fw_weights_check_access(x, &c->src);

	if (!st)
		st = fw_tensor_check_access(x, &c->dst, true);
	return st ? st : fw_dequant_run(x, &c->src, &c->dst);
}

/*
 * Embedding gather: ids in chunks, one panel at a time (kept while
 * consecutive ids fall in it), one output row per id and per tile.
 */
static int fw_gather_exec(struct fw_xctx *x, const struct isa_gather *c)
{
	const struct isa_weights *w = &c->table;
	uint64_t count = c->count, rowb, chunk = 1, have = UINT64_MAX, t0;
	uint32_t *idb;
	void *wd, *ws, *wz, *wm;
	float *ob;
	int st;

	st = fw_weights_check_access(x, w);
	if (!st)
		st = fw_tensor_check_access(x, &c->ids, false);
	if (!st)
		st = fw_tensor_check_access(x, &c->y, true);
	if (st)
		return st;
	rowb = (uint64_t)w->k * 4;
	if (fw_weights_sram(w, 1) + fw_a64(rowb) + fw_a64(4) > x->e->sram_size)
		return DRM_QUASAR_STATUS_TOO_LARGE;
	while (chunk < count &&
	       fw_weights_sram(w, 1) + fw_a64(rowb) + fw_a64((chunk + 1) * 4) <=
	       x->e->sram_size)
		chunk++;
	wd = fw_sram_alloc(x, w->data_pp);
	ws = fw_sram_alloc(x, w->scale_pp);
	wz = fw_sram_alloc(x, w->zero_pp);
	wm = fw_sram_alloc(x, w->meta_pp);
	ob = fw_sram_alloc(x, rowb);
	idb = fw_sram_alloc(x, chunk * 4);
	for (uint64_t c0 = 0; c0 < count; c0 += chunk) {
		uint64_t n = count - c0 < chunk ? count - c0 : chunk;

		st = fw_sram_in(x, c->ids.addr + c0 * 4, idb, n * 4, FW_CLS_ACT);
		if (st)
			return st;
		for (uint64_t i = 0; i < n; i++) {
			uint32_t id = fw_le32((const uint8_t *)&idb[i]), p = id / DP_PANEL;
			uint64_t opnd = 4 + rowb;
			struct dp_wt view;

			if (fw_xctx_stopped(x))
				return DRM_QUASAR_STATUS_ABORTED;
			if (id >= w->n)
				return DRM_QUASAR_STATUS_BAD_INDEX;
			fw_weights_view(w, p, 1, wd, ws, wz, wm, &view);
			if (p != have) {
				st = fw_weights_stage(x, w, p, 1, wd, ws, wz, wm);
				if (st)
					return st;
				have = p;
			}
			opnd += w->data_pp + w->scale_pp + w->zero_pp + w->meta_pp;
			t0 = fw_time_now(x->fw);
			dp_dequant_ref(&view, id % DP_PANEL, id % DP_PANEL + 1, ob, w->k);
			fw_time_add(x->fw, kernel_ns, t0);
			fw_cost_vec(x, w->k);
			fw_cost_operands(x, opnd);
			st = fw_sram_out(x, fw_tensor_row(&c->y, c0 + i), ob, rowb);
			if (st)
				return st;
			fw_cost_tile_end(x);
		}
	}
	return DRM_QUASAR_STATUS_OK;
}

static int fw_ops_exec(const struct fw_device *fw, unsigned int slot,
		       const struct isa_cmd *cmd, const struct fw_job_stop *stop,
		       uint64_t *fault_addr)
{
	struct fw_xctx x = {
		.fw = fw, .e = fw->engine, .slot = slot, .stop = stop,
		.fault_addr = fault_addr,
	};
	int st;

	switch (cmd->form) {
	case ISA_FORM_GEMM:
		st = fw_gemm_exec(&x, cmd->opcode, &cmd->gemm);
		break;
	case ISA_FORM_ROWS:
		st = fw_rowop_run(&x, cmd->opcode, &cmd->rows);
		break;
	case ISA_FORM_GATHER:
		st = fw_gather_exec(&x, &cmd->gather);
		break;
	case ISA_FORM_DEQUANT:
		st = fw_dequant_exec(&x, &cmd->dequant);
		break;
	case ISA_FORM_MATMUL:
		st = fw_matmul_exec(&x, &cmd->matmul);
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
