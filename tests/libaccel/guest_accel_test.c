// SPDX-License-Identifier: MIT
/*
 * libaccel's ISA v1 layer on the device (runs in the guest): tensors in
 * BOs, the op builder's automatic ISA_VERSION and BARRIER and its host
 * refusals, the graph runner over two queues with one timeline, and
 * JOB_STATS against docs/cost-model.md's worked example A; queues with
 * priorities: create and destroy, a job on each priority, a graph over
 * three priorities, refusals. Outputs are compared bit for bit with the
 * datapath's scalar golden model, run here.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"

#include <accel.h>
#include <accel_ops.h>

#include "compress.h"
#include "compress_libaccel.h"
#include "dp_gemm.h"
#include "dp_num.h"
#include "dp_ops.h"

#define DEV_TIMEOUT_NS (60ll * 1000000000)

static float dev_rand(uint32_t *s)
{
	*s = *s * 1664525u + 1013904223u;
	return (float)(int32_t)(*s >> 8 & 0xffffff) / 8388608.0f - 1.0f;
}

static void dev_fill(float *v, size_t n, uint32_t seed)
{
	for (size_t i = 0; i < n; i++)
		v[i] = dev_rand(&seed) * 2.0f;
}

/* The last error text, for failure messages. */
static const char *dev_err(struct accel_device *dev)
{
	static char text[256];

	accel_device_last_error(dev, text, sizeof(text));
	return text;
}

static int dev_same(const void *got, const void *want, size_t n, const char *what)
{
	for (size_t i = 0; i < n; i++)
		if (((const uint8_t *)got)[i] != ((const uint8_t *)want)[i]) {
			fprintf(stderr, "# %s: byte %zu is 0x%02x, golden 0x%02x\n", what, i,
				((const uint8_t *)got)[i], ((const uint8_t *)want)[i]);
			return 1;
		}
	return 0;
}

/* N x K random weights quantized to a dp format, and their device tensor. */
static int dev_weights(struct accel_device *dev, uint32_t dpfmt, uint32_t group, uint32_t n,
		       uint32_t k, uint32_t seed, struct compress_qtensor **qt,
		       struct accel_tensor **t)
{
	struct compress_qparams p = { .fmt = dpfmt, .group = group };
	float *w = malloc((size_t)n * k * sizeof(*w));
	int err;

	if (!w)
		return -ENOMEM;
	dev_fill(w, (size_t)n * k, seed);
	err = compress_quantize(w, n, k, k, &p, qt);
	free(w);
	return err ? err : compress_tensor_from_qtensor(dev, *qt, t);
}

static int dev_command_opcode(struct accel_cmdbuf *cb, uint32_t index)
{
	const uint8_t *p;
	void *map;
	uint32_t off = 0;

	if (accel_bo_map(accel_cmdbuf_bo(cb), &map))
		return -1;
	p = map;
	for (uint32_t i = 0; i < index; i++)
		off += ((const struct drm_quasar_cmd_header *)(p + off))->length;
	return ((const struct drm_quasar_cmd_header *)(p + off))->opcode;
}

FIXTURE(dev) {
	struct accel_device *dev;
	struct accel_cmdbuf *cb;
};

FIXTURE_SETUP(dev)
{
	ASSERT_EQ(0, accel_device_open(NULL, &self->dev));
	ASSERT_EQ(0, accel_cmdbuf_create(self->dev, &self->cb));
}

FIXTURE_TEARDOWN(dev)
{
	accel_cmdbuf_destroy(self->cb);
	accel_device_close(self->dev);
}

/* ---- tensors ---- */

TEST_F(dev, bf16_tensor_round_trips_through_its_bo)
{
	enum { N = 3 * 37 };
	struct accel_tensor *t;
	float in[N], out[N];
	uint16_t raw[N];

	dev_fill(in, N, 1);
	ASSERT_EQ(0, accel_tensor_create(self->dev, DRM_QUASAR_FORMAT_BF16, 2,
					 (uint32_t[]){ 3, 37 }, &t));
	EXPECT_EQ((uint64_t)N, accel_tensor_elems(t));
	EXPECT_EQ(37u, accel_tensor_desc(t)->strides[2]);
	ASSERT_EQ(0, accel_tensor_write_f32(t, in, N));
	ASSERT_EQ(0, accel_tensor_read(t, raw, N));
	ASSERT_EQ(0, accel_tensor_read_f32(t, out, N));
	for (int i = 0; i < N; i++) {
		EXPECT_EQ(dp_f32_to_bf16(in[i]), raw[i]);
		EXPECT_EQ(dp_f2u(dp_bf16_to_f32(raw[i])), dp_f2u(out[i]));
	}
	EXPECT_EQ(-EINVAL, accel_tensor_write_f32(t, in, N - 1));
	EXPECT_NE(NULL, strstr(dev_err(self->dev), "elements"));
	accel_tensor_free(t);
}

