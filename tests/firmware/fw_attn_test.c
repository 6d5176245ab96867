// SPDX-License-Identifier: MIT
/*
 * ISA v2 on the host (docs/isa.md section 11): MATMUL, the causal SOFTMAX
 * and the row-broadcast ADD/MUL run as jobs through fw_job_run() over the
 * test HAL's memory, bit for bit against the datapath's golden model, with
 * a large SRAM and one small enough to force many tiles, on the golden and
 * the SIMD kernels; the validator's v2 rules as the device reports them;
 * and one head's attention, a decode step and a prefill window over a KV
 * cache, against a plain C reference written here from docs/numerics.md.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "kselftest_harness.h"

#include "dp_attn.h"
#include "dp_math.h"
#include "fw_test_data.h"

#define BIG_SRAM	(1u << 20)
#define SMALL_SRAM	2048u
#define SENTINEL	0xa5a5a5a5u

static void *at_simd_ws;
/* Physically contiguous runs of the window (struct fwrun_config.contig); 0: page by page. */
static uint64_t at_contig;
/* The engine copies every operand by DMA (struct fw_engine.stage_copy). */
static bool at_stage_copy;
/* hal.dma_map calls: the reads done in place. */
static uint32_t at_maps;
/* struct fw_job_time.inplace_bytes of the last attention_case() job. */
static uint64_t at_inplace;
static const void *(*at_map_orig)(void *opaque, uint64_t addr, uint64_t len);

static const void *at_count_map(void *opaque, uint64_t addr, uint64_t len)
{
	at_maps++;
	return at_map_orig(opaque, addr, len);
}

/* A booted runner; with @simd, the engine runs the SIMD kernels. */
static int at_init(struct fwrun *e, uint64_t sram, bool simd)
{
	struct fwrun_config cfg = { .sram_size = sram, .contig = at_contig };
	uint64_t size = fw_engine_ws_size(sram);

	if (fwrun_init_config(e, &cfg))
		return 1;
	e->eng.stage_copy = at_stage_copy;
	at_map_orig = e->fw.hal.dma_map;
	e->fw.hal.dma_map = at_count_map;
	if (!simd)
		return 0;
	free(at_simd_ws);
	at_simd_ws = aligned_alloc(64, size);
	return !at_simd_ws || !fw_engine_use_simd(&e->eng, at_simd_ws, size);
}

/* An FP32 tensor {d0, d1, rows, cols} at @col of rows @ld elements apart. */
static struct drm_quasar_tensor at_view(uint64_t base, uint32_t col, uint32_t d0, uint32_t d1,
					uint32_t rows, uint32_t cols, uint32_t ld)
{
	struct drm_quasar_tensor t = {
		.addr = base + (uint64_t)col * 4, .dims = { d0, d1, rows, cols },
		.strides = { d1 * rows * ld, rows * ld, ld, 1 }, .format = DRM_QUASAR_FORMAT_FP32,
	};

	return t;
}

static void at_fill(float *v, size_t n, uint32_t bits)
{
	for (size_t i = 0; i < n; i++)
		v[i] = dp_u2f(bits);
}

static int at_same(const void *got, const void *want, size_t n, const char *what)
{
	const uint32_t *g = got, *w = want;

	for (size_t i = 0; i < n / 4; i++) {
		bool nan = (g[i] & 0x7fffffffu) > 0x7f800000u && (w[i] & 0x7fffffffu) > 0x7f800000u;

		if (g[i] != w[i] && !nan) {
			fprintf(stderr, "# %s: element %zu: got 0x%08x want 0x%08x\n", what, i,
				g[i], w[i]);
			return 1;
		}
	}
	return 0;
}

static int at_job_ok(struct fwrun *e, uint32_t cmds)
{
	if (e->res.status != DRM_QUASAR_STATUS_OK || e->res.cmd_index != cmds) {
		fprintf(stderr, "# job: status %u at command %u, want OK after %u\n",
			e->res.status, e->res.cmd_index, cmds);
		return 1;
	}
	return 0;
}

/* ---- MATMUL against the golden model ---- */

struct mm_shape {
	uint32_t b0, b1, m, n, k;
	uint32_t flags;		/* DRM_QUASAR_MATMUL_* */
	uint32_t offset;
};

/*
 * One MATMUL over strided operands (rows PAD elements longer than their
 * extents, holes holding the sentinel). Everything a causal limit hides
 * is NaN: the result must not see it.
 */
