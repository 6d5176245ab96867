// SPDX-License-Identifier: MIT
/*
 * libaccel's device-free streams (accel_stream.h) against its command
 * buffers, on the host with the fake kernel of la_fake.h standing in for
 * the device the command buffer needs: the same operands give the same
 * bytes (every ISA v1 op, the ISA_VERSION and the BARRIERs the rules add),
 * a refusal names the rule and leaves the stream as it was, and the
 * weights helpers lay packed weights out exactly as a weight tensor's BO.
 */
#include <errno.h>
#include <string.h>

#include "kselftest_harness.h"

#include "accel_internal.h"
#include "accel_stream.h"
#include "la_fake.h"

#define HAS(text, s) EXPECT_NE(NULL, strstr(text, s)) TH_LOG("missing \"%s\" in: %s", s, text)

/* A tensor's operand, as accel_ops.c hands it to the encoders. */
static struct accel_operand st_op(const struct accel_tensor *t)
{
	return (struct accel_operand){ *accel_tensor_desc(t), *accel_tensor_wparams(t) };
}

FIXTURE(st) {
	struct accel_device *dev;
	struct accel_cmdbuf *cb;
	struct accel_stream *s;
	struct accel_tensor *t[32];
	uint32_t nt;
};

FIXTURE_SETUP(st)
{
	self->dev = la_fake_open();
	ASSERT_NE(NULL, self->dev);
	ASSERT_EQ(0, accel_cmdbuf_create(self->dev, &self->cb));
	ASSERT_EQ(0, accel_stream_create(&self->s));
}

FIXTURE_TEARDOWN(st)
{
	while (self->nt)
		accel_tensor_free(self->t[--self->nt]);
	accel_stream_destroy(self->s);
	accel_cmdbuf_destroy(self->cb);
	accel_device_close(self->dev);
}

static struct accel_tensor *st_plain(struct _test_data_st *self, uint32_t format, uint32_t ndim,
				     const uint32_t *dims)
{
	struct accel_tensor *t = NULL;

	if (accel_tensor_create(self->dev, format, ndim, dims, &t) || self->nt == 32)
		return NULL;
	return self->t[self->nt++] = t;
}

static struct accel_tensor *st_weights(struct _test_data_st *self, uint32_t format, uint32_t n,
				       uint32_t k, uint32_t group)
{
	struct accel_weights w = { .format = format, .n = n, .k = k, .group = group };
	struct accel_tensor *t = NULL;

	if (accel_tensor_create_weights(self->dev, &w, &t) || self->nt == 32)
		return NULL;
	return self->t[self->nt++] = t;
}

#define D(...) (sizeof((uint32_t[]){ __VA_ARGS__ }) / 4), (uint32_t[]){ __VA_ARGS__ }

