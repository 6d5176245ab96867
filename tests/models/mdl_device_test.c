// SPDX-License-Identifier: MIT
/*
 * Quasar models on the device, on the host: the classifier's forward pass
 * as a device program (models/mdl_cls_program.h), every op a command run
 * by the firmware in process (fwrun/), against today's linear-only path
 * (accel-eval: models/mdl_linear.c runs each packed layer through the
 * datapath GEMM on the host and everything around it in host C).
 *
 * Where the two are the same by construction, and so are compared bit for
 * bit here (every logit of the 10,000 test images, hence the top-1):
 *  - the input: both compute pixel / 255 in FP32 (mdl_cls_input());
 *  - BF16 rounding: the host path rounds each layer's FP32 input with
 *    dp_f32_to_bf16; the program rounds the first with CONVERT and later
 *    ones in the GEMM's BF16 output, both round to nearest even of the
 *    same FP32 value (docs/numerics.md sections 1 and 4);
 *  - AWQ/SmoothQuant input factors: the host multiplies the FP32 input by
 *    1/s before rounding; the program's MUL does the same product (one
 *    FP32 rounding) before its CONVERT;
 *  - A8: both quantize each BF16 row with the datapath's dynamic int8 rule
 *    (dp_act_quant), on the host or on the device;
 *  - the GEMM and its epilogue (bias, ReLU, FP32 logits): the same kernels,
 *    bit-exact with the golden model, whatever the tiling.
 * Where they are not the same and cannot be compared bit for bit: nothing
 * in this classifier. A model whose host path keeps work in host C that
 * the device does differently would be: the language model's attention
 * products (FP32 sums in position order on the host) and an input factor
 * folded into an RMSNorm gain (x * (g/s) rounds differently from
 * (x * g) * (1/s)); there the figures to compare are the metrics.
 *
 * Each variant's per-job statistics are printed ("#" lines) and checked
 * against what its ops must cost: MACs, bytes written, vector elements.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "dp_gemm.h"
#include "mdl_backend.h"
#include "mdl_calib.h"
#include "mdl_cls_program.h"
#include "mdl_eval.h"
#include "mdl_packed.h"
#include "mdl_variant.h"

#define MDLT_CLS	MDL_CKPT_DIR "/fmnist-mlp.bin"
#define MDLT_IMAGES	10000u
#define MDLT_LOGITS	(MDLT_IMAGES * MDL_FMNIST_CLASSES)

FIXTURE(dev) {
	struct mdl_cls *c;
	struct mdl_images test;
	struct mdl_pool *pool;
	struct mdl_exec *ex;
	struct mdl_linset fp32;
	struct mdl_calib_set cal;
	int have_cal;
	float *host, *dev;	/* logits of every test image */
};

FIXTURE_SETUP(dev)
{
	char err[256];

	ASSERT_EQ(0, mdl_algos_register_all());
	ASSERT_EQ(0, mdl_cls_load(MDLT_CLS, &self->c, err, sizeof(err))) TH_LOG("%s", err);
	ASSERT_EQ(0, mdl_fmnist_load(MDL_FMNIST_DIR, "t10k", &self->test, err, sizeof(err)))
		TH_LOG("%s", err);
	ASSERT_EQ(MDLT_IMAGES, self->test.n);
	ASSERT_EQ(0, mdl_pool_create(2, &self->pool));
	ASSERT_EQ(0, mdl_exec_create(self->pool, dp_isa_best(), &self->ex));
	ASSERT_EQ(0, mdl_cls_linset(self->c, &self->fp32));
	self->host = malloc(sizeof(float) * MDLT_LOGITS);
	self->dev = malloc(sizeof(float) * MDLT_LOGITS);
	ASSERT_TRUE(self->host && self->dev);
}

FIXTURE_TEARDOWN(dev)
{
	if (self->have_cal)
		mdl_calib_free(&self->cal);
	mdl_linset_free(&self->fp32, 1);
	mdl_exec_free(self->ex);
	mdl_pool_destroy(self->pool);
	mdl_images_free(&self->test);
	mdl_cls_free(self->c);
	free(self->host);
	free(self->dev);
}

