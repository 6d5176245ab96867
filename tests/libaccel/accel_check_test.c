// SPDX-License-Identifier: MIT
/*
 * libaccel's host-side command checks against the firmware: both run the
 * ISA's validator (isa/isa_validate.c), so a command refused on the host
 * must be refused by the device with the same status and a reason, and
 * one the host accepts may fail on the device only for what the host
 * cannot know (mappings, SRAM size, GATHER ids). A regression test of the
 * two callers (what each leaves to the validator, and in which order):
 * hand-picked faults and thousands of random mutations of valid commands.
 * Also the operand-level refusals only the host can make.
 */
#include "kselftest_harness.h"

#include "la_env.h"

#define SRAM	(1u << 20)
#define CK_M	4
#define CK_N	24
#define CK_K	64
#define CK_D	16	/* row length of the row ops */

enum ck_kind {
	CK_GEMM, CK_CONV2D, CK_RMSNORM, CK_LAYERNORM, CK_SOFTMAX, CK_ROPE, CK_ADD, CK_MUL,
	CK_GATHER, CK_DEQUANT, CK_CONVERT, CK_VERSION, CK_BARRIER, CK_MATMUL, CK_SOFTMAX2,
	CK_MULROW, CK_KINDS
};

static const char *const ck_names[CK_KINDS] = {
	"gemm", "conv2d", "rmsnorm", "layernorm", "softmax", "rope", "add", "mul", "gather",
	"dequant", "convert", "isa_version", "barrier", "matmul", "softmax_v2", "mul_row",
};

/* One valid command of every kind, over operands in one environment. */
struct ck_set {
	struct fwrun e;
	struct la_weights w, wconv;
	uint8_t cmd[CK_KINDS][256];
	uint16_t len[CK_KINDS];
};

