// SPDX-License-Identifier: MIT
/*
 * Quasar models: the committed checkpoints still give their recorded
 * held-out figures, compressed variants behave, the fast datapath kernels
 * equal the golden model on a real model, calibration reaches algorithms
 * from the training split (sequential calibration: on the compressed
 * layers' outputs), the trainer's gradients are right, packed
 * checkpoints give their variant's logits bit for bit, A8 QAT's fake quant
 * is the device's activation quantization, and bad files (packed ones too)
 * and specs are refused with a reason.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "kselftest_harness.h"
/*
 * The harness kills a test after 30 s; these evaluate whole models and took
 * longer than that on this 2-core machine while other builds and VMs ran
 * (twice in one make check). They are correctness tests, not timed ones.
 */
#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT 300
#include "dp_gemm.h"
#include "dp_num.h"
#include "dp_ops.h"
#include "mdl_act_fakequant.h"
#include "mdl_calib.h"
#include "mdl_eval.h"
#include "mdl_lm_infer.h"
#include "mdl_lm_train.h"
#include "mdl_packed.h"
#include "mdl_packed_layout.h"
#include "mdl_rng.h"
#include "mdl_util.h"
#include "mdl_variant.h"

#define MDLT_LM		MDL_CKPT_DIR "/moby-lm.bin"
#define MDLT_LM_FIG	MDL_CKPT_DIR "/moby-lm.figures"
#define MDLT_CLS	MDL_CKPT_DIR "/fmnist-mlp.bin"
#define MDLT_CLS_FIG	MDL_CKPT_DIR "/fmnist-mlp.figures"

/* "key value" line of a figures file written by the trainers; NAN if absent. */
static double mdlt_figure(const char *path, const char *key)
{
	char k[64];
	double v;
	FILE *f = fopen(path, "r");

	if (!f)
		return NAN;
	while (fscanf(f, "%63s %lf", k, &v) == 2)
		if (!strcmp(k, key)) {
			fclose(f);
			return v;
		}
	fclose(f);
	return NAN;
}

/* Logits of @nw held-out windows for a variant spec ("fp32" = none). */
static int mdlt_lm_logits(const struct mdl_llama *m, const struct mdl_text *held,
			  const char *spec, uint32_t threads, uint32_t isa, uint32_t nw,
			  float *logits)
{
	struct mdl_linset fp32, ls, *use = &fp32;
	struct mdl_variant v;
	struct mdl_lm_state *st;
	struct mdl_exec *ex;
	struct mdl_pool *pool;
	uint32_t *tok, T = m->seq_len, i;
	int ret;

	if (mdl_pool_create(threads, &pool) || mdl_exec_create(pool, isa, &ex) ||
	    mdl_lm_linset(m, &fp32) || mdl_lm_state_create(m, nw, T, &st))
		return -ENOMEM;
	ls.l = NULL;
	if (strcmp(spec, "fp32")) {
		if (mdl_variant_parse(spec, &v, NULL, 0) ||
		    mdl_variant_build(&v, &fp32, NULL, &ls, NULL, 0))
			return -EINVAL;
		use = &ls;
	}
	tok = malloc(sizeof(uint32_t) * nw * T);
	for (i = 0; i < nw * T; i++)
		tok[i] = held->bytes[i];
	ret = mdl_lm_forward(ex, use, st, nw, 0, T, tok, logits);
	free(tok);
	if (ls.l)
		mdl_linset_free(&ls, 0);
	mdl_linset_free(&fp32, 1);
	mdl_lm_state_free(st);
	mdl_exec_free(ex);
	mdl_pool_destroy(pool);
	return ret;
}

TEST(lm_checkpoint_is_llama2c_layout_and_rewrites_identically)
{
	char err[256], tmp[] = "/tmp/mdlt-lm-XXXXXX";
	uint8_t *a, *b;
	size_t la, lb;
	struct mdl_llama *m;
	int fd = mkstemp(tmp);

	ASSERT_LE(0, fd);
	close(fd);
	ASSERT_EQ(0, mdl_llama_load(MDLT_LM, &m, err, sizeof(err))) TH_LOG("%s", err);
	/* the architecture docs/models.md describes */
	EXPECT_EQ(128, m->cfg.dim);
	EXPECT_EQ(384, m->cfg.hidden_dim);
	EXPECT_EQ(4, m->cfg.n_layers);
	EXPECT_EQ(4, m->cfg.n_heads);
	EXPECT_EQ(4, m->cfg.n_kv_heads);
	EXPECT_EQ(-256, m->cfg.vocab_size);
	EXPECT_EQ(256, m->cfg.seq_len);
	EXPECT_EQ(mdlt_figure(MDLT_LM_FIG, "params"), (double)m->n_params);
	/* header + weights + 2 RoPE tables of seq_len * head_size / 2 */
	ASSERT_EQ(0, mdl_read_file(MDLT_LM, &a, &la, err, sizeof(err)));
	EXPECT_EQ(28 + 4 * (m->n_params + 256 * 32), la);
	ASSERT_EQ(0, mdl_llama_save(m, tmp, err, sizeof(err))) TH_LOG("%s", err);
	ASSERT_EQ(0, mdl_read_file(tmp, &b, &lb, err, sizeof(err)));
	ASSERT_EQ(la, lb);
	EXPECT_EQ(0, memcmp(a, b, la)) TH_LOG("save(load(%s)) differs from the file", MDLT_LM);
	unlink(tmp);
	free(a);
	free(b);
	mdl_llama_free(m);
}

TEST(lm_loader_rejects_truncated_and_inconsistent_files)
{
	char err[256], tmp[] = "/tmp/mdlt-bad-XXXXXX";
	/* 3 heads do not divide dim 128 */
	struct mdl_llama_cfg bad = { 128, 384, 4, 3, 3, 256, 256 };
	struct mdl_llama *m;
	uint8_t *buf;
	size_t len;
	FILE *f;
	int fd = mkstemp(tmp);

	ASSERT_LE(0, fd);
	close(fd);
	ASSERT_EQ(0, mdl_read_file(MDLT_LM, &buf, &len, err, sizeof(err)));
	f = fopen(tmp, "wb");
	fwrite(buf, 1, len - 4, f);
	fclose(f);
	EXPECT_EQ(-EINVAL, mdl_llama_load(tmp, &m, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "needs")) TH_LOG("message: %s", err);
	f = fopen(tmp, "wb");
	fwrite(&bad, sizeof(bad), 1, f);
	fwrite(buf + sizeof(bad), 1, len - sizeof(bad), f);
	fclose(f);
	EXPECT_EQ(-EINVAL, mdl_llama_load(tmp, &m, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "n_heads")) TH_LOG("message: %s", err);
	EXPECT_EQ(-ENOENT, mdl_llama_load("/nonexistent/x.bin", &m, err, sizeof(err)));
	unlink(tmp);
	free(buf);
}

TEST(lm_heldout_bits_per_byte_matches_training_log)
{
	double want = mdlt_figure(MDLT_LM_FIG, "heldout_bits_per_byte");
	struct mdl_text held;
	struct mdl_lm_figures f;
	struct mdl_llama *m;
	struct mdl_pool *pool;
	char err[256];

	ASSERT_FALSE(isnan(want)) TH_LOG("no heldout_bits_per_byte in %s", MDLT_LM_FIG);
	ASSERT_EQ(0, mdl_llama_load(MDLT_LM, &m, err, sizeof(err))) TH_LOG("%s", err);
	ASSERT_EQ(0, mdl_moby_heldout(MDL_MOBY_DIR, &held, err, sizeof(err))) TH_LOG("%s", err);
	ASSERT_EQ(0, mdl_pool_create(2, &pool));
	ASSERT_EQ(0, mdl_lm_eval_fp32(m, pool, &held, &f, err, sizeof(err))) TH_LOG("%s", err);
	EXPECT_EQ(mdlt_figure(MDLT_LM_FIG, "heldout_positions"), (double)f.tokens);
	/* same code and data as the trainer's final evaluation: only libm may differ */
	EXPECT_GT(1e-4, fabs(f.bits_per_byte - want))
		TH_LOG("held-out %.6f bits/byte, training log says %.6f", f.bits_per_byte, want);
	/* far better than the 4.5 bits/byte of a byte-frequency model */
	EXPECT_GT(2.5, f.bits_per_byte);
	mdl_pool_destroy(pool);
	mdl_text_free(&held);
	mdl_llama_free(m);
}