static int mm_case(const struct mm_shape *s, uint64_t sram, bool simd)
{
	enum { PAD = 3 };
	bool trans = s->flags & DRM_QUASAR_MATMUL_TRANS_B;
	bool causal = s->flags & DRM_QUASAR_MATMUL_CAUSAL;
	uint32_t batch = s->b0 * s->b1, lda = s->k + PAD, ldy = s->n + PAD;
	uint32_t brows = trans ? s->n : s->k, ldb = (trans ? s->k : s->n) + PAD;
	size_t na = (size_t)batch * s->m * lda, nb = (size_t)batch * brows * ldb;
	size_t ny = (size_t)batch * s->m * ldy;
	float *a = malloc(na * 4), *b = malloc(nb * 4), *want = malloc(ny * 4);
	float *got = malloc(ny * 4);
	struct drm_quasar_cmd_matmul c = { .hdr = { DRM_QUASAR_OP_MATMUL, sizeof(c), 0 } };
	float alpha = 0.375f;
	struct fwrun e;
	int bad = 1;

	if (!a || !b || !want || !got || at_init(&e, sram, simd))
		goto out;
	v1_rand_f32(a, na, 3 + s->k);
	v1_rand_f32(b, nb, 5 + s->n);
	at_fill(want, ny, SENTINEL);
	for (uint32_t bt = 0; bt < batch; bt++) {
		float *ab = a + (size_t)bt * s->m * lda, *bb = b + (size_t)bt * brows * ldb;
		struct dp_matmul p = {
			.a = ab, .b = bb, .y = want + (size_t)bt * s->m * ldy, .m = s->m, .n = s->n,
			.k = s->k, .lda = lda, .ldb = ldb, .ldy = ldy, .alpha = alpha,
			.trans_b = trans, .causal = causal, .causal_offset = s->offset,
		};
		uint32_t kmax = causal ? dp_causal_limit(s->k, s->offset, s->m - 1) : s->k;

		if (dp_matmul_ref(&p))
			goto out;
		/* What the limits hide: NaN, after the golden model has run. */
		for (uint32_t m = 0; causal && m < s->m; m++)
			for (uint32_t k = dp_causal_limit(s->k, s->offset, m); k < s->k; k++)
				ab[(size_t)m * lda + k] = __builtin_nanf("");
		for (uint32_t k = kmax; k < s->k; k++)
			for (uint32_t n = 0; n < s->n; n++)
				bb[trans ? (size_t)n * ldb + k : (size_t)k * ldb + n] =
					-__builtin_nanf("");
	}
	c.a = at_view(fwrun_upload(&e, a, na * 4), 0, s->b0, s->b1, s->m, s->k, lda);
	c.b = at_view(fwrun_upload(&e, b, nb * 4), 0, s->b0, s->b1, brows,
		      trans ? s->k : s->n, ldb);
	at_fill(got, ny, SENTINEL);
	c.y = at_view(fwrun_upload(&e, got, ny * 4), 0, s->b0, s->b1, s->m, s->n, ldy);
	c.alpha = v1_f2u(alpha);
	c.flags = s->flags;
	c.causal_offset = s->offset;
	fwrun_emit_isa_version(&e, 2);
	fwrun_emit(&e, &c, sizeof(c));
	fwrun_run(&e);
	fwrun_read(&e, c.y.addr, got, ny * 4);
	bad = at_job_ok(&e, 2) || at_same(got, want, ny * 4, "matmul y");
	fwrun_fini(&e);
out:
	free(a);
	free(b);
	free(want);
	free(got);
	return bad;
}

FIXTURE(matmul) { int unused; };
FIXTURE_SETUP(matmul) {}
FIXTURE_TEARDOWN(matmul) {}

#define MM_TEST(name, ...)							\
	TEST_F(matmul, name)							\
	{									\
		const struct mm_shape s = { __VA_ARGS__ };			\
										\
		EXPECT_EQ(0, mm_case(&s, BIG_SRAM, false));			\
		EXPECT_EQ(0, mm_case(&s, SMALL_SRAM, false));			\
		EXPECT_EQ(0, mm_case(&s, BIG_SRAM, true));			\
		EXPECT_EQ(0, mm_case(&s, SMALL_SRAM, true));			\
		/* B where it lies: one A tile (big SRAM) maps it. */		\
		at_contig = 2ull << 20;						\
		at_maps = 0;							\
		EXPECT_EQ(0, mm_case(&s, BIG_SRAM, true));			\
		EXPECT_LT(0, at_maps);						\
		EXPECT_EQ(0, mm_case(&s, SMALL_SRAM, false));			\
		at_contig = 0;							\
	}

#define TB	DRM_QUASAR_MATMUL_TRANS_B
#define CA	DRM_QUASAR_MATMUL_CAUSAL

