// SPDX-License-Identifier: MIT
/*
 * Guest conformance: malformed ISA v1 commands. Each is refused with its
 * own status at its own index, writes nothing (the firmware validates and
 * pre-checks every operand before it moves data, docs/isa.md 6.5), and the
 * next job on the same queue runs and is verified against the golden model.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conform_neg.h"
#include "conform_wt.h"
#include "dp_gemm.h"
#include "dp_ops.h"
#include "guest_util.h"

#define CF_NEG_ROWS	4
#define CF_NEG_D	64
#define CF_NEG_N	(CF_NEG_ROWS * CF_NEG_D)

/* Two FP32 inputs and their sum, the follow-up job every case runs. */
struct cf_neg {
	struct cf_tensor a, b, y;
	float ha[CF_NEG_N], hb[CF_NEG_N], want[CF_NEG_N], got[CF_NEG_N];
};

static const uint32_t cf_neg_dims[4] = { 1, 1, CF_NEG_ROWS, CF_NEG_D };

static int cf_neg_setup(struct cf_env *e, struct cf_neg *n)
{
	cf_rand_f32(n->ha, CF_NEG_N, 31, 2.0f);
	cf_rand_f32(n->hb, CF_NEG_N, 32, 2.0f);
	dp_add_ref(n->ha, n->hb, CF_NEG_N, n->want);
	if (cf_tensor_new(e, &n->a, DRM_QUASAR_FORMAT_FP32, cf_neg_dims, NULL) ||
	    cf_tensor_new(e, &n->b, DRM_QUASAR_FORMAT_FP32, cf_neg_dims, NULL) ||
	    cf_tensor_new(e, &n->y, DRM_QUASAR_FORMAT_FP32, cf_neg_dims, NULL))
		return -1;
	cf_tensor_put(&n->a, n->ha);
	cf_tensor_put(&n->b, n->hb);
	return 0;
}

static struct drm_quasar_cmd_eltwise cf_neg_add(const struct cf_neg *n,
						const struct cf_tensor *y)
{
	return (struct drm_quasar_cmd_eltwise){
		.hdr = { DRM_QUASAR_OP_ADD, sizeof(struct drm_quasar_cmd_eltwise), 0 },
		.a = n->a.t, .b = n->b.t, .y = y->t,
	};
}

/* An output tensor nothing may have written: every byte still poison. */
static int cf_neg_untouched(const struct cf_tensor *t, const char *what)
{
	for (uint64_t i = 0; i < t->bytes; i++)
		if (t->map[i] != CF_POISON) {
			fprintf(stderr, "# %s: byte %llu was written by a refused command\n",
				what, (unsigned long long)i);
			return 1;
		}
	return 0;
}

/* The next job on @queue: an ADD into y, verified. */
static int cf_neg_follow_up(struct cf_env *e, struct cf_neg *n, uint32_t queue)
{
	struct drm_quasar_cmd_eltwise add = cf_neg_add(n, &n->y);
	int bad;

	if (cf_next(e))
		return -1;
	memset(n->y.map, CF_POISON, n->y.bytes);
	cf_emit_version(e, DRM_QUASAR_ISA_VERSION);
	cf_emit(e, &add, sizeof(add));
	bad = cf_run_ok(e, queue);
	if (bad) {
		fprintf(stderr, "# the job after the refused one did not run\n");
		return bad;
	}
	cf_tensor_get(&n->y, n->got);
	return cf_same(n->got, n->want, CF_NEG_N, 4, CF_NEG_D, "follow-up ADD");
}

/* Refused at @index with @status, @out untouched, then a job that works. */
static int cf_neg_expect(struct cf_env *e, struct cf_neg *n, uint32_t status,
			 uint32_t index, const struct cf_tensor *out)
{
	int err = cf_run(e, 0), bad;

	if (err != -EIO) {
		fprintf(stderr, "# the job was not failed by the device (%s)\n",
			err ? accel_strerror(err) : "it ended OK");
		return 1;
	}
	bad = cf_expect_status(e, status, index);
	if (e->res.fault_addr) {
		fprintf(stderr, "# fault_addr 0x%llx for a status that is no MMU fault\n",
			(unsigned long long)e->res.fault_addr);
		bad = 1;
	}
	if (out)
		bad |= cf_neg_untouched(out, "refused command's output");
	return bad | cf_neg_follow_up(e, n, 0);
}