TEST_F(dev, strided_view_touches_only_its_elements)
{
	enum { ROWS = 4, PITCH = 10, D = 6 };
	float base[ROWS * PITCH], rows[ROWS * D], back[ROWS * PITCH];
	struct accel_tensor *t, *v;

	for (int i = 0; i < ROWS * PITCH; i++)
		base[i] = -1.0f;
	for (int i = 0; i < ROWS * D; i++)
		rows[i] = (float)i;
	ASSERT_EQ(0, accel_tensor_create(self->dev, DRM_QUASAR_FORMAT_FP32, 2,
					 (uint32_t[]){ ROWS, PITCH }, &t));
	ASSERT_EQ(0, accel_tensor_write_f32(t, base, ROWS * PITCH));
	/* Columns 2..7 of every row. */
	ASSERT_EQ(0, accel_tensor_view(t, 2, 2, (uint32_t[]){ ROWS, D },
				       (uint32_t[]){ PITCH, 1 }, &v));
	EXPECT_EQ(accel_tensor_desc(t)->addr + 8, accel_tensor_desc(v)->addr);
	ASSERT_EQ(0, accel_tensor_write_f32(v, rows, ROWS * D));
	ASSERT_EQ(0, accel_tensor_read_f32(t, back, ROWS * PITCH));
	for (int r = 0; r < ROWS; r++)
		for (int c = 0; c < PITCH; c++)
			EXPECT_EQ(c >= 2 && c < 2 + D ? (float)(r * D + c - 2) : -1.0f,
				  back[r * PITCH + c]);
	accel_tensor_free(v);
	/* A view past the end of the BO is refused. */
	EXPECT_EQ(-EINVAL, accel_tensor_view(t, 1024, 1, (uint32_t[]){ 1 }, NULL, &v));
	accel_tensor_free(t);
}

TEST_F(dev, tensor_constructors_refuse_with_a_reason)
{
	struct accel_tensor *t = (void *)1;

	EXPECT_EQ(-EINVAL, accel_tensor_create(self->dev, DRM_QUASAR_FORMAT_W_INT4, 2,
					       (uint32_t[]){ 16, 64 }, &t));
	EXPECT_EQ(NULL, t);
	EXPECT_NE(NULL, strstr(dev_err(self->dev), "accel_tensor_create_weights"));
	EXPECT_EQ(-EINVAL, accel_tensor_create(self->dev, DRM_QUASAR_FORMAT_FP32, 2,
					       (uint32_t[]){ 0, 4 }, &t));
	EXPECT_EQ(-EINVAL, accel_tensor_create(self->dev, DRM_QUASAR_FORMAT_FP32, 5,
					       (uint32_t[]){ 1, 1, 1, 1, 1 }, &t));
	EXPECT_EQ(-EINVAL, accel_tensor_create_weights(self->dev, &(struct accel_weights){
		.format = DRM_QUASAR_FORMAT_W_INT4, .n = 16, .k = 64, .group = 40 }, &t));
	EXPECT_NE(NULL, strstr(dev_err(self->dev), "group 40"));
}

/* ---- builder ---- */

/*
 * y1 = x w^T (W4 g32) then y2 = y1 + y1b: the ADD reads the GEMM's output,
 * so the builder puts a BARRIER between them, after the ISA_VERSION.
 */
TEST_F(dev, dependent_ops_get_a_barrier_and_match_the_golden_model)
{
	enum { M = 6, N = 48, K = 96 };
	static uint16_t x[M * K];
	static float xf[M * K], bias[N], y1[M * N], other[M * N], want[M * N], got[M * N];
	struct accel_tensor *tx, *tw, *tb, *ty, *to, *tz;
	struct compress_qtensor *qt;
	struct accel_job_result r;
	struct dp_gemm g;

	dev_fill(xf, M * K, 2);
	for (int i = 0; i < M * K; i++)
		x[i] = dp_f32_to_bf16(xf[i]);
	dev_fill(bias, N, 3);
	dev_fill(other, M * N, 4);
	ASSERT_EQ(0, dev_weights(self->dev, DP_W_INT4, 32, N, K, 5, &qt, &tw));
	g = (struct dp_gemm){ .w = compress_qtensor_wt(qt), .m = M, .afmt = DP_A_BF16, .x = x,
			      .ldx = K, .alpha = 0.5f, .bias = bias, .act = DP_ACT_SILU,
			      .ofmt = DP_O_FP32, .y = y1, .ldy = N };
	ASSERT_EQ(0, dp_gemm_ref(&g));
	ASSERT_EQ(0, dp_add_ref(y1, other, M * N, want));

	ASSERT_EQ(0, accel_tensor_create(self->dev, DRM_QUASAR_FORMAT_BF16, 2,
					 (uint32_t[]){ M, K }, &tx));
	ASSERT_EQ(0, accel_tensor_create(self->dev, DRM_QUASAR_FORMAT_FP32, 1,
					 (uint32_t[]){ N }, &tb));
	ASSERT_EQ(0, accel_tensor_create(self->dev, DRM_QUASAR_FORMAT_FP32, 2,
					 (uint32_t[]){ M, N }, &ty));
	ASSERT_EQ(0, accel_tensor_create(self->dev, DRM_QUASAR_FORMAT_FP32, 2,
					 (uint32_t[]){ M, N }, &to));
	ASSERT_EQ(0, accel_tensor_create(self->dev, DRM_QUASAR_FORMAT_FP32, 2,
					 (uint32_t[]){ M, N }, &tz));
	ASSERT_EQ(0, accel_tensor_write(tx, x, M * K));
	ASSERT_EQ(0, accel_tensor_write_f32(tb, bias, N));
	ASSERT_EQ(0, accel_tensor_write_f32(to, other, M * N));
	ASSERT_EQ(0, accel_op_gemm(self->cb, ty, tx, tw, &(struct accel_epilogue){
		.alpha = 0.5f, .act = DRM_QUASAR_ACT_SILU, .bias = tb })) {
		TH_LOG("%s", dev_err(self->dev));
	}
	EXPECT_EQ(2u, accel_cmdbuf_count(self->cb));
	ASSERT_EQ(0, accel_op_add(self->cb, tz, ty, to)) TH_LOG("%s", dev_err(self->dev));
	ASSERT_EQ(4u, accel_cmdbuf_count(self->cb));
	EXPECT_EQ(DRM_QUASAR_OP_ISA_VERSION, dev_command_opcode(self->cb, 0));
	EXPECT_EQ(DRM_QUASAR_OP_GEMM, dev_command_opcode(self->cb, 1));
	EXPECT_EQ(DRM_QUASAR_OP_BARRIER, dev_command_opcode(self->cb, 2));
	EXPECT_EQ(DRM_QUASAR_OP_ADD, dev_command_opcode(self->cb, 3));
	/* No list of BOs: the builder recorded every tensor's. */
	ASSERT_EQ(0, accel_cmdbuf_submit(self->cb, NULL));
	ASSERT_EQ(0, accel_cmdbuf_wait(self->cb, DEV_TIMEOUT_NS, &r)) {
		TH_LOG("%s", dev_err(self->dev));
	}
	EXPECT_EQ(4u, r.cmd_index);
	ASSERT_EQ(0, accel_tensor_read_f32(tz, got, M * N));
	EXPECT_EQ(0, dev_same(got, want, sizeof(got), "gemm + add"));
	accel_tensor_free(tz);
	accel_tensor_free(to);
	accel_tensor_free(ty);
	accel_tensor_free(tb);
	accel_tensor_free(tw);
	accel_tensor_free(tx);
	compress_qtensor_free(qt);
}

