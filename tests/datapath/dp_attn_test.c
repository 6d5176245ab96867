// SPDX-License-Identifier: MIT
/*
 * Quasar datapath: attention's operations (docs/numerics.md section 6.1).
 * The golden matrix product against the specification written out here
 * and worked by hand; the fast kernels bit for bit against the golden
 * model on every instruction set this CPU has, over random shapes (K
 * across the kernels' packing tiles, N across 16-lane blocks), both B
 * layouts, causal limits from 1 to past K, values of every kind (NaN,
 * Inf, subnormal, zero); and what lies past a causal limit never changes
 * a result. Seed: DP_TEST_SEED (printed).
 */
#include "kselftest_harness.h"
#include "dp_case.h"
#include "dp_attn.h"
#include "dp_isa.h"
#include "dp_ops.h"

#define DPA_CASES	1500
#define DPA_MMAX	13
#define DPA_NMAX	70
#define DPA_KMAX	200
#define DPA_PAD		5	/* extra elements per row: strides past the extents */

/* Operands with room for any case, and the row strides of this case. */
struct dpa_case {
	float a[DPA_MMAX * (DPA_KMAX + DPA_PAD)];
	float b[DPA_KMAX * (DPA_NMAX + DPA_PAD) + DPA_NMAX * (DPA_KMAX + DPA_PAD)];
	struct dp_matmul p;
};

/* The specification, as docs/numerics.md writes it. */
static void dpa_spec(const struct dp_matmul *p, float *y)
{
	for (uint32_t m = 0; m < p->m; m++) {
		uint64_t want = p->causal ? (uint64_t)p->causal_offset + m + 1 : p->k;
		uint32_t lim = want < p->k ? (uint32_t)want : p->k;

		for (uint32_t n = 0; n < p->n; n++) {
			float s = 0.0f;

			for (uint32_t k = 0; k < lim; k++) {
				float b = p->trans_b ? p->b[(size_t)n * p->ldb + k] :
						       p->b[(size_t)k * p->ldb + n];
				float prod = p->a[(size_t)m * p->lda + k] * b;

				s = s + prod;
			}
			y[(size_t)m * p->ldy + n] = s * p->alpha;
		}
	}
}

static uint32_t dpa_dim(struct dpt_rng *r, uint32_t max)
{
	switch (dpt_below(r, 4)) {
	case 0:
		return 1 + dpt_below(r, 3);
	case 1:
		return max - dpt_below(r, 3);
	default:
		return 1 + dpt_below(r, max);
	}
}

static uint32_t dpa_offset(struct dpt_rng *r, uint32_t k)
{
	switch (dpt_below(r, 5)) {
	case 0:
		return 0;
	case 1:
		return dpt_below(r, k);
	case 2:
		return k + dpt_below(r, 4);
	case 3:
		return UINT32_MAX - dpt_below(r, 2);
	default:
		return dpt_below(r, k + 8);
	}
}

static void dpa_make(struct dpt_rng *r, struct dpa_case *c)
{
	struct dp_matmul *p = &c->p;
	uint32_t kind = dpt_below(r, 5), rows, cols;

	p->m = dpa_dim(r, DPA_MMAX);
	p->n = dpa_dim(r, DPA_NMAX);
	p->k = dpa_dim(r, DPA_KMAX);
	p->trans_b = dpt_below(r, 2);
	p->causal = dpt_below(r, 2);
	p->causal_offset = p->causal ? dpa_offset(r, p->k) : 0;
	p->lda = p->k + dpt_below(r, DPA_PAD + 1);
	p->ldb = (p->trans_b ? p->k : p->n) + dpt_below(r, DPA_PAD + 1);
	p->ldy = p->n + dpt_below(r, DPA_PAD + 1);
	p->alpha = dpt_below(r, 3) ? dpt_unif(r, 2.0f) : dpt_act_value(r, dpt_below(r, 4));
	p->a = c->a;
	p->b = c->b;
	rows = p->trans_b ? p->n : p->k;
	cols = p->ldb;
	for (uint32_t i = 0; i < p->m * p->lda; i++)
		c->a[i] = dpt_act_value(r, kind == 4 ? dpt_below(r, 4) : kind);
	for (uint32_t i = 0; i < rows * cols; i++)
		c->b[i] = dpt_act_value(r, kind == 4 ? dpt_below(r, 4) : kind);
}