MM_TEST(plain, 1, 1, 5, 24, 40, 0, 0)
MM_TEST(trans_b, 1, 1, 3, 37, 20, TB, 0)
MM_TEST(causal, 1, 1, 6, 16, 12, CA, 2)
MM_TEST(causal_offset_0, 1, 1, 9, 7, 9, CA, 0)
MM_TEST(trans_b_causal, 1, 1, 4, 9, 30, TB | CA, 0)
MM_TEST(causal_offset_past_k, 1, 1, 4, 17, 10, CA, 100)
MM_TEST(causal_offset_max, 1, 1, 3, 5, 8, CA, UINT32_MAX)
MM_TEST(batched, 2, 3, 4, 18, 10, TB, 0)
MM_TEST(batched_causal, 3, 2, 5, 6, 11, CA, 1)
MM_TEST(k_1, 1, 1, 3, 5, 1, 0, 0)
MM_TEST(k_1_causal, 1, 1, 3, 5, 1, CA, 0)
MM_TEST(decode_row, 1, 1, 1, 33, 64, TB, 0)
MM_TEST(many_tiles, 1, 1, 17, 70, 130, CA, 50)

/* ---- SOFTMAX v2 and ADD/MUL v2 against the golden model ---- */

#define RD0 2
#define RD1 3
#define RD2 5
#define RD	24
#define RP	29	/* row pitch of the strided tensors */
#define RROWS	(RD0 * RD1 * RD2)

/* The v2 SOFTMAX, CAUSAL with @offset, or flags 0 when @offset < 0. */
static int smax_case(int64_t offset, uint64_t sram)
{
	static float x[RROWS * RP], want[RROWS * RP], got[RROWS * RP];
	struct drm_quasar_cmd_softmax_v2 c = { .hdr = { DRM_QUASAR_OP_SOFTMAX, sizeof(c), 0 } };
	struct fwrun e;
	int bad;

	if (fwrun_init(&e, sram))
		return 1;
	v1_rand_f32(x, RROWS * RP, 91);
	at_fill(want, RROWS * RP, SENTINEL);
	for (uint32_t r = 0; r < RROWS; r++) {
		uint32_t lim = offset < 0 ? RD : dp_causal_limit(RD, (uint32_t)offset, r % RD2);

		if (offset < 0)
			dp_softmax_ref(x + r * RP, RD, want + r * RP);
		else
			dp_softmax_causal_ref(x + r * RP, RD, lim, want + r * RP);
		for (uint32_t i = lim; i < RD; i++)
			x[r * RP + i] = __builtin_nanf("");	/* never read */
	}
	c.x = at_view(fwrun_upload(&e, x, sizeof(x)), 0, RD0, RD1, RD2, RD, RP);
	at_fill(got, RROWS * RP, 0x7fc00001u);	/* y held NaN: the +0 must be written */
	for (uint32_t r = 0; r < RROWS; r++)
		for (uint32_t i = RD; i < RP; i++)
			got[r * RP + i] = dp_u2f(SENTINEL);
	c.y = at_view(fwrun_upload(&e, got, sizeof(got)), 0, RD0, RD1, RD2, RD, RP);
	c.flags = offset < 0 ? 0 : DRM_QUASAR_SOFTMAX_CAUSAL;
	c.causal_offset = offset < 0 ? 0 : (uint32_t)offset;
	fwrun_emit(&e, &c, sizeof(c));
	fwrun_run(&e);
	fwrun_read(&e, c.y.addr, got, sizeof(got));
	bad = at_job_ok(&e, 1) || at_same(got, want, sizeof(got) - 4 * (RP - RD), "softmax y");
	fwrun_fini(&e);
	return bad;
}

FIXTURE(softmax_v2) { int unused; };
FIXTURE_SETUP(softmax_v2) {}
FIXTURE_TEARDOWN(softmax_v2) {}

#define SMAX_TEST(name, offset)							\
	TEST_F(softmax_v2, name)						\
	{									\
		EXPECT_EQ(0, smax_case(offset, BIG_SRAM));			\
		EXPECT_EQ(0, smax_case(offset, 512));				\
	}

SMAX_TEST(flags_0_is_v1, -1)
SMAX_TEST(causal_offset_0, 0)
SMAX_TEST(causal_offset_2, 2)
SMAX_TEST(causal_offset_past_row, 40)
SMAX_TEST(causal_offset_max, UINT32_MAX)

