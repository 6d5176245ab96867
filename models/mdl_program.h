/* SPDX-License-Identifier: MIT */
/*
 * Quasar models: device programs. A model's forward pass over a batch as
 * one command stream in which every op runs on the device, in three parts:
 *
 * - The memory plan: four regions, and where each tensor lies in them.
 *   Weights (packed matrices, biases, input factors) are written once;
 *   the host writes the batch's input before each run and reads the output
 *   after it; activations between ops never leave the device.
 * - The ops: GEMM (with its epilogue), MUL and CONVERT over planned tensors.
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
 * programs: the classifier's, mdl_cls_program.h.
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
 */
struct mdl_dev_tensor {
	char name[MDL_TENSOR_NAME];
	uint32_t region;
	uint64_t offset;	/* bytes from the region's base */
	uint64_t bytes;		/* planned for the program's batch */
	uint32_t format;	/* DRM_QUASAR_FORMAT_* */
	uint32_t rows, cols;
	bool batched;
	struct accel_weights w;
};

enum mdl_dev_op_kind {
	MDL_DEV_GEMM,		/* y = epilogue(a * b^T), b packed */
	MDL_DEV_MUL,		/* y = a * b, elementwise FP32 */
	MDL_DEV_CONVERT,	/* y = a in y's format */
};

struct mdl_dev_op {
	uint32_t kind;
	uint32_t y, a, b;	/* tensor ids */
	int32_t bias;		/* GEMM: a tensor id, or -1 */
	uint32_t act;		/* GEMM: enum drm_quasar_act */
	uint32_t flags;		/* GEMM: DRM_QUASAR_GEMM_A8 or 0 */
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

/* Ops, in execution order; 0 or -errno (ids out of range). */
int mdl_program_gemm(struct mdl_program *p, uint32_t y, uint32_t x, uint32_t w, int32_t bias,
		     uint32_t act, uint32_t flags);
int mdl_program_mul(struct mdl_program *p, uint32_t y, uint32_t a, uint32_t b);
int mdl_program_convert(struct mdl_program *p, uint32_t y, uint32_t x);

/*
 * The stream of one run of @rows rows (1..batch) with the regions at
 * @base, appended to @s (reset first). Errors name the op and carry
 * libaccel's reason (the device status the op would get).
 */
int mdl_program_stream(const struct mdl_program *p, const uint64_t base[MDL_REGIONS],
		       uint32_t rows, struct accel_stream *s, char *err, size_t errlen);

/* Bytes of @rows rows of a batched tensor (or all of a fixed one). */
uint64_t mdl_tensor_bytes(const struct mdl_dev_tensor *t, uint32_t rows);

struct mdl_backend;

/* A program placed on a backend: regions mapped, weights written. */
struct mdl_loaded {
	const struct mdl_program *p;
	struct mdl_backend *b;
	uint64_t base[MDL_REGIONS];
	struct accel_stream *s;
	uint32_t rows;		/* of the stream in @s; 0: none built yet */
};

/*
 * Maps @p's regions on @b, writes the weights and builds the stream of a
 * full batch. @p and @b must outlive @l.
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

#endif /* MDL_PROGRAM_H */
