// SPDX-License-Identifier: MIT
/*
 * Quasar models on the device, on the host: the language model's forward
 * pass as a device program (models/mdl_lm_program.h), every op a command
 * run by the firmware in process (fwrun/), one job per step.
 *
 * What must hold, and is checked bit for bit:
 *  - a prefill of t tokens gives the logits of t decode steps, or of any
 *    split into shorter prefills: every op is row-wise (GEMM, norms, RoPE,
 *    CONVERT, MUL) or causal (MATMUL P x V, SOFTMAX), and the scores of
 *    a query row sum the same products in the same order whatever the
 *    step (docs/numerics.md 4 and 6.1);
 *  - the golden model's kernels and the SIMD ones give the same logits and
 *    statistics;
 *  - every job is charged what its op list costs (MACs exactly; bytes
 *    written and vector elements exactly at A16, at least at A8 where the
 *    GEMM tiles add the int8 quantization), the token COPYs being outside
 *    the cost model (ISA v0 data movement).
 * What cannot be bit for bit: the host's FP32 path (mdl_lm_infer.c)
 * divides each score by sqrt(head size) where MATMUL multiplies by the
 * binary32 1/sqrt(head size); everything else is the same arithmetic, so
 * the logits agree to a few ulp and the top-1 almost everywhere.
 * Bad input: a layer set that is not the model's (a layer of another
 * shape, an FP32 layer), a packed file of another version, steps past the
 * context or the program's rows, token ids past the vocabulary.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "dp_gemm.h"
#include "mdl_backend.h"
#include "mdl_data.h"
#include "mdl_lm_infer.h"
#include "mdl_lm_program.h"
#include "mdl_packed.h"
#include "mdl_packed_layout.h"
#include "mdl_rng.h"
#include "mdl_variant.h"

#define MDLT_LM		MDL_CKPT_DIR "/moby-lm.bin"
#define HAS(text, s) EXPECT_NE(NULL, strstr(text, s)) TH_LOG("missing \"%s\" in: %s", s, text)

FIXTURE(lm) {
	struct mdl_llama *m;
	struct mdl_linset fp32, a16, a8;
	struct mdl_text held;
	uint32_t tok[256];
	uint32_t V, S;
	float *ya, *yb;		/* logits of a whole window, [S][V] */
};

static int mdlt_variant(const struct mdl_linset *fp32, const char *spec, struct mdl_linset *ls)
{
	struct mdl_variant v;
	char err[256];

	if (mdl_variant_parse(spec, &v, err, sizeof(err)) ||
	    mdl_variant_build(&v, fp32, NULL, ls, err, sizeof(err))) {
		fprintf(stderr, "# %s: %s\n", spec, err);
		return -EINVAL;
	}
	return 0;
}

FIXTURE_SETUP(lm)
{
	char err[256];

	ASSERT_EQ(0, mdl_llama_load(MDLT_LM, &self->m, err, sizeof(err))) TH_LOG("%s", err);
	ASSERT_EQ(0, mdl_moby_heldout(MDL_MOBY_DIR, &self->held, err, sizeof(err)))
		TH_LOG("%s", err);
	self->V = self->m->vocab;
	self->S = self->m->seq_len;
	ASSERT_EQ(256u, self->S);
	for (uint32_t i = 0; i < self->S; i++)
		self->tok[i] = self->held.bytes[1000 + i];
	ASSERT_EQ(0, mdl_lm_linset(self->m, &self->fp32));
	ASSERT_EQ(0, mdlt_variant(&self->fp32, "int4-g32/a16/rtn", &self->a16));
	ASSERT_EQ(0, mdlt_variant(&self->fp32, "int4-g32/a8/rtn", &self->a8));
	self->ya = malloc(sizeof(float) * self->S * self->V);
	self->yb = malloc(sizeof(float) * self->S * self->V);
	ASSERT_TRUE(self->ya && self->yb);
}

