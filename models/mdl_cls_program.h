/* SPDX-License-Identifier: MIT */
/*
 * Quasar models: the classifier's forward pass as a device program
 * (mdl_program.h), every op on the device, over batches of images.
 *
 *   x    FP32 [B][784]  pixels / 255, written by the host (INPUT)
 *   CONVERT  x -> BF16                                the first GEMM's input
 *   per layer i, when it has input factors 1/s (AWQ, SmoothQuant):
 *     MUL      a = (its FP32 input) * S_i             S_i: the row 1/s (WEIGHTS), for
 *                                                     every row (ISA v2's ROW_B)
 *     CONVERT  a -> BF16
 *   GEMM     h_i = act(x_i W_i^T + b_i)               A8 when the layer is; out BF16, or
 *                                                     FP32 when the next layer scales it
 *                                                     first, and for the logits (OUTPUT)
 *
 * These are the numerics of the linear-only path (mdl_linear.c) op for op:
 * the same FP32 input, the same product by 1/s before the same BF16
 * rounding (CONVERT and the GEMM's BF16 output round to nearest even, as
 * dp_f32_to_bf16 does), the same A8 quantization of each BF16 row, the same
 * GEMM and epilogue. So a variant's logits here equal accel-eval's bit for
 * bit (tests/models/mdl_device_test.c checks it).
 */
#ifndef MDL_CLS_PROGRAM_H
#define MDL_CLS_PROGRAM_H

#include <stddef.h>
#include <stdint.h>

#include "mdl_cls.h"
#include "mdl_data.h"
#include "mdl_device_figures.h"
#include "mdl_linear.h"
#include "mdl_program.h"

/* Batches of this many images unless told otherwise. */
#define MDL_CLS_DEVICE_BATCH	1000u

/*
 * The program of @c with @ls (every layer packed: a variant or a packed
 * file's layer set) for batches of up to @batch images.
 */
int mdl_cls_program(const struct mdl_cls *c, const struct mdl_linset *ls, uint32_t batch,
		    struct mdl_program *p, char *err, size_t errlen);

/*
 * Runs the first @limit images (0: all) of @im through @l in batches of
 * its batch size; fills @f's items, correct, outputs digest and one job
 * per batch (the caller sets the rest). @logits (optional) gets every
 * image's 10 logits.
 */
int mdl_cls_device_run(struct mdl_loaded *l, const struct mdl_images *im, uint32_t limit,
		       struct mdl_dev_figures *f, float *logits, char *err, size_t errlen);

#endif /* MDL_CLS_PROGRAM_H */
