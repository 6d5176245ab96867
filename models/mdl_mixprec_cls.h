/* SPDX-License-Identifier: MIT */
/*
 * Quasar models: the classifier's measurements for mixed precision
 * (accel-mixprec on a Fashion-MNIST checkpoint; the search and the
 * reports are mdl_mixprec.h's and the program's, shared with the language
 * model).
 *
 *   sensitivity  a layer set's validation error change and mean KL(FP32 ||
 *                it) of the class distributions, host linear path, on the
 *                validation images (training images 50,000-59,999, never
 *                the test images: mdl_data.h)
 *   cost         one job of the device program on the firmware in process
 *                (fwrun) over a batch of validation images: energy, cycles
 *                and DRAM bytes per image
 *   evaluation   the device program on fwrun over every test image: top-1,
 *                agreement with FP32, each image's right/wrong for paired
 *                bootstrap intervals (and the cost per image of those jobs;
 *                accel-mixprec reports the cost job's, which the layer
 *                costs add up to)
 */
#ifndef MDL_MIXPREC_CLS_H
#define MDL_MIXPREC_CLS_H

#include <stddef.h>
#include <stdint.h>

#include "mdl_cls.h"
#include "mdl_data.h"
#include "mdl_linear.h"

/* What a job costs per item (decoded token, image) on the modeled device. */
struct mdl_mix_cost {
	double uj, cycles, dram;
};

struct mdl_mix_cls {
	const struct mdl_cls *c;
	const struct mdl_images *sel, *rep;	/* validation and test images */
	uint32_t cost_images;			/* the cost job's batch */
	/* the FP32 model's (host linear path), from mdl_mix_cls_init() */
	float *sel_logp;			/* [sel->n][10], natural log */
	double sel_err;				/* error rate on sel */
	float *rep_logp;			/* [rep->n][10] */
	uint8_t *rep_pred;			/* predictions on rep */
	double *rep_ok;				/* 1 where right on rep, else 0 */
	double rep_top1;
};

/* The FP32 model's figures on both image sets; free with mdl_mix_cls_free(). */
int mdl_mix_cls_init(struct mdl_mix_cls *x, struct mdl_exec *ex, const struct mdl_linset *fp32,
		     char *err, size_t errlen);
void mdl_mix_cls_free(struct mdl_mix_cls *x);

/* @ls's validation error change from FP32 and its mean KL from FP32 (nats). */
int mdl_mix_cls_sensitivity(const struct mdl_mix_cls *x, struct mdl_exec *ex,
			    const struct mdl_linset *ls, double *derr, double *kl, char *err,
			    size_t errlen);

/* One job of cost_images validation images on fwrun: @c per image. */
int mdl_mix_cls_cost(const struct mdl_mix_cls *x, const struct mdl_linset *ls,
		     struct mdl_mix_cost *c, char *err, size_t errlen);

/* A classifier's figures on the test images with device numerics. */
struct mdl_mix_cls_figures {
	double top1, agree, kl;
	struct mdl_mix_cost cost;	/* per image, over every test image's jobs */
};

/*
 * Every test image through @ls's device program on fwrun (batches of
 * MDL_CLS_DEVICE_BATCH); @ok (rep->n, may be NULL) gets each image's 1 or 0.
 */
int mdl_mix_cls_evaluate(const struct mdl_mix_cls *x, const struct mdl_linset *ls,
			 struct mdl_mix_cls_figures *f, double *ok, char *err, size_t errlen);

#endif /* MDL_MIXPREC_CLS_H */
