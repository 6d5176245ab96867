// SPDX-License-Identifier: MIT
/*
 * Quasar datapath: attention's matrix product, one source for AVX2 and
 * AVX-512 (dp_simd_vec.h), bit-exact with dp_matmul_ref().
 *
 * One lane per output column, as the GEMM: every lane adds its own
 * products f32(a[m][k] * b[k][n]) in ascending k from +0 with one rounding
 * each (a multiply, then an add: no FMA), so each lane repeats the golden
 * model's sum exactly. B is packed 16 columns by DP_ATTN_KC rows at a time
 * into a stack tile (transposing it for TRANS_B), reused by every row of A;
 * the running sums wait in y between tiles (an FP32 sum stored and loaded
 * is unchanged), and alpha scales them once the last tile is in. Rows
 * whose causal limit ends inside a tile stop there; the limit never
 * decreases with m, so the rows already complete are a prefix.
 */
#include "dp_simd_vec.h"
#include "dp_attn_simd.h"

#if defined(DP_ISA_avx512)
#define DP_K(name) name##_avx512
#else
#define DP_K(name) name##_avx2
#endif

#define DP_ATTN_KC	64u	/* rows of B per packed tile */
#define DP_ATTN_ROWS	4u	/* rows of A sharing one load of B */

/* cnt (<= 16) floats, zero beyond. */
DP_AI vf dp_attn_loadn(const float *p, uint32_t cnt)
{
	float t[16] = { 0 };
	uint32_t i;

	if (cnt == 16)
		return vf_load(p);
	for (i = 0; i < cnt; i++)
		t[i] = p[i];
	return vf_load(t);
}

DP_AI void dp_attn_storen(float *p, vf v, uint32_t cnt)
{
	float t[16];
	uint32_t i;

	if (cnt == 16) {
		vf_store(p, v);
		return;
	}
	vf_store(t, v);
	for (i = 0; i < cnt; i++)
		p[i] = t[i];
}

/* B's columns n0 .. n0 + cnt - 1, rows k0 .. k1 - 1, into t[k - k0][lane]; zero lanes past cnt. */
static void dp_attn_pack(const struct dp_matmul *p, uint32_t n0, uint32_t cnt, uint32_t k0,
			 uint32_t k1, float t[][16])
{
	uint32_t k, j;

	if (!p->trans_b) {
		for (k = k0; k < k1; k++)
			vf_store(t[k - k0], dp_attn_loadn(p->b + (size_t)k * p->ldb + n0, cnt));
		return;
	}
	for (j = 0; j < 16; j++) {
		const float *col = p->b + (size_t)(n0 + j) * p->ldb;

		for (k = k0; k < k1; k++)
			t[k - k0][j] = j < cnt ? col[k] : 0.0f;
	}
}

/* Row m's running sums over k0 .. k1 - 1 of the tile from k0 (k0 = 0: from +0). */
DP_AI void dp_attn_row(const struct dp_matmul *p, uint32_t m, uint32_t n0, uint32_t cnt,
		       uint32_t k0, uint32_t k1, float t[][16])
{
	const float *a = p->a + (size_t)m * p->lda;
	float *y = p->y + (size_t)m * p->ldy + n0;
	vf acc = k0 ? dp_attn_loadn(y, cnt) : vf_zero();
	uint32_t k;

	for (k = k0; k < k1; k++)
		acc = vf_add(acc, vf_mul(vf_set1(a[k]), vf_load(t[k - k0])));
	dp_attn_storen(y, acc, cnt);
}

/* DP_ATTN_ROWS rows from m, each summing all of k0 .. k1 - 1. */
DP_AI void dp_attn_rows4(const struct dp_matmul *p, uint32_t m, uint32_t n0, uint32_t cnt,
			 uint32_t k0, uint32_t k1, float t[][16])
{
	const float *a0 = p->a + (size_t)m * p->lda, *a1 = a0 + p->lda, *a2 = a1 + p->lda,
		    *a3 = a2 + p->lda;
	float *y0 = p->y + (size_t)m * p->ldy + n0, *y1 = y0 + p->ldy, *y2 = y1 + p->ldy,
	      *y3 = y2 + p->ldy;
	vf c0 = vf_zero(), c1 = vf_zero(), c2 = vf_zero(), c3 = vf_zero();
	uint32_t k;

	if (k0) {
		c0 = dp_attn_loadn(y0, cnt);
		c1 = dp_attn_loadn(y1, cnt);
		c2 = dp_attn_loadn(y2, cnt);
		c3 = dp_attn_loadn(y3, cnt);
	}
	for (k = k0; k < k1; k++) {
		vf b = vf_load(t[k - k0]);

		c0 = vf_add(c0, vf_mul(vf_set1(a0[k]), b));
		c1 = vf_add(c1, vf_mul(vf_set1(a1[k]), b));
		c2 = vf_add(c2, vf_mul(vf_set1(a2[k]), b));
		c3 = vf_add(c3, vf_mul(vf_set1(a3[k]), b));
	}
	dp_attn_storen(y0, c0, cnt);
	dp_attn_storen(y1, c1, cnt);
	dp_attn_storen(y2, c2, cnt);
	dp_attn_storen(y3, c3, cnt);
}

void DP_K(dp_attn_matmul)(const struct dp_matmul *p)
{
	float t[DP_ATTN_KC][16] __attribute__((aligned(64)));
	uint32_t kmax = p->causal ? dp_causal_limit(p->k, p->causal_offset, p->m - 1) : p->k;
	uint32_t n0, k0, m;
	vf alpha = vf_set1(p->alpha);

	for (n0 = 0; n0 < p->n; n0 += 16) {
		uint32_t cnt = p->n - n0 < 16 ? p->n - n0 : 16, first = 0;

		for (k0 = 0; k0 < kmax; k0 += DP_ATTN_KC) {
			uint32_t k1 = kmax - k0 < DP_ATTN_KC ? kmax : k0 + DP_ATTN_KC;

			dp_attn_pack(p, n0, cnt, k0, k1, t);
			/* Rows whose limit is at or below k0 are complete. */
			while (p->causal && dp_causal_limit(p->k, p->causal_offset, first) <= k0)
				first++;
			for (m = first; m < p->m;) {
				uint32_t lim = p->causal ?
					       dp_causal_limit(p->k, p->causal_offset, m) : p->k;

				if (lim >= k1 && p->m - m >= DP_ATTN_ROWS) {
					dp_attn_rows4(p, m, n0, cnt, k0, k1, t);
					m += DP_ATTN_ROWS;
				} else {
					dp_attn_row(p, m, n0, cnt, k0, lim < k1 ? lim : k1, t);
					m++;
				}
			}
		}
		for (m = 0; m < p->m; m++) {
			float *y = p->y + (size_t)m * p->ldy + n0;

			dp_attn_storen(y, vf_mul(dp_attn_loadn(y, cnt), alpha), cnt);
		}
	}
}