/* Runs @isa into @y (sentinel-filled) and compares it with @want; 1 when compared. */
static int dpa_compare(struct __test_metadata *_metadata, const struct dp_matmul *p, uint32_t isa,
		       const float *want, const char *what)
{
	static float y[DPA_MMAX * (DPA_NMAX + DPA_PAD) + 16];
	struct dp_matmul q = *p;
	size_t total = (size_t)(p->m - 1) * p->ldy + p->n;

	for (size_t i = 0; i < sizeof(y) / sizeof(y[0]); i++)
		y[i] = dp_u2f(0xa5a5a5a5u);
	q.y = y;
	EXPECT_EQ(0, dp_matmul_fast(&q, isa));
	for (uint32_t m = 0; m < p->m; m++)
		for (uint32_t n = 0; n < p->ldy && (size_t)m * p->ldy + n < total; n++) {
			size_t i = (size_t)m * p->ldy + n;

			if (n >= p->n) {
				/* Holes between rows are not written. */
				if (dp_f2u(y[i]) != 0xa5a5a5a5u) {
					TH_LOG("%s isa %s: wrote the hole at %zu", what,
					       dp_isa_name(isa), i);
					EXPECT_TRUE(0);
					return 1;
				}
				continue;
			}
			if (!dpt_f32_same(y[i], want[i])) {
				TH_LOG("%s isa %s: M %u N %u K %u trans %d causal %d offset %u: "
				       "y[%u][%u] golden 0x%08x fast 0x%08x", what, dp_isa_name(isa),
				       p->m, p->n, p->k, p->trans_b, p->causal, p->causal_offset, m,
				       n, dp_f2u(want[i]), dp_f2u(y[i]));
				EXPECT_TRUE(0);
				return 1;
			}
		}
	EXPECT_EQ(0xa5a5a5a5u, dp_f2u(y[total]));
	return 1;
}

/* The golden model into @want, then every ISA against it; returns comparisons. */
static uint32_t dpa_all(struct __test_metadata *_metadata, const struct dp_matmul *p,
			const char *what)
{
	static float want[DPA_MMAX * (DPA_NMAX + DPA_PAD) + 16];
	struct dp_matmul g = *p;
	uint32_t n = 0;

	g.y = want;
	EXPECT_EQ(0, dp_matmul_ref(&g));
	for (uint32_t isa = DP_ISA_AVX2; isa < DP_ISA_COUNT; isa++)
		if (dp_isa_ok(isa))
			n += dpa_compare(_metadata, p, isa, want, what);
	return n;
}

TEST(matmul_golden_is_the_written_spec)
{
	static struct dpa_case c;
	static float want[DPA_MMAX * (DPA_NMAX + DPA_PAD)], got[DPA_MMAX * (DPA_NMAX + DPA_PAD)];
	struct dpt_rng r = { dpt_seed() ^ 0x0a77u };

	for (int i = 0; i < 300; i++) {
		dpa_make(&r, &c);
		c.p.y = got;
		dpa_spec(&c.p, want);
		ASSERT_EQ(0, dp_matmul_ref(&c.p));
		for (uint32_t m = 0; m < c.p.m; m++)
			for (uint32_t n = 0; n < c.p.n; n++) {
				size_t at = (size_t)m * c.p.ldy + n;

				ASSERT_TRUE(dpt_f32_same(want[at], got[at]))
					TH_LOG("case %d y[%u][%u]", i, m, n);
			}
	}
}