FIXTURE_TEARDOWN(lm)
{
	mdl_linset_free(&self->a16, 0);
	mdl_linset_free(&self->a8, 0);
	mdl_linset_free(&self->fp32, 1);
	mdl_text_free(&self->held);
	mdl_llama_free(self->m);
	free(self->ya);
	free(self->yb);
}

/* A program for steps of @rows on a fresh fwrun backend. */
struct mdlt_dev {
	struct mdl_program p;
	struct mdl_backend *b;
	struct mdl_loaded l;
};

static int mdlt_open(struct _test_data_lm *self, const struct mdl_linset *ls, uint32_t rows,
		     uint32_t seqs, int simd, struct mdlt_dev *d)
{
	char err[512];
	int ret;

	memset(d, 0, sizeof(*d));
	ret = mdl_lm_program(self->m, ls, rows, seqs, &d->p, err, sizeof(err));
	if (!ret && (ret = mdl_backend_fwrun_create(simd, &d->b)))
		snprintf(err, sizeof(err), "fwrun: out of memory");
	if (!ret)
		ret = mdl_program_load(&d->p, d->b, &d->l, err, sizeof(err));
	if (ret)
		fprintf(stderr, "# %s\n", err);
	return ret;
}

static void mdlt_close(struct mdlt_dev *d)
{
	mdl_program_unload(&d->l);
	mdl_backend_destroy(d->b);
	mdl_program_free(&d->p);
}

/* Sequence @seq of @d in steps of @chunk tokens (the last may be shorter): logits [n][V]. */
static int mdlt_steps(struct _test_data_lm *self, struct mdlt_dev *d, uint32_t seq,
		      uint32_t n, uint32_t chunk, float *y)
{
	struct accel_job_stats st;
	char err[512];

	for (uint32_t pos = 0; pos < n; pos += chunk) {
		uint32_t t = n - pos < chunk ? n - pos : chunk;
		int ret = mdl_lm_device_step(&d->l, self->m, seq, pos, t, self->tok + pos,
					     y + (size_t)pos * self->V, &st, err, sizeof(err));

		if (ret) {
			fprintf(stderr, "# step at %u: %s\n", pos, err);
			return ret;
		}
	}
	return 0;
}

/* Whole window at once, in halves, in 64 + decode steps, in decode steps: the same bits. */
TEST_F_TIMEOUT(lm, lm_device_prefill_then_decode_gives_one_prefills_logits, 120)
{
	const size_t bytes = sizeof(float) * self->S * self->V;
	static const uint32_t chunks[] = { 128, 64, 1, 37 };
	struct mdlt_dev d;

	ASSERT_EQ(0, mdlt_open(self, &self->a8, self->S, 2, 1, &d));
	ASSERT_EQ(0, mdlt_steps(self, &d, 0, self->S, self->S, self->ya));
	for (uint32_t c = 0; c < sizeof(chunks) / sizeof(chunks[0]); c++) {
		memset(self->yb, 0xff, bytes);
		/* sequence 1's slot: the caches of sequence 0 stay as they were */
		ASSERT_EQ(0, mdlt_steps(self, &d, 1, self->S, chunks[c], self->yb));
		EXPECT_EQ(0, memcmp(self->ya, self->yb, bytes))
			TH_LOG("steps of %u tokens differ from one prefill of %u", chunks[c],
			       self->S);
	}
	/* and a prefill of 64 then decode steps, through the figures' run */
	{
		struct mdl_dev_figures f = { 0 };
		char err[512];

		ASSERT_EQ(0, mdl_lm_device_run(&d.l, self->m, self->tok, self->S, 64, &f,
					       self->yb, err, sizeof(err))) TH_LOG("%s", err);
		EXPECT_EQ(0, memcmp(self->ya, self->yb, bytes));
		EXPECT_EQ(self->S - 64 + 1, f.jobs);
		EXPECT_EQ(self->S, f.items);
		mdl_dev_figures_free(&f);
	}
	mdlt_close(&d);
}

