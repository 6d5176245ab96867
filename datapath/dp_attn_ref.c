// SPDX-License-Identifier: MIT
/*
 * Quasar datapath golden model: attention's matrix product and causal
 * softmax (docs/numerics.md section 6.1), one value at a time.
 */
#include "dp_attn.h"
#include "dp_ops.h"

int dp_matmul_check(const struct dp_matmul *p)
{
	if (!p || !p->a || !p->b || !p->y)
		return DP_EINVAL;
	if (!p->m || !p->n || !p->k || p->m > DP_DIM_MAX || p->n > DP_DIM_MAX ||
	    p->k > DP_DIM_MAX)
		return DP_EINVAL;
	if (p->lda < p->k || p->ldy < p->n || p->ldb < (p->trans_b ? p->k : p->n))
		return DP_EINVAL;
	return DP_OK;
}

/* Element (k, n) of B. */
static float dp_matmul_b(const struct dp_matmul *p, uint32_t k, uint32_t n)
{
	return p->trans_b ? p->b[(size_t)n * p->ldb + k] : p->b[(size_t)k * p->ldb + n];
}

int dp_matmul_ref(const struct dp_matmul *p)
{
	uint32_t m, n, k, lim;
	int ret = dp_matmul_check(p);

	if (ret)
		return ret;
	for (m = 0; m < p->m; m++) {
		const float *a = p->a + (size_t)m * p->lda;

		lim = p->causal ? dp_causal_limit(p->k, p->causal_offset, m) : p->k;
		for (n = 0; n < p->n; n++) {
			float s = 0.0f;

			for (k = 0; k < lim; k++)
				s = s + a[k] * dp_matmul_b(p, k, n);
			p->y[(size_t)m * p->ldy + n] = s * p->alpha;
		}
	}
	return DP_OK;
}

int dp_softmax_causal_ref(const float *x, uint32_t d, uint32_t limit, float *y)
{
	uint32_t i;
	int ret;

	if (!x || !y || limit == 0 || limit > d)
		return DP_EINVAL;
	ret = dp_softmax_ref(x, limit, y);
	for (i = limit; i < d; i++)
		y[i] = 0.0f;
	return ret;
}
