/* SPDX-License-Identifier: MIT */
/*
 * Packed weights for the guest conformance suite: quantized by the
 * compression library (compress/), kept on the host for the golden model and
 * uploaded for the device.
 */
#ifndef CONFORM_WT_H
#define CONFORM_WT_H

#include "conform_util.h"

/*
 * Weights in one uapi W_* format: the packed buffers on the host (what the
 * golden model reads, through @wt) and their device copies (@t, @wp, ready
 * for a command).
 */
struct cf_weights {
	struct dp_wt wt;
	struct dp_geom g;
	void *data, *scales;
	uint8_t *zeros, *meta;
	struct drm_quasar_tensor t;
	struct drm_quasar_wparams wp;
};

/* Options of cf_weights_new(). */
struct cf_wopts {
	uint32_t group;		/* INT4/SP_INT4 group (0: 32); others ignore it */
	bool zeros;		/* INT4/SP_INT4: asymmetric, with zero points */
	bool nvfp4_1level;	/* NVFP4 without a tensor scale */
};

/*
 * Random N x K weights quantized by the compression library (compress_quantize)
 * into @fmt (a DRM_QUASAR_FORMAT_W_*), uploaded.
 */
int cf_weights_new(struct cf_env *e, struct cf_weights *w, uint32_t fmt, uint32_t n,
		   uint32_t k, uint32_t seed, const struct cf_wopts *o);
/*
 * Weights of @panels full panels, too many to quantize under TCG in
 * time: four quantized panels repeated, each copy's element codes then
 * perturbed differently (to other valid codes) so that no two panels are
 * alike and a panel read from the wrong place shows.
 */
int cf_weights_big(struct cf_env *e, struct cf_weights *w, uint32_t fmt, uint32_t panels,
		   uint32_t k, uint32_t seed);
void cf_weights_free(struct cf_weights *w);

/* The datapath's enum dp_wfmt of a uapi W_* format. */
static inline uint32_t cf_dp_fmt(uint32_t uapi_fmt)
{
	return uapi_fmt - (DRM_QUASAR_FORMAT_W_BF16 - DP_W_BF16);
}

#endif /* CONFORM_WT_H */