/* Rows of logits bit-identical, rows with the same top-1, the largest relative difference. */
static void mdlt_diff(const float *a, const float *b, uint32_t rows, uint32_t V,
		      uint32_t *same_bits, uint32_t *same_top1, double *max_rel)
{
	*same_bits = *same_top1 = 0;
	*max_rel = 0;
	for (uint32_t r = 0; r < rows; r++, a += V, b += V) {
		uint32_t ta = 0, tb = 0;

		*same_bits += !memcmp(a, b, sizeof(float) * V);
		for (uint32_t v = 0; v < V; v++) {
			double e = fabs((double)a[v] - b[v]) / (fabs((double)a[v]) + 1.0);

			*max_rel = e > *max_rel ? e : *max_rel;
			ta = a[v] > a[ta] ? v : ta;
			tb = b[v] > b[tb] ? v : tb;
		}
		*same_top1 += ta == tb;
	}
}

/* The host's path (mdl_lm_forward) over @ls: logits of one window of @n tokens. */
static int mdlt_host(const struct mdl_llama *m, const struct mdl_linset *ls,
		     const uint32_t *tok, uint32_t n, float *y)
{
	struct mdl_lm_state *st;
	struct mdl_exec *ex;
	int ret = mdl_exec_create(NULL, dp_isa_best(), &ex);

	if (ret)
		return ret;
	ret = mdl_lm_state_create(m, 1, n, &st);
	if (!ret)
		ret = mdl_lm_forward(ex, ls, st, 1, 0, n, tok, y);
	mdl_lm_state_free(st);
	mdl_exec_free(ex);
	return ret;
}

/*
 * The host's FP32 path around the same packed layers: the same logits up
 * to the score scale (a divide there, a multiply by the rounded 1/sqrt(32)
 * here). Position 0 attends to itself only (a softmax of one score is 1
 * either way), and a BF16 rounding that a last-bit difference flips grows
 * through the layers, so rows differ by up to a few 1e-2 of a logit.
 */
TEST_F_TIMEOUT(lm, lm_device_agrees_with_the_host_path_up_to_the_score_scale, 120)
{
	struct mdlt_dev d;
	uint32_t same_bits, same_top1;
	double max_rel;

	ASSERT_EQ(0, mdlt_host(self->m, &self->a16, self->tok, self->S, self->ya));
	ASSERT_EQ(0, mdlt_open(self, &self->a16, self->S, 1, 1, &d));
	ASSERT_EQ(0, mdlt_steps(self, &d, 0, self->S, self->S, self->yb));
	mdlt_diff(self->ya, self->yb, self->S, self->V, &same_bits, &same_top1, &max_rel);
	fprintf(stderr, "# int4-g32/a16/rtn, one window: %u of %u logit rows bit-identical, "
		"top-1 equal in %u, largest difference %.2e (relative to |logit| + 1)\n",
		same_bits, self->S, same_top1, max_rel);
	EXPECT_LE(1u, same_bits);
	EXPECT_LE(self->S - 3, same_top1);
	EXPECT_GT(0.1, max_rel);
	mdlt_close(&d);
}

/*
 * With a head size whose square root is a power of two the scale is exact
 * both ways, and then the device program is the host path bit for bit: a
 * random model with grouped-query attention (4 heads of 16 over 2 KV
 * heads, so k has its own RoPE table) and W8A8 layers, and the committed
 * model's weights read as 2 heads of 64.
 */
