// SPDX-License-Identifier: MIT
/*
 * MATMUL (docs/isa.md 11.2): attention's products, Q x K^T over a KV
 * cache and P x V, through the datapath's matrix product
 * (datapath/dp_attn_fast.c), tile by tile through the SRAM.
 *
 * The tile plan (docs/cost-model.md section 3.4), per batch matrix: B
 * tiles of nt columns (all the K rows a causal limit lets any row see) in
 * the outer loop, so B, the KV cache, is read once; A tiles of mt rows in
 * the inner loop, each staged only up to its last row's causal limit. nt
 * is the largest count whose working set fits next to one A row, then mt
 * the largest that fits next to nt columns. Commands arrive decoded and
 * checked by the ISA's validator (isa/isa_validate.c).
 */
#include "dp_attn.h"
#include "dp_num.h"
#include "fw_bytes.h"
#include "fw_exec.h"
#include "fw_time.h"

struct fw_matmul_plan {
	const struct isa_matmul *c;
	uint32_t kp;		/* rows of B any row of A sees: K, or the last row's limit */
	uint32_t nt, mt;
};

/* The causal limit of row @m, or K. */
static uint32_t fw_matmul_limit(const struct isa_matmul *c, uint32_t m)
{
	return c->causal ? dp_causal_limit(c->k, c->causal_offset, m) : c->k;
}

static uint64_t fw_matmul_ws(const struct fw_matmul_plan *p, uint64_t mt, uint64_t nt)
{
	return fw_a64(nt * p->kp * 4) + fw_a64(mt * p->kp * 4) + fw_a64(mt * nt * 4);
}

/* Largest v in [1, hi] whose working set fits, given that 1 fits. */
static uint32_t fw_matmul_search(const struct fw_matmul_plan *p, uint64_t size, uint32_t hi,
				 bool rows)
{
	uint32_t lo = 1;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo + 1) / 2;
		uint64_t ws = rows ? fw_matmul_ws(p, mid, p->nt) : fw_matmul_ws(p, 1, mid);

		if (ws <= size)
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}

/* Columns n0 .. n0 + nn - 1 of batch matrix @bt's B, its first kp rows, into @dst. */
static int fw_matmul_stage_b(struct fw_xctx *x, const struct fw_matmul_plan *p, uint64_t bt,
			     uint32_t n0, uint32_t nn, float *dst)
{
	const struct isa_matmul *c = p->c;
	const struct isa_tensor *b = &c->b;
	uint64_t stride = b->strides[2] * b->esize;

	/* Rows of one batch matrix, consecutive in dims[2]: one stride apart. */
	if (c->trans_b)		/* row n of B holds column n: kp values each */
		return fw_sram_in_rows(x, fw_tensor_row(b, bt * b->dims[2] + n0), stride,
				       (uint64_t)p->kp * 4, nn, dst, FW_CLS_ACT);
	return fw_sram_in_rows(x, fw_tensor_row(b, bt * b->dims[2]) + (uint64_t)n0 * 4, stride,
			       (uint64_t)nn * 4, p->kp, dst, FW_CLS_ACT);
}

struct fw_matmul_bufs {
	float *a, *b, *y;
};