/* Every ISA v1 op, in an order whose hazards need barriers, through both builders. */
TEST_F(st, stream_gives_the_command_buffers_bytes_op_for_op)
{
	struct accel_tensor *x = st_plain(self, DRM_QUASAR_FORMAT_BF16, D(4, 64));
	struct accel_tensor *w = st_weights(self, DRM_QUASAR_FORMAT_W_INT8, 32, 64, 0);
	struct accel_tensor *w4 = st_weights(self, DRM_QUASAR_FORMAT_W_INT4, 16, 72, 32);
	struct accel_tensor *bias = st_plain(self, DRM_QUASAR_FORMAT_FP32, D(32));
	struct accel_tensor *bias16 = st_plain(self, DRM_QUASAR_FORMAT_FP32, D(16));
	struct accel_tensor *res = st_plain(self, DRM_QUASAR_FORMAT_FP32, D(4, 32));
	struct accel_tensor *y = st_plain(self, DRM_QUASAR_FORMAT_FP32, D(4, 32));
	struct accel_tensor *y16 = st_plain(self, DRM_QUASAR_FORMAT_BF16, D(4, 32));
	struct accel_tensor *img = st_plain(self, DRM_QUASAR_FORMAT_BF16, D(1, 6, 6, 8));
	struct accel_tensor *cy = st_plain(self, DRM_QUASAR_FORMAT_FP32, D(1, 4, 4, 16));
	struct accel_tensor *g = st_plain(self, DRM_QUASAR_FORMAT_FP32, D(32));
	struct accel_tensor *n1 = st_plain(self, DRM_QUASAR_FORMAT_FP32, D(4, 32));
	struct accel_tensor *n2 = st_plain(self, DRM_QUASAR_FORMAT_FP32, D(4, 32));
	struct accel_tensor *sm = st_plain(self, DRM_QUASAR_FORMAT_FP32, D(4, 32));
	struct accel_tensor *cs = st_plain(self, DRM_QUASAR_FORMAT_FP32, D(64));
	struct accel_tensor *sn = st_plain(self, DRM_QUASAR_FORMAT_FP32, D(64));
	struct accel_tensor *rp = st_plain(self, DRM_QUASAR_FORMAT_FP32, D(4, 32));
	struct accel_tensor *ad = st_plain(self, DRM_QUASAR_FORMAT_FP32, D(4, 32));
	struct accel_tensor *mu = st_plain(self, DRM_QUASAR_FORMAT_FP32, D(4, 32));
	struct accel_tensor *ids = st_plain(self, DRM_QUASAR_FORMAT_U32, D(3));
	struct accel_tensor *gy = st_plain(self, DRM_QUASAR_FORMAT_FP32, D(3, 64));
	struct accel_tensor *xf = st_plain(self, DRM_QUASAR_FORMAT_FP32, D(4, 64));
	struct accel_tensor *wf = st_plain(self, DRM_QUASAR_FORMAT_BF16, D(32, 64));
	struct accel_epilogue e1 = { .alpha = 0.5f, .act = DRM_QUASAR_ACT_RELU, .bias = bias,
				     .residual = res };
	struct accel_epilogue e2 = { .alpha = 1.0f, .flags = DRM_QUASAR_GEMM_A8 };
	struct accel_epilogue e3 = { .alpha = 1.0f, .act = DRM_QUASAR_ACT_GELU, .bias = bias16 };
	struct accel_conv2d geom = { 3, 3, 1, 0 };
	struct accel_operand ox, ow, ow4, ob, ob16, ores, oy, oy16, oimg, ocy, og, on1, on2, osm,
			     ocs, osn, orp, oad, omu, oids, ogy, oxf, owf;
	struct accel_stream_epilogue s1, s2, s3;
	void *map;

	ASSERT_NE(NULL, wf);
	ox = st_op(x);
	ow = st_op(w);
	ow4 = st_op(w4);
	ob = st_op(bias);
	ob16 = st_op(bias16);
	ores = st_op(res);
	oy = st_op(y);
	oy16 = st_op(y16);
	oimg = st_op(img);
	ocy = st_op(cy);
	og = st_op(g);
	on1 = st_op(n1);
	on2 = st_op(n2);
	osm = st_op(sm);
	ocs = st_op(cs);
	osn = st_op(sn);
	orp = st_op(rp);
	oad = st_op(ad);
	omu = st_op(mu);
	oids = st_op(ids);
	ogy = st_op(gy);
	oxf = st_op(xf);
	owf = st_op(wf);
	s1 = (struct accel_stream_epilogue){ 0.5f, DRM_QUASAR_ACT_RELU, 0, &ob, &ores };
	s2 = (struct accel_stream_epilogue){ 1.0f, 0, DRM_QUASAR_GEMM_A8, NULL, NULL };
	s3 = (struct accel_stream_epilogue){ 1.0f, DRM_QUASAR_ACT_GELU, 0, &ob16, NULL };

	ASSERT_EQ(0, accel_op_gemm(self->cb, y, x, w, &e1));
	ASSERT_EQ(0, accel_stream_gemm(self->s, &oy, &ox, &ow, &s1));
	ASSERT_EQ(0, accel_op_gemm(self->cb, y16, x, w, &e2));
	ASSERT_EQ(0, accel_stream_gemm(self->s, &oy16, &ox, &ow, &s2));
	ASSERT_EQ(0, accel_op_conv2d(self->cb, cy, img, w4, &geom, &e3));
	ASSERT_EQ(0, accel_stream_conv2d(self->s, &ocy, &oimg, &ow4, 3, 3, 1, 0, &s3));
	ASSERT_EQ(0, accel_op_rmsnorm(self->cb, n1, y, g, 1e-5f));
	ASSERT_EQ(0, accel_stream_rmsnorm(self->s, &on1, &oy, &og, 1e-5f));
	ASSERT_EQ(0, accel_op_layernorm(self->cb, n2, n1, g, bias, 1e-6f));
	ASSERT_EQ(0, accel_stream_layernorm(self->s, &on2, &on1, &og, &ob, 1e-6f));
	ASSERT_EQ(0, accel_op_softmax(self->cb, sm, n2));
	ASSERT_EQ(0, accel_stream_softmax(self->s, &osm, &on2));
	ASSERT_EQ(0, accel_op_rope(self->cb, rp, sm, cs, sn));
	ASSERT_EQ(0, accel_stream_rope(self->s, &orp, &osm, &ocs, &osn));
	ASSERT_EQ(0, accel_op_barrier(self->cb));
	ASSERT_EQ(0, accel_stream_barrier(self->s));
	ASSERT_EQ(0, accel_op_add(self->cb, ad, rp, y));
	ASSERT_EQ(0, accel_stream_add(self->s, &oad, &orp, &oy));
	ASSERT_EQ(0, accel_op_mul(self->cb, mu, ad, n1));
	ASSERT_EQ(0, accel_stream_mul(self->s, &omu, &oad, &on1));
	ASSERT_EQ(0, accel_op_gather(self->cb, gy, w, ids));
	ASSERT_EQ(0, accel_stream_gather(self->s, &ogy, &ow, &oids));
	ASSERT_EQ(0, accel_op_convert(self->cb, xf, x));
	ASSERT_EQ(0, accel_stream_convert(self->s, &oxf, &ox));
	ASSERT_EQ(0, accel_op_convert(self->cb, wf, w));
	ASSERT_EQ(0, accel_stream_convert(self->s, &owf, &ow));
	/* a write over what the first GEMM read: a WAR hazard */
	ASSERT_EQ(0, accel_op_convert(self->cb, x, xf));
	ASSERT_EQ(0, accel_stream_convert(self->s, &ox, &oxf));

	ASSERT_EQ(accel_cmdbuf_size(self->cb), accel_stream_size(self->s));
	EXPECT_EQ(accel_cmdbuf_count(self->cb), accel_stream_count(self->s));
	ASSERT_EQ(0, accel_bo_map(accel_cmdbuf_bo(self->cb), &map));
	EXPECT_EQ(0, memcmp(map, accel_stream_data(self->s), accel_stream_size(self->s)));
	/* 14 ops, ISA_VERSION, the explicit barrier and the ones the hazards need */
	EXPECT_LT(16u + 4, accel_stream_count(self->s));
}

