// SPDX-License-Identifier: MIT
/*
 * The op builder's stream on the host, against the fake kernel of
 * la_fake.h: a stream of v1 ops is byte for byte what it was before ISA
 * v2 (ISA_VERSION 1, then the v1 commands); a v2 op makes the stream
 * declare version 2, raising the declaration it already has in place so
 * that a v1 firmware refuses the whole stream before anything runs; and
 * the v2 builder calls refuse on the host what the device would.
 */
#include <errno.h>
#include <string.h>

#include "kselftest_harness.h"

#include "accel_internal.h"
#include "la_fake.h"

#define D 16

FIXTURE(st) {
	struct accel_device *dev;
	struct accel_tensor *a, *b, *y, *y2, *row, *rows2, *scores;
	struct accel_cmdbuf *cb;
};

static struct accel_tensor *st_tensor(struct accel_device *dev, uint32_t rows, uint32_t cols)
{
	struct accel_tensor *t = NULL;

	accel_tensor_create(dev, DRM_QUASAR_FORMAT_FP32, 2, (uint32_t[]){ rows, cols }, &t);
	return t;
}

FIXTURE_SETUP(st)
{
	self->dev = la_fake_open();
	ASSERT_NE(NULL, self->dev);
	self->a = st_tensor(self->dev, 4, D);
	self->b = st_tensor(self->dev, 4, D);
	self->y = st_tensor(self->dev, 4, D);
	self->y2 = st_tensor(self->dev, 4, D);
	self->row = st_tensor(self->dev, 1, D);
	self->rows2 = st_tensor(self->dev, 2, D);
	self->scores = st_tensor(self->dev, 4, 4);
	ASSERT_NE(NULL, self->scores);
	ASSERT_EQ(0, accel_cmdbuf_create(self->dev, &self->cb));
}

FIXTURE_TEARDOWN(st)
{
	accel_cmdbuf_destroy(self->cb);
	accel_tensor_free(self->scores);
	accel_tensor_free(self->rows2);
	accel_tensor_free(self->row);
	accel_tensor_free(self->y2);
	accel_tensor_free(self->y);
	accel_tensor_free(self->b);
	accel_tensor_free(self->a);
	accel_device_close(self->dev);
}

static const uint8_t *st_bytes(struct accel_cmdbuf *cb)
{
	void *p = NULL;

	accel_bo_map(accel_cmdbuf_bo(cb), &p);
	return p;
}

static uint32_t st_version(struct accel_cmdbuf *cb)
{
	const struct drm_quasar_cmd_isa_version *v = (const void *)st_bytes(cb);

	return v->hdr.opcode == DRM_QUASAR_OP_ISA_VERSION ? v->version : 0xffffffffu;
}

/* How many ISA_VERSION commands the stream holds. */
static uint32_t st_declarations(struct accel_cmdbuf *cb)
{
	const uint8_t *p = st_bytes(cb);
	uint32_t n = 0;

	for (uint32_t off = 0; off < accel_cmdbuf_size(cb);) {
		const struct drm_quasar_cmd_header *h = (const void *)(p + off);

		n += h->opcode == DRM_QUASAR_OP_ISA_VERSION;
		off += h->length;
	}
	return n;
}

TEST_F(st, v1_ops_are_byte_for_byte_the_v1_stream)
{
	struct {
		struct drm_quasar_cmd_isa_version ver;
		struct drm_quasar_cmd_eltwise mul;
		struct drm_quasar_cmd_softmax smax;
	} want = {
		.ver = { { DRM_QUASAR_OP_ISA_VERSION, sizeof(want.ver), 0 }, 1, 0 },
		.mul = { { DRM_QUASAR_OP_MUL, sizeof(want.mul), 0 }, *accel_tensor_desc(self->a),
			 *accel_tensor_desc(self->b), *accel_tensor_desc(self->y) },
		.smax = { { DRM_QUASAR_OP_SOFTMAX, sizeof(want.smax), 0 },
			  *accel_tensor_desc(self->a), *accel_tensor_desc(self->y2) },
	};

	ASSERT_EQ(0, accel_op_mul(self->cb, self->y, self->a, self->b));
	ASSERT_EQ(0, accel_op_softmax(self->cb, self->y2, self->a));
	ASSERT_EQ(sizeof(want), accel_cmdbuf_size(self->cb));
	EXPECT_EQ(0, memcmp(st_bytes(self->cb), &want, sizeof(want)));
	EXPECT_EQ(3u, accel_cmdbuf_count(self->cb));
}

