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
 * is unchanged), and alpha scales them once the last tile is in. Tiles go
 * in pairs, so that a single row still has two chains of adds in flight. Rows
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

/*
 * 8 values from each of 8 rows of @src (@ld apart) as 8 rows of @dst (16
 * apart): the transpose, in registers (AVX, so both builds have it).
 */
DP_AI void dp_attn_t8x8(const float *src, size_t ld, float *dst)
{
	__m256 r0 = _mm256_loadu_ps(src), r1 = _mm256_loadu_ps(src + ld);
	__m256 r2 = _mm256_loadu_ps(src + 2 * ld), r3 = _mm256_loadu_ps(src + 3 * ld);
	__m256 r4 = _mm256_loadu_ps(src + 4 * ld), r5 = _mm256_loadu_ps(src + 5 * ld);
	__m256 r6 = _mm256_loadu_ps(src + 6 * ld), r7 = _mm256_loadu_ps(src + 7 * ld);
	__m256 t0 = _mm256_unpacklo_ps(r0, r1), t1 = _mm256_unpackhi_ps(r0, r1);
	__m256 t2 = _mm256_unpacklo_ps(r2, r3), t3 = _mm256_unpackhi_ps(r2, r3);
	__m256 t4 = _mm256_unpacklo_ps(r4, r5), t5 = _mm256_unpackhi_ps(r4, r5);
	__m256 t6 = _mm256_unpacklo_ps(r6, r7), t7 = _mm256_unpackhi_ps(r6, r7);
	__m256 s0 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(1, 0, 1, 0));
	__m256 s1 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(3, 2, 3, 2));
	__m256 s2 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(1, 0, 1, 0));
	__m256 s3 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(3, 2, 3, 2));
	__m256 s4 = _mm256_shuffle_ps(t4, t6, _MM_SHUFFLE(1, 0, 1, 0));
	__m256 s5 = _mm256_shuffle_ps(t4, t6, _MM_SHUFFLE(3, 2, 3, 2));
	__m256 s6 = _mm256_shuffle_ps(t5, t7, _MM_SHUFFLE(1, 0, 1, 0));
	__m256 s7 = _mm256_shuffle_ps(t5, t7, _MM_SHUFFLE(3, 2, 3, 2));

	_mm256_storeu_ps(dst, _mm256_permute2f128_ps(s0, s4, 0x20));
	_mm256_storeu_ps(dst + 16, _mm256_permute2f128_ps(s1, s5, 0x20));
	_mm256_storeu_ps(dst + 32, _mm256_permute2f128_ps(s2, s6, 0x20));
	_mm256_storeu_ps(dst + 48, _mm256_permute2f128_ps(s3, s7, 0x20));
	_mm256_storeu_ps(dst + 64, _mm256_permute2f128_ps(s0, s4, 0x31));
	_mm256_storeu_ps(dst + 80, _mm256_permute2f128_ps(s1, s5, 0x31));
	_mm256_storeu_ps(dst + 96, _mm256_permute2f128_ps(s2, s6, 0x31));
	_mm256_storeu_ps(dst + 112, _mm256_permute2f128_ps(s3, s7, 0x31));
}

/*
 * B's columns n0 .. n0 + cnt - 1, rows k0 .. k1 - 1, into t[k - k0][lane];
 * zero lanes past cnt. With TRANS_B, whole 8 x 8 blocks are transposed in
 * registers (a decode step's K cache: most of its time went into the
 * element-by-element copy), the edges element by element; B is read only
 * below k1 either way.
 */