/*
 * ISA v2 after v1 ops, through both builders: one head's attention (Q x
 * K^T, causal softmax, P x V) and a row-broadcast scale, the one
 * ISA_VERSION raised to 2 in place, the same bytes.
 */
TEST_F(st, stream_gives_the_command_buffers_bytes_for_isa_v2)
{
	struct accel_tensor *q = st_plain(self, DRM_QUASAR_FORMAT_FP32, D(4, 16));
	struct accel_tensor *k = st_plain(self, DRM_QUASAR_FORMAT_FP32, D(8, 16));
	struct accel_tensor *v = st_plain(self, DRM_QUASAR_FORMAT_FP32, D(8, 16));
	struct accel_tensor *sc = st_plain(self, DRM_QUASAR_FORMAT_FP32, D(4, 8));
	struct accel_tensor *pr = st_plain(self, DRM_QUASAR_FORMAT_FP32, D(4, 8));
	struct accel_tensor *o = st_plain(self, DRM_QUASAR_FORMAT_FP32, D(4, 16));
	struct accel_tensor *row = st_plain(self, DRM_QUASAR_FORMAT_FP32, D(16));
	struct accel_tensor *os = st_plain(self, DRM_QUASAR_FORMAT_FP32, D(4, 16));
	struct accel_tensor *g = st_plain(self, DRM_QUASAR_FORMAT_FP32, D(16));
	struct accel_tensor *qn = st_plain(self, DRM_QUASAR_FORMAT_FP32, D(4, 16));
	struct accel_operand oq, ok, ov, osc, opr, oo, orow, oos, og, oqn;
	const struct drm_quasar_cmd_isa_version *decl;
	void *map;

	ASSERT_NE(NULL, qn);
	oq = st_op(q);
	ok = st_op(k);
	ov = st_op(v);
	osc = st_op(sc);
	opr = st_op(pr);
	oo = st_op(o);
	orow = st_op(row);
	oos = st_op(os);
	og = st_op(g);
	oqn = st_op(qn);

	ASSERT_EQ(0, accel_op_rmsnorm(self->cb, qn, q, g, 1e-5f));
	ASSERT_EQ(0, accel_stream_rmsnorm(self->s, &oqn, &oq, &og, 1e-5f));
	ASSERT_EQ(0, accel_op_matmul(self->cb, sc, qn, k, 0.25f, DRM_QUASAR_MATMUL_TRANS_B, 0));
	ASSERT_EQ(0, accel_stream_matmul(self->s, &osc, &oqn, &ok, 0.25f,
					 DRM_QUASAR_MATMUL_TRANS_B, 0));
	ASSERT_EQ(0, accel_op_softmax_causal(self->cb, pr, sc, 4));
	ASSERT_EQ(0, accel_stream_softmax_causal(self->s, &opr, &osc, 4));
	ASSERT_EQ(0, accel_op_matmul(self->cb, o, pr, v, 1.0f, DRM_QUASAR_MATMUL_CAUSAL, 4));
	ASSERT_EQ(0, accel_stream_matmul(self->s, &oo, &opr, &ov, 1.0f, DRM_QUASAR_MATMUL_CAUSAL,
					 4));
	ASSERT_EQ(0, accel_op_mul_row(self->cb, os, o, row));
	ASSERT_EQ(0, accel_stream_mul_row(self->s, &oos, &oo, &orow));
	ASSERT_EQ(0, accel_op_add_row(self->cb, o, os, row));
	ASSERT_EQ(0, accel_stream_add_row(self->s, &oo, &oos, &orow));

	ASSERT_EQ(accel_cmdbuf_size(self->cb), accel_stream_size(self->s));
	EXPECT_EQ(accel_cmdbuf_count(self->cb), accel_stream_count(self->s));
	ASSERT_EQ(0, accel_bo_map(accel_cmdbuf_bo(self->cb), &map));
	EXPECT_EQ(0, memcmp(map, accel_stream_data(self->s), accel_stream_size(self->s)));
	/* one declaration, first, raised to 2 by the first v2 command */
	decl = accel_stream_data(self->s);
	EXPECT_EQ(DRM_QUASAR_OP_ISA_VERSION, decl->hdr.opcode);
	EXPECT_EQ(2u, decl->version);
}