TEST_F(dev, independent_ops_share_no_barrier)
{
	struct accel_tensor *a, *b, *y1, *y2;

	ASSERT_EQ(0, accel_tensor_create(self->dev, DRM_QUASAR_FORMAT_FP32, 1,
					 (uint32_t[]){ 64 }, &a));
	ASSERT_EQ(0, accel_tensor_create(self->dev, DRM_QUASAR_FORMAT_FP32, 1,
					 (uint32_t[]){ 64 }, &b));
	ASSERT_EQ(0, accel_tensor_create(self->dev, DRM_QUASAR_FORMAT_FP32, 1,
					 (uint32_t[]){ 64 }, &y1));
	ASSERT_EQ(0, accel_tensor_create(self->dev, DRM_QUASAR_FORMAT_FP32, 1,
					 (uint32_t[]){ 64 }, &y2));
	ASSERT_EQ(0, accel_op_add(self->cb, y1, a, b));
	ASSERT_EQ(0, accel_op_mul(self->cb, y2, a, b));
	EXPECT_EQ(3u, accel_cmdbuf_count(self->cb));
	/* Writing an input of the two commands before: a barrier first. */
	ASSERT_EQ(0, accel_op_softmax(self->cb, a, y1));
	EXPECT_EQ(5u, accel_cmdbuf_count(self->cb));
	EXPECT_EQ(DRM_QUASAR_OP_BARRIER, dev_command_opcode(self->cb, 3));
	accel_tensor_free(y2);
	accel_tensor_free(y1);
	accel_tensor_free(b);
	accel_tensor_free(a);
}

TEST_F(dev, refused_ops_append_nothing_and_say_why)
{
	struct accel_tensor *x, *y, *g, *w;
	struct compress_qtensor *qt;

	ASSERT_EQ(0, accel_tensor_create(self->dev, DRM_QUASAR_FORMAT_FP32, 2,
					 (uint32_t[]){ 4, 32 }, &x));
	ASSERT_EQ(0, accel_tensor_create(self->dev, DRM_QUASAR_FORMAT_FP32, 2,
					 (uint32_t[]){ 4, 33 }, &y));
	ASSERT_EQ(0, accel_tensor_create(self->dev, DRM_QUASAR_FORMAT_FP32, 1,
					 (uint32_t[]){ 32 }, &g));
	ASSERT_EQ(0, dev_weights(self->dev, DP_W_BF16, 0, 16, 32, 6, &qt, &w));
	EXPECT_EQ(-EINVAL, accel_op_rmsnorm(self->cb, y, x, g, 1e-5f));
	EXPECT_NE(NULL, strstr(dev_err(self->dev), "BAD_SHAPE")) TH_LOG("%s", dev_err(self->dev));
	/* FP32 activations: the GEMM takes BF16. */
	EXPECT_EQ(-EINVAL, accel_op_gemm(self->cb, y, x, w, NULL));
	EXPECT_NE(NULL, strstr(dev_err(self->dev), "BAD_FORMAT")) TH_LOG("%s", dev_err(self->dev));
	/* In place: the output overlaps the input. */
	EXPECT_EQ(-EINVAL, accel_op_softmax(self->cb, x, x));
	EXPECT_NE(NULL, strstr(dev_err(self->dev), "overlaps")) TH_LOG("%s", dev_err(self->dev));
	EXPECT_EQ(-EINVAL, accel_op_rmsnorm(self->cb, x, NULL, g, 1e-5f));
	EXPECT_EQ(0u, accel_cmdbuf_count(self->cb));
	EXPECT_EQ(0u, accel_cmdbuf_size(self->cb));
	accel_tensor_free(w);
	accel_tensor_free(g);
	accel_tensor_free(y);
	accel_tensor_free(x);
	compress_qtensor_free(qt);
}

