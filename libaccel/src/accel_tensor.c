// SPDX-License-Identifier: MIT
/*
 * Tensors: a descriptor (struct drm_quasar_tensor, plus the weight buffers
 * of a packed tensor) over a BO. Plain tensors are dense when created and
 * may be viewed with other extents and strides; a packed tensor keeps its
 * element codes, scales, zero points and 2:4 index codes in one BO, each
 * 64-byte aligned (more than any buffer's alignment rule asks), so that a
 * job lists one BO per weight matrix.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "accel_internal.h"

static const char *accel_fmt_text(uint32_t format)
{
	const char *s = accel_format_name(format);

	return s ? s : "unknown format";
}

/*
 * A plain descriptor of @ndim extents (leading ones added) with @strides
 * (NULL: dense) in elements. Fails when a rule of docs/isa.md 6.3 that does
 * not depend on the address is broken.
 */
static int accel_desc_fill(struct accel_device *dev, struct drm_quasar_tensor *t,
			   uint32_t format, uint32_t ndim, const uint32_t *dims,
			   const uint32_t *strides)
{
	const uint32_t lead = DRM_QUASAR_TENSOR_DIMS - ndim;
	uint32_t i;

	if (ndim < 1 || ndim > DRM_QUASAR_TENSOR_DIMS || !dims)
		return accel_fail(dev, -EINVAL, "tensor of %u dimensions (1..%u)", ndim,
				  DRM_QUASAR_TENSOR_DIMS);
	*t = (struct drm_quasar_tensor){ .format = format };
	for (i = 0; i < DRM_QUASAR_TENSOR_DIMS; i++) {
		t->dims[i] = i < lead ? 1 : dims[i - lead];
		if (!t->dims[i] || t->dims[i] > DRM_QUASAR_DIM_MAX)
			return accel_fail(dev, -EINVAL, "tensor extent dims[%u] = %u (1..%u)",
					  i - lead, t->dims[i], DRM_QUASAR_DIM_MAX);
	}
	for (i = DRM_QUASAR_TENSOR_DIMS; i-- > 0;) {
		uint64_t dense = i == DRM_QUASAR_TENSOR_DIMS - 1 ? 1 :
				 (uint64_t)t->dims[i + 1] * t->strides[i + 1];

		if (strides && i >= lead) {
			t->strides[i] = strides[i - lead];
			continue;
		}
		/* A leading extent of 1 never moves, so its stride is free. */
		if (dense > UINT32_MAX && t->dims[i] > 1)
			return accel_fail(dev, -EINVAL,
					  "tensor stride %llu elements does not fit 32 bits",
					  (unsigned long long)dense);
		t->strides[i] = dense > UINT32_MAX ? 0 : (uint32_t)dense;
	}
	if (t->strides[3] != 1)
		return accel_fail(dev, -EINVAL, "innermost stride %u (rows are contiguous: 1)",
				  t->strides[3]);
	for (i = 0; i < DRM_QUASAR_TENSOR_DIMS - 1; i++)
		if (t->dims[i] > 1 &&
		    (uint64_t)t->strides[i] < (uint64_t)t->dims[i + 1] * t->strides[i + 1])
			return accel_fail(dev, -EINVAL,
					  "stride %u of extent %u is below %llu: elements would overlap",
					  t->strides[i], i, (unsigned long long)t->dims[i + 1] *
					  t->strides[i + 1]);
	return 0;
}

int accel_tensor_create(struct accel_device *dev, uint32_t format, uint32_t ndim,
			const uint32_t *dims, struct accel_tensor **out)
{
	struct accel_tensor *t;
	int err;

	*out = NULL;
	if (!accel_format_elem_size(format))
		return accel_fail(dev, -EINVAL,
				  "tensor of format %u (%s): plain formats are FP32, BF16, U32, U8%s",
				  format, accel_fmt_text(format),
				  accel_fmt_packed(format) ? "; use accel_tensor_create_weights()" : "");
	t = calloc(1, sizeof(*t));
	if (!t)
		return accel_fail(dev, -ENOMEM, "tensor");
	t->dev = dev;
	t->owns_bo = true;
	err = accel_desc_fill(dev, &t->op.t, format, ndim, dims, NULL);
	if (!err)
		err = accel_bo_create(dev, accel_span(&t->op.t), &t->bo);
	if (err) {
		free(t);
		return err;
	}
	t->op.t.addr = accel_bo_addr(t->bo);
	*out = t;
	return 0;
}

