// SPDX-License-Identifier: MIT
/*
 * Mixed precision (models/mdl_mixprec.h): the budgeted search on a
 * hand-checked instance and against brute force on seeded random ones,
 * the budget below the cheapest assignment; candidates and assignment
 * files, bad ones named; a mixed packed checkpoint of the language model
 * (six formats, both activation modes) saved, loaded with every layer's
 * format and buffers as built and the same bits/byte, and a corrupt layer
 * format refused naming the field.
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
#include "dp_isa.h"
#include "mdl_eval.h"
#include "mdl_lm_infer.h"
#include "mdl_mixprec.h"
#include "mdl_packed.h"
#include "mdl_packed_layout.h"
#include "mdl_rng.h"
#include "mdl_util.h"

#define MDLT_LM_CKPT MDL_CKPT_DIR "/moby-lm.bin"

/*
 * Three layers, each 8-bit (loss 0, cost 2), 4-bit (cost 1, losses 5, 1
 * and 3) or a dominated option (cost 2, loss 6). By hand: budget 6 keeps
 * every layer 8-bit; 5 gives layer 1 (the least sensitive) 4 bits, loss 1;
 * 4 also layer 2, loss 4; 3 every layer 4-bit, loss 9; below 3 nothing.
 */
static const double mdlt_loss[] = { 0, 5, 6, 0, 1, 6, 0, 3, 6 };
static const double mdlt_cost[] = { 2, 1, 2, 2, 1, 2, 2, 1, 2 };

TEST(search_is_optimal_on_a_hand_checked_instance)
{
	struct mdl_mix_problem p = { 3, 3, mdlt_loss, mdlt_cost, NULL };
	static const struct {
		double budget, loss;
		uint32_t assign[3];
	} want[] = {
		{ 6, 0, { 0, 0, 0 } }, { 5.5, 1, { 0, 1, 0 } }, { 5, 1, { 0, 1, 0 } },
		{ 4, 4, { 0, 1, 1 } }, { 3, 9, { 1, 1, 1 } }, { 100, 0, { 0, 0, 0 } },
	};
	uint32_t assign[3];
	double loss, cost;
	char err[256];

	EXPECT_EQ(3.0, mdl_mix_cheapest(&p));
	for (size_t t = 0; t < sizeof(want) / sizeof(want[0]); t++) {
		ASSERT_EQ(0, mdl_mix_search(&p, want[t].budget, 1, assign, &loss, &cost, err,
					    sizeof(err))) TH_LOG("%s", err);
		EXPECT_EQ(want[t].loss, loss) TH_LOG("budget %g", want[t].budget);
		EXPECT_LE(cost, want[t].budget);
		for (int i = 0; i < 3; i++) {
			EXPECT_EQ(want[t].assign[i], assign[i]) TH_LOG("budget %g layer %d",
								     want[t].budget, i);
		}
	}
}

TEST(a_budget_below_the_cheapest_names_both)
{
	struct mdl_mix_problem p = { 3, 3, mdlt_loss, mdlt_cost, NULL };
	uint32_t assign[3];
	double loss, cost;
	char err[256];

	EXPECT_EQ(-ERANGE, mdl_mix_search(&p, 2.5, 1, assign, &loss, &cost, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "budget 2.5 is below the cheapest assignment's cost 3"))
		TH_LOG("%s", err);
	/* too fine a resolution for the table is refused, not allocated */
	EXPECT_EQ(-E2BIG, mdl_mix_search(&p, 1e9, 1e-6, assign, &loss, &cost, err,
					 sizeof(err)));
	EXPECT_EQ(-EINVAL, mdl_mix_search(&p, 5, 0, assign, &loss, &cost, err, sizeof(err)));
}

/* The least loss within @budget over every assignment (brute force). */
static double mdlt_brute(const struct mdl_mix_problem *p, double budget)
{
	uint32_t a[8] = { 0 }, i;
	double best = INFINITY;

	for (;;) {
		double l = 0, c = 0;

		for (i = 0; i < p->layers; i++) {
			l += p->loss[i * p->choices + a[i]];
			c += p->cost[i * p->choices + a[i]];
		}
		if (c <= budget + 1e-9 && l < best)
			best = l;
		for (i = 0; i < p->layers && ++a[i] == p->choices; i++)
			a[i] = 0;
		if (i == p->layers)
			return best;
	}
}