/* A small GEMM of W_* weights @fmt: X 4 x 64 BF16, Y 4 x 16 FP32. */
struct cf_neg_gemm {
	struct cf_weights w;
	struct cf_tensor x, y;
	uint16_t hx[CF_NEG_ROWS * CF_NEG_D];
	struct drm_quasar_cmd_gemm c;
};

static int cf_neg_gemm_setup(struct cf_env *e, struct cf_neg_gemm *g, uint32_t fmt)
{
	const uint32_t xd[4] = { 1, 1, CF_NEG_ROWS, CF_NEG_D };
	const uint32_t yd[4] = { 1, 1, CF_NEG_ROWS, 16 };

	if (cf_weights_new(e, &g->w, fmt, 16, CF_NEG_D, 41, NULL))
		return -1;
	if (cf_tensor_new(e, &g->x, DRM_QUASAR_FORMAT_BF16, xd, NULL) ||
	    cf_tensor_new(e, &g->y, DRM_QUASAR_FORMAT_FP32, yd, NULL))
		return -1;
	cf_rand_bf16(g->hx, CF_NEG_ROWS * CF_NEG_D, 42, 2.0f);
	cf_tensor_put(&g->x, g->hx);
	g->c = (struct drm_quasar_cmd_gemm){
		.hdr = { DRM_QUASAR_OP_GEMM, sizeof(g->c), 0 },
		.x = g->x.t, .w = g->w.t, .wp = g->w.wp, .y = g->y.t,
		.alpha = cf_f2u(1.0f),
	};
	return 0;
}

static int cf_neg_gemm_verify(struct cf_neg_gemm *g)
{
	float want[CF_NEG_ROWS * 16], got[CF_NEG_ROWS * 16];
	struct dp_gemm d = {
		.w = &g->w.wt, .m = CF_NEG_ROWS, .afmt = DP_A_BF16, .x = g->hx,
		.ldx = CF_NEG_D, .alpha = 1.0f, .ofmt = DP_O_FP32, .y = want, .ldy = 16,
	};

	if (dp_gemm_ref(&d))
		return -1;
	cf_tensor_get(&g->y, got);
	return cf_same(got, want, CF_NEG_ROWS * 16, 4, 16, "follow-up GEMM");
}

int cf_neg_third_command(struct cf_env *e, uint32_t queue)
{
	struct cf_neg n;
	struct cf_neg_gemm g;
	struct drm_quasar_cmd_eltwise add;
	struct drm_quasar_cmd_gemm bad_gemm;
	uint64_t mark_addr;
	uint64_t *mark;
	int bad = -1, err;

	memset(&g, 0, sizeof(g));
	if (cf_neg_setup(e, &n) || cf_neg_gemm_setup(e, &g, DRM_QUASAR_FORMAT_W_INT8))
		goto out;
	mark = cf_alloc(e, 8, &mark_addr);
	if (!mark)
		goto out;
	/* 0 ISA_VERSION, 1 ADD (runs), 2 GEMM with K of X != K of W, 3 fence. */
	add = cf_neg_add(&n, &n.y);
	bad_gemm = g.c;
	bad_gemm.x.dims[3] = CF_NEG_D / 2;
	cf_emit_version(e, DRM_QUASAR_ISA_VERSION);
	cf_emit(e, &add, sizeof(add));
	cf_emit(e, &bad_gemm, sizeof(bad_gemm));
	e->ncmds++;
	if (accel_cmdbuf_write_value(e->cb, mark_addr, 0x600d))
		goto out;
	err = cf_run(e, queue);
	bad = err != -EIO;
	if (bad)
		fprintf(stderr, "# the stream was not failed (%s)\n",
			err ? accel_strerror(err) : "it ended OK");
	bad |= cf_expect_status(e, DRM_QUASAR_STATUS_BAD_SHAPE, 2);
	/* Command 1 ran before the bad one; the fence after it did not. */
	cf_tensor_get(&n.y, n.got);
	bad |= cf_same(n.got, n.want, CF_NEG_N, 4, CF_NEG_D, "ADD before the bad command");
	if (*mark) {
		fprintf(stderr, "# the WRITE_VALUE after the bad command ran\n");
		bad = 1;
	}
	bad |= cf_neg_untouched(&g.y, "the bad GEMM's output");
	/* Next job, same queue, same buffers: the GEMM made right. */
	if (cf_next(e))
		goto out;
	cf_emit_version(e, DRM_QUASAR_ISA_VERSION);
	cf_emit(e, &g.c, sizeof(g.c));
	if (cf_run_ok(e, queue)) {
		fprintf(stderr, "# the next job on queue %u did not run\n", queue);
		bad = 1;
	} else {
		bad |= cf_neg_gemm_verify(&g);
	}
out:
	cf_weights_free(&g.w);
	cf_release(e);
	return bad;
}

