// SPDX-License-Identifier: MIT
/*
 * Formats: element sizes, packed geometry (the datapath's own table,
 * dp_format.c, so the host and the device cannot disagree on a buffer's
 * size), BF16 rounding, and the byte ranges an operand covers.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "accel_enc.h"
#include "accel_ops.h"
#include "dp_format.h"


uint32_t accel_why_set(struct accel_why *why, uint32_t status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why->text, sizeof(why->text), fmt, ap);
	va_end(ap);
	return status;
}

bool accel_fmt_packed(uint32_t format)
{
	return format >= DRM_QUASAR_FORMAT_W_BF16 && format <= DRM_QUASAR_FORMAT_W_SP_INT4;
}

uint32_t accel_format_elem_size(uint32_t format)
{
	switch (format) {
	case DRM_QUASAR_FORMAT_U8:
		return 1;
	case DRM_QUASAR_FORMAT_BF16:
		return 2;
	case DRM_QUASAR_FORMAT_FP32:
	case DRM_QUASAR_FORMAT_U32:
		return 4;
	default:
		return 0;
	}
}

int accel_format_is_packed(uint32_t format)
{
	return accel_fmt_packed(format);
}

int accel_wgeom_get(uint32_t format, uint32_t n, uint32_t k, uint32_t group,
		    uint32_t tflags, struct accel_wgeom *g)
{
	struct dp_geom dg;
	int ret;

	if (!accel_fmt_packed(format))
		return DP_ENOTSUP;
	ret = dp_geom_get(format, n, k, group, tflags, &dg);
	if (ret)
		return ret;
	*g = (struct accel_wgeom){
		.data_bytes = dg.data_bytes, .scale_bytes = dg.scale_bytes,
		.zero_bytes = dg.zero_bytes, .meta_bytes = dg.meta_bytes,
		.panels = dg.panels, .kpad = dg.kpad, .blocks = dg.blocks,
	};
	return 0;
}

int accel_weights_geometry(const struct accel_weights *w, struct accel_wgeom *g)
{
	if (!w || !g)
		return -EINVAL;
	if (!accel_fmt_packed(w->format))
		return -ENOTSUP;
	/* Zero points on a format without them is a bad argument here. */
	return accel_wgeom_get(w->format, w->n, w->k, w->group, w->flags, g) ? -EINVAL : 0;
}

#define ACCEL_A64(x) (((x) + 63) & ~(uint64_t)63)

int accel_weights_place(const struct accel_weights *w, struct accel_wgeom *g,
			struct accel_wplace *p, struct accel_why *why)
{
	const char *name = w ? accel_format_name(w->format) : NULL;

	if (!w || !accel_fmt_packed(w->format)) {
		accel_why_set(why, 0, "weights of format %u (%s): not a packed W_* format",
			      w ? w->format : 0, name ? name : "unknown");
		return -EINVAL;
	}
	if (accel_weights_geometry(w, g)) {
		accel_why_set(why, 0,
			      "%s weights %u x %u, group %u, flags 0x%x: the format does not take this shape, group or flag (docs/isa.md 6.4)",
			      name, w->n, w->k, w->group, w->flags);
		return -EINVAL;
	}
	if (w->format == DRM_QUASAR_FORMAT_W_NVFP4 ? !isfinite(w->tensor_scale) :
	    w->tensor_scale != 0.0f) {
		accel_why_set(why, 0, "%s weights with tensor scale %g (NVFP4 only, finite)",
			      name, (double)w->tensor_scale);
		return -EINVAL;
	}
	p->scales = ACCEL_A64(g->data_bytes);
	p->zeros = p->scales + ACCEL_A64(g->scale_bytes);
	p->meta = p->zeros + ACCEL_A64(g->zero_bytes);
	p->total = p->meta + g->meta_bytes;
	return 0;
}

void accel_weights_operand(const struct accel_weights *w, const struct accel_wgeom *g,
			   const struct accel_wplace *p, uint64_t addr,
			   struct accel_operand *o)
{
	o->t = (struct drm_quasar_tensor){
		.addr = addr, .dims = { 1, 1, w->n, w->k }, .format = w->format,
		.flags = w->flags,
	};
	o->wp = (struct drm_quasar_wparams){
		.scales = g->scale_bytes ? addr + p->scales : 0,
		.zeros = g->zero_bytes ? addr + p->zeros : 0,
		.meta = g->meta_bytes ? addr + p->meta : 0,
		.group = w->group,
		.tensor_scale = w->format == DRM_QUASAR_FORMAT_W_NVFP4 ?
				accel_f2u(w->tensor_scale) : 0,
	};
}

