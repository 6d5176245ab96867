// SPDX-License-Identifier: MIT
/* Quasar models: the classifier's device program and its run over images. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compress_libaccel.h"
#include "mdl_cls_program.h"
#include "mdl_util.h"

/* The GEMM output a layer hands to the next: FP32 when that one scales it first. */
static uint32_t mdl_cls_out_format(const struct mdl_linset *ls, uint32_t i)
{
	return i + 1 == ls->count || ls->l[i + 1].in_inv ? DRM_QUASAR_FORMAT_FP32 :
							     DRM_QUASAR_FORMAT_BF16;
}

/* Plans layer @i after the tensor @in holding its input; *@out gets its output's id. */
static int mdl_cls_layer(struct mdl_program *p, const struct mdl_linset *ls, uint32_t i,
			 int in, int *out)
{
	const struct mdl_lin *l = &ls->l[i];
	uint32_t ofmt = mdl_cls_out_format(ls, i);
	struct accel_weights w;
	char name[MDL_TENSOR_NAME];
	int x = in, w_id, b_id = -1, ret;

	if (p->t[in].format == DRM_QUASAR_FORMAT_FP32) {
		/* the device's GEMM reads BF16: scale first (AWQ, SmoothQuant), then round */
		if (l->in_inv) {
			int s_id, xs;

			snprintf(name, sizeof(name), "%s.in_inv", l->name);
			s_id = mdl_program_const(p, name, l->in_inv, 1, l->k, false);
			snprintf(name, sizeof(name), "%s.x_scaled", l->name);
			xs = mdl_program_tensor(p, name, MDL_REGION_ACT, DRM_QUASAR_FORMAT_FP32, 0,
						l->k, true);
			if (s_id < 0 || xs < 0)
				return s_id < 0 ? s_id : xs;
			ret = mdl_program_mul(p, (uint32_t)xs, (uint32_t)x, (uint32_t)s_id);
			if (ret)
				return ret;
			x = xs;
		}
		snprintf(name, sizeof(name), "%s.x", l->name);
		in = mdl_program_tensor(p, name, MDL_REGION_ACT, DRM_QUASAR_FORMAT_BF16, 0, l->k,
					true);
		if (in < 0)
			return in;
		ret = mdl_program_convert(p, (uint32_t)in, (uint32_t)x);
		if (ret)
			return ret;
		x = in;
	}
	if (compress_weights_from_qtensor(l->qt, &w))
		return -EINVAL;
	snprintf(name, sizeof(name), "%s.w", l->name);
	w_id = mdl_program_weights(p, name, &w);
	if (w_id < 0)
		return w_id;
	if (l->bias) {
		snprintf(name, sizeof(name), "%s.b", l->name);
		b_id = mdl_program_const(p, name, l->bias, 1, l->n, false);
		if (b_id < 0)
			return b_id;
	}
	snprintf(name, sizeof(name), "%s.y", l->name);
	*out = mdl_program_tensor(p, name, i + 1 == ls->count ? MDL_REGION_OUTPUT : MDL_REGION_ACT,
				  ofmt, 0, l->n, true);
	if (*out < 0)
		return *out;
	return mdl_program_gemm(p, (uint32_t)*out, (uint32_t)x, (uint32_t)w_id, b_id, l->act,
				l->afmt == DP_A_INT8 ? DRM_QUASAR_GEMM_A8 : 0);
}

int mdl_cls_program(const struct mdl_cls *c, const struct mdl_linset *ls, uint32_t batch,
		    struct mdl_program *p, char *err, size_t errlen)
{
	uint32_t i;
	int x, ret;

	if (ls->count != c->layers)
		return mdl_err(err, errlen, -EINVAL, "%u linear layers for a %u-layer classifier",
			       ls->count, c->layers);
	for (i = 0; i < ls->count; i++)
		if (!ls->l[i].qt)
			return mdl_err(err, errlen, -EINVAL,
				       "layer %s is FP32: the device runs packed weights only",
				       ls->l[i].name);
	ret = mdl_program_init(p, batch);
	if (ret)
		return mdl_err(err, errlen, ret, "batch of %u images (1..%u)", batch,
			       DRM_QUASAR_DIM_MAX);
	x = mdl_program_tensor(p, "pixels", MDL_REGION_INPUT, DRM_QUASAR_FORMAT_FP32, 0,
			       c->dims[0], true);
	ret = x < 0 ? x : 0;
	p->input = x;
	for (i = 0; i < ls->count && !ret; i++)
		ret = mdl_cls_layer(p, ls, i, x, &x);
	p->output = x;
	if (ret) {
		mdl_program_free(p);
		return mdl_err(err, errlen, ret, "planning layer %s: %s",
			       ls->l[i ? i - 1 : 0].name, strerror(-ret));
	}
	return 0;
}

int mdl_cls_device_run(struct mdl_loaded *l, const struct mdl_images *im, uint32_t limit,
		       struct mdl_dev_figures *f, float *logits, char *err, size_t errlen)
{
	const uint32_t batch = l->p->batch, classes = l->p->t[l->p->output].cols;
	uint32_t n = limit && limit < im->n ? limit : im->n, i0, i;
	float *x, *y;
	int ret = 0;

	if (classes != MDL_FMNIST_CLASSES || l->p->t[l->p->input].cols != MDL_FMNIST_PIXELS)
		return mdl_err(err, errlen, -EINVAL, "not a Fashion-MNIST classifier's program");
	x = malloc(sizeof(float) * batch * MDL_FMNIST_PIXELS);
	y = malloc(sizeof(float) * batch * classes);
	if (!x || !y) {
		free(x);
		free(y);
		return mdl_err(err, errlen, -ENOMEM, "out of memory");
	}
	f->batch = batch;
	f->items = 0;
	f->correct = 0;
	f->outputs_fnv64 = MDL_FNV64_INIT;
	for (i0 = 0; i0 < n && !ret; i0 += batch) {
		uint32_t rows = n - i0 < batch ? n - i0 : batch;
		struct mdl_job_figures j = { .rows = rows };

		mdl_cls_input(im->pixels + (size_t)i0 * MDL_FMNIST_PIXELS,
			      (size_t)rows * MDL_FMNIST_PIXELS, x);
		ret = mdl_program_run(l, x, rows, y, &j.st, err, errlen);
		if (ret)
			break;
		j.outputs_fnv64 = mdl_fnv64(MDL_FNV64_INIT, y, sizeof(float) * rows * classes);
		f->outputs_fnv64 = mdl_fnv64(f->outputs_fnv64, y, sizeof(float) * rows * classes);
		for (i = 0; i < rows; i++)
			f->correct += mdl_cls_top1(y + (size_t)i * classes) == im->labels[i0 + i];
		f->items += rows;
		if (logits)
			memcpy(logits + (size_t)i0 * classes, y, sizeof(float) * rows * classes);
		ret = mdl_dev_figures_add_job(f, &j);
		if (ret)
			mdl_err(err, errlen, ret, "out of memory");
	}
	free(x);
	free(y);
	return ret;
}