int cf_neg_case(struct cf_env *e, enum cf_neg_kind kind)
{
	struct cf_neg n;
	struct cf_neg_gemm g;
	struct cf_tensor y2, bf;
	uint8_t cmd[256] = { 0 };
	struct drm_quasar_cmd_eltwise *add = (void *)cmd;
	struct drm_quasar_cmd_norm *norm = (void *)cmd;
	struct drm_quasar_cmd_convert *cvt = (void *)cmd;
	struct drm_quasar_cmd_rope *rope = (void *)cmd;
	struct drm_quasar_cmd_softmax *smax = (void *)cmd;
	struct drm_quasar_cmd_matmul *mm = (void *)cmd;
	struct drm_quasar_cmd_eltwise_v2 *elt2 = (void *)cmd;
	const struct cf_tensor *out;
	uint32_t status, index = 1, len;
	int bad = -1;

	memset(&g, 0, sizeof(g));
	if (cf_neg_setup(e, &n) ||
	    cf_tensor_new(e, &y2, DRM_QUASAR_FORMAT_FP32, cf_neg_dims, NULL) ||
	    cf_neg_gemm_setup(e, &g, kind == CF_NEG_TENSOR_SCALE ? DRM_QUASAR_FORMAT_W_INT8 :
				     DRM_QUASAR_FORMAT_W_BF16))
		goto out;
	out = &y2;
	*add = cf_neg_add(&n, &y2);
	len = sizeof(*add);
	switch (kind) {
	case CF_NEG_A8_BF16:
		memcpy(cmd, &g.c, sizeof(g.c));
		((struct drm_quasar_cmd_gemm *)cmd)->flags = DRM_QUASAR_GEMM_A8;
		len = sizeof(g.c);
		out = &g.y;
		status = DRM_QUASAR_STATUS_BAD_FORMAT;
		break;
	case CF_NEG_ADD_BF16:
		if (cf_tensor_new(e, &bf, DRM_QUASAR_FORMAT_BF16, cf_neg_dims, NULL))
			goto out;
		add->b = bf.t;
		status = DRM_QUASAR_STATUS_BAD_FORMAT;
		break;
	case CF_NEG_CONVERT_SAME:
		memset(cmd, 0, sizeof(cmd));
		*cvt = (struct drm_quasar_cmd_convert){
			.hdr = { DRM_QUASAR_OP_CONVERT, sizeof(*cvt), 0 },
			.src = n.a.t, .dst = y2.t,
		};
		len = sizeof(*cvt);
		status = DRM_QUASAR_STATUS_BAD_FORMAT;
		break;
	case CF_NEG_RMSNORM_BIAS:
		memset(cmd, 0, sizeof(cmd));
		*norm = (struct drm_quasar_cmd_norm){
			.hdr = { DRM_QUASAR_OP_RMSNORM, sizeof(*norm), 0 },
			.x = n.a.t, .y = y2.t, .gain = n.b.t.addr, .bias = n.b.t.addr,
			.eps = cf_f2u(1e-5f),
		};
		len = sizeof(*norm);
		status = DRM_QUASAR_STATUS_BAD_OPERAND;
		break;
	case CF_NEG_ACT:
		memcpy(cmd, &g.c, sizeof(g.c));
		((struct drm_quasar_cmd_gemm *)cmd)->act = DRM_QUASAR_ACT_SILU + 1;
		len = sizeof(g.c);
		out = &g.y;
		status = DRM_QUASAR_STATUS_BAD_OPERAND;
		break;
	case CF_NEG_TENSOR_SCALE:	/* W_INT8 weights with an NVFP4 tensor scale */
		memcpy(cmd, &g.c, sizeof(g.c));
		((struct drm_quasar_cmd_gemm *)cmd)->wp.tensor_scale = cf_f2u(1.0f);
		len = sizeof(g.c);
		out = &g.y;
		status = DRM_QUASAR_STATUS_BAD_OPERAND;
		break;
	case CF_NEG_OVERLAP_STRIDES:	/* rows 63 elements apart, 64 long */
		add->a.strides[2] = CF_NEG_D - 1;
		status = DRM_QUASAR_STATUS_BAD_SHAPE;
		break;
	case CF_NEG_ROPE_ODD:
		memset(cmd, 0, sizeof(cmd));
		*rope = (struct drm_quasar_cmd_rope){
			.hdr = { DRM_QUASAR_OP_ROPE, sizeof(*rope), 0 },
			.x = n.a.t, .y = y2.t, .cos = n.b.t.addr, .sin = n.b.t.addr,
		};
		rope->x.dims[3] = rope->y.dims[3] = CF_NEG_D - 1;
		len = sizeof(*rope);
		status = DRM_QUASAR_STATUS_BAD_SHAPE;
		break;
	case CF_NEG_MISALIGNED:
		memset(cmd, 0, sizeof(cmd));
		*smax = (struct drm_quasar_cmd_softmax){
			.hdr = { DRM_QUASAR_OP_SOFTMAX, sizeof(*smax), 0 },
			.x = n.a.t, .y = y2.t,
		};
		smax->x.addr += 2;
		len = sizeof(*smax);
		status = DRM_QUASAR_STATUS_BAD_ALIGN;
		break;
	case CF_NEG_WRAPS:	/* the span of a ends past 2^64 */
		add->a.addr = 0ull - CF_NEG_N * 4 / 2;
		status = DRM_QUASAR_STATUS_BAD_RANGE;
		break;
	case CF_NEG_RESERVED:
		memset(cmd, 0, sizeof(cmd));
		*norm = (struct drm_quasar_cmd_norm){
			.hdr = { DRM_QUASAR_OP_RMSNORM, sizeof(*norm), 0 },
			.x = n.a.t, .y = y2.t, .gain = n.b.t.addr, .eps = cf_f2u(1e-5f),
			.reserved = 1,
		};
		len = sizeof(*norm);
		status = DRM_QUASAR_STATUS_BAD_FLAGS;
		break;
	case CF_NEG_SHORT:	/* a GEMM one word short of its 216 bytes */
		memcpy(cmd, &g.c, sizeof(g.c));
		len = sizeof(g.c) - 8;
		((struct drm_quasar_cmd_header *)cmd)->length = (uint16_t)len;
		out = &g.y;
		status = DRM_QUASAR_STATUS_BAD_LENGTH;
		break;
	case CF_NEG_MATMUL_SHAPE:	/* a x b^T is ROWS x ROWS; y is ROWS x D */
	case CF_NEG_MATMUL_FLAGS:
		memset(cmd, 0, sizeof(cmd));
		*mm = (struct drm_quasar_cmd_matmul){
			.hdr = { DRM_QUASAR_OP_MATMUL, sizeof(*mm), 0 },
			.a = n.a.t, .b = n.b.t, .y = y2.t, .alpha = cf_f2u(1.0f),
			.flags = kind == CF_NEG_MATMUL_FLAGS ? 4 : DRM_QUASAR_MATMUL_TRANS_B,
		};
		len = sizeof(*mm);
		status = kind == CF_NEG_MATMUL_FLAGS ? DRM_QUASAR_STATUS_BAD_FLAGS :
						       DRM_QUASAR_STATUS_BAD_SHAPE;
		break;
	case CF_NEG_SOFTMAX_LENGTH:	/* the v2 form and 8 more bytes */
		memset(cmd, 0, sizeof(cmd));
		*smax = (struct drm_quasar_cmd_softmax){
			.hdr = { DRM_QUASAR_OP_SOFTMAX, 120, 0 }, .x = n.a.t, .y = y2.t,
		};
		len = 120;
		status = DRM_QUASAR_STATUS_BAD_LENGTH;
		break;
	case CF_NEG_ROW_B_ROWS:
		memset(cmd, 0, sizeof(cmd));
		*elt2 = (struct drm_quasar_cmd_eltwise_v2){
			.hdr = { DRM_QUASAR_OP_MUL, sizeof(*elt2), 0 },
			.a = n.a.t, .b = n.b.t, .y = y2.t, .flags = DRM_QUASAR_ELTWISE_ROW_B,
		};
		len = sizeof(*elt2);
		status = DRM_QUASAR_STATUS_BAD_SHAPE;
		break;
	case CF_NEG_VERSION:	/* refused at 0: the valid ADD after it never runs */
		status = DRM_QUASAR_STATUS_BAD_VERSION;
		index = 0;
		break;
	default:
		goto out;
	}
	cf_emit_version(e, kind == CF_NEG_VERSION ? DRM_QUASAR_ISA_VERSION + 1 :
			DRM_QUASAR_ISA_VERSION);
	cf_emit(e, cmd, len);
	bad = cf_neg_expect(e, &n, status, index, out);
out:
	cf_weights_free(&g.w);
	cf_release(e);
	return bad;
}