/* ---- job statistics ---- */

/* docs/cost-model.md example A: W8A8, M = 4, N = 32, K = 64, FP32 out. */
TEST_F(dev, job_stats_are_the_cost_models_example_a)
{
	struct accel_tensor *x, *y, *w;
	struct compress_qtensor *qt;
	struct accel_job_stats s;
	struct accel_job_result r;
	uint16_t xb[4 * 64] = { 0 };

	ASSERT_EQ(0, accel_tensor_create(self->dev, DRM_QUASAR_FORMAT_BF16, 2,
					 (uint32_t[]){ 4, 64 }, &x));
	ASSERT_EQ(0, accel_tensor_create(self->dev, DRM_QUASAR_FORMAT_FP32, 2,
					 (uint32_t[]){ 4, 32 }, &y));
	ASSERT_EQ(0, dev_weights(self->dev, DP_W_INT8, 0, 32, 64, 7, &qt, &w));
	for (int i = 0; i < 4 * 64; i++)
		xb[i] = dp_f32_to_bf16((float)(i % 13) - 6.0f);
	ASSERT_EQ(0, accel_tensor_write(x, xb, 4 * 64));
	EXPECT_EQ(-ENODATA, accel_cmdbuf_stats(self->cb, &s));
	ASSERT_EQ(0, accel_op_gemm(self->cb, y, x, w, &(struct accel_epilogue){
		.alpha = 1.0f, .flags = DRM_QUASAR_GEMM_A8 }));
	ASSERT_EQ(0, accel_cmdbuf_submit(self->cb, &(struct accel_submit){ .queue = 1 }));
	ASSERT_EQ(0, accel_cmdbuf_wait(self->cb, DEV_TIMEOUT_NS, &r));
	ASSERT_EQ(0, accel_cmdbuf_stats(self->cb, &s)) TH_LOG("%s", dev_err(self->dev));
	EXPECT_EQ(0u, s.status);
	EXPECT_EQ(2u, s.cmd_index);
	EXPECT_EQ(1u, s.queue);
	EXPECT_EQ(2048u, s.rd_weight_bytes);
	EXPECT_EQ(128u, s.rd_meta_bytes);
	EXPECT_EQ(512u, s.rd_act_bytes);
	EXPECT_EQ(512u, s.wr_bytes);
	EXPECT_EQ(6400u, s.sram_bytes);
	EXPECT_EQ(8192u, s.macs_dense);
	EXPECT_EQ(8192u, s.macs_exec);
	EXPECT_EQ(256u, s.vec_elems);
	EXPECT_EQ(1u, s.tiles);
	EXPECT_EQ(12u, s.cycles_compute);
	EXPECT_EQ(200u, s.cycles_memory);
	EXPECT_EQ(200u, s.cycles);
	EXPECT_EQ(71347200u, s.energy_fj);
	EXPECT_EQ(1000u, s.clock_mhz);
	accel_tensor_free(w);
	accel_tensor_free(y);
	accel_tensor_free(x);
	compress_qtensor_free(qt);
}

/* ---- graph runner ---- */

/*
 * A diamond on two queues: y1 = gemm(x, w1) on queue 0 and y2 = gemm(x, w2)
 * on queue 1 run independently; s = y1 + y2 waits for both; p =
 * softmax(s) waits for s. Run twice: the timeline points go on rising.
 */