TEST(lm_w8_variants_stay_close_and_2to4_pruning_does_not)
{
	struct mdl_lm_eval_opts o = { .windows = 48, .batch = 16, .prompts = 16,
				      .prompt_len = 64, .gen_len = 32 };
	static const char *const specs[] = { "int8/a16", "int8/a8", "int4-g32/a16", "sp-int8/a8" };
	struct mdl_lm_figures ref_f, f[4];
	struct mdl_linset fp32, ls;
	struct mdl_lm_ref ref;
	struct mdl_text held;
	struct mdl_variant v;
	struct mdl_llama *m;
	struct mdl_pool *pool;
	struct mdl_exec *ex;
	char err[256];
	int i;

	ASSERT_EQ(0, mdl_llama_load(MDLT_LM, &m, err, sizeof(err))) TH_LOG("%s", err);
	ASSERT_EQ(0, mdl_moby_heldout(MDL_MOBY_DIR, &held, err, sizeof(err))) TH_LOG("%s", err);
	ASSERT_EQ(0, mdl_pool_create(2, &pool));
	ASSERT_EQ(0, mdl_exec_create(pool, dp_isa_best(), &ex));
	ASSERT_EQ(0, mdl_lm_linset(m, &fp32));
	ASSERT_EQ(0, mdl_lm_evaluate(ex, m, &fp32, &held, &o, NULL, &ref, &ref_f, err,
				     sizeof(err))) TH_LOG("%s", err);
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(0, mdl_variant_parse(specs[i], &v, err, sizeof(err))) TH_LOG("%s", err);
		ASSERT_EQ(0, mdl_variant_build(&v, &fp32, NULL, &ls, err, sizeof(err)))
			TH_LOG("%s", err);
		ASSERT_EQ(0, mdl_lm_evaluate(ex, m, &ls, &held, &o, &ref, NULL, &f[i], err,
					     sizeof(err))) TH_LOG("%s", err);
		TH_LOG("%s: %.4f bits/byte (fp32 %.4f), KL %.5f, top-1 agreement %.4f, greedy %.4f",
		       v.name, f[i].bits_per_byte, ref_f.bits_per_byte, f[i].kl, f[i].top1_agree,
		       f[i].gen_agree);
		mdl_linset_free(&ls, 0);
	}
	/* W8A16 only rounds weights; W8A8 also rounds every activation row to int8 */
	for (i = 0; i < 2; i++) {
		EXPECT_GT(0.01, fabs(f[i].bits_per_byte - ref_f.bits_per_byte));
		EXPECT_GT(i ? 0.01 : 0.002, f[i].kl);
		EXPECT_LT(i ? 0.95 : 0.98, f[i].top1_agree);
		EXPECT_LT(0.5, f[i].gen_agree);
	}
	/* 4-bit costs more than 8-bit, and 2:4 magnitude pruning far more */
	EXPECT_LT(f[0].kl, f[2].kl);
	EXPECT_LT(5 * f[2].kl, f[3].kl);
	EXPECT_LT(ref_f.bits_per_byte + 0.05, f[3].bits_per_byte);
	mdl_lm_ref_free(&ref);
	mdl_linset_free(&fp32, 1);
	mdl_exec_free(ex);
	mdl_pool_destroy(pool);
	mdl_text_free(&held);
	mdl_llama_free(m);
}

TEST(lm_fast_kernels_give_the_golden_models_logits)
{
	static const char *const specs[] = { "int4-g32-asym/a8", "mxfp4/a16", "sp-int4-g32/a8" };
	struct mdl_text held;
	struct mdl_llama *m;
	char err[256];
	float *a, *b;
	size_t n;
	int i;

	ASSERT_EQ(0, mdl_llama_load(MDLT_LM, &m, err, sizeof(err))) TH_LOG("%s", err);
	ASSERT_EQ(0, mdl_moby_heldout(MDL_MOBY_DIR, &held, err, sizeof(err))) TH_LOG("%s", err);
	n = (size_t)m->seq_len * m->vocab;
	a = malloc(sizeof(float) * n);
	b = malloc(sizeof(float) * n);
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, mdlt_lm_logits(m, &held, specs[i], 2, dp_isa_best(), 1, a));
		ASSERT_EQ(0, mdlt_lm_logits(m, &held, specs[i], 2, DP_ISA_SCALAR, 1, b));
		EXPECT_EQ(0, memcmp(a, b, sizeof(float) * n))
			TH_LOG("%s: %s kernels differ from the golden model", specs[i],
			       dp_isa_name(dp_isa_best()));
	}
	free(a);
	free(b);
	mdl_text_free(&held);
	mdl_llama_free(m);
}

TEST(lm_logits_do_not_depend_on_the_thread_count)
{
	static const char *const specs[] = { "fp32", "int8/a8" };
	struct mdl_text held;
	struct mdl_llama *m;
	char err[256];
	float *a, *b;
	size_t n;
	int i;

	ASSERT_EQ(0, mdl_llama_load(MDLT_LM, &m, err, sizeof(err))) TH_LOG("%s", err);
	ASSERT_EQ(0, mdl_moby_heldout(MDL_MOBY_DIR, &held, err, sizeof(err))) TH_LOG("%s", err);
	n = 3 * (size_t)m->seq_len * m->vocab;
	a = malloc(sizeof(float) * n);
	b = malloc(sizeof(float) * n);
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, mdlt_lm_logits(m, &held, specs[i], 1, dp_isa_best(), 3, a));
		ASSERT_EQ(0, mdlt_lm_logits(m, &held, specs[i], 3, dp_isa_best(), 3, b));
		EXPECT_EQ(0, memcmp(a, b, sizeof(float) * n))
			TH_LOG("%s: 1 vs 3 threads", specs[i]);
	}
	free(a);
	free(b);
	mdl_text_free(&held);
	mdl_llama_free(m);
}

/* Loss of a tiny model for the gradient check. */
static double mdlt_tiny_loss(struct mdl_lm_train *tr, const uint8_t *in, const uint8_t *tgt)
{
	return mdl_lm_train_loss(tr, in, tgt);
}

TEST(lm_trainer_gradients_match_finite_differences_for_any_thread_count)
{
	struct mdl_llama_cfg c = { 16, 32, 2, 2, 2, -256, 8 };
	struct mdl_lm_train t1, t3;
	struct mdl_pool *p1, *p3;
	struct mdl_llama *m;
	struct mdl_rng r;
	uint8_t in[16], tgt[16];
	double l1, l3, worst = 0;
	size_t i;
	int k;

	ASSERT_EQ(0, mdl_llama_alloc(&c, &m, NULL, 0));
	mdl_rng_seed(&r, 7);
	for (i = 0; i < m->n_params; i++)
		m->params[i] = mdl_rng_normal(&r) * 0.3f;
	for (k = 0; k < 16; k++) {
		in[k] = (uint8_t)mdl_rng_below(&r, 256);
		tgt[k] = (uint8_t)mdl_rng_below(&r, 256);
	}
	ASSERT_EQ(0, mdl_pool_create(1, &p1));
	ASSERT_EQ(0, mdl_pool_create(3, &p3));
	ASSERT_EQ(0, mdl_lm_train_init(&t1, m, p1, 2, 8));
	ASSERT_EQ(0, mdl_lm_train_init(&t3, m, p3, 2, 8));
	l1 = mdl_lm_train_step(&t1, in, tgt);
	l3 = mdl_lm_train_step(&t3, in, tgt);
	EXPECT_EQ(l1, l3);
	EXPECT_EQ(0, memcmp(t1.grad, t3.grad, sizeof(float) * m->n_params))
		TH_LOG("gradients differ between 1 and 3 threads");
	/* central differences on parameters of every kind (embedding rows in use, all matrices) */
	for (k = 0; k < 200; k++) {
		size_t idx = k % 4 == 0 ? (size_t)in[k % 16] * 16 + k % 16 :
			     256 * 16 + mdl_rng_below(&r, (uint32_t)(m->n_params - 256 * 16));
		float o = m->params[idx], h = 1e-2f;
		double up, down, num, an = t1.grad[idx], rel;

		m->params[idx] = o + h;
		up = mdlt_tiny_loss(&t3, in, tgt);
		m->params[idx] = o - h;
		down = mdlt_tiny_loss(&t3, in, tgt);
		m->params[idx] = o;
		num = (up - down) / (2 * h);
		rel = fabs(num - an) / fmax(1e-3, fabs(num) + fabs(an));
		if (rel > worst)
			worst = rel;
		EXPECT_GT(0.05, rel) TH_LOG("param %zu: analytic %g, numeric %g", idx, an, num);
	}
	TH_LOG("worst relative gradient error %.4f", worst);
	mdl_lm_train_free(&t1);
	mdl_lm_train_free(&t3);
	mdl_pool_destroy(p1);
	mdl_pool_destroy(p3);
	mdl_llama_free(m);
}

/* dequantize(dp_act_quant_ref(bf16(row))): the device's A8 operand, spelled out */
static void mdlt_a8_row(const float *x, uint32_t k, float *y)
{
	uint16_t xb[300];
	int8_t q[300];
	float sx;
	uint32_t i;

	for (i = 0; i < k; i++)
		xb[i] = dp_f32_to_bf16(x[i]);
	dp_act_quant_ref(xb, k, q, &sx);
	for (i = 0; i < k; i++)
		y[i] = (float)q[i] * sx;
}

