// SPDX-License-Identifier: MIT
/*
 * Host access to plain tensors through the BO mapping: rows are copied one
 * by one following the descriptor's strides, so views read and write the
 * elements they describe and nothing between them.
 */
#include <errno.h>
#include <string.h>

#include "accel_internal.h"

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