int cf_neg_bad_index(struct cf_env *e)
{
	/* Ids 0..2 valid, 3rd one (40) past the table's 40 rows, then 5. */
	static const uint32_t ids[5] = { 7, 39, 0, 40, 5 };
	const uint32_t yd[4] = { 1, 1, 5, 64 };
	struct drm_quasar_cmd_gather c = { .hdr = { DRM_QUASAR_OP_GATHER, sizeof(c), 0 } };
	float want[3 * 64], got[3 * 64];
	struct cf_weights w;
	struct cf_tensor yt;
	struct cf_neg n;
	int bad = -1;

	memset(&w, 0, sizeof(w));
	if (cf_neg_setup(e, &n) ||
	    cf_weights_new(e, &w, DRM_QUASAR_FORMAT_W_INT4, 40, 64, 51, NULL) ||
	    cf_tensor_new(e, &yt, DRM_QUASAR_FORMAT_FP32, yd, NULL) ||
	    dp_gather_ref(&w.wt, ids, 3, want, 64))
		goto out;
	c.table = w.t;
	c.tp = w.wp;
	c.ids = (struct drm_quasar_tensor){
		.addr = cf_upload(e, ids, sizeof(ids)), .dims = { 1, 1, 1, 5 },
		.strides = { 5, 5, 5, 1 }, .format = DRM_QUASAR_FORMAT_U32,
	};
	c.y = yt.t;
	cf_emit_version(e, DRM_QUASAR_ISA_VERSION);
	cf_emit(e, &c, sizeof(c));
	/* Ids are checked as they are read (docs/isa.md 6.5): rows before stay. */
	bad = cf_neg_expect(e, &n, DRM_QUASAR_STATUS_BAD_INDEX, 1, NULL);
	memcpy(got, yt.map, sizeof(got));
	bad |= cf_same(got, want, 3 * 64, 4, 64, "rows gathered before the bad id");
	for (uint64_t i = sizeof(got); i < yt.bytes; i++)
		if (yt.map[i] != CF_POISON) {
			fprintf(stderr, "# byte %llu, past the bad id's row, was written\n",
				(unsigned long long)i);
			bad = 1;
			break;
		}
out:
	cf_weights_free(&w);
	cf_release(e);
	return bad;
}