/* Copies @len bytes of @src (if any) to @off in @dst. */
static void accel_put(uint8_t *dst, uint64_t off, const void *src, uint64_t len)
{
	if (src && len)
		memcpy(dst + off, src, len);
}

void accel_weights_copy(const struct accel_weights *w, const struct accel_wgeom *g,
			const struct accel_wplace *p, void *dst)
{
	accel_put(dst, 0, w->data, g->data_bytes);
	accel_put(dst, p->scales, w->scales, g->scale_bytes);
	accel_put(dst, p->zeros, w->zeros, g->zero_bytes);
	accel_put(dst, p->meta, w->meta, g->meta_bytes);
}

uint64_t accel_weights_size(const struct accel_weights *w)
{
	struct accel_wplace p;
	struct accel_wgeom g;
	struct accel_why why;

	return accel_weights_place(w, &g, &p, &why) ? 0 : p.total;
}

int accel_weights_image(const struct accel_weights *w, void *dst)
{
	struct accel_wplace p;
	struct accel_wgeom g;
	struct accel_why why;

	if (!dst || accel_weights_place(w, &g, &p, &why))
		return -EINVAL;
	memset(dst, 0, p.total);
	accel_weights_copy(w, &g, &p, dst);
	return 0;
}

int accel_operand_weights(const struct accel_weights *w, uint64_t addr, struct accel_operand *o)
{
	struct accel_wplace p;
	struct accel_wgeom g;
	struct accel_why why;

	if (!o || addr % 64 || accel_weights_place(w, &g, &p, &why))
		return -EINVAL;
	accel_weights_operand(w, &g, &p, addr, o);
	return 0;
}

int accel_operand_plain(uint64_t addr, uint32_t format, uint32_t ndim, const uint32_t *dims,
			struct accel_operand *o)
{
	struct accel_why why;

	if (!o || !accel_format_elem_size(format))
		return -EINVAL;
	*o = (struct accel_operand){ 0 };
	if (accel_desc_fill(&o->t, format, ndim, dims, NULL, &why))
		return -EINVAL;
	o->t.addr = addr;
	return 0;
}

uint32_t accel_f2u(float f)
{
	uint32_t u;

	memcpy(&u, &f, sizeof(u));
	return u;
}

/* The datapath's dp_f32_to_bf16(): round to nearest even, NaN quietened. */
uint16_t accel_f32_to_bf16(float f)
{
	uint32_t u = accel_f2u(f);

	if ((u & 0x7fffffffu) > 0x7f800000u)
		return (uint16_t)((u >> 16) | 0x40);
	return (uint16_t)((u + 0x7fffu + ((u >> 16) & 1)) >> 16);
}

float accel_bf16_to_f32(uint16_t h)
{
	uint32_t u = (uint32_t)h << 16;
	float f;

	memcpy(&f, &u, sizeof(f));
	return f;
}