TEST_F(dev, diamond_graph_on_two_queues_matches_the_golden_model)
{
	enum { M = 4, N = 32, K = 64 };
	static uint16_t x[M * K];
	static float y1[M * N], y2[M * N], sum[M * N], want[M * N], got[M * N];
	struct accel_tensor *tx, *tw1, *tw2, *ty1, *ty2, *ts, *tp;
	struct accel_cmdbuf *cb[4];
	struct compress_qtensor *q1, *q2;
	struct accel_graph_node node;
	struct accel_graph *g;
	uint32_t id[4];
	struct dp_gemm gm;

	for (int i = 0; i < M * K; i++)
		x[i] = dp_f32_to_bf16((float)((i * 7) % 17) / 8.0f - 1.0f);
	ASSERT_EQ(0, dev_weights(self->dev, DP_W_INT8, 0, N, K, 8, &q1, &tw1));
	ASSERT_EQ(0, dev_weights(self->dev, DP_W_MXFP4, 0, N, K, 9, &q2, &tw2));
	gm = (struct dp_gemm){ .w = compress_qtensor_wt(q1), .m = M, .afmt = DP_A_BF16, .x = x,
			       .ldx = K, .alpha = 1.0f, .ofmt = DP_O_FP32, .y = y1, .ldy = N };
	ASSERT_EQ(0, dp_gemm_ref(&gm));
	gm.w = compress_qtensor_wt(q2);
	gm.y = y2;
	ASSERT_EQ(0, dp_gemm_ref(&gm));
	ASSERT_EQ(0, dp_add_ref(y1, y2, M * N, sum));
	for (int r = 0; r < M; r++)
		ASSERT_EQ(0, dp_softmax_ref(sum + r * N, N, want + r * N));

	ASSERT_EQ(0, accel_tensor_create(self->dev, DRM_QUASAR_FORMAT_BF16, 2,
					 (uint32_t[]){ M, K }, &tx));
	ASSERT_EQ(0, accel_tensor_write(tx, x, M * K));
	ASSERT_EQ(0, accel_tensor_create(self->dev, DRM_QUASAR_FORMAT_FP32, 2,
					 (uint32_t[]){ M, N }, &ty1));
	ASSERT_EQ(0, accel_tensor_create(self->dev, DRM_QUASAR_FORMAT_FP32, 2,
					 (uint32_t[]){ M, N }, &ty2));
	ASSERT_EQ(0, accel_tensor_create(self->dev, DRM_QUASAR_FORMAT_FP32, 2,
					 (uint32_t[]){ M, N }, &ts));
	ASSERT_EQ(0, accel_tensor_create(self->dev, DRM_QUASAR_FORMAT_FP32, 2,
					 (uint32_t[]){ M, N }, &tp));
	for (int i = 0; i < 4; i++)
		ASSERT_EQ(0, accel_cmdbuf_create(self->dev, &cb[i]));
	ASSERT_EQ(0, accel_op_gemm(cb[0], ty1, tx, tw1, NULL));
	ASSERT_EQ(0, accel_op_gemm(cb[1], ty2, tx, tw2, NULL));
	ASSERT_EQ(0, accel_op_add(cb[2], ts, ty1, ty2));
	ASSERT_EQ(0, accel_op_softmax(cb[3], tp, ts));

	ASSERT_EQ(0, accel_graph_create(self->dev, &g));
	ASSERT_EQ(0, accel_graph_add(g, cb[0], 0, NULL, 0, &id[0]));
	ASSERT_EQ(0, accel_graph_add(g, cb[1], 1, NULL, 0, &id[1]));
	ASSERT_EQ(0, accel_graph_add(g, cb[2], 0, (uint32_t[]){ id[0], id[1] }, 2, &id[2]));
	ASSERT_EQ(0, accel_graph_add(g, cb[3], 1, &id[2], 1, &id[3]));
	EXPECT_EQ(-EINVAL, accel_graph_add(g, cb[3], 1, NULL, 0, NULL));
	EXPECT_EQ(-EINVAL, accel_graph_add(g, self->cb, 0, (uint32_t[]){ 9 }, 1, NULL));
	EXPECT_EQ(-EINVAL, accel_graph_add(g, self->cb, 99, NULL, 0, NULL));
	EXPECT_EQ(4u, accel_graph_count(g));

	for (int run = 0; run < 2; run++) {
		memset(got, 0, sizeof(got));
		ASSERT_EQ(0, accel_tensor_write_f32(tp, got, M * N));
		ASSERT_EQ(0, accel_graph_run(g, DEV_TIMEOUT_NS)) TH_LOG("%s", dev_err(self->dev));
		ASSERT_EQ(0, accel_tensor_read_f32(tp, got, M * N));
		EXPECT_EQ(0, dev_same(got, want, sizeof(got), "graph output"));
		for (uint32_t i = 0; i < 4; i++) {
			ASSERT_EQ(0, accel_graph_node(g, id[i], &node));
			EXPECT_EQ(0u, node.result.status);
			EXPECT_EQ(0, node.dep_failed);
			EXPECT_EQ(4u * run + i + 1, node.point);
			EXPECT_EQ(0, node.stats_err);
			EXPECT_EQ(i < 2 ? (uint64_t)M * N * K : 0, node.stats.macs_dense);
			EXPECT_EQ(i == 1 || i == 3 ? 1u : 0u, node.stats.queue);
		}
	}
	accel_graph_destroy(g);
	for (int i = 0; i < 4; i++)
		accel_cmdbuf_destroy(cb[i]);
	accel_tensor_free(tp);
	accel_tensor_free(ts);
	accel_tensor_free(ty2);
	accel_tensor_free(ty1);
	accel_tensor_free(tw2);
	accel_tensor_free(tw1);
	accel_tensor_free(tx);
	compress_qtensor_free(q2);
	compress_qtensor_free(q1);
}

/*
 * A GATHER with an id past the table fails on the device (BAD_INDEX, which
 * does not ban the context); the node after it still runs and is marked
 * as having run after a failed dependency.
 */