TEST_F_TIMEOUT(lm, lm_device_is_the_host_path_bit_for_bit_when_the_scale_is_exact, 120)
{
	const struct mdl_llama_cfg cfg = { 64, 96, 2, 4, 2, -256, 48 };
	struct mdl_linset fp32, w8a8;
	struct mdl_llama *g, two = *self->m;
	struct mdl_rng rng;
	struct mdlt_dev d;
	uint32_t same_bits, same_top1;
	double max_rel;
	char err[256];

	ASSERT_EQ(0, mdl_llama_alloc(&cfg, &g, err, sizeof(err))) TH_LOG("%s", err);
	mdl_rng_seed(&rng, 7);
	for (size_t i = 0; i < g->n_params; i++)
		g->params[i] = 0.15f * mdl_rng_normal(&rng);
	for (size_t i = 0; i < (size_t)g->layers * g->dim; i++) {
		g->w.rms_att[i] += 1.0f;
		g->w.rms_ffn[i] += 1.0f;
	}
	ASSERT_EQ(32u, g->kv_dim);
	ASSERT_EQ(0, mdl_lm_linset(g, &fp32));
	ASSERT_EQ(0, mdlt_variant(&fp32, "int8/a8/rtn", &w8a8));
	ASSERT_EQ(0, mdlt_host(g, &w8a8, self->tok, g->seq_len, self->ya));
	/* another model, the same fixture (its tokens, buffers) */
	{
		struct mdl_llama *keep = self->m;
		int ret;

		self->m = g;
		ret = mdlt_open(self, &w8a8, 16, 3, 1, &d);
		if (!ret)
			ret = mdlt_steps(self, &d, 2, g->seq_len, 16, self->yb);
		self->m = keep;
		ASSERT_EQ(0, ret);
	}
	mdlt_diff(self->ya, self->yb, g->seq_len, g->vocab, &same_bits, &same_top1, &max_rel);
	EXPECT_EQ(g->seq_len, same_bits) TH_LOG("largest difference %.2e", max_rel);
	mdlt_close(&d);
	/* input factors 1/s (as AWQ and SmoothQuant leave them): one per input group */
	for (uint32_t i = 0; i < w8a8.count; i++) {
		struct mdl_lin *l = &w8a8.l[i];
		struct mdl_rng fr;

		l->in_inv = malloc(sizeof(float) * l->k);
		ASSERT_NE(NULL, l->in_inv);
		mdl_rng_seed(&fr, 100 + l->in_group);
		for (uint32_t k = 0; k < l->k; k++)
			l->in_inv[k] = 0.5f + (float)mdl_rng_unif(&fr);
	}
	ASSERT_EQ(0, mdlt_host(g, &w8a8, self->tok, g->seq_len, self->ya));
	{
		struct mdl_llama *keep = self->m;
		int ret;

		self->m = g;
		ret = mdlt_open(self, &w8a8, 48, 1, 1, &d);
		if (!ret)
			ret = mdlt_steps(self, &d, 0, g->seq_len, 48, self->yb);
		self->m = keep;
		ASSERT_EQ(0, ret);
	}
	mdlt_diff(self->ya, self->yb, g->seq_len, g->vocab, &same_bits, &same_top1, &max_rel);
	EXPECT_EQ(g->seq_len, same_bits) TH_LOG("with factors: largest difference %.2e", max_rel);
	/*
	 * per layer one MUL for q, k and v, one for w1 and w3, one each for wo
	 * and w2, and SwiGLU's product; one for the classifier
	 */
	{
		uint32_t muls = 0;

		for (uint32_t i = 0; i < d.p.nop; i++)
			muls += d.p.op[i].kind == MDL_DEV_MUL;
		EXPECT_EQ(2u * 5 + 1, muls);
	}
	mdlt_close(&d);
	mdl_linset_free(&w8a8, 0);
	mdl_linset_free(&fp32, 1);
	mdl_llama_free(g);

	/* the committed weights as 2 heads of 64 */
	two.heads = two.kv_heads = 2;
	two.head_size = 64;
	two.cfg.n_heads = two.cfg.n_kv_heads = 2;
	ASSERT_EQ(0, mdlt_host(&two, &self->a16, self->tok, self->S, self->ya));
	{
		struct mdl_llama *keep = self->m;
		int ret;

		self->m = &two;
		ret = mdlt_open(self, &self->a16, 128, 1, 1, &d);
		if (!ret)
			ret = mdlt_steps(self, &d, 0, self->S, 128, self->yb);
		self->m = keep;
		ASSERT_EQ(0, ret);
	}
	mdlt_diff(self->ya, self->yb, self->S, self->V, &same_bits, &same_top1, &max_rel);
	EXPECT_EQ(self->S, same_bits) TH_LOG("largest difference %.2e", max_rel);
	mdlt_close(&d);
}

