// SPDX-License-Identifier: MIT
/*
 * accel-mixprec: mixed precision for the language model or the classifier,
 * a weight format per linear layer chosen under an energy or latency
 * budget (docs/models.md "Mixed precision", models/mdl_mixprec.h).
 * The classifier's measurements (models/mdl_mixprec_cls.h) take the
 * place of steps 1, 2 and 4's: its validation images for the
 * sensitivities and the cost job, every test image for the evaluation,
 * top-1 with paired bootstrap intervals; the search, the Pareto fronts and
 * the outputs are the same code.
 *
 *   1. sensitivity: for every linear layer and candidate variant, the
 *      held-out bits/byte when only that layer is compressed (the other
 *      layers FP32, host linear path), on the selection windows;
 *   2. cost: the device program's decode job on the firmware in process
 *      (fwrun), its modeled energy and cycles, with every layer in the
 *      base candidate but that one: the layer's cost is the difference
 *      from the base model's job (additivity is checked against every
 *      uniform model);
 *   3. search: the least summed sensitivity (KL, or the bits/byte change)
 *      within a budget (multiple-choice knapsack), for budgets at every
 *      uniform model's measured cost and between them;
 *   4. every uniform and mixed model again, whole model with device
 *      numerics on fwrun over the report windows (never seen by 1-3), and
 *      its decode job measured: the Pareto fronts, CSVs and a plot.
 * --pack FILE packs one assignment file as a .qpk instead.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dp_gemm.h"
#include "mdl_bootstrap.h"
#include "mdl_calib.h"
#include "mdl_cls_program.h"
#include "mdl_eval.h"
#include "mdl_lm_fwrun.h"
#include "mdl_lm_infer.h"
#include "mdl_mixprec.h"
#include "mdl_mixprec_cls.h"
#include "mdl_packed.h"
#include "mdl_util.h"
#include "tool_cli.h"

#ifndef MDL_MOBY_DIR
#define MDL_MOBY_DIR "/var/cache/quasar/data/moby-dick-0.2.3/data"
#endif
#ifndef MDL_FMNIST_DIR
#define MDL_FMNIST_DIR "/usr/share/datasets/fashion-mnist"
#endif

#define MIX_DEFAULT_CANDS "bf16/a16,int8/a16,int8/a8,int4-g32/a16,int4-g128/a16,mxfp4/a16," \
	"nvfp4/a16,int4-g32/a8"
#define MIX_POINTS_MAX (MDL_MIX_CANDS_MAX * 5)

enum { MIX_ENERGY, MIX_CYCLES, MIX_METRICS };
static const char *const mix_metric_name[MIX_METRICS] = { "energy", "cycles" };
static const char *const mix_metric_unit[MIX_METRICS] = { "uJ", "cycles" };

struct mix_opts {
	const char *ckpt, *data, *out, *cands, *pack, *save, *sens;
	int objective;		/* 0: KL, 1: bits/byte change */
	uint32_t threads, sel_windows, rep_from, rep_windows, decode_pos, calib, between;
	uint32_t sel_images, rep_images, cost_images;	/* the classifier's */
	int cls;		/* the checkpoint is a classifier */
	uint64_t seed;
	int metrics;		/* bit per metric searched */
	struct mdl_mix_cands c;	/* --cands, parsed */
	/* --budgets-uj, --budgets-cycles: else every uniform model's measured cost */
	double budget[MIX_METRICS][MDL_MIX_CANDS_MAX];
	uint32_t nbudget[MIX_METRICS];
};

/*
 * A model evaluated on the report windows (LM) or test images (classifier).
 * err: the lower-is-better figure the fronts compare, bits/byte or 1 - top-1;
 * agree: top-1 agreement with FP32; lo, hi: the classifier's paired
 * bootstrap interval of its top-1 change from FP32; ok: its right (1) or
 * wrong (0) per test image.
 */
struct mix_point {
	char name[48];
	int mixed, metric;	/* mixed: searched under metric's budget */
	double budget, pred_loss, pred_cost;
	uint32_t assign[64];
	double err, kl, agree, lo, hi;
	double *ok;
	struct mdl_mix_cost cost;
	int pareto[MIX_METRICS];
};

struct mix_run {
	const struct mix_opts *o;
	struct mdl_pool *pool;
	struct mdl_exec *ex;
	struct mdl_llama *m;
	struct mdl_cls *cm;		/* the classifier (m NULL) */
	struct mdl_images fit, val, test;
	struct mdl_mix_cls x;		/* its FP32 figures */
	struct mdl_linset fp32;
	struct mdl_mix_cands c;
	struct mdl_linset *uni;		/* c.n uniform models (packed once) */
	struct mdl_text held, sel, rep;
	double *loss, *kl;		/* [layer][cand] on the selection windows */
	double *cost[MIX_METRICS];	/* [layer][cand]: minus the base model's */
	struct mdl_mix_cost base;
	struct mix_point pt[MIX_POINTS_MAX];
	uint32_t npt;
};

static void mix_usage(FILE *f)
{
	fprintf(f,
		"Usage: accel-mixprec [options] CHECKPOINT\n"
		"       accel-mixprec --pack ASSIGNMENT --save FILE.qpk CHECKPOINT\n"
		"Mixed precision for the language model (llama2.c checkpoint) or the\n"
		"classifier (Fashion-MNIST checkpoint): per-layer sensitivity and cost (per\n"
		"decoded token, per image) of every candidate variant, a per-layer format\n"
		"search under energy and latency budgets, and the uniform and mixed models\n"
		"evaluated whole with device numerics on the firmware in process.\n"
		"  --cands LIST       candidate variants, FORMAT/ACT[/ALGO] comma-separated; the\n"
		"                     first is the base the layer costs are measured against\n"
		"                     (default " MIX_DEFAULT_CANDS ")\n"
		"  --data DIR         Moby Dick or Fashion-MNIST data directory\n"
		"  --out DIR          results (default build/mixprec)\n"
		"  --sel-windows N    selection windows: held-out windows 0..N-1 (default 32)\n"
		"  --report-from W    report windows start at held-out window W (default 260)\n"
		"  --report-windows N report windows (default 96; 0: every one from W)\n"
		"  --decode-pos P     the decode job measured is at position P after a prefill\n"
		"                     of P tokens (default 128)\n"
		"  --sel-images N     classifier: selection images, the first N validation\n"
		"                     images (training images from 50,000; default all 10,000)\n"
		"  --report-images N  classifier: the first N test images (default all 10,000)\n"
		"  --cost-images N    classifier: the cost job's batch of selection images\n"
		"                     (default 1000, the device program's batch)\n"
		"  --metric M         energy, cycles or both (default both)\n"
		"  --objective O      what the search sums: kl (default: each layer's KL from\n"
		"                     FP32, nats) or loss (its bits/byte or error change)\n"
		"  --sensitivity FILE the sensitivities of an earlier run's sensitivity.csv\n"
		"                     instead of measuring them (the same candidates)\n"
		"  --budgets-uj LIST  energy budgets per decoded token or image, comma-separated\n"
		"                     (default: every uniform model's measured energy)\n"
		"  --budgets-cycles LIST  cycle budgets likewise\n"
		"  --between N        without a list: also N budgets evenly spaced between the\n"
		"                     cheapest and the dearest uniform model (default 4)\n"
		"  --calib N          calibration windows of the training text, or images of its\n"
		"                     fit part for the classifier (GPTQ; default 16, 1024)\n"
		"  --seed S           calibration seed (default 1)\n"
		"  --threads N        worker threads (default $MDL_THREADS or 2)\n"
		"  --pack FILE        pack the assignment FILE (lines \"LAYER VARIANT\")\n"
		"  --save FILE.qpk    with --pack: the packed checkpoint to write\n");
}

