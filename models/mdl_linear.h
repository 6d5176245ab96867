/* SPDX-License-Identifier: MIT */
/*
 * Quasar models: linear layers as the evaluator runs them.
 *
 * A layer either keeps its FP32 weights (the reference: mdl_mm, one
 * sequential sum per output) or holds packed weights that run through the
 * datapath GEMM (dp_gemm.h) exactly as the device computes it: activations
 * rounded to BF16 (A16) or further quantized to int8 per row (A8), FP32
 * accumulation in the specified order, bias and activation in the GEMM's
 * epilogue. With isa DP_ISA_SCALAR the golden model itself (dp_gemm_ref)
 * computes every output; the SIMD kernels are bit-exact with it
 * (docs/numerics.md, tests/datapath), so any isa gives the same bits.
 */
#ifndef MDL_LINEAR_H
#define MDL_LINEAR_H

#include <stddef.h>
#include <stdint.h>

#include "compress.h"
#include "dp_format.h"
#include "mdl_thread_pool.h"

#define MDL_LIN_NAME 32

struct mdl_lin {
	char name[MDL_LIN_NAME];	/* "l0.wq", "fc1", ... */
	uint32_t n, k;			/* outputs, inputs */
	const float *w;			/* FP32 [n][k] (owned by the model) */
	float *wt;			/* FP32 [k][n] for the reference product */
	const float *bias;		/* n floats or NULL */
	uint32_t act;			/* enum dp_act, applied after the bias */
	struct compress_qtensor *qt;	/* packed weights; NULL runs FP32 */
	uint32_t afmt;			/* with qt: DP_A_BF16 or DP_A_INT8 */
	/*
	 * With qt, optional k factors 1/s the input is multiplied by (FP32)
	 * before the GEMM: AWQ and SmoothQuant pack Q(W diag(s)) and need
	 * X diag(1/s) (on a device, folded into the previous operation).
	 */
	float *in_inv;
	/*
	 * Id of the first layer that reads the same input (its own id when it
	 * is alone): such layers share one set of input scales (AWQ,
	 * SmoothQuant), because one preceding op can be divided by only one s.
	 */
	uint32_t in_group;
};

/* Every linear layer of a model, in a fixed order (ids index calibration data). */
struct mdl_linset {
	uint32_t count;
	struct mdl_lin *l;
};

struct mdl_exec;

/* Observer of every linear layer's FP32 input rows (calibration capture). */
typedef int (*mdl_tap_fn)(void *arg, uint32_t id, const struct mdl_lin *l, const float *x,
			  uint32_t m);

/* Not thread-safe: one caller at a time; the layers themselves use the pool. */
int mdl_exec_create(struct mdl_pool *pool, uint32_t isa, struct mdl_exec **out);
void mdl_exec_free(struct mdl_exec *ex);
struct mdl_pool *mdl_exec_pool(const struct mdl_exec *ex);
uint32_t mdl_exec_isa(const struct mdl_exec *ex);
void mdl_exec_set_tap(struct mdl_exec *ex, mdl_tap_fn fn, void *arg);

/* y[m][n] = epilogue(x[m][k] * W^T) for layer @id of @ls. */
int mdl_lin_run(struct mdl_exec *ex, const struct mdl_linset *ls, uint32_t id, const float *x,
		uint32_t m, float *y);

/* Adds an FP32 layer (wt is computed); returns its id or a negative errno. */
int mdl_linset_add(struct mdl_linset *ls, const char *name, const float *w, uint32_t n,
		   uint32_t k, const float *bias, uint32_t act);
/* Layer @id reads the same input as layer @with (an earlier one); -EINVAL otherwise. */
int mdl_linset_share_input(struct mdl_linset *ls, uint32_t id, uint32_t with);
/* Copies the FP32 layers (sharing w/wt) without packed weights. */
int mdl_linset_clone(const struct mdl_linset *src, struct mdl_linset *dst);
/* Frees the packed tensors and input scales and, if @owner, the transposed FP32 copies. */
void mdl_linset_free(struct mdl_linset *ls, int owner);

/* Parameters (sum n * k) and device bytes (packed, or 4 per FP32 weight). */
size_t mdl_linset_params(const struct mdl_linset *ls);
size_t mdl_linset_bytes(const struct mdl_linset *ls);

#endif /* MDL_LINEAR_H */
