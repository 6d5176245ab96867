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
 *
 * A B tile is read where it lies in guest memory, as weights are
 * (fw_wplace.c, docs/cost-model.md 8.2), when its span is one run the HAL
 * maps and the plan has a single A tile: then no result of the command is
 * written between the moment the copy would have been taken and the
 * kernel's last read, so the kernel sees the bytes the copy would hold
 * even where Y overlaps B. It is counted as staged: the statistics stay.
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

/* B's tile, columns n0 .. n0 + nn - 1 of batch matrix @bt: where, how many rows, how long. */
static uint64_t fw_matmul_b_rows(const struct fw_matmul_plan *p, uint64_t bt, uint32_t n0,
				 uint32_t nn, uint64_t *rows, uint64_t *len)
{
	const struct isa_matmul *c = p->c;
	const struct isa_tensor *b = &c->b;

	*rows = c->trans_b ? nn : p->kp;
	*len = (c->trans_b ? (uint64_t)p->kp : nn) * 4;
	if (c->trans_b)		/* row n of B holds column n: kp values each */
		return fw_tensor_row(b, bt * b->dims[2] + n0);
	return fw_tensor_row(b, bt * b->dims[2]) + (uint64_t)n0 * 4;
}

/* Columns n0 .. n0 + nn - 1 of batch matrix @bt's B, its first kp rows, into @dst. */
static int fw_matmul_stage_b(struct fw_xctx *x, const struct fw_matmul_plan *p, uint64_t bt,
			     uint32_t n0, uint32_t nn, float *dst)
{
	const struct isa_tensor *b = &p->c->b;
	uint64_t rows, len, va = fw_matmul_b_rows(p, bt, n0, nn, &rows, &len);

	/* Rows of one batch matrix, consecutive in dims[2]: one stride apart. */
	return fw_sram_in_rows(x, va, b->strides[2] * b->esize, len, rows, dst, FW_CLS_ACT);
}

/*
 * The same tile where it lies, or NULL (staged then). @ldb its row stride
 * in elements; the caller gives *@map back with fw_sram_unmap().
 */
static const float *fw_matmul_map_b(struct fw_xctx *x, const struct fw_matmul_plan *p,
				    uint64_t bt, uint32_t n0, uint32_t nn, uint32_t *ldb,
				    const void **map)
{
	const struct isa_tensor *b = &p->c->b;
	uint64_t stride = b->strides[2] * b->esize, rows, len;
	uint64_t va = fw_matmul_b_rows(p, bt, n0, nn, &rows, &len);
	const void *ptr;

	if (p->mt < p->c->m || !rows || stride < len || stride % 4 ||
	    stride / 4 > UINT32_MAX)
		return 0;
	ptr = fw_sram_map(x, va, (rows - 1) * stride + len);
	if (!ptr)
		return 0;
	if ((uintptr_t)ptr % 4) {
		fw_sram_unmap(x, ptr);
		return 0;
	}
	fw_sram_count(x, rows * len, FW_CLS_ACT);
	x->e->time.inplace_bytes += rows * len;
	*ldb = (uint32_t)(stride / 4);
	*map = ptr;
	return ptr;
}

struct fw_matmul_bufs {
	float *a, *b, *y;
	const float *bk;	/* the B tile the kernel reads: b, or where it lies */
	uint32_t ldb;
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
		.a = buf->a, .b = buf->bk, .y = buf->y, .m = mm, .n = nn, .k = kt, .lda = kt,
		.ldb = buf->ldb, .ldy = nn, .alpha = dp_u2f(c->alpha),
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
			const void *map = 0;

			if (fw_xctx_stopped(x))
				return DRM_QUASAR_STATUS_ABORTED;
			buf.bk = fw_matmul_map_b(x, p, bt, n0, nn, &buf.ldb, &map);
			st = DRM_QUASAR_STATUS_OK;
			if (!buf.bk) {
				buf.bk = buf.b;
				buf.ldb = c->trans_b ? p->kp : nn;
				st = fw_matmul_stage_b(x, p, bt, n0, nn, buf.b);
			}
			for (uint32_t m0 = 0; !st && m0 < c->m; m0 += p->mt) {
				uint32_t mm = c->m - m0 < p->mt ? c->m - m0 : p->mt;

				st = fw_xctx_stopped(x) ? DRM_QUASAR_STATUS_ABORTED :
					fw_matmul_tile(x, p, &buf, bt, n0, nn, m0, mm);
			}
			if (map)
				fw_sram_unmap(x, map);
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
