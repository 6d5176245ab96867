/* SPDX-License-Identifier: MIT */
/*
 * Quasar models: device programs. A model's forward pass over a batch as
 * one command stream in which every op runs on the device, in three parts:
 *
 * - The memory plan: four regions, and where each tensor lies in them.
 *   Weights (packed matrices, biases, input factors) are written once;
 *   the host writes the batch's input before each run and reads the output
 *   after it; activations between ops never leave the device.
 * - The ops over views of planned tensors: GEMM (with its epilogue), MUL,
 *   ADD (either with a row for every row), CONVERT, RMSNORM, ROPE, MATMUL,
 *   SOFTMAX (causal or not) and EMBED (a COPY of a table row per token).
 *   A view may follow the step (struct mdl_step): the rows of the new
 *   positions, of every position so far, a sequence's slot of a KV cache.
 * - The stream, built from both once a backend has placed the regions
 *   (mdl_program_stream()) by libaccel's device-free builder
 *   (accel_stream.h), which encodes and checks each op with the encoder
 *   libaccel's own op calls use and adds the ISA_VERSION and BARRIERs the
 *   stream's rules ask for. So the stream is the same bytes on every
 *   backend up to the regions' base addresses.
 *
 * Backends (mdl_backend.h) place the regions and run the stream: the
 * device through libaccel (one BO per region, submit, wait, JOB_STATS)
 * or the firmware in process (fwrun/, no VM). mdl_program_load() and
 * mdl_program_run() (mdl_program_run.c) drive either. The models' own
 * programs: the classifier's, mdl_cls_program.h; the language model's,
 * mdl_lm_program.h.
 */
#ifndef MDL_PROGRAM_H
#define MDL_PROGRAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <accel_ops.h>
#include <accel_stream.h>

enum mdl_region {
	MDL_REGION_WEIGHTS,	/* packed weights, biases, input factors: written once */
	MDL_REGION_INPUT,	/* the batch's input: written before every run */
	MDL_REGION_ACT,		/* activations between ops: the device's own */
	MDL_REGION_OUTPUT,	/* the batch's output: read after every run */
	MDL_REGIONS
};

#define MDL_PROGRAM_ALIGN	64	/* every tensor starts on a 64-byte boundary */
#define MDL_TENSOR_NAME		48

/*
 * A planned tensor. Plain: @rows x @cols of @format, where a batched
 * tensor has the run's rows (at most the program's batch). Packed:
 * @w's format, shape, group, flags and tensor scale (its pointers unused).
 * A tensor with @seq_rows holds one slot of that many rows per sequence
 * (a KV cache: @rows = sequences x positions); views into it start in the
 * slot of the step's sequence.
 */
struct mdl_dev_tensor {
	char name[MDL_TENSOR_NAME];
	uint32_t region;
	uint64_t offset;	/* bytes from the region's base */
	uint64_t bytes;		/* planned for the program's batch */
	uint32_t format;	/* DRM_QUASAR_FORMAT_* */
	uint32_t rows, cols;
	bool batched;
	uint32_t seq_rows;	/* rows per sequence slot; 0: not per sequence */
	struct accel_weights w;
};

/*
 * One job's place in a sequence (a language model's step): @rows new
 * rows (positions pos .. pos + rows - 1 of sequence @seq), and for an
 * EMBED op the token ids of those rows. A program without such ops runs
 * every step at pos 0 of sequence 0.
 */
struct mdl_step {
	uint32_t rows;
	uint32_t pos;
	uint32_t seq;
	const uint32_t *tokens;	/* @rows ids, or NULL */
};

/* How a view's rows and columns follow the step (struct mdl_step). */
enum mdl_view_flags {
	MDL_VIEW_AT_POS = 1u << 0,	/* rows start at row0 + the step's pos */
	MDL_VIEW_RUN_ROWS = 1u << 1,	/* the step's rows (else @rows) */
	MDL_VIEW_CTX_ROWS = 1u << 2,	/* pos + the step's rows: every position so far */
	MDL_VIEW_CTX_COLS = 1u << 3,	/* columns: pos + the step's rows (else @cols) */
};

/*
 * Part of a plain tensor as one operand: rows row0 .. of columns col0 ..,
 * the tensor's row pitch apart, and with @batch > 1 that many such
 * matrices @batch_rows rows apart ({1, batch, rows, cols}). The whole of
 * a tensor is mdl_view_all(). Packed weights are always whole.
 */