/* What a step's op list costs (docs/cost-model.md): MACs, bytes written, vector elements. */
static void mdlt_expected(const struct mdl_program *p, uint32_t pos, uint32_t t, uint64_t *macs,
			  uint64_t *wr, uint64_t *vec)
{
	const uint64_t ctx = (uint64_t)pos + t, lsum = (uint64_t)t * pos + (uint64_t)t * (t + 1) / 2;

	*macs = *wr = *vec = 0;
	for (uint32_t i = 0; i < p->nop; i++) {
		const struct mdl_dev_op *op = &p->op[i];
		const struct mdl_dev_tensor *y = &p->t[op->y.t], *b = &p->t[op->b.t];
		uint64_t cols = op->y.cols ? op->y.cols : y->cols;
		uint64_t out = (uint64_t)t * cols, es = accel_format_elem_size(y->format);

		switch (op->kind) {
		case MDL_DEV_EMBED:	/* COPY: outside the cost model */
			break;
		case MDL_DEV_GEMM:
			*macs += (uint64_t)t * b->rows * b->cols;
			*wr += out * es;
			break;
		case MDL_DEV_MATMUL:
			if (op->flags & DRM_QUASAR_MATMUL_TRANS_B) {	/* Q x K^T: t x ctx */
				*macs += (uint64_t)t * ctx * op->a.cols;
				*wr += (uint64_t)t * ctx * 4;
			} else {					/* P x V, causal */
				*macs += lsum * cols;
				*wr += out * 4;
			}
			break;
		case MDL_DEV_SOFTMAX:	/* the heads at once; elements past a limit are +0 */
			*vec += op->y.batch * lsum;
			*wr += op->y.batch * (uint64_t)t * ctx * 4;
			break;
		default:		/* RMSNORM, ROPE, MUL, CONVERT: one element per output */
			*vec += out;
			*wr += out * es;
			break;
		}
	}
}

/* Every job of a prefill-then-decode run against its op list; A8 adds quantization. */
TEST_F_TIMEOUT(lm, lm_device_jobs_cost_what_their_ops_do, 120)
{
	const struct mdl_linset *sets[] = { &self->a16, &self->a8 };

	for (uint32_t v = 0; v < 2; v++) {
		struct mdl_dev_figures f = { 0 };
		struct mdlt_dev d;
		uint64_t macs, wr, vec;
		char err[512];

		ASSERT_EQ(0, mdlt_open(self, sets[v], 64, 1, 1, &d));
		ASSERT_EQ(0, mdl_lm_device_run(&d.l, self->m, self->tok, 96, 64, &f, NULL, err,
					       sizeof(err))) TH_LOG("%s", err);
		ASSERT_EQ(33u, f.jobs);
		for (uint32_t j = 0; j < f.jobs; j++) {
			const struct accel_job_stats *s = &f.job[j].st;
			uint32_t pos = j ? 63 + j : 0, t = j ? 1 : 64;

			mdlt_expected(&d.p, pos, t, &macs, &wr, &vec);
			EXPECT_EQ(0u, s->status);
			EXPECT_EQ(macs, s->macs_dense) TH_LOG("%s job %u", sets[v]->l[0].name, j);
			EXPECT_EQ(wr, s->wr_bytes) TH_LOG("job %u", j);
			if (v == 0) {
				EXPECT_EQ(vec, s->vec_elems) TH_LOG("job %u", j);
			} else {
				EXPECT_LT(vec, s->vec_elems) TH_LOG("job %u", j);
			}
		}
		if (v == 0)
			fprintf(stderr, "# int4-g32/a16/rtn: prefill of 64: %u commands, %llu "
				"MACs, %llu cycles; decode at 95: %u commands, %llu MACs, %llu "
				"cycles, %llu fJ\n", f.job[0].st.cmd_index,
				(unsigned long long)f.job[0].st.macs_dense,
				(unsigned long long)f.job[0].st.cycles, f.job[32].st.cmd_index,
				(unsigned long long)f.job[32].st.macs_dense,
				(unsigned long long)f.job[32].st.cycles,
				(unsigned long long)f.job[32].st.energy_fj);
		/* decode steps cost more as the context grows: only attention's share */
		EXPECT_LT(f.job[1].st.macs_dense, f.job[32].st.macs_dense);
		mdl_dev_figures_free(&f);
		mdlt_close(&d);
	}
}