TEST_F(st, stream_refusal_names_the_rule_and_leaves_the_stream_as_it_was)
{
	struct accel_tensor *x = st_plain(self, DRM_QUASAR_FORMAT_BF16, D(4, 48));
	struct accel_tensor *w = st_weights(self, DRM_QUASAR_FORMAT_W_INT8, 32, 64, 0);
	struct accel_tensor *y = st_plain(self, DRM_QUASAR_FORMAT_FP32, D(4, 32));
	struct accel_tensor *a = st_plain(self, DRM_QUASAR_FORMAT_FP32, D(8, 32));
	struct accel_operand ox, ow, oy, oa, half;
	uint32_t size;

	ASSERT_NE(NULL, a);
	ox = st_op(x);
	ow = st_op(w);
	oy = st_op(y);
	oa = st_op(a);
	EXPECT_EQ(-EINVAL, accel_stream_softmax(self->s, &oy, &oy));
	HAS(accel_stream_last_error(self->s), "SOFTMAX: output overlaps x");
	EXPECT_EQ(0u, accel_stream_size(self->s));
	/* y 4 x 32 from inputs of 8 x 32 */
	EXPECT_EQ(-EINVAL, accel_stream_add(self->s, &oy, &oa, &oa));
	HAS(accel_stream_last_error(self->s), "device status BAD_SHAPE");
	EXPECT_EQ(0u, accel_stream_size(self->s));
	half = oa;
	half.t.dims[2] = 4;
	ASSERT_EQ(0, accel_stream_add(self->s, &half, &oy, &oy));
	size = accel_stream_size(self->s);
	/* K 48 against weights of K 64 */
	EXPECT_EQ(-EINVAL, accel_stream_gemm(self->s, &oy, &ox, &ow, NULL));
	HAS(accel_stream_last_error(self->s), "GEMM refused on the host");
	HAS(accel_stream_last_error(self->s), "device status BAD_SHAPE");
	EXPECT_EQ(-EINVAL, accel_stream_gemm(self->s, &oy, NULL, &ow, NULL));
	HAS(accel_stream_last_error(self->s), "x is NULL");
	EXPECT_EQ(size, accel_stream_size(self->s));
}

