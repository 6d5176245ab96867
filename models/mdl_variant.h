/* SPDX-License-Identifier: MIT */
/*
 * Quasar models: compressed variants of a model.
 *
 * A variant applies one recipe to every linear layer: an algorithm packs
 * the layer's FP32 weights into a weight format (struct compress_qparams), and
 * the layer then runs with BF16 (A16) or int8 (A8) activations.
 *
 * The plug-in point for compression algorithms is struct mdl_algo: a
 * function "pack this linear layer, given its calibration inputs". RTN and
 * 2:4 magnitude pruning are built in; GPTQ, AWQ, SmoothQuant, Wanda and
 * SparseGPT register the same way (mdl_algo_register) and are then
 * selectable by name in a variant spec.
 *
 * Spec syntax: FORMAT/ACT[/ALGO[:KEY=VALUE]...], e.g. "int4-g128-asym/a8/rtn",
 * "int4-g32/a16/gptq:damp=0.1".
 *   FORMAT  bf16 int8 int4-gG[-asym] mxint8 mxfp8 mxfp4 nvfp4 nvfp4-1l
 *           sp-bf16 sp-int8 sp-int4-gG[-asym]       (G = 32, 64, 128; sp- = 2:4)
 *   ACT     a16 (BF16 activations) | a8 (int8 per row, formats that allow it)
 *   ALGO    defaults to rtn for dense formats, mag24 for 2:4 ones
 *   KEY     a hyperparameter the algorithm takes (struct mdl_hparams); without
 *           one the algorithm runs with the compression library's default
 */
#ifndef MDL_VARIANT_H
#define MDL_VARIANT_H

#include <stddef.h>
#include <stdint.h>

#include "compress.h"
#include "mdl_calib.h"
#include "mdl_linear.h"

/*
 * Hyperparameters a variant spec may set (ALGO:KEY=VALUE), for choosing the
 * library's defaults on the validation split (make hparam-select). A field
 * is used only when its bit is in @set; otherwise the algorithm runs with
 * the library's default (compress_algo.h, COMPRESS_*_OPTS_INIT).
 */
enum mdl_hparam {
	MDL_HP_DAMP = 1u << 0,	/* damp: GPTQ's / SparseGPT's Hessian damping, 0 to 10 */
	MDL_HP_GRID = 1u << 1,	/* grid: AWQ's alpha grid size, 1 to 1000 */
	MDL_HP_ALPHA = 1u << 2,	/* alpha: SmoothQuant's migration strength, 0 to 1 */
};

struct mdl_hparams {
	uint32_t set;		/* enum mdl_hparam bits of the fields given */
	double damp;
	uint32_t grid;
	float alpha;
};

struct mdl_algo {
	const char *name;
	const char *desc;
	uint32_t needs_calib;	/* 1: quantize() gets the layer's calibration inputs */
	uint32_t sparse;	/* 1: packs the 2:4 formats (SP_*), 0: the dense ones */
	uint32_t a8_only;	/* 1: only with int8 activations (SmoothQuant) */
	uint32_t hparams;	/* enum mdl_hparam bits a spec may set for it */
	/*
	 * Packs w (n rows of k floats, row stride k) into p's format.
	 * cal: the layer's calibration inputs (rows x k), NULL unless needs_calib.
	 * s: k input-channel scales. Without group_scales they are all 1 on
	 * entry and an algorithm that packs Q(W diag(s)) may write its own s;
	 * with group_scales they are the group's s and must be used as given.
	 * Either way the layer then multiplies its input by 1/s.
	 * hp: the variant's hyperparameters (only bits of @hparams are ever set).
	 */
	int (*quantize)(const float *w, uint32_t n, uint32_t k, const struct mdl_calib *cal,
			const struct compress_qparams *p, const struct mdl_hparams *hp,
			struct compress_qtensor **out, float *s);
	/*
	 * Optional (AWQ, SmoothQuant): one s (k floats) for every layer that
	 * reads the same input (mdl_lin.in_group: q/k/v, the FFN's w1/w3),
	 * computed from their rows stacked into w (n = all their rows) and the
	 * group's calibration inputs. One s because a device folds 1/s into
	 * the single op that produces the shared input (RMSNorm's gain).
	 */
	int (*group_scales)(const float *w, uint32_t n, uint32_t k, const struct mdl_calib *cal,
			    const struct compress_qparams *p, const struct mdl_hparams *hp,
			    float *s);
};

#define MDL_ALGOS_MAX 32

/*
 * Adds an algorithm to the registry (names must be unique). Not
 * thread-safe: register at start-up, before any lookup.
 */
int mdl_algo_register(const struct mdl_algo *a);
/* Registers GPTQ, AWQ, SmoothQuant, Wanda and SparseGPT (mdl_compress_algos.c); idempotent. */
int mdl_algos_register_all(void);
const struct mdl_algo *mdl_algo_find(const char *name);
/* The i-th registered algorithm, NULL past the end. */
const struct mdl_algo *mdl_algo_at(uint32_t i);

#define MDL_VARIANT_NAME 48

struct mdl_variant {
	char name[MDL_VARIANT_NAME];	/* canonical spec (hyperparameters as given) */
	char fmt_name[24];
	const struct mdl_algo *algo;
	struct mdl_hparams hp;
	struct compress_qparams qp;
	uint32_t afmt;			/* DP_A_BF16 or DP_A_INT8 */
};

int mdl_variant_parse(const char *spec, struct mdl_variant *v, char *err, size_t errlen);

/* The standard sweep: every format with A16, and with A8 where allowed. */
uint32_t mdl_variant_defaults(struct mdl_variant *out, uint32_t max);

/*
 * Packs every layer of @fp32 with the variant's recipe into @out (which
 * shares fp32's FP32 arrays; free with mdl_linset_free(out, 0)). @cal may
 * be NULL when the algorithm needs no calibration.
 */
int mdl_variant_build(const struct mdl_variant *v, const struct mdl_linset *fp32,
		      const struct mdl_calib_set *cal, struct mdl_linset *out, char *err,
		      size_t errlen);

/*
 * Sequential calibration: packs the layers in execution order, a stage at
 * a time (layers reading one input together: q/k/v, w1/w3), each stage
 * calibrated on the inputs @src's sample produces when run through the
 * layers packed so far. So every layer sees the error of the compressed
 * layers before it, as GPTQ is published; the first stage gets the FP32
 * model's inputs. Costs about (stages / 2) forward passes of the sample.
 * For algorithms without calibration it is mdl_variant_build.
 */
int mdl_variant_build_seq(const struct mdl_variant *v, const struct mdl_linset *fp32,
			  const struct mdl_calib_src *src, struct mdl_linset *out, char *err,
			  size_t errlen);

/* Building blocks of both builds (mdl_variant.c). */
/* The one s of the layers reading layer @leader's input, from @cal (its inputs). */
int mdl_variant_group_scale(const struct mdl_variant *v, const struct mdl_linset *ls,
			    uint32_t leader, const struct mdl_calib *cal, float *s);
/* Packs @l in place; @gs is its group's s (group_scales algorithms) or NULL. */
int mdl_variant_pack(const struct mdl_variant *v, struct mdl_lin *l, const struct mdl_calib *c,
		     const float *gs, char *err, size_t errlen);

#endif /* MDL_VARIANT_H */