static int ck_build(struct ck_set *s)
{
	static uint16_t xb[CK_M * CK_K], xc[2 * 4 * 4 * 4];
	static float f[CK_M * CK_K], g[CK_D], cs[CK_M * CK_D / 2];
	static const uint32_t ids[3] = { 1, 22, 5 };
	struct fwrun *e = &s->e;
	struct accel_operand x, y, bias, res, a, b, yr, gain, lbias, cosv, sinv, io, yg,
			     yd, xconv, yconv, src, dst, q, kc, sc;
	struct accel_enc_epi epi;
	struct accel_why why;
	uint32_t st = 0;

	if (fwrun_init(e, SRAM) ||
	    la_weights(e, &s->w, DRM_QUASAR_FORMAT_W_INT4, CK_N, CK_K, 32, true, 3) ||
	    la_weights(e, &s->wconv, DRM_QUASAR_FORMAT_W_INT8, 8, 36, 0, false, 4))
		return -1;
	v1_rand_bf16(xb, CK_M * CK_K, 5);
	v1_rand_bf16(xc, 2 * 4 * 4 * 4, 6);
	v1_rand_f32(f, CK_M * CK_K, 7);
	v1_rand_f32(g, CK_D, 8);
	v1_rand_f32(cs, CK_M * CK_D / 2, 9);
	x = la_plain(e, DRM_QUASAR_FORMAT_BF16, 1, 1, CK_M, CK_K, xb);
	y = la_plain(e, DRM_QUASAR_FORMAT_FP32, 1, 1, CK_M, CK_N, NULL);
	bias = la_plain(e, DRM_QUASAR_FORMAT_FP32, 1, 1, 1, CK_N, f);
	res = la_plain(e, DRM_QUASAR_FORMAT_FP32, 1, 1, CK_M, CK_N, f);
	epi = (struct accel_enc_epi){ .alpha = 1.0f, .act = DRM_QUASAR_ACT_GELU,
				      .bias = &bias, .residual = &res };
	st |= accel_enc_gemm((void *)s->cmd[CK_GEMM], &y, &x, &s->w.op, &epi, &why);
	xconv = la_plain(e, DRM_QUASAR_FORMAT_BF16, 2, 4, 4, 4, xc);
	yconv = la_plain(e, DRM_QUASAR_FORMAT_BF16, 2, 2, 2, 8, NULL);
	epi = (struct accel_enc_epi){ .alpha = 0.5f, .act = DRM_QUASAR_ACT_RELU };
	st |= accel_enc_conv2d((void *)s->cmd[CK_CONV2D], &yconv, &xconv, &s->wconv.op, 3, 3,
			       2, 1, &epi, &why);
	a = la_plain(e, DRM_QUASAR_FORMAT_FP32, 1, 2, 2, CK_D, f);
	b = la_plain(e, DRM_QUASAR_FORMAT_FP32, 1, 2, 2, CK_D, f + 64);
	yr = la_plain(e, DRM_QUASAR_FORMAT_FP32, 1, 2, 2, CK_D, NULL);
	gain = la_plain(e, DRM_QUASAR_FORMAT_FP32, 1, 1, 1, CK_D, g);
	lbias = la_plain(e, DRM_QUASAR_FORMAT_FP32, 1, 1, 1, CK_D, g);
	cosv = la_plain(e, DRM_QUASAR_FORMAT_FP32, 1, 1, CK_M, CK_D / 2, cs);
	sinv = la_plain(e, DRM_QUASAR_FORMAT_FP32, 1, 1, CK_M, CK_D / 2, cs);
	st |= accel_enc_norm((void *)s->cmd[CK_RMSNORM], DRM_QUASAR_OP_RMSNORM, &yr, &a, &gain,
			     NULL, 1e-5f, &why);
	st |= accel_enc_norm((void *)s->cmd[CK_LAYERNORM], DRM_QUASAR_OP_LAYERNORM, &yr, &a,
			     &gain, &lbias, 1e-5f, &why);
	st |= accel_enc_softmax((void *)s->cmd[CK_SOFTMAX], &yr, &a, &why);
	st |= accel_enc_rope((void *)s->cmd[CK_ROPE], &yr, &a, &cosv, &sinv, &why);
	st |= accel_enc_eltwise((void *)s->cmd[CK_ADD], DRM_QUASAR_OP_ADD, &yr, &a, &b, &why);
	st |= accel_enc_eltwise((void *)s->cmd[CK_MUL], DRM_QUASAR_OP_MUL, &yr, &a, &b, &why);
	io = la_plain(e, DRM_QUASAR_FORMAT_U32, 1, 1, 1, 3, ids);
	yg = la_plain(e, DRM_QUASAR_FORMAT_FP32, 1, 1, 3, CK_K, NULL);
	st |= accel_enc_gather((void *)s->cmd[CK_GATHER], &yg, &s->w.op, &io, &why);
	yd = la_plain(e, DRM_QUASAR_FORMAT_FP32, 1, 1, CK_N, CK_K, NULL);
	st |= accel_enc_convert((void *)s->cmd[CK_DEQUANT], &yd, &s->w.op, &why);
	src = la_plain(e, DRM_QUASAR_FORMAT_BF16, 1, 1, CK_M, CK_K, xb);
	dst = la_plain(e, DRM_QUASAR_FORMAT_FP32, 1, 1, CK_M, CK_K, NULL);
	st |= accel_enc_convert((void *)s->cmd[CK_CONVERT], &dst, &src, &why);
	*(struct drm_quasar_cmd_isa_version *)s->cmd[CK_VERSION] =
		(struct drm_quasar_cmd_isa_version){
			.hdr = { DRM_QUASAR_OP_ISA_VERSION, 16, 0 }, .version = 1 };
	*(struct drm_quasar_cmd_header *)s->cmd[CK_BARRIER] =
		(struct drm_quasar_cmd_header){ DRM_QUASAR_OP_BARRIER, 8, 0 };
	q = la_plain(e, DRM_QUASAR_FORMAT_FP32, 1, 1, CK_M, CK_D, f);
	kc = la_plain(e, DRM_QUASAR_FORMAT_FP32, 1, 1, CK_N, CK_D, f);
	sc = la_plain(e, DRM_QUASAR_FORMAT_FP32, 1, 1, CK_M, CK_N, NULL);
	st |= accel_enc_matmul((void *)s->cmd[CK_MATMUL], &sc, &q, &kc, 0.25f,
			       DRM_QUASAR_MATMUL_TRANS_B | DRM_QUASAR_MATMUL_CAUSAL, 3, &why);
	st |= accel_enc_softmax_v2((void *)s->cmd[CK_SOFTMAX2], &yr, &a, DRM_QUASAR_SOFTMAX_CAUSAL,
				   1, &why);
	st |= accel_enc_eltwise_v2((void *)s->cmd[CK_MULROW], DRM_QUASAR_OP_MUL, &yr, &a, &gain,
				   DRM_QUASAR_ELTWISE_ROW_B, &why);
	for (int k = 0; k < CK_KINDS; k++)
		s->len[k] = ((struct drm_quasar_cmd_header *)s->cmd[k])->length;
	if (st)
		fprintf(stderr, "# a base command was refused: %s\n", why.text);
	return st ? -1 : 0;
}

