// SPDX-License-Identifier: MIT
/* Quasar models: the device's A8 activation quantization, as fake quant. */
#include <errno.h>
#include <stdlib.h>

#include "dp_gemm.h"
#include "dp_num.h"
#include "mdl_act_fakequant.h"

void mdl_actq_a8_row(const float *x, uint32_t k, float *y, uint16_t *xb, int8_t *q)
{
	float sx;
	uint32_t i;

	for (i = 0; i < k; i++)
		xb[i] = dp_f32_to_bf16(x[i]);
	dp_act_quant_ref(xb, k, q, &sx);
	for (i = 0; i < k; i++)
		y[i] = (float)q[i] * sx;
}

struct mdl_actq_job {
	const float *x;
	float *y;
	uint32_t k;
	int ret;
};

static void mdl_actq_rows(void *ctx, uint32_t r0, uint32_t r1)
{
	struct mdl_actq_job *j = ctx;
	size_t k = j->k;
	uint16_t *xb = malloc(k * (sizeof(uint16_t) + 1));	/* scratch per task */
	uint32_t r;

	if (!xb) {
		__atomic_store_n(&j->ret, -ENOMEM, __ATOMIC_RELAXED);
		return;
	}
	for (r = r0; r < r1; r++)
		mdl_actq_a8_row(j->x + r * k, j->k, j->y + r * k, xb, (int8_t *)(xb + k));
	free(xb);
}

int mdl_actq_a8(struct mdl_pool *pool, const float *x, uint32_t rows, uint32_t k, float *y)
{
	struct mdl_actq_job j = { x, y, k, 0 };

	mdl_par_for(pool, rows, 16, mdl_actq_rows, &j);
	return j.ret;
}