/* Packs the variant @spec (calibrated on 256 training images if it needs it). */
static int mdlt_variant(struct _test_data_dev *self, const char *spec, struct mdl_linset *ls)
{
	struct mdl_images train;
	struct mdl_variant v;
	char err[256];
	int ret;

	if (mdl_variant_parse(spec, &v, err, sizeof(err)))
		return -EINVAL;
	if (v.algo->needs_calib && !self->have_cal) {
		if (mdl_fmnist_load(MDL_FMNIST_DIR, "train", &train, err, sizeof(err)))
			return -EIO;
		ret = mdl_calib_cls(self->ex, self->c, &self->fp32, &train, 256, 1, &self->cal);
		mdl_images_free(&train);
		if (ret)
			return ret;
		self->have_cal = 1;
	}
	ret = mdl_variant_build(&v, &self->fp32, v.algo->needs_calib ? &self->cal : NULL, ls,
				err, sizeof(err));
	if (ret)
		fprintf(stderr, "# %s: %s\n", spec, err);
	return ret;
}

/* Runs @ls's program for batches of @batch on fwrun: logits into @logits, figures into @f. */
static int mdlt_run(struct _test_data_dev *self, const struct mdl_linset *ls, uint32_t batch,
		    int simd, uint32_t limit, float *logits, struct mdl_dev_figures *f,
		    struct mdl_program *keep)
{
	struct mdl_program p;
	struct mdl_backend *b;
	struct mdl_loaded l;
	char err[512];
	int ret;

	memset(f, 0, sizeof(*f));
	ret = mdl_cls_program(self->c, ls, batch, &p, err, sizeof(err));
	if (!ret && (ret = mdl_backend_fwrun_create(simd, &b)))
		snprintf(err, sizeof(err), "fwrun: out of memory");
	if (ret) {
		fprintf(stderr, "# %s\n", err);
		return ret;
	}
	ret = mdl_program_load(&p, b, &l, err, sizeof(err));
	if (!ret)
		ret = mdl_cls_device_run(&l, &self->test, limit, f, logits, err, sizeof(err));
	if (ret)
		fprintf(stderr, "# %s\n", err);
	mdl_program_unload(&l);
	mdl_backend_destroy(b);
	if (keep)
		*keep = p;
	else
		mdl_program_free(&p);
	return ret;
}

/* What the ops of @p must cost a run of @rows rows. */
static void mdlt_expected(const struct mdl_program *p, uint32_t rows, uint64_t *macs,
			  uint64_t *wr, uint64_t *vec_min)
{
	*macs = *wr = *vec_min = 0;
	for (uint32_t i = 0; i < p->nop; i++) {
		const struct mdl_dev_op *op = &p->op[i];
		const struct mdl_dev_tensor *y = &p->t[op->y.t];

		*wr += mdl_tensor_bytes(y, rows);
		if (op->kind == MDL_DEV_GEMM)
			*macs += (uint64_t)rows * p->t[op->b.t].rows * p->t[op->b.t].cols;
		else
			*vec_min += (uint64_t)rows * y->cols;
	}
}

static void mdlt_print(const char *spec, const struct mdl_dev_figures *f)
{
	const struct accel_job_stats *s = &f->job[0].st;
	double cyc, uj, bytes;

	mdl_dev_figures_per_item(f, &cyc, &uj, &bytes);
	fprintf(stderr, "# %-18s top-1 %u/%u; per image %.0f cycles, %.4f uJ, %.0f DRAM bytes;"
		" job 0 (%u rows): %u cmds, weights %llu, meta %llu, act %llu, written %llu,"
		" MACs %llu, vec %llu, tiles %llu, cycles %llu (compute %llu, memory %llu),"
		" %llu fJ\n", spec, f->correct, f->items, cyc, uj, bytes, f->job[0].rows,
		s->cmd_index, (unsigned long long)s->rd_weight_bytes,
		(unsigned long long)s->rd_meta_bytes, (unsigned long long)s->rd_act_bytes,
		(unsigned long long)s->wr_bytes, (unsigned long long)s->macs_dense,
		(unsigned long long)s->vec_elems, (unsigned long long)s->tiles,
		(unsigned long long)s->cycles, (unsigned long long)s->cycles_compute,
		(unsigned long long)s->cycles_memory, (unsigned long long)s->energy_fj);
}

/*
 * W8, W8A8, W4 (g32) with BF16 and int8 activations, and the two input
 * factor algorithms: the program's logits are the linear path's, bit for
 * bit, so the top-1 is too; every job is charged what its ops cost.
 */