/* The v2 ADD or MUL: b one row with ROW_B, else b shaped like a. */
static int elt_case(uint16_t op, bool row_b, uint64_t sram)
{
	static float a[RROWS * RP], b[RROWS * RP], want[RROWS * RP], got[RROWS * RP];
	struct drm_quasar_cmd_eltwise_v2 c = { .hdr = { op, sizeof(c), 0 } };
	struct fwrun e;
	int bad;

	if (fwrun_init(&e, sram))
		return 1;
	v1_rand_f32(a, RROWS * RP, 93);
	v1_rand_f32(b, RROWS * RP, 94);
	at_fill(want, RROWS * RP, SENTINEL);
	for (uint32_t r = 0; r < RROWS; r++) {
		const float *br = row_b ? b : b + r * RP;

		if (op == DRM_QUASAR_OP_ADD)
			dp_add_ref(a + r * RP, br, RD, want + r * RP);
		else
			dp_mul_ref(a + r * RP, br, RD, want + r * RP);
	}
	c.a = at_view(fwrun_upload(&e, a, sizeof(a)), 0, RD0, RD1, RD2, RD, RP);
	c.b = row_b ? at_view(fwrun_upload(&e, b, RD * 4), 0, 1, 1, 1, RD, RD) :
		      at_view(fwrun_upload(&e, b, sizeof(b)), 0, RD0, RD1, RD2, RD, RP);
	at_fill(got, RROWS * RP, SENTINEL);
	c.y = at_view(fwrun_upload(&e, got, sizeof(got)), 0, RD0, RD1, RD2, RD, RP);
	c.flags = row_b ? DRM_QUASAR_ELTWISE_ROW_B : 0;
	fwrun_emit(&e, &c, sizeof(c));
	fwrun_run(&e);
	fwrun_read(&e, c.y.addr, got, sizeof(got));
	bad = at_job_ok(&e, 1) || at_same(got, want, sizeof(got), "eltwise y");
	fwrun_fini(&e);
	return bad;
}

FIXTURE(eltwise_v2) { int unused; };
FIXTURE_SETUP(eltwise_v2) {}
FIXTURE_TEARDOWN(eltwise_v2) {}

#define ELT_TEST(name, op, row_b)						\
	TEST_F(eltwise_v2, name)						\
	{									\
		EXPECT_EQ(0, elt_case(op, row_b, BIG_SRAM));			\
		EXPECT_EQ(0, elt_case(op, row_b, 512));				\
	}

ELT_TEST(mul_row_b, DRM_QUASAR_OP_MUL, true)
ELT_TEST(add_row_b, DRM_QUASAR_OP_ADD, true)
ELT_TEST(mul_flags_0_is_v1, DRM_QUASAR_OP_MUL, false)
ELT_TEST(add_flags_0_is_v1, DRM_QUASAR_OP_ADD, false)

/* ---- the v2 rules as the device reports them ---- */

FIXTURE(v2_rules) {
	struct fwrun e;
	struct drm_quasar_cmd_matmul mm;
	struct drm_quasar_cmd_softmax_v2 sm;
	struct drm_quasar_cmd_eltwise_v2 el;
};

FIXTURE_SETUP(v2_rules)
{
	struct fwrun *e = &self->e;
	uint64_t q = 0, kc = 0, s = 0, x = 0;

	ASSERT_EQ(0, fwrun_init(e, BIG_SRAM));
	q = fwrun_alloc(e, 4 * 16 * 4);
	kc = fwrun_alloc(e, 10 * 16 * 4);
	s = fwrun_alloc(e, 4 * 10 * 4);
	x = fwrun_alloc(e, 4 * 10 * 4);
	self->mm = (struct drm_quasar_cmd_matmul){
		.hdr = { DRM_QUASAR_OP_MATMUL, sizeof(self->mm), 0 },
		.a = fwrun_tensor(q, DRM_QUASAR_FORMAT_FP32, 1, 1, 4, 16),
		.b = fwrun_tensor(kc, DRM_QUASAR_FORMAT_FP32, 1, 1, 10, 16),
		.y = fwrun_tensor(s, DRM_QUASAR_FORMAT_FP32, 1, 1, 4, 10),
		.alpha = v1_f2u(0.25f), .flags = DRM_QUASAR_MATMUL_TRANS_B,
	};
	self->sm = (struct drm_quasar_cmd_softmax_v2){
		.hdr = { DRM_QUASAR_OP_SOFTMAX, sizeof(self->sm), 0 },
		.x = fwrun_tensor(s, DRM_QUASAR_FORMAT_FP32, 1, 1, 4, 10),
		.y = fwrun_tensor(x, DRM_QUASAR_FORMAT_FP32, 1, 1, 4, 10),
		.flags = DRM_QUASAR_SOFTMAX_CAUSAL, .causal_offset = 6,
	};
	self->el = (struct drm_quasar_cmd_eltwise_v2){
		.hdr = { DRM_QUASAR_OP_MUL, sizeof(self->el), 0 },
		.a = fwrun_tensor(s, DRM_QUASAR_FORMAT_FP32, 1, 1, 4, 10),
		.b = fwrun_tensor(q, DRM_QUASAR_FORMAT_FP32, 1, 1, 1, 10),
		.y = fwrun_tensor(x, DRM_QUASAR_FORMAT_FP32, 1, 1, 4, 10),
		.flags = DRM_QUASAR_ELTWISE_ROW_B,
	};
}

