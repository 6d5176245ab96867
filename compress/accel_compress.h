/* SPDX-License-Identifier: MIT */
/*
 * libaccel compression producers: quantize FP32 weights into every Quasar
 * weight format, pack/unpack between the device layout and plain row-major
 * arrays, 2:4 magnitude pruning, and an error report against the original.
 *
 * Every rule (rounding, scale choice) is the datapath's own (dp_quant.h,
 * docs/numerics.md); this layer allocates, validates and reports.
 * Errors are negative errno values; accel_compress_strerror() names them.
 * Thread-safety: functions are reentrant; a qtensor is immutable after
 * creation and may be read from many threads.
 */
#ifndef ACCEL_COMPRESS_H
#define ACCEL_COMPRESS_H

#include <stddef.h>
#include <stdint.h>

#include "dp_format.h"

struct accel_qtensor;

struct accel_qparams {
	uint32_t fmt;		/* enum dp_wfmt */
	uint32_t group;		/* INT4/SP_INT4: 32, 64, 128; others 0 */
	uint32_t asym;		/* INT4/SP_INT4: 1 = zero points (asymmetric) */
	uint32_t nvfp4_1level;	/* NVFP4: 1 = no tensor scale */
};

/* Quantizes w (n rows of k floats, stride ldw). Inputs must be finite. */
int accel_quantize(const float *w, uint32_t n, uint32_t k, uint32_t ldw,
		   const struct accel_qparams *p, struct accel_qtensor **out);
void accel_qtensor_free(struct accel_qtensor *qt);
const struct dp_wt *accel_qtensor_wt(const struct accel_qtensor *qt);
/*
 * Copies a packed view (buffers in the device layout, e.g. read from a file)
 * into a new qtensor. The shape and every buffer the format needs are
 * checked (dp_wt_check); the codes are taken as they are.
 */
int accel_qtensor_import(const struct dp_wt *w, struct accel_qtensor **out);
/* Bytes of weights+scales+zeros+index codes the device reads. */
size_t accel_qtensor_bytes(const struct accel_qtensor *qt);
int accel_qtensor_dequant(const struct accel_qtensor *qt, float *y, uint32_t ldy);

/*
 * Plain form: every stored item in row-major order, one per array entry.
 * codes[n][kstore] (BF16 bits, int8 as uint8, or 4-bit codes), scales[n][blocks]
 * (raw bits: FP32, BF16, E8M0 or E4M3), zeros[n][blocks], meta[n][kpad/4].
 */
struct accel_plain {
	uint32_t fmt, n, k, group, flags;
	float tensor_scale;
	uint32_t kstore, blocks, kmeta;
	uint16_t *codes;
	uint32_t *scales;
	uint8_t *zeros;
	uint8_t *meta;
};

/* Allocates the arrays of @pl for its fmt/n/k/group/flags (zero-filled). */
int accel_plain_alloc(struct accel_plain *pl);
void accel_plain_free(struct accel_plain *pl);
/* Device layout from plain arrays (checks every code fits its width). */
int accel_pack(const struct accel_plain *pl, struct accel_qtensor **out);
/* Plain arrays from the device layout; allocates pl's arrays. */
int accel_unpack(const struct accel_qtensor *qt, struct accel_plain *pl);

/*
 * 2:4 magnitude pruning: of every 4 consecutive weights along K keep the two
 * largest |w| (ties: lower index), zero the rest. @mask (optional) gets 1
 * for kept positions. y may equal w.
 */
int accel_prune24(const float *w, uint32_t n, uint32_t k, uint32_t ldw, float *y,
		  uint8_t *mask);

struct accel_qerr {
	double rmse;
	double max_abs;
	double sqnr_db;		/* 10 log10(sum x^2 / sum (x - q)^2); +Inf if exact */
};

int accel_error_report(const struct accel_qtensor *qt, const float *orig, uint32_t ldo,
		       struct accel_qerr *r);

const char *accel_compress_strerror(int err);

#endif /* ACCEL_COMPRESS_H */