TEST_F_TIMEOUT(dev, cls_device_program_gives_the_linear_paths_logits_bit_for_bit, 120)
{
	static const char *const specs[] = {
		"int8/a16/rtn", "int8/a8/rtn", "int4-g32/a16/rtn", "int4-g32/a8/rtn",
		"int8/a8/smooth", "int4-g32/a16/awq",
	};
	struct mdl_cls_figures hf;
	struct mdl_dev_figures f;
	struct mdl_program p;
	struct mdl_linset ls;
	uint64_t macs, wr, vec_min;

	for (uint32_t v = 0; v < sizeof(specs) / sizeof(specs[0]); v++) {
		ASSERT_EQ(0, mdlt_variant(self, specs[v], &ls)) TH_LOG("%s", specs[v]);
		ASSERT_EQ(0, mdl_cls_forward(self->ex, &ls, self->c, self->test.pixels,
					     MDLT_IMAGES, self->host));
		ASSERT_EQ(0, mdl_cls_evaluate(self->ex, self->c, &ls, &self->test, 0, NULL, NULL,
					      &hf));
		ASSERT_EQ(0, mdlt_run(self, &ls, MDL_CLS_DEVICE_BATCH, 1, 0, self->dev, &f, &p))
			TH_LOG("%s", specs[v]);
		EXPECT_EQ(0, memcmp(self->host, self->dev, sizeof(float) * MDLT_LOGITS))
			TH_LOG("%s: the device's logits are not the linear path's", specs[v]);
		EXPECT_EQ((uint32_t)(hf.top1 * MDLT_IMAGES + 0.5), f.correct)
			TH_LOG("%s", specs[v]);
		ASSERT_EQ(MDLT_IMAGES / MDL_CLS_DEVICE_BATCH, f.jobs);
		mdlt_expected(&p, MDL_CLS_DEVICE_BATCH, &macs, &wr, &vec_min);
		for (uint32_t j = 0; j < f.jobs; j++) {
			const struct accel_job_stats *s = &f.job[j].st;

			EXPECT_EQ(0u, s->status);
			EXPECT_EQ(macs, s->macs_dense) TH_LOG("%s job %u", specs[v], j);
			EXPECT_EQ(wr, s->wr_bytes) TH_LOG("%s job %u", specs[v], j);
			EXPECT_LE(vec_min, s->vec_elems) TH_LOG("%s job %u", specs[v], j);
			/* the same program on the same number of rows costs the same */
			EXPECT_TRUE(mdl_job_stats_equal(&f.job[0].st, s))
				TH_LOG("%s job %u", specs[v], j);
		}
		mdlt_print(specs[v], &f);
		mdl_dev_figures_free(&f);
		mdl_program_free(&p);
		mdl_linset_free(&ls, 0);
	}
}

/* A run of fewer rows than the batch builds its own stream: the last job here. */
TEST_F(dev, cls_device_last_short_batch_gives_the_same_logits)
{
	struct mdl_dev_figures f1, f3;
	struct mdl_linset ls;

	ASSERT_EQ(0, mdlt_variant(self, "int4-g32/a8/rtn", &ls));
	ASSERT_EQ(0, mdlt_run(self, &ls, 1000, 1, 0, self->host, &f1, NULL));
	ASSERT_EQ(0, mdlt_run(self, &ls, 3000, 1, 0, self->dev, &f3, NULL));
	EXPECT_EQ(0, memcmp(self->host, self->dev, sizeof(float) * MDLT_LOGITS));
	EXPECT_EQ(f1.outputs_fnv64, f3.outputs_fnv64);
	ASSERT_EQ(4u, f3.jobs);
	EXPECT_EQ(1000u, f3.job[3].rows);
	EXPECT_EQ(f1.job[0].st.macs_dense, f3.job[3].st.macs_dense);
	EXPECT_EQ(3 * f1.job[0].st.macs_dense, f3.job[0].st.macs_dense);
	mdl_dev_figures_free(&f1);
	mdl_dev_figures_free(&f3);
	mdl_linset_free(&ls, 0);
}

