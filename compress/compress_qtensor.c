// SPDX-License-Identifier: MIT
/* Compression library: quantized tensor objects (allocation around dp_quantize). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compress.h"
#include "compress_qtensor_priv.h"
#include "dp_ops.h"
#include "dp_quant.h"

int compress_qtensor_alloc(uint32_t fmt, uint32_t n, uint32_t k, uint32_t group, uint32_t flags,
			   struct compress_qtensor **out)
{
	struct compress_qtensor *qt;
	int ret;

	if (!out)
		return -EINVAL;
	*out = NULL;
	qt = calloc(1, sizeof(*qt));
	if (!qt)
		return -ENOMEM;
	ret = dp_geom_get(fmt, n, k, group, flags, &qt->geom);
	if (ret) {
		free(qt);
		return ret;
	}
	/* 64-byte alignment: one panel line per cache line */
	qt->data = aligned_alloc(64, (qt->geom.data_bytes + 63) / 64 * 64);
	qt->scales = qt->geom.scale_bytes ?
		aligned_alloc(64, (qt->geom.scale_bytes + 63) / 64 * 64) : NULL;
	qt->zeros = qt->geom.zero_bytes ? calloc(1, qt->geom.zero_bytes) : NULL;
	qt->meta = qt->geom.meta_bytes ? calloc(1, qt->geom.meta_bytes) : NULL;
	if (!qt->data || (qt->geom.scale_bytes && !qt->scales) ||
	    (qt->geom.zero_bytes && !qt->zeros) || (qt->geom.meta_bytes && !qt->meta)) {
		compress_qtensor_free(qt);
		return -ENOMEM;
	}
	memset(qt->data, 0, qt->geom.data_bytes);
	if (qt->scales)
		memset(qt->scales, 0, qt->geom.scale_bytes);
	qt->wt = (struct dp_wt){ .fmt = fmt, .n = n, .k = k, .group = group, .flags = flags,
				 .data = qt->data, .scales = qt->scales, .zeros = qt->zeros,
				 .meta = qt->meta, .tensor_scale = 1.0f };
	*out = qt;
	return 0;
}

void compress_qtensor_free(struct compress_qtensor *qt)
{
	if (!qt)
		return;
	free(qt->data);
	free(qt->scales);
	free(qt->zeros);
	free(qt->meta);
	free(qt);
}

int compress_qtensor_import(const struct dp_wt *w, struct compress_qtensor **out)
{
	struct compress_qtensor *qt;
	struct dp_geom g;
	int ret;

	if (!out)
		return -EINVAL;
	*out = NULL;
	if (!w)
		return -EINVAL;
	ret = dp_wt_check(w, &g);
	if (ret)
		return ret;
	ret = compress_qtensor_alloc(w->fmt, w->n, w->k, w->group, w->flags, &qt);
	if (ret)
		return ret;
	memcpy(qt->data, w->data, g.data_bytes);
	if (g.scale_bytes)
		memcpy(qt->scales, w->scales, g.scale_bytes);
	if (g.zero_bytes)
		memcpy(qt->zeros, w->zeros, g.zero_bytes);
	if (g.meta_bytes)
		memcpy(qt->meta, w->meta, g.meta_bytes);
	qt->wt.tensor_scale = w->tensor_scale;
	*out = qt;
	return 0;
}

const struct dp_wt *compress_qtensor_wt(const struct compress_qtensor *qt)
{
	return qt ? &qt->wt : NULL;
}

size_t compress_qtensor_bytes(const struct compress_qtensor *qt)
{
	if (!qt)
		return 0;
	return qt->geom.data_bytes + qt->geom.scale_bytes + qt->geom.zero_bytes +
	       qt->geom.meta_bytes;
}

int compress_quantize(const float *w, uint32_t n, uint32_t k, uint32_t ldw,
		      const struct compress_qparams *p, struct compress_qtensor **out)
{
	struct compress_qtensor *qt;
	struct dp_wt_buf buf;
	uint32_t flags, i, j;
	int ret;

	if (!out)
		return -EINVAL;
	*out = NULL;
	if (!w || !p || ldw < k)
		return -EINVAL;
	if (p->asym > 1 || p->nvfp4_1level > 1)
		return -EINVAL;
	if (p->nvfp4_1level && p->fmt != DP_W_NVFP4)
		return -ENOTSUP;
	flags = p->asym ? DP_WT_ZERO : 0;
	ret = compress_qtensor_alloc(p->fmt, n, k, p->group, flags, &qt);
	if (ret)
		return ret;
	for (i = 0; i < n; i++)
		for (j = 0; j < k; j++)
			if (!isfinite(w[(size_t)i * ldw + j])) {
				compress_qtensor_free(qt);
				return -EINVAL;
			}
	buf = (struct dp_wt_buf){ qt->data, qt->scales, qt->zeros, qt->meta };
	ret = dp_quantize(&qt->wt, &buf, w, ldw, p->nvfp4_1level ? DP_Q_NVFP4_1LEVEL : 0);
	if (ret) {
		compress_qtensor_free(qt);
		return ret;
	}
	*out = qt;
	return 0;
}

int compress_qtensor_dequant(const struct compress_qtensor *qt, float *y, uint32_t ldy)
{
	if (!qt || !y)
		return -EINVAL;
	return dp_dequant_ref(&qt->wt, 0, qt->wt.n, y, ldy);
}

const char *compress_strerror(int err)
{
	switch (err) {
	case 0:
		return "success";
	case -EINVAL:
		return "invalid argument (shape, group size, flag, pointer or non-finite value)";
	case -ENOTSUP:
		return "unsupported format or combination";
	case -ENOMEM:
		return "out of memory";
	case -EDOM:
		return "calibration Hessian not positive definite (more calibration rows or damping)";
	default:
		return "unknown error";
	}
}