struct mdl_dev_view {
	uint32_t t;		/* tensor id; MDL_NO_TENSOR: no operand */
	uint32_t flags;		/* enum mdl_view_flags */
	uint32_t row0, rows;
	uint32_t col0, cols;	/* cols 0: every column from col0 */
	uint32_t batch, batch_rows;	/* batch 0 or 1: one matrix */
};

#define MDL_NO_TENSOR	UINT32_MAX

enum mdl_dev_op_kind {
	MDL_DEV_GEMM,		/* y = epilogue(a * b^T), b packed; c bias, d residual */
	MDL_DEV_MUL,		/* y = a * b, elementwise FP32 (b one row: every row) */
	MDL_DEV_CONVERT,	/* y = a in y's format */
	MDL_DEV_ADD,		/* y = a + b, as MUL */
	MDL_DEV_RMSNORM,	/* y = rmsnorm(a) with gain b, eps @scalar */
	MDL_DEV_ROPE,		/* y = rope(a) with cos b and sin c (rows of the tables) */
	MDL_DEV_MATMUL,		/* y = @scalar * a * b (b^T with TRANS_B); CAUSAL at the pos */
	MDL_DEV_SOFTMAX,	/* y = softmax(a) per row; with CAUSAL masked at the pos */
	MDL_DEV_EMBED,		/* y's row i = row tokens[i] of table a: a COPY per row */
	MDL_DEV_OP_KINDS
};

/*
 * An op over views. @flags: GEMM DRM_QUASAR_GEMM_A8; MATMUL
 * DRM_QUASAR_MATMUL_TRANS_B and _CAUSAL; SOFTMAX DRM_QUASAR_SOFTMAX_CAUSAL;
 * the causal offset is the step's pos.
 */
struct mdl_dev_op {
	uint32_t kind;
	struct mdl_dev_view y, a, b, c, d;
	uint32_t act;		/* GEMM: enum drm_quasar_act */
	uint32_t flags;
	float scalar;		/* MATMUL alpha, RMSNORM eps */
};

struct mdl_program {
	uint32_t batch;			/* the most rows a run takes */
	uint64_t size[MDL_REGIONS];	/* bytes each region needs */
	uint8_t *weights;		/* the weights region's contents */
	struct mdl_dev_tensor *t;
	uint32_t nt, cap_t;
	struct mdl_dev_op *op;
	uint32_t nop, cap_op;
	int32_t input, output;		/* tensors the host writes and reads; -1: none */
};

/* An empty program for runs of up to @batch rows. */
int mdl_program_init(struct mdl_program *p, uint32_t batch);
void mdl_program_free(struct mdl_program *p);

/*
 * Plans a plain tensor in @region (not WEIGHTS) of @rows x @cols
 * (@batched: the run's rows, @rows ignored). Returns its id or -errno.
 */
int mdl_program_tensor(struct mdl_program *p, const char *name, uint32_t region,
		       uint32_t format, uint32_t rows, uint32_t cols, bool batched);
/* Packed weights in the weights region, their bytes copied now; id or -errno. */
int mdl_program_weights(struct mdl_program *p, const char *name, const struct accel_weights *w);
/*
 * FP32 values in the weights region, copied now: @rows x @cols, or with
 * @batched the batch's rows, each a copy of the @cols values (an input
 * factor as an elementwise operand). Returns its id or -errno.
 */
int mdl_program_const(struct mdl_program *p, const char *name, const float *v, uint32_t rows,
		      uint32_t cols, bool batched);

/* Ops over whole tensors, in execution order; 0 or -errno (ids out of range). */
int mdl_program_gemm(struct mdl_program *p, uint32_t y, uint32_t x, uint32_t w, int32_t bias,
		     uint32_t act, uint32_t flags);
int mdl_program_mul(struct mdl_program *p, uint32_t y, uint32_t a, uint32_t b);
int mdl_program_convert(struct mdl_program *p, uint32_t y, uint32_t x);

/* The whole of tensor @id: its rows (the run's when batched), every column. */
struct mdl_dev_view mdl_view_all(const struct mdl_program *p, uint32_t id);
/* No operand. */
struct mdl_dev_view mdl_view_none(void);
/* Any op over views, appended; 0 or -errno (ids out of range, unknown kind). */
int mdl_program_op(struct mdl_program *p, const struct mdl_dev_op *op);

/*
 * The stream of one run of @rows rows (1..batch) with the regions at
 * @base, appended to @s (reset first). Errors name the op and carry
 * libaccel's reason (the device status the op would get).
 */