/* The SIMD kernels the device runs and the golden model: the same bits and statistics. */
TEST_F(dev, cls_device_golden_kernels_give_the_same_logits_and_statistics)
{
	struct mdl_dev_figures fs, fg;
	struct mdl_linset ls;
	char why[256];

	ASSERT_EQ(0, mdlt_variant(self, "int8/a8/rtn", &ls));
	ASSERT_EQ(0, mdlt_run(self, &ls, 500, 1, 1000, self->host, &fs, NULL));
	ASSERT_EQ(0, mdlt_run(self, &ls, 500, 0, 1000, self->dev, &fg, NULL));
	EXPECT_EQ(0, mdl_dev_figures_compare(&fs, &fg, why, sizeof(why))) TH_LOG("%s", why);
	EXPECT_EQ(0, memcmp(self->host, self->dev, sizeof(float) * 1000 * MDL_FMNIST_CLASSES));
	mdl_dev_figures_free(&fs);
	mdl_dev_figures_free(&fg);
	mdl_linset_free(&ls, 0);
}

/*
 * The stream is the same bytes wherever the regions lie, up to their
 * addresses: every 8-byte word that differs between two placements is
 * an address of the same offset in the same region.
 */
TEST_F(dev, cls_device_stream_differs_only_in_region_addresses)
{
	const uint64_t a[MDL_REGIONS] = { 0x100000, 0x4000000, 0x9000000, 0xf000000 };
	const uint64_t b[MDL_REGIONS] = { 0x7ff00000000, 0x10000000, 0x200000000, 0x40000 };
	struct accel_stream *sa, *sb;
	struct mdl_program p;
	struct mdl_linset ls;
	const uint64_t *wa, *wb;
	uint32_t i, r, moved = 0;
	char err[512];

	ASSERT_EQ(0, mdlt_variant(self, "int8/a8/smooth", &ls));
	ASSERT_EQ(0, mdl_cls_program(self->c, &ls, 1000, &p, err, sizeof(err))) TH_LOG("%s", err);
	ASSERT_EQ(0, accel_stream_create(&sa));
	ASSERT_EQ(0, accel_stream_create(&sb));
	ASSERT_EQ(0, mdl_program_stream(&p, a, 1000, sa, err, sizeof(err))) TH_LOG("%s", err);
	ASSERT_EQ(0, mdl_program_stream(&p, b, 1000, sb, err, sizeof(err))) TH_LOG("%s", err);
	ASSERT_EQ(accel_stream_size(sa), accel_stream_size(sb));
	ASSERT_EQ(0u, accel_stream_size(sa) % 8);
	wa = accel_stream_data(sa);
	wb = accel_stream_data(sb);
	for (i = 0; i < accel_stream_size(sa) / 8; i++) {
		if (wa[i] == wb[i])
			continue;
		for (r = 0; r < MDL_REGIONS; r++)
			if (wa[i] >= a[r] && wa[i] - a[r] < p.size[r] && wb[i] >= b[r] &&
			    wa[i] - a[r] == wb[i] - b[r])
				break;
		EXPECT_GT((uint32_t)MDL_REGIONS, r)
			TH_LOG("word %u: 0x%llx / 0x%llx is no region address", i,
			       (unsigned long long)wa[i], (unsigned long long)wb[i]);
		moved++;
	}
	/* MUL, CONVERT and GEMM per layer, every operand an address */
	EXPECT_LE(3u * 9, moved);
	accel_stream_destroy(sa);
	accel_stream_destroy(sb);
	mdl_program_free(&p);
	mdl_linset_free(&ls, 0);
}