TEST(search_matches_brute_force_and_keeps_its_budget)
{
	struct mdl_rng rng;
	double loss[6 * 4], cost[6 * 4];
	uint32_t assign[6], trials = 0;
	char err[256];

	mdl_rng_seed(&rng, 12345);
	for (int inst = 0; inst < 40; inst++) {
		struct mdl_mix_problem p = { 6, 4, loss, cost, NULL };
		double lo, hi = 0, l, c;
		int frac = inst & 1;	/* odd: costs in quarters, searched in whole units */

		for (int i = 0; i < 24; i++) {
			loss[i] = mdl_rng_unif(&rng) * 10 - 2;	/* some negative */
			cost[i] = floor(mdl_rng_unif(&rng) * 20) / (frac ? 4 : 1);
		}
		lo = mdl_mix_cheapest(&p);
		for (int i = 0; i < 6; i++) {
			double m = 0;

			for (int j = 0; j < 4; j++)
				m = fmax(m, cost[i * 4 + j]);
			hi += m;
		}
		for (double b = lo; b <= hi + 1; b += (hi - lo) / 7 + 0.5) {
			double sum_c = 0, sum_l = 0;

			ASSERT_EQ(0, mdl_mix_search(&p, b, 1, assign, &l, &c, err, sizeof(err)))
				TH_LOG("%s", err);
			for (int i = 0; i < 6; i++) {
				sum_l += loss[i * 4 + assign[i]];
				sum_c += cost[i * 4 + assign[i]];
			}
			EXPECT_LE(sum_c, b + 1e-9);
			EXPECT_TRUE(fabs(sum_l - l) < 1e-9 && fabs(sum_c - c) < 1e-9);
			/* integer costs: exactly optimal; quarters: no better than the optimum */
			if (!frac) {
				EXPECT_TRUE(fabs(l - mdlt_brute(&p, b)) < 1e-9)
					TH_LOG("instance %d budget %g: %g, brute force %g", inst, b, l,
					       mdlt_brute(&p, b));
			} else {
				EXPECT_GE(l, mdlt_brute(&p, b) - 1e-9);
			}
			trials++;
		}
	}
	EXPECT_LT(200u, trials);
}

TEST(candidates_name_what_they_refuse)
{
	struct mdl_mix_cands c;
	char err[512];

	ASSERT_EQ(0, mdl_algos_register_all());
	ASSERT_EQ(0, mdl_mix_cands_parse("bf16/a16,int8/a8,int4-g32/a16/gptq", &c, err,
					 sizeof(err))) TH_LOG("%s", err);
	EXPECT_EQ(3u, c.n);
	EXPECT_EQ(1, mdl_mix_cands_find(&c, "int8/a8/rtn"));
	EXPECT_EQ(1, mdl_mix_cands_find(&c, "int8/a8"));
	EXPECT_EQ(-1, mdl_mix_cands_find(&c, "int8/a16"));
	EXPECT_EQ(1, mdl_mix_cands_need_calib(&c));
	EXPECT_EQ(-EINVAL, mdl_mix_cands_parse("bf16/a16,int3/a16", &c, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "unknown format 'int3'")) TH_LOG("%s", err);
	EXPECT_EQ(-ENOTSUP, mdl_mix_cands_parse("int4-g32/a16/awq", &c, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "awq")) TH_LOG("%s", err);
	EXPECT_EQ(-EINVAL, mdl_mix_cands_parse("int8/a8,int8/a8/rtn", &c, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "given twice")) TH_LOG("%s", err);
	EXPECT_EQ(-EINVAL, mdl_mix_cands_parse("", &c, err, sizeof(err)));
}

/* The language model with a mixed layer set: six formats, A16 and A8. */
FIXTURE(mixed) {
	struct mdl_llama *m;
	struct mdl_linset fp32, ls;
	struct mdl_mix_cands c;
	uint32_t assign[64];
	char path[64], err[1024];
};

