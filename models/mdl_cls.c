// SPDX-License-Identifier: MIT
/* Quasar models: the MLP classifier, its checkpoint and its forward pass. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mdl_cls.h"
#include "mdl_data.h"
#include "mdl_util.h"

int mdl_cls_alloc(uint32_t layers, const uint32_t *dims, struct mdl_cls **out, char *err,
		  size_t errlen)
{
	struct mdl_cls *c;
	size_t n = 0;
	float *p;
	uint32_t i;

	*out = NULL;
	if (layers == 0 || layers > MDL_CLS_LAYERS_MAX)
		return mdl_err(err, errlen, -EINVAL, "%u layers (1..%u)", layers,
			       MDL_CLS_LAYERS_MAX);
	for (i = 0; i <= layers; i++)
		if (dims[i] == 0 || dims[i] > MDL_CLS_DIM_MAX)
			return mdl_err(err, errlen, -EINVAL, "width %u of layer %u out of range",
				       dims[i], i);
	if (dims[0] != MDL_FMNIST_PIXELS || dims[layers] != MDL_FMNIST_CLASSES)
		return mdl_err(err, errlen, -EINVAL, "input %u / output %u, expected 784 / 10",
			       dims[0], dims[layers]);
	for (i = 0; i < layers; i++)
		n += (size_t)dims[i + 1] * dims[i] + dims[i + 1];
	c = calloc(1, sizeof(*c));
	if (!c || !(c->params = calloc(n, sizeof(float)))) {
		free(c);
		return mdl_err(err, errlen, -ENOMEM, "out of memory");
	}
	c->layers = layers;
	memcpy(c->dims, dims, sizeof(uint32_t) * (layers + 1));
	c->n_params = n;
	for (p = c->params, i = 0; i < layers; i++) {
		c->w[i] = p;
		p += (size_t)dims[i + 1] * dims[i];
		c->b[i] = p;
		p += dims[i + 1];
	}
	*out = c;
	return 0;
}

void mdl_cls_free(struct mdl_cls *c)
{
	if (!c)
		return;
	free(c->params);
	free(c);
}

int mdl_cls_sniff(const char *path)
{
	uint32_t magic = 0;
	FILE *f = fopen(path, "rb");
	int yes;

	if (!f)
		return 0;
	yes = fread(&magic, 4, 1, f) == 1 && magic == MDL_CLS_MAGIC;
	fclose(f);
	return yes;
}

int mdl_cls_load(const char *path, struct mdl_cls **out, char *err, size_t errlen)
{
	uint32_t hdr[3], dims[MDL_CLS_LAYERS_MAX + 1];
	struct mdl_cls *c;
	size_t want;
	long size = -1;
	FILE *f;
	int ret;

	*out = NULL;
	f = fopen(path, "rb");
	if (!f)
		return mdl_err(err, errlen, -errno, "%s: %s", path, strerror(errno));
	if (fread(hdr, 4, 3, f) != 3 || hdr[0] != MDL_CLS_MAGIC || hdr[1] != MDL_CLS_VERSION ||
	    hdr[2] == 0 || hdr[2] > MDL_CLS_LAYERS_MAX ||
	    fread(dims, 4, hdr[2] + 1, f) != hdr[2] + 1) {
		fclose(f);
		return mdl_err(err, errlen, -EINVAL,
			       "%s: not a version-1 QCLS checkpoint (bad magic, version or layers)",
			       path);
	}
	ret = mdl_cls_alloc(hdr[2], dims, &c, err, errlen);
	if (ret) {
		char why[200];

		snprintf(why, sizeof(why), "%s", err);
		fclose(f);
		return mdl_err(err, errlen, ret, "%s: %s", path, why);
	}
	want = 4 * (3 + hdr[2] + 1) + c->n_params * sizeof(float);
	if (fseek(f, 0, SEEK_END) || (size = ftell(f)) < 0 ||
	    fseek(f, (long)(4 * (3 + hdr[2] + 1)), SEEK_SET) || (size_t)size != want ||
	    fread(c->params, sizeof(float), c->n_params, f) != c->n_params) {
		fclose(f);
		mdl_cls_free(c);
		return mdl_err(err, errlen, -EINVAL, "%s: %ld bytes, its header needs %zu", path,
			       size, want);
	}
	fclose(f);
	*out = c;
	return 0;
}

int mdl_cls_save(const struct mdl_cls *c, const char *path, char *err, size_t errlen)
{
	uint32_t hdr[3] = { MDL_CLS_MAGIC, MDL_CLS_VERSION, c->layers };
	FILE *f = fopen(path, "wb");
	int ok;

	if (!f)
		return mdl_err(err, errlen, -errno, "%s: %s", path, strerror(errno));
	ok = fwrite(hdr, 4, 3, f) == 3 && fwrite(c->dims, 4, c->layers + 1, f) == c->layers + 1 &&
	     fwrite(c->params, sizeof(float), c->n_params, f) == c->n_params;
	if (fclose(f) || !ok)
		return mdl_err(err, errlen, -EIO, "%s: write failed", path);
	return 0;
}

int mdl_cls_linset(const struct mdl_cls *c, struct mdl_linset *ls)
{
	char name[MDL_LIN_NAME];
	uint32_t i;
	int ret = 0;

	memset(ls, 0, sizeof(*ls));
	for (i = 0; i < c->layers && ret >= 0; i++) {
		snprintf(name, sizeof(name), "fc%u", i);
		ret = mdl_linset_add(ls, name, c->w[i], c->dims[i + 1], c->dims[i], c->b[i],
				     i + 1 < c->layers ? DP_ACT_RELU : DP_ACT_NONE);
	}
	if (ret < 0) {
		mdl_linset_free(ls, 1);
		return ret;
	}
	return 0;
}

void mdl_cls_input(const uint8_t *pixels, size_t n, float *x)
{
	for (size_t j = 0; j < n; j++)
		x[j] = (float)pixels[j] / 255.0f;
}

uint32_t mdl_cls_top1(const float *logits)
{
	uint32_t best = 0;

	for (uint32_t k = 1; k < MDL_FMNIST_CLASSES; k++)
		if (logits[k] > logits[best])
			best = k;
	return best;
}

int mdl_cls_forward(struct mdl_exec *ex, const struct mdl_linset *ls, const struct mdl_cls *c,
		    const uint8_t *pixels, uint32_t count, float *logits)
{
	uint32_t widest = 0, i;
	float *a, *b;
	int ret = 0;

	if (ls->count != c->layers || count == 0)
		return -EINVAL;
	for (i = 0; i < c->layers; i++)
		if (c->dims[i + 1] > widest)
			widest = c->dims[i + 1];
	if (widest < MDL_FMNIST_PIXELS)
		widest = MDL_FMNIST_PIXELS;
	a = mdl_zalloc((size_t)count * widest * sizeof(float));
	b = mdl_zalloc((size_t)count * widest * sizeof(float));
	if (!a || !b) {
		free(a);
		free(b);
		return -ENOMEM;
	}
	mdl_cls_input(pixels, (size_t)count * MDL_FMNIST_PIXELS, a);
	for (i = 0; i < c->layers && !ret; i++) {
		float *t;

		ret = mdl_lin_run(ex, ls, i, a, count, i + 1 < c->layers ? b : logits);
		t = a;
		a = b;
		b = t;
	}
	free(a);
	free(b);
	return ret;
}
