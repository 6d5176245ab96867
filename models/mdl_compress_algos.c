// SPDX-License-Identifier: MIT
/*
 * Quasar models: the compression library's calibrated algorithms
 * (compress/compress_algo.h) as variant algorithms (struct mdl_algo).
 * Each adapter hands the layer's calibration rows, captured on the
 * training split, to the library; options are the library's defaults
 * (docs/compression.md, chosen on the validation split by make
 * hparam-select) except where noted or where the variant spec sets a
 * hyperparameter (ALGO:damp=, :grid=, :alpha=; struct mdl_hparams).
 *
 * AWQ and SmoothQuant return input scales s. Layers that read one input
 * (q/k/v; w1/w3) get one s, searched on their rows stacked (group_scales),
 * because the op that feeds them (RMSNorm's gain, or the previous layer)
 * can absorb only one 1/s. The evaluator multiplies the layer input by 1/s
 * in FP32 before the datapath rounds it to BF16 and, for A8, quantizes it
 * per row: the device sees pre-scaled activations, so the int8 scale is
 * chosen after the division, as SmoothQuant intends.
 */
#include <errno.h>
#include <stdlib.h>

#include "compress_algo.h"
#include "mdl_variant.h"

static int mdl_gptq_q(const float *w, uint32_t n, uint32_t k, const struct mdl_calib *cal,
		      const struct compress_qparams *p, const struct mdl_hparams *hp,
		      struct compress_qtensor **out, float *s)
{
	struct compress_gptq_opts o = COMPRESS_GPTQ_OPTS_INIT;

	(void)s;
	if (hp->set & MDL_HP_DAMP)
		o.damp = hp->damp;
	return compress_gptq(w, n, k, cal->x, cal->rows, p, &o, out);
}

/* Act-order: columns by decreasing Hessian diagonal, groups fixed up front. */
static int mdl_gptq_ao_q(const float *w, uint32_t n, uint32_t k, const struct mdl_calib *cal,
			 const struct compress_qparams *p, const struct mdl_hparams *hp,
			 struct compress_qtensor **out, float *s)
{
	struct compress_gptq_opts o = COMPRESS_GPTQ_OPTS_INIT;

	(void)s;
	if (hp->set & MDL_HP_DAMP)
		o.damp = hp->damp;
	o.act_order = 1;
	o.static_groups = 1;
	return compress_gptq(w, n, k, cal->x, cal->rows, p, &o, out);
}

static int mdl_awq_scales(const float *w, uint32_t n, uint32_t k, const struct mdl_calib *cal,
			  const struct compress_qparams *p, const struct mdl_hparams *hp, float *s)
{
	struct compress_awq_opts o = COMPRESS_AWQ_OPTS_INIT;
	struct compress_qtensor *qt = NULL;
	int ret;

	if (hp->set & MDL_HP_GRID)
		o.grid = hp->grid;
	o.clip = 0;	/* the scale search comes first and does not see the clip */
	ret = compress_awq(w, n, k, cal->x, cal->rows, p, &o, &qt, s);
	compress_qtensor_free(qt);
	return ret;
}

static int mdl_awq_q(const float *w, uint32_t n, uint32_t k, const struct mdl_calib *cal,
		     const struct compress_qparams *p, const struct mdl_hparams *hp,
		     struct compress_qtensor **out, float *s)
{
	(void)hp;	/* the grid is the scale search's (mdl_awq_scales) */
	return compress_awq_apply(w, n, k, cal->x, cal->rows, p, NULL, s, out);
}

static int mdl_smooth_scales(const float *w, uint32_t n, uint32_t k,
			     const struct mdl_calib *cal, const struct compress_qparams *p,
			     const struct mdl_hparams *hp, float *s)
{
	struct compress_smooth_opts o = COMPRESS_SMOOTH_OPTS_INIT;
	struct compress_qtensor *qt = NULL;
	int ret;

	if (hp->set & MDL_HP_ALPHA)
		o.alpha = hp->alpha;
	ret = compress_smoothquant(w, n, k, cal->x, cal->rows, p, &o, &qt, s);
	compress_qtensor_free(qt);
	return ret;
}