FIXTURE_SETUP(mixed)
{
	int fd;

	ASSERT_EQ(0, mdl_algos_register_all());
	ASSERT_EQ(0, mdl_llama_load(MDLT_LM_CKPT, &self->m, self->err, sizeof(self->err)))
		TH_LOG("%s", self->err);
	ASSERT_EQ(0, mdl_lm_linset(self->m, &self->fp32));
	ASSERT_EQ(0, mdl_mix_cands_parse("bf16/a16,int8/a8,int4-g32/a16,nvfp4/a16,mxfp4/a8,"
					 "int4-g128/a16", &self->c, self->err,
					 sizeof(self->err))) TH_LOG("%s", self->err);
	ASSERT_GE(64u, self->fp32.count);
	for (uint32_t i = 0; i < self->fp32.count; i++)
		self->assign[i] = (i * 5 + 1) % self->c.n;
	ASSERT_EQ(0, mdl_mix_build(&self->c, self->assign, &self->fp32, NULL, &self->ls,
				   self->err, sizeof(self->err))) TH_LOG("%s", self->err);
	snprintf(self->path, sizeof(self->path), "/tmp/mdl_mixprec_test.XXXXXX");
	fd = mkstemp(self->path);
	ASSERT_LE(0, fd);
	close(fd);
}

FIXTURE_TEARDOWN(mixed)
{
	unlink(self->path);
	mdl_linset_free(&self->ls, 0);
	mdl_linset_free(&self->fp32, 1);
	mdl_llama_free(self->m);
}

TEST_F(mixed, the_build_packs_each_layer_in_its_own_format)
{
	for (uint32_t i = 0; i < self->ls.count; i++) {
		const struct mdl_variant *v = &self->c.v[self->assign[i]];
		const struct dp_wt *w = compress_qtensor_wt(self->ls.l[i].qt);

		EXPECT_EQ(v->qp.fmt, w->fmt) TH_LOG("layer %s", self->ls.l[i].name);
		EXPECT_EQ(v->afmt, self->ls.l[i].afmt) TH_LOG("layer %s", self->ls.l[i].name);
	}
}

/* Loads the file, requires every layer's format, mode and buffers as built. */
static void mdlt_same_layers(struct __test_metadata *_metadata, const struct mdl_linset *a,
			     const struct mdl_linset *b)
{
	ASSERT_EQ(a->count, b->count);
	for (uint32_t i = 0; i < a->count; i++) {
		const struct dp_wt *x = compress_qtensor_wt(a->l[i].qt);
		const struct dp_wt *y = compress_qtensor_wt(b->l[i].qt);
		struct dp_geom g;

		ASSERT_EQ(0, dp_geom_get(x->fmt, x->n, x->k, x->group, x->flags, &g));
		EXPECT_STREQ(a->l[i].name, b->l[i].name);
		EXPECT_EQ(x->fmt, y->fmt);
		EXPECT_EQ(x->group, y->group);
		EXPECT_EQ(x->flags, y->flags);
		EXPECT_EQ(a->l[i].afmt, b->l[i].afmt);
		EXPECT_EQ(0, memcmp(&x->tensor_scale, &y->tensor_scale, sizeof(float)));
		EXPECT_EQ(0, memcmp(x->data, y->data, g.data_bytes)) TH_LOG("%s", a->l[i].name);
		EXPECT_TRUE(!g.scale_bytes || !memcmp(x->scales, y->scales, g.scale_bytes));
		EXPECT_TRUE(!g.zero_bytes || !memcmp(x->zeros, y->zeros, g.zero_bytes));
		EXPECT_TRUE(!a->l[i].in_inv && !b->l[i].in_inv);
	}
}