/* Golden kernels and the SIMD ones: the same figures; figures survive their file. */
TEST_F_TIMEOUT(lm, lm_device_golden_kernels_give_the_same_logits_and_statistics, 300)
{
	struct mdl_dev_figures fs = { 0 }, fg = { 0 }, rd;
	struct mdlt_dev ds, dg;
	char err[512], why[256], tmp[] = "/tmp/mdlt-lm-XXXXXX";
	uint32_t bytes;
	uint64_t fnv;
	int fd = mkstemp(tmp);

	ASSERT_LE(0, fd);
	close(fd);
	ASSERT_EQ(0, mdlt_open(self, &self->a8, 16, 1, 1, &ds));
	ASSERT_EQ(0, mdlt_open(self, &self->a8, 16, 1, 0, &dg));
	ASSERT_EQ(0, mdl_lm_device_run(&ds.l, self->m, self->tok, 40, 16, &fs, self->ya, err,
				       sizeof(err))) TH_LOG("%s", err);
	ASSERT_EQ(0, mdl_lm_device_run(&dg.l, self->m, self->tok, 40, 16, &fg, self->yb, err,
				       sizeof(err))) TH_LOG("%s", err);
	EXPECT_EQ(0, mdl_dev_figures_compare(&fs, &fg, why, sizeof(why))) TH_LOG("%s", why);
	EXPECT_EQ(0, memcmp(self->ya, self->yb, sizeof(float) * 40 * self->V));
	/* the streams, rebuilt at the run's bases, are the run's */
	ASSERT_EQ(0, mdl_lm_device_streams(&ds.p, ds.l.base, self->tok, 40, 16, &bytes, &fnv, err,
					   sizeof(err))) TH_LOG("%s", err);
	EXPECT_EQ(fs.stream_bytes, bytes);
	EXPECT_EQ(fs.stream_fnv64, fnv);
	snprintf(fs.model, sizeof(fs.model), "x.qpk");
	ASSERT_EQ(0, mdl_dev_figures_write(tmp, &fs, err, sizeof(err))) TH_LOG("%s", err);
	ASSERT_EQ(0, mdl_dev_figures_read(tmp, &rd, err, sizeof(err))) TH_LOG("%s", err);
	unlink(tmp);
	EXPECT_EQ(0, mdl_dev_figures_compare(&fs, &rd, why, sizeof(why))) TH_LOG("%s", why);
	EXPECT_EQ(16u, rd.prompt);
	ASSERT_EQ(40u, rd.ntokens);
	EXPECT_EQ(0, memcmp(self->tok, rd.tokens, sizeof(uint32_t) * 40));
	EXPECT_EQ(fs.stream_fnv64, rd.stream_fnv64);
	mdl_dev_figures_free(&rd);
	mdl_dev_figures_free(&fs);
	mdl_dev_figures_free(&fg);
	mdlt_close(&ds);
	mdlt_close(&dg);
}