TEST(a8_fake_quant_is_the_devices_activation_quantization_bit_for_bit)
{
	enum { R = 37, K = 300 };
	static float x[R * K], want[R * K], got[R * K], one[K];
	struct mdl_llama_cfg c = { 16, 32, 2, 2, 2, -256, 8 };
	struct mdl_lm_train tr;
	struct mdl_llama *m;
	struct mdl_pool *pool;
	struct mdl_rng r;
	uint8_t in[16], tgt[16];
	uint32_t i, k, moved = 0;
	double l16, l8;

	mdl_rng_seed(&r, 11);
	for (i = 0; i < R * K; i++)	/* rows of very different ranges; row 5 all zero */
		x[i] = i / K == 5 ? 0.0f : mdl_rng_normal(&r) * ldexpf(1.0f, (int)(i / K) - 18);
	x[3 * K + 7] = 1e3f;		/* one outlier sets row 3's scale */
	for (i = 0; i < R; i++)
		mdlt_a8_row(x + i * K, K, want + i * K);
	ASSERT_EQ(0, mdl_pool_create(3, &pool));
	ASSERT_EQ(0, mdl_actq_a8(pool, x, R, K, got));
	EXPECT_EQ(0, memcmp(want, got, sizeof(want)));
	for (i = 0; i < R; i++) {
		uint16_t xb[K];
		int8_t q[K];

		memcpy(one, x + i * K, sizeof(one));
		mdl_actq_a8_row(one, K, one, xb, q);	/* in place */
		EXPECT_EQ(0, memcmp(want + i * K, one, sizeof(one))) TH_LOG("row %u", i);
	}
	for (i = 0; i < R * K; i++)
		moved += want[i] != x[i];
	EXPECT_LT((uint32_t)(R * K / 2), moved) TH_LOG("the quantization left most values alone");
	for (k = 0; k < K; k++)
		EXPECT_EQ(0.0f, got[5 * K + k]);

	/* the trainer's A8 forward: the classifier head reads the quantized RMSNorm rows */
	ASSERT_EQ(0, mdl_llama_alloc(&c, &m, NULL, 0));
	for (i = 0; i < m->n_params; i++)
		m->params[i] = mdl_rng_normal(&r) * 0.3f;
	for (k = 0; k < 16; k++) {
		in[k] = (uint8_t)mdl_rng_below(&r, 256);
		tgt[k] = (uint8_t)mdl_rng_below(&r, 256);
	}
	ASSERT_EQ(0, mdl_lm_train_init(&tr, m, pool, 2, 8));
	l16 = mdl_lm_train_loss(&tr, in, tgt);
	tr.aq_a8 = 1;
	l8 = mdl_lm_train_loss(&tr, in, tgt);
	EXPECT_EQ(0, tr.fq_ret);
	EXPECT_NE(l16, l8);
	EXPECT_GT(0.05, fabs(l8 - l16)) TH_LOG("A8 loss %g vs FP32 %g", l8, l16);
	for (i = 0; i < tr.n; i++) {
		float row[16];

		for (k = 0; k < 16; k++)
			row[k] = tr.x_final[i * 16 + k] * tr.rs_final[i] * m->w.rms_final[k];
		mdlt_a8_row(row, 16, row);
		EXPECT_EQ(0, memcmp(row, tr.xn_final + i * 16, sizeof(row))) TH_LOG("row %u", i);
	}
	mdl_lm_train_free(&tr);
	mdl_llama_free(m);
	mdl_pool_destroy(pool);
}

TEST(cls_t10k_top1_matches_training_log)
{
	double want = mdlt_figure(MDLT_CLS_FIG, "t10k_correct");
	struct mdl_cls_figures f;
	struct mdl_images test;
	struct mdl_linset ls;
	struct mdl_pool *pool;
	struct mdl_exec *ex;
	struct mdl_cls *c;
	char err[256];

	ASSERT_FALSE(isnan(want)) TH_LOG("no t10k_correct in %s", MDLT_CLS_FIG);
	ASSERT_EQ(0, mdl_cls_load(MDLT_CLS, &c, err, sizeof(err))) TH_LOG("%s", err);
	ASSERT_EQ(0, mdl_fmnist_load(MDL_FMNIST_DIR, "t10k", &test, err, sizeof(err)))
		TH_LOG("%s", err);
	ASSERT_EQ(10000u, test.n);
	ASSERT_EQ(0, mdl_pool_create(2, &pool));
	ASSERT_EQ(0, mdl_exec_create(pool, dp_isa_best(), &ex));
	ASSERT_EQ(0, mdl_cls_linset(c, &ls));
	ASSERT_EQ(0, mdl_cls_evaluate(ex, c, &ls, &test, 0, NULL, NULL, &f));
	/* within 0.05 % (5 images) of the log; the issue asks for at least 88 % */
	EXPECT_GE(5.0, fabs(f.top1 * f.n - want))
		TH_LOG("%.0f correct, training log says %.0f", f.top1 * f.n, want);
	EXPECT_LE(0.88, f.top1);
	mdl_linset_free(&ls, 1);
	mdl_exec_free(ex);
	mdl_pool_destroy(pool);
	mdl_images_free(&test);
	mdl_cls_free(c);
}

TEST(cls_every_default_variant_runs_and_w8_stays_close)
{
	struct mdl_variant v[64];
	uint32_t nv = mdl_variant_defaults(v, 64), i;
	struct mdl_cls_figures f32, f;
	struct mdl_images test;
	struct mdl_linset fp32, ls;
	struct mdl_pool *pool;
	struct mdl_exec *ex;
	struct mdl_cls *c;
	uint8_t *ref;
	char err[256];

	ASSERT_EQ(0, mdl_cls_load(MDLT_CLS, &c, err, sizeof(err))) TH_LOG("%s", err);
	ASSERT_EQ(0, mdl_fmnist_load(MDL_FMNIST_DIR, "t10k", &test, err, sizeof(err)))
		TH_LOG("%s", err);
	ASSERT_EQ(0, mdl_pool_create(2, &pool));
	ASSERT_EQ(0, mdl_exec_create(pool, dp_isa_best(), &ex));
	ASSERT_EQ(0, mdl_cls_linset(c, &fp32));
	ref = malloc(test.n);
	ASSERT_EQ(0, mdl_cls_evaluate(ex, c, &fp32, &test, 0, NULL, ref, &f32));
	/* every format with A16, and A8 where the datapath has it */
	ASSERT_EQ(25u, nv);
	for (i = 0; i < nv; i++) {
		ASSERT_EQ(0, mdl_variant_build(&v[i], &fp32, NULL, &ls, err, sizeof(err)))
			TH_LOG("%s", err);
		ASSERT_EQ(0, mdl_cls_evaluate(ex, c, &ls, &test, 0, ref, NULL, &f));
		/* BF16 is half of FP32 plus the padding of K to 32 and N to 16 rows */
		EXPECT_GT(mdl_linset_bytes(&fp32) * 6 / 10, mdl_linset_bytes(&ls))
			TH_LOG("%s", v[i].name);
		EXPECT_LT(0.5, f.top1) TH_LOG("%s: top-1 %.4f", v[i].name, f.top1);
		if (v[i].qp.fmt == DP_W_INT8) {
			EXPECT_GE(0.005, fabs(f.top1 - f32.top1)) TH_LOG("%s", v[i].name);
			EXPECT_LE(0.99, f.agree) TH_LOG("%s: agreement %.4f", v[i].name, f.agree);
		}
		mdl_linset_free(&ls, 0);
	}
	free(ref);
	mdl_linset_free(&fp32, 1);
	mdl_exec_free(ex);
	mdl_pool_destroy(pool);
	mdl_images_free(&test);
	mdl_cls_free(c);
}

/* A calibrated algorithm for the test: checks what it is given, then packs as RTN. */
static const struct mdl_calib *mdlt_seen[64];
static uint32_t mdlt_nseen;

static int mdlt_calib_quant(const float *w, uint32_t n, uint32_t k, const struct mdl_calib *cal,
			    const struct compress_qparams *p, const struct mdl_hparams *hp,
			    struct compress_qtensor **out, float *s)
{
	(void)hp;
	if (!cal || cal->k != k || mdlt_nseen == 64)
		return -EINVAL;
	mdlt_seen[mdlt_nseen++] = cal;
	return compress_quantize(w, n, k, k, p, out);
}

static const struct mdl_algo mdlt_algo = {
	.name = "test-calib", .desc = "test", .needs_calib = 1, .quantize = mdlt_calib_quant,
};

/*
 * The registered algorithms on the real LM (a small case: 4 calibration
 * windows of training text, 32 held-out windows): AWQ/SmoothQuant keep one
 * s per shared input, GPTQ beats RTN at 4 bits and SparseGPT and Wanda beat
 * magnitude at 2:4, as the literature says they should.
 */