TEST_F(dev, failed_graph_node_is_reported_with_its_dependents)
{
	struct accel_tensor *w, *ids, *y, *z;
	struct accel_cmdbuf *cb2;
	struct accel_graph_node node;
	struct compress_qtensor *qt;
	struct accel_graph *g;
	const uint32_t bad_ids[2] = { 1, 16 };

	ASSERT_EQ(0, dev_weights(self->dev, DP_W_INT8, 0, 16, 32, 10, &qt, &w));
	ASSERT_EQ(0, accel_tensor_create(self->dev, DRM_QUASAR_FORMAT_U32, 1,
					 (uint32_t[]){ 2 }, &ids));
	ASSERT_EQ(0, accel_tensor_write(ids, bad_ids, 2));
	ASSERT_EQ(0, accel_tensor_create(self->dev, DRM_QUASAR_FORMAT_FP32, 2,
					 (uint32_t[]){ 2, 32 }, &y));
	ASSERT_EQ(0, accel_tensor_create(self->dev, DRM_QUASAR_FORMAT_FP32, 2,
					 (uint32_t[]){ 2, 32 }, &z));
	ASSERT_EQ(0, accel_cmdbuf_create(self->dev, &cb2));
	ASSERT_EQ(0, accel_op_gather(self->cb, y, w, ids));
	ASSERT_EQ(0, accel_op_softmax(cb2, z, y));
	ASSERT_EQ(0, accel_graph_create(self->dev, &g));
	ASSERT_EQ(0, accel_graph_add(g, self->cb, 0, NULL, 0, NULL));
	ASSERT_EQ(0, accel_graph_add(g, cb2, 1, (uint32_t[]){ 0 }, 1, NULL));
	EXPECT_EQ(-EIO, accel_graph_run(g, DEV_TIMEOUT_NS));
	EXPECT_NE(NULL, strstr(dev_err(self->dev), "BAD_INDEX")) TH_LOG("%s", dev_err(self->dev));
	ASSERT_EQ(0, accel_graph_node(g, 0, &node));
	EXPECT_EQ((uint32_t)DRM_QUASAR_STATUS_BAD_INDEX, node.result.status);
	EXPECT_EQ(1u, node.result.cmd_index);
	ASSERT_EQ(0, accel_graph_node(g, 1, &node));
	EXPECT_EQ(0u, node.result.status);
	EXPECT_EQ(1, node.dep_failed);
	accel_graph_destroy(g);
	accel_cmdbuf_destroy(cb2);
	accel_tensor_free(z);
	accel_tensor_free(y);
	accel_tensor_free(ids);
	accel_tensor_free(w);
	compress_qtensor_free(qt);
}

/* ---- queues with priorities ---- */

static const uint32_t dev_prios[] = {
	DRM_QUASAR_PRIORITY_LOW, DRM_QUASAR_PRIORITY_NORMAL, DRM_QUASAR_PRIORITY_HIGH,
};

/* A W8 GEMM job (M 4, N 32, K 64) and its golden output. */
struct dev_gemm {
	struct compress_qtensor *qt;
	struct accel_tensor *x, *w, *y;
	struct accel_cmdbuf *cb;
	float want[4 * 32];
};

static int dev_gemm_make(struct accel_device *dev, uint32_t seed, struct dev_gemm *j)
{
	uint16_t x[4 * 64];
	float xf[4 * 64];
	struct dp_gemm g;
	int err;

	memset(j, 0, sizeof(*j));
	dev_fill(xf, 4 * 64, seed);
	for (int i = 0; i < 4 * 64; i++)
		x[i] = dp_f32_to_bf16(xf[i]);
	if ((err = dev_weights(dev, DP_W_INT8, 0, 32, 64, seed + 1, &j->qt, &j->w)))
		return err;
	g = (struct dp_gemm){ .w = compress_qtensor_wt(j->qt), .m = 4, .afmt = DP_A_BF16, .x = x,
			      .ldx = 64, .alpha = 1.0f, .ofmt = DP_O_FP32, .y = j->want,
			      .ldy = 32 };
	if (dp_gemm_ref(&g))
		return -EINVAL;
	if ((err = accel_tensor_create(dev, DRM_QUASAR_FORMAT_BF16, 2, (uint32_t[]){ 4, 64 },
				       &j->x)) ||
	    (err = accel_tensor_write(j->x, x, 4 * 64)) ||
	    (err = accel_tensor_create(dev, DRM_QUASAR_FORMAT_FP32, 2, (uint32_t[]){ 4, 32 },
				       &j->y)) ||
	    (err = accel_cmdbuf_create(dev, &j->cb)))
		return err;
	return accel_op_gemm(j->cb, j->y, j->x, j->w, NULL);
}

/* 0 when the job's output is the golden one. */
static int dev_gemm_check(struct dev_gemm *j, const char *what)
{
	float got[4 * 32];

	if (accel_tensor_read_f32(j->y, got, 4 * 32))
		return -1;
	return dev_same(got, j->want, sizeof(got), what);
}

static void dev_gemm_free(struct dev_gemm *j)
{
	accel_cmdbuf_destroy(j->cb);
	accel_tensor_free(j->y);
	accel_tensor_free(j->x);
	accel_tensor_free(j->w);
	compress_qtensor_free(j->qt);
}

TEST_F(dev, queues_of_every_priority_are_created_and_destroyed)
{
	const struct drm_quasar_device_info *info = accel_device_info(self->dev);
	struct accel_queue *q[3], *n2;

	EXPECT_LE(1u, info->num_engines);
	EXPECT_GE(4u, info->num_engines);
	EXPECT_EQ(0x7u, info->queue_priorities);
	for (int i = 0; i < 3; i++) {
		ASSERT_EQ(0, accel_queue_create(self->dev, dev_prios[i], &q[i]))
			TH_LOG("%s", dev_err(self->dev));
		EXPECT_EQ(dev_prios[i], accel_queue_priority(q[i]));
		EXPECT_GT(info->num_queues, accel_queue_hw_index(q[i]));
	}
	/* Priorities live on different hardware queues. */
	EXPECT_NE(accel_queue_hw_index(q[0]), accel_queue_hw_index(q[1]));
	EXPECT_NE(accel_queue_hw_index(q[1]), accel_queue_hw_index(q[2]));
	EXPECT_NE(accel_queue_hw_index(q[0]), accel_queue_hw_index(q[2]));
	/* The driver spreads a second NORMAL queue to the other NORMAL hw queue. */
	ASSERT_EQ(0, accel_queue_create(self->dev, DRM_QUASAR_PRIORITY_NORMAL, &n2));
	EXPECT_NE(accel_queue_hw_index(q[1]), accel_queue_hw_index(n2));
	accel_queue_destroy(n2);
	for (int i = 0; i < 3; i++)
		accel_queue_destroy(q[i]);
}

