// SPDX-License-Identifier: MIT
/*
 * The linear algebra under GPTQ and SparseGPT (Cholesky, triangular
 * inverse, the upper factor of H^-1) and the calibration statistics.
 */
#include <errno.h>

#include "kselftest_harness.h"
#include "cmp_layer.h"
#include "compress_algo_priv.h"
#include "compress_linalg.h"

TEST(cholesky_of_a_known_spd_matrix_is_exact)
{
	/* the textbook example: every entry of L is a small integer */
	double a[9] = { 4, 12, -16, 12, 37, -43, -16, -43, 98 };
	const double l[9] = { 2, 0, 0, 6, 1, 0, -8, 5, 3 };
	int i;

	ASSERT_EQ(0, compress_linalg_chol(a, 3));
	for (i = 0; i < 9; i++)
		EXPECT_EQ(l[i], a[i]) TH_LOG("L[%d][%d]", i / 3, i % 3);
}

TEST(cholesky_rejects_matrices_that_are_not_positive_definite)
{
	double indef[4] = { 1, 2, 2, 1 };	/* eigenvalues 3 and -1 */
	double singular[9] = { 1, 1, 0, 1, 1, 0, 0, 0, 1 };
	double nan[4] = { 1, 0, 0, NAN };

	EXPECT_EQ(-EDOM, compress_linalg_chol(indef, 2));
	EXPECT_EQ(-EDOM, compress_linalg_chol(singular, 3));
	EXPECT_EQ(-EDOM, compress_linalg_chol(nan, 2));
}

/* B B^T + I for a seeded B: SPD with a spread of eigenvalues. */
static double *cmp_spd(uint32_t n, uint32_t seed)
{
	struct dpt_rng r = { seed };
	double *b = malloc(sizeof(double) * n * n), *a = calloc((size_t)n * n, sizeof(double));
	uint32_t i, j, p;

	for (i = 0; i < n * n; i++)
		b[i] = cmp_gauss(&r);
	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++) {
			for (p = 0; p < n; p++)
				a[(size_t)i * n + j] += b[(size_t)i * n + p] * b[(size_t)j * n + p];
			if (i == j)
				a[(size_t)i * n + j] += 1.0;
		}
	free(b);
	return a;
}

TEST(triangular_inverse_times_the_matrix_is_the_identity)
{
	uint32_t n = 48, i, j, p;
	double *a = cmp_spd(n, dpt_seed()), *l = malloc(sizeof(double) * n * n);

	ASSERT_EQ(0, compress_linalg_chol(a, n));
	memcpy(l, a, sizeof(double) * n * n);
	ASSERT_EQ(0, compress_linalg_trinv_lower(l, n));
	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++) {
			double s = 0.0;

			for (p = 0; p < n; p++)
				s += l[(size_t)i * n + p] * a[(size_t)p * n + j];
			ASSERT_LT(fabs(s - (i == j)), 1e-10) TH_LOG("(L^-1 L)[%u][%u] = %g", i, j, s);
		}
	free(a);
	free(l);
}

TEST(upper_factor_of_the_inverse_satisfies_ut_u_h_equals_identity)
{
	uint32_t n = 64, i, j, p;
	double *h = cmp_spd(n, dpt_seed() + 1), *u = malloc(sizeof(double) * n * n);
	double *t = calloc((size_t)n * n, sizeof(double));

	memcpy(u, h, sizeof(double) * n * n);
	ASSERT_EQ(0, compress_linalg_inv_chol_upper(u, n));
	for (i = 0; i < n; i++)
		for (j = 0; j < i; j++)
			ASSERT_EQ(0.0, u[(size_t)i * n + j]) TH_LOG("U[%u][%u] below the diagonal", i, j);
	/* t = U^T U, then t * H must be I */
	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++)
			for (p = 0; p < n; p++)
				t[(size_t)i * n + j] += u[(size_t)p * n + i] * u[(size_t)p * n + j];
	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++) {
			double s = 0.0;

			for (p = 0; p < n; p++)
				s += t[(size_t)i * n + p] * h[(size_t)p * n + j];
			ASSERT_LT(fabs(s - (i == j)), 1e-9) TH_LOG("(U^T U H)[%u][%u] = %g", i, j, s);
		}
	free(h);
	free(u);
	free(t);
}

TEST(calibration_statistics_match_their_definitions_and_ignore_batching)
{
	uint32_t k = 37, m = 100, i, j, p;
	struct compress_calib *a, *b;
	struct cmp_layer l;
	double *h;

	ASSERT_EQ(0, cmp_layer_make(&l, 1, k, m, 1, 2, dpt_seed()));
	ASSERT_EQ(0, compress_calib_new(k, &a));
	ASSERT_EQ(0, compress_calib_add(a, l.xc, m, k));
	ASSERT_EQ(0, compress_calib_new(k, &b));
	for (i = 0; i < m; i += 33)
		ASSERT_EQ(0, compress_calib_add(b, l.xc + (size_t)i * k, m - i < 33 ? m - i : 33,
						k));
	ASSERT_EQ(0, memcmp(a->gram, b->gram, sizeof(double) * k * k));
	ASSERT_EQ(0, memcmp(a->abs_sum, b->abs_sum, sizeof(double) * k));
	ASSERT_EQ(0, memcmp(a->abs_max, b->abs_max, sizeof(float) * k));
	ASSERT_EQ(0, compress_calib_hessian(a, &h));
	for (i = 0; i < k; i++) {
		double mx = 0.0;

		for (j = 0; j < k; j++) {
			double s = 0.0;

			for (p = 0; p < m; p++)
				s += (double)l.xc[(size_t)p * k + i] * l.xc[(size_t)p * k + j];
			ASSERT_LT(fabs(h[(size_t)i * k + j] - 2.0 * s / m), 1e-9 * (1.0 + fabs(s)));
		}
		for (p = 0; p < m; p++)
			mx = fmax(mx, fabs(l.xc[(size_t)p * k + i]));
		ASSERT_EQ((float)mx, a->abs_max[i]);
	}
	free(h);
	compress_calib_free(a);
	compress_calib_free(b);
	cmp_layer_free(&l);
}

TEST(calibration_rejects_bad_batches_without_counting_them)
{
	float x[2 * 4] = { 1, 2, 3, 4, 5, 6, INFINITY, 8 };
	struct compress_calib *c;

	EXPECT_EQ(-EINVAL, compress_calib_new(0, &c));
	ASSERT_EQ(0, compress_calib_new(4, &c));
	EXPECT_EQ(-EINVAL, compress_calib_add(c, x, 2, 4));
	EXPECT_EQ(0u, compress_calib_rows(c));
	EXPECT_EQ(0.0, c->gram[0]);
	EXPECT_EQ(-EINVAL, compress_calib_add(c, x, 1, 3));	/* stride below k */
	EXPECT_EQ(0, compress_calib_add(c, x, 1, 4));
	EXPECT_EQ(1u, compress_calib_rows(c));
	compress_calib_free(c);
}

TEST_HARNESS_MAIN