/* Copies @len bytes of @src (if any) to @off in @map. */
static void accel_put(uint8_t *map, uint64_t off, const void *src, uint64_t len)
{
	if (src && len)
		memcpy(map + off, src, len);
}

int accel_tensor_create_weights(struct accel_device *dev, const struct accel_weights *w,
				struct accel_tensor **out)
{
	struct accel_tensor *t;
	struct accel_wplace pl;
	struct accel_wgeom g;
	struct accel_why why;
	uint8_t *map;
	void *p;
	int err;

	*out = NULL;
	if (accel_weights_place(w, &g, &pl, &why))
		return accel_fail(dev, -EINVAL, "%s", why.text);
	t = calloc(1, sizeof(*t));
	if (!t)
		return accel_fail(dev, -ENOMEM, "tensor");
	err = accel_bo_create(dev, pl.total, &t->bo);
	if (!err)
		err = accel_bo_map(t->bo, &p);
	if (err) {
		accel_bo_free(t->bo);
		free(t);
		return err;
	}
	map = p;
	accel_put(map, 0, w->data, g.data_bytes);
	accel_put(map, pl.scales, w->scales, g.scale_bytes);
	accel_put(map, pl.zeros, w->zeros, g.zero_bytes);
	accel_put(map, pl.meta, w->meta, g.meta_bytes);
	t->dev = dev;
	t->owns_bo = true;
	accel_weights_operand(w, &g, &pl, accel_bo_addr(t->bo), &t->op);
	*out = t;
	return 0;
}

int accel_tensor_view(const struct accel_tensor *base, uint64_t offset, uint32_t ndim,
		      const uint32_t *dims, const uint32_t *strides, struct accel_tensor **out)
{
	struct accel_device *dev = base->dev;
	uint64_t esize = accel_format_elem_size(base->op.t.format), start, span;
	struct accel_tensor *t;
	int err;

	*out = NULL;
	if (accel_fmt_packed(base->op.t.format))
		return accel_fail(dev, -EINVAL, "view of packed weights (their layout is fixed)");
	t = calloc(1, sizeof(*t));
	if (!t)
		return accel_fail(dev, -ENOMEM, "tensor view");
	err = accel_desc_fill(dev, &t->op.t, base->op.t.format, ndim, dims, strides);
	if (err) {
		free(t);
		return err;
	}
	start = base->op.t.addr - accel_bo_addr(base->bo);
	span = accel_span(&t->op.t);
	if (offset > (accel_bo_size(base->bo) - start) / esize ||
	    span > accel_bo_size(base->bo) - start - offset * esize) {
		free(t);
		return accel_fail(dev, -EINVAL,
				  "view of %llu bytes at element %llu runs past its base's BO (%llu bytes from the base)",
				  (unsigned long long)span, (unsigned long long)offset,
				  (unsigned long long)(accel_bo_size(base->bo) - start));
	}
	t->dev = dev;
	t->bo = base->bo;
	t->op.t.addr = base->op.t.addr + offset * esize;
	*out = t;
	return 0;
}

void accel_tensor_free(struct accel_tensor *t)
{
	if (!t)
		return;
	if (t->owns_bo)
		accel_bo_free(t->bo);
	free(t);
}

const struct drm_quasar_tensor *accel_tensor_desc(const struct accel_tensor *t)
{
	return &t->op.t;
}

const struct drm_quasar_wparams *accel_tensor_wparams(const struct accel_tensor *t)
{
	return &t->op.wp;
}

struct accel_bo *accel_tensor_bo(const struct accel_tensor *t)
{
	return t->bo;
}

uint64_t accel_tensor_elems(const struct accel_tensor *t)
{
	uint64_t n = 1;

	for (uint32_t i = 0; i < DRM_QUASAR_TENSOR_DIMS; i++)
		n *= t->op.t.dims[i];
	return n;
}

int accel_tensor_map(struct accel_tensor *t, void **ptr)
{
	void *p;
	int err = accel_bo_map(t->bo, &p);

	*ptr = err ? NULL : (uint8_t *)p + (t->op.t.addr - accel_bo_addr(t->bo));
	return err;
}
