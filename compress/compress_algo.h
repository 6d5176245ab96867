/* SPDX-License-Identifier: MIT */
/*
 * Compression library, algorithms: calibration-driven post-training
 * quantization (GPTQ, AWQ, SmoothQuant) and 2:4 pruning (Wanda, SparseGPT)
 * of one linear layer, each producing an compress_qtensor in a device weight
 * format (the golden datapath and the device run it as is).
 *
 * Conventions (docs/compression.md has the formulas and defaults):
 *  - W is n output rows x k inputs, row-major, contiguous (FP32, finite).
 *  - X is m calibration rows (tokens) x k, row-major, contiguous; y = X W^T.
 *  - Every algorithm also has a *_calib form that takes streamed calibration
 *    statistics (struct compress_calib) instead of X, so a caller can feed
 *    activations batch by batch; both forms give identical results.
 *  - Options may be NULL (the defaults). Otherwise start from the
 *    COMPRESS_*_OPTS_INIT initializer and change fields; every field is used
 *    as given and checked. Results are deterministic and do not depend on
 *    how X was split into batches.
 *  - AWQ and SmoothQuant return a per-input-channel vector s (k floats): the
 *    qtensor holds Q(W diag(s)) and the caller must feed X diag(1/s), i.e.
 *    fold 1/s into the previous op (norm gain or previous layer's rows):
 *        y = (X diag(1/s)) (diag(s) W^T).
 *  - Errors are negative errno values (compress_strerror()): -EINVAL
 *    bad argument or non-finite input, -ENOTSUP format/algorithm mismatch,
 *    -EDOM calibration Hessian not positive definite even after damping,
 *    -ENOMEM.
 * Thread-safety: reentrant; an compress_calib may be read by many threads once
 * no thread adds to it.
 */
#ifndef COMPRESS_ALGO_H
#define COMPRESS_ALGO_H

#include <stdint.h>

#include "compress.h"

/* ---- calibration statistics ---------------------------------------------- */

struct compress_calib;

int compress_calib_new(uint32_t k, struct compress_calib **out);
/* Adds m rows of k activations (row stride ldx); rows must be finite. */
int compress_calib_add(struct compress_calib *c, const float *x, uint32_t m, uint32_t ldx);
void compress_calib_free(struct compress_calib *c);
uint32_t compress_calib_k(const struct compress_calib *c);
uint64_t compress_calib_rows(const struct compress_calib *c);

/* ---- GPTQ ------------------------------------------------------------------ */

struct compress_gptq_opts {
	double damp;		/* H += damp * mean(diag H) * I, damp >= 0 */
	uint32_t block;		/* columns per lazy-update block (multiple of the group) */
	uint32_t act_order;	/* 1: columns by diag(H) descending (implies static_groups) */
	uint32_t static_groups;	/* 1: every group's scale from the unquantized W */
};

#define COMPRESS_GPTQ_OPTS_INIT { .damp = 0.01, .block = 128, .act_order = 0, .static_groups = 0 }

/* Dense formats only (2:4 formats: compress_sparsegpt24). */
int compress_gptq(const float *w, uint32_t n, uint32_t k, const float *x, uint32_t m,
		  const struct compress_qparams *p, const struct compress_gptq_opts *o,
		  struct compress_qtensor **out);
int compress_gptq_calib(const float *w, uint32_t n, uint32_t k, const struct compress_calib *c,
			const struct compress_qparams *p, const struct compress_gptq_opts *o,
			struct compress_qtensor **out);

/* ---- AWQ ------------------------------------------------------------------- */

struct compress_awq_opts {
	uint32_t grid;		/* alpha in {0, 1/grid, .., (grid-1)/grid}, grid >= 1 */
	uint32_t clip;		/* 1: per-block clipping search after the scale search */
	uint32_t clip_grid;	/* clip ratios 1 - i/clip_grid, i >= 0 ... */
	float clip_min;		/* ... while the ratio stays above clip_min (0 < clip_min < 1) */
};

#define COMPRESS_AWQ_OPTS_INIT { .grid = 20, .clip = 1, .clip_grid = 20, .clip_min = 0.5f }

/* Dense formats only. @s receives k scales (see the header comment). */
int compress_awq(const float *w, uint32_t n, uint32_t k, const float *x, uint32_t m,
		 const struct compress_qparams *p, const struct compress_awq_opts *o,
		 struct compress_qtensor **out, float *s);
int compress_awq_calib(const float *w, uint32_t n, uint32_t k, const struct compress_calib *c,
		       const struct compress_qparams *p, const struct compress_awq_opts *o,
		       struct compress_qtensor **out, float *s);
/*
 * AWQ with given scales s (k floats > 0; o->grid unused): clip search and
 * quantization of W diag(s). For layers that read one input and so share
 * one s (q/k/v; the FFN's up and gate): s from compress_awq() on their rows
 * stacked, then each layer on its own; its rows come out as in the stacked
 * tensor (except NVFP4, whose tensor scale spans the whole tensor).
 */
