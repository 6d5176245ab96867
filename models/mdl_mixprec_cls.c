// SPDX-License-Identifier: MIT
/* Quasar models: the classifier's measurements for mixed precision (mdl_mixprec_cls.h). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mdl_backend.h"
#include "mdl_cls_program.h"
#include "mdl_mixprec_cls.h"
#include "mdl_util.h"

#define MDL_MIX_CLS_BATCH 1000u	/* images per host forward call */

/* log-softmax of 10 logits, in double, into @logp. */
static void mdl_mix_cls_logp(const float *logits, double *logp)
{
	double mx = logits[0], s = 0;
	uint32_t k;

	for (k = 1; k < MDL_FMNIST_CLASSES; k++)
		mx = fmax(mx, logits[k]);
	for (k = 0; k < MDL_FMNIST_CLASSES; k++)
		s += exp(logits[k] - mx);
	for (k = 0; k < MDL_FMNIST_CLASSES; k++)
		logp[k] = logits[k] - mx - log(s);
}

/* KL(ref || q) of one image: @ref log-probabilities, @logits q's. */
static double mdl_mix_cls_kl(const float *ref, const float *logits)
{
	double q[MDL_FMNIST_CLASSES], kl = 0;

	mdl_mix_cls_logp(logits, q);
	for (uint32_t k = 0; k < MDL_FMNIST_CLASSES; k++)
		kl += exp(ref[k]) * (ref[k] - q[k]);
	return kl;
}

/* Host linear path logits of every image of @im. */
static int mdl_mix_cls_host(struct mdl_exec *ex, const struct mdl_cls *c,
			    const struct mdl_linset *ls, const struct mdl_images *im, float *logits)
{
	int ret = 0;

	for (uint32_t i0 = 0; i0 < im->n && !ret; i0 += MDL_MIX_CLS_BATCH) {
		uint32_t cnt = im->n - i0 < MDL_MIX_CLS_BATCH ? im->n - i0 : MDL_MIX_CLS_BATCH;

		ret = mdl_cls_forward(ex, ls, c, im->pixels + (size_t)i0 * MDL_FMNIST_PIXELS, cnt,
				      logits + (size_t)i0 * MDL_FMNIST_CLASSES);
	}
	return ret;
}

/* The FP32 log-probabilities of @n images' logits, in float. */
static void mdl_mix_cls_ref(const float *logits, uint32_t n, float *logp)
{
	double lp[MDL_FMNIST_CLASSES];

	for (uint32_t i = 0; i < n; i++) {
		mdl_mix_cls_logp(logits + (size_t)i * MDL_FMNIST_CLASSES, lp);
		for (uint32_t k = 0; k < MDL_FMNIST_CLASSES; k++)
			logp[(size_t)i * MDL_FMNIST_CLASSES + k] = (float)lp[k];
	}
}

int mdl_mix_cls_init(struct mdl_mix_cls *x, struct mdl_exec *ex, const struct mdl_linset *fp32,
		     char *err, size_t errlen)
{
	uint32_t ns = x->sel->n, nr = x->rep->n, i, wrong = 0, right = 0;
	float *ls = malloc(sizeof(float) * MDL_FMNIST_CLASSES * ns);
	float *lr = malloc(sizeof(float) * MDL_FMNIST_CLASSES * nr);
	int ret;

	x->sel_logp = malloc(sizeof(float) * MDL_FMNIST_CLASSES * ns);
	x->rep_logp = malloc(sizeof(float) * MDL_FMNIST_CLASSES * nr);
	x->rep_pred = malloc(nr);
	x->rep_ok = malloc(sizeof(double) * nr);
	if (!ls || !lr || !x->sel_logp || !x->rep_logp || !x->rep_pred || !x->rep_ok) {
		ret = mdl_err(err, errlen, -ENOMEM, "out of memory");
		goto out;
	}
	ret = mdl_mix_cls_host(ex, x->c, fp32, x->sel, ls);
	if (!ret)
		ret = mdl_mix_cls_host(ex, x->c, fp32, x->rep, lr);
	if (ret) {
		ret = mdl_err(err, errlen, ret, "the FP32 classifier failed (%d)", ret);
		goto out;
	}
	for (i = 0; i < ns; i++)
		wrong += mdl_cls_top1(ls + (size_t)i * MDL_FMNIST_CLASSES) != x->sel->labels[i];
	for (i = 0; i < nr; i++) {
		x->rep_pred[i] = (uint8_t)mdl_cls_top1(lr + (size_t)i * MDL_FMNIST_CLASSES);
		x->rep_ok[i] = x->rep_pred[i] == x->rep->labels[i];
		right += x->rep_pred[i] == x->rep->labels[i];
	}
	x->sel_err = (double)wrong / ns;
	x->rep_top1 = (double)right / nr;
	mdl_mix_cls_ref(ls, ns, x->sel_logp);
	mdl_mix_cls_ref(lr, nr, x->rep_logp);
out:
	free(ls);
	free(lr);
	return ret;
}