/* A layer set that is not the model's: refused with the layer's name and shapes. */
TEST_F(lm, lm_device_program_refuses_a_layer_set_of_another_shape)
{
	struct mdl_program p;
	struct mdl_lin saved;
	char err[512] = "";

	EXPECT_EQ(-EINVAL, mdl_lm_program(self->m, &self->fp32, 16, 1, &p, err, sizeof(err)));
	HAS(err, "layer l0.wq is FP32");
	/* w1 (384 x 128) where wq (128 x 128) belongs */
	saved = self->a16.l[0];
	self->a16.l[0] = self->a16.l[4];
	EXPECT_EQ(-EINVAL, mdl_lm_program(self->m, &self->a16, 16, 1, &p, err, sizeof(err)));
	self->a16.l[0] = saved;
	HAS(err, "layer l0.w1 is 384 x 128; the model's is 128 x 128");
	self->a16.count--;
	EXPECT_EQ(-EINVAL, mdl_lm_program(self->m, &self->a16, 16, 1, &p, err, sizeof(err)));
	self->a16.count++;
	HAS(err, "28 linear layers for a 4-layer language model (it has 29)");
	EXPECT_EQ(-EINVAL, mdl_lm_program(self->m, &self->a16, 257, 1, &p, err, sizeof(err)));
	HAS(err, "steps of 257 tokens (1..256, the context)");
}

/* A packed file of another version: refused by the loader, with the version. */
TEST_F(lm, lm_device_refuses_a_packed_file_of_another_version)
{
	struct mdl_packed_src src = { 0x12345678, 1 };
	struct mdl_packed pk;
	char err[512], tmp[] = "/tmp/mdlt-lmq-XXXXXX";
	uint32_t v = MDL_PACKED_VERSION + 1;
	int fd = mkstemp(tmp);

	ASSERT_LE(0, fd);
	close(fd);
	ASSERT_EQ(0, mdl_packed_save_lm(tmp, self->m, &self->a16, "int4-g32/a16/rtn", &src, err,
					sizeof(err))) TH_LOG("%s", err);
	ASSERT_EQ(0, mdl_packed_load(tmp, &pk, err, sizeof(err))) TH_LOG("%s", err);
	mdl_packed_free(&pk);
	fd = open(tmp, O_WRONLY);
	ASSERT_LE(0, fd);
	ASSERT_EQ((ssize_t)sizeof(v), pwrite(fd, &v, sizeof(v), MDL_PK_OFF_VERSION));
	close(fd);
	EXPECT_NE(0, mdl_packed_load(tmp, &pk, err, sizeof(err)));
	unlink(tmp);
	HAS(err, "version");
}

/* Steps past the context or the program's rows, ids past the vocabulary: no job runs. */
TEST_F(lm, lm_device_refuses_a_window_past_the_context_and_a_token_past_the_vocabulary)
{
	struct accel_job_stats st = { .seqno = 77 };
	struct accel_stream *s;
	struct mdl_step step = { .rows = 2, .pos = 10, .tokens = (uint32_t[]){ 65, 300 } };
	struct mdlt_dev d;
	char err[512] = "";

	ASSERT_EQ(0, mdlt_open(self, &self->a16, 64, 1, 1, &d));
	EXPECT_EQ(-EINVAL, mdl_lm_device_step(&d.l, self->m, 0, 200, 64, self->tok, self->ya,
					      &st, err, sizeof(err)));
	HAS(err, "positions 200..263: past the context of 256 positions");
	EXPECT_EQ(-EINVAL, mdl_lm_device_step(&d.l, self->m, 0, 0, 65, self->tok, self->ya, &st,
					      err, sizeof(err)));
	HAS(err, "a step of 65 tokens (the program takes 1..64)");
	self->tok[3] = 256;
	EXPECT_EQ(-EINVAL, mdl_lm_device_step(&d.l, self->m, 0, 0, 8, self->tok, self->ya, &st,
					      err, sizeof(err)));
	HAS(err, "token id 256 at position 3: past the vocabulary of 256");
	EXPECT_EQ(-EINVAL, mdl_lm_device_step(&d.l, self->m, 1, 0, 1, self->tok, self->ya, &st,
					      err, sizeof(err)));
	HAS(err, "sequence 1 (it has slots for 1)");
	EXPECT_EQ(77u, st.seqno);	/* no job ran */
	/* the program's own checks, below the model's: a stream is never built */
	ASSERT_EQ(0, accel_stream_create(&s));
	EXPECT_EQ(-EINVAL, mdl_program_stream_step(&d.p, d.l.base, &step, s, err, sizeof(err)));
	HAS(err, "token 300 at row 1 is past the table's 256 rows");
	step = (struct mdl_step){ .rows = 8, .pos = 250, .tokens = self->tok };
	self->tok[3] = 65;
	EXPECT_EQ(-EINVAL, mdl_program_stream_step(&d.p, d.l.base, &step, s, err, sizeof(err)));
	HAS(err, "rows 250..257 past its 256");
	accel_stream_destroy(s);
	mdlt_close(&d);
}

