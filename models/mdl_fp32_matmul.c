// SPDX-License-Identifier: MIT
/* Quasar models: blocked FP32 GEMM with a fixed per-output summation order. */
#include <string.h>

#include "mdl_fp32_matmul.h"

/*
 * GCC vector extensions: AVX-512, AVX2 or SSE code from one source, and
 * since each lane is a different output the vector width never changes a
 * result.
 */
typedef float mdl_v16 __attribute__((vector_size(64)));
typedef float mdl_v16u __attribute__((vector_size(64), aligned(4)));

#define MDL_MR 6	/* rows per micro-tile */
#define MDL_NR 32	/* columns per micro-tile (two vectors) */
#define MDL_KC 256	/* k per pass: keeps the B panel (KC x NR) in L1/L2 */

static inline mdl_v16 mdl_ld(const float *p)
{
	return *(const mdl_v16u *)p;
}

static inline void mdl_st(float *p, mdl_v16 v)
{
	*(mdl_v16u *)p = v;
}

/*
 * Full MR x NR tile over kc steps of k; accumulators start from C.
 * A's element (i, k) is a[i * ra + k * ka]: ka = 1 row-major, ra = 1 transposed.
 */
static void mdl_tile_full(uint32_t kc, const float *a, size_t ra, size_t ka, const float *b,
			  size_t ldb, float *c, size_t ldc)
{
	mdl_v16 c00 = mdl_ld(c), c01 = mdl_ld(c + 16);
	mdl_v16 c10 = mdl_ld(c + ldc), c11 = mdl_ld(c + ldc + 16);
	mdl_v16 c20 = mdl_ld(c + 2 * ldc), c21 = mdl_ld(c + 2 * ldc + 16);
	mdl_v16 c30 = mdl_ld(c + 3 * ldc), c31 = mdl_ld(c + 3 * ldc + 16);
	mdl_v16 c40 = mdl_ld(c + 4 * ldc), c41 = mdl_ld(c + 4 * ldc + 16);
	mdl_v16 c50 = mdl_ld(c + 5 * ldc), c51 = mdl_ld(c + 5 * ldc + 16);
	uint32_t kk;

	for (kk = 0; kk < kc; kk++) {
		mdl_v16 b0 = mdl_ld(b + kk * ldb), b1 = mdl_ld(b + kk * ldb + 16);
		const float *ak = a + kk * ka;
		float a0 = ak[0], a1 = ak[ra], a2 = ak[2 * ra];
		float a3 = ak[3 * ra], a4 = ak[4 * ra], a5 = ak[5 * ra];

		c00 += a0 * b0; c01 += a0 * b1;
		c10 += a1 * b0; c11 += a1 * b1;
		c20 += a2 * b0; c21 += a2 * b1;
		c30 += a3 * b0; c31 += a3 * b1;
		c40 += a4 * b0; c41 += a4 * b1;
		c50 += a5 * b0; c51 += a5 * b1;
	}
	mdl_st(c, c00); mdl_st(c + 16, c01);
	mdl_st(c + ldc, c10); mdl_st(c + ldc + 16, c11);
	mdl_st(c + 2 * ldc, c20); mdl_st(c + 2 * ldc + 16, c21);
	mdl_st(c + 3 * ldc, c30); mdl_st(c + 3 * ldc + 16, c31);
	mdl_st(c + 4 * ldc, c40); mdl_st(c + 4 * ldc + 16, c41);
	mdl_st(c + 5 * ldc, c50); mdl_st(c + 5 * ldc + 16, c51);
}

/* Edge tile of mr <= MR rows and nr <= NR columns, same arithmetic. */
static void mdl_tile_edge(uint32_t mr, uint32_t nr, uint32_t kc, const float *a, size_t ra,
			  size_t ka, const float *b, size_t ldb, float *c, size_t ldc)
{
	uint32_t i, j, kk;

	for (i = 0; i < mr; i++) {
		float *ci = c + i * ldc;
		const float *ai = a + i * ra;

		for (j = 0; j + 16 <= nr; j += 16) {
			mdl_v16 acc = mdl_ld(ci + j);

			for (kk = 0; kk < kc; kk++)
				acc += ai[kk * ka] * mdl_ld(b + kk * ldb + j);
			mdl_st(ci + j, acc);
		}
		for (; j < nr; j++) {
			float acc = ci[j];

			for (kk = 0; kk < kc; kk++)
				acc += ai[kk * ka] * b[kk * ldb + j];
			ci[j] = acc;
		}
	}
}