int accel_desc_fill(struct drm_quasar_tensor *t, uint32_t format, uint32_t ndim,
		    const uint32_t *dims, const uint32_t *strides, struct accel_why *why)
{
	const uint32_t lead = DRM_QUASAR_TENSOR_DIMS - ndim;
	uint32_t i;

	if (ndim < 1 || ndim > DRM_QUASAR_TENSOR_DIMS || !dims) {
		accel_why_set(why, 0, "tensor of %u dimensions (1..%u)", ndim,
			      DRM_QUASAR_TENSOR_DIMS);
		return -EINVAL;
	}
	*t = (struct drm_quasar_tensor){ .format = format };
	for (i = 0; i < DRM_QUASAR_TENSOR_DIMS; i++) {
		t->dims[i] = i < lead ? 1 : dims[i - lead];
		if (!t->dims[i] || t->dims[i] > DRM_QUASAR_DIM_MAX) {
			accel_why_set(why, 0, "tensor extent dims[%u] = %u (1..%u)", i - lead,
				      t->dims[i], DRM_QUASAR_DIM_MAX);
			return -EINVAL;
		}
	}
	for (i = DRM_QUASAR_TENSOR_DIMS; i-- > 0;) {
		uint64_t dense = i == DRM_QUASAR_TENSOR_DIMS - 1 ? 1 :
				 (uint64_t)t->dims[i + 1] * t->strides[i + 1];

		if (strides && i >= lead) {
			t->strides[i] = strides[i - lead];
			continue;
		}
		/* A leading extent of 1 never moves, so its stride is free. */
		if (dense > UINT32_MAX && t->dims[i] > 1) {
			accel_why_set(why, 0, "tensor stride %llu elements does not fit 32 bits",
				      (unsigned long long)dense);
			return -EINVAL;
		}
		t->strides[i] = dense > UINT32_MAX ? 0 : (uint32_t)dense;
	}
	if (t->strides[3] != 1) {
		accel_why_set(why, 0, "innermost stride %u (rows are contiguous: 1)",
			      t->strides[3]);
		return -EINVAL;
	}
	for (i = 0; i < DRM_QUASAR_TENSOR_DIMS - 1; i++)
		if (t->dims[i] > 1 &&
		    (uint64_t)t->strides[i] < (uint64_t)t->dims[i + 1] * t->strides[i + 1]) {
			accel_why_set(why, 0,
				      "stride %u of extent %u is below %llu: elements would overlap",
				      t->strides[i], i,
				      (unsigned long long)t->dims[i + 1] * t->strides[i + 1]);
			return -EINVAL;
		}
	return 0;
}

uint64_t accel_span(const struct drm_quasar_tensor *t)
{
	uint64_t last = 0;
	uint32_t i;

	/* Bounded dims and strides: < 4 * 2^16 * 2^32, no wrap. */
	for (i = 0; i < DRM_QUASAR_TENSOR_DIMS; i++)
		last += (uint64_t)(t->dims[i] ? t->dims[i] - 1 : 0) * t->strides[i];
	return (last + 1) * accel_format_elem_size(t->format);
}

bool accel_dense(const struct drm_quasar_tensor *t)
{
	uint64_t elems = 1;
	uint32_t i;

	for (i = 0; i < DRM_QUASAR_TENSOR_DIMS; i++)
		elems *= t->dims[i];
	return elems * accel_format_elem_size(t->format) == accel_span(t);
}

uint32_t accel_operand_ranges(const struct accel_operand *o, struct accel_range r[4])
{
	const struct drm_quasar_wparams *wp = &o->wp;
	struct accel_wgeom g;
	uint32_t n = 0;

	if (!accel_fmt_packed(o->t.format)) {
		r[0] = (struct accel_range){ o->t.addr, o->t.addr + accel_span(&o->t) };
		return 1;
	}
	if (accel_wgeom_get(o->t.format, o->t.dims[2], o->t.dims[3], wp->group,
			    o->t.flags, &g))
		return 0;
	r[n++] = (struct accel_range){ o->t.addr, o->t.addr + g.data_bytes };
	if (g.scale_bytes)
		r[n++] = (struct accel_range){ wp->scales, wp->scales + g.scale_bytes };
	if (g.zero_bytes)
		r[n++] = (struct accel_range){ wp->zeros, wp->zeros + g.zero_bytes };
	if (g.meta_bytes)
		r[n++] = (struct accel_range){ wp->meta, wp->meta + g.meta_bytes };
	return n;
}

/* Packed buffers and dense plain tensors cover every byte of their ranges. */
static bool accel_solid(const struct accel_operand *o)
{
	return accel_fmt_packed(o->t.format) || accel_dense(&o->t);
}

bool accel_operand_overlap(const struct accel_operand *out, const struct accel_operand *in,
			   uint64_t *at)
{
	struct accel_range ro[4], ri[4];
	uint32_t no, ni, j, k;

	if (!accel_solid(out) || !accel_solid(in))
		return false;
	no = accel_operand_ranges(out, ro);
	ni = accel_operand_ranges(in, ri);
	for (j = 0; j < no; j++)
		for (k = 0; k < ni; k++)
			if (ro[j].lo < ri[k].hi && ri[k].lo < ro[j].hi) {
				*at = ro[j].lo > ri[k].lo ? ro[j].lo : ri[k].lo;
				return true;
			}
	return false;
}