/* A comma-separated list of budgets for @metric. */
static void mix_budgets(const char *opt, const char *arg, struct mix_opts *o, int metric)
{
	char buf[512], *tok, *save = NULL;

	snprintf(buf, sizeof(buf), "%s", arg);
	o->nbudget[metric] = 0;
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (o->nbudget[metric] == MDL_MIX_CANDS_MAX)
			tool_cli_usage_error("%s '%s': more than %u budgets", opt, arg,
					     MDL_MIX_CANDS_MAX);
		o->budget[metric][o->nbudget[metric]++] = tool_cli_double(opt, tok, 0, 1e15);
	}
	if (!o->nbudget[metric])
		tool_cli_usage_error("%s '%s': no budget", opt, arg);
}

static void mix_parse(int argc, char **argv, struct mix_opts *o, struct tool_cli *cli)
{
	static const struct option opts[] = {
		{ "cands", 1, 0, 'c' }, { "data", 1, 0, 'd' }, { "out", 1, 0, 'o' },
		{ "sel-windows", 1, 0, 's' }, { "report-from", 1, 0, 'r' },
		{ "report-windows", 1, 0, 'R' }, { "decode-pos", 1, 0, 'p' },
		{ "metric", 1, 0, 'm' }, { "calib", 1, 0, 'C' }, { "seed", 1, 0, 'S' },
		{ "threads", 1, 0, 'j' }, { "pack", 1, 0, 'P' }, { "save", 1, 0, 'W' },
		{ "budgets-uj", 1, 0, 'E' }, { "budgets-cycles", 1, 0, 'Y' },
		{ "objective", 1, 0, 'O' }, { "sensitivity", 1, 0, 'F' }, { "between", 1, 0, 'B' },
		{ "sel-images", 1, 0, 'i' }, { "report-images", 1, 0, 'I' },
		{ "cost-images", 1, 0, 'k' },
		{ 0, 0, 0, 0 }
	};
	static const char *const metrics[] = { "energy", "cycles", "both", NULL };
	static const char *const objectives[] = { "kl", "loss", NULL };
	char why[512];
	int c, calib = 0;

	*o = (struct mix_opts){ .out = "build/mixprec", .cands = MIX_DEFAULT_CANDS,
				.threads = mdl_threads_default(2), .sel_windows = 32,
				.rep_from = 260, .rep_windows = 96, .decode_pos = 128, .calib = 16, .seed = 1, .between = 4,
				.metrics = 3, .sel_images = 10000, .rep_images = 10000,
				.cost_images = MDL_CLS_DEVICE_BATCH };
	while ((c = tool_cli_getopt(cli, argc, argv, "", opts)) != -1) {
		switch (c) {
		case 'c': o->cands = optarg; break;
		case 'd': o->data = optarg; break;
		case 'o': o->out = optarg; break;
		case 's': o->sel_windows = tool_cli_u32("--sel-windows", optarg, 1, 100000); break;
		case 'r': o->rep_from = tool_cli_u32("--report-from", optarg, 0, 100000); break;
		case 'R':
			o->rep_windows = tool_cli_u32("--report-windows", optarg, 0, 100000);
			break;
		case 'p': o->decode_pos = tool_cli_u32("--decode-pos", optarg, 1, 65535); break;
		case 'm': o->metrics = 1 + (int)tool_cli_choice("--metric", optarg, metrics); break;
		case 'C':
			o->calib = tool_cli_u32("--calib", optarg, 1, 60000);
			calib = 1;
			break;
		case 'i': o->sel_images = tool_cli_u32("--sel-images", optarg, 1, 10000); break;
		case 'I': o->rep_images = tool_cli_u32("--report-images", optarg, 1, 10000); break;
		case 'k': o->cost_images = tool_cli_u32("--cost-images", optarg, 1, 10000); break;
		case 'S': o->seed = tool_cli_u64("--seed", optarg, 0, UINT64_MAX); break;
		case 'j': o->threads = tool_cli_u32("--threads", optarg, 1, MDL_THREADS_MAX); break;
		case 'P': o->pack = optarg; break;
		case 'W': o->save = optarg; break;
		case 'O': o->objective = (int)tool_cli_choice("--objective", optarg, objectives);
			break;
		case 'F': o->sens = optarg; break;
		case 'B': o->between = tool_cli_u32("--between", optarg, 0, MDL_MIX_CANDS_MAX); break;
		case 'E': mix_budgets("--budgets-uj", optarg, o, MIX_ENERGY); break;
		case 'Y': mix_budgets("--budgets-cycles", optarg, o, MIX_CYCLES); break;
		}
	}
	if (mdl_mix_cands_parse(o->cands, &o->c, why, sizeof(why)))
		tool_cli_usage_error("--cands '%s': %s", o->cands, why);
	if (!o->pack != !o->save)
		tool_cli_usage_error("--pack and --save go together");
	if (optind == argc)
		tool_cli_usage_error("the checkpoint CHECKPOINT is needed");
	if (optind + 1 != argc)
		tool_cli_usage_error("one checkpoint only, not '%s'", argv[optind + 1]);
	o->ckpt = argv[optind];
	o->cls = mdl_cls_sniff(o->ckpt);
	if (o->cls && !calib)
		o->calib = 1024;
	if (!o->cls && o->calib > 4096)
		tool_cli_usage_error("--calib %u: a language model takes up to 4096 windows",
				     o->calib);
}

/* @ls: layer i from uniform model assign[i] (a view: frees nothing of theirs). */
static int mix_view(const struct mix_run *r, const uint32_t *assign, struct mdl_linset *ls)
{
	ls->count = r->fp32.count;
	ls->l = malloc(sizeof(*ls->l) * ls->count);
	if (!ls->l)
		return -ENOMEM;
	for (uint32_t i = 0; i < ls->count; i++)
		ls->l[i] = assign[i] == UINT32_MAX ? r->fp32.l[i] : r->uni[assign[i]].l[i];
	return 0;
}