int cf_neg_too_large(struct cf_env *e)
{
	/*
	 * CONVERT W_BF16 -> FP32 with K = 65536: one panel (2 MiB) and its 16
	 * dequantized rows (4 MiB) cannot share the default 4 MiB SRAM.
	 */
	enum { K = 65536 };
	struct drm_quasar_cmd_convert c = { .hdr = { DRM_QUASAR_OP_CONVERT, sizeof(c), 0 } };
	const uint32_t dd[4] = { 1, 1, 1, K };
	struct cf_tensor dt;
	struct cf_neg n;
	uint64_t waddr;

	if (cf_neg_setup(e, &n) || !cf_alloc(e, (uint64_t)DP_PANEL * K * 2, &waddr) ||
	    cf_tensor_new(e, &dt, DRM_QUASAR_FORMAT_FP32, dd, NULL)) {
		cf_release(e);
		return -1;
	}
	c.src = (struct drm_quasar_tensor){
		.addr = waddr, .dims = { 1, 1, 1, K }, .format = DRM_QUASAR_FORMAT_W_BF16,
	};
	c.dst = dt.t;
	cf_emit(e, &c, sizeof(c));
	{
		int bad = cf_neg_expect(e, &n, DRM_QUASAR_STATUS_TOO_LARGE, 0, &dt);

		cf_release(e);
		return bad;
	}
}