TEST_F(mixed, a_mixed_qpk_round_trips_with_the_same_bits)
{
	struct mdl_lm_eval_opts eo = { .windows = 1, .batch = 1 };
	struct mdl_lm_figures fa, fb;
	struct mdl_packed_src src;
	struct mdl_text held;
	struct mdl_packed pk;
	struct mdl_exec *ex;
	struct mdl_pool *pool;

	ASSERT_EQ(0, mdl_packed_src_file(MDLT_LM_CKPT, &src, self->err, sizeof(self->err)));
	ASSERT_EQ(0, mdl_packed_save_lm(self->path, self->m, &self->ls, "mixed/test", &src,
					self->err, sizeof(self->err))) TH_LOG("%s", self->err);
	ASSERT_EQ(0, mdl_packed_load(self->path, &pk, self->err, sizeof(self->err)))
		TH_LOG("%s", self->err);
	EXPECT_STREQ("mixed/test", pk.variant);
	mdlt_same_layers(_metadata, &self->ls, &pk.ls);
	/* and the model it holds computes the same bits/byte on a held-out window */
	ASSERT_EQ(0, mdl_moby_heldout(MDL_MOBY_DIR, &held, self->err, sizeof(self->err)));
	ASSERT_EQ(0, mdl_pool_create(2, &pool));
	ASSERT_EQ(0, mdl_exec_create(pool, dp_isa_best(), &ex));
	ASSERT_EQ(0, mdl_lm_evaluate(ex, self->m, &self->ls, &held, &eo, NULL, NULL, &fa,
				     self->err, sizeof(self->err))) TH_LOG("%s", self->err);
	ASSERT_EQ(0, mdl_lm_evaluate(ex, pk.lm, &pk.ls, &held, &eo, NULL, NULL, &fb, self->err,
				     sizeof(self->err))) TH_LOG("%s", self->err);
	EXPECT_EQ(0, memcmp(&fa.bits_per_byte, &fb.bits_per_byte, sizeof(double)))
		TH_LOG("%.9f != %.9f", fa.bits_per_byte, fb.bits_per_byte);
	mdl_exec_free(ex);
	mdl_pool_destroy(pool);
	mdl_text_free(&held);
	mdl_packed_free(&pk);
}

/* Offset of layer record @id in a packed LM image (records walked from the first). */
static size_t mdlt_record(const uint8_t *b, const struct mdl_llama *m, uint32_t id)
{
	size_t at = MDL_PK_HDR_BYTES + 4 * (1 + (size_t)m->vocab * m->dim) +
		    2 * 4 * (1 + (size_t)m->layers * m->dim) + 4 * (1 + (size_t)m->dim);

	for (uint32_t i = 0; i < id; i++) {
		const uint8_t *f = b + at + MDL_PK_LIN_NAME;

		at += MDL_PK_LIN_FIXED + 4 * (size_t)mdl_pk_get32(f + 36);
		for (int j = 0; j < 4; j++)
			at += mdl_pk_get64(f + 40 + 8 * j);
	}
	return at;
}

static void mdlt_reseal(uint8_t *b, size_t len)
{
	mdl_pk_put32(b + MDL_PK_OFF_CRC, (uint32_t)crc32_z(0, b + MDL_PK_CRC_FROM,
							    len - MDL_PK_CRC_FROM));
}

TEST_F(mixed, a_corrupt_layer_format_is_refused_naming_the_field)
{
	struct mdl_packed_src src;
	struct mdl_packed pk;
	uint8_t *buf, *bad;
	size_t len, rec;
	uint32_t id = 3;	/* l0.wo */
	char want[128];

	ASSERT_EQ(0, mdl_packed_src_file(MDLT_LM_CKPT, &src, self->err, sizeof(self->err)));
	ASSERT_EQ(0, mdl_packed_save_lm(self->path, self->m, &self->ls, "mixed/test", &src,
					self->err, sizeof(self->err)));
	ASSERT_EQ(0, mdl_read_file(self->path, &buf, &len, self->err, sizeof(self->err)));
	bad = malloc(len);
	ASSERT_NE(NULL, bad);
	rec = mdlt_record(buf, self->m, id);
	ASSERT_STREQ(self->ls.l[id].name, (const char *)buf + rec);
	/* v: n k act afmt in_group fmt group flags: fmt at +20 after the name */
	ASSERT_EQ(compress_qtensor_wt(self->ls.l[id].qt)->fmt,
		  mdl_pk_get32(buf + rec + MDL_PK_LIN_NAME + 20));

	memcpy(bad, buf, len);
	mdl_pk_put32(bad + rec + MDL_PK_LIN_NAME + 20, 250);
	mdlt_reseal(bad, len);
	EXPECT_EQ(-EINVAL, mdl_packed_parse(bad, len, &pk, self->err, sizeof(self->err)));
	snprintf(want, sizeof(want), "layer %s (record at %zu): format 250", self->ls.l[id].name,
		 rec);
	EXPECT_NE(NULL, strstr(self->err, want)) TH_LOG("%s", self->err);

	/* another real format than the one its buffers were packed in: the lengths disagree */
	memcpy(bad, buf, len);
	mdl_pk_put32(bad + rec + MDL_PK_LIN_NAME + 20,
		     compress_qtensor_wt(self->ls.l[0].qt)->fmt);
	mdlt_reseal(bad, len);
	EXPECT_EQ(-EINVAL, mdl_packed_parse(bad, len, &pk, self->err, sizeof(self->err)));
	EXPECT_NE(NULL, strstr(self->err, "data length")) TH_LOG("%s", self->err);

	/* int8 activations on a layer whose format has no such path (bf16 is layer 1's) */
	ASSERT_EQ(DP_W_BF16, compress_qtensor_wt(self->ls.l[1].qt)->fmt);
	rec = mdlt_record(buf, self->m, 1);
	memcpy(bad, buf, len);
	mdl_pk_put32(bad + rec + MDL_PK_LIN_NAME + 12, DP_A_INT8);
	mdlt_reseal(bad, len);
	EXPECT_EQ(-EINVAL, mdl_packed_parse(bad, len, &pk, self->err, sizeof(self->err)));
	EXPECT_NE(NULL, strstr(self->err, "activation mode (afmt) 2")) TH_LOG("%s", self->err);
	free(bad);
	free(buf);
}

