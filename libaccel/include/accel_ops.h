/* SPDX-License-Identifier: MIT */
/*
 * libaccel, ISA v1 and v2: tensors in buffer objects, one builder call per
 * compute op, a graph runner over several queues and priorities, and job
 * statistics.
 *
 * A program reads like the computation:
 *
 *	accel_tensor_create(dev, DRM_QUASAR_FORMAT_BF16, 2, (uint32_t[]){ m, k }, &x);
 *	compress_tensor_from_qtensor(dev, qt, &w);    (libquasar_compress, below)
 *	accel_tensor_create(dev, DRM_QUASAR_FORMAT_FP32, 2, (uint32_t[]){ m, n }, &y);
 *	accel_tensor_write(x, x_bf16, m * k);
 *	accel_op_gemm(cb, y, x, w, NULL);              alpha 1, no bias
 *	accel_cmdbuf_submit(cb, NULL);                every BO the ops named is listed
 *	accel_cmdbuf_wait(cb, ACCEL_TIMEOUT_INFINITE, &result);
 *	accel_cmdbuf_stats(cb, &stats);
 *	accel_job_report(&stats, "gemm", text, sizeof(text));
 *
 * Stream rules (what the command buffer adds around each accel_op_*
 * command, as it appends it):
 *  - ISA_VERSION before the first op of a stream, so that an older
 *    firmware refuses the stream before anything has run: 1, and 2 once
 *    the stream has a v2 op (accel_op_matmul() and the calls after it
 *    below), raised in that first declaration. A stream of v1 ops is
 *    byte for byte what it was before v2 existed.
 *  - A BARRIER before a command that reads or writes memory an earlier
 *    command since the last barrier wrote, or writes memory such a command
 *    read (docs/isa.md 6.2). Ranges are compared by their byte spans.
 *  - Every BO an op names is remembered; accel_cmdbuf_submit() adds them
 *    to the job's BO list. So a tensor must outlive the submits of every
 *    command buffer that names it, up to accel_cmdbuf_reset(); the job
 *    itself keeps the BOs alive until it ends.
 * Every argument is checked on the host before anything is appended, with
 * the rules the firmware applies (docs/isa.md 6-7) plus an output that
 * overlaps an input (undefined on the device): a violation returns -EINVAL
 * and accel_device_last_error() names the rule, the values, and the device
 * status the command would have failed with. What the host cannot know
 * (MMU mappings of foreign addresses, SRAM size: TOO_LARGE, GATHER ids)
 * is left to the device. Accepted commands are bit-identical to what the
 * uapi structs describe; tests/libaccel/accel_enc_test.c runs them through
 * the firmware.
 *
 * Packed weights from the compression tools: compress_tensor_from_qtensor()
 * (compress/compress_libaccel.h) lives in libquasar_compress.a with
 * the quantizers, not in libaccel.so: it is the only function that needs
 * both the device and the datapath's quantizers, and keeping it there
 * means libaccel.so keeps exactly its old dependencies (libdrm, libc).
 * libaccel itself knows every format's packed geometry (it links the
 * datapath's format table, datapath/dp_format.c, built -fPIC
 * and hidden), so accel_tensor_create_weights() takes buffers packed by
 * any producer.
 *
 * Thread-safety: a tensor is immutable after creation except for its
 * contents; tensors may be used by several command buffers at once. A graph
 * is used by one thread at a time.
 */
#ifndef ACCEL_OPS_H
#define ACCEL_OPS_H

#include <stddef.h>
#include <stdint.h>

#include "accel.h"