/*
 * One GEMM on a queue of each priority, all submitted before any is
 * waited for: each output is its golden one and each report names the
 * hardware queue its queue is bound to.
 */
TEST_F(dev, job_on_each_priority_matches_the_golden_model)
{
	struct accel_queue *q[3];
	struct dev_gemm j[3];
	struct accel_job_result r;
	struct accel_job_stats s;

	for (int i = 0; i < 3; i++) {
		ASSERT_EQ(0, dev_gemm_make(self->dev, 20 + 2 * i, &j[i]))
			TH_LOG("%s", dev_err(self->dev));
		ASSERT_EQ(0, accel_queue_create(self->dev, dev_prios[i], &q[i]))
			TH_LOG("%s", dev_err(self->dev));
	}
	for (int i = 0; i < 3; i++) {
		ASSERT_EQ(0, accel_cmdbuf_submit(j[i].cb, &(struct accel_submit){
			.uqueue = q[i] })) TH_LOG("%s", dev_err(self->dev));
	}
	for (int i = 0; i < 3; i++) {
		ASSERT_EQ(0, accel_cmdbuf_wait(j[i].cb, DEV_TIMEOUT_NS, &r))
			TH_LOG("%s: %s", accel_priority_name(dev_prios[i]), dev_err(self->dev));
		EXPECT_EQ(0, dev_gemm_check(&j[i], accel_priority_name(dev_prios[i])));
		ASSERT_EQ(0, accel_cmdbuf_stats(j[i].cb, &s)) TH_LOG("%s", dev_err(self->dev));
		EXPECT_EQ(accel_queue_hw_index(q[i]), s.queue);
		EXPECT_EQ(4u * 32 * 64, s.macs_dense);
	}
	for (int i = 0; i < 3; i++) {
		accel_queue_destroy(q[i]);
		dev_gemm_free(&j[i]);
	}
}

TEST_F(dev, destroying_a_queue_lets_its_submitted_job_finish)
{
	struct accel_queue *q;
	struct accel_job_result r;
	struct dev_gemm j;

	ASSERT_EQ(0, dev_gemm_make(self->dev, 30, &j)) TH_LOG("%s", dev_err(self->dev));
	ASSERT_EQ(0, accel_queue_create(self->dev, DRM_QUASAR_PRIORITY_HIGH, &q));
	ASSERT_EQ(0, accel_cmdbuf_submit(j.cb, &(struct accel_submit){ .uqueue = q }));
	accel_queue_destroy(q);
	ASSERT_EQ(0, accel_cmdbuf_wait(j.cb, DEV_TIMEOUT_NS, &r)) TH_LOG("%s", dev_err(self->dev));
	EXPECT_EQ(0, dev_gemm_check(&j, "job of a destroyed queue"));
	dev_gemm_free(&j);
}

/*
 * The diamond of diamond_graph_on_two_queues over priorities: y1 on HIGH
 * and y2 on LOW (the caller's queue), their sum on NORMAL, the softmax on
 * hardware queue 0. The graph's own queues are reused by the second run.
 */