/* The language model's decode job after a prefill of decode_pos tokens. */
static int mix_lm_decode_cost(struct mix_run *r, const struct mdl_linset *ls,
			      struct mdl_mix_cost *c, char *err, size_t errlen)
{
	uint32_t P = r->o->decode_pos, i, *tok = malloc(sizeof(uint32_t) * (P + 1));
	float *logits = malloc(sizeof(float) * (size_t)(P + 1) * r->m->vocab);
	struct accel_job_stats before, after;
	struct accel_job_cost cb, ca;
	struct mdl_lm_fwrun *d = NULL;
	uint64_t jobs, tokens;
	int ret;

	if (!tok || !logits) {
		ret = mdl_err(err, errlen, -ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i <= P; i++)
		tok[i] = r->held.bytes[i];
	ret = mdl_lm_fwrun_create(r->m, ls, NULL, 1, 1, &d, err, errlen);
	if (ret)
		goto out;
	ret = mdl_lm_fwrun_forward(d, 1, 0, P, tok, logits);
	mdl_lm_fwrun_totals(d, &before, &jobs, &tokens);
	if (!ret)
		ret = mdl_lm_fwrun_forward(d, 1, P, 1, tok + P, logits);
	mdl_lm_fwrun_totals(d, &after, &jobs, &tokens);
	if (ret) {
		ret = mdl_err(err, errlen, ret, "a job failed on fwrun (%d)", ret);
		goto out;
	}
	accel_job_cost(&before, &cb);
	accel_job_cost(&after, &ca);
	c->uj = ca.energy_uj - cb.energy_uj;
	c->cycles = (double)(after.cycles - before.cycles);
	c->dram = (double)(ca.dram_bytes - cb.dram_bytes);
out:
	mdl_lm_fwrun_free(d);
	free(tok);
	free(logits);
	return ret;
}

/*
 * A prefill of decode_pos tokens then one decode job: the decode job's cost
 * (the classifier: one job over a batch of images, per image).
 */
static int mix_decode_cost(struct mix_run *r, const struct mdl_linset *ls, struct mdl_mix_cost *c,
			   char *err, size_t errlen)
{
	if (r->o->cls)
		return mdl_mix_cls_cost(&r->x, ls, c, err, errlen);
	return mix_lm_decode_cost(r, ls, c, err, errlen);
}

/* What the costs are per, and the figure the models are compared by. */
static const char *mix_item(const struct mix_run *r)
{
	return r->o->cls ? "image" : "decoded token";
}

static const char *mix_figure(const struct mix_run *r)
{
	return r->o->cls ? "top-1" : "bits/byte";
}

static double mix_cost_of(const struct mdl_mix_cost *c, int metric)
{
	return metric == MIX_ENERGY ? c->uj : c->cycles;
}

/* The language model, its calibration and its selection and report windows. */
static int mix_setup_lm(struct mix_run *r, struct mdl_text *train, struct mdl_calib_set *cal,
			char *err, size_t errlen)
{
	const struct mix_opts *o = r->o;
	uint32_t T, nw;
	int ret;

	if ((ret = mdl_llama_load(o->ckpt, &r->m, err, errlen)))
		return ret;
	if (r->m->layers * 7 + 1 > 64)
		return mdl_err(err, errlen, -E2BIG, "%u layers: this program takes up to 9",
			       r->m->layers);
	if ((ret = mdl_lm_linset(r->m, &r->fp32)))
		return mdl_err(err, errlen, ret, "out of memory");
	if (mdl_mix_cands_need_calib(&r->c)) {
		ret = mdl_calib_lm(r->ex, r->m, &r->fp32, train, o->calib, o->seed, cal);
		if (ret)
			return mdl_err(err, errlen, ret, "calibration capture failed");
	}
	T = r->m->seq_len;
	nw = (uint32_t)((r->held.len - 1) / T);
	if (o->decode_pos >= T || o->decode_pos + 1 > r->held.len)
		return mdl_err(err, errlen, -EINVAL, "--decode-pos %u: the context is %u",
			       o->decode_pos, T);
	if (o->sel_windows > o->rep_from || o->rep_from >= nw)
		return mdl_err(err, errlen, -EINVAL,
			       "--sel-windows %u, --report-from %u: the selection windows must "
			       "end before the report windows, which start before window %u",
			       o->sel_windows, o->rep_from, nw);
	r->sel = (struct mdl_text){ (size_t)o->sel_windows * T + 1, r->held.bytes };
	nw -= o->rep_from;
	if (o->rep_windows && o->rep_windows < nw)
		nw = o->rep_windows;
	r->rep = (struct mdl_text){ (size_t)nw * T + 1, r->held.bytes + (size_t)o->rep_from * T };
	return 0;
}

/*
 * The classifier, its calibration (images of the training split's fit
 * part), and the FP32 figures on the validation and test images.
 */
static int mix_setup_cls(struct mix_run *r, struct mdl_calib_set *cal, char *err, size_t errlen)
{
	const struct mix_opts *o = r->o;
	int ret;

	if ((ret = mdl_cls_load(o->ckpt, &r->cm, err, errlen)))
		return ret;
	if ((ret = mdl_cls_linset(r->cm, &r->fp32)))
		return mdl_err(err, errlen, ret, "out of memory");
	if (mdl_mix_cands_need_calib(&r->c)) {
		ret = mdl_calib_cls(r->ex, r->cm, &r->fp32, &r->fit, o->calib, o->seed, cal);
		if (ret)
			return mdl_err(err, errlen, ret, "calibration capture failed");
	}
	if (o->sel_images < r->val.n)
		r->val.n = o->sel_images;
	if (o->rep_images < r->test.n)
		r->test.n = o->rep_images;
	r->x = (struct mdl_mix_cls){ .c = r->cm, .sel = &r->val, .rep = &r->test,
				     .cost_images = o->cost_images };
	return mdl_mix_cls_init(&r->x, r->ex, &r->fp32, err, errlen);
}

/* The model, and every candidate as a uniform model. */
static int mix_setup(struct mix_run *r, struct mdl_text *train, char *err, size_t errlen)
{
	struct mdl_calib_set cal = { 0 };
	uint32_t i, j, *assign;
	int ret;

	r->c = r->o->c;
	ret = r->o->cls ? mix_setup_cls(r, &cal, err, errlen) :
			  mix_setup_lm(r, train, &cal, err, errlen);
	if (ret) {
		mdl_calib_free(&cal);
		return ret;
	}
	r->uni = calloc(r->c.n, sizeof(*r->uni));
	assign = malloc(sizeof(uint32_t) * r->fp32.count);
	if (!r->uni || !assign) {
		free(assign);
		mdl_calib_free(&cal);
		return mdl_err(err, errlen, -ENOMEM, "out of memory");
	}
	for (j = 0; j < r->c.n && !ret; j++) {
		for (i = 0; i < r->fp32.count; i++)
			assign[i] = j;
		ret = mdl_mix_build(&r->c, assign, &r->fp32, &cal, &r->uni[j], err, errlen);
	}
	free(assign);
	mdl_calib_free(&cal);
	return ret;
}

/* One layer set's change of the metric and KL from FP32 on the selection windows or images. */
static int mix_sens_one(struct mix_run *r, const struct mdl_linset *v, const struct mdl_lm_ref *ref,
			double f32, double *loss, double *kl, char *err, size_t errlen)
{
	struct mdl_lm_eval_opts eo = { .batch = 16 };
	struct mdl_lm_figures f;
	int ret;

	if (r->o->cls)
		return mdl_mix_cls_sensitivity(&r->x, r->ex, v, loss, kl, err, errlen);
	ret = mdl_lm_evaluate(r->ex, r->m, v, &r->sel, &eo, ref, NULL, &f, err, errlen);
	*loss = f.bits_per_byte - f32;
	*kl = f.kl;
	return ret;
}

/* Step 1: every layer x candidate alone, on the selection windows (validation images). */
static int mix_sensitivity(struct mix_run *r, char *err, size_t errlen)
{
	struct mdl_lm_eval_opts eo = { .batch = 16 };
	uint32_t L = r->fp32.count, C = r->c.n, i, j, *assign;
	struct mdl_lm_figures f32 = { 0 };
	struct mdl_lm_ref ref = { 0 };
	struct mdl_linset v;
	double t0 = mdl_now();
	int ret = 0;

	if (!r->o->cls)
		ret = mdl_lm_evaluate(r->ex, r->m, &r->fp32, &r->sel, &eo, NULL, &ref, &f32, err,
				      errlen);
	if (ret)
		return ret;
	assign = malloc(sizeof(uint32_t) * L);
	for (i = 0; assign && i < L; i++)
		assign[i] = UINT32_MAX;		/* FP32 */
	if (!assign || mix_view(r, assign, &v)) {
		free(assign);
		mdl_lm_ref_free(&ref);
		return mdl_err(err, errlen, -ENOMEM, "out of memory");
	}
	if (r->o->cls)
		printf("sensitivity: %u layers x %u variants on validation images %u-%u, FP32 "
		       "top-1 %.4f\n", L, C, MDL_FMNIST_VAL_FIRST,
		       MDL_FMNIST_VAL_FIRST + r->val.n - 1, 1 - r->x.sel_err);
	else
		printf("sensitivity: %u layers x %u variants on held-out windows 0-%u (%zu "
		       "positions), FP32 %.4f bits/byte\n", L, C, r->o->sel_windows - 1,
		       f32.tokens, f32.bits_per_byte);
	for (i = 0; i < L && !ret; i++) {
		for (j = 0; j < C && !ret; j++) {
			v.l[i] = r->uni[j].l[i];
			ret = mix_sens_one(r, &v, &ref, f32.bits_per_byte, &r->loss[i * C + j],
					   &r->kl[i * C + j], err, errlen);
		}
		v.l[i] = r->fp32.l[i];
		fprintf(stderr, "accel-mixprec: sensitivity %u/%u layers, %.0f s\n", i + 1, L,
			mdl_now() - t0);
	}
	free(v.l);
	free(assign);
	mdl_lm_ref_free(&ref);
	return ret;
}

/* Step 1 from an earlier run's sensitivity.csv: every layer x candidate once. */
static int mix_sensitivity_read(struct mix_run *r, char *err, size_t errlen)
{
	uint32_t L = r->fp32.count, C = r->c.n, no = 0, n = 0;
	char line[512], layer[64], variant[64];
	uint8_t *seen = calloc((size_t)L * C, 1);
	FILE *f = fopen(r->o->sens, "r");
	int ret = 0;

	if (!f || !seen) {
		free(seen);
		if (f)
			fclose(f);
		return mdl_err(err, errlen, -errno, "--sensitivity %s: %s", r->o->sens,
			       strerror(errno));
	}
	while (!ret && fgets(line, sizeof(line), f)) {
		double loss, kl;
		int i = -1, j;

		if (++no == 1)
			continue;	/* the header */
		if (sscanf(line, "%63[^,],%63[^,],%lf,%lf", layer, variant, &loss, &kl) != 4) {
			ret = mdl_err(err, errlen, -EINVAL, "%s:%u: not layer,variant,delta,kl,...",
				      r->o->sens, no);
			break;
		}
		for (uint32_t k = 0; k < L && i < 0; k++)
			if (!strcmp(r->fp32.l[k].name, layer))
				i = (int)k;
		j = mdl_mix_cands_find(&r->c, variant);
		if (i < 0 || j < 0 || seen[i * C + j])
			ret = mdl_err(err, errlen, -EINVAL, "%s:%u: layer '%s' variant '%s': %s",
				      r->o->sens, no, layer, variant,
				      i < 0 ? "no such layer" : j < 0 ? "not a candidate (--cands)" :
				      "given twice");
		else {
			seen[i * C + j] = 1;
			r->loss[i * C + j] = loss;
			r->kl[i * C + j] = kl;
			n++;
		}
	}
	fclose(f);
	free(seen);
	if (!ret && n != L * C)
		ret = mdl_err(err, errlen, -EINVAL, "%s: %u of the %u layer x candidate "
			      "sensitivities", r->o->sens, n, L * C);
	if (!ret)
		printf("sensitivity: %u layers x %u variants from %s\n", L, C, r->o->sens);
	return ret;
}

/* Step 2: each layer's decode cost per candidate, against the base (candidate 0). */
static int mix_costs(struct mix_run *r, char *err, size_t errlen)
{
	uint32_t L = r->fp32.count, C = r->c.n, i, j, *assign = calloc(L, sizeof(uint32_t));
	struct mdl_linset v = { 0 };
	struct mdl_mix_cost c;
	double t0 = mdl_now();
	int ret;

	if (!assign || mix_view(r, assign, &v)) {
		free(assign);
		return mdl_err(err, errlen, -ENOMEM, "out of memory");
	}
	ret = mix_decode_cost(r, &v, &r->base, err, errlen);
	for (i = 0; i < L && !ret; i++) {
		for (j = 0; j < C && !ret; j++) {
			v.l[i] = r->uni[j].l[i];
			if (j)
				ret = mix_decode_cost(r, &v, &c, err, errlen);
			else
				c = r->base;
			r->cost[MIX_ENERGY][i * C + j] = c.uj - r->base.uj;
			r->cost[MIX_CYCLES][i * C + j] = c.cycles - r->base.cycles;
		}
		v.l[i] = r->uni[0].l[i];
	}
	fprintf(stderr, "accel-mixprec: layer costs, %u decode jobs, %.0f s\n", L * (C - 1) + 1,
		mdl_now() - t0);
	free(v.l);
	free(assign);
	return ret;
}

/*
 * Step 4 for the classifier: its device program over the test images, the
 * top-1 change's paired interval against FP32 (host) and each image's
 * right or wrong (p->ok, allocated here).
 */
static int mix_evaluate_cls(struct mix_run *r, const struct mdl_linset *v, struct mix_point *p,
			    char *err, size_t errlen)
{
	struct mdl_mix_cls_figures f;
	uint32_t n = r->test.n;
	int ret;

	p->ok = malloc(sizeof(double) * n);
	if (!p->ok)
		return mdl_err(err, errlen, -ENOMEM, "out of memory");
	ret = mdl_mix_cls_evaluate(&r->x, v, &f, p->ok, err, errlen);
	if (!ret && mdl_bootstrap_paired(r->x.rep_ok, p->ok, n, MDL_BOOT_RESAMPLES, MDL_BOOT_SEED,
					 MDL_BOOT_LEVEL, &p->lo, &p->hi))
		ret = mdl_err(err, errlen, -EINVAL, "no bootstrap interval over %u images", n);
	if (ret) {
		free(p->ok);
		p->ok = NULL;
		return ret;
	}
	p->err = 1 - f.top1;
	p->kl = f.kl;
	p->agree = f.agree;
	/* the cost of the job the layer costs were measured on */
	return mix_decode_cost(r, v, &p->cost, err, errlen);
}

/* Step 4 for one model: device numerics on the report windows, and its decode job. */
static int mix_evaluate(struct mix_run *r, const uint32_t *assign, const struct mdl_lm_ref *ref,
			struct mix_point *p, char *err, size_t errlen)
{
	struct mdl_lm_eval_opts eo = { .batch = 16 };
	struct mdl_lm_fwrun *d = NULL;
	struct mdl_lm_figures f;
	struct mdl_lm_fwd fwd;
	struct mdl_linset v;
	int ret;