/* What the device says about @cmd as the second command of a job. */
static uint32_t ck_device(struct ck_set *s, const void *cmd, size_t len)
{
	uint32_t st = la_run(&s->e, cmd, len);

	return st && s->e.res.cmd_index != 1 ? 0xffffffffu : st;
}

/* Statuses only the device can give to a command the host accepted. */
static bool ck_device_only(uint32_t st)
{
	return st == DRM_QUASAR_STATUS_OK || st == DRM_QUASAR_STATUS_MMU_FAULT ||
	       st == DRM_QUASAR_STATUS_MMU_PERM || st == DRM_QUASAR_STATUS_TOO_LARGE ||
	       st == DRM_QUASAR_STATUS_BAD_INDEX || st == DRM_QUASAR_STATUS_DMA_ERROR;
}

FIXTURE(check) {
	struct ck_set *s;
};

FIXTURE_SETUP(check)
{
	self->s = calloc(1, sizeof(*self->s));
	ASSERT_NE(NULL, self->s);
	ASSERT_EQ(0, ck_build(self->s));
}

FIXTURE_TEARDOWN(check)
{
	compress_qtensor_free(self->s->w.qt);
	compress_qtensor_free(self->s->wconv.qt);
	fwrun_fini(&self->s->e);
	free(self->s);
}

TEST_F(check, valid_commands_pass_on_host_and_device)
{
	struct accel_why why;

	for (int k = 0; k < CK_KINDS; k++) {
		EXPECT_EQ(0u, accel_check_cmd(self->s->cmd[k], self->s->len[k], &why)) {
			TH_LOG("%s: %s", ck_names[k], why.text);
		}
		EXPECT_EQ(0u, ck_device(self->s, self->s->cmd[k], self->s->len[k])) {
			TH_LOG("%s: device status %u", ck_names[k], self->s->e.res.status);
		}
	}
}

/* A named fault: @set changes the command, and both must say @want. */
struct ck_fault {
	const char *name;
	enum ck_kind kind;
	void (*set)(void *cmd);
	uint32_t want;
};

#define CK_SET(fn, type, stmt) static void fn(void *p) { type *c = p; stmt; }
CK_SET(f_gemm_k, struct drm_quasar_cmd_gemm, c->x.dims[3] = CK_K + 1)
CK_SET(f_gemm_xfmt, struct drm_quasar_cmd_gemm, c->x.format = DRM_QUASAR_FORMAT_FP32)
CK_SET(f_gemm_act, struct drm_quasar_cmd_gemm, c->act = DRM_QUASAR_ACT_SILU + 1)
CK_SET(f_gemm_bias_align, struct drm_quasar_cmd_gemm, c->bias += 2)
CK_SET(f_gemm_no_scales, struct drm_quasar_cmd_gemm, c->wp.scales = 0)
CK_SET(f_gemm_group, struct drm_quasar_cmd_gemm, c->wp.group = 48)
CK_SET(f_gemm_ts, struct drm_quasar_cmd_gemm, c->wp.tensor_scale = 0x3f800000)
CK_SET(f_gemm_ystride, struct drm_quasar_cmd_gemm, c->y.strides[3] = 2)
CK_SET(f_gemm_reserved, struct drm_quasar_cmd_gemm, c->reserved = 1)
CK_SET(f_gemm_hdrflags, struct drm_quasar_cmd_gemm, c->hdr.flags = 1)
CK_SET(f_gemm_rows, struct drm_quasar_cmd_gemm, c->y.dims[2] = CK_M + 1)
CK_SET(f_gemm_res_align, struct drm_quasar_cmd_gemm, c->residual += 2)
CK_SET(f_gemm_wrap, struct drm_quasar_cmd_gemm, c->x.addr = UINT64_MAX - 63)
CK_SET(f_gemm_ydim0, struct drm_quasar_cmd_gemm, c->y.dims[0] = 0)
CK_SET(f_conv_a8_bf16w, struct drm_quasar_cmd_conv2d, c->flags = 2)
CK_SET(f_conv_kh, struct drm_quasar_cmd_conv2d, c->kh = 9)
CK_SET(f_conv_stride0, struct drm_quasar_cmd_conv2d, c->stride = 0)
CK_SET(f_conv_oh, struct drm_quasar_cmd_conv2d, c->y.dims[1] = 3)
CK_SET(f_rms_bias, struct drm_quasar_cmd_norm, c->bias = c->gain)
CK_SET(f_ln_nobias, struct drm_quasar_cmd_norm, c->bias = 0)
CK_SET(f_ln_gain_align, struct drm_quasar_cmd_norm, c->gain += 1)
CK_SET(f_smax_dims, struct drm_quasar_cmd_softmax, c->y.dims[1] = 1)
CK_SET(f_rope_odd, struct drm_quasar_cmd_rope, { c->x.dims[3] = 15; c->y.dims[3] = 15; })
CK_SET(f_rope_nosin, struct drm_quasar_cmd_rope, c->sin = 0)
CK_SET(f_add_bf16, struct drm_quasar_cmd_eltwise, c->b.format = DRM_QUASAR_FORMAT_BF16)
CK_SET(f_mul_overlap, struct drm_quasar_cmd_eltwise, c->y.strides[1] = CK_D - 1)
CK_SET(f_gather_2rows, struct drm_quasar_cmd_gather, { c->ids.dims[2] = 3; c->ids.dims[3] = 1; })
CK_SET(f_gather_plain, struct drm_quasar_cmd_gather,
       { c->table = fwrun_tensor(c->table.addr, DRM_QUASAR_FORMAT_FP32, 1, 1, CK_N, CK_K); })