FIXTURE_TEARDOWN(v2_rules)
{
	fwrun_fini(&self->e);
}

/* ISA_VERSION 2, then @cmd: its status at index 1 (OK: after both). */
static uint32_t v2_run(struct fwrun *e, const void *cmd, size_t len)
{
	fwrun_emit_isa_version(e, 2);
	fwrun_emit(e, cmd, len);
	fwrun_run(e);
	if (e->res.status && e->res.cmd_index != 1)
		return 0xffffffffu;
	return e->res.status;
}

TEST_F(v2_rules, valid_commands_run)
{
	EXPECT_EQ(0u, v2_run(&self->e, &self->mm, sizeof(self->mm)));
	EXPECT_EQ(0u, v2_run(&self->e, &self->sm, sizeof(self->sm)));
	EXPECT_EQ(0u, v2_run(&self->e, &self->el, sizeof(self->el)));
}

#define V2_FAULT(name, field, stmt, want)					\
	TEST_F(v2_rules, name)							\
	{									\
		__typeof__(self->field) c = self->field;			\
										\
		stmt;								\
		EXPECT_EQ((uint32_t)DRM_QUASAR_STATUS_##want,			\
			  v2_run(&self->e, &c, c.hdr.length));			\
	}

V2_FAULT(matmul_reserved_is_bad_flags, mm, c.reserved = 1, BAD_FLAGS)
V2_FAULT(matmul_unknown_flag_is_bad_flags, mm, c.flags |= 4, BAD_FLAGS)
V2_FAULT(matmul_offset_without_causal_is_bad_flags, mm, c.causal_offset = 3, BAD_FLAGS)
V2_FAULT(matmul_header_flags_are_bad_flags, mm, c.hdr.flags = 1, BAD_FLAGS)
V2_FAULT(matmul_bf16_operand_is_bad_format, mm, c.b.format = DRM_QUASAR_FORMAT_BF16,
	 BAD_FORMAT)
V2_FAULT(matmul_k_mismatch_is_bad_shape, mm, c.a.dims[3] = 8, BAD_SHAPE)
V2_FAULT(matmul_n_mismatch_is_bad_shape, mm, c.y.dims[3] = 9, BAD_SHAPE)
V2_FAULT(matmul_m_mismatch_is_bad_shape, mm, c.y.dims[2] = 3, BAD_SHAPE)
V2_FAULT(matmul_untransposed_b_is_bad_shape, mm, c.flags = 0, BAD_SHAPE)
V2_FAULT(matmul_batch_broadcast_is_bad_shape, mm,
	 { c.a.dims[1] = 2; c.a.strides[1] = 64; c.a.strides[0] = 128; }, BAD_SHAPE)
V2_FAULT(matmul_length_169_is_bad_length, mm, c.hdr.length = 176, BAD_LENGTH)
V2_FAULT(matmul_unmapped_y_faults, mm, c.y.addr = FWRUN_HOLE_VA, MMU_FAULT)
V2_FAULT(matmul_read_only_y_is_mmu_perm, mm, c.y.addr = FWRUN_RO_VA, MMU_PERM)
V2_FAULT(softmax_unknown_flag_is_bad_flags, sm, c.flags = 2, BAD_FLAGS)
V2_FAULT(softmax_offset_without_causal_is_bad_flags, sm, c.flags = 0, BAD_FLAGS)
V2_FAULT(softmax_length_120_is_bad_length, sm, c.hdr.length = 120, BAD_LENGTH)
V2_FAULT(eltwise_unknown_flag_is_bad_flags, el, c.flags = 3, BAD_FLAGS)
V2_FAULT(eltwise_reserved_is_bad_flags, el, c.reserved = 1, BAD_FLAGS)
V2_FAULT(eltwise_row_b_of_two_rows_is_bad_shape, el, c.b.dims[2] = 2, BAD_SHAPE)
V2_FAULT(eltwise_row_b_too_short_is_bad_shape, el, c.b.dims[3] = 9, BAD_SHAPE)
V2_FAULT(eltwise_one_row_b_without_row_b_is_bad_shape, el, c.flags = 0, BAD_SHAPE)

TEST_F(v2_rules, version_2_runs_and_3_is_bad_version)
{
	struct drm_quasar_cmd_isa_version v = {
		{ DRM_QUASAR_OP_ISA_VERSION, sizeof(v), 0 }, 3, 0 };

	fwrun_emit_isa_version(&self->e, 2);
	fwrun_emit(&self->e, &v, sizeof(v));
	fwrun_emit(&self->e, &self->mm, sizeof(self->mm));
	fwrun_run(&self->e);
	EXPECT_EQ((uint32_t)DRM_QUASAR_STATUS_BAD_VERSION, self->e.res.status);
	EXPECT_EQ(1u, self->e.res.cmd_index);
}