TEST_F(dev, graph_on_three_priorities_matches_the_golden_model)
{
	struct dev_gemm j1, j2;
	static float sum[4 * 32], want[4 * 32], got[4 * 32];
	struct accel_tensor *ts, *tp;
	struct accel_cmdbuf *cb_add, *cb_soft;
	const struct accel_queue *seen[4] = { 0 };
	struct accel_graph_node node;
	struct accel_queue *low;
	struct accel_graph *g;
	uint32_t id[4];

	ASSERT_EQ(0, dev_gemm_make(self->dev, 40, &j1)) TH_LOG("%s", dev_err(self->dev));
	ASSERT_EQ(0, dev_gemm_make(self->dev, 50, &j2)) TH_LOG("%s", dev_err(self->dev));
	ASSERT_EQ(0, dp_add_ref(j1.want, j2.want, 4 * 32, sum));
	for (int r = 0; r < 4; r++) {
		ASSERT_EQ(0, dp_softmax_ref(sum + r * 32, 32, want + r * 32));
	}
	ASSERT_EQ(0, accel_tensor_create(self->dev, DRM_QUASAR_FORMAT_FP32, 2,
					 (uint32_t[]){ 4, 32 }, &ts));
	ASSERT_EQ(0, accel_tensor_create(self->dev, DRM_QUASAR_FORMAT_FP32, 2,
					 (uint32_t[]){ 4, 32 }, &tp));
	ASSERT_EQ(0, accel_cmdbuf_create(self->dev, &cb_add));
	ASSERT_EQ(0, accel_cmdbuf_create(self->dev, &cb_soft));
	ASSERT_EQ(0, accel_op_add(cb_add, ts, j1.y, j2.y));
	ASSERT_EQ(0, accel_op_softmax(cb_soft, tp, ts));
	ASSERT_EQ(0, accel_queue_create(self->dev, DRM_QUASAR_PRIORITY_LOW, &low));

	ASSERT_EQ(0, accel_graph_create(self->dev, &g));
	ASSERT_EQ(0, accel_graph_add_priority(g, j1.cb, DRM_QUASAR_PRIORITY_HIGH, NULL, 0,
					      &id[0])) TH_LOG("%s", dev_err(self->dev));
	ASSERT_EQ(0, accel_graph_add_queue(g, j2.cb, low, NULL, 0, &id[1]));
	ASSERT_EQ(0, accel_graph_add_priority(g, cb_add, DRM_QUASAR_PRIORITY_NORMAL,
					      (uint32_t[]){ id[0], id[1] }, 2, &id[2]));
	ASSERT_EQ(0, accel_graph_add(g, cb_soft, 0, &id[2], 1, &id[3]));

	for (int run = 0; run < 2; run++) {
		memset(got, 0, sizeof(got));
		ASSERT_EQ(0, accel_tensor_write_f32(tp, got, 4 * 32));
		ASSERT_EQ(0, accel_graph_run(g, DEV_TIMEOUT_NS)) TH_LOG("%s", dev_err(self->dev));
		ASSERT_EQ(0, accel_tensor_read_f32(tp, got, 4 * 32));
		EXPECT_EQ(0, dev_same(got, want, sizeof(got), "graph output"));
		EXPECT_EQ(0, dev_gemm_check(&j1, "HIGH node"));
		EXPECT_EQ(0, dev_gemm_check(&j2, "LOW node"));
		for (uint32_t i = 0; i < 4; i++) {
			ASSERT_EQ(0, accel_graph_node(g, id[i], &node));
			EXPECT_EQ(0u, node.result.status);
			EXPECT_EQ(0, node.stats_err);
			if (run) {
				EXPECT_EQ(seen[i], node.queue);
			}
			seen[i] = node.queue;
			if (i == 3) {
				EXPECT_EQ(NULL, node.queue);
				EXPECT_EQ(0u, node.stats.queue);
				continue;
			}
			ASSERT_NE(NULL, node.queue);
			EXPECT_EQ(accel_queue_hw_index(node.queue), node.stats.queue);
			EXPECT_EQ(i == 0 ? (uint32_t)DRM_QUASAR_PRIORITY_HIGH :
				  i == 1 ? (uint32_t)DRM_QUASAR_PRIORITY_LOW :
				  (uint32_t)DRM_QUASAR_PRIORITY_NORMAL,
				  accel_queue_priority(node.queue));
		}
	}
	EXPECT_EQ(low, seen[1]);
	accel_graph_destroy(g);
	accel_queue_destroy(low);
	accel_cmdbuf_destroy(cb_soft);
	accel_cmdbuf_destroy(cb_add);
	accel_tensor_free(tp);
	accel_tensor_free(ts);
	dev_gemm_free(&j2);
	dev_gemm_free(&j1);
}

TEST_F(dev, bad_priority_and_mixed_queues_are_refused_with_a_reason)
{
	struct accel_queue *q = (void *)1, *other_q;
	struct accel_device *other;
	struct accel_graph *g;

	EXPECT_EQ(-EINVAL, accel_queue_create(self->dev, 3, &q));
	EXPECT_EQ(NULL, q);
	EXPECT_NE(NULL, strstr(dev_err(self->dev), "queue priority 3")) {
		TH_LOG("%s", dev_err(self->dev));
	}
	ASSERT_EQ(0, accel_graph_create(self->dev, &g));
	ASSERT_EQ(0, accel_cmdbuf_nop(self->cb));
	EXPECT_EQ(-EINVAL, accel_graph_add_priority(g, self->cb, 7, NULL, 0, NULL));
	EXPECT_NE(NULL, strstr(dev_err(self->dev), "queue priority 7"));
	EXPECT_EQ(0u, accel_graph_count(g));
	accel_graph_destroy(g);

	ASSERT_EQ(0, accel_queue_create(self->dev, DRM_QUASAR_PRIORITY_HIGH, &q));
	EXPECT_EQ(-EINVAL, accel_cmdbuf_submit(self->cb, &(struct accel_submit){
		.queue = 1, .uqueue = q }));
	EXPECT_NE(NULL, strstr(dev_err(self->dev), "both hardware queue 1")) {
		TH_LOG("%s", dev_err(self->dev));
	}
	/* A queue of another open file of the same device is not this file's. */
	ASSERT_EQ(0, accel_device_open(NULL, &other));
	ASSERT_EQ(0, accel_queue_create(other, DRM_QUASAR_PRIORITY_LOW, &other_q));
	EXPECT_EQ(-EINVAL, accel_cmdbuf_submit(self->cb, &(struct accel_submit){
		.uqueue = other_q }));
	EXPECT_NE(NULL, strstr(dev_err(self->dev), "another device handle")) {
		TH_LOG("%s", dev_err(self->dev));
	}
	/* Nothing was submitted: the stream still takes a good submit. */
	ASSERT_EQ(0, accel_cmdbuf_submit(self->cb, &(struct accel_submit){ .uqueue = q }));
	EXPECT_EQ(0, accel_cmdbuf_wait(self->cb, DEV_TIMEOUT_NS, NULL));
	accel_queue_destroy(other_q);
	accel_device_close(other);
	accel_queue_destroy(q);
}

TEST_HARNESS_MAIN