TEST(lm_registered_algorithms_share_scales_and_beat_rtn_and_magnitude)
{
	struct mdl_lm_eval_opts o = { .windows = 32, .batch = 16, .prompts = 0,
				      .prompt_len = 64, .gen_len = 0 };
	static const char *const specs[] = { "int4-g32/a16/rtn", "int4-g32/a16/gptq",
		"sp-bf16/a16/mag24", "sp-bf16/a16/wanda", "sp-bf16/a16/sparsegpt",
		"int8/a8/smooth", "int4-g32/a16/awq" };
	struct mdl_lm_figures ref_f, f[7];
	struct mdl_text train, held;
	struct mdl_calib_set cal;
	struct mdl_linset fp32, ls;
	struct mdl_lm_ref ref;
	struct mdl_variant v;
	struct mdl_llama *m;
	struct mdl_pool *pool;
	struct mdl_exec *ex;
	char err[256];
	uint32_t i, j;

	ASSERT_EQ(0, mdl_algos_register_all());
	ASSERT_EQ(0, mdl_algos_register_all());	/* idempotent */
	EXPECT_EQ(-ENOTSUP, mdl_variant_parse("int8/a16/smooth", &v, err, sizeof(err)));
	ASSERT_EQ(0, mdl_llama_load(MDLT_LM, &m, err, sizeof(err))) TH_LOG("%s", err);
	ASSERT_EQ(0, mdl_moby_train(MDL_MOBY_DIR, &train, err, sizeof(err))) TH_LOG("%s", err);
	ASSERT_EQ(0, mdl_moby_heldout(MDL_MOBY_DIR, &held, err, sizeof(err))) TH_LOG("%s", err);
	ASSERT_EQ(0, mdl_pool_create(2, &pool));
	ASSERT_EQ(0, mdl_exec_create(pool, dp_isa_best(), &ex));
	ASSERT_EQ(0, mdl_lm_linset(m, &fp32));
	ASSERT_EQ(0, mdl_calib_lm(ex, m, &fp32, &train, 4, 3, &cal));
	ASSERT_EQ(0, mdl_lm_evaluate(ex, m, &fp32, &held, &o, NULL, &ref, &ref_f, err,
				     sizeof(err))) TH_LOG("%s", err);
	for (i = 0; i < 7; i++) {
		ASSERT_EQ(0, mdl_variant_parse(specs[i], &v, err, sizeof(err))) TH_LOG("%s", err);
		ASSERT_EQ(0, mdl_variant_build(&v, &fp32, &cal, &ls, err, sizeof(err)))
			TH_LOG("%s", err);
		ASSERT_EQ(0, mdl_lm_evaluate(ex, m, &ls, &held, &o, &ref, NULL, &f[i], err,
					     sizeof(err))) TH_LOG("%s", err);
		TH_LOG("%s: %.4f bits/byte (fp32 %.4f), KL %.5f", v.name, f[i].bits_per_byte,
		       ref_f.bits_per_byte, f[i].kl);
		if (i >= 5) {
			/* l0: wq wk wv share the normed input, w1 w3 theirs; wo its own */
			const struct mdl_lin *l = ls.l;

			ASSERT_NE(NULL, l[0].in_inv);
			ASSERT_NE(NULL, l[3].in_inv);
			for (j = 0; j < l[0].k; j++) {
				ASSERT_EQ(l[0].in_inv[j], l[1].in_inv[j]);
				ASSERT_EQ(l[0].in_inv[j], l[2].in_inv[j]);
				ASSERT_EQ(l[4].in_inv[j], l[6].in_inv[j]);
			}
			for (j = 0; j < l[0].k && l[0].in_inv[j] == l[3].in_inv[j]; j++)
				;
			EXPECT_GT(l[0].k, j) TH_LOG("wo got q/k/v's scales");
		}
		mdl_linset_free(&ls, 0);
	}
	EXPECT_LT(f[1].kl, 0.8 * f[0].kl);		/* GPTQ < RTN */
	EXPECT_LT(f[1].bits_per_byte, f[0].bits_per_byte);
	EXPECT_LT(f[3].kl, 0.9 * f[2].kl);		/* Wanda < magnitude */
	EXPECT_LT(f[4].kl, 0.7 * f[2].kl);		/* SparseGPT < magnitude */
	EXPECT_LT(f[4].bits_per_byte, f[2].bits_per_byte - 0.1);
	mdl_calib_free(&cal);
	mdl_lm_ref_free(&ref);
	mdl_linset_free(&fp32, 1);
	mdl_exec_free(ex);
	mdl_pool_destroy(pool);
	mdl_text_free(&train);
	mdl_text_free(&held);
	mdl_llama_free(m);
}

TEST(calibration_from_the_training_split_reaches_the_algorithm_hook)
{
	struct mdl_text train, held;
	struct mdl_calib_set cal;
	struct mdl_linset fp32, a, b;
	struct mdl_variant va, vb;
	struct mdl_pool *pool;
	struct mdl_exec *ex;
	struct mdl_llama *m;
	const struct mdl_calib *c0;
	uint8_t window[256];
	float *xn;
	char err[256];
	uint32_t i, t, tok;

	ASSERT_EQ(0, mdl_algo_register(&mdlt_algo));
	EXPECT_EQ(-EEXIST, mdl_algo_register(&mdlt_algo));
	ASSERT_EQ(0, mdl_llama_load(MDLT_LM, &m, err, sizeof(err))) TH_LOG("%s", err);
	ASSERT_EQ(0, mdl_moby_train(MDL_MOBY_DIR, &train, err, sizeof(err))) TH_LOG("%s", err);
	ASSERT_EQ(0, mdl_moby_heldout(MDL_MOBY_DIR, &held, err, sizeof(err))) TH_LOG("%s", err);
	ASSERT_EQ(0, mdl_pool_create(2, &pool));
	ASSERT_EQ(0, mdl_exec_create(pool, dp_isa_best(), &ex));
	ASSERT_EQ(0, mdl_lm_linset(m, &fp32));
	ASSERT_EQ(0, mdl_variant_parse("int8/a16/test-calib", &va, err, sizeof(err)))
		TH_LOG("%s", err);
	ASSERT_EQ(0, mdl_variant_parse("int8/a16/rtn", &vb, err, sizeof(err)));
	/* a calibrated algorithm without calibration data is an error, not a silent RTN */
	EXPECT_EQ(-EINVAL, mdl_variant_build(&va, &fp32, NULL, &a, err, sizeof(err)));
	ASSERT_EQ(0, mdl_calib_lm(ex, m, &fp32, &train, 2, 11, &cal));
	ASSERT_EQ(fp32.count, cal.count);
	ASSERT_EQ(0, mdl_variant_build(&va, &fp32, &cal, &a, err, sizeof(err))) TH_LOG("%s", err);
	ASSERT_EQ(0, mdl_variant_build(&vb, &fp32, NULL, &b, err, sizeof(err)));
	ASSERT_EQ(fp32.count, mdlt_nseen);
	for (i = 0; i < fp32.count; i++) {
		const struct dp_wt *wa = compress_qtensor_wt(a.l[i].qt);
		const struct dp_wt *wb = compress_qtensor_wt(b.l[i].qt);
		struct dp_geom g;

		EXPECT_EQ(&cal.c[i], mdlt_seen[i]);
		EXPECT_EQ(2 * m->seq_len, mdlt_seen[i]->rows);
		ASSERT_EQ(0, dp_wt_check(wa, &g));
		EXPECT_EQ(0, memcmp(wa->data, wb->data, g.data_bytes)) TH_LOG("%s", a.l[i].name);
	}
	/*
	 * Layer 0's wq sees rmsnorm(embedding(byte)): recover the bytes of the
	 * first calibration window and find them in the training text.
	 */
	c0 = &cal.c[mdl_lm_lin_id(0, MDL_LM_WQ)];
	xn = malloc(sizeof(float) * m->dim);
	for (t = 0; t < m->seq_len; t++) {
		for (tok = 0; tok < 256; tok++) {
			ASSERT_EQ(0, dp_rmsnorm_fast(m->w.tok_emb + (size_t)tok * m->dim,
						     m->w.rms_att, m->dim, MDL_LLAMA_EPS, xn,
						     dp_isa_best()));
			if (!memcmp(xn, c0->x + (size_t)t * m->dim, sizeof(float) * m->dim))
				break;
		}
		ASSERT_GT(256u, tok) TH_LOG("calibration row %u is no embedded byte", t);
		window[t] = (uint8_t)tok;
	}
	EXPECT_NE(NULL, memmem(train.bytes, train.len, window, sizeof(window)))
		TH_LOG("the calibration window is not training text");
	EXPECT_EQ(NULL, memmem(held.bytes, held.len, window, sizeof(window)));
	free(xn);
	mdl_linset_free(&a, 0);
	mdl_linset_free(&b, 0);
	mdl_calib_free(&cal);
	mdl_linset_free(&fp32, 1);
	mdl_exec_free(ex);
	mdl_pool_destroy(pool);
	mdl_text_free(&train);
	mdl_text_free(&held);
	mdl_llama_free(m);
}

