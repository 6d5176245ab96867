// SPDX-License-Identifier: MIT
/*
 * accel-mixprec: mixed precision for the language model, a weight format
 * per linear layer chosen under an energy or latency budget
 * (docs/models.md "Mixed precision", models/mdl_mixprec.h).
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
#include "mdl_calib.h"
#include "mdl_eval.h"
#include "mdl_lm_fwrun.h"
#include "mdl_lm_infer.h"
#include "mdl_mixprec.h"
#include "mdl_packed.h"
#include "mdl_util.h"
#include "tool_cli.h"

#ifndef MDL_MOBY_DIR
#define MDL_MOBY_DIR "/var/cache/quasar/data/moby-dick-0.2.3/data"
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
	uint64_t seed;
	int metrics;		/* bit per metric searched */
	struct mdl_mix_cands c;	/* --cands, parsed */
	/* --budgets-uj, --budgets-cycles: else every uniform model's measured cost */
	double budget[MIX_METRICS][MDL_MIX_CANDS_MAX];
	uint32_t nbudget[MIX_METRICS];
};

/* A decode job's modeled cost. */
struct mix_cost {
	double uj, cycles, dram;
};

/* A model evaluated on the report windows. */
struct mix_point {
	char name[48];
	int mixed, metric;	/* mixed: searched under metric's budget */
	double budget, pred_loss, pred_cost;
	uint32_t assign[64];
	double bpb, kl, top1;
	struct mix_cost cost;
	int pareto[MIX_METRICS];
};

struct mix_run {
	const struct mix_opts *o;
	struct mdl_pool *pool;
	struct mdl_exec *ex;
	struct mdl_llama *m;
	struct mdl_linset fp32;
	struct mdl_mix_cands c;
	struct mdl_linset *uni;		/* c.n uniform models (packed once) */
	struct mdl_text held, sel, rep;
	double *loss, *kl;		/* [layer][cand] on the selection windows */
	double *cost[MIX_METRICS];	/* [layer][cand]: minus the base model's */
	struct mix_cost base;
	struct mix_point pt[MIX_POINTS_MAX];
	uint32_t npt;
};