CK_SET(f_deq_u32, struct drm_quasar_cmd_convert, c->dst.format = DRM_QUASAR_FORMAT_U32)
CK_SET(f_cvt_same, struct drm_quasar_cmd_convert, c->dst.format = DRM_QUASAR_FORMAT_BF16)
CK_SET(f_cvt_sp, struct drm_quasar_cmd_convert, c->sp.group = 32)
CK_SET(f_cvt_tflags, struct drm_quasar_cmd_convert, c->src.flags = DRM_QUASAR_TENSOR_ZERO_POINTS)
CK_SET(f_version, struct drm_quasar_cmd_isa_version, c->version = DRM_QUASAR_ISA_VERSION + 1)
CK_SET(f_barrier_flags, struct drm_quasar_cmd_header, c->flags = 4)
CK_SET(f_mm_k, struct drm_quasar_cmd_matmul, c->a.dims[3] = CK_D + 1)
CK_SET(f_mm_flags, struct drm_quasar_cmd_matmul, c->flags |= 4)
CK_SET(f_mm_reserved, struct drm_quasar_cmd_matmul, c->reserved = 1)
CK_SET(f_mm_bf16, struct drm_quasar_cmd_matmul, c->b.format = DRM_QUASAR_FORMAT_BF16)
CK_SET(f_mm_m, struct drm_quasar_cmd_matmul, c->y.dims[2] = CK_M - 1)
CK_SET(f_mm_offset, struct drm_quasar_cmd_matmul, c->flags = DRM_QUASAR_MATMUL_TRANS_B)
CK_SET(f_mm_untrans, struct drm_quasar_cmd_matmul, c->flags = DRM_QUASAR_MATMUL_CAUSAL)
CK_SET(f_smax2_flags, struct drm_quasar_cmd_softmax_v2, c->flags = 2)
CK_SET(f_smax2_offset, struct drm_quasar_cmd_softmax_v2, c->flags = 0)
CK_SET(f_mulrow_rows, struct drm_quasar_cmd_eltwise_v2, c->b.dims[2] = 2)
CK_SET(f_mulrow_reserved, struct drm_quasar_cmd_eltwise_v2, c->reserved = 1)