TEST_F(st, stream_reset_declares_the_version_again)
{
	struct accel_tensor *a = st_plain(self, DRM_QUASAR_FORMAT_FP32, D(4, 32));
	struct accel_tensor *b = st_plain(self, DRM_QUASAR_FORMAT_FP32, D(4, 32));
	struct accel_operand oa, ob;
	const struct drm_quasar_cmd_header *h;

	ASSERT_NE(NULL, b);
	oa = st_op(a);
	ob = st_op(b);
	ASSERT_EQ(0, accel_stream_softmax(self->s, &ob, &oa));
	ASSERT_EQ(0, accel_stream_softmax(self->s, &oa, &ob));
	EXPECT_EQ(4u, accel_stream_count(self->s));	/* version, op, barrier, op */
	accel_stream_reset(self->s);
	EXPECT_EQ(0u, accel_stream_size(self->s));
	ASSERT_EQ(0, accel_stream_softmax(self->s, &ob, &oa));
	h = accel_stream_data(self->s);
	EXPECT_EQ(DRM_QUASAR_OP_ISA_VERSION, h->opcode);
	EXPECT_EQ(2u, accel_stream_count(self->s));
}

/*
 * COPY in a stream: the command v0 defines, under the stream's rules (the
 * version first, a barrier when it reads what an op wrote, and before an
 * op that reads what it wrote); refusals name the device status.
 */
TEST_F(st, stream_copy_follows_the_rules_and_refuses_what_the_device_would)
{
	struct accel_tensor *a = st_plain(self, DRM_QUASAR_FORMAT_FP32, D(4, 32));
	struct accel_tensor *b = st_plain(self, DRM_QUASAR_FORMAT_FP32, D(4, 32));
	const struct drm_quasar_cmd_header *h;
	const struct drm_quasar_cmd_copy *c;
	struct accel_operand oa, ob;
	const uint8_t *p;
	uint32_t size;

	ASSERT_NE(NULL, b);
	oa = st_op(a);
	ob = st_op(b);
	/* version, COPY a row of a into b */
	ASSERT_EQ(0, accel_stream_copy(self->s, ob.t.addr, oa.t.addr + 128, 128));
	EXPECT_EQ(2u, accel_stream_count(self->s));
	p = accel_stream_data(self->s);
	h = (const void *)p;
	EXPECT_EQ(DRM_QUASAR_OP_ISA_VERSION, h->opcode);
	c = (const void *)(p + h->length);
	EXPECT_EQ(DRM_QUASAR_OP_COPY, c->hdr.opcode);
	EXPECT_EQ(sizeof(*c), c->hdr.length);
	EXPECT_EQ(ob.t.addr, c->dst);
	EXPECT_EQ(oa.t.addr + 128, c->src);
	EXPECT_EQ(128u, c->size);
	/* an op reading b: a barrier first; a second COPY into b: another */
	ASSERT_EQ(0, accel_stream_softmax(self->s, &oa, &ob));
	EXPECT_EQ(4u, accel_stream_count(self->s));
	ASSERT_EQ(0, accel_stream_copy(self->s, ob.t.addr + 128, ob.t.addr + 256, 128));
	EXPECT_EQ(6u, accel_stream_count(self->s));
	/* bytes nothing since that barrier touched: no barrier */
	ASSERT_EQ(0, accel_stream_copy(self->s, oa.t.addr + 384, ob.t.addr + 384, 64));
	EXPECT_EQ(7u, accel_stream_count(self->s));
	size = accel_stream_size(self->s);
	EXPECT_EQ(-EINVAL, accel_stream_copy(self->s, ob.t.addr, oa.t.addr, 0));
	HAS(accel_stream_last_error(self->s), "device status BAD_RANGE");
	EXPECT_EQ(-EINVAL, accel_stream_copy(self->s, ob.t.addr, UINT64_MAX - 8, 16));
	HAS(accel_stream_last_error(self->s), "device status BAD_RANGE");
	EXPECT_EQ(-EINVAL, accel_stream_copy(self->s, oa.t.addr + 8, oa.t.addr, 16));
	HAS(accel_stream_last_error(self->s), "device status OVERLAP");
	EXPECT_EQ(size, accel_stream_size(self->s));
}