int cf_neg_mmu_fault(struct cf_env *e)
{
	struct cf_env f;
	struct cf_tensor a, y;
	struct drm_quasar_cmd_softmax c = { .hdr = { DRM_QUASAR_OP_SOFTMAX, sizeof(c), 0 } };
	const uint32_t d1[4] = { 1, 1, 1, 1024 };
	struct cf_neg n;
	uint64_t guard;
	int bad = 0, err;

	/* A file of its own: the fault bans its context, not the suite's. */
	if (cf_open(&f))
		return -1;
	if (cf_tensor_new(&f, &a, DRM_QUASAR_FORMAT_FP32, (const uint32_t[4]){ 1, 1, 2, 1024 },
			  NULL) ||
	    cf_tensor_new(&f, &y, DRM_QUASAR_FORMAT_FP32, d1, NULL)) {
		cf_close(&f);
		return -1;
	}
	/* y gets a second row that starts on the guard page after its BO. */
	guard = y.t.addr + y.bytes;
	c.x = a.t;
	c.y = y.t;
	c.y.dims[2] = 2;
	c.y.strides[2] = (uint32_t)(y.bytes / 4);
	c.y.strides[0] = c.y.strides[1] = 2 * c.y.strides[2];
	cf_emit_version(&f, DRM_QUASAR_ISA_VERSION);
	cf_emit(&f, &c, sizeof(c));
	err = cf_run(&f, 0);
	if (err != -EIO) {
		fprintf(stderr, "# the faulting job was not failed (%s)\n",
			err ? accel_strerror(err) : "it ended OK");
		bad = 1;
	}
	bad |= cf_expect_status(&f, DRM_QUASAR_STATUS_MMU_FAULT, 1);
	if (f.res.fault_addr != guard) {
		fprintf(stderr, "# fault_addr 0x%llx, expected the guard page at 0x%llx\n",
			(unsigned long long)f.res.fault_addr, (unsigned long long)guard);
		bad = 1;
	}
	/* Pre-checked: the mapped first row was not written either. */
	bad |= cf_neg_untouched(&y, "faulting softmax's mapped row");
	cf_next(&f);
	cf_emit(&f, &(struct drm_quasar_cmd_header){ DRM_QUASAR_OP_NOP, 8, 0 }, 8);
	err = accel_cmdbuf_submit(f.cb, &(struct accel_submit){ .queue = 0 });
	if (err != -EBADFD) {
		fprintf(stderr, "# SUBMIT after the fault: %s, expected the banned "
			"context's EBADFD\n", accel_strerror(err));
		bad = 1;
	}
	cf_close(&f);
	/* The suite's own file and the queue go on. */
	if (cf_neg_setup(e, &n)) {
		cf_release(e);
		return -1;
	}
	bad |= cf_neg_follow_up(e, &n, 0);
	cf_release(e);
	return bad;
}