/* One B column of K = 200 and one A row: 2 * a64(800) + 64 = 1728 > 1024. */
TEST(matmul_smallest_tile_past_the_sram_is_too_large)
{
	struct fwrun e;
	struct drm_quasar_cmd_matmul c = { .hdr = { DRM_QUASAR_OP_MATMUL, sizeof(c), 0 } };

	ASSERT_EQ(0, fwrun_init(&e, 1024));
	c.a = fwrun_tensor(fwrun_alloc(&e, 2 * 200 * 4), DRM_QUASAR_FORMAT_FP32, 1, 1, 2, 200);
	c.b = fwrun_tensor(fwrun_alloc(&e, 200 * 3 * 4), DRM_QUASAR_FORMAT_FP32, 1, 1, 200, 3);
	c.y = fwrun_tensor(fwrun_alloc(&e, 2 * 3 * 4), DRM_QUASAR_FORMAT_FP32, 1, 1, 2, 3);
	c.alpha = v1_f2u(1.0f);
	EXPECT_EQ((uint32_t)DRM_QUASAR_STATUS_TOO_LARGE, v2_run(&e, &c, sizeof(c)));
	/* Causal rows 0 and 1 see 1 and 2 of the 200 rows: that fits. */
	c.flags = DRM_QUASAR_MATMUL_CAUSAL;
	EXPECT_EQ(0u, v2_run(&e, &c, sizeof(c)));
	fwrun_fini(&e);
}

/* ---- one head's attention over a KV cache ---- */

#define H	4		/* query heads */
#define HKV	2		/* KV heads */
#define HD	16		/* head size */
#define DIM	(H * HD)
#define KVDIM	(HKV * HD)
#define MAXPOS	40

/*
 * Attention of head @h for queries at positions pos .. pos + t - 1,
 * written from docs/numerics.md section 6.1 and 6: scores over the
 * positions each query may see, their softmax (maximum by strict >, exp,
 * 16 interleaved partial sums folded by halving, quotients), then the
 * probabilities times V, every FP32 operation rounded on its own.
 */
static void ref_attention(const float *q, const float *kc, const float *vc, uint32_t h,
			  uint32_t pos, uint32_t t, float *out)
{
	const uint32_t kvh = h / (H / HKV);
	const float alpha = 0.25f;	/* 1 / sqrt(HD) */

	for (uint32_t m = 0; m < t; m++) {
		uint32_t lim = pos + m + 1;
		float sc[MAXPOS], part[16], mx, sum;

		for (uint32_t j = 0; j < lim; j++) {
			float s = 0.0f;

			for (uint32_t d = 0; d < HD; d++) {
				float prod = q[m * DIM + h * HD + d] * kc[j * KVDIM + kvh * HD + d];

				s = s + prod;
			}
			sc[j] = s * alpha;
		}
		mx = sc[0];
		for (uint32_t j = 1; j < lim; j++)
			if (sc[j] > mx)
				mx = sc[j];
		for (uint32_t l = 0; l < 16; l++)
			part[l] = 0.0f;
		for (uint32_t j = 0; j < lim; j++) {
			sc[j] = dp_expf(sc[j] - mx);
			part[j % 16] = part[j % 16] + sc[j];
		}
		for (uint32_t w = 8; w >= 1; w /= 2)
			for (uint32_t l = 0; l < w; l++)
				part[l] = part[l] + part[l + w];
		sum = part[0];
		for (uint32_t j = 0; j < lim; j++)
			sc[j] = sc[j] / sum;
		for (uint32_t d = 0; d < HD; d++) {
			float s = 0.0f;

			for (uint32_t j = 0; j < lim; j++) {
				float prod = sc[j] * vc[j * KVDIM + kvh * HD + d];

				s = s + prod;
			}
			out[m * DIM + h * HD + d] = s * 1.0f;
		}
	}
}

/* The same in double precision: the result is attention, not only consistent. */
static double ref_attention_f64(const float *q, const float *kc, const float *vc, uint32_t h,
				uint32_t m, uint32_t pos, uint32_t d)
{
	const uint32_t kvh = h / (H / HKV);
	double sc[MAXPOS], mx = -INFINITY, sum = 0, y = 0;

	for (uint32_t j = 0; j <= pos + m; j++) {
		sc[j] = 0;
		for (uint32_t i = 0; i < HD; i++)
			sc[j] += (double)q[m * DIM + h * HD + i] * kc[j * KVDIM + kvh * HD + i];
		sc[j] /= sqrt(HD);
		mx = sc[j] > mx ? sc[j] : mx;
	}
	for (uint32_t j = 0; j <= pos + m; j++)
		sum += exp(sc[j] - mx);
	for (uint32_t j = 0; j <= pos + m; j++)
		y += exp(sc[j] - mx) / sum * vc[j * KVDIM + kvh * HD + d];
	return y;
}

