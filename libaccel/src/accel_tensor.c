// SPDX-License-Identifier: MIT
/*
 * Tensors: a descriptor (struct drm_quasar_tensor, plus the weight buffers
 * of a packed tensor) over a BO. Plain tensors are dense when created and
 * may be viewed with other extents and strides; a packed tensor keeps its
 * element codes, scales, zero points and 2:4 index codes in one BO, each
 * 64-byte aligned (more than any buffer's alignment rule asks), so that a
 * job lists one BO per weight matrix. The host reads and writes a plain
 * tensor through the BO's mapping row by row, following its strides, so
 * that a view touches the elements it describes and nothing between them.
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

int accel_tensor_create(struct accel_device *dev, uint32_t format, uint32_t ndim,
			const uint32_t *dims, struct accel_tensor **out)
{
	struct accel_tensor *t;
	struct accel_why why;
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
	if (accel_desc_fill(&t->op.t, format, ndim, dims, NULL, &why))
		err = accel_fail(dev, -EINVAL, "%s", why.text);
	else
		err = accel_bo_create(dev, accel_span(&t->op.t), &t->bo);
	if (err) {
		free(t);
		return err;
	}
	t->op.t.addr = accel_bo_addr(t->bo);
	*out = t;
	return 0;
}

int accel_tensor_create_weights(struct accel_device *dev, const struct accel_weights *w,
				struct accel_tensor **out)
{
	struct accel_tensor *t;
	struct accel_wplace pl;
	struct accel_wgeom g;
	struct accel_why why;
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
	accel_weights_copy(w, &g, &pl, p);
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
	struct accel_why why;

	*out = NULL;
	if (accel_fmt_packed(base->op.t.format))
		return accel_fail(dev, -EINVAL, "view of packed weights (their layout is fixed)");
	t = calloc(1, sizeof(*t));
	if (!t)
		return accel_fail(dev, -ENOMEM, "tensor view");
	if (accel_desc_fill(&t->op.t, base->op.t.format, ndim, dims, strides, &why)) {
		free(t);
		return accel_fail(dev, -EINVAL, "%s", why.text);
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

/* ---- host access to the elements ---- */

enum accel_io {
	ACCEL_IO_WRITE,
	ACCEL_IO_READ,
	ACCEL_IO_WRITE_F32,
	ACCEL_IO_READ_F32,
};

/* Byte offset of row @r (rows in row-major order of dims[0..2]) from element 0. */
static uint64_t accel_row_off(const struct drm_quasar_tensor *t, uint64_t r, uint32_t esize)
{
	uint64_t i2 = r % t->dims[2], i1 = r / t->dims[2] % t->dims[1];
	uint64_t i0 = r / t->dims[2] / t->dims[1];

	return (i0 * t->strides[0] + i1 * t->strides[1] + i2 * t->strides[2]) * esize;
}

static void accel_row_copy(uint8_t *dev_row, void *host_row, uint32_t d, uint32_t format,
			   enum accel_io io)
{
	uint16_t *bf = (uint16_t *)dev_row;
	float *f = host_row;
	uint32_t j;

	if (io == ACCEL_IO_WRITE || (io == ACCEL_IO_WRITE_F32 && format == DRM_QUASAR_FORMAT_FP32))
		memcpy(dev_row, host_row, (size_t)d * accel_format_elem_size(format));
	else if (io == ACCEL_IO_READ || format == DRM_QUASAR_FORMAT_FP32)
		memcpy(host_row, dev_row, (size_t)d * accel_format_elem_size(format));
	else if (io == ACCEL_IO_WRITE_F32)
		for (j = 0; j < d; j++)
			bf[j] = accel_f32_to_bf16(f[j]);
	else
		for (j = 0; j < d; j++)
			f[j] = accel_bf16_to_f32(bf[j]);
}

static int accel_tensor_io(struct accel_tensor *t, void *host, uint64_t count,
			   enum accel_io io)
{
	const struct drm_quasar_tensor *d = &t->op.t;
	bool f32 = io == ACCEL_IO_WRITE_F32 || io == ACCEL_IO_READ_F32;
	uint32_t esize = accel_format_elem_size(d->format);
	uint64_t rows = (uint64_t)d->dims[0] * d->dims[1] * d->dims[2], r;
	uint32_t hsize = f32 ? 4 : esize;
	uint8_t *base;
	void *p;
	int err;

	if (!esize)
		return accel_fail(t->dev, -EINVAL,
				  "host copy of %s weights: packed tensors are filled at creation",
				  accel_format_name(d->format));
	if (f32 && d->format != DRM_QUASAR_FORMAT_FP32 && d->format != DRM_QUASAR_FORMAT_BF16)
		return accel_fail(t->dev, -EINVAL, "FP32 copy of a %s tensor (FP32 or BF16 only)",
				  accel_format_name(d->format));
	if (count != accel_tensor_elems(t) || !host)
		return accel_fail(t->dev, -EINVAL, "copy of %llu elements, the tensor has %llu",
				  (unsigned long long)count,
				  (unsigned long long)accel_tensor_elems(t));
	err = accel_tensor_map(t, &p);
	if (err)
		return err;
	base = p;
	for (r = 0; r < rows; r++)
		accel_row_copy(base + accel_row_off(d, r, esize),
			       (uint8_t *)host + r * d->dims[3] * hsize, d->dims[3], d->format, io);
	return 0;
}

int accel_tensor_write(struct accel_tensor *t, const void *src, uint64_t count)
{
	return accel_tensor_io(t, (void *)src, count, ACCEL_IO_WRITE);
}

int accel_tensor_read(struct accel_tensor *t, void *dst, uint64_t count)
{
	return accel_tensor_io(t, dst, count, ACCEL_IO_READ);
}

int accel_tensor_write_f32(struct accel_tensor *t, const float *src, uint64_t count)
{
	return accel_tensor_io(t, (void *)src, count, ACCEL_IO_WRITE_F32);
}

int accel_tensor_read_f32(struct accel_tensor *t, float *dst, uint64_t count)
{
	return accel_tensor_io(t, dst, count, ACCEL_IO_READ_F32);
}