/* A packed file runs as the variant it was saved from: the same weights image and logits. */
TEST_F(dev, cls_device_runs_a_packed_file_as_its_variant)
{
	struct mdl_packed_src src = { 0x12345678, 1 };
	struct mdl_dev_figures fv, fp;
	struct mdl_program pv, pp;
	struct mdl_backend *b;
	struct mdl_loaded l;
	struct mdl_packed pk;
	struct mdl_linset ls;
	char err[512], tmp[] = "/tmp/mdlt-dev-XXXXXX";
	int fd = mkstemp(tmp);

	ASSERT_LE(0, fd);
	close(fd);
	ASSERT_EQ(0, mdlt_variant(self, "int4-g32/a8/awq", &ls));
	ASSERT_EQ(0, mdl_packed_save_cls(tmp, self->c, &ls, "int4-g32/a8/awq", &src, err,
					 sizeof(err))) TH_LOG("%s", err);
	ASSERT_EQ(0, mdl_packed_load(tmp, &pk, err, sizeof(err))) TH_LOG("%s", err);
	unlink(tmp);
	ASSERT_EQ(0, mdlt_run(self, &ls, 1000, 1, 2000, self->host, &fv, &pv));
	ASSERT_EQ(0, mdl_cls_program(pk.cls, &pk.ls, 1000, &pp, err, sizeof(err)))
		TH_LOG("%s", err);
	ASSERT_EQ(pv.size[MDL_REGION_WEIGHTS], pp.size[MDL_REGION_WEIGHTS]);
	EXPECT_EQ(0, memcmp(pv.weights, pp.weights, pv.size[MDL_REGION_WEIGHTS]));
	ASSERT_EQ(0, mdl_backend_fwrun_create(1, &b));
	ASSERT_EQ(0, mdl_program_load(&pp, b, &l, err, sizeof(err))) TH_LOG("%s", err);
	memset(&fp, 0, sizeof(fp));
	ASSERT_EQ(0, mdl_cls_device_run(&l, &self->test, 2000, &fp, self->dev, err, sizeof(err)))
		TH_LOG("%s", err);
	mdl_program_unload(&l);
	mdl_backend_destroy(b);
	EXPECT_EQ(0, memcmp(self->host, self->dev, sizeof(float) * 2000 * MDL_FMNIST_CLASSES));
	EXPECT_EQ(fv.outputs_fnv64, fp.outputs_fnv64);
	mdl_dev_figures_free(&fv);
	mdl_dev_figures_free(&fp);
	mdl_program_free(&pv);
	mdl_program_free(&pp);
	mdl_packed_free(&pk);
	mdl_linset_free(&ls, 0);
}

/* A layer left in FP32 has no device form: refused with its name. */
TEST_F(dev, cls_device_program_refuses_an_fp32_layer)
{
	struct mdl_program p;
	char err[512] = "";

	EXPECT_EQ(-EINVAL, mdl_cls_program(self->c, &self->fp32, 1000, &p, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "fc0")) TH_LOG("%s", err);
}

/* Figures survive their file, and a comparison names the first difference. */
TEST_F(dev, device_figures_round_trip_and_name_the_first_difference)
{
	struct mdl_dev_figures f, g;
	struct mdl_linset ls;
	char err[512], why[256], tmp[] = "/tmp/mdlt-fig-XXXXXX";
	int fd = mkstemp(tmp);

	ASSERT_LE(0, fd);
	close(fd);
	ASSERT_EQ(0, mdlt_variant(self, "int8/a16/rtn", &ls));
	ASSERT_EQ(0, mdlt_run(self, &ls, 1000, 1, 3000, self->dev, &f, NULL));
	snprintf(f.model, sizeof(f.model), "x.qpk");
	snprintf(f.backend, sizeof(f.backend), "fwrun (golden kernels)");
	f.qpk_crc = 0xdeadbeef;
	f.stream_base[2] = 0x123456789a;
	ASSERT_EQ(0, mdl_dev_figures_write(tmp, &f, err, sizeof(err))) TH_LOG("%s", err);
	ASSERT_EQ(0, mdl_dev_figures_read(tmp, &g, err, sizeof(err))) TH_LOG("%s", err);
	unlink(tmp);
	EXPECT_EQ(0, mdl_dev_figures_compare(&f, &g, why, sizeof(why))) TH_LOG("%s", why);
	EXPECT_STREQ(f.backend, g.backend);
	EXPECT_EQ(f.stream_base[2], g.stream_base[2]);
	EXPECT_EQ(f.stream_fnv64, g.stream_fnv64);
	g.job[2].st.cycles++;
	EXPECT_EQ(-1, mdl_dev_figures_compare(&f, &g, why, sizeof(why)));
	EXPECT_NE(NULL, strstr(why, "job 2: cycles")) TH_LOG("%s", why);
	g.job[2].st.cycles--;
	g.correct--;
	EXPECT_EQ(-1, mdl_dev_figures_compare(&f, &g, why, sizeof(why)));
	EXPECT_NE(NULL, strstr(why, "top-1")) TH_LOG("%s", why);
	mdl_dev_figures_free(&f);
	mdl_dev_figures_free(&g);
	mdl_linset_free(&ls, 0);
}

TEST_HARNESS_MAIN