/*
 * The three commands of one head's attention for t queries at positions
 * pos .. pos + t - 1 (docs/isa.md 11.6); the caches hold NaN past pos + t - 1.
 */
static int attention_case(uint32_t h, uint32_t pos, uint32_t t, bool simd,
			  struct fw_job_stats *st)
{
	static float q[8 * DIM], kc[MAXPOS * KVDIM], vc[MAXPOS * KVDIM], want[8 * DIM], got[8 * DIM];
	const uint32_t kvh = h / (H / HKV), n = pos + t;
	struct drm_quasar_cmd_matmul qk = { .hdr = { DRM_QUASAR_OP_MATMUL, sizeof(qk), 0 } };
	struct drm_quasar_cmd_matmul pv = { .hdr = { DRM_QUASAR_OP_MATMUL, sizeof(pv), 0 } };
	struct drm_quasar_cmd_softmax_v2 sm = { .hdr = { DRM_QUASAR_OP_SOFTMAX, sizeof(sm), 0 } };
	struct drm_quasar_cmd_header barrier = { DRM_QUASAR_OP_BARRIER, 8, 0 };
	uint64_t scores, probs, ob;
	struct fwrun e;
	int bad = 0;

	if (at_init(&e, BIG_SRAM, simd))
		return 1;
	v1_rand_f32(q, 8 * DIM, 100 + pos);
	v1_rand_f32(kc, MAXPOS * KVDIM, 200 + pos);
	v1_rand_f32(vc, MAXPOS * KVDIM, 300 + pos);
	for (uint32_t i = n * KVDIM; i < MAXPOS * KVDIM; i++) {
		kc[i] = __builtin_nanf("");	/* positions not written yet */
		vc[i] = -__builtin_inff();
	}
	at_fill(want, 8 * DIM, SENTINEL);
	ref_attention(q, kc, vc, h, pos, t, want);
	scores = fwrun_alloc(&e, (uint64_t)t * n * 4);
	probs = fwrun_alloc(&e, (uint64_t)t * n * 4);
	at_fill(got, 8 * DIM, SENTINEL);
	ob = fwrun_upload(&e, got, sizeof(got));
	qk.a = at_view(fwrun_upload(&e, q, sizeof(q)), h * HD, 1, 1, t, HD, DIM);
	qk.b = at_view(fwrun_upload(&e, kc, sizeof(kc)), kvh * HD, 1, 1, n, HD, KVDIM);
	qk.y = fwrun_tensor(scores, DRM_QUASAR_FORMAT_FP32, 1, 1, t, n);
	qk.alpha = v1_f2u(0.25f);
	qk.flags = DRM_QUASAR_MATMUL_TRANS_B;
	sm.x = qk.y;
	sm.y = fwrun_tensor(probs, DRM_QUASAR_FORMAT_FP32, 1, 1, t, n);
	sm.flags = DRM_QUASAR_SOFTMAX_CAUSAL;
	sm.causal_offset = pos;
	pv.a = sm.y;
	pv.b = at_view(fwrun_upload(&e, vc, sizeof(vc)), kvh * HD, 1, 1, n, HD, KVDIM);
	pv.y = at_view(ob, h * HD, 1, 1, t, HD, DIM);
	pv.alpha = v1_f2u(1.0f);
	pv.flags = DRM_QUASAR_MATMUL_CAUSAL;
	pv.causal_offset = pos;
	fwrun_emit_isa_version(&e, 2);
	fwrun_emit(&e, &qk, sizeof(qk));
	fwrun_emit(&e, &barrier, sizeof(barrier));
	fwrun_emit(&e, &sm, sizeof(sm));
	fwrun_emit(&e, &barrier, sizeof(barrier));
	fwrun_emit(&e, &pv, sizeof(pv));
	fwrun_run(&e);
	fwrun_read(&e, ob, got, sizeof(got));
	bad |= at_job_ok(&e, 6) || at_same(got, want, sizeof(got), "attention out");
	if (st)
		*st = e.res.stats;
	at_inplace = e.eng.time.inplace_bytes;
	for (uint32_t m = 0; m < t; m++)
		for (uint32_t d = 0; d < HD; d++) {
			double ref = ref_attention_f64(q, kc, vc, h, m, pos, d);

			if (fabs(got[m * DIM + h * HD + d] - ref) > 1e-5 * (1 + fabs(ref))) {
				fprintf(stderr, "# query %u dim %u: %.9g, double %.9g\n", m, d,
					got[m * DIM + h * HD + d], ref);
				bad = 1;
			}
		}
	fwrun_fini(&e);
	return bad;
}