TEST_F(mixed, an_assignment_file_round_trips_and_bad_lines_are_named)
{
	static const char *const comment[] = { "a test", NULL };
	struct mdl_mix_cands c2 = { 0 };
	uint32_t a2[64];
	FILE *f = fopen(self->path, "w");
	char *msg;

	ASSERT_NE(NULL, f);
	ASSERT_EQ(0, mdl_mix_assign_write(f, &self->fp32, &self->c, self->assign, comment));
	fclose(f);
	ASSERT_EQ(0, mdl_mix_assign_read(self->path, &self->fp32, &c2, a2, self->err,
					 sizeof(self->err))) TH_LOG("%s", self->err);
	for (uint32_t i = 0; i < self->fp32.count; i++) {
		EXPECT_STREQ(self->c.v[self->assign[i]].name, c2.v[a2[i]].name);
	}

	f = fopen(self->path, "w");
	fprintf(f, "# comment\nl0.wq int3/a16\n");
	fclose(f);
	c2.n = 0;
	EXPECT_EQ(-EINVAL, mdl_mix_assign_read(self->path, &self->fp32, &c2, a2, self->err,
					       sizeof(self->err)));
	EXPECT_NE(NULL, strstr(self->err, ":2: layer l0.wq")) TH_LOG("%s", self->err);
	EXPECT_NE(NULL, strstr(self->err, "unknown format 'int3'")) TH_LOG("%s", self->err);

	f = fopen(self->path, "w");
	fprintf(f, "l9.wq int8/a8\n");
	fclose(f);
	EXPECT_EQ(-EINVAL, mdl_mix_assign_read(self->path, &self->fp32, &c2, a2, self->err,
					       sizeof(self->err)));
	EXPECT_NE(NULL, strstr(self->err, "layer 'l9.wq': the model has no such layer"))
		TH_LOG("%s", self->err);

	f = fopen(self->path, "w");
	fprintf(f, "l0.wq int8/a8\nl0.wq bf16/a16\n");
	fclose(f);
	EXPECT_EQ(-EINVAL, mdl_mix_assign_read(self->path, &self->fp32, &c2, a2, self->err,
					       sizeof(self->err)));
	EXPECT_NE(NULL, strstr(self->err, ":2: layer l0.wq assigned twice"))
		TH_LOG("%s", self->err);

	f = fopen(self->path, "w");
	fprintf(f, "l0.wq int8/a8\n");
	fclose(f);
	EXPECT_EQ(-EINVAL, mdl_mix_assign_read(self->path, &self->fp32, &c2, a2, self->err,
					       sizeof(self->err)));
	msg = strstr(self->err, "layer l0.wk has no variant");
	EXPECT_NE(NULL, msg) TH_LOG("%s", self->err);
}

TEST_HARNESS_MAIN