/*
 * A calibrated algorithm that records, per layer (found by its weights in
 * mdlt_seq_fp32), the order it was packed in and a CRC of its calibration
 * inputs, then packs INT4 by RTN so later layers do see an error.
 */
static const struct mdl_linset *mdlt_seq_fp32;
static uint32_t mdlt_seq_pos[64], mdlt_seq_rows[64], mdlt_seq_n;
static uLong mdlt_seq_crc[64];

static int mdlt_seq_quant(const float *w, uint32_t n, uint32_t k, const struct mdl_calib *cal,
			  const struct compress_qparams *p, const struct mdl_hparams *hp,
			  struct compress_qtensor **out, float *s)
{
	uint32_t i;

	(void)hp;
	(void)s;
	for (i = 0; i < mdlt_seq_fp32->count && mdlt_seq_fp32->l[i].w != w; i++)
		;
	if (i == mdlt_seq_fp32->count || i >= 64 || !cal || cal->k != k)
		return -EINVAL;
	mdlt_seq_pos[i] = mdlt_seq_n++;
	mdlt_seq_rows[i] = cal->rows;
	mdlt_seq_crc[i] = crc32(0, (const Bytef *)cal->x, sizeof(float) * cal->rows * k);
	return compress_quantize(w, n, k, k, p, out);
}

static const struct mdl_algo mdlt_seq_algo = {
	.name = "test-seq", .desc = "test", .needs_calib = 1, .quantize = mdlt_seq_quant,
};

/*
 * Sequential calibration: the first stage (l0 q/k/v) gets the FP32 model's
 * inputs, every later layer other ones (those of the packed layers before
 * it), layers are packed in execution order (w3 before w2), and the inputs
 * do not depend on the thread count.
 */
TEST(lm_sequential_calibration_feeds_later_layers_the_compressed_outputs)
{
	struct mdl_text train;
	struct mdl_calib_set cal;
	struct mdl_calib_src src;
	struct mdl_linset fp32, ls;
	struct mdl_variant v;
	struct mdl_pool *pool[2];
	struct mdl_exec *ex[2];
	struct mdl_llama *m;
	uLong crc[2][64];
	char err[256];
	uint32_t i, t;

	ASSERT_EQ(0, mdl_algo_register(&mdlt_seq_algo));
	ASSERT_EQ(0, mdl_llama_load(MDLT_LM, &m, err, sizeof(err))) TH_LOG("%s", err);
	ASSERT_EQ(0, mdl_moby_train(MDL_MOBY_DIR, &train, err, sizeof(err))) TH_LOG("%s", err);
	ASSERT_EQ(0, mdl_lm_linset(m, &fp32));
	ASSERT_GE(64u, fp32.count);
	mdlt_seq_fp32 = &fp32;
	ASSERT_EQ(0, mdl_variant_parse("int4-g32/a16/test-seq", &v, err, sizeof(err)))
		TH_LOG("%s", err);
	EXPECT_EQ(-EINVAL, mdl_variant_build_seq(&v, &fp32, NULL, &ls, err, sizeof(err)));
	for (t = 0; t < 2; t++) {
		ASSERT_EQ(0, mdl_pool_create(t + 1, &pool[t]));
		ASSERT_EQ(0, mdl_exec_create(pool[t], dp_isa_best(), &ex[t]));
		src = (struct mdl_calib_src){ .ex = ex[t], .lm = m, .text = &train, .n = 2,
					      .seed = 5 };
		mdlt_seq_n = 0;
		ASSERT_EQ(0, mdl_variant_build_seq(&v, &fp32, &src, &ls, err, sizeof(err)))
			TH_LOG("%s", err);
		ASSERT_EQ(fp32.count, mdlt_seq_n);
		for (i = 0; i < fp32.count; i++) {
			EXPECT_NE(NULL, ls.l[i].qt);
			EXPECT_EQ(2 * m->seq_len, mdlt_seq_rows[i]) TH_LOG("%s", fp32.l[i].name);
		}
		memcpy(crc[t], mdlt_seq_crc, sizeof(crc[t]));
		mdl_linset_free(&ls, 0);
	}
	/* execution order: q k v wo w1 w3 w2 per block, the classifier last */
	for (i = 0; i < m->layers; i++) {
		EXPECT_LT(mdlt_seq_pos[mdl_lm_lin_id(i, MDL_LM_WO)],
			  mdlt_seq_pos[mdl_lm_lin_id(i, MDL_LM_W1)]);
		EXPECT_LT(mdlt_seq_pos[mdl_lm_lin_id(i, MDL_LM_W3)],
			  mdlt_seq_pos[mdl_lm_lin_id(i, MDL_LM_W2)]);
	}
	EXPECT_EQ(fp32.count - 1, mdlt_seq_pos[fp32.count - 1]);
	/* the FP32 capture of the same sample */
	src.ex = ex[1];
	ASSERT_EQ(0, mdl_calib_capture(&src, &fp32, MDL_CALIB_ALL, &cal));
	ASSERT_EQ(fp32.count, cal.seen);
	for (i = 0; i < fp32.count; i++) {
		uLong f = crc32(0, (const Bytef *)cal.c[i].x,
				sizeof(float) * cal.c[i].rows * cal.c[i].k);

		EXPECT_EQ(crc[0][i], crc[1][i]) TH_LOG("%s: thread count", fp32.l[i].name);
		if (i <= MDL_LM_WV) {
			EXPECT_EQ(f, crc[0][i]) TH_LOG("%s: not the FP32 inputs", fp32.l[i].name);
		} else {
			EXPECT_NE(f, crc[0][i]) TH_LOG("%s: the FP32 inputs", fp32.l[i].name);
		}
	}
	mdl_calib_free(&cal);
	/* a capture that stops at a layer has the layers before it and none after */
	ASSERT_EQ(0, mdl_calib_capture(&src, &fp32, mdl_lm_lin_id(0, MDL_LM_W3), &cal));
	EXPECT_EQ(6u, cal.seen);
	EXPECT_EQ(2 * m->seq_len, cal.c[mdl_lm_lin_id(0, MDL_LM_W3)].rows);
	EXPECT_EQ(0u, cal.c[mdl_lm_lin_id(0, MDL_LM_W2)].rows);
	EXPECT_EQ(0u, cal.c[mdl_lm_lin_id(1, MDL_LM_WQ)].rows);
	mdl_calib_free(&cal);
	EXPECT_EQ(-EINVAL, mdl_calib_capture(&src, &fp32, fp32.count, &cal));
	for (t = 0; t < 2; t++) {
		mdl_exec_free(ex[t]);
		mdl_pool_destroy(pool[t]);
	}
	mdl_linset_free(&fp32, 1);
	mdl_text_free(&train);
	mdl_llama_free(m);
}

/* Packs W diag(s) with s = 2 (or 0 for the refusal case), as AWQ/SmoothQuant would. */
static float mdlt_s_value = 2.0f;

static int mdlt_scale_quant(const float *w, uint32_t n, uint32_t k, const struct mdl_calib *cal,
			    const struct compress_qparams *p, const struct mdl_hparams *hp,
			    struct compress_qtensor **out, float *s)
{
	float *ws = malloc(sizeof(float) * n * k);
	size_t i;
	int ret;

	(void)hp;
	for (i = 0; i < (size_t)n * k; i++)
		ws[i] = w[i] * mdlt_s_value;
	for (i = 0; i < k; i++)
		s[i] = mdlt_s_value;
	ret = compress_quantize(ws, n, k, k, p, out);
	free(ws);
	return ret;
}

static const struct mdl_algo mdlt_scale_algo = {
	.name = "test-scale", .desc = "test", .quantize = mdlt_scale_quant,
};