	if (mix_view(r, assign, &v))
		return mdl_err(err, errlen, -ENOMEM, "out of memory");
	if (r->o->cls) {
		ret = mix_evaluate_cls(r, &v, p, err, errlen);
		free(v.l);
		if (!ret)
			memcpy(p->assign, assign, sizeof(uint32_t) * r->fp32.count);
		return ret;
	}
	ret = mdl_lm_fwrun_create(r->m, &v, r->pool, eo.batch, 1, &d, err, errlen);
	if (!ret) {
		fwd = (struct mdl_lm_fwd){ mdl_lm_fwrun_forward, d, eo.batch };
		ret = mdl_lm_evaluate_on(&fwd, r->m, &r->rep, &eo, ref, &f, err, errlen);
	}
	mdl_lm_fwrun_free(d);
	if (!ret)
		ret = mix_decode_cost(r, &v, &p->cost, err, errlen);
	free(v.l);
	if (ret)
		return ret;
	p->err = f.bits_per_byte;
	p->kl = f.kl;
	p->agree = f.top1_agree;
	memcpy(p->assign, assign, sizeof(uint32_t) * r->fp32.count);
	return 0;
}

static int mix_same_assign(const struct mix_run *r, const uint32_t *a, const uint32_t *b)
{
	return !memcmp(a, b, sizeof(uint32_t) * r->fp32.count);
}

static void mix_label(const struct mix_run *r, const uint32_t *assign, char *buf, size_t len)
{
	uint32_t count[MDL_MIX_CANDS_MAX] = { 0 }, i, j;
	size_t at = 0;

	for (i = 0; i < r->fp32.count; i++)
		count[assign[i]]++;
	buf[0] = 0;
	for (j = 0; j < r->c.n && at < len; j++)
		if (count[j])
			at += (size_t)snprintf(buf + at, len - at, "%s%u %s", at ? ", " : "",
					       count[j], r->c.v[j].name);
}

/* The search's instance for @metric: the layer costs above the base model's job. */
static struct mdl_mix_problem mix_problem(const struct mix_run *r, int metric)
{
	return (struct mdl_mix_problem){ r->fp32.count, r->c.n, r->o->objective ? r->loss : r->kl,
					 r->cost[metric], NULL };
}

/*
 * The budgets given on the command line, each against the cheapest
 * assignment's cost (known once the layer costs are): refused early, before
 * the sensitivities, naming the budget and the cheapest.
 */
static int mix_check_budgets(const struct mix_run *r, char *err, size_t errlen)
{
	for (int metric = 0; metric < MIX_METRICS; metric++) {
		struct mdl_mix_problem pb = mix_problem(r, metric);
		double cheapest = mix_cost_of(&r->base, metric) + mdl_mix_cheapest(&pb);

		for (uint32_t k = 0; k < r->o->nbudget[metric]; k++)
			if (r->o->budget[metric][k] < cheapest)
				return mdl_err(err, errlen, -ERANGE,
					       "--budgets-%s: budget %.6g %s per %s is below "
					       "the cheapest assignment's %.6g %s",
					       metric == MIX_ENERGY ? "uj" : "cycles",
					       r->o->budget[metric][k], mix_metric_unit[metric],
					       mix_item(r), cheapest, mix_metric_unit[metric]);
	}
	return 0;
}

/*
 * Step 3: the searches, one per budget (the command line's, else every
 * uniform model's measured cost and --between more evenly spaced between
 * the cheapest and the dearest of them); a budget below the cheapest assignment
 * (a uniform model's, when the layer costs are not exactly additive) has
 * no mixed model.
 */
static int mix_search_all(struct mix_run *r, const struct mix_point *uni, char *err,
			  size_t errlen)
{
	/*
	 * The units costs are counted in: 1 nJ and 1 cycle per decoded token;
	 * per image, where a layer's options differ by fractions of a cycle
	 * (the job's cost over 1,000 images), 1 pJ and 0.01 cycle.
	 */
	static const double lm_resolution[MIX_METRICS] = { 0.001, 1 };
	static const double cls_resolution[MIX_METRICS] = { 1e-6, 0.01 };
	const double *resolution = r->o->cls ? cls_resolution : lm_resolution;
	uint32_t C = r->c.n, k, q, nb;
	double lo, hi;
	int metric, ret;

	for (metric = 0; metric < MIX_METRICS; metric++) {
		struct mdl_mix_problem pb = mix_problem(r, metric);
		double fixed = mix_cost_of(&r->base, metric);

		if (!(r->o->metrics & (1 << metric)))
			continue;
		nb = r->o->nbudget[metric] ? r->o->nbudget[metric] : C + r->o->between;
		lo = hi = mix_cost_of(&uni[0].cost, metric);
		for (k = 1; k < C; k++) {
			lo = fmin(lo, mix_cost_of(&uni[k].cost, metric));
			hi = fmax(hi, mix_cost_of(&uni[k].cost, metric));
		}
		for (k = 0; k < nb; k++) {
			struct mix_point *p = &r->pt[r->npt];
			double budget = r->o->nbudget[metric] ? r->o->budget[metric][k] :
					k < C ? mix_cost_of(&uni[k].cost, metric) :
					lo + (hi - lo) * (k - C + 1) / (r->o->between + 1);

			if (r->npt == MIX_POINTS_MAX)
				break;
			ret = mdl_mix_search(&pb, budget - fixed, resolution[metric], p->assign,
					     &p->pred_loss, &p->pred_cost, err, errlen);
			if (ret == -ERANGE && !r->o->nbudget[metric])
				continue;
			if (ret)
				return ret;
			p->pred_cost += fixed;
			for (q = 0; q < C; q++)
				if (mix_same_assign(r, p->assign, uni[q].assign))
					break;
			if (q < C)
				continue;	/* the search chose a uniform model */
			for (q = C; q < r->npt; q++)
				if (mix_same_assign(r, p->assign, r->pt[q].assign))
					break;
			if (q < r->npt)
				continue;
			p->mixed = 1;
			p->metric = metric;
			p->budget = budget;
			snprintf(p->name, sizeof(p->name), "mixed/%s-%.*f", mix_metric_name[metric],
				 metric == MIX_ENERGY ? 3 : 0, budget);
			r->npt++;
		}
	}
	return 0;
}

/* Marks the points no other point beats in bits/byte at no more cost. */
static void mix_pareto(struct mix_run *r)
{
	for (int metric = 0; metric < MIX_METRICS; metric++)
		for (uint32_t a = 0; a < r->npt; a++) {
			const struct mix_point *p = &r->pt[a];
			double ca = mix_cost_of(&p->cost, metric);
			int dominated = 0;

			for (uint32_t b = 0; b < r->npt && !dominated; b++) {
				const struct mix_point *q = &r->pt[b];
				double cb = mix_cost_of(&q->cost, metric);

				dominated = b != a && cb <= ca && q->err <= p->err &&
					    (cb < ca || q->err < p->err);
			}
			r->pt[a].pareto[metric] = !dominated;
		}
}

static FILE *mix_open(const struct mix_run *r, const char *name, char *path, size_t len)
{
	FILE *f;

	snprintf(path, len, "%s/%s", r->o->out, name);
	f = fopen(path, "w");
	if (!f)
		fprintf(stderr, "accel-mixprec: %s: %s\n", path, strerror(errno));
	return f;
}

static int mix_write_sensitivity(const struct mix_run *r)
{
	uint32_t L = r->fp32.count, C = r->c.n, i, j;
	char path[512];
	FILE *f = mix_open(r, "sensitivity.csv", path, sizeof(path));

	if (!f)
		return -errno;
	fprintf(f, "layer,variant,delta_bits_per_byte,kl_nats,delta_uj_per_token,"
		"delta_cycles_per_token\n");
	for (i = 0; i < L; i++)
		for (j = 0; j < C; j++)
			fprintf(f, "%s,%s,%.6f,%.6f,%.6f,%.0f\n", r->fp32.l[i].name,
				r->c.v[j].name, r->loss[i * C + j], r->kl[i * C + j],
				r->cost[MIX_ENERGY][i * C + j], r->cost[MIX_CYCLES][i * C + j]);
	return fclose(f) ? -EIO : 0;
}

/* The figure shown: bits/byte, or the classifier's top-1. */
static double mix_value(const struct mix_run *r, const struct mix_point *p)
{
	return r->o->cls ? 1 - p->err : p->err;
}

/*
 * The language model's columns; the classifier's have top1, agree and
 * per image in their place, and its delta's interval at the end.
 */
static int mix_write_points(const struct mix_run *r, double f32)
{
	char path[512], label[512];
	FILE *f = mix_open(r, "points.csv", path, sizeof(path));
	const char *item = r->o->cls ? "image" : "token";

	if (!f)
		return -errno;
	fprintf(f, "kind,name,budget_metric,budget,predicted_objective,predicted_cost,%s,"
		"delta,kl_nats,%s,uj_per_%s,cycles_per_%s,dram_bytes_per_%s,"
		"pareto_energy,pareto_cycles,layers%s\n", r->o->cls ? "top1" : "bits_per_byte",
		r->o->cls ? "agree" : "top1_agree", item, item, item,
		r->o->cls ? ",delta_lo,delta_hi" : "");
	for (uint32_t a = 0; a < r->npt; a++) {
		const struct mix_point *p = &r->pt[a];

		mix_label(r, p->assign, label, sizeof(label));
		fprintf(f, "%s,%s,%s,%.6g,%.6f,%.6g,%.6f,%.6f,%.6f,%.6f,%.4f,%.0f,%.0f,%d,%d,"
			"\"%s\"", p->mixed ? "mixed" : "uniform", p->name,
			p->mixed ? mix_metric_name[p->metric] : "", p->budget, p->pred_loss,
			p->pred_cost, mix_value(r, p), mix_value(r, p) - f32, p->kl, p->agree,
			p->cost.uj, p->cost.cycles, p->cost.dram, p->pareto[MIX_ENERGY],
			p->pareto[MIX_CYCLES], label);
		if (r->o->cls)
			fprintf(f, ",%.6f,%.6f", p->lo, p->hi);
		fprintf(f, "\n");
	}
	return fclose(f) ? -EIO : 0;
}

static int mix_write_assignments(const struct mix_run *r)
{
	char path[600], file[300], budget[128];
	const char *comment[] = { NULL, budget, NULL };

	for (uint32_t a = 0; a < r->npt; a++) {
		const struct mix_point *p = &r->pt[a];
		FILE *f;
		int ret;

		if (!p->mixed)
			continue;
		snprintf(file, sizeof(file), "%s.assign", p->name + 6);
		f = mix_open(r, file, path, sizeof(path));
		if (!f)
			return -errno;
		comment[0] = p->name;
		snprintf(budget, sizeof(budget), "budget %.6g %s per %s; predicted %s %.6f on "
			 "the selection %s", p->budget, mix_metric_unit[p->metric], mix_item(r),
			 r->o->objective ? (r->o->cls ? "error change" : "bits/byte change") :
			 "KL (nats)", p->pred_loss, r->o->cls ? "images" : "windows");
		ret = mdl_mix_assign_write(f, &r->fp32, &r->c, p->assign, comment);
		if (fclose(f) || ret)
			return -EIO;
	}
	return 0;
}

/*
 * For each uniform model and metric: does a mixed model dominate it, the
 * best change of the figure (bits/byte, top-1) at no more cost and the
 * cost saved at no worse figure. The classifier's best change carries its
 * paired bootstrap interval over the test images (mixed minus uniform).
 */
static void mix_dominance(const struct mix_run *r)
{
	for (int metric = 0; metric < MIX_METRICS; metric++) {
		uint32_t dom = 0, nu = 0;

		printf("\nagainst each uniform model, %s per %s:\n", mix_metric_name[metric],
		       mix_item(r));
		printf("%-20s %10s %12s %26s %26s\n", "uniform", mix_figure(r),
		       mix_metric_unit[metric], "best mixed at <= cost", "cheapest mixed, no worse");
		for (uint32_t a = 0; a < r->npt; a++) {
			const struct mix_point *u = &r->pt[a], *best = NULL;
			double cu = mix_cost_of(&u->cost, metric), bd = INFINITY, cs = INFINITY;
			int d = 0;

			if (u->mixed)
				continue;
			nu++;
			for (uint32_t b = 0; b < r->npt; b++) {
				const struct mix_point *q = &r->pt[b];
				double cq = mix_cost_of(&q->cost, metric);

				if (!q->mixed)
					continue;
				if (cq <= cu && q->err - u->err < bd) {
					bd = q->err - u->err;
					best = q;
				}
				if (q->err <= u->err && cq < cs)
					cs = cq;
				d |= cq <= cu && q->err <= u->err && (cq < cu || q->err < u->err);
			}
			dom += d;
			printf("%-20s %10.4f %12.4g", u->name, mix_value(r, u), cu);
			if (isfinite(bd))
				printf(" %+16.4f %-9s", r->o->cls ? 0.0 - bd : bd, mix_figure(r));
			else
				printf(" %26s", "none that cheap");
			if (isfinite(cs))
				printf(" %+20.2f%% cost", 100.0 * (cs - cu) / cu);
			else
				printf(" %26s", "none that good");
			printf("  %s", d ? "dominated" : "not dominated");
			if (best && best->ok && u->ok) {
				double lo, hi;

				if (!mdl_bootstrap_paired(u->ok, best->ok, r->test.n,
							  MDL_BOOT_RESAMPLES, MDL_BOOT_SEED,
							  MDL_BOOT_LEVEL, &lo, &hi))
					printf(" (%s: %+.4f [%+.4f, %+.4f])", best->name, 0.0 - bd,
					       lo, hi);
			}
			printf("\n");
		}
		printf("mixed models dominate %u of %u uniform models by %s\n", dom, nu,
		       mix_metric_name[metric]);
	}
}

static int mix_run_all(struct mix_run *r, char *err, size_t errlen)
{
	uint32_t L = r->fp32.count, C = r->c.n, i, j, *assign = malloc(sizeof(uint32_t) * L);
	struct mdl_lm_eval_opts eo = { .batch = 16 };
	struct mix_point uni[MDL_MIX_CANDS_MAX];
	struct mdl_lm_figures f32 = { 0 };
	struct mdl_lm_ref ref = { 0 };
	const char *fig = mix_figure(r), *per = r->o->cls ? "image" : "tok";
	char label[512];
	double t0, ref_value;
	int ret = 0;

	r->loss = calloc((size_t)L * C, sizeof(double));
	r->kl = calloc((size_t)L * C, sizeof(double));
	r->cost[0] = calloc((size_t)L * C, sizeof(double));
	r->cost[1] = calloc((size_t)L * C, sizeof(double));
	if (!assign || !r->loss || !r->kl || !r->cost[0] || !r->cost[1]) {
		free(assign);
		return mdl_err(err, errlen, -ENOMEM, "out of memory");
	}
	if ((ret = mix_costs(r, err, errlen)) || (ret = mix_check_budgets(r, err, errlen)) ||
	    (ret = r->o->sens ? mix_sensitivity_read(r, err, errlen) :
				mix_sensitivity(r, err, errlen)))
		goto out;
	printf("search objective: the sum of the layers' %s\n", r->o->objective ?
	       (r->o->cls ? "validation error changes" : "bits/byte changes") :
	       "KL divergences from FP32 (nats)");
	if (r->o->cls) {
		ref_value = r->x.rep_top1;
		printf("report: test images 0-%u, FP32 top-1 %.4f (host); cost per image of a "
		       "job of %u validation images\n", r->test.n - 1, ref_value,
		       r->o->cost_images < r->val.n ? r->o->cost_images : r->val.n);
	} else {
		ret = mdl_lm_evaluate(r->ex, r->m, &r->fp32, &r->rep, &eo, NULL, &ref, &f32, err,
				      errlen);
		if (ret)
			goto out;
		ref_value = f32.bits_per_byte;
		printf("report windows %u-%u (%zu positions), FP32 %.4f bits/byte; decode job at "
		       "position %u\n", r->o->rep_from,
		       r->o->rep_from + (uint32_t)((r->rep.len - 1) / r->m->seq_len) - 1,
		       f32.tokens, f32.bits_per_byte, r->o->decode_pos);
	}
	/* the uniform models: measured, and each as the layer costs predict it */
	printf("\n%-20s %10s %9s %9s %8s/%-5s %12s %8s/%-5s %12s\n", "uniform", fig, "delta",
	       "KL", "uJ", per, "predicted", "cycles", per, "predicted");
	for (j = 0; j < C && !ret; j++) {
		double pu = r->base.uj, pc = r->base.cycles;

		t0 = mdl_now();
		for (i = 0; i < L; i++) {
			assign[i] = j;
			pu += r->cost[MIX_ENERGY][i * C + j];
			pc += r->cost[MIX_CYCLES][i * C + j];
		}
		memset(&uni[j], 0, sizeof(uni[j]));
		ret = mix_evaluate(r, assign, &ref, &uni[j], err, errlen);
		if (ret)
			break;
		snprintf(uni[j].name, sizeof(uni[j].name), "%s", r->c.v[j].name);
		for (i = 0; i < L; i++)
			uni[j].pred_loss += (r->o->objective ? r->loss : r->kl)[i * C + j];
		uni[j].pred_cost = pu;
		printf("%-20s %10.4f %+9.4f %9.5f %14.4f %12.4f %14.0f %12.0f", uni[j].name,
		       mix_value(r, &uni[j]), mix_value(r, &uni[j]) - ref_value, uni[j].kl,
		       uni[j].cost.uj, pu, uni[j].cost.cycles, pc);
		if (r->o->cls)
			printf(" [%+.4f, %+.4f]", uni[j].lo, uni[j].hi);
		printf("  (%.0f s)\n", mdl_now() - t0);
		fflush(stdout);
		r->pt[r->npt++] = uni[j];
	}
	if (ret || (ret = mix_search_all(r, uni, err, errlen)))
		goto out_ref;
	printf("\n%-24s %9s %9s %10s %9s %8s/%-5s %10s %10s  layers\n", "mixed", "predicted",
	       "KL", fig, "delta", "uJ", per, "cycles", "budget");
	for (i = C; i < r->npt && !ret; i++) {
		struct mix_point *p = &r->pt[i];
		struct mix_point q = *p;

		t0 = mdl_now();
		ret = mix_evaluate(r, p->assign, &ref, &q, err, errlen);
		if (ret)
			break;
		*p = q;
		if (mix_cost_of(&p->cost, p->metric) > p->budget * (1 + 1e-9))
			printf("note: %s measured %.6g %s, above its budget (the layer costs "
			       "predicted %.6g)\n", p->name, mix_cost_of(&p->cost, p->metric),
			       mix_metric_unit[p->metric], p->pred_cost);
		mix_label(r, p->assign, label, sizeof(label));
		printf("%-24s %+9.4f %9.5f %10.4f %+9.4f %14.4f %10.0f %10.4g  %s", p->name,
		       p->pred_loss, p->kl, mix_value(r, p), mix_value(r, p) - ref_value,
		       p->cost.uj, p->cost.cycles, p->budget, label);
		if (r->o->cls)
			printf(" [%+.4f, %+.4f]", p->lo, p->hi);
		printf(" (%.0f s)\n", mdl_now() - t0);
		fflush(stdout);
	}
	if (ret)
		goto out_ref;
	mix_pareto(r);
	mix_dominance(r);
	if ((ret = mix_write_sensitivity(r)) || (ret = mix_write_points(r, ref_value)) ||
	    (ret = mix_write_assignments(r)))
		ret = mdl_err(err, errlen, ret, "writing the results in %s failed", r->o->out);
	else
		printf("\nwrote %s/{sensitivity,points}.csv and %s/*.assign\n", r->o->out,
		       r->o->out);
out_ref:
	mdl_lm_ref_free(&ref);
out:
	free(assign);
	return ret;
}

/* The classifier's images: the training split's fit and validation parts, and the test set. */
static int mix_load_fmnist(struct mix_run *r, const char *dir, char *err, size_t errlen)
{
	struct mdl_images all = { 0 };
	int ret;

	ret = mdl_fmnist_load(dir, "train", &all, err, errlen);
	if (!ret)
		ret = mdl_fmnist_split(&all, &r->fit, &r->val, err, errlen);
	mdl_images_free(&all);
	if (!ret)
		ret = mdl_fmnist_load(dir, "t10k", &r->test, err, errlen);
	return ret;
}

/* --pack: one assignment file into a packed checkpoint. */
static int mix_pack(struct mix_run *r, struct mdl_text *train, char *err, size_t errlen)
{
	const struct mix_opts *o = r->o;
	uint32_t *assign;
	struct mdl_calib_set cal = { 0 };
	struct mdl_packed_src src;
	struct mdl_linset ls;
	char name[MDL_PACKED_NAME], *base;
	int ret;

	if ((ret = o->cls ? mdl_cls_load(o->ckpt, &r->cm, err, errlen) :
			    mdl_llama_load(o->ckpt, &r->m, err, errlen)))
		return ret;
	if ((ret = o->cls ? mdl_cls_linset(r->cm, &r->fp32) : mdl_lm_linset(r->m, &r->fp32)))
		return mdl_err(err, errlen, ret, "out of memory");
	assign = malloc(sizeof(uint32_t) * r->fp32.count);
	if (!assign)
		return mdl_err(err, errlen, -ENOMEM, "out of memory");
	r->c.n = 0;
	ret = mdl_mix_assign_read(o->pack, &r->fp32, &r->c, assign, err, errlen);
	if (!ret && mdl_mix_cands_need_calib(&r->c) &&
	    (o->cls ? mdl_calib_cls(r->ex, r->cm, &r->fp32, &r->fit, o->calib, o->seed, &cal) :
		      mdl_calib_lm(r->ex, r->m, &r->fp32, train, o->calib, o->seed, &cal)))
		ret = mdl_err(err, errlen, -EIO, "calibration capture failed");
	if (!ret)
		ret = mdl_mix_build(&r->c, assign, &r->fp32, &cal, &ls, err, errlen);
	mdl_calib_free(&cal);
	free(assign);
	if (ret)
		return ret;
	/* the variant field: "mixed/" and the assignment file's base name */
	base = strrchr(o->pack, '/');
	snprintf(name, sizeof(name), "mixed/%s", base ? base + 1 : o->pack);
	if (strchr(name, '.'))
		*strrchr(name, '.') = 0;
	ret = mdl_packed_src_file(o->ckpt, &src, err, errlen);
	if (!ret)
		ret = o->cls ? mdl_packed_save_cls(o->save, r->cm, &ls, name, &src, err, errlen) :
			       mdl_packed_save_lm(o->save, r->m, &ls, name, &src, err, errlen);
	if (!ret)
		printf("%s: %s, %u layers in %u variants, %zu weight bytes\n", o->save, name,
		       ls.count, r->c.n, mdl_linset_bytes(&ls));
	mdl_linset_free(&ls, 0);
	return ret;
}

int main(int argc, char **argv)
{
	struct tool_cli cli = { .name = "accel-mixprec", .usage = mix_usage };
	struct mdl_text train = { 0 };
	struct mix_run r = { 0 };
	struct mix_opts o;
	char err[1024];
	int ret;

	if (mdl_algos_register_all()) {
		tool_cli_error("out of memory");
		return TOOL_EXIT_FAIL;
	}
	mix_parse(argc, argv, &o, &cli);
	r.o = &o;
	if (mdl_pool_create(o.threads, &r.pool) ||
	    mdl_exec_create(r.pool, dp_isa_best(), &r.ex)) {
		tool_cli_error("out of memory");
		return TOOL_EXIT_FAIL;
	}
	ret = o.cls ? mix_load_fmnist(&r, o.data ? o.data : MDL_FMNIST_DIR, err, sizeof(err)) :
		      mdl_moby_heldout(o.data ? o.data : MDL_MOBY_DIR, &r.held, err, sizeof(err));
	if (!ret && !o.cls)
		ret = mdl_moby_train(o.data ? o.data : MDL_MOBY_DIR, &train, err, sizeof(err));
	if (!ret && o.pack) {
		ret = mix_pack(&r, &train, err, sizeof(err));
	} else if (!ret) {
		if (mkdir(o.out, 0755) && errno != EEXIST)
			ret = mdl_err(err, sizeof(err), -errno, "%s: %s", o.out, strerror(errno));
		if (!ret)
			ret = mix_setup(&r, &train, err, sizeof(err));
		if (!ret)
			ret = mix_run_all(&r, err, sizeof(err));
	}
	if (ret)
		tool_cli_error("%s", err);
	for (uint32_t j = 0; r.uni && j < r.c.n; j++)
		mdl_linset_free(&r.uni[j], 0);
	free(r.uni);
	free(r.loss);
	free(r.kl);
	free(r.cost[0]);
	free(r.cost[1]);
	for (uint32_t a = 0; a < r.npt; a++)
		free(r.pt[a].ok);
	mdl_mix_cls_free(&r.x);
	mdl_linset_free(&r.fp32, 1);
	mdl_llama_free(r.m);
	mdl_cls_free(r.cm);
	mdl_images_free(&r.fit);
	mdl_images_free(&r.val);
	mdl_images_free(&r.test);
	mdl_text_free(&train);
	mdl_text_free(&r.held);
	mdl_exec_free(r.ex);
	mdl_pool_destroy(r.pool);
	return ret ? TOOL_EXIT_FAIL : TOOL_EXIT_OK;
}
