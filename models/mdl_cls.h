/* SPDX-License-Identifier: MIT */
/*
 * Quasar models: the Fashion-MNIST classifier, a multilayer perceptron.
 *
 * Input: the 28 x 28 image row-major, each pixel / 255. Layers are affine,
 * y = W x + b, with ReLU after every layer but the last; the output is 10
 * class scores.
 *
 * Checkpoint (little-endian): u32 magic 0x534c4351 ("QCLS"), u32 version 1,
 * u32 n_layers, u32 dims[n_layers + 1] (dims[0] = 784, last = 10), then per
 * layer i: float32 W[dims[i+1]][dims[i]] (row = output), float32 b[dims[i+1]].
 * Nothing follows.
 */
#ifndef MDL_CLS_H
#define MDL_CLS_H

#include <stddef.h>
#include <stdint.h>

#include "mdl_linear.h"

#define MDL_CLS_MAGIC		0x534c4351u
#define MDL_CLS_VERSION		1u
#define MDL_CLS_LAYERS_MAX	8u
#define MDL_CLS_DIM_MAX		65536u

struct mdl_cls {
	uint32_t layers;
	uint32_t dims[MDL_CLS_LAYERS_MAX + 1];
	size_t n_params;
	float *params;
	float *w[MDL_CLS_LAYERS_MAX], *b[MDL_CLS_LAYERS_MAX];
};

int mdl_cls_alloc(uint32_t layers, const uint32_t *dims, struct mdl_cls **out, char *err,
		  size_t errlen);
void mdl_cls_free(struct mdl_cls *c);
int mdl_cls_load(const char *path, struct mdl_cls **out, char *err, size_t errlen);
int mdl_cls_save(const struct mdl_cls *c, const char *path, char *err, size_t errlen);
/* 1 if the file starts with the classifier magic (the evaluator's dispatch). */
int mdl_cls_sniff(const char *path);

/* Layers fc0 .. fc{n-1}, in order. */
int mdl_cls_linset(const struct mdl_cls *c, struct mdl_linset *ls);

/* The model's input: @n pixels, each / 255 in FP32. */
void mdl_cls_input(const uint8_t *pixels, size_t n, float *x);
/* The predicted class: the first of the largest logits. */
uint32_t mdl_cls_top1(const float *logits);

/* logits[count][10] of images pixels[count][784]. */
int mdl_cls_forward(struct mdl_exec *ex, const struct mdl_linset *ls, const struct mdl_cls *c,
		    const uint8_t *pixels, uint32_t count, float *logits);

#endif /* MDL_CLS_H */