TEST(input_scales_of_an_algorithm_divide_the_layer_input)
{
	struct mdl_text held;
	struct mdl_llama *m;
	struct mdl_linset fp32, ls;
	struct mdl_variant v;
	char err[256];
	float *a, *b;
	size_t n;

	ASSERT_EQ(0, mdl_algo_register(&mdlt_scale_algo));
	ASSERT_EQ(0, mdl_llama_load(MDLT_LM, &m, err, sizeof(err))) TH_LOG("%s", err);
	ASSERT_EQ(0, mdl_moby_heldout(MDL_MOBY_DIR, &held, err, sizeof(err))) TH_LOG("%s", err);
	n = (size_t)m->seq_len * m->vocab;
	a = malloc(sizeof(float) * n);
	b = malloc(sizeof(float) * n);
	/* x/2 times 2w: powers of two scale exactly, so the logits must not move a bit */
	ASSERT_EQ(0, mdlt_lm_logits(m, &held, "int8/a8/test-scale", 2, dp_isa_best(), 1, a));
	ASSERT_EQ(0, mdlt_lm_logits(m, &held, "int8/a8/rtn", 2, dp_isa_best(), 1, b));
	EXPECT_EQ(0, memcmp(a, b, sizeof(float) * n));
	ASSERT_EQ(0, mdlt_lm_logits(m, &held, "bf16/a16/test-scale", 2, dp_isa_best(), 1, a));
	ASSERT_EQ(0, mdlt_lm_logits(m, &held, "bf16/a16/rtn", 2, dp_isa_best(), 1, b));
	EXPECT_EQ(0, memcmp(a, b, sizeof(float) * n));
	/* and the input really was scaled: without it the logits would differ */
	ASSERT_EQ(0, mdl_lm_linset(m, &fp32));
	ASSERT_EQ(0, mdl_variant_parse("bf16/a16/test-scale", &v, err, sizeof(err)));
	ASSERT_EQ(0, mdl_variant_build(&v, &fp32, NULL, &ls, err, sizeof(err)));
	ASSERT_NE(NULL, ls.l[0].in_inv);
	EXPECT_EQ(0.5f, ls.l[0].in_inv[0]);
	mdl_linset_free(&ls, 0);
	mdlt_s_value = 0.0f;
	EXPECT_EQ(-EDOM, mdl_variant_build(&v, &fp32, NULL, &ls, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "scale")) TH_LOG("%s", err);
	mdl_linset_free(&fp32, 1);
	free(a);
	free(b);
	mdl_text_free(&held);
	mdl_llama_free(m);
}

TEST(variant_specs_are_parsed_or_refused_with_a_reason)
{
	struct mdl_variant v;
	char err[256];

	ASSERT_EQ(0, mdl_variant_parse("int4-g128-asym/a8", &v, err, sizeof(err)));
	EXPECT_STREQ("int4-g128-asym/a8/rtn", v.name);
	EXPECT_EQ((uint32_t)DP_W_INT4, v.qp.fmt);
	EXPECT_EQ(128u, v.qp.group);
	EXPECT_EQ(1u, v.qp.asym);
	EXPECT_EQ((uint32_t)DP_A_INT8, v.afmt);
	ASSERT_EQ(0, mdl_variant_parse("sp-int4-g32/a16", &v, err, sizeof(err)));
	EXPECT_STREQ("sp-int4-g32/a16/mag24", v.name);
	EXPECT_EQ(-ENOTSUP, mdl_variant_parse("bf16/a8", &v, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "int8-activation")) TH_LOG("%s", err);
	EXPECT_EQ(-ENOTSUP, mdl_variant_parse("mxfp8/a8", &v, err, sizeof(err)));
	EXPECT_EQ(-ENOTSUP, mdl_variant_parse("sp-int8/a16/rtn", &v, err, sizeof(err)));
	EXPECT_EQ(-ENOTSUP, mdl_variant_parse("int8/a16/mag24", &v, err, sizeof(err)));
	EXPECT_EQ(-EINVAL, mdl_variant_parse("int4-g48/a16", &v, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "unknown format")) TH_LOG("%s", err);
	EXPECT_EQ(-EINVAL, mdl_variant_parse("int8/a4", &v, err, sizeof(err)));
	EXPECT_EQ(-EINVAL, mdl_variant_parse("int8", &v, err, sizeof(err)));
	EXPECT_EQ(-EINVAL, mdl_variant_parse("int8/a16/gptq-unregistered", &v, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "unknown algorithm")) TH_LOG("%s", err);
}

TEST(cls_loader_rejects_foreign_and_truncated_files)
{
	char err[256], tmp[] = "/tmp/mdlt-cls-XXXXXX";
	struct mdl_cls *c;
	uint8_t *buf;
	size_t len;
	FILE *f;
	int fd = mkstemp(tmp);

	ASSERT_LE(0, fd);
	close(fd);
	EXPECT_EQ(0, mdl_cls_sniff(MDLT_LM));
	EXPECT_EQ(1, mdl_cls_sniff(MDLT_CLS));
	EXPECT_EQ(-EINVAL, mdl_cls_load(MDLT_LM, &c, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "QCLS")) TH_LOG("%s", err);
	ASSERT_EQ(0, mdl_read_file(MDLT_CLS, &buf, &len, err, sizeof(err)));
	f = fopen(tmp, "wb");
	fwrite(buf, 1, len - 1, f);
	fclose(f);
	EXPECT_EQ(-EINVAL, mdl_cls_load(tmp, &c, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "needs")) TH_LOG("%s", err);
	unlink(tmp);
	free(buf);
}

/* ---- packed checkpoints (mdl_packed.h) ---- */

/* Logits of the first @nw held-out windows through layer set @ls. */
static int mdlt_lm_run(struct mdl_exec *ex, const struct mdl_llama *m,
		       const struct mdl_linset *ls, const struct mdl_text *held, uint32_t nw,
		       float *logits)
{
	uint32_t *tok, T = m->seq_len, i;
	struct mdl_lm_state *st;
	int ret;

	tok = malloc(sizeof(uint32_t) * nw * T);
	if (!tok || mdl_lm_state_create(m, nw, T, &st)) {
		free(tok);
		return -ENOMEM;
	}
	for (i = 0; i < nw * T; i++)
		tok[i] = held->bytes[i];
	ret = mdl_lm_forward(ex, ls, st, nw, 0, T, tok, logits);
	mdl_lm_state_free(st);
	free(tok);
	return ret;
}

/* Every buffer of every layer equal, as the device would read them. */
static int mdlt_same_tensors(const struct mdl_linset *a, const struct mdl_linset *b)
{
	uint32_t i;

	if (a->count != b->count)
		return 0;
	for (i = 0; i < a->count; i++) {
		const struct dp_wt *x = compress_qtensor_wt(a->l[i].qt);
		const struct dp_wt *y = compress_qtensor_wt(b->l[i].qt);
		struct dp_geom g;

		if (!x || !y || dp_wt_check(x, &g) || x->fmt != y->fmt || x->n != y->n ||
		    x->k != y->k || x->group != y->group || x->flags != y->flags ||
		    memcmp(&x->tensor_scale, &y->tensor_scale, 4) ||
		    memcmp(x->data, y->data, g.data_bytes) ||
		    (g.scale_bytes && memcmp(x->scales, y->scales, g.scale_bytes)) ||
		    (g.zero_bytes && memcmp(x->zeros, y->zeros, g.zero_bytes)) ||
		    (g.meta_bytes && memcmp(x->meta, y->meta, g.meta_bytes)) ||
		    a->l[i].afmt != b->l[i].afmt || !a->l[i].in_inv != !b->l[i].in_inv ||
		    (a->l[i].in_inv &&
		     memcmp(a->l[i].in_inv, b->l[i].in_inv, sizeof(float) * a->l[i].k)))
			return 0;
	}
	return 1;
}

