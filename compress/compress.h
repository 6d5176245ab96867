/* SPDX-License-Identifier: MIT */
/*
 * Compression library (libquasar_compress.a), quantized tensors: quantize
 * FP32 weights into every Quasar weight format, pack/unpack between the
 * device layout and plain row-major arrays, 2:4 magnitude pruning, and an
 * error report against the original. The algorithms are compress_algo.h;
 * the upload into libaccel is compress_libaccel.h.
 *
 * Every rule (rounding, scale choice) is the datapath's own (dp_quant.h,
 * docs/numerics.md); this layer allocates, validates and reports.
 * Errors are negative errno values; compress_strerror() names them.
 * Thread-safety: functions are reentrant; a qtensor is immutable after
 * creation and may be read from many threads.
 */
#ifndef COMPRESS_H
#define COMPRESS_H

#include <stddef.h>
#include <stdint.h>

#include "dp_format.h"

struct compress_qtensor;

struct compress_qparams {
	uint32_t fmt;		/* enum dp_wfmt */
	uint32_t group;		/* INT4/SP_INT4: 32, 64, 128; others 0 */
	uint32_t asym;		/* INT4/SP_INT4: 1 = zero points (asymmetric) */
	uint32_t nvfp4_1level;	/* NVFP4: 1 = no tensor scale */
};

/* Quantizes w (n rows of k floats, stride ldw). Inputs must be finite. */
int compress_quantize(const float *w, uint32_t n, uint32_t k, uint32_t ldw,
		      const struct compress_qparams *p, struct compress_qtensor **out);
void compress_qtensor_free(struct compress_qtensor *qt);
const struct dp_wt *compress_qtensor_wt(const struct compress_qtensor *qt);
/*
 * Copies a packed view (buffers in the device layout, e.g. read from a file)
 * into a new qtensor. The shape and every buffer the format needs are
 * checked (dp_wt_check); the codes are taken as they are.
 */
int compress_qtensor_import(const struct dp_wt *w, struct compress_qtensor **out);
/* Bytes of weights+scales+zeros+index codes the device reads. */
size_t compress_qtensor_bytes(const struct compress_qtensor *qt);
int compress_qtensor_dequant(const struct compress_qtensor *qt, float *y, uint32_t ldy);

/*
 * Plain form: every stored item in row-major order, one per array entry.
 * codes[n][kstore] (BF16 bits, int8 as uint8, or 4-bit codes), scales[n][blocks]
 * (raw bits: FP32, BF16, E8M0 or E4M3), zeros[n][blocks], meta[n][kpad/4].
 */
struct compress_plain {
	uint32_t fmt, n, k, group, flags;
	float tensor_scale;
	uint32_t kstore, blocks, kmeta;
	uint16_t *codes;
	uint32_t *scales;
	uint8_t *zeros;
	uint8_t *meta;
};

/* Allocates the arrays of @pl for its fmt/n/k/group/flags (zero-filled). */
int compress_plain_alloc(struct compress_plain *pl);
void compress_plain_free(struct compress_plain *pl);
/* Device layout from plain arrays (checks every code fits its width). */
int compress_pack(const struct compress_plain *pl, struct compress_qtensor **out);
/* Plain arrays from the device layout; allocates pl's arrays. */
int compress_unpack(const struct compress_qtensor *qt, struct compress_plain *pl);

/*
 * 2:4 magnitude pruning: of every 4 consecutive weights along K keep the two
 * largest |w| (ties: lower index), zero the rest. @mask (optional) gets 1
 * for kept positions. y may equal w.
 */
int compress_prune24(const float *w, uint32_t n, uint32_t k, uint32_t ldw, float *y,
		     uint8_t *mask);

struct compress_qerr {
	double rmse;
	double max_abs;
	double sqnr_db;		/* 10 log10(sum x^2 / sum (x - q)^2); +Inf if exact */
};

int compress_error_report(const struct compress_qtensor *qt, const float *orig, uint32_t ldo,
			  struct compress_qerr *r);

const char *compress_strerror(int err);

#endif /* COMPRESS_H */