/* Rows m0 .. m0 + mm - 1 of batch matrix @bt against the staged B tile. */
static int fw_matmul_tile(struct fw_xctx *x, const struct fw_matmul_plan *p,
			  const struct fw_matmul_bufs *buf, uint64_t bt, uint32_t n0,
			  uint32_t nn, uint32_t m0, uint32_t mm)
{
	const struct isa_matmul *c = p->c;
	uint32_t kt = fw_matmul_limit(c, m0 + mm - 1);
	uint64_t off = (uint64_t)c->causal_offset + m0, macs = 0, t0;
	struct dp_matmul dm;
	int st;

	for (uint32_t r = 0; r < mm; r++) {
		st = fw_sram_in(x, fw_tensor_row(&c->a, bt * c->m + m0 + r),
				buf->a + (size_t)r * kt, (uint64_t)kt * 4, FW_CLS_ACT);
		if (st)
			return st;
		macs += (uint64_t)fw_matmul_limit(c, m0 + r) * nn;
	}
	/*
	 * The tile's rows as rows 0 .. mm - 1 of their own product: the same
	 * limits (offset + m0 saturates where every limit is K anyway), and
	 * K cut to kt, the last row's limit, which no row's limit exceeds.
	 */
	dm = (struct dp_matmul){
		.a = buf->a, .b = buf->b, .y = buf->y, .m = mm, .n = nn, .k = kt, .lda = kt,
		.ldb = c->trans_b ? p->kp : nn, .ldy = nn, .alpha = dp_u2f(c->alpha),
		.trans_b = c->trans_b, .causal = c->causal,
		.causal_offset = off > UINT32_MAX ? UINT32_MAX : (uint32_t)off,
	};
	t0 = fw_time_now(x->fw);
	st = dp_matmul_fast(&dm, x->e->isa);
	fw_time_add(x->fw, kernel_ns, t0);
	if (st)
		return DRM_QUASAR_STATUS_BAD_OPERAND;	/* validated: cannot happen */
	/* The MAC array at its BF16 rate (docs/cost-model.md 3.4). */
	fw_cost_macs(x, macs, macs, DRM_QUASAR_FORMAT_W_BF16, false);
	fw_cost_operands(x, (uint64_t)nn * kt * 4 + (uint64_t)mm * kt * 4 +
			 (uint64_t)mm * nn * 4);
	for (uint32_t r = 0; r < mm; r++) {
		st = fw_sram_out(x, fw_tensor_row(&c->y, bt * c->m + m0 + r) + (uint64_t)n0 * 4,
				 buf->y + (size_t)r * nn, (uint64_t)nn * 4);
		if (st)
			return st;
	}
	fw_cost_tile_end(x);
	return DRM_QUASAR_STATUS_OK;
}

static int fw_matmul_run(struct fw_xctx *x, struct fw_matmul_plan *p)
{
	const struct isa_matmul *c = p->c;
	uint64_t size = x->e->sram_size;
	struct fw_matmul_bufs buf;
	int st;

	if (fw_matmul_ws(p, 1, 1) > size)
		return DRM_QUASAR_STATUS_TOO_LARGE;
	p->nt = fw_matmul_search(p, size, c->n, false);
	p->mt = fw_matmul_search(p, size, c->m, true);
	/* The plan guarantees that all of these fit. */
	buf.b = fw_sram_alloc(x, (uint64_t)p->nt * p->kp * 4);
	buf.a = fw_sram_alloc(x, (uint64_t)p->mt * p->kp * 4);
	buf.y = fw_sram_alloc(x, (uint64_t)p->mt * p->nt * 4);
	for (uint64_t bt = 0; bt < c->batch; bt++) {
		for (uint32_t n0 = 0; n0 < c->n; n0 += p->nt) {
			uint32_t nn = c->n - n0 < p->nt ? c->n - n0 : p->nt;

			if (fw_xctx_stopped(x))
				return DRM_QUASAR_STATUS_ABORTED;
			st = fw_matmul_stage_b(x, p, bt, n0, nn, buf.b);
			for (uint32_t m0 = 0; !st && m0 < c->m; m0 += p->mt) {
				uint32_t mm = c->m - m0 < p->mt ? c->m - m0 : p->mt;

				if (fw_xctx_stopped(x))
					return DRM_QUASAR_STATUS_ABORTED;
				st = fw_matmul_tile(x, p, &buf, bt, n0, nn, m0, mm);
			}
			if (st)
				return st;
		}
	}
	return DRM_QUASAR_STATUS_OK;
}

int fw_matmul_exec(struct fw_xctx *x, const struct isa_matmul *c)
{
	struct fw_matmul_plan p = { .c = c, .kp = fw_matmul_limit(c, c->m - 1) };
	int st = fw_tensor_check_access(x, &c->a, false);

	if (!st)
		st = fw_tensor_check_access(x, &c->b, false);
	if (!st)
		st = fw_tensor_check_access(x, &c->y, true);
	return st ? st : fw_matmul_run(x, &p);
}