/* Worked by hand: small integers, every sum exact. */
TEST(matmul_worked_example)
{
	const float a[2 * 3] = { 1, 2, 3, 4, 5, 6 };
	const float b[3 * 2] = { 7, 8, 9, 10, 11, 12 };	/* K x N */
	const float bt[2 * 3] = { 7, 9, 11, 8, 10, 12 };	/* the same, N x K */
	float y[4];
	struct dp_matmul p = { .a = a, .b = b, .y = y, .m = 2, .n = 2, .k = 3, .lda = 3,
			       .ldb = 2, .ldy = 2, .alpha = 0.5f };

	ASSERT_EQ(0, dp_matmul_ref(&p));
	EXPECT_EQ(29.0f, y[0]);		/* (7 + 18 + 33) / 2 */
	EXPECT_EQ(32.0f, y[1]);		/* (8 + 20 + 36) / 2 */
	EXPECT_EQ(69.5f, y[2]);		/* (28 + 45 + 66) / 2 */
	EXPECT_EQ(77.0f, y[3]);		/* (32 + 50 + 72) / 2 */
	p.b = bt;
	p.ldb = 3;
	p.trans_b = true;
	p.causal = true;	/* offset 0: row 0 sums k < 1, row 1 k < 2 */
	ASSERT_EQ(0, dp_matmul_ref(&p));
	EXPECT_EQ(3.5f, y[0]);
	EXPECT_EQ(4.0f, y[1]);
	EXPECT_EQ(36.5f, y[2]);		/* (28 + 45) / 2 */
	EXPECT_EQ(41.0f, y[3]);		/* (32 + 50) / 2 */
}

TEST(fast_matmul_matches_golden)
{
	static struct dpa_case c;
	uint32_t seed = dpt_seed() ^ 0x3a77u, n = 0;
	struct dpt_rng r = { seed };
	char what[32];

	TH_LOG("seed 0x%08x", seed);
	for (int i = 0; i < DPA_CASES; i++) {
		dpa_make(&r, &c);
		snprintf(what, sizeof(what), "case %d", i);
		n += dpa_all(_metadata, &c.p, what);
	}
	if (!n)
		SKIP(return, "no SIMD instruction set on this CPU");
	TH_LOG("%u case/isa comparisons bit-exact", n);
}

/* K = 1, and N and M on either side of the kernels' blocks. */
TEST(fast_matmul_small_and_block_edge_shapes)
{
	static struct dpa_case c;
	static const uint32_t ns[] = { 1, 15, 16, 17, 33 }, ms[] = { 1, 3, 4, 5, 9 };
	static const uint32_t ks[] = { 1, 2, 63, 64, 65, 129 };
	struct dpt_rng r = { 0x1234 };
	uint32_t n = 0;

	for (uint32_t i = 0; i < sizeof(c.a) / sizeof(c.a[0]); i++)
		c.a[i] = dpt_unif(&r, 2.0f);
	for (uint32_t i = 0; i < sizeof(c.b) / sizeof(c.b[0]); i++)
		c.b[i] = dpt_unif(&r, 2.0f);
	for (uint32_t t = 0; t < 2; t++)
		for (uint32_t ki = 0; ki < 6; ki++)
			for (uint32_t ni = 0; ni < 5; ni++)
				for (uint32_t mi = 0; mi < 5; mi++) {
					c.p = (struct dp_matmul){
						.a = c.a, .b = c.b, .m = ms[mi], .n = ns[ni],
						.k = ks[ki], .lda = ks[ki],
						.ldb = t ? ks[ki] : ns[ni], .ldy = ns[ni],
						.alpha = 1.0f, .trans_b = t, .causal = mi % 2,
						.causal_offset = ki,
					};
					n += dpa_all(_metadata, &c.p, "edge shape");
				}
	if (!n)
		SKIP(return, "no SIMD instruction set on this CPU");
}

/*
 * NaN and Inf past the causal limit (a stale KV cache) change nothing;
 * inside it they propagate as IEEE says.
 */