TEST(lm_packed_checkpoint_gives_the_variants_logits_bit_for_bit)
{
	/* GPTQ at A8; AWQ brings input factors 1/s the file must carry */
	static const char *const specs[] = { "int4-g32/a8/gptq", "int4-g32/a16/awq" };
	const uint32_t nw = 2, V = 256, T = 256;
	char err[512], tmp[] = "/tmp/mdlt-qpk-XXXXXX";
	struct mdl_packed_src src;
	struct mdl_text train, held;
	struct mdl_calib_set cal;
	struct mdl_linset fp32, ls;
	struct mdl_packed pk;
	struct mdl_variant v;
	struct mdl_llama *m;
	struct mdl_pool *pool;
	struct mdl_exec *ex;
	float *a, *b;
	uint32_t i;
	int fd = mkstemp(tmp);

	ASSERT_LE(0, fd);
	close(fd);
	ASSERT_EQ(0, mdl_algos_register_all());
	ASSERT_EQ(0, mdl_llama_load(MDLT_LM, &m, err, sizeof(err))) TH_LOG("%s", err);
	ASSERT_EQ(0, mdl_packed_src_file(MDLT_LM, &src, err, sizeof(err))) TH_LOG("%s", err);
	ASSERT_EQ(0, mdl_moby_train(MDL_MOBY_DIR, &train, err, sizeof(err))) TH_LOG("%s", err);
	ASSERT_EQ(0, mdl_moby_heldout(MDL_MOBY_DIR, &held, err, sizeof(err))) TH_LOG("%s", err);
	ASSERT_EQ(0, mdl_pool_create(2, &pool));
	ASSERT_EQ(0, mdl_exec_create(pool, dp_isa_best(), &ex));
	ASSERT_EQ(0, mdl_lm_linset(m, &fp32));
	ASSERT_EQ(0, mdl_calib_lm(ex, m, &fp32, &train, 4, 3, &cal));
	a = malloc(sizeof(float) * nw * T * V);
	b = malloc(sizeof(float) * nw * T * V);
	ASSERT_TRUE(a && b);
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, mdl_variant_parse(specs[i], &v, err, sizeof(err))) TH_LOG("%s", err);
		ASSERT_EQ(0, mdl_variant_build(&v, &fp32, &cal, &ls, err, sizeof(err)))
			TH_LOG("%s", err);
		ASSERT_EQ(0, mdl_packed_save_lm(tmp, m, &ls, v.name, &src, err, sizeof(err)))
			TH_LOG("%s", err);
		ASSERT_EQ(0, mdl_packed_load(tmp, &pk, err, sizeof(err))) TH_LOG("%s", err);
		EXPECT_EQ((uint32_t)MDL_PACKED_LM, pk.kind);
		EXPECT_STREQ(v.name, pk.variant);
		EXPECT_EQ(src.crc, pk.src.crc);
		EXPECT_EQ(src.size, pk.src.size);
		EXPECT_EQ(0, memcmp(&m->cfg, &pk.lm->cfg, sizeof(m->cfg)));
		EXPECT_EQ(i == 1, ls.l[0].in_inv != NULL);
		EXPECT_TRUE(mdlt_same_tensors(&ls, &pk.ls)) TH_LOG("%s: buffers differ", v.name);
		ASSERT_EQ(0, mdlt_lm_run(ex, m, &ls, &held, nw, a));
		ASSERT_EQ(0, mdlt_lm_run(ex, pk.lm, &pk.ls, &held, nw, b));
		EXPECT_EQ(0, memcmp(a, b, sizeof(float) * nw * T * V))
			TH_LOG("%s: logits of the loaded file differ", v.name);
		mdl_packed_free(&pk);
		mdl_linset_free(&ls, 0);
	}
	unlink(tmp);
	free(a);
	free(b);
	mdl_calib_free(&cal);
	mdl_linset_free(&fp32, 1);
	mdl_exec_free(ex);
	mdl_pool_destroy(pool);
	mdl_text_free(&train);
	mdl_text_free(&held);
	mdl_llama_free(m);
}

/* Saves classifier variant @spec to @path (calibrated with @train when it needs it). */
static int mdlt_cls_pack(struct mdl_exec *ex, const struct mdl_cls *c,
			 const struct mdl_linset *fp32, const struct mdl_calib_set *cal,
			 const char *spec, const char *path, struct mdl_linset *ls)
{
	struct mdl_packed_src src = { 0x12345678u, 940000 };
	struct mdl_variant v;
	char err[512];
	int ret;

	(void)ex;
	ret = mdl_variant_parse(spec, &v, err, sizeof(err));
	if (!ret)
		ret = mdl_variant_build(&v, fp32, cal, ls, err, sizeof(err));
	if (!ret)
		ret = mdl_packed_save_cls(path, c, ls, v.name, &src, err, sizeof(err));
	if (ret)
		fprintf(stderr, "# %s: %s\n", spec, err);
	return ret;
}

TEST(cls_packed_checkpoint_gives_the_variants_logits_bit_for_bit)
{
	static const char *const specs[] = { "int4-g32/a8/gptq", "sp-int4-g32/a16/sparsegpt",
					     "nvfp4/a8/rtn", "int8/a8/smooth" };
	const uint32_t count = 256;
	char err[512], tmp[] = "/tmp/mdlt-qpk-XXXXXX";
	struct mdl_images train, test;
	struct mdl_calib_set cal;
	struct mdl_linset fp32, ls;
	struct mdl_packed pk;
	struct mdl_cls *c;
	struct mdl_pool *pool;
	struct mdl_exec *ex;
	float a[256 * 10], b[256 * 10];
	uint32_t i;
	int fd = mkstemp(tmp);

	ASSERT_LE(0, fd);
	close(fd);
	ASSERT_EQ(0, mdl_algos_register_all());
	ASSERT_EQ(0, mdl_cls_load(MDLT_CLS, &c, err, sizeof(err))) TH_LOG("%s", err);
	ASSERT_EQ(0, mdl_fmnist_load(MDL_FMNIST_DIR, "train", &train, err, sizeof(err)))
		TH_LOG("%s", err);
	ASSERT_EQ(0, mdl_fmnist_load(MDL_FMNIST_DIR, "t10k", &test, err, sizeof(err)))
		TH_LOG("%s", err);
	ASSERT_EQ(0, mdl_pool_create(2, &pool));
	ASSERT_EQ(0, mdl_exec_create(pool, dp_isa_best(), &ex));
	ASSERT_EQ(0, mdl_cls_linset(c, &fp32));
	ASSERT_EQ(0, mdl_calib_cls(ex, c, &fp32, &train, 256, 3, &cal));
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(0, mdlt_cls_pack(ex, c, &fp32, &cal, specs[i], tmp, &ls));
		ASSERT_EQ(0, mdl_packed_load(tmp, &pk, err, sizeof(err))) TH_LOG("%s", err);
		EXPECT_EQ((uint32_t)MDL_PACKED_CLS, pk.kind);
		EXPECT_EQ(0x12345678u, pk.src.crc);
		EXPECT_TRUE(mdlt_same_tensors(&ls, &pk.ls)) TH_LOG("%s: buffers differ", specs[i]);
		ASSERT_EQ(0, mdl_cls_forward(ex, &ls, c, test.pixels, count, a));
		ASSERT_EQ(0, mdl_cls_forward(ex, &pk.ls, pk.cls, test.pixels, count, b));
		EXPECT_EQ(0, memcmp(a, b, sizeof(a))) TH_LOG("%s: logits differ", specs[i]);
		mdl_packed_free(&pk);
		mdl_linset_free(&ls, 0);
	}
	unlink(tmp);
	mdl_calib_free(&cal);
	mdl_linset_free(&fp32, 1);
	mdl_exec_free(ex);
	mdl_pool_destroy(pool);
	mdl_images_free(&train);
	mdl_images_free(&test);
	mdl_cls_free(c);
}

/* Rewrites the size and CRC fields so that only the field under test is wrong. */
static void mdlt_pk_reseal(uint8_t *buf, size_t len)
{
	mdl_pk_put64(buf + MDL_PK_OFF_SIZE, len);
	mdl_pk_put32(buf + MDL_PK_OFF_CRC,
		     (uint32_t)crc32_z(0, buf + MDL_PK_CRC_FROM, len - MDL_PK_CRC_FROM));
}

static int mdlt_pk_refused(const uint8_t *buf, size_t len, const char *why)
{
	struct mdl_packed pk;
	char err[512] = "";

	if (mdl_packed_parse(buf, len, &pk, err, sizeof(err)) != -EINVAL) {
		fprintf(stderr, "# accepted (%s)\n", why);
		mdl_packed_free(&pk);
		return 0;
	}
	if (!err[0]) {
		fprintf(stderr, "# refused without a reason (%s)\n", why);
		return 0;
	}
	return 1;
}