int compress_awq_apply(const float *w, uint32_t n, uint32_t k, const float *x, uint32_t m,
		       const struct compress_qparams *p, const struct compress_awq_opts *o,
		       const float *s, struct compress_qtensor **out);
int compress_awq_apply_calib(const float *w, uint32_t n, uint32_t k, const struct compress_calib *c,
			     const struct compress_qparams *p, const struct compress_awq_opts *o,
			     const float *s, struct compress_qtensor **out);

/* ---- SmoothQuant ----------------------------------------------------------- */

struct compress_smooth_opts {
	float alpha;		/* migration strength in [0, 1] */
};

#define COMPRESS_SMOOTH_OPTS_INIT { .alpha = 0.5f }

/*
 * Formats that run with int8 activations (dp_fmt_info()->a8; W8A8 = INT8).
 * @s receives k scales; the device then quantizes each row of X diag(1/s)
 * per token (docs/numerics.md "Dynamic activation quantization").
 */
int compress_smoothquant(const float *w, uint32_t n, uint32_t k, const float *x, uint32_t m,
			 const struct compress_qparams *p, const struct compress_smooth_opts *o,
			 struct compress_qtensor **out, float *s);
int compress_smoothquant_calib(const float *w, uint32_t n, uint32_t k,
			       const struct compress_calib *c, const struct compress_qparams *p,
			       const struct compress_smooth_opts *o, struct compress_qtensor **out,
			       float *s);

/* ---- 2:4 pruning ----------------------------------------------------------- */

/*
 * 2:4 formats only (SP_BF16 = pruning alone, SP_INT8 / SP_INT4 = pruned and
 * quantized). Wanda keeps, of every 4 weights along k, the two with the
 * largest |W_ij| * ||X_j||_2; no weight update.
 */
int compress_wanda24(const float *w, uint32_t n, uint32_t k, const float *x, uint32_t m,
		     const struct compress_qparams *p, struct compress_qtensor **out);
int compress_wanda24_calib(const float *w, uint32_t n, uint32_t k, const struct compress_calib *c,
			   const struct compress_qparams *p, struct compress_qtensor **out);

struct compress_sparsegpt_opts {
	double damp;		/* as GPTQ */
	uint32_t block;		/* as GPTQ, and a multiple of 4 */
};

/*
 * damp 0.03, not the reference's 0.01: chosen on the validation split (make
 * hparam-select, docs/compression.md "Defaults chosen on validation"): 0.01
 * was worse on the language model by about 0.012 bits/byte at every 2:4
 * format, 0.03 as good as 0.1 there and better on one classifier row.
 */
#define COMPRESS_SPARSEGPT_OPTS_INIT { .damp = 0.03, .block = 128 }

/* 2:4 formats only: OBS pruning with error feedback, jointly quantized. */
int compress_sparsegpt24(const float *w, uint32_t n, uint32_t k, const float *x, uint32_t m,
			 const struct compress_qparams *p, const struct compress_sparsegpt_opts *o,
			 struct compress_qtensor **out);
int compress_sparsegpt24_calib(const float *w, uint32_t n, uint32_t k,
			       const struct compress_calib *c, const struct compress_qparams *p,
			       const struct compress_sparsegpt_opts *o,
			       struct compress_qtensor **out);

/*
 * RTN into a 2:4 format with a caller-chosen mask (n x k, 1 = keep): every
 * group of 4 along k keeps exactly min(2, valid) positions (compress_prune24's
 * mask qualifies). Scales cover kept values only, as the device's rule.
 */
int compress_quantize_mask(const float *w, uint32_t n, uint32_t k, const uint8_t *mask,
			   const struct compress_qparams *p, struct compress_qtensor **out);

/* ---- evaluation -------------------------------------------------------------- */

/*
 * Relative output error of a compressed layer on activations X (m x k):
 * ||X W^T - (X diag(1/s)) Wq^T||_F / ||X W^T||_F, with Wq the golden
 * dequantization of @qt (s NULL: all ones). Weight error only: activations
 * stay FP32 and sums are in double.
 */
int compress_output_error(const float *w, uint32_t n, uint32_t k, const float *x, uint32_t m,
			  const struct compress_qtensor *qt, const float *s, double *rel);
/*
 * The same through the device's W8A8-style path: rows of X diag(1/s) are
 * rounded to BF16, quantized to int8 per token and multiplied by the golden
 * GEMM (dp_gemm_ref, int8 activations). @qt's format must allow A8.
 */
int compress_output_error_a8(const float *w, uint32_t n, uint32_t k, const float *x, uint32_t m,
			     const struct compress_qtensor *qt, const float *s, double *rel);

#endif /* COMPRESS_ALGO_H */