static const struct ck_fault ck_faults[] = {
	{ "gemm K mismatch", CK_GEMM, f_gemm_k, DRM_QUASAR_STATUS_BAD_SHAPE },
	{ "gemm x not BF16", CK_GEMM, f_gemm_xfmt, DRM_QUASAR_STATUS_BAD_FORMAT },
	{ "gemm activation", CK_GEMM, f_gemm_act, DRM_QUASAR_STATUS_BAD_OPERAND },
	{ "gemm bias misaligned", CK_GEMM, f_gemm_bias_align, DRM_QUASAR_STATUS_BAD_ALIGN },
	{ "gemm scales missing", CK_GEMM, f_gemm_no_scales, DRM_QUASAR_STATUS_BAD_OPERAND },
	{ "gemm group 48", CK_GEMM, f_gemm_group, DRM_QUASAR_STATUS_BAD_FORMAT },
	{ "gemm tensor scale on INT4", CK_GEMM, f_gemm_ts, DRM_QUASAR_STATUS_BAD_OPERAND },
	{ "gemm y strides[3]", CK_GEMM, f_gemm_ystride, DRM_QUASAR_STATUS_BAD_SHAPE },
	{ "gemm reserved", CK_GEMM, f_gemm_reserved, DRM_QUASAR_STATUS_BAD_FLAGS },
	{ "gemm header flags", CK_GEMM, f_gemm_hdrflags, DRM_QUASAR_STATUS_BAD_FLAGS },
	{ "gemm M mismatch", CK_GEMM, f_gemm_rows, DRM_QUASAR_STATUS_BAD_SHAPE },
	{ "gemm residual misaligned", CK_GEMM, f_gemm_res_align, DRM_QUASAR_STATUS_BAD_ALIGN },
	{ "gemm x wraps", CK_GEMM, f_gemm_wrap, DRM_QUASAR_STATUS_BAD_RANGE },
	{ "gemm y dims[0] 0", CK_GEMM, f_gemm_ydim0, DRM_QUASAR_STATUS_BAD_SHAPE },
	{ "conv2d flag 2", CK_CONV2D, f_conv_a8_bf16w, DRM_QUASAR_STATUS_BAD_FLAGS },
	{ "conv2d kh 9", CK_CONV2D, f_conv_kh, DRM_QUASAR_STATUS_BAD_SHAPE },
	{ "conv2d stride 0", CK_CONV2D, f_conv_stride0, DRM_QUASAR_STATUS_BAD_SHAPE },
	{ "conv2d OH mismatch", CK_CONV2D, f_conv_oh, DRM_QUASAR_STATUS_BAD_SHAPE },
	{ "rmsnorm with bias", CK_RMSNORM, f_rms_bias, DRM_QUASAR_STATUS_BAD_OPERAND },
	{ "layernorm without bias", CK_LAYERNORM, f_ln_nobias, DRM_QUASAR_STATUS_BAD_OPERAND },
	{ "layernorm gain misaligned", CK_LAYERNORM, f_ln_gain_align, DRM_QUASAR_STATUS_BAD_ALIGN },
	{ "softmax dims differ", CK_SOFTMAX, f_smax_dims, DRM_QUASAR_STATUS_BAD_SHAPE },
	{ "rope odd row", CK_ROPE, f_rope_odd, DRM_QUASAR_STATUS_BAD_SHAPE },
	{ "rope sin missing", CK_ROPE, f_rope_nosin, DRM_QUASAR_STATUS_BAD_OPERAND },
	{ "add b BF16", CK_ADD, f_add_bf16, DRM_QUASAR_STATUS_BAD_FORMAT },
	{ "mul y rows overlap", CK_MUL, f_mul_overlap, DRM_QUASAR_STATUS_BAD_SHAPE },
	{ "gather ids in rows", CK_GATHER, f_gather_2rows, DRM_QUASAR_STATUS_BAD_SHAPE },
	{ "gather plain table", CK_GATHER, f_gather_plain, DRM_QUASAR_STATUS_BAD_FORMAT },
	{ "dequant to U32", CK_DEQUANT, f_deq_u32, DRM_QUASAR_STATUS_BAD_FORMAT },
	{ "convert BF16 to BF16", CK_CONVERT, f_cvt_same, DRM_QUASAR_STATUS_BAD_FORMAT },
	{ "convert plain with group", CK_CONVERT, f_cvt_sp, DRM_QUASAR_STATUS_BAD_OPERAND },
	{ "convert plain with flags", CK_CONVERT, f_cvt_tflags, DRM_QUASAR_STATUS_BAD_FLAGS },
	{ "isa_version 3", CK_VERSION, f_version, DRM_QUASAR_STATUS_BAD_VERSION },
	{ "barrier flags", CK_BARRIER, f_barrier_flags, DRM_QUASAR_STATUS_BAD_FLAGS },
	{ "matmul K mismatch", CK_MATMUL, f_mm_k, DRM_QUASAR_STATUS_BAD_SHAPE },
	{ "matmul flag 4", CK_MATMUL, f_mm_flags, DRM_QUASAR_STATUS_BAD_FLAGS },
	{ "matmul reserved", CK_MATMUL, f_mm_reserved, DRM_QUASAR_STATUS_BAD_FLAGS },
	{ "matmul b BF16", CK_MATMUL, f_mm_bf16, DRM_QUASAR_STATUS_BAD_FORMAT },
	{ "matmul M mismatch", CK_MATMUL, f_mm_m, DRM_QUASAR_STATUS_BAD_SHAPE },
	{ "matmul offset without CAUSAL", CK_MATMUL, f_mm_offset, DRM_QUASAR_STATUS_BAD_FLAGS },
	{ "matmul b not transposed", CK_MATMUL, f_mm_untrans, DRM_QUASAR_STATUS_BAD_SHAPE },
	{ "softmax v2 flag 2", CK_SOFTMAX2, f_smax2_flags, DRM_QUASAR_STATUS_BAD_FLAGS },
	{ "softmax v2 offset without CAUSAL", CK_SOFTMAX2, f_smax2_offset,
	  DRM_QUASAR_STATUS_BAD_FLAGS },
	{ "mul ROW_B of two rows", CK_MULROW, f_mulrow_rows, DRM_QUASAR_STATUS_BAD_SHAPE },
	{ "mul v2 reserved", CK_MULROW, f_mulrow_reserved, DRM_QUASAR_STATUS_BAD_FLAGS },
};