static void mix_usage(FILE *f)
{
	fprintf(f,
		"Usage: accel-mixprec [options] CHECKPOINT\n"
		"       accel-mixprec --pack ASSIGNMENT --save FILE.qpk CHECKPOINT\n"
		"Mixed precision for the language model (llama2.c checkpoint): per-layer\n"
		"sensitivity and decode cost of every candidate variant, a per-layer format\n"
		"search under energy and latency budgets, and the uniform and mixed models\n"
		"evaluated whole with device numerics on the firmware in process.\n"
		"  --cands LIST       candidate variants, FORMAT/ACT[/ALGO] comma-separated; the\n"
		"                     first is the base the layer costs are measured against\n"
		"                     (default " MIX_DEFAULT_CANDS ")\n"
		"  --data DIR         Moby Dick data directory\n"
		"  --out DIR          results (default build/mixprec)\n"
		"  --sel-windows N    selection windows: held-out windows 0..N-1 (default 32)\n"
		"  --report-from W    report windows start at held-out window W (default 260)\n"
		"  --report-windows N report windows (default 96; 0: every one from W)\n"
		"  --decode-pos P     the decode job measured is at position P after a prefill\n"
		"                     of P tokens (default 128)\n"
		"  --metric M         energy, cycles or both (default both)\n"
		"  --objective O      what the search sums: kl (default: each layer's KL from\n"
		"                     FP32, nats) or loss (its bits/byte change)\n"
		"  --sensitivity FILE the sensitivities of an earlier run's sensitivity.csv\n"
		"                     instead of measuring them (the same candidates)\n"
		"  --budgets-uj LIST  energy budgets per decoded token, comma-separated (default:\n"
		"                     every uniform model's measured energy)\n"
		"  --budgets-cycles LIST  cycle budgets likewise\n"
		"  --between N        without a list: also N budgets evenly spaced between the\n"
		"                     cheapest and the dearest uniform model (default 4)\n"
		"  --calib N          calibration windows of the training text (GPTQ; default 16)\n"
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
		{ 0, 0, 0, 0 }
	};
	static const char *const metrics[] = { "energy", "cycles", "both", NULL };
	static const char *const objectives[] = { "kl", "loss", NULL };
	char why[512];
	int c;

	*o = (struct mix_opts){ .out = "build/mixprec", .cands = MIX_DEFAULT_CANDS,
				.threads = mdl_threads_default(2), .sel_windows = 32,
				.rep_from = 260, .rep_windows = 96, .decode_pos = 128, .calib = 16, .seed = 1, .between = 4,
				.metrics = 3 };
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
		case 'C': o->calib = tool_cli_u32("--calib", optarg, 1, 4096); break;
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

/* A prefill of decode_pos tokens then one decode job: the decode job's cost. */
static int mix_decode_cost(struct mix_run *r, const struct mdl_linset *ls, struct mix_cost *c,
			   char *err, size_t errlen)
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

static double mix_cost_of(const struct mix_cost *c, int metric)
{
	return metric == MIX_ENERGY ? c->uj : c->cycles;
}

static int mix_setup(struct mix_run *r, struct mdl_text *train, char *err, size_t errlen)
{
	const struct mix_opts *o = r->o;
	struct mdl_calib_set cal = { 0 };
	uint32_t T, nw, i, j, *assign;
	int ret;

	if ((ret = mdl_llama_load(o->ckpt, &r->m, err, errlen)))
		return ret;
	if (r->m->layers * 7 + 1 > 64)
		return mdl_err(err, errlen, -E2BIG, "%u layers: this program takes up to 9",
			       r->m->layers);
	if ((ret = mdl_lm_linset(r->m, &r->fp32)))
		return mdl_err(err, errlen, ret, "out of memory");
	r->c = o->c;
	if (mdl_mix_cands_need_calib(&r->c)) {
		ret = mdl_calib_lm(r->ex, r->m, &r->fp32, train, o->calib, o->seed, &cal);
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

/* Step 1: every layer x candidate alone, on the selection windows. */
static int mix_sensitivity(struct mix_run *r, char *err, size_t errlen)
{
	struct mdl_lm_eval_opts eo = { .batch = 16 };
	uint32_t L = r->fp32.count, C = r->c.n, i, j, *assign;
	struct mdl_lm_figures f32, f;
	struct mdl_lm_ref ref;
	struct mdl_linset v;
	double t0 = mdl_now();
	int ret;

	ret = mdl_lm_evaluate(r->ex, r->m, &r->fp32, &r->sel, &eo, NULL, &ref, &f32, err, errlen);
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
	printf("sensitivity: %u layers x %u variants on held-out windows 0-%u (%zu positions), "
	       "FP32 %.4f bits/byte\n", L, C, r->o->sel_windows - 1, f32.tokens,
	       f32.bits_per_byte);
	for (i = 0; i < L && !ret; i++) {
		for (j = 0; j < C && !ret; j++) {
			v.l[i] = r->uni[j].l[i];
			ret = mdl_lm_evaluate(r->ex, r->m, &v, &r->sel, &eo, &ref, NULL, &f, err,
					      errlen);
			r->loss[i * C + j] = f.bits_per_byte - f32.bits_per_byte;
			r->kl[i * C + j] = f.kl;
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
	struct mix_cost c;
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
	p->bpb = f.bits_per_byte;
	p->kl = f.kl;
	p->top1 = f.top1_agree;
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
					       "--budgets-%s: budget %.6g %s per decoded token is "
					       "below the cheapest assignment's %.6g %s",
					       metric == MIX_ENERGY ? "uj" : "cycles",
					       r->o->budget[metric][k], mix_metric_unit[metric],
					       cheapest, mix_metric_unit[metric]);
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
	static const double resolution[MIX_METRICS] = { 0.001, 1 };
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

				dominated = b != a && cb <= ca && q->bpb <= p->bpb &&
					    (cb < ca || q->bpb < p->bpb);
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

static int mix_write_points(const struct mix_run *r, double f32)
{
	char path[512], label[512];
	FILE *f = mix_open(r, "points.csv", path, sizeof(path));

	if (!f)
		return -errno;
	fprintf(f, "kind,name,budget_metric,budget,predicted_objective,predicted_cost,bits_per_byte,"
		"delta,kl_nats,top1_agree,uj_per_token,cycles_per_token,dram_bytes_per_token,"
		"pareto_energy,pareto_cycles,layers\n");
	for (uint32_t a = 0; a < r->npt; a++) {
		const struct mix_point *p = &r->pt[a];

		mix_label(r, p->assign, label, sizeof(label));
		fprintf(f, "%s,%s,%s,%.6g,%.6f,%.6g,%.6f,%.6f,%.6f,%.6f,%.4f,%.0f,%.0f,%d,%d,"
			"\"%s\"\n", p->mixed ? "mixed" : "uniform", p->name,
			p->mixed ? mix_metric_name[p->metric] : "", p->budget, p->pred_loss,
			p->pred_cost, p->bpb, p->bpb - f32, p->kl, p->top1, p->cost.uj,
			p->cost.cycles, p->cost.dram, p->pareto[MIX_ENERGY],
			p->pareto[MIX_CYCLES], label);
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
		snprintf(budget, sizeof(budget), "budget %.6g %s per decoded token; predicted "
			 "%s %.6f on the selection windows", p->budget, mix_metric_unit[p->metric],
			 r->o->objective ? "bits/byte change" : "KL (nats)", p->pred_loss);
		ret = mdl_mix_assign_write(f, &r->fp32, &r->c, p->assign, comment);
		if (fclose(f) || ret)
			return -EIO;
	}
	return 0;
}

/*
 * For each uniform model and metric: does a mixed model dominate it, the
 * best bits/byte change at no more cost and the cost saved at no worse
 * bits/byte.
 */
static void mix_dominance(const struct mix_run *r)
{
	for (int metric = 0; metric < MIX_METRICS; metric++) {
		uint32_t dom = 0, nu = 0;

		printf("\nagainst each uniform model, %s per decoded token:\n",
		       mix_metric_name[metric]);
		printf("%-20s %10s %12s %26s %26s\n", "uniform", "bits/byte", mix_metric_unit[metric],
		       "best mixed at <= cost", "cheapest mixed at <= bpb");
		for (uint32_t a = 0; a < r->npt; a++) {
			const struct mix_point *u = &r->pt[a];
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
				if (cq <= cu && q->bpb - u->bpb < bd)
					bd = q->bpb - u->bpb;
				if (q->bpb <= u->bpb && cq < cs)
					cs = cq;
				d |= cq <= cu && q->bpb <= u->bpb && (cq < cu || q->bpb < u->bpb);
			}
			dom += d;
			printf("%-20s %10.4f %12.4g", u->name, u->bpb, cu);
			if (isfinite(bd))
				printf(" %+16.4f bits/byte", bd);
			else
				printf(" %26s", "none that cheap");
			if (isfinite(cs))
				printf(" %+20.2f%% cost", 100.0 * (cs - cu) / cu);
			else
				printf(" %26s", "none that good");
			printf("  %s\n", d ? "dominated" : "not dominated");
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
	struct mdl_lm_figures f32;
	struct mdl_lm_ref ref;
	char label[512];
	double t0;
	int ret;

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
	       "bits/byte changes" : "KL divergences from FP32 (nats)");
	ret = mdl_lm_evaluate(r->ex, r->m, &r->fp32, &r->rep, &eo, NULL, &ref, &f32, err, errlen);
	if (ret)
		goto out;
	printf("report windows %u-%u (%zu positions), FP32 %.4f bits/byte; decode job at "
	       "position %u\n", r->o->rep_from,
	       r->o->rep_from + (uint32_t)((r->rep.len - 1) / r->m->seq_len) - 1, f32.tokens,
	       f32.bits_per_byte, r->o->decode_pos);
	/* the uniform models: measured, and each as the layer costs predict it */
	printf("\n%-20s %10s %9s %9s %10s %12s %12s %12s\n", "uniform", "bits/byte", "delta",
	       "KL", "uJ/token", "predicted", "cycles/tok", "predicted");
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
		printf("%-20s %10.4f %+9.4f %9.5f %10.4f %12.4f %12.0f %12.0f  (%.0f s)\n",
		       uni[j].name, uni[j].bpb, uni[j].bpb - f32.bits_per_byte, uni[j].kl,
		       uni[j].cost.uj, pu,
		       uni[j].cost.cycles, pc, mdl_now() - t0);
		fflush(stdout);
		r->pt[r->npt++] = uni[j];
	}
	if (ret || (ret = mix_search_all(r, uni, err, errlen)))
		goto out_ref;
	printf("\n%-24s %9s %9s %10s %9s %10s %10s %10s  layers\n", "mixed", "predicted",
	       "KL", "bits/byte", "delta", "uJ/token", "cycles", "budget");
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
		printf("%-24s %+9.4f %9.5f %10.4f %+9.4f %10.4f %10.0f %10.4g  %s (%.0f s)\n",
		       p->name, p->pred_loss, p->kl, p->bpb, p->bpb - f32.bits_per_byte,
		       p->cost.uj, p->cost.cycles, p->budget, label, mdl_now() - t0);
		fflush(stdout);
	}
	if (ret)
		goto out_ref;
	mix_pareto(r);
	mix_dominance(r);
	if ((ret = mix_write_sensitivity(r)) || (ret = mix_write_points(r, f32.bits_per_byte)) ||
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

	if ((ret = mdl_llama_load(o->ckpt, &r->m, err, errlen)))
		return ret;
	if ((ret = mdl_lm_linset(r->m, &r->fp32)))
		return mdl_err(err, errlen, ret, "out of memory");
	assign = malloc(sizeof(uint32_t) * r->fp32.count);
	if (!assign)
		return mdl_err(err, errlen, -ENOMEM, "out of memory");
	r->c.n = 0;
	ret = mdl_mix_assign_read(o->pack, &r->fp32, &r->c, assign, err, errlen);
	if (!ret && mdl_mix_cands_need_calib(&r->c) &&
	    mdl_calib_lm(r->ex, r->m, &r->fp32, train, o->calib, o->seed, &cal))
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
		ret = mdl_packed_save_lm(o->save, r->m, &ls, name, &src, err, errlen);
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
	ret = mdl_moby_heldout(o.data ? o.data : MDL_MOBY_DIR, &r.held, err, sizeof(err));
	if (!ret)
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
	mdl_linset_free(&r.fp32, 1);
	mdl_llama_free(r.m);
	mdl_text_free(&train);
	mdl_text_free(&r.held);
	mdl_exec_free(r.ex);
	mdl_pool_destroy(r.pool);
	return ret ? TOOL_EXIT_FAIL : TOOL_EXIT_OK;
}