#if defined(__cplusplus)
extern "C" {
#endif

#define ACCEL_API __attribute__((visibility("default")))

struct accel_tensor;
struct accel_graph;

/* ---- formats --------------------------------------------------------------- */

/*
 * Bytes per element of a plain format (U8 1, BF16 2, FP32 4, U32 4); 0 for
 * packed weight formats and unknown values.
 */
ACCEL_API uint32_t accel_format_elem_size(uint32_t format);
/* Non-zero for the packed weight formats DRM_QUASAR_FORMAT_W_*. */
ACCEL_API int accel_format_is_packed(uint32_t format);

/*
 * An N x K packed weight matrix in the device layout (docs/numerics.md
 * section 7): element codes, and the scale, zero-point and 2:4 index
 * buffers the format has. Pointers may be NULL to leave a buffer zero.
 */
struct accel_weights {
	uint32_t format;	/* DRM_QUASAR_FORMAT_W_* */
	uint32_t n, k;		/* output channels, inputs */
	uint32_t group;		/* drm_quasar_wparams.group rules */
	uint32_t flags;		/* DRM_QUASAR_TENSOR_ZERO_POINTS (W_INT4, W_SP_INT4) */
	float tensor_scale;	/* W_NVFP4: second-level scale (1.0 single level); else 0 */
	const void *data;
	const void *scales;
	const void *zeros;
	const void *meta;
};

/* Bytes of each buffer of a packed tensor, and its panel geometry. */
struct accel_wgeom {
	uint64_t data_bytes, scale_bytes, zero_bytes, meta_bytes;
	uint32_t panels;	/* ceil(N / 16) */
	uint32_t kpad;		/* K padded to the format's block grid */
	uint32_t blocks;	/* scale blocks per row */
};

/*
 * Geometry of @w's format, shape, group and flags (the pointers are not
 * read). -EINVAL for a shape, group or flag the format does not take,
 * -ENOTSUP for a format that is not packed.
 */
ACCEL_API int accel_weights_geometry(const struct accel_weights *w,
				     struct accel_wgeom *g);

/* ---- tensors ------------------------------------------------------------- */

/*
 * A zero-filled dense tensor of @ndim (1..4) extents, outermost first, in
 * its own BO. @format: FP32, BF16, U32 or U8 (packed formats have their
 * own constructor). The device sees rows = product of all but the last
 * extent, each of dims[ndim - 1] contiguous elements.
 */
ACCEL_API int accel_tensor_create(struct accel_device *dev, uint32_t format,
				  uint32_t ndim, const uint32_t *dims,
				  struct accel_tensor **out);

/*
 * A packed weight tensor {1, 1, N, K}: one BO holding the element codes
 * and the other buffers (each 64-byte aligned), filled from @w's pointers.
 */
ACCEL_API int accel_tensor_create_weights(struct accel_device *dev,
					  const struct accel_weights *w,
					  struct accel_tensor **out);

/*
 * A view of @base's memory with other extents and strides (in elements;
 * NULL: dense), starting @offset elements after @base's element 0, in
 * @base's format. Every element of the view must lie inside @base's BO.
 * The view does not own the BO: free it before @base.
 */
ACCEL_API int accel_tensor_view(const struct accel_tensor *base, uint64_t offset,
				uint32_t ndim, const uint32_t *dims,
				const uint32_t *strides, struct accel_tensor **out);

/* Frees the tensor (and its BO unless it is a view); NULL is a no-op. */
ACCEL_API void accel_tensor_free(struct accel_tensor *t);

/* The descriptor commands carry, with its device address. */
ACCEL_API const struct drm_quasar_tensor *
accel_tensor_desc(const struct accel_tensor *t);
/* The other buffers of a packed tensor; all zero for a plain one. */
ACCEL_API const struct drm_quasar_wparams *
accel_tensor_wparams(const struct accel_tensor *t);
ACCEL_API struct accel_bo *accel_tensor_bo(const struct accel_tensor *t);
/* Elements: rows * dims[3] for a plain tensor, N * K for a packed one. */
ACCEL_API uint64_t accel_tensor_elems(const struct accel_tensor *t);

/*
 * CPU pointer to element 0 (a plain tensor) or to the element codes (a
 * packed one), through the BO's mapping.
 */
ACCEL_API int accel_tensor_map(struct accel_tensor *t, void **ptr);

/*
 * Copies @count elements (accel_tensor_elems(), else -EINVAL) in dense
 * row-major order into / out of a plain tensor, following its strides.
 * The data are the raw element bytes of the tensor's format.
 */
ACCEL_API int accel_tensor_write(struct accel_tensor *t, const void *src,
				 uint64_t count);
ACCEL_API int accel_tensor_read(struct accel_tensor *t, void *dst, uint64_t count);
/*
 * The same with FP32 values on the CPU side: an FP32 tensor is copied, a
 * BF16 tensor converted (to BF16: round to nearest even, NaN kept quiet,
 * as the datapath does). Other formats: -EINVAL.
 */
ACCEL_API int accel_tensor_write_f32(struct accel_tensor *t, const float *src,
				     uint64_t count);
ACCEL_API int accel_tensor_read_f32(struct accel_tensor *t, float *dst,
				    uint64_t count);

/* ---- operations ------------------------------------------------------------ */

/*
 * GEMM/CONV2D epilogue: y = act(acc * alpha + bias[n]) + residual[m][n]
 * (docs/numerics.md section 4). @bias: N FP32 values, dense; @residual:
 * GEMM only, a tensor with @y's format, extents and strides. @flags:
 * DRM_QUASAR_GEMM_A8 quantizes each activation row to int8 on the device.
 * A NULL epilogue is alpha 1, no bias, no activation, BF16 activations.
 * @alpha is used as given, so a zeroed epilogue scales by 0: start from
 * ACCEL_EPILOGUE_INIT.
 */
struct accel_epilogue {
	float alpha;
	uint32_t act;		/* enum drm_quasar_act */
	uint32_t flags;		/* DRM_QUASAR_GEMM_A8 or 0 */
	const struct accel_tensor *bias;
	const struct accel_tensor *residual;
};

#define ACCEL_EPILOGUE_INIT { .alpha = 1.0f }

/* CONV2D filter geometry; the filter's channels come from the tensors. */
struct accel_conv2d {
	uint32_t kh, kw;	/* >= 1 */
	uint32_t stride;	/* >= 1 */
	uint32_t pad;		/* zeros on every side */
};

/*
 * Each call appends one command (after the ISA_VERSION and BARRIER the
 * stream rules above call for). Outputs come first, as in memcpy. Returns
 * 0, -EINVAL for an argument the device would refuse (see the last error),
 * -EBUSY on a submitted command buffer, -E2BIG past max_cmd_size.
 */

/* y = epilogue(x * w^T): x BF16 M x K, w packed N x K, y FP32/BF16 M x N. */
ACCEL_API int accel_op_gemm(struct accel_cmdbuf *cb, const struct accel_tensor *y,
			    const struct accel_tensor *x, const struct accel_tensor *w,
			    const struct accel_epilogue *epi);
/* NHWC: x {B, H, W, Cin} BF16, w packed {Cout, kh * kw * Cin}, y {B, OH, OW, Cout}. */
ACCEL_API int accel_op_conv2d(struct accel_cmdbuf *cb, const struct accel_tensor *y,
			      const struct accel_tensor *x, const struct accel_tensor *w,
			      const struct accel_conv2d *geom,
			      const struct accel_epilogue *epi);
/* Row-wise, FP32; @gain and @bias hold dims[3] FP32 values. */
ACCEL_API int accel_op_rmsnorm(struct accel_cmdbuf *cb, const struct accel_tensor *y,
			       const struct accel_tensor *x,
			       const struct accel_tensor *gain, float eps);
ACCEL_API int accel_op_layernorm(struct accel_cmdbuf *cb, const struct accel_tensor *y,
				 const struct accel_tensor *x,
				 const struct accel_tensor *gain,
				 const struct accel_tensor *bias, float eps);
ACCEL_API int accel_op_softmax(struct accel_cmdbuf *cb, const struct accel_tensor *y,
			       const struct accel_tensor *x);
/* Adjacent pairs rotated; @cos/@sin dense FP32, rows * dims[3] / 2 each. */
ACCEL_API int accel_op_rope(struct accel_cmdbuf *cb, const struct accel_tensor *y,
			    const struct accel_tensor *x, const struct accel_tensor *cos,
			    const struct accel_tensor *sin);
ACCEL_API int accel_op_add(struct accel_cmdbuf *cb, const struct accel_tensor *y,
			   const struct accel_tensor *a, const struct accel_tensor *b);
ACCEL_API int accel_op_mul(struct accel_cmdbuf *cb, const struct accel_tensor *y,
			   const struct accel_tensor *a, const struct accel_tensor *b);
/* Row i of y (FP32, K wide) = dequantized row ids[i] of the packed @table. */
ACCEL_API int accel_op_gather(struct accel_cmdbuf *cb, const struct accel_tensor *y,
			      const struct accel_tensor *table,
			      const struct accel_tensor *ids);
/* BF16 <-> FP32 (same extents), or packed -> FP32/BF16 (rows N, K wide). */
ACCEL_API int accel_op_convert(struct accel_cmdbuf *cb, const struct accel_tensor *dst,
			       const struct accel_tensor *src);
/* An explicit ordering point (the command buffer adds the ones data needs). */
ACCEL_API int accel_op_barrier(struct accel_cmdbuf *cb);

/*
 * ISA v2 (docs/isa.md section 11): attention over a KV cache.
 *
 * y = alpha * (a x b), FP32, batched over the leading dims: a {b0, b1, M, K},
 * b {b0, b1, K, N}, or {b0, b1, N, K} with DRM_QUASAR_MATMUL_TRANS_B in
 * @flags (Q x K^T reads the K cache rows as they are), y {b0, b1, M, N}.
 * With DRM_QUASAR_MATMUL_CAUSAL, row m sums only k < min(K, @causal_offset
 * + m + 1) (P x V over the positions query m may see); @causal_offset must
 * be 0 without it. One head's Q, K, V are views (accel_tensor_view()) of
 * row-major [position][dim] buffers at the head's column.
 */
ACCEL_API int accel_op_matmul(struct accel_cmdbuf *cb, const struct accel_tensor *y,
			      const struct accel_tensor *a, const struct accel_tensor *b,
			      float alpha, uint32_t flags, uint32_t causal_offset);
/*
 * Row m (its index in dims[2]) of y = softmax of the first min(D,
 * @causal_offset + m + 1) elements of row m of x, +0 after them.
 */
ACCEL_API int accel_op_softmax_causal(struct accel_cmdbuf *cb, const struct accel_tensor *y,
				      const struct accel_tensor *x, uint32_t causal_offset);
/*
 * y[r][c] = a[r][c] + b[c] or a[r][c] * b[c]: @b one row {D} (an input
 * scale per column, AWQ/SmoothQuant; a bias row), FP32.
 */
ACCEL_API int accel_op_add_row(struct accel_cmdbuf *cb, const struct accel_tensor *y,
			       const struct accel_tensor *a, const struct accel_tensor *b);
ACCEL_API int accel_op_mul_row(struct accel_cmdbuf *cb, const struct accel_tensor *y,
			       const struct accel_tensor *a, const struct accel_tensor *b);

/* ---- job statistics --------------------------------------------------------- */

/*
 * The cost report of the last job that ended with a given command BO
 * (DRM_IOCTL_QUASAR_JOB_STATS, docs/cost-model.md): what the job would
 * cost on the modeled silicon, from the traffic the device really did.
 */
struct accel_job_stats {
	uint32_t status;		/* enum drm_quasar_status */
	uint32_t cmd_index;		/* failing command, or commands run */
	uint64_t seqno;			/* on its hardware queue */
	uint32_t queue;
	uint32_t clock_mhz;		/* the modeled clock */
	uint64_t device_ns;		/* emulation time, start to interrupt */
	uint64_t rd_weight_bytes;	/* packed element codes read */
	uint64_t rd_meta_bytes;		/* scales, zero points, 2:4 codes read */
	uint64_t rd_act_bytes;		/* every other input read */
	uint64_t wr_bytes;
	uint64_t sram_bytes;
	uint64_t macs_dense;		/* dense-equivalent */
	uint64_t macs_exec;		/* executed (2:4: half) */
	uint64_t vec_elems;
	uint64_t tiles;
	uint64_t cycles_compute;	/* sum over tiles of the compute bound */
	uint64_t cycles_memory;		/* sum over tiles of the memory bound */
	uint64_t cycles;		/* sum over tiles of the larger bound */
	uint64_t energy_fj;
};

/*
 * Fills @out for the last job that ended with @cmd_bo as its command BO;
 * call it once the job's fence has signalled. -ENODATA when no job has
 * ended with it yet; -ENOTTY when the kernel has no job statistics.
 */
ACCEL_API int accel_job_stats(struct accel_bo *cmd_bo, struct accel_job_stats *out);
/* accel_job_stats() on the command buffer's BO. */
ACCEL_API int accel_cmdbuf_stats(struct accel_cmdbuf *cb, struct accel_job_stats *out);

/* Figures derived from a report (all 0 where a divisor is 0). */
struct accel_job_cost {
	uint64_t dram_bytes;		/* every byte read + written */
	double time_us;			/* cycles at clock_mhz */
	double energy_uj;
	double pj_per_mac;		/* energy over dense MACs */
	double ops_per_byte;		/* arithmetic intensity: 2 * macs_dense / dram */
	double tops;			/* effective: 2 * macs_dense / time */
	int memory_bound;		/* cycles_memory >= cycles_compute */
};

ACCEL_API void accel_job_cost(const struct accel_job_stats *s,
			      struct accel_job_cost *c);

/*
 * Formats the cost report of @s as lines of text headed by @title (may be
 * NULL): bytes by class, MACs dense and executed, cycles with the bound
 * that dominates, modeled time, energy, arithmetic intensity, effective
 * TOPS. Returns the length the full text needs (as snprintf), so a
 * result >= @len means it was truncated.
 */
ACCEL_API int accel_job_report(const struct accel_job_stats *s, const char *title,
			       char *buf, size_t len);

/* ---- graph runner ---------------------------------------------------------- */

/*
 * A list of jobs (nodes), each a command buffer on a queue, with
 * dependencies on earlier nodes. A node runs on a hardware queue
 * (accel_graph_add), on a queue of the caller (accel_graph_add_queue) or
 * at a priority (accel_graph_add_priority), on the one queue the graph
 * creates for that priority at its first such node and destroys with
 * itself. accel_graph_run() submits every node at
 * once without waiting in between: node i signals point base + i + 1 of
 * the graph's one timeline syncobj and waits for the highest point among
 * its dependencies (so a node's start also waits for the nodes added
 * before that dependency: a timeline point signals once every lower point
 * has). Then it waits for the last point and collects each node's status
 * and statistics. A graph may be run again; the points keep increasing.
 */
ACCEL_API int accel_graph_create(struct accel_device *dev, struct accel_graph **out);
/* Waits for nothing: destroy a graph only after its run has returned. */
ACCEL_API void accel_graph_destroy(struct accel_graph *g);

/*
 * Adds a node running @cb's stream on @queue after the nodes @deps (ids
 * returned earlier by this function). A command buffer may be in one node
 * only. The new node's id goes to *@id.
 */
ACCEL_API int accel_graph_add(struct accel_graph *g, struct accel_cmdbuf *cb,
			      uint32_t queue, const uint32_t *deps, uint32_t ndeps,
			      uint32_t *id);
/* The same on @q (accel_queue_create()), which must outlive the graph's runs. */
ACCEL_API int accel_graph_add_queue(struct accel_graph *g, struct accel_cmdbuf *cb,
				    const struct accel_queue *q, const uint32_t *deps,
				    uint32_t ndeps, uint32_t *id);
/*
 * The same on the graph's queue of @priority (&enum drm_quasar_priority),
 * created here for the first node of that priority: accel_queue_create()'s
 * errors, and -EINVAL for a priority the device does not have.
 */
ACCEL_API int accel_graph_add_priority(struct accel_graph *g, struct accel_cmdbuf *cb,
				       uint32_t priority, const uint32_t *deps,
				       uint32_t ndeps, uint32_t *id);
ACCEL_API uint32_t accel_graph_count(const struct accel_graph *g);

/*
 * Submits all nodes and waits up to @timeout_ns for the graph. Returns 0
 * when every node ended OK, -EIO when one failed (accel_graph_node() says
 * which), -ETIME on timeout, or the submit error (nodes already submitted
 * are still waited for).
 */
ACCEL_API int accel_graph_run(struct accel_graph *g, int64_t timeout_ns);

/* How node @id ended in the last run. */
struct accel_graph_node {
	struct accel_job_result result;	/* status, cmd_index, fault_addr */
	int stats_err;			/* 0, or why @stats is all zero */
	struct accel_job_stats stats;
	uint64_t point;			/* the timeline point it signalled */
	int dep_failed;			/* a dependency ended with an error */
	/* The queue it ran on (the caller's or the graph's); NULL: a hw queue. */
	const struct accel_queue *queue;
};
ACCEL_API int accel_graph_node(const struct accel_graph *g, uint32_t id,
			       struct accel_graph_node *out);

#undef ACCEL_API

#if defined(__cplusplus)
}
#endif

#endif /* ACCEL_OPS_H */