TEST_F(check, faults_get_the_devices_status_with_a_reason)
{
	for (size_t i = 0; i < sizeof(ck_faults) / sizeof(ck_faults[0]); i++) {
		const struct ck_fault *f = &ck_faults[i];
		uint8_t cmd[256];
		struct accel_why why;
		uint32_t host, dev;

		memcpy(cmd, self->s->cmd[f->kind], self->s->len[f->kind]);
		f->set(cmd);
		host = accel_check_cmd(cmd, self->s->len[f->kind], &why);
		dev = ck_device(self->s, cmd, self->s->len[f->kind]);
		EXPECT_EQ(f->want, host) {
			TH_LOG("%s: host says %s (%s)", f->name, accel_status_name(host), why.text);
		}
		EXPECT_EQ(f->want, dev) {
			TH_LOG("%s: device says %s", f->name, accel_status_name(dev));
		}
		EXPECT_NE(0u, strlen(why.text));
	}
}

static uint32_t ck_rand(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* Values that sit on the rules' edges, and small steps from the original. */
static uint32_t ck_value(uint32_t orig, uint32_t *rng)
{
	static const uint32_t edge[] = {
		0, 1, 2, 3, 4, 7, 8, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 255,
		65535, 65536, 65537, 0x7fffffffu, 0x80000000u, 0xffffffffu,
	};
	uint32_t r = ck_rand(rng) % (sizeof(edge) / sizeof(edge[0]) + 4);

	switch (r) {
	case 0:
		return orig + 1;
	case 1:
		return orig - 1;
	case 2:
		return orig * 2;
	case 3:
		return orig ^ (1u << (ck_rand(rng) % 32));
	default:
		return edge[r - 4];
	}
}

/*
 * Mutates one or two 32-bit words after the opcode and length (changing
 * those turns the command into another command, which the host does not
 * claim to judge). Returns the first word mutated.
 */
static uint32_t ck_mutate(uint8_t *cmd, uint16_t len, uint32_t *rng)
{
	uint32_t words = len / 4, first = 0;
	int n = ck_rand(rng) % 4 == 0 ? 2 : 1;

	for (int i = 0; i < n; i++) {
		uint32_t w = 1 + ck_rand(rng) % (words - 1), v;

		memcpy(&v, cmd + 4 * w, 4);
		v = ck_value(v, rng);
		memcpy(cmd + 4 * w, &v, 4);
		if (!i)
			first = w;
	}
	return first;
}

#define CK_MUTATIONS 20000

TEST_F(check, random_mutations_get_the_same_verdict_on_host_and_device)
{
	uint32_t rng = 0x9e3779b9u, count[DRM_QUASAR_STATUS_TOO_LARGE + 2] = { 0 };
	int disagree = 0, unexplained = 0;

	for (int i = 0; i < CK_MUTATIONS; i++) {
		enum ck_kind k = ck_rand(&rng) % CK_KINDS;
		uint8_t cmd[256];
		struct accel_why why;
		uint32_t host, dev, word;

		memcpy(cmd, self->s->cmd[k], self->s->len[k]);
		word = ck_mutate(cmd, self->s->len[k], &rng);
		host = accel_check_cmd(cmd, self->s->len[k], &why);
		dev = ck_device(self->s, cmd, self->s->len[k]);
		count[dev <= DRM_QUASAR_STATUS_TOO_LARGE ? dev : DRM_QUASAR_STATUS_TOO_LARGE + 1]++;
		if (host && !why.text[0] && unexplained++ < 10)
			TH_LOG("mutation %d of %s (word %u): host %s without a reason", i,
			       ck_names[k], word, accel_status_name(host));
		if (host ? dev == host : ck_device_only(dev))
			continue;
		if (disagree++ < 10)
			TH_LOG("mutation %d of %s (word %u): host %s (%s), device %s", i,
			       ck_names[k], word, accel_status_name(host), why.text,
			       accel_status_name(dev));
	}
	EXPECT_EQ(0, disagree);
	EXPECT_EQ(0, unexplained);
	/* The mutations must reach both sides of the rules, or the test says little. */
	EXPECT_LT(CK_MUTATIONS / 20, (int)count[DRM_QUASAR_STATUS_OK]);
	EXPECT_LT(CK_MUTATIONS / 4, CK_MUTATIONS - (int)count[DRM_QUASAR_STATUS_OK]);
	for (uint32_t st = 0; st <= DRM_QUASAR_STATUS_TOO_LARGE + 1; st++)
		if (count[st])
			TH_LOG("device %s: %u", accel_status_name(st), count[st]);
}

/* ---- what only the host can judge: the operands behind bare addresses ---- */

TEST_F(check, bias_of_the_wrong_length_is_refused)
{
	struct fwrun *e = &self->s->e;
	struct accel_operand x = la_plain(e, DRM_QUASAR_FORMAT_BF16, 1, 1, CK_M, CK_K, NULL);
	struct accel_operand y = la_plain(e, DRM_QUASAR_FORMAT_FP32, 1, 1, CK_M, CK_N, NULL);
	struct accel_operand b = la_plain(e, DRM_QUASAR_FORMAT_FP32, 1, 1, 1, CK_N - 1, NULL);
	struct accel_enc_epi epi = { .alpha = 1.0f, .bias = &b };
	struct drm_quasar_cmd_gemm c;
	struct accel_why why;

	EXPECT_EQ((uint32_t)DRM_QUASAR_STATUS_BAD_SHAPE,
		  accel_enc_gemm(&c, &y, &x, &self->s->w.op, &epi, &why));
	EXPECT_NE(NULL, strstr(why.text, "bias")) TH_LOG("%s", why.text);
}

TEST_F(check, residual_strided_unlike_y_is_refused)
{
	struct fwrun *e = &self->s->e;
	struct accel_operand x = la_plain(e, DRM_QUASAR_FORMAT_BF16, 1, 1, CK_M, CK_K, NULL);
	struct accel_operand y = la_plain(e, DRM_QUASAR_FORMAT_FP32, 1, 1, CK_M, CK_N, NULL);
	struct accel_operand r = la_plain(e, DRM_QUASAR_FORMAT_FP32, 1, 1, CK_M, CK_N + 8, NULL);
	struct accel_enc_epi epi = { .alpha = 1.0f, .residual = &r };
	struct drm_quasar_cmd_gemm c;
	struct accel_why why;

	r.t.dims[3] = CK_N;	/* right extents, rows CK_N + 8 apart */
	EXPECT_EQ((uint32_t)DRM_QUASAR_STATUS_BAD_SHAPE,
		  accel_enc_gemm(&c, &y, &x, &self->s->w.op, &epi, &why));
	EXPECT_NE(NULL, strstr(why.text, "residual")) TH_LOG("%s", why.text);
}

TEST_F(check, conv2d_has_no_residual)
{
	struct accel_operand r = { 0 };
	struct accel_enc_epi epi = { .alpha = 1.0f, .residual = &r };
	struct drm_quasar_cmd_conv2d c;
	struct accel_why why;

	EXPECT_NE(0u, accel_enc_conv2d(&c, &r, &r, &self->s->wconv.op, 1, 1, 1, 0, &epi, &why));
	EXPECT_NE(NULL, strstr(why.text, "residual")) TH_LOG("%s", why.text);
}

TEST_F(check, gain_not_fp32_is_refused)
{
	struct fwrun *e = &self->s->e;
	struct accel_operand x = la_plain(e, DRM_QUASAR_FORMAT_FP32, 1, 1, 2, CK_D, NULL);
	struct accel_operand y = la_plain(e, DRM_QUASAR_FORMAT_FP32, 1, 1, 2, CK_D, NULL);
	struct accel_operand g = la_plain(e, DRM_QUASAR_FORMAT_BF16, 1, 1, 1, CK_D, NULL);
	struct drm_quasar_cmd_norm c;
	struct accel_why why;

	EXPECT_EQ((uint32_t)DRM_QUASAR_STATUS_BAD_FORMAT,
		  accel_enc_norm(&c, DRM_QUASAR_OP_RMSNORM, &y, &x, &g, NULL, 1e-5f, &why));
	EXPECT_NE(NULL, strstr(why.text, "gain")) TH_LOG("%s", why.text);
}

TEST(weights_the_format_does_not_take_are_refused_with_a_reason)
{
	const struct accel_weights bad[] = {
		{ .format = DRM_QUASAR_FORMAT_W_INT4, .n = 16, .k = 64, .group = 48 },
		{ .format = DRM_QUASAR_FORMAT_W_INT8, .n = 16, .k = 64,
		  .flags = DRM_QUASAR_TENSOR_ZERO_POINTS },
		{ .format = DRM_QUASAR_FORMAT_W_INT4, .n = 16, .k = 64, .group = 32,
		  .tensor_scale = 2.0f },
		{ .format = DRM_QUASAR_FORMAT_W_MXFP4, .n = 0, .k = 64 },
		{ .format = DRM_QUASAR_FORMAT_FP32, .n = 16, .k = 64 },
	};
	struct accel_wplace p;
	struct accel_wgeom g;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct accel_why why = { "" };

		EXPECT_EQ(-EINVAL, accel_weights_place(&bad[i], &g, &p, &why));
		EXPECT_NE(0u, strlen(why.text));
	}
}

