/* SPDX-License-Identifier: MIT */
/*
 * Helpers for libaccel's host tests: the firmware test environment of
 * fwrun/fwrun.h (a booted firmware with the compute engine, a
 * context with a 3 MiB VA window), with operands made the way libaccel
 * makes them: packed weights quantized by libquasar_compress, described by
 * compress_weights_from_qtensor() and laid out by accel_weights_place(), as
 * compress_tensor_from_qtensor() does into a BO.
 */
#ifndef LA_ENV_H
#define LA_ENV_H

#include <stdio.h>

#include "accel_enc.h"
#include "accel_ops.h"
#include "compress.h"
#include "compress_libaccel.h"
#include "fw_test_data.h"

/* A plain dense operand at a fresh VA, filled from @src when given. */
static inline struct accel_operand la_plain(struct fwrun *e, uint32_t fmt, uint32_t d0,
					    uint32_t d1, uint32_t d2, uint32_t d3,
					    const void *src)
{
	uint64_t bytes = (uint64_t)d0 * d1 * d2 * d3 * accel_format_elem_size(fmt);
	struct accel_operand o = { 0 };

	o.t = fwrun_tensor(src ? fwrun_upload(e, src, bytes) : fwrun_alloc(e, bytes), fmt, d0, d1,
			d2, d3);
	return o;
}

/* Packed weights: the host copy (the golden model's input) and the operand. */
struct la_weights {
	struct compress_qtensor *qt;
	struct accel_operand op;
};

/* Random N x K weights in uapi format @fmt, quantized and uploaded. */
static inline int la_weights(struct fwrun *e, struct la_weights *w, uint32_t fmt,
			     uint32_t n, uint32_t k, uint32_t group, bool asym, uint32_t seed)
{
	struct compress_qparams p = {
		.fmt = fmt, .group = group, .asym = asym,
	};
	float *src = malloc((size_t)n * k * sizeof(float));
	struct accel_weights aw;
	struct accel_wplace pl;
	struct accel_wgeom g;
	struct accel_why why;
	uint64_t va;
	int ret;

	if (!src)
		return -1;
	for (size_t i = 0; i < (size_t)n * k; i++)
		src[i] = v1_rand(&seed) * (1.0f + (float)(i % 5));
	ret = compress_quantize(src, n, k, k, &p, &w->qt);
	free(src);
	if (ret || compress_weights_from_qtensor(w->qt, &aw) ||
	    accel_weights_place(&aw, &g, &pl, &why)) {
		fprintf(stderr, "# weights %u: %d %s\n", fmt, ret, why.text);
		return -1;
	}
	va = fwrun_alloc(e, pl.total);
	fwrun_write(e, va, aw.data, g.data_bytes);
	if (g.scale_bytes)
		fwrun_write(e, va + pl.scales, aw.scales, g.scale_bytes);
	if (g.zero_bytes)
		fwrun_write(e, va + pl.zeros, aw.zeros, g.zero_bytes);
	if (g.meta_bytes)
		fwrun_write(e, va + pl.meta, aw.meta, g.meta_bytes);
	accel_weights_operand(&aw, &g, &pl, va, &w->op);
	return 0;
}

/* Runs ISA_VERSION (this header's, 2) then @cmd as one job; returns the job's status. */
static inline uint32_t la_run(struct fwrun *e, const void *cmd, size_t len)
{
	fwrun_emit_isa_version(e, DRM_QUASAR_ISA_VERSION);
	fwrun_emit(e, cmd, len);
	fwrun_run(e);
	return e->res.status;
}

/* 0 when equal; else describes the first difference. */
static inline int la_same(const void *got, const void *want, size_t n, const char *what)
{
	for (size_t i = 0; i < n; i++)
		if (((const uint8_t *)got)[i] != ((const uint8_t *)want)[i]) {
			fprintf(stderr, "# %s: byte %zu differs: got 0x%02x want 0x%02x\n", what,
				i, ((const uint8_t *)got)[i], ((const uint8_t *)want)[i]);
			return 1;
		}
	return 0;
}

#endif /* LA_ENV_H */