TEST(matmul_reads_nothing_past_the_causal_limit)
{
	static float a[6 * 40], b[40 * 24], y0[6 * 24], y1[6 * 24];
	const float nan = __builtin_nanf(""), inf = __builtin_inff();
	struct dpt_rng r = { 77 };

	for (uint32_t t = 0; t < 2; t++) {
		for (uint32_t isa = DP_ISA_SCALAR; isa < DP_ISA_COUNT; isa++) {
			/* Rows m see k < 3 + m + 1: 4 .. 9 of 40. */
			struct dp_matmul p = { .a = a, .b = b, .m = 6, .n = 24, .k = 40, .lda = 40,
					       .ldb = t ? 40 : 24, .ldy = 24, .alpha = 0.125f,
					       .trans_b = t, .causal = true, .causal_offset = 3 };

			if (!dp_isa_ok(isa))
				continue;
			for (uint32_t i = 0; i < 6 * 40; i++)
				a[i] = dpt_unif(&r, 2.0f);
			for (uint32_t i = 0; i < 40 * 24; i++)
				b[i] = dpt_unif(&r, 2.0f);
			p.y = y0;
			ASSERT_EQ(0, dp_matmul_fast(&p, isa));
			for (uint32_t m = 0; m < 6; m++)
				for (uint32_t k = 3 + m + 1; k < 40; k++)
					a[m * 40 + k] = k % 2 ? nan : inf;
			for (uint32_t k = 9; k < 40; k++)
				for (uint32_t n = 0; n < 24; n++)
					b[t ? n * 40 + k : k * 24 + n] = (k + n) % 3 ? nan : -inf;
			p.y = y1;
			ASSERT_EQ(0, dp_matmul_fast(&p, isa));
			EXPECT_EQ(0, memcmp(y0, y1, sizeof(y0)))
				TH_LOG("isa %s trans %u", dp_isa_name(isa), t);
			/* Inside the limit: Inf * 0 in row 2 makes its row NaN. */
			a[2 * 40 + 1] = inf;
			for (uint32_t n = 0; n < 24; n++)
				b[t ? n * 40 + 1 : 24 + n] = n == 5 ? 0.0f : 1.0f;
			ASSERT_EQ(0, dp_matmul_fast(&p, isa));
			EXPECT_TRUE(y1[2 * 24 + 5] != y1[2 * 24 + 5]);
			EXPECT_EQ(inf, y1[2 * 24 + 4]);
		}
	}
}

TEST(fast_matmul_nan_and_inf_terms_match_golden)
{
	static struct dpa_case c;
	const float v[] = { __builtin_nanf(""), __builtin_inff(), -__builtin_inff(), 0.0f, -0.0f,
			    3e38f, 1e-45f };
	uint32_t n = 0;

	for (uint32_t i = 0; i < 7 * 7; i++) {
		c.a[i % 7] = v[i % 7];
		c.b[i] = v[(i / 7 + i) % 7];
	}
	for (uint32_t k = 1; k <= 7; k++)
		for (uint32_t t = 0; t < 2; t++) {
			c.p = (struct dp_matmul){ .a = c.a, .b = c.b, .m = 1, .n = 7, .k = k,
						  .lda = 7, .ldb = 7, .ldy = 7,
						  .alpha = k % 2 ? -1.0f : 0.5f, .trans_b = t };
			n += dpa_all(_metadata, &c.p, "special values");
		}
	if (!n)
		SKIP(return, "no SIMD instruction set on this CPU");
}