/* W diag(s) by the device's RTN rule: SmoothQuant's own weight step. */
static int mdl_smooth_q(const float *w, uint32_t n, uint32_t k, const struct mdl_calib *cal,
			const struct compress_qparams *p, const struct mdl_hparams *hp,
			struct compress_qtensor **out, float *s)
{
	float *ws = malloc(sizeof(float) * (size_t)n * k);
	size_t r, j;
	int ret;

	(void)cal;
	(void)hp;	/* alpha is the scales' (mdl_smooth_scales) */
	if (!ws)
		return -ENOMEM;
	for (r = 0; r < n; r++)
		for (j = 0; j < k; j++)
			ws[r * k + j] = w[r * k + j] * s[j];
	ret = compress_quantize(ws, n, k, k, p, out);
	free(ws);
	return ret;
}

static int mdl_wanda_q(const float *w, uint32_t n, uint32_t k, const struct mdl_calib *cal,
		       const struct compress_qparams *p, const struct mdl_hparams *hp,
		       struct compress_qtensor **out, float *s)
{
	(void)hp;
	(void)s;
	return compress_wanda24(w, n, k, cal->x, cal->rows, p, out);
}

static int mdl_sparsegpt_q(const float *w, uint32_t n, uint32_t k, const struct mdl_calib *cal,
			   const struct compress_qparams *p, const struct mdl_hparams *hp,
			   struct compress_qtensor **out, float *s)
{
	struct compress_sparsegpt_opts o = COMPRESS_SPARSEGPT_OPTS_INIT;

	(void)s;
	if (hp->set & MDL_HP_DAMP)
		o.damp = hp->damp;
	return compress_sparsegpt24(w, n, k, cal->x, cal->rows, p, &o, out);
}

static const struct mdl_algo mdl_algo_tab[] = {
	{ .name = "gptq", .desc = "GPTQ, Hessian error feedback (damp 0.01, blocks of 128)",
	  .needs_calib = 1, .hparams = MDL_HP_DAMP, .quantize = mdl_gptq_q },
	{ .name = "gptq-ao", .desc = "GPTQ with act-order and static groups",
	  .needs_calib = 1, .hparams = MDL_HP_DAMP, .quantize = mdl_gptq_ao_q },
	{ .name = "awq", .desc = "AWQ scale search (grid 20, shared per input) + clip search",
	  .needs_calib = 1, .hparams = MDL_HP_GRID, .quantize = mdl_awq_q,
	  .group_scales = mdl_awq_scales },
	{ .name = "smooth", .desc = "SmoothQuant alpha 0.5 (shared per input), RTN",
	  .needs_calib = 1, .a8_only = 1, .hparams = MDL_HP_ALPHA, .quantize = mdl_smooth_q,
	  .group_scales = mdl_smooth_scales },
	{ .name = "wanda", .desc = "Wanda 2:4, |W| * ||X_j||, kept values RTN",
	  .needs_calib = 1, .sparse = 1, .quantize = mdl_wanda_q },
	{ .name = "sparsegpt", .desc = "SparseGPT 2:4, OBS pruning with joint quantization",
	  .needs_calib = 1, .sparse = 1, .hparams = MDL_HP_DAMP, .quantize = mdl_sparsegpt_q },
};

int mdl_algos_register_all(void)
{
	uint32_t i;
	int ret;

	for (i = 0; i < sizeof(mdl_algo_tab) / sizeof(mdl_algo_tab[0]); i++) {
		if (mdl_algo_find(mdl_algo_tab[i].name) == &mdl_algo_tab[i])
			continue;
		ret = mdl_algo_register(&mdl_algo_tab[i]);
		if (ret)
			return ret;
	}
	return 0;
}