/*
 * The stream of a step patched in place from the last one of its shape
 * (mdl_program_step_stream()) is, byte for byte, the stream built for it:
 * at every position of the context, in two sequences' slots, after a
 * change of shape; and the patch refuses what a build refuses.
 */
TEST_F_TIMEOUT(lm, lm_device_patched_stream_is_the_built_one_at_every_position, 120)
{
	struct accel_stream *s;
	struct mdlt_dev d;
	char err[512];
	uint32_t patched = 0, bad = 300;

	ASSERT_EQ(0, mdlt_open(self, &self->a8, 16, 2, 1, &d));
	ASSERT_EQ(0, accel_stream_create(&s));
	for (uint32_t seq = 0; seq < 2; seq++) {
		for (uint32_t pos = 0; pos + 3 <= self->S; pos++) {
			/* decode steps, and now and then a step of three rows */
			uint32_t t = pos % 61 == 7 ? 3 : 1;
			struct mdl_step step = { .rows = t, .pos = pos, .seq = seq,
						 .tokens = self->tok + pos };

			ASSERT_EQ(0, mdl_program_step_stream(&d.l, &step, err, sizeof(err)))
				TH_LOG("seq %u pos %u: %s", seq, pos, err);
			patched += d.l.stream != accel_stream_data(d.l.s);
			ASSERT_EQ(0, mdl_program_stream_step(&d.p, d.l.base, &step, s, err,
							     sizeof(err))) TH_LOG("%s", err);
			ASSERT_EQ(accel_stream_size(s), d.l.stream_size)
				TH_LOG("seq %u pos %u rows %u", seq, pos, t);
			ASSERT_EQ(0, memcmp(accel_stream_data(s), d.l.stream, d.l.stream_size))
				TH_LOG("seq %u pos %u rows %u: the patched stream differs", seq, pos,
				       t);
		}
	}
	/* all but the first step of each shape: per sequence, its first and 5 x 2 changes */
	EXPECT_EQ(2 * (self->S - 2) - 22, patched);
	/* refused as a build refuses: a token past the table, a context past the cache */
	{
		/* sequence 1 of one row: patched from the loop's last step */
		struct mdl_step step = { .rows = 1, .pos = 40, .seq = 1, .tokens = &bad };

		EXPECT_EQ(-EINVAL, mdl_program_step_stream(&d.l, &step, err, sizeof(err)));
		HAS(err, "token 300 at row 0 is past the table's 256 rows");
		step = (struct mdl_step){ .rows = 1, .pos = self->S, .seq = 1, .tokens = self->tok };
		EXPECT_EQ(-EINVAL, mdl_program_step_stream(&d.l, &step, err, sizeof(err)));
		HAS(err, "past its 256");
		/* and the next step is still the built one */
		step = (struct mdl_step){ .rows = 1, .pos = 41, .seq = 1, .tokens = self->tok + 41 };
		ASSERT_EQ(0, mdl_program_step_stream(&d.l, &step, err, sizeof(err)));
		EXPECT_NE(accel_stream_data(d.l.s), d.l.stream);
		ASSERT_EQ(0, mdl_program_stream_step(&d.p, d.l.base, &step, s, err, sizeof(err)));
		ASSERT_EQ(accel_stream_size(s), d.l.stream_size);
		EXPECT_EQ(0, memcmp(accel_stream_data(s), d.l.stream, d.l.stream_size));
	}
	accel_stream_destroy(s);
	mdlt_close(&d);
}

TEST_HARNESS_MAIN