/* The weights helpers: a weight tensor's BO, byte for byte, and its operand. */
TEST_F(st, weights_image_and_operand_are_the_weight_tensors)
{
	static uint8_t data[4 * 2048], scales[1024], zeros[256];
	struct accel_weights w = {
		.format = DRM_QUASAR_FORMAT_W_INT4, .n = 40, .k = 96, .group = 32,
		.flags = DRM_QUASAR_TENSOR_ZERO_POINTS, .data = data, .scales = scales,
		.zeros = zeros,
	};
	struct accel_tensor *t;
	struct accel_operand o;
	struct accel_wgeom g;
	uint64_t size;
	uint8_t *img;
	void *map;

	for (uint32_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7 + 1);
	for (uint32_t i = 0; i < sizeof(scales); i++)
		scales[i] = (uint8_t)(i * 3 + 2);
	memset(zeros, 0x88, sizeof(zeros));
	ASSERT_EQ(0, accel_weights_geometry(&w, &g));
	ASSERT_GE(sizeof(data), g.data_bytes);
	ASSERT_GE(sizeof(scales), g.scale_bytes);
	ASSERT_EQ(0, accel_tensor_create_weights(self->dev, &w, &t));
	self->t[self->nt++] = t;
	size = accel_weights_size(&w);
	ASSERT_NE(0u, size);
	img = malloc(size);
	ASSERT_EQ(0, accel_weights_image(&w, img));
	ASSERT_EQ(0, accel_bo_map(accel_tensor_bo(t), &map));
	EXPECT_EQ(0, memcmp(map, img, size));
	ASSERT_EQ(0, accel_operand_weights(&w, accel_bo_addr(accel_tensor_bo(t)), &o));
	EXPECT_EQ(0, memcmp(&o.t, accel_tensor_desc(t), sizeof(o.t)));
	EXPECT_EQ(0, memcmp(&o.wp, accel_tensor_wparams(t), sizeof(o.wp)));
	EXPECT_EQ(-EINVAL, accel_operand_weights(&w, accel_bo_addr(accel_tensor_bo(t)) + 8, &o));
	w.group = 48;
	EXPECT_EQ(0u, accel_weights_size(&w));
	EXPECT_EQ(-EINVAL, accel_weights_image(&w, img));
	free(img);
	EXPECT_EQ(-EINVAL, accel_operand_plain(0x1000, DRM_QUASAR_FORMAT_W_INT8, 2,
					       (uint32_t[]){ 4, 4 }, &o));
	EXPECT_EQ(-EINVAL, accel_operand_plain(0x1000, DRM_QUASAR_FORMAT_FP32, 2,
					       (uint32_t[]){ 4, 70000 }, &o));
	ASSERT_EQ(0, accel_operand_plain(0x1000, DRM_QUASAR_FORMAT_BF16, 2,
					 (uint32_t[]){ 4, 6 }, &o));
	EXPECT_EQ(0x1000u, o.t.addr);
	EXPECT_EQ(6u, o.t.strides[2]);
	EXPECT_EQ(24u, o.t.strides[1]);
}

TEST_HARNESS_MAIN