int mdl_program_stream(const struct mdl_program *p, const uint64_t base[MDL_REGIONS],
		       uint32_t rows, struct accel_stream *s, char *err, size_t errlen);
/*
 * The same for a step (rows 1..batch at a pos and sequence, tokens for
 * EMBED). A view past its tensor (a context longer than the cache, a
 * sequence without a slot) or a token id past the table's rows is
 * refused with the op, the limit and the value.
 */
int mdl_program_stream_step(const struct mdl_program *p, const uint64_t base[MDL_REGIONS],
			    const struct mdl_step *step, struct accel_stream *s, char *err,
			    size_t errlen);

/* Where a view lies for a step: first row (in its sequence's slot), rows, first column, columns. */
struct mdl_extent {
	uint64_t row0;
	uint32_t rows, col0, cols;
};

/*
 * View @v of @p for @step: its extent, checked against its tensor (errors
 * in @why name the tensor and the limit it would pass); and the same view
 * as the operand a command carries, with the regions at @base.
 */
int mdl_view_extent(const struct mdl_program *p, const struct mdl_dev_view *v,
		    const struct mdl_step *step, struct mdl_extent *e, char *why, size_t whylen);
int mdl_view_operand(const struct mdl_program *p, const struct mdl_dev_view *v,
		     const uint64_t *base, const struct mdl_step *step, struct accel_operand *o,
		     char *why, size_t whylen);
/* "GEMM", "MATMUL", ... for an enum mdl_dev_op_kind. */
const char *mdl_op_name(uint32_t kind);

/* Bytes of @rows rows of a batched tensor (or all of a fixed one). */
uint64_t mdl_tensor_bytes(const struct mdl_dev_tensor *t, uint32_t rows);

struct mdl_backend;
/* A step's stream kept to be patched (mdl_program_patch.c); freed by the unload. */
struct mdl_step_stream;
void mdl_step_stream_free(struct mdl_step_stream *ss);

/*
 * A program placed on a backend: regions mapped, weights written. The
 * stream of the last run or step is @stream_size bytes at @stream: @s's
 * (built by libaccel), or a step's stream patched in place (@ss).
 */
struct mdl_loaded {
	const struct mdl_program *p;
	struct mdl_backend *b;
	uint64_t base[MDL_REGIONS];
	struct accel_stream *s;
	uint32_t rows;		/* of the stream in @s; 0: none built yet */
	struct mdl_step_stream *ss;
	const void *stream;
	uint32_t stream_size;
};

/*
 * Maps @p's regions on @b, writes the weights and builds the stream of a
 * full batch at pos 0 (none when @p has an EMBED op: its stream needs
 * tokens). @p and @b must outlive @l.
 */
int mdl_program_load(const struct mdl_program *p, struct mdl_backend *b, struct mdl_loaded *l,
		     char *err, size_t errlen);
void mdl_program_unload(struct mdl_loaded *l);

/*
 * One run of @rows rows: writes @input (the input tensor's bytes for
 * @rows), runs the stream as one job, reads the output tensor into
 * @output. *@st gets the job's statistics. A job that ends with a status
 * other than OK is -EIO, with the status and command in @err.
 */
int mdl_program_run(struct mdl_loaded *l, const void *input, uint32_t rows, void *output,
		    struct accel_job_stats *st, char *err, size_t errlen);
/*
 * The stream of @step into l->stream. The first step of a shape (its rows
 * and sequence) is built as mdl_program_stream_step() builds it, and kept
 * with where its step-dependent fields lie (the rows at the step's
 * position, the rows and columns of every position so far, the causal
 * offsets, the token ids of an EMBED); a step of the same shape after it
 * rewrites those fields in place, which gives the bytes a build would
 * (mdl_program_patch.c says why) without libaccel's encoder and checks
 * over every op. The same refusals as a build: a view past its tensor, a
 * token id past the table.
 */
int mdl_program_step_stream(struct mdl_loaded *l, const struct mdl_step *step, char *err,
			    size_t errlen);
/*
 * A step: its stream made by mdl_program_step_stream(), then @input (NULL
 * for a program without one) written, one job run, @step->rows rows of
 * output read.
 */
int mdl_program_run_step(struct mdl_loaded *l, const struct mdl_step *step, const void *input,
			 void *output, struct accel_job_stats *st, char *err, size_t errlen);

#endif /* MDL_PROGRAM_H */