void mdl_mix_cls_free(struct mdl_mix_cls *x)
{
	free(x->sel_logp);
	free(x->rep_logp);
	free(x->rep_pred);
	free(x->rep_ok);
	x->sel_logp = x->rep_logp = NULL;
	x->rep_pred = NULL;
	x->rep_ok = NULL;
}

int mdl_mix_cls_sensitivity(const struct mdl_mix_cls *x, struct mdl_exec *ex,
			    const struct mdl_linset *ls, double *derr, double *kl, char *err,
			    size_t errlen)
{
	uint32_t n = x->sel->n, i, wrong = 0;
	float *lg = malloc(sizeof(float) * MDL_FMNIST_CLASSES * n);
	double sum = 0;
	int ret;

	if (!lg)
		return mdl_err(err, errlen, -ENOMEM, "out of memory");
	ret = mdl_mix_cls_host(ex, x->c, ls, x->sel, lg);
	if (ret) {
		free(lg);
		return mdl_err(err, errlen, ret, "the classifier failed (%d)", ret);
	}
	for (i = 0; i < n; i++) {
		const float *y = lg + (size_t)i * MDL_FMNIST_CLASSES;

		wrong += mdl_cls_top1(y) != x->sel->labels[i];
		sum += mdl_mix_cls_kl(x->sel_logp + (size_t)i * MDL_FMNIST_CLASSES, y);
	}
	free(lg);
	*derr = (double)wrong / n - x->sel_err;
	*kl = sum / n;
	return 0;
}

/*
 * @ls's program on fwrun over the first @n images of @im: the figures, and
 * the logits when @logits is not NULL.
 */
static int mdl_mix_cls_fwrun(const struct mdl_cls *c, const struct mdl_linset *ls,
			     const struct mdl_images *im, uint32_t n, uint32_t batch,
			     struct mdl_mix_cost *cost, float *logits, char *err, size_t errlen)
{
	struct mdl_dev_figures fig = { 0 };
	struct mdl_backend *b = NULL;
	struct mdl_program p = { 0 };
	struct mdl_loaded l = { 0 };
	int ret;

	ret = mdl_cls_program(c, ls, batch, &p, err, errlen);
	if (!ret && (ret = mdl_backend_fwrun_create(1, &b)))
		ret = mdl_err(err, errlen, ret, "fwrun: out of memory");
	if (!ret)
		ret = mdl_program_load(&p, b, &l, err, errlen);
	if (!ret)
		ret = mdl_cls_device_run(&l, im, n, &fig, logits, err, errlen);
	if (!ret)
		mdl_dev_figures_per_item(&fig, &cost->cycles, &cost->uj, &cost->dram);
	mdl_dev_figures_free(&fig);
	mdl_program_unload(&l);
	mdl_backend_destroy(b);
	mdl_program_free(&p);
	return ret;
}

int mdl_mix_cls_cost(const struct mdl_mix_cls *x, const struct mdl_linset *ls,
		     struct mdl_mix_cost *c, char *err, size_t errlen)
{
	uint32_t n = x->cost_images < x->sel->n ? x->cost_images : x->sel->n;

	return mdl_mix_cls_fwrun(x->c, ls, x->sel, n, n, c, NULL, err, errlen);
}

int mdl_mix_cls_evaluate(const struct mdl_mix_cls *x, const struct mdl_linset *ls,
			 struct mdl_mix_cls_figures *f, double *ok, char *err, size_t errlen)
{
	uint32_t n = x->rep->n, i, right = 0, agree = 0;
	float *lg = malloc(sizeof(float) * MDL_FMNIST_CLASSES * n);
	double kl = 0;
	int ret;

	if (!lg)
		return mdl_err(err, errlen, -ENOMEM, "out of memory");
	ret = mdl_mix_cls_fwrun(x->c, ls, x->rep, n, MDL_CLS_DEVICE_BATCH, &f->cost, lg, err,
				errlen);
	for (i = 0; i < n && !ret; i++) {
		const float *y = lg + (size_t)i * MDL_FMNIST_CLASSES;
		uint32_t top = mdl_cls_top1(y);

		right += top == x->rep->labels[i];
		agree += top == x->rep_pred[i];
		kl += mdl_mix_cls_kl(x->rep_logp + (size_t)i * MDL_FMNIST_CLASSES, y);
		if (ok)
			ok[i] = top == x->rep->labels[i];
	}
	free(lg);
	if (ret)
		return ret;
	f->top1 = (double)right / n;
	f->agree = (double)agree / n;
	f->kl = kl / n;
	return 0;
}