static void mdl_mm_strided(uint32_t m, uint32_t n, uint32_t k, const float *a, size_t ra,
			   size_t ka, const float *b, size_t ldb, float *c, size_t ldc, bool acc)
{
	uint32_t i, j, k0;

	if (!acc)
		for (i = 0; i < m; i++)
			memset(c + i * ldc, 0, sizeof(float) * n);
	for (k0 = 0; k0 < k; k0 += MDL_KC) {
		uint32_t kc = k - k0 < MDL_KC ? k - k0 : MDL_KC;

		for (j = 0; j < n; j += MDL_NR) {
			uint32_t nr = n - j < MDL_NR ? n - j : MDL_NR;

			for (i = 0; i < m; i += MDL_MR) {
				uint32_t mr = m - i < MDL_MR ? m - i : MDL_MR;
				const float *ap = a + i * ra + k0 * ka;
				const float *bp = b + k0 * ldb + j;
				float *cp = c + i * ldc + j;

				if (mr == MDL_MR && nr == MDL_NR)
					mdl_tile_full(kc, ap, ra, ka, bp, ldb, cp, ldc);
				else
					mdl_tile_edge(mr, nr, kc, ap, ra, ka, bp, ldb, cp, ldc);
			}
		}
	}
}

void mdl_mm(uint32_t m, uint32_t n, uint32_t k, const float *a, size_t lda,
	    const float *b, size_t ldb, float *c, size_t ldc, bool acc)
{
	mdl_mm_strided(m, n, k, a, lda, 1, b, ldb, c, ldc, acc);
}

void mdl_mm_at(uint32_t m, uint32_t n, uint32_t k, const float *a, size_t lda,
	       const float *b, size_t ldb, float *c, size_t ldc, bool acc)
{
	mdl_mm_strided(m, n, k, a, 1, lda, b, ldb, c, ldc, acc);
}

struct mdl_mm_job {
	uint32_t m, n, k;
	const float *a, *b;
	size_t ra, ka, ldb, ldc;
	float *c;
	bool acc;
};

static void mdl_mm_rows(void *ctx, uint32_t i0, uint32_t i1)
{
	const struct mdl_mm_job *j = ctx;

	mdl_mm_strided(i1 - i0, j->n, j->k, j->a + i0 * j->ra, j->ra, j->ka, j->b, j->ldb,
		       j->c + i0 * j->ldc, j->ldc, j->acc);
}

static void mdl_mm_cols(void *ctx, uint32_t j0, uint32_t j1)
{
	const struct mdl_mm_job *j = ctx;

	mdl_mm_strided(j->m, j1 - j0, j->k, j->a, j->ra, j->ka, j->b + j0, j->ldb, j->c + j0,
		       j->ldc, j->acc);
}

static void mdl_mm_par_strided(struct mdl_pool *p, struct mdl_mm_job *j)
{
	uint32_t t = mdl_pool_threads(p);

	if (j->m >= t * 4 * MDL_MR)
		mdl_par_for(p, j->m, MDL_MR, mdl_mm_rows, j);
	else
		mdl_par_for(p, j->n, MDL_NR, mdl_mm_cols, j);
}

void mdl_mm_par(struct mdl_pool *p, uint32_t m, uint32_t n, uint32_t k, const float *a,
		size_t lda, const float *b, size_t ldb, float *c, size_t ldc, bool acc)
{
	struct mdl_mm_job j = { m, n, k, a, b, lda, 1, ldb, ldc, c, acc };

	mdl_mm_par_strided(p, &j);
}

void mdl_mm_at_par(struct mdl_pool *p, uint32_t m, uint32_t n, uint32_t k, const float *a,
		   size_t lda, const float *b, size_t ldb, float *c, size_t ldc, bool acc)
{
	struct mdl_mm_job j = { m, n, k, a, b, 1, lda, ldb, ldc, c, acc };

	mdl_mm_par_strided(p, &j);
}

void mdl_transpose(const float *src, uint32_t rows, uint32_t cols, size_t lds, float *dst,
		   size_t ldd)
{
	uint32_t i0, j0, i, j;

	/* 32 x 32 blocks keep both sides in cache */
	for (i0 = 0; i0 < rows; i0 += 32)
		for (j0 = 0; j0 < cols; j0 += 32)
			for (i = i0; i < rows && i < i0 + 32; i++)
				for (j = j0; j < cols && j < j0 + 32; j++)
					dst[j * ldd + i] = src[i * lds + j];
}