TEST_F(st, barrier_alone_declares_version_1)
{
	ASSERT_EQ(0, accel_op_barrier(self->cb));
	EXPECT_EQ(1u, st_version(self->cb));
	ASSERT_EQ(0, accel_op_mul_row(self->cb, self->y, self->a, self->row));
	EXPECT_EQ(2u, st_version(self->cb));
	EXPECT_EQ(1u, st_declarations(self->cb));
}

TEST_F(st, v2_op_first_declares_version_2)
{
	ASSERT_EQ(0, accel_op_softmax_causal(self->cb, self->y, self->a, 7));
	EXPECT_EQ(2u, st_version(self->cb));
	EXPECT_EQ(sizeof(struct drm_quasar_cmd_isa_version) +
		  sizeof(struct drm_quasar_cmd_softmax_v2), accel_cmdbuf_size(self->cb));
}

TEST_F(st, v2_op_after_v1_ops_raises_the_one_declaration)
{
	const struct drm_quasar_cmd_matmul *mm;

	ASSERT_EQ(0, accel_op_mul(self->cb, self->y, self->a, self->b));
	EXPECT_EQ(1u, st_version(self->cb));
	/* Reads y, which the MUL wrote: a barrier, then the MATMUL. */
	ASSERT_EQ(0, accel_op_matmul(self->cb, self->scores, self->y, self->b, 0.25f,
				     DRM_QUASAR_MATMUL_TRANS_B | DRM_QUASAR_MATMUL_CAUSAL, 2));
	EXPECT_EQ(2u, st_version(self->cb));
	EXPECT_EQ(1u, st_declarations(self->cb));
	EXPECT_EQ(4u, accel_cmdbuf_count(self->cb));
	mm = (const void *)(st_bytes(self->cb) + accel_cmdbuf_size(self->cb) - sizeof(*mm));
	EXPECT_EQ(DRM_QUASAR_OP_MATMUL, mm->hdr.opcode);
	EXPECT_EQ(DRM_QUASAR_MATMUL_TRANS_B | DRM_QUASAR_MATMUL_CAUSAL, mm->flags);
	EXPECT_EQ(2u, mm->causal_offset);
	EXPECT_EQ(0x3e800000u, mm->alpha);
	/* A fresh stream starts over at version 1. */
	ASSERT_EQ(0, accel_cmdbuf_reset(self->cb));
	ASSERT_EQ(0, accel_op_add(self->cb, self->y, self->a, self->b));
	EXPECT_EQ(1u, st_version(self->cb));
}

TEST_F(st, v2_builders_refuse_what_the_device_would)
{
	char text[384];

	EXPECT_EQ(-EINVAL, accel_op_mul_row(self->cb, self->y, self->a, self->rows2));
	accel_device_last_error(self->dev, text, sizeof(text));
	EXPECT_NE(NULL, strstr(text, "BAD_SHAPE")) TH_LOG("%s", text);
	/* Q {4, 16} x K^T needs K rows of 16: b {1, 16} is one key, N = 1 != y's 16. */
	EXPECT_EQ(-EINVAL, accel_op_matmul(self->cb, self->y2, self->a, self->row, 1.0f,
					   DRM_QUASAR_MATMUL_TRANS_B, 0));
	EXPECT_EQ(-EINVAL, accel_op_matmul(self->cb, self->y2, self->a, self->b, 1.0f, 0, 3));
	accel_device_last_error(self->dev, text, sizeof(text));
	EXPECT_NE(NULL, strstr(text, "causal_offset")) TH_LOG("%s", text);
	EXPECT_EQ(-EINVAL, accel_op_softmax_causal(self->cb, self->y, self->y, 0));
	/* Nothing was appended, not even a declaration. */
	EXPECT_EQ(0u, accel_cmdbuf_size(self->cb));
}

TEST_HARNESS_MAIN