static void dp_attn_pack(const struct dp_matmul *p, uint32_t n0, uint32_t cnt, uint32_t k0,
			 uint32_t k1, float t[][16])
{
	uint32_t k, j, k8 = k0 + (k1 - k0) / 8 * 8;

	if (!p->trans_b) {
		for (k = k0; k < k1; k++)
			vf_store(t[k - k0], dp_attn_loadn(p->b + (size_t)k * p->ldb + n0, cnt));
		return;
	}
	for (j = 0; j < 16; j++) {
		const float *col = p->b + (size_t)(n0 + j) * p->ldb;

		if (j % 8 == 0 && j + 8 <= cnt) {
			for (k = k0; k < k8; k += 8)
				dp_attn_t8x8(col + k, p->ldb, &t[k - k0][j]);
		}
		for (k = j - j % 8 + 8 <= cnt ? k8 : k0; k < k1; k++)
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

/*
 * The same for two tiles side by side (columns n0 and n0 + 16): two
 * independent chains of adds, where one row alone (a decode step) would
 * wait on each add's latency.
 */
DP_AI void dp_attn_row2(const struct dp_matmul *p, uint32_t m, uint32_t n0, uint32_t cnt,
			uint32_t cnt2, uint32_t k0, uint32_t k1, float t[][16], float u[][16])
{
	const float *a = p->a + (size_t)m * p->lda;
	float *y = p->y + (size_t)m * p->ldy + n0;
	vf acc = k0 ? dp_attn_loadn(y, cnt) : vf_zero();
	vf acc2 = k0 ? dp_attn_loadn(y + 16, cnt2) : vf_zero();
	uint32_t k;

	for (k = k0; k < k1; k++) {
		vf ak = vf_set1(a[k]);

		acc = vf_add(acc, vf_mul(ak, vf_load(t[k - k0])));
		acc2 = vf_add(acc2, vf_mul(ak, vf_load(u[k - k0])));
	}
	dp_attn_storen(y, acc, cnt);
	dp_attn_storen(y + 16, acc2, cnt2);
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

/* Scales the finished sums of columns n0 .. n0 + cnt - 1 by alpha. */
static void dp_attn_scale(const struct dp_matmul *p, uint32_t n0, uint32_t cnt)
{
	vf alpha = vf_set1(p->alpha);

	for (uint32_t m = 0; m < p->m; m++) {
		float *y = p->y + (size_t)m * p->ldy + n0;

		dp_attn_storen(y, vf_mul(dp_attn_loadn(y, cnt), alpha), cnt);
	}
}

/* Two tiles of 16 columns at a time (the second may be empty: cnt2 0). */
void DP_K(dp_attn_matmul)(const struct dp_matmul *p)
{
	float t[DP_ATTN_KC][16] __attribute__((aligned(64)));
	float u[DP_ATTN_KC][16] __attribute__((aligned(64)));
	uint32_t kmax = p->causal ? dp_causal_limit(p->k, p->causal_offset, p->m - 1) : p->k;
	uint32_t n0, k0, m;

	for (n0 = 0; n0 < p->n; n0 += 32) {
		uint32_t left = p->n - n0, first = 0;
		uint32_t cnt = left < 16 ? left : 16;
		uint32_t cnt2 = left <= 16 ? 0 : left - 16 < 16 ? left - 16 : 16;

		for (k0 = 0; k0 < kmax; k0 += DP_ATTN_KC) {
			uint32_t k1 = kmax - k0 < DP_ATTN_KC ? kmax : k0 + DP_ATTN_KC;

			dp_attn_pack(p, n0, cnt, k0, k1, t);
			if (cnt2)
				dp_attn_pack(p, n0 + 16, cnt2, k0, k1, u);
			/* Rows whose limit is at or below k0 are complete. */
			while (p->causal && dp_causal_limit(p->k, p->causal_offset, first) <= k0)
				first++;
			for (m = first; m < p->m;) {
				uint32_t lim = p->causal ?
					       dp_causal_limit(p->k, p->causal_offset, m) : p->k;
				uint32_t end = lim < k1 ? lim : k1;

				if (lim >= k1 && p->m - m >= DP_ATTN_ROWS) {
					dp_attn_rows4(p, m, n0, cnt, k0, k1, t);
					if (cnt2)
						dp_attn_rows4(p, m, n0 + 16, cnt2, k0, k1, u);
					m += DP_ATTN_ROWS;
				} else {
					if (cnt2)
						dp_attn_row2(p, m, n0, cnt, cnt2, k0, end, t, u);
					else
						dp_attn_row(p, m, n0, cnt, k0, end, t);
					m++;
				}
			}
		}
		dp_attn_scale(p, n0, cnt);
		if (cnt2)
			dp_attn_scale(p, n0 + 16, cnt2);
	}
}