/* 2:4 INT4 g32 with zeros, N = 40, K = 80: every buffer size (numerics.md 7). */
TEST(weights_layout_follows_the_packed_geometry)
{
	const struct accel_weights w = { .format = DRM_QUASAR_FORMAT_W_SP_INT4, .n = 40,
					 .k = 80, .group = 32,
					 .flags = DRM_QUASAR_TENSOR_ZERO_POINTS };
	struct accel_operand o;
	struct accel_wplace p;
	struct accel_wgeom g;
	struct accel_why why;

	ASSERT_EQ(0, accel_weights_place(&w, &g, &p, &why));
	/* 3 panels of 16 rows; K padded to 96; 2:4 keeps 48 4-bit codes a row. */
	EXPECT_EQ(3u, g.panels);
	EXPECT_EQ(96u, g.kpad);
	EXPECT_EQ(3u * 16 * 48 / 2, g.data_bytes);
	EXPECT_EQ(3u * 16 * 3 * 2, g.scale_bytes);	/* BF16 per group of 32 */
	EXPECT_EQ(3u * 16 * 3 / 2, g.zero_bytes);	/* 4-bit zero points */
	EXPECT_EQ(3u * 16 * 24 / 2, g.meta_bytes);	/* 4-bit index codes, K / 4 a row */
	EXPECT_EQ(1152u, p.scales);
	EXPECT_EQ(1152u + 320, p.zeros);
	EXPECT_EQ(1152u + 320 + 128, p.meta);
	accel_weights_operand(&w, &g, &p, 0x100000000ull, &o);
	EXPECT_EQ(0x100000000ull + p.scales, o.wp.scales);
	EXPECT_EQ(0x100000000ull + p.meta, o.wp.meta);
	EXPECT_EQ(32u, o.wp.group);
	EXPECT_EQ(0u, o.wp.tensor_scale);
	EXPECT_EQ(0u, o.t.strides[0]);
	EXPECT_EQ(40u, o.t.dims[2]);
}

TEST_HARNESS_MAIN
