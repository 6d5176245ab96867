// SPDX-License-Identifier: MIT
/* Compression library: upload a qtensor as a libaccel packed tensor. */
#include <errno.h>

#include <accel_ops.h>

#include "compress_libaccel.h"

/* uapi formats W_* are enum dp_wfmt shifted by this (docs/isa.md 6.4). */
#define COMPRESS_LIBACCEL_FMT_BASE (DRM_QUASAR_FORMAT_W_BF16 - DP_W_BF16)

_Static_assert(DRM_QUASAR_FORMAT_W_SP_INT4 - COMPRESS_LIBACCEL_FMT_BASE == DP_W_SP_INT4,
	       "packed formats map onto enum dp_wfmt");

int compress_weights_from_qtensor(const struct compress_qtensor *qt, struct accel_weights *w)
{
	const struct dp_wt *wt = compress_qtensor_wt(qt);

	if (!wt || !w)
		return -EINVAL;
	*w = (struct accel_weights){
		.format = wt->fmt + COMPRESS_LIBACCEL_FMT_BASE, .n = wt->n, .k = wt->k,
		.group = wt->group,
		.flags = (wt->flags & DP_WT_ZERO) ? DRM_QUASAR_TENSOR_ZERO_POINTS : 0,
		.tensor_scale = wt->fmt == DP_W_NVFP4 ? wt->tensor_scale : 0.0f,
		.data = wt->data, .scales = wt->scales, .zeros = wt->zeros, .meta = wt->meta,
	};
	return 0;
}

int compress_tensor_from_qtensor(struct accel_device *dev, const struct compress_qtensor *qt,
				 struct accel_tensor **out)
{
	struct accel_weights w;

	*out = NULL;
	if (compress_weights_from_qtensor(qt, &w))
		return -EINVAL;
	return accel_tensor_create_weights(dev, &w, out);
}