TEST(matmul_refuses_bad_arguments)
{
	float a[4] = { 0 }, b[4] = { 0 }, y[4];
	const struct dp_matmul ok = { .a = a, .b = b, .y = y, .m = 2, .n = 2, .k = 2, .lda = 2,
				      .ldb = 2, .ldy = 2, .alpha = 1.0f };
	struct dp_matmul bad[7];

	for (int i = 0; i < 7; i++)
		bad[i] = ok;
	bad[0].a = NULL;
	bad[1].m = 0;
	bad[2].k = DP_DIM_MAX + 1;
	bad[3].lda = 1;
	bad[4].ldy = 1;
	bad[5].ldb = 1;
	bad[6].trans_b = true;
	bad[6].k = 3;
	bad[6].lda = 3;
	for (uint32_t isa = DP_ISA_SCALAR; isa < DP_ISA_COUNT; isa++) {
		if (!dp_isa_ok(isa))
			continue;
		EXPECT_EQ(0, dp_matmul_fast(&ok, isa));
		for (int i = 0; i < 7; i++) {
			EXPECT_EQ(DP_EINVAL, dp_matmul_fast(&bad[i], isa)) TH_LOG("bad %d", i);
		}
	}
	EXPECT_EQ(DP_EINVAL, dp_matmul_fast(&ok, DP_ISA_COUNT));
}

/* Softmax over the first limit elements, +0 after, whatever lies there. */
TEST(causal_softmax_is_the_row_softmax_of_the_prefix)
{
	static float x[300], y0[300], y1[300], pre[300];
	uint32_t seed = dpt_seed() ^ 0x50f7u;
	struct dpt_rng r = { seed };

	for (int i = 0; i < 400; i++) {
		uint32_t d = 1 + dpt_below(&r, 300), lim = 1 + dpt_below(&r, d), kind = dpt_below(&r, 4);

		if (i % 4 == 0)
			lim = d;
		for (uint32_t j = 0; j < d; j++)
			x[j] = j < lim ? dpt_act_value(&r, kind == 3 ? 0 : kind) :
					 (j % 2 ? __builtin_nanf("") : __builtin_inff());
		ASSERT_EQ(0, dp_softmax_ref(x, lim, pre));
		ASSERT_EQ(0, dp_softmax_causal_ref(x, d, lim, y0));
		EXPECT_EQ(0, memcmp(pre, y0, lim * sizeof(float)));
		for (uint32_t j = lim; j < d; j++) {
			ASSERT_EQ(0u, dp_f2u(y0[j])) TH_LOG("case %d: y[%u] of %u past %u", i, j, d,
							     lim);
		}
		for (uint32_t isa = DP_ISA_AVX2; isa < DP_ISA_COUNT; isa++) {
			if (!dp_isa_ok(isa))
				continue;
			memset(y1, 0x5a, sizeof(y1));
			ASSERT_EQ(0, dp_softmax_causal_fast(x, d, lim, y1, isa));
			for (uint32_t j = 0; j < d; j++) {
				ASSERT_TRUE(dpt_f32_same(y0[j], y1[j]))
					TH_LOG("case %d isa %s y[%u]", i, dp_isa_name(isa), j);
			}
			EXPECT_EQ(0x5a5a5a5au, dp_f2u(y1[d]));
		}
	}
}

TEST(causal_softmax_refuses_a_limit_of_0_or_past_the_row)
{
	float x[4] = { 0 }, y[4];

	for (uint32_t isa = DP_ISA_SCALAR; isa < DP_ISA_COUNT; isa++) {
		if (!dp_isa_ok(isa))
			continue;
		EXPECT_EQ(DP_EINVAL, dp_softmax_causal_fast(x, 4, 0, y, isa));
		EXPECT_EQ(DP_EINVAL, dp_softmax_causal_fast(x, 4, 5, y, isa));
		EXPECT_EQ(0, dp_softmax_causal_fast(x, 4, 4, y, isa));
	}
	EXPECT_EQ(DP_EINVAL, dp_softmax_causal_ref(x, 4, 0, y));
}

TEST(causal_limit_saturates_at_the_row_length)
{
	EXPECT_EQ(1u, dp_causal_limit(10, 0, 0));
	EXPECT_EQ(10u, dp_causal_limit(10, 9, 0));
	EXPECT_EQ(10u, dp_causal_limit(10, 3, 7));
	EXPECT_EQ(7u, dp_causal_limit(10, 3, 3));
	EXPECT_EQ(10u, dp_causal_limit(10, UINT32_MAX, 65535));
}

TEST_HARNESS_MAIN