TEST(attention_decode_step_of_one_head)
{
	EXPECT_EQ(0, attention_case(3, 22, 1, false, NULL));
	EXPECT_EQ(0, attention_case(3, 22, 1, true, NULL));
	EXPECT_EQ(0, attention_case(0, 0, 1, false, NULL));	/* the first token */
}

TEST(attention_prefill_window_of_one_head)
{
	EXPECT_EQ(0, attention_case(1, 7, 5, false, NULL));
	EXPECT_EQ(0, attention_case(1, 7, 5, true, NULL));
	EXPECT_EQ(0, attention_case(2, 0, 8, true, NULL));	/* a prompt from position 0 */
}

/*
 * The KV cache's strided rows read by the kernel where they lie (one
 * physical run: fw_attn.c, hal.dma_map) or by DMA through the bounce
 * buffer (the forced copy): the same output and the same statistics, byte
 * for byte; in place, both MATMULs' K and V rows, pos + t of HD each.
 */
TEST(attention_kv_rows_in_place_or_staged_agree)
{
	const uint32_t cases[][3] = { { 3, 22, 1 }, { 1, 7, 5 }, { 2, 0, 8 } };

	for (uint32_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t kv_bytes = 2ull * (cases[i][1] + cases[i][2]) * HD * 4;
		struct fw_job_stats staged, mapped;

		at_stage_copy = true;
		at_maps = 0;
		EXPECT_EQ(0, attention_case(cases[i][0], cases[i][1], cases[i][2], true, &staged));
		EXPECT_EQ(0, at_maps);
		EXPECT_EQ(0, at_inplace);
		at_stage_copy = false;
		at_contig = 2ull << 20;
		EXPECT_EQ(0, attention_case(cases[i][0], cases[i][1], cases[i][2], true, &mapped));
		EXPECT_EQ(2, at_maps);	/* both MATMULs' B */
		EXPECT_EQ(kv_bytes, at_inplace);
		at_contig = 0;
		EXPECT_EQ(0, memcmp(&staged, &mapped, sizeof(staged)));
		EXPECT_NE(0, staged.rd_act);
	}
}

/*
 * A decode row's Q x K^T whose Y overwrites the K rows of B's later column
 * tiles (a small SRAM: many B tiles, one A tile). Staged, each B tile is
 * copied after the tiles before it wrote Y; in place, the kernel reads it
 * after those writes too: the same output and statistics either way.
 */
TEST(matmul_in_place_b_under_its_own_y_agrees_with_staged)
{
	enum { N = 40, K = 24, LDB = K + 4, SRAM = 1024 };
	static float a[K], b[N * LDB], y[2][N * LDB];
	struct drm_quasar_cmd_matmul c = { .hdr = { DRM_QUASAR_OP_MATMUL, sizeof(c), 0 } };
	struct fw_job_stats stats[2];

	v1_rand_f32(a, K, 71);
	v1_rand_f32(b, N * LDB, 72);
	for (int inplace = 0; inplace < 2; inplace++) {
		struct fwrun e;
		uint64_t bva;

		at_stage_copy = !inplace;
		at_contig = inplace ? 2ull << 20 : 0;
		at_maps = 0;
		ASSERT_EQ(0, at_init(&e, SRAM, true));
		bva = fwrun_upload(&e, b, sizeof(b));
		c.a = at_view(fwrun_upload(&e, a, sizeof(a)), 0, 1, 1, 1, K, K);
		c.b = at_view(bva, 0, 1, 1, N, K, LDB);
		/* Y's row: the bytes of B's row 20 on, which a later tile reads. */
		c.y = at_view(bva + 20 * LDB * 4, 0, 1, 1, 1, N, N);
		c.alpha = v1_f2u(0.5f);
		c.flags = DRM_QUASAR_MATMUL_TRANS_B;
		fwrun_emit_isa_version(&e, 2);
		fwrun_emit(&e, &c, sizeof(c));
		fwrun_run(&e);
		EXPECT_EQ(0, at_job_ok(&e, 2));
		fwrun_read(&e, bva, y[inplace], sizeof(b));
		stats[inplace] = e.res.stats;
		if (inplace)
			EXPECT_LT(1, at_maps);	/* several B tiles, each mapped */
		fwrun_fini(&e);
	}
	at_stage_copy = false;
	at_contig = 0;
	EXPECT_EQ(0, memcmp(y[0], y[1], sizeof(y[0])));
	EXPECT_EQ(0, memcmp(&stats[0], &stats[1], sizeof(stats[0])));
	EXPECT_NE(0, memcmp(y[0], b, sizeof(b)));
}

TEST_HARNESS_MAIN