TEST(packed_files_that_are_truncated_or_corrupt_are_refused)
{
	struct mdl_packed_src src = { 0x12345678u, 940000 };
	char err[512], tmp[] = "/tmp/mdlt-qpk-XXXXXX", name[MDL_PACKED_NAME + 8];
	struct mdl_linset fp32, ls;
	struct mdl_packed pk;
	struct mdl_cls *c;
	struct mdl_pool *pool;
	struct mdl_exec *ex;
	uint8_t *buf, *bad;
	size_t len, cut, at;
	FILE *f;
	int fd = mkstemp(tmp);

	ASSERT_LE(0, fd);
	close(fd);
	ASSERT_EQ(0, mdl_cls_load(MDLT_CLS, &c, err, sizeof(err))) TH_LOG("%s", err);
	ASSERT_EQ(0, mdl_pool_create(1, &pool));
	ASSERT_EQ(0, mdl_exec_create(pool, dp_isa_best(), &ex));
	ASSERT_EQ(0, mdl_cls_linset(c, &fp32));
	ASSERT_EQ(0, mdlt_cls_pack(ex, c, &fp32, NULL, "int4-g32-asym/a8", tmp, &ls));
	ASSERT_EQ(0, mdl_read_file(tmp, &buf, &len, err, sizeof(err)));
	EXPECT_EQ(1, mdl_packed_sniff(tmp));
	EXPECT_EQ(0, mdl_packed_sniff(MDLT_CLS));
	/* the intact image parses: the refusals below are the damage's doing */
	ASSERT_EQ(0, mdl_packed_parse(buf, len, &pk, err, sizeof(err))) TH_LOG("%s", err);
	mdl_packed_free(&pk);
	bad = malloc(len);
	ASSERT_NE(NULL, bad);

	/* a flipped bit anywhere after the CRC field: the CRC */
	for (at = MDL_PK_CRC_FROM; at < len; at += len / 61) {
		memcpy(bad, buf, len);
		bad[at] ^= 0x10;
		EXPECT_TRUE(mdlt_pk_refused(bad, len, "flipped bit")) TH_LOG("byte %zu", at);
	}
	f = fopen(tmp, "r+b");
	ASSERT_NE(NULL, f);
	fseek(f, (long)(len / 2), SEEK_SET);
	fputc(buf[len / 2] ^ 0xff, f);
	fclose(f);
	EXPECT_EQ(-EINVAL, mdl_packed_load(tmp, &pk, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "CRC")) TH_LOG("message: %s", err);

	/* truncated: the header's size, then with size and CRC patched the parser's bounds */
	f = fopen(tmp, "wb");
	fwrite(buf, 1, len - 1, f);
	fclose(f);
	EXPECT_EQ(-EINVAL, mdl_packed_load(tmp, &pk, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "truncated")) TH_LOG("message: %s", err);
	for (cut = 0; cut < len; cut += cut < 4096 ? 13 : 997) {
		memcpy(bad, buf, cut);
		if (cut >= MDL_PK_HDR_BYTES)
			mdlt_pk_reseal(bad, cut);
		EXPECT_TRUE(mdlt_pk_refused(bad, cut, "truncated")) TH_LOG("at %zu", cut);
	}

	/* consistent CRC, inconsistent content */
	memcpy(bad, buf, len);
	mdl_pk_put32(bad + MDL_PK_OFF_VERSION, MDL_PACKED_VERSION + 1);
	EXPECT_TRUE(mdlt_pk_refused(bad, len, "version"));
	/* version 1 numbered the formats the datapath's old way */
	mdl_pk_put32(bad + MDL_PK_OFF_VERSION, 1);
	EXPECT_TRUE(mdlt_pk_refused(bad, len, "version"));
	memcpy(bad, buf, len);
	mdl_pk_put32(bad + MDL_PK_OFF_CONFIG + 4, 785);	/* input width */
	mdlt_pk_reseal(bad, len);
	EXPECT_TRUE(mdlt_pk_refused(bad, len, "input width"));
	at = MDL_PK_HDR_BYTES + 4 * (1 + 256) + 4 * (1 + 128) + 4 * (1 + 10);
	ASSERT_EQ(0, strcmp((const char *)buf + at, "fc0"));
	memcpy(bad, buf, len);
	mdl_pk_put32(bad + at + MDL_PK_LIN_NAME + 4 * 6, 64);	/* group 32 -> 64 */
	mdlt_pk_reseal(bad, len);
	EXPECT_TRUE(mdlt_pk_refused(bad, len, "group"));
	memcpy(bad, buf, len);
	mdl_pk_put32(bad + at + MDL_PK_LIN_NAME + 4 * 3, 7);	/* activation mode */
	mdlt_pk_reseal(bad, len);
	EXPECT_TRUE(mdlt_pk_refused(bad, len, "activation mode"));
	memcpy(bad, buf, len);
	mdl_pk_put32(bad + at + MDL_PK_LIN_NAME + 4 * 9, 5);	/* 5 input factors */
	mdlt_pk_reseal(bad, len);
	EXPECT_TRUE(mdlt_pk_refused(bad, len, "input factors"));
	EXPECT_EQ(-ENOENT, mdl_packed_load("/nonexistent/x.qpk", &pk, err, sizeof(err)));

	/* a variant name longer than the header's field: refused, never cut short */
	memset(name, 'v', sizeof(name));
	name[MDL_PACKED_NAME - 1] = '\0';	/* the longest that fits */
	EXPECT_EQ(0, mdl_packed_save_cls(tmp, c, &ls, name, &src, err, sizeof(err)))
		TH_LOG("%s", err);
	ASSERT_EQ(0, mdl_packed_load(tmp, &pk, err, sizeof(err))) TH_LOG("%s", err);
	EXPECT_STREQ(name, pk.variant);
	mdl_packed_free(&pk);
	name[MDL_PACKED_NAME - 1] = 'v';
	name[MDL_PACKED_NAME] = '\0';
	EXPECT_EQ(-ENAMETOOLONG, mdl_packed_save_cls(tmp, c, &ls, name, &src, err,
						     sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "variant name")) TH_LOG("message: %s", err);

	unlink(tmp);
	free(bad);
	free(buf);
	mdl_linset_free(&ls, 0);
	mdl_linset_free(&fp32, 1);
	mdl_exec_free(ex);
	mdl_pool_destroy(pool);
	mdl_cls_free(c);
}

/*
 * The validation split (accel-eval --eval-on val) is carved from the
 * training data and shares nothing with the held-out data: the fit and
 * validation parts are the training split in order, and no validation
 * window (256 bytes, as evaluated) or image occurs in the held-out set.
 */
TEST(validation_split_is_carved_from_training_and_never_overlaps_heldout)
{
	struct mdl_text train, fit, val, held;
	struct mdl_images tr, t10k, ifit, ival;
	char err[256];
	uint32_t i, j, same = 0;
	uLong *crc;
	size_t w;

	ASSERT_EQ(0, mdl_moby_train(MDL_MOBY_DIR, &train, err, sizeof(err))) TH_LOG("%s", err);
	ASSERT_EQ(0, mdl_moby_fit(MDL_MOBY_DIR, &fit, err, sizeof(err))) TH_LOG("%s", err);
	ASSERT_EQ(0, mdl_moby_val(MDL_MOBY_DIR, &val, err, sizeof(err))) TH_LOG("%s", err);
	ASSERT_EQ(0, mdl_moby_heldout(MDL_MOBY_DIR, &held, err, sizeof(err))) TH_LOG("%s", err);
	TH_LOG("LM: fit %zu bytes, validation %zu, held-out %zu", fit.len, val.len, held.len);
	ASSERT_GT(val.len, (size_t)256 * 100);
	ASSERT_EQ(train.len, fit.len + val.len);
	EXPECT_EQ(0, memcmp(train.bytes, fit.bytes, fit.len));
	EXPECT_EQ(0, memcmp(train.bytes + fit.len, val.bytes, val.len));
	for (w = 0; w + 256 <= val.len; w += 256)
		EXPECT_EQ(NULL, memmem(held.bytes, held.len, val.bytes + w, 256))
			TH_LOG("validation window at byte %zu is in the held-out text", w);
	mdl_text_free(&train);
	mdl_text_free(&fit);
	mdl_text_free(&val);
	mdl_text_free(&held);

	ASSERT_EQ(0, mdl_fmnist_load(MDL_FMNIST_DIR, "train", &tr, err, sizeof(err)))
		TH_LOG("%s", err);
	ASSERT_EQ(0, mdl_fmnist_load(MDL_FMNIST_DIR, "t10k", &t10k, err, sizeof(err)))
		TH_LOG("%s", err);
	ASSERT_EQ(0, mdl_fmnist_split(&tr, &ifit, &ival, err, sizeof(err))) TH_LOG("%s", err);
	ASSERT_EQ((uint32_t)MDL_FMNIST_VAL_FIRST, ifit.n);
	ASSERT_EQ(tr.n - MDL_FMNIST_VAL_FIRST, ival.n);
	EXPECT_EQ(0, memcmp(tr.pixels, ifit.pixels, (size_t)ifit.n * MDL_FMNIST_PIXELS));
	EXPECT_EQ(0, memcmp(tr.pixels + (size_t)ifit.n * MDL_FMNIST_PIXELS, ival.pixels,
			    (size_t)ival.n * MDL_FMNIST_PIXELS));
	EXPECT_EQ(0, memcmp(tr.labels + ifit.n, ival.labels, ival.n));
	/* no validation image is, pixel for pixel, a test image (CRC first, then bytes) */
	crc = malloc(sizeof(*crc) * t10k.n);
	ASSERT_NE(NULL, crc);
	for (j = 0; j < t10k.n; j++)
		crc[j] = crc32(0, t10k.pixels + (size_t)j * MDL_FMNIST_PIXELS, MDL_FMNIST_PIXELS);
	for (i = 0; i < ival.n; i++) {
		const uint8_t *px = ival.pixels + (size_t)i * MDL_FMNIST_PIXELS;
		uLong c = crc32(0, px, MDL_FMNIST_PIXELS);

		for (j = 0; j < t10k.n; j++)
			same += crc[j] == c &&
				!memcmp(px, t10k.pixels + (size_t)j * MDL_FMNIST_PIXELS,
					MDL_FMNIST_PIXELS);
	}
	EXPECT_EQ(0u, same);
	free(crc);
	mdl_images_free(&tr);
	mdl_images_free(&t10k);
	mdl_images_free(&ifit);
	mdl_images_free(&ival);
}

TEST_HARNESS_MAIN
