// SPDX-License-Identifier: MIT
/* Quasar models: classifier metrics (top-1, agreement with FP32). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mdl_eval.h"

#define MDL_CLS_BATCH 1000	/* images per forward call */

int mdl_cls_evaluate(struct mdl_exec *ex, const struct mdl_cls *c, const struct mdl_linset *ls,
		     const struct mdl_images *im, uint32_t limit, const uint8_t *ref_pred,
		     uint8_t *pred, struct mdl_cls_figures *f)
{
	uint32_t n = limit && limit < im->n ? limit : im->n, i0, i;
	uint32_t correct = 0, agree = 0;
	float *logits;
	int ret = 0;

	memset(f, 0, sizeof(*f));
	if (n == 0)
		return -EINVAL;
	logits = malloc(sizeof(float) * MDL_CLS_BATCH * MDL_FMNIST_CLASSES);
	if (!logits)
		return -ENOMEM;
	for (i0 = 0; i0 < n && !ret; i0 += MDL_CLS_BATCH) {
		uint32_t cnt = n - i0 < MDL_CLS_BATCH ? n - i0 : MDL_CLS_BATCH;

		ret = mdl_cls_forward(ex, ls, c, im->pixels + (size_t)i0 * MDL_FMNIST_PIXELS, cnt,
				      logits);
		for (i = 0; i < cnt && !ret; i++) {
			uint32_t best = mdl_cls_top1(logits + (size_t)i * MDL_FMNIST_CLASSES);

			correct += best == im->labels[i0 + i];
			if (ref_pred)
				agree += best == ref_pred[i0 + i];
			if (pred)
				pred[i0 + i] = (uint8_t)best;
		}
	}
	free(logits);
	if (ret)
		return ret;
	f->n = n;
	f->top1 = (double)correct / n;
	f->agree = ref_pred ? (double)agree / n : 1;
	return 0;
}
