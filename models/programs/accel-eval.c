// SPDX-License-Identifier: MIT
/*
 * accel-eval: what each weight format and compression algorithm costs a
 * model in accuracy. Loads an FP32 checkpoint (llama2.c layout, or the QCLS
 * classifier), evaluates it, then every variant with each linear layer
 * packed and run through the datapath GEMM exactly as the device computes.
 * Prints a table on stdout; --csv FILE gets one line per variant.
 * --device also runs each variant's whole model as its device program on
 * the firmware in process (models/mdl_lm_program.h, mdl_cls_program.h):
 * every op with the device's numerics, and what it costs the modeled
 * device. Every delta against FP32 carries a paired bootstrap 95 %
 * interval over the held-out windows or test images (mdl_bootstrap.h):
 * delta_lo / delta_hi in the CSV (the last columns) and the JSON.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dp_gemm.h"
#include "mdl_backend.h"
#include "mdl_bootstrap.h"
#include "mdl_calib.h"
#include "mdl_cls_program.h"
#include "mdl_eval.h"
#include "mdl_lm_fwrun.h"
#include "mdl_lm_infer.h"
#include "mdl_packed.h"
#include "mdl_util.h"
#include "mdl_variant.h"
#include "tool_cli.h"
#include "tool_json.h"

#ifndef MDL_MOBY_DIR
#define MDL_MOBY_DIR "/var/cache/quasar/data/moby-dick-0.2.3/data"
#endif
#ifndef MDL_FMNIST_DIR
#define MDL_FMNIST_DIR "/usr/share/datasets/fashion-mnist"
#endif
#define MDL_VARIANTS_MAX 128

struct mdl_eval_opts {
	const char *ckpt, *data, *variants, *csv, *ref, *tag, *save_packed, *packed;
	uint32_t threads, golden, calib, limit, device;
	int json;		/* --json: a JSON object per row on stdout, the table on stderr */
	uint32_t calib_seq;	/* --calib-mode sequential: mdl_variant_build_seq */
	uint32_t val;		/* --eval-on val: the validation split (mdl_data.h) */
	uint32_t vs_default;	/* --vs-default: ALGO:KEY=VALUE rows against ALGO's defaults */
	uint64_t seed;
	struct mdl_lm_eval_opts lm;
};

static void mdl_usage(FILE *f)
{
	fprintf(f,
		"Usage: accel-eval [options] CHECKPOINT\n"
		"  or:  accel-eval [options] --packed FILE.qpk --ref CHECKPOINT\n"
		"Measures what each weight format and compression algorithm costs a model.\n\n"
		"It evaluates the FP32 checkpoint, then every variant with each linear layer\n"
		"packed and run through the datapath GEMM exactly as the device computes, and\n"
		"prints a table (with --json, one JSON object per row on stdout, the table on\n"
		"stderr).\n\n"
		"Options:\n"
		"  --variants LIST  comma-separated FORMAT/ACT[/ALGO] specs, or 'all' (default)\n"
		"  --csv FILE       write one CSV line per variant\n"
		"  --data DIR       Moby Dick data/ (LM, default %s)\n"
		"                   or Fashion-MNIST (classifier, default %s)\n"
		"  --threads N      worker threads, 1 to %u (default 2, or $MDL_THREADS)\n"
		"  --golden         run every datapath op with the scalar golden model (slow;\n"
		"                   the SIMD kernels are bit-exact with it)\n"
		"  --device         also each variant's whole model as its device program on the\n"
		"                   firmware in process (fwrun): attention, norms, softmax and\n"
		"                   the rest on the datapath too, and the modeled cost per token\n"
		"                   (LM) or image (classifier); a second row per variant\n"
		"  --windows N      LM: first N held-out windows only (default all)\n"
		"  --prompts N --prompt-len N --gen N   LM greedy generation (64, 64, 64)\n"
		"  --limit N        classifier: first N test images only (default all)\n"
		"  --calib N        calibration samples from the training split for algorithms\n"
		"                   that need them (LM windows, default 16; images, default 1024)\n"
		"  --seed N         calibration sample seed (default 1)\n"
		"  --eval-on SPLIT  test (default): the held-out data, calibration from the\n"
		"                   whole training split; val: the validation split carved from\n"
		"                   the training data (LM chapters 111-120, images 50,000-59,999),\n"
		"                   calibration from the rest of it (for choosing defaults)\n"
		"  --calib-mode M   fp32 (default): every layer calibrated on the FP32 model's\n"
		"                   inputs; sequential: on the outputs of the already-compressed\n"
		"                   layers before it (docs/models.md: no better here)\n"
		"  --ref CKPT       the FP32 model the metrics compare with (default CHECKPOINT),\n"
		"                   e.g. the original of a QAT or distilled CHECKPOINT\n"
		"  --tag NAME       name the algorithm column NAME (what produced CHECKPOINT)\n"
		"  --save-packed DIR  write each variant as DIR/<model>-<variant>.qpk (packed\n"
		"                   device formats, docs/models.md)\n"
		"  --packed FILE    evaluate a packed checkpoint instead of variants; --ref is the\n"
		"                   FP32 model the metrics compare with\n"
		"  --vs-default     each variant that sets hyperparameters (ALGO:KEY=VALUE) also\n"
		"                   against the same FORMAT/ACT/ALGO at its defaults, listed\n"
		"                   before it: the difference and its paired bootstrap interval\n"
		"                   (CSV columns vs_default, vs_default_lo, vs_default_hi)\n"
		"  --list           list formats, activation modes and algorithms\n"
		"FORMAT: bf16 int8 int4-gG[-asym] mxint8 mxfp8 mxfp4 nvfp4 nvfp4-1l sp-bf16\n"
		"        sp-int8 sp-int4-gG[-asym] (G = 32, 64, 128); ACT: a16 a8\n"
		"KEY:    damp (gptq, gptq-ao, sparsegpt: Hessian damping, 0 to 10), grid (awq:\n"
		"        alpha grid size, 1 to 1000), alpha (smooth: migration strength, 0 to 1);\n"
		"        e.g. int4-g32/a16/gptq:damp=0.1 (make hparam-select sweeps them)\n",
		MDL_MOBY_DIR, MDL_FMNIST_DIR, MDL_THREADS_MAX);
}

static void mdl_list(void)
{
	struct mdl_variant v[MDL_VARIANTS_MAX];
	uint32_t n = mdl_variant_defaults(v, MDL_VARIANTS_MAX), i;
	const struct mdl_algo *a;

	printf("algorithms:\n");
	for (i = 0; (a = mdl_algo_at(i)); i++)
		printf("  %-8s %s (%s formats%s%s)\n", a->name, a->desc, a->sparse ? "2:4" : "dense",
		       a->needs_calib ? ", calibrated" : "",
		       a->hparams & MDL_HP_DAMP ? "; :damp=" : a->hparams & MDL_HP_GRID ?
		       "; :grid=" : a->hparams & MDL_HP_ALPHA ? "; :alpha=" : "");
	printf("default variants (--variants all):\n");
	for (i = 0; i < n; i++)
		printf("  %s\n", v[i].name);
}

static void mdl_parse(int argc, char **argv, struct mdl_eval_opts *o, struct tool_cli *cli)
{
	static const struct option opts[] = {
		{ "variants", 1, 0, 'v' }, { "csv", 1, 0, 'c' }, { "data", 1, 0, 'd' },
		{ "threads", 1, 0, 'j' }, { "golden", 0, 0, 'G' }, { "windows", 1, 0, 'w' },
		{ "prompts", 1, 0, 'p' }, { "prompt-len", 1, 0, 'P' }, { "gen", 1, 0, 'g' },
		{ "limit", 1, 0, 'n' }, { "calib", 1, 0, 'C' }, { "seed", 1, 0, 'S' },
		{ "ref", 1, 0, 'R' }, { "tag", 1, 0, 'T' }, { "list", 0, 0, 'l' },
		{ "save-packed", 1, 0, 'D' }, { "packed", 1, 0, 'K' }, { "calib-mode", 1, 0, 'M' },
		{ "device", 0, 0, 'E' }, { "eval-on", 1, 0, 'O' }, { "vs-default", 0, 0, 'B' },
		{ 0, 0, 0, 0 }
	};
	static const char *const modes[] = { "fp32", "sequential", NULL };
	static const char *const splits[] = { "test", "val", NULL };
	int c;

	memset(o, 0, sizeof(*o));
	o->variants = "all";
	o->threads = mdl_threads_default(2);
	o->seed = 1;
	mdl_lm_eval_opts_default(&o->lm);
	while ((c = tool_cli_getopt(cli, argc, argv, "", opts)) != -1) {
		switch (c) {
		case 'v': o->variants = optarg; break;
		case 'c': o->csv = optarg; break;
		case 'd': o->data = optarg; break;
		case 'j': o->threads = tool_cli_u32("--threads", optarg, 1, MDL_THREADS_MAX); break;
		case 'G': o->golden = 1; break;
		case 'w': o->lm.windows = tool_cli_u32("--windows", optarg, 0, UINT32_MAX); break;
		case 'p': o->lm.prompts = tool_cli_u32("--prompts", optarg, 0, UINT32_MAX); break;
		case 'P':
			o->lm.prompt_len = tool_cli_u32("--prompt-len", optarg, 1, UINT32_MAX);
			break;
		case 'g': o->lm.gen_len = tool_cli_u32("--gen", optarg, 0, UINT32_MAX); break;
		case 'n': o->limit = tool_cli_u32("--limit", optarg, 0, UINT32_MAX); break;
		case 'C': o->calib = tool_cli_u32("--calib", optarg, 0, UINT32_MAX); break;
		case 'S': o->seed = tool_cli_u64("--seed", optarg, 0, UINT64_MAX); break;
		case 'R': o->ref = optarg; break;
		case 'T': o->tag = optarg; break;
		case 'D': o->save_packed = optarg; break;
		case 'K': o->packed = optarg; break;
		case 'E': o->device = 1; break;
		case 'B': o->vs_default = 1; break;
		case 'O': o->val = tool_cli_choice("--eval-on", optarg, splits); break;
		case 'M': o->calib_seq = tool_cli_choice("--calib-mode", optarg, modes); break;
		case 'l': mdl_list(); exit(0);
		}
	}
	o->json = cli->json;
	if (o->packed) {
		/* the packed file is the model; the FP32 one only gives the reference */
		if (optind != argc || !o->ref || o->save_packed || o->tag || o->vs_default)
			tool_cli_usage_error("--packed FILE needs --ref CKPT and no CHECKPOINT, "
					     "--save-packed, --tag or --vs-default");
		o->ckpt = o->packed;
		return;
	}
	if (optind == argc)
		tool_cli_usage_error("the checkpoint CHECKPOINT is needed");
	if (optind + 1 != argc)
		tool_cli_usage_error("one checkpoint only, not '%s'", argv[optind + 1]);
	o->ckpt = argv[optind];
}

/* Parses --variants into v[]; returns the count or a negative errno. */
static int mdl_variants(const char *list, struct mdl_variant *v, uint32_t max)
{
	char buf[4096], *tok, *save;
	char err[256];
	uint32_t n = 0;

	if (!strcmp(list, "all"))
		return (int)mdl_variant_defaults(v, max);
	if (strlen(list) >= sizeof(buf))
		tool_cli_usage_error("--variants: a list of %zu characters, more than %zu",
				     strlen(list), sizeof(buf) - 1);
	strcpy(buf, list);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (n == max)
			tool_cli_usage_error("--variants: more than %u variants", max);
		if (mdl_variant_parse(tok, &v[n], err, sizeof(err)))
			tool_cli_usage_error("--variants '%s': %s", tok, err);
		n++;
	}
	return (int)n;
}

/*
 * --vs-default: the variant at i's FORMAT/ACT/ALGO with no hyperparameter
 * set, the first listed before it; -1 if none.
 */
static int mdl_default_of(const struct mdl_variant *v, int i)
{
	int j;

	for (j = 0; j < i; j++)
		if (!v[j].hp.set && v[j].algo == v[i].algo && v[j].afmt == v[i].afmt &&
		    !strcmp(v[j].fmt_name, v[i].fmt_name))
			return j;
	return -1;
}

/* --vs-default: every variant that sets hyperparameters has its default before it. */
static void mdl_vs_default_check(const struct mdl_variant *v, int n)
{
	char base[MDL_VARIANT_NAME];
	int i;

	for (i = 0; i < n; i++)
		if (v[i].hp.set && mdl_default_of(v, i) < 0) {
			snprintf(base, sizeof(base), "%s", v[i].name);
			base[strcspn(base, ":")] = 0;
			tool_cli_usage_error("--vs-default: %s needs %s listed before it in "
					     "--variants", v[i].name, base);
		}
}

static int mdl_any_calib(const struct mdl_variant *v, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (v[i].algo->needs_calib)
			return 1;
	return 0;
}

struct mdl_run {
	struct mdl_eval_opts *o;
	struct mdl_exec *ex;
	struct mdl_variant *v;
	int nv;
	int cur;			/* the variant being measured */
	double **units;			/* --vs-default: per variant at its defaults, its units */
	FILE *csv;
	FILE *json;			/* --json: the rows as objects (the table: stderr) */
	struct mdl_packed pk;		/* --packed: the model */
	struct mdl_packed_src src;	/* --save-packed: identity of CHECKPOINT */
	char model[64];			/* --save-packed: CHECKPOINT's base name */
};

/* The variant as shown: with --tag, the algorithm that produced the checkpoint. */
static const char *mdl_shown(const struct mdl_eval_opts *o, const struct mdl_variant *v)
{
	static char buf[MDL_VARIANT_NAME + 32];

	if (!o->tag)
		return v->name;
	snprintf(buf, sizeof(buf), "%s/%s/%s", v->fmt_name,
		 v->afmt == DP_A_INT8 ? "a8" : "a16", o->tag);
	return buf;
}

/* Device bytes of the linear layers' weights (FP32: 4 per weight) and bits per weight. */
static void mdl_row_size(const struct mdl_linset *ls, size_t *bytes, double *bpw)
{
	*bytes = mdl_linset_bytes(ls);
	*bpw = 8.0 * (double)*bytes / (double)mdl_linset_params(ls);
}

/*
 * The paired bootstrap interval of a delta against FP32 (1000 resamples of
 * the units, seed 1, 95 %): per unit, @ref the FP32 model's figure and
 * @var the variant's. Returns 0, or 1 after a message.
 */
static int mdl_delta_ci(const double *ref, const double *var, uint32_t n, double ci[2])
{
	int ret = mdl_bootstrap_paired(ref, var, n, MDL_BOOT_RESAMPLES, MDL_BOOT_SEED,
				       MDL_BOOT_LEVEL, &ci[0], &ci[1]);

	if (ret)
		fprintf(stderr, "accel-eval: bootstrap interval over %u units failed (%d)\n", n,
			ret);
	return ret ? 1 : 0;
}

/* A result row's name and CSV columns. */
struct mdl_row {
	char shown[MDL_VARIANT_NAME + 32];
	char fmt[MDL_VARIANT_NAME], act[8], algo[MDL_VARIANT_NAME];
};

/* For a variant (with --tag, the algorithm that produced CHECKPOINT) or, v NULL, the packed file. */
static void mdl_row_names(const struct mdl_run *r, const struct mdl_variant *v,
			  struct mdl_row *row)
{
	char buf[MDL_PACKED_NAME], *act, *algo;

	if (v) {
		snprintf(row->shown, sizeof(row->shown), "%s", mdl_shown(r->o, v));
		snprintf(row->fmt, sizeof(row->fmt), "%s", v->fmt_name);
		snprintf(row->act, sizeof(row->act), "%s", v->afmt == DP_A_INT8 ? "a8" : "a16");
		snprintf(row->algo, sizeof(row->algo), "%s", r->o->tag ? r->o->tag : v->algo->name);
		return;
	}
	/* the packed file names its recipe FORMAT/ACT/ALGO */
	snprintf(row->shown, sizeof(row->shown), "%s", r->pk.variant);
	snprintf(buf, sizeof(buf), "%s", r->pk.variant);
	act = strchr(buf, '/');
	if (act)
		*act++ = 0;
	algo = act ? strchr(act, '/') : NULL;
	if (algo)
		*algo++ = 0;
	snprintf(row->fmt, sizeof(row->fmt), "%s", buf);
	snprintf(row->act, sizeof(row->act), "%s", act ? act : "?");
	snprintf(row->algo, sizeof(row->algo), "%s", algo ? algo : "?");
}

/* --save-packed: DIR/<model>-<variant with '-' for '/'>.qpk */
static int mdl_save_row(const struct mdl_run *r, const struct mdl_row *row,
			const struct mdl_llama *m, const struct mdl_cls *c,
			const struct mdl_linset *ls)
{
	char path[4096], name[sizeof(row->shown)], err[512], *p;
	int ret;

	if (!r->o->save_packed)
		return 0;
	snprintf(name, sizeof(name), "%s", row->shown);
	for (p = name; *p; p++)
		if (*p == '/')
			*p = '-';
	snprintf(path, sizeof(path), "%s/%s-%s.qpk", r->o->save_packed, r->model, name);
	ret = m ? mdl_packed_save_lm(path, m, ls, row->shown, &r->src, err, sizeof(err)) :
		  mdl_packed_save_cls(path, c, ls, row->shown, &r->src, err, sizeof(err));
	if (ret)
		fprintf(stderr, "accel-eval: %s\n", err);
	return ret;
}

/* A variant's layer set, calibrated as --calib-mode says. */
static int mdl_build(const struct mdl_run *r, const struct mdl_variant *v,
		     const struct mdl_linset *fp32, const struct mdl_calib_src *src,
		     const struct mdl_calib_set *cal, struct mdl_linset *ls, char *err,
		     size_t errlen)
{
	if (!r->o->calib_seq || !v->algo->needs_calib)
		return mdl_variant_build(v, fp32, cal->c ? cal : NULL, ls, err, errlen);
	return mdl_variant_build_seq(v, fp32, src, ls, err, errlen);
}

/*
 * --json: starts a row's object with what names it; the caller adds the
 * figures (the same as the table's row) and ends it. @on is "host" (the
 * linear layers through the datapath) or "fwrun" (--device: the whole model
 * as its device program on the firmware in process).
 */
static void mdl_json_row(const struct mdl_run *r, struct tool_json *j, const char *model,
			 const struct mdl_row *row, const char *on)
{
	tool_json_begin(j, r->json);
	tool_json_str(j, "model", model);
	tool_json_str(j, "variant", row ? row->shown : "fp32");
	tool_json_str(j, "format", row ? row->fmt : "fp32");
	tool_json_str(j, "act", row ? row->act : "fp32");
	tool_json_str(j, "algo", row ? row->algo : "none");
	tool_json_str(j, "on", on);
}

/*
 * Measures one layer set of the model and prints its row (and CSV line):
 * 0, or 1 after a message. @ctx is the model kind's reference figures.
 */
typedef int (*mdl_row_fn)(struct mdl_run *r, const void *ctx, const struct mdl_row *row,
			  const struct mdl_linset *ls, double t0);

/*
 * The variant loop both model kinds share: calibration capture on the FP32
 * model (unless --calib-mode sequential), then every variant built, saved
 * (--save-packed) and measured by @row_fn. @m or @c is the model. Returns
 * 0, or 1 after a message.
 */
static int mdl_run_variants(struct mdl_run *r, const struct mdl_linset *fp32,
			    const struct mdl_calib_src *src, const struct mdl_llama *m,
			    const struct mdl_cls *c, mdl_row_fn row_fn, const void *ctx)
{
	struct mdl_calib_set cal = { 0 };
	struct mdl_linset ls;
	struct mdl_row row;
	char err[512];
	double t0;
	int i, ret = 0;

	if (mdl_any_calib(r->v, r->nv) && !r->o->calib_seq &&
	    (ret = mdl_calib_capture(src, fp32, MDL_CALIB_ALL, &cal))) {
		fprintf(stderr, "accel-eval: calibration capture failed (%d)\n", ret);
		return 1;
	}
	for (i = 0; i < r->nv && !ret; i++) {
		const struct mdl_variant *v = &r->v[i];

		t0 = mdl_now();
		r->cur = i;
		ret = mdl_build(r, v, fp32, src, &cal, &ls, err, sizeof(err));
		if (ret) {
			fprintf(stderr, "accel-eval: %s\n", err);
			mdl_calib_free(&cal);
			return 1;
		}
		mdl_row_names(r, v, &row);
		ret = mdl_save_row(r, &row, m, c, &ls);
		if (!ret)
			ret = row_fn(r, ctx, &row, &ls, t0);
		mdl_linset_free(&ls, 0);
	}
	mdl_calib_free(&cal);
	return ret ? 1 : 0;
}

/*
 * --vs-default: the current variant's metric against its FORMAT/ACT/ALGO
 * at the defaults (mdl_default_of), over the same units: the mean
 * difference (variant minus default) and its paired bootstrap interval in
 * vd[0..2]; NAN when the variant sets no hyperparameter. A variant at its
 * defaults keeps a copy of its units for the ones after it. Returns 0, or 1
 * after a message.
 */
static int mdl_vs_default(struct mdl_run *r, const double *units, uint32_t n, double vd[3])
{
	const struct mdl_variant *v = &r->v[r->cur];
	double sum = 0;
	uint32_t i;
	int d;

	vd[0] = vd[1] = vd[2] = NAN;
	if (!r->o->vs_default)
		return 0;
	if (!v->hp.set) {
		free(r->units[r->cur]);
		r->units[r->cur] = malloc(sizeof(double) * (n ? n : 1));
		if (!r->units[r->cur]) {
			fprintf(stderr, "accel-eval: out of memory\n");
			return 1;
		}
		memcpy(r->units[r->cur], units, sizeof(double) * n);
		return 0;
	}
	d = mdl_default_of(r->v, r->cur);	/* mdl_vs_default_check: there is one */
	for (i = 0; i < n; i++)
		sum += units[i] - r->units[d][i];
	vd[0] = n ? sum / n : 0;
	return mdl_delta_ci(r->units[d], units, n, &vd[1]);
}

/* The table's extra line for mdl_vs_default's figures (none at the defaults). */
static void mdl_vs_default_print(const struct mdl_run *r, const double vd[3])
{
	if (isnan(vd[0]))
		return;
	printf("%-26s vs %s at its defaults: %+.4f [%+.4f, %+.4f]\n", "", r->v[r->cur].algo->name,
	       vd[0], vd[1], vd[2]);
}

static void mdl_vs_default_json(struct tool_json *j, const double vd[3])
{
	if (isnan(vd[0]))
		return;
	tool_json_double(j, "vs_default", vd[0]);
	tool_json_double(j, "vs_default_lo", vd[1]);
	tool_json_double(j, "vs_default_hi", vd[2]);
}

/*
 * Ends a variant's CSV line with the columns appended last: the interval
 * of its delta (delta_lo, delta_hi), with --device the device row's
 * (dev_delta_lo, dev_delta_hi) and with --vs-default mdl_vs_default's.
 */
static void mdl_csv_ci_end(const struct mdl_run *r, const double ci[2], const double dci[2],
			   const double vd[3])
{
	if (!r->csv)
		return;
	fprintf(r->csv, ",%.6f,%.6f", ci[0], ci[1]);
	if (r->o->device)
		fprintf(r->csv, ",%.6f,%.6f", dci[0], dci[1]);
	if (r->o->vs_default && isnan(vd[0]))
		fprintf(r->csv, ",,,");
	else if (r->o->vs_default)
		fprintf(r->csv, ",%.6f,%.6f,%.6f", vd[0], vd[1], vd[2]);
	fprintf(r->csv, "\n");
	fflush(r->csv);	/* a long run stopped keeps the rows it finished */
}

/* The CSV header's last columns (mdl_csv_ci_end), and the FP32 row's (empty). */
static const char *mdl_csv_ci_header(const struct mdl_run *r)
{
	static const char *const h[2][2] = {
		{ ",delta_lo,delta_hi", ",delta_lo,delta_hi,vs_default,vs_default_lo,vs_default_hi" },
		{ ",delta_lo,delta_hi,dev_delta_lo,dev_delta_hi",
		  ",delta_lo,delta_hi,dev_delta_lo,dev_delta_hi,vs_default,vs_default_lo,"
		  "vs_default_hi" },
	};

	return h[!!r->o->device][!!r->o->vs_default];
}

static const char *mdl_csv_ci_none(const struct mdl_run *r)
{
	static const char *const none[2][2] = { { ",,", ",,,,," }, { ",,,,", ",,,,,,," } };

	return none[!!r->o->device][!!r->o->vs_default];
}

/* What an LM row is measured on and compared with. */
struct mdl_lm_rows {
	const struct mdl_llama *m;	/* the non-linear parameters */
	const struct mdl_text *held;
	const struct mdl_lm_ref *ref;
	const struct mdl_lm_figures *f32;
	const double *f32_bits;		/* the FP32 model's bits per byte, per window */
	double *bits;			/* a variant's (scratch) */
};

/* The modeled cost per item of @st summed over @items: cycles, uJ, DRAM bytes. */
static void mdl_dev_cost(const struct accel_job_stats *st, uint64_t items, double *cyc,
			 double *uj, double *dram)
{
	struct accel_job_cost cost;

	accel_job_cost(st, &cost);
	*cyc = items ? (double)st->cycles / (double)items : 0;
	*uj = items ? cost.energy_uj / (double)items : 0;
	*dram = items ? (double)cost.dram_bytes / (double)items : 0;
}

/*
 * --device: the variant's whole model as its device program on fwrun,
 * the same metrics through it, as a second row (and more CSV columns).
 */
static int mdl_row_lm_device(struct mdl_run *r, const struct mdl_lm_rows *x,
			     const struct mdl_row *row, const struct mdl_linset *ls, double ci[2])
{
	struct mdl_eval_opts *o = r->o;
	uint32_t seqs = o->lm.batch > o->lm.prompts ? o->lm.batch : o->lm.prompts;
	struct mdl_lm_figures f;
	struct mdl_lm_fwrun *d;
	struct mdl_lm_fwd fwd;
	struct accel_job_stats sum;
	uint64_t jobs, tokens;
	double t0 = mdl_now(), cyc, uj, dram;
	char err[512];
	int ret;

	ret = mdl_lm_fwrun_create(x->m, ls, mdl_exec_pool(r->ex), seqs, !o->golden, &d, err,
				  sizeof(err));
	if (!ret) {
		fwd = (struct mdl_lm_fwd){ mdl_lm_fwrun_forward, d, seqs };
		o->lm.window_bits = x->bits;
		ret = mdl_lm_evaluate_on(&fwd, x->m, x->held, &o->lm, x->ref, &f, err,
					 sizeof(err));
		o->lm.window_bits = NULL;
		mdl_lm_fwrun_totals(d, &sum, &jobs, &tokens);
		mdl_lm_fwrun_free(d);
	}
	if (ret) {
		fprintf(stderr, "accel-eval: on the device: %s\n", err);
		return 1;
	}
	if (mdl_delta_ci(x->f32_bits, x->bits, f.windows, ci))
		return 1;
	mdl_dev_cost(&sum, tokens, &cyc, &uj, &dram);
	printf("%-26s %9s %6s %10.4f %+8.4f %9.5f %8.4f %8.4f %6.1f  per token %.0f cycles, "
	       "%.2f uJ, %.0f DRAM bytes (%llu jobs); delta 95%% CI [%+.4f, %+.4f]\n",
	       "  on the device", "", "", f.bits_per_byte, f.bits_per_byte - x->f32->bits_per_byte,
	       f.kl, f.top1_agree, f.gen_agree, mdl_now() - t0, cyc, uj, dram,
	       (unsigned long long)jobs, ci[0], ci[1]);
	fflush(stdout);
	if (r->csv)
		fprintf(r->csv, ",%.6f,%.6f,%.6f,%.6f,%.1f,%.4f,%.1f", f.bits_per_byte, f.kl,
			f.top1_agree, f.gen_agree, cyc, uj, dram);
	if (o->json) {
		struct tool_json j;

		mdl_json_row(r, &j, "lm", row, "fwrun");
		tool_json_double(&j, "bits_per_byte", f.bits_per_byte);
		tool_json_double(&j, "delta", f.bits_per_byte - x->f32->bits_per_byte);
		tool_json_double(&j, "kl_nats", f.kl);
		tool_json_double(&j, "top1_agree", f.top1_agree);
		tool_json_double(&j, "gen_agree", f.gen_agree);
		tool_json_double(&j, "delta_lo", ci[0]);
		tool_json_double(&j, "delta_hi", ci[1]);
		tool_json_double(&j, "cycles_per_token", cyc);
		tool_json_double(&j, "uj_per_token", uj);
		tool_json_double(&j, "dram_bytes_per_token", dram);
		tool_json_u64(&j, "jobs", jobs);
		tool_json_double(&j, "seconds", mdl_now() - t0);
		tool_json_end(&j);
	}
	return 0;
}

static int mdl_row_lm(struct mdl_run *r, const void *ctx, const struct mdl_row *row,
		      const struct mdl_linset *ls, double t0)
{
	const struct mdl_lm_rows *x = ctx;
	const struct mdl_lm_figures *f32 = x->f32;
	struct mdl_lm_figures f;
	double ci[2], dci[2], vd[3];
	char err[512];
	size_t bytes;
	double bpw;
	int ret;

	r->o->lm.window_bits = x->bits;
	ret = mdl_lm_evaluate(r->ex, x->m, ls, x->held, &r->o->lm, x->ref, NULL, &f, err,
			      sizeof(err));
	r->o->lm.window_bits = NULL;
	if (ret) {
		fprintf(stderr, "accel-eval: %s\n", err);
		return 1;
	}
	if (mdl_delta_ci(x->f32_bits, x->bits, f.windows, ci) ||
	    mdl_vs_default(r, x->bits, f.windows, vd))
		return 1;
	mdl_row_size(ls, &bytes, &bpw);
	printf("%-26s %9zu %6.2f %10.4f %+8.4f %9.5f %8.4f %8.4f %6.1f [%+.4f, %+.4f]\n",
	       row->shown, bytes, bpw, f.bits_per_byte, f.bits_per_byte - f32->bits_per_byte, f.kl,
	       f.top1_agree, f.gen_agree, mdl_now() - t0, ci[0], ci[1]);
	mdl_vs_default_print(r, vd);
	fflush(stdout);
	if (r->csv)
		fprintf(r->csv, "lm,%s,%s,%s,%s,%zu,%.4f,%.6f,%.6f,%.6f,%.6f", row->shown,
			row->fmt, row->act, row->algo, bytes, bpw, f.bits_per_byte, f.kl,
			f.top1_agree, f.gen_agree);
	if (r->o->json) {
		struct tool_json j;

		mdl_json_row(r, &j, "lm", row, "host");
		tool_json_u64(&j, "weight_bytes", bytes);
		tool_json_double(&j, "bits_per_weight", bpw);
		tool_json_double(&j, "bits_per_byte", f.bits_per_byte);
		tool_json_double(&j, "delta", f.bits_per_byte - f32->bits_per_byte);
		tool_json_double(&j, "kl_nats", f.kl);
		tool_json_double(&j, "top1_agree", f.top1_agree);
		tool_json_double(&j, "gen_agree", f.gen_agree);
		tool_json_double(&j, "delta_lo", ci[0]);
		tool_json_double(&j, "delta_hi", ci[1]);
		mdl_vs_default_json(&j, vd);
		tool_json_double(&j, "seconds", mdl_now() - t0);
		tool_json_end(&j);
	}
	if (r->o->device && mdl_row_lm_device(r, x, row, ls, dci))
		return 1;
	mdl_csv_ci_end(r, ci, dci, vd);
	return 0;
}

static int mdl_run_lm(struct mdl_run *r)
{
	struct mdl_eval_opts *o = r->o;
	const char *dir = o->data ? o->data : MDL_MOBY_DIR;
	struct mdl_text train = { 0 }, held = { 0 };
	struct mdl_calib_src src;
	struct mdl_linset fp32 = { 0 }, rls;
	struct mdl_lm_figures f32;
	struct mdl_lm_ref ref;
	struct mdl_lm_rows rows = { .held = &held, .ref = &ref, .f32 = &f32 };
	struct mdl_llama *m = NULL, *rm = NULL;
	struct mdl_row row;
	double *f32_bits = NULL, *bits = NULL;
	char err[512];
	size_t bytes;
	double bpw, t0;
	uint32_t nw;
	int ret;

	if ((o->packed ? (m = r->pk.lm, 0) : (ret = mdl_llama_load(o->ckpt, &m, err, sizeof(err)))) ||
	    (o->ref && (ret = mdl_llama_load(o->ref, &rm, err, sizeof(err)))) ||
	    (ret = (o->val ? mdl_moby_val : mdl_moby_heldout)(dir, &held, err, sizeof(err))) ||
	    (ret = (o->val ? mdl_moby_fit : mdl_moby_train)(dir, &train, err, sizeof(err)))) {
		fprintf(stderr, "accel-eval: %s\n", err);
		return 1;
	}
	if (rm && (rm->vocab != m->vocab || rm->seq_len != m->seq_len)) {
		fprintf(stderr, "accel-eval: --ref %s: another vocabulary or context\n", o->ref);
		return 1;
	}
	if (!rm)
		rm = m;
	nw = mdl_lm_eval_windows(m, &held, &o->lm);
	f32_bits = calloc(nw + 1, sizeof(*f32_bits));
	bits = calloc(nw + 1, sizeof(*bits));
	if (!f32_bits || !bits || (!o->packed && mdl_lm_linset(m, &fp32)) ||
	    (rm != m && mdl_lm_linset(rm, &rls))) {
		fprintf(stderr, "accel-eval: out of memory\n");
		return 1;
	}
	printf("model %s: llama2.c layout, dim %u, hidden %u, %u layers, %u/%u heads, vocab %u "
	       "(%s), seq %u; %zu linear weights in %u layers\n", o->ckpt, m->dim, m->hidden,
	       m->layers, m->heads, m->kv_heads, m->vocab, m->tied ? "tied" : "untied", m->seq_len,
	       mdl_linset_params(o->packed ? &r->pk.ls : &fp32),
	       (o->packed ? &r->pk.ls : &fp32)->count);
	t0 = mdl_now();
	o->lm.window_bits = f32_bits;
	ret = mdl_lm_evaluate(r->ex, rm, rm == m ? &fp32 : &rls, &held, &o->lm, NULL, &ref, &f32,
			      err, sizeof(err));
	o->lm.window_bits = NULL;
	if (ret) {
		fprintf(stderr, "accel-eval: %s\n", err);
		return 1;
	}
	if (o->val)
		printf("validation: chapters %u-%u (calibration from %u-%u)", MDL_MOBY_VAL_FIRST,
		       MDL_MOBY_TRAIN_LAST, MDL_MOBY_TRAIN_FIRST, MDL_MOBY_VAL_FIRST - 1);
	else
		printf("held-out: chapters %u-%u + epilogue", MDL_MOBY_TRAIN_LAST + 1,
		       MDL_MOBY_LAST);
	printf(", %zu positions in windows of %u; greedy: %u prompts x %u bytes after %u\n\n",
	       f32.tokens, m->seq_len, o->lm.prompts, o->lm.gen_len, o->lm.prompt_len);
	printf("%-26s %9s %6s %10s %8s %9s %8s %8s %6s %s\n", "variant", "bytes", "bits/w",
	       "bits/byte", "delta", "KL nats", "top1=", "gen=", "s", "delta 95% CI");
	mdl_row_size(rm == m ? &fp32 : &rls, &bytes, &bpw);
	printf("%-26s %9zu %6.2f %10.4f %8s %9s %8s %8s %6.1f\n", "fp32", bytes, bpw,
	       f32.bits_per_byte, "-", "-", "-", "-", mdl_now() - t0);
	if (o->json) {
		struct tool_json j;

		mdl_json_row(r, &j, "lm", NULL, "host");
		tool_json_u64(&j, "weight_bytes", bytes);
		tool_json_double(&j, "bits_per_weight", bpw);
		tool_json_double(&j, "bits_per_byte", f32.bits_per_byte);
		tool_json_u64(&j, "positions", f32.tokens);
		tool_json_double(&j, "seconds", mdl_now() - t0);
		tool_json_end(&j);
	}
	if (r->csv) {
		fprintf(r->csv, "model,variant,format,act,algo,weight_bytes,bits_per_weight,"
			"bits_per_byte,kl_nats,top1_agree,gen_agree%s%s\n", o->device ?
			",dev_bits_per_byte,dev_kl_nats,dev_top1_agree,dev_gen_agree,"
			"dev_cycles_per_token,dev_uj_per_token,dev_dram_bytes_per_token" : "",
			mdl_csv_ci_header(r));
		fprintf(r->csv, "lm,fp32,fp32,fp32,none,%zu,%.4f,%.6f,0,1,1%s%s\n", bytes, bpw,
			f32.bits_per_byte, o->device ? ",,,,,,," : "", mdl_csv_ci_none(r));
	}
	rows.m = m;
	rows.f32_bits = f32_bits;
	rows.bits = bits;
	if (o->packed) {
		mdl_row_names(r, NULL, &row);
		ret = mdl_row_lm(r, &rows, &row, &r->pk.ls, mdl_now());
		m = NULL;	/* r->pk owns it */
		goto out;
	}
	src = (struct mdl_calib_src){ .ex = r->ex, .lm = m, .text = &train,
				      .n = o->calib ? o->calib : 16, .seed = o->seed };
	ret = mdl_run_variants(r, &fp32, &src, m, NULL, mdl_row_lm, &rows);
out:
	mdl_lm_ref_free(&ref);
	mdl_linset_free(&fp32, 1);
	if (rm != m && rm != r->pk.lm) {
		mdl_linset_free(&rls, 1);
		mdl_llama_free(rm);
	}
	mdl_llama_free(m);
	mdl_text_free(&train);
	mdl_text_free(&held);
	free(f32_bits);
	free(bits);
	return ret ? 1 : 0;
}

/* What a classifier row is measured on and compared with. */
struct mdl_cls_rows {
	const struct mdl_cls *c;	/* the non-linear parameters */
	const struct mdl_images *test;
	const uint8_t *ref;		/* the FP32 model's predictions */
	const struct mdl_cls_figures *f32;
	const double *f32_ok;		/* per image: 1 if FP32 is right, else 0 */
	double *ok;			/* a variant's (scratch) */
	uint8_t *pred;			/* a variant's predictions (scratch) */
};

/* ok[i] = 1 where pred[i] is image i's label, else 0. */
static void mdl_cls_right(const struct mdl_images *im, const uint8_t *pred, uint32_t n,
			  double *ok)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		ok[i] = pred[i] == im->labels[i];
}

/* --device: the classifier's device program on fwrun over the same images. */
static int mdl_row_cls_device(struct mdl_run *r, const struct mdl_cls_rows *x,
			      const struct mdl_row *row, const struct mdl_linset *ls, double ci[2])
{
	struct mdl_dev_figures fig = { 0 };
	struct mdl_backend *b = NULL;
	struct mdl_program p = { 0 };
	struct mdl_loaded l = { 0 };
	uint32_t n = r->o->limit && r->o->limit < x->test->n ? r->o->limit : x->test->n, i;
	float *logits = malloc(sizeof(float) * n * MDL_FMNIST_CLASSES);
	double t0 = mdl_now(), cyc, uj, dram;
	uint32_t agree = 0;
	char err[512];
	int ret = logits ? 0 : -ENOMEM;

	if (ret)
		snprintf(err, sizeof(err), "out of memory");
	if (!ret)
		ret = mdl_cls_program(x->c, ls, MDL_CLS_DEVICE_BATCH, &p, err, sizeof(err));
	if (!ret && (ret = mdl_backend_fwrun_create(!r->o->golden, &b)))
		snprintf(err, sizeof(err), "fwrun: out of memory");
	if (!ret)
		ret = mdl_program_load(&p, b, &l, err, sizeof(err));
	if (!ret)
		ret = mdl_cls_device_run(&l, x->test, n, &fig, logits, err, sizeof(err));
	if (!ret) {
		for (i = 0; i < n; i++) {
			x->pred[i] = mdl_cls_top1(logits + (size_t)i * MDL_FMNIST_CLASSES);
			agree += x->pred[i] == x->ref[i];
		}
		mdl_cls_right(x->test, x->pred, n, x->ok);
		if (mdl_delta_ci(x->f32_ok, x->ok, n, ci)) {
			ret = -EINVAL;
			snprintf(err, sizeof(err), "no bootstrap interval");
		}
	}
	if (!ret) {
		mdl_dev_figures_per_item(&fig, &cyc, &uj, &dram);
		printf("%-26s %9s %6s %8.4f %+8.4f %8.4f %6.1f  per image %.0f cycles, %.3f uJ, "
		       "%.0f DRAM bytes; delta 95%% CI [%+.4f, %+.4f]\n", "  on the device", "", "",
		       (double)fig.correct / n, (double)fig.correct / n - x->f32->top1,
		       (double)agree / n, mdl_now() - t0, cyc, uj, dram, ci[0], ci[1]);
		if (r->csv)
			fprintf(r->csv, ",%.6f,%.6f,%.1f,%.4f,%.1f", (double)fig.correct / n,
				(double)agree / n, cyc, uj, dram);
		if (r->o->json) {
			struct tool_json j;

			mdl_json_row(r, &j, "cls", row, "fwrun");
			tool_json_double(&j, "top1", (double)fig.correct / n);
			tool_json_double(&j, "delta", (double)fig.correct / n - x->f32->top1);
			tool_json_double(&j, "agree", (double)agree / n);
			tool_json_double(&j, "delta_lo", ci[0]);
			tool_json_double(&j, "delta_hi", ci[1]);
			tool_json_double(&j, "cycles_per_image", cyc);
			tool_json_double(&j, "uj_per_image", uj);
			tool_json_double(&j, "dram_bytes_per_image", dram);
			tool_json_double(&j, "seconds", mdl_now() - t0);
			tool_json_end(&j);
		}
	}
	mdl_dev_figures_free(&fig);
	mdl_program_unload(&l);
	mdl_backend_destroy(b);
	mdl_program_free(&p);
	free(logits);
	if (ret)
		fprintf(stderr, "accel-eval: on the device: %s\n", err);
	return ret ? 1 : 0;
}

static int mdl_row_cls(struct mdl_run *r, const void *ctx, const struct mdl_row *row,
		       const struct mdl_linset *ls, double t0)
{
	const struct mdl_cls_rows *x = ctx;
	const struct mdl_cls_figures *f32 = x->f32;
	struct mdl_cls_figures f;
	double ci[2], dci[2], vd[3];
	size_t bytes;
	double bpw;
	int ret;

	ret = mdl_cls_evaluate(r->ex, x->c, ls, x->test, r->o->limit, x->ref, x->pred, &f);
	if (ret) {
		fprintf(stderr, "accel-eval: %s: forward pass failed (%d)\n", row->shown, ret);
		return 1;
	}
	mdl_cls_right(x->test, x->pred, f.n, x->ok);
	if (mdl_delta_ci(x->f32_ok, x->ok, f.n, ci) || mdl_vs_default(r, x->ok, f.n, vd))
		return 1;
	mdl_row_size(ls, &bytes, &bpw);
	printf("%-26s %9zu %6.2f %8.4f %+8.4f %8.4f %6.1f [%+.4f, %+.4f]\n", row->shown, bytes,
	       bpw, f.top1, f.top1 - f32->top1, f.agree, mdl_now() - t0, ci[0], ci[1]);
	mdl_vs_default_print(r, vd);
	if (r->csv)
		fprintf(r->csv, "cls,%s,%s,%s,%s,%zu,%.4f,%.6f,%.6f", row->shown, row->fmt,
			row->act, row->algo, bytes, bpw, f.top1, f.agree);
	if (r->o->json) {
		struct tool_json j;

		mdl_json_row(r, &j, "cls", row, "host");
		tool_json_u64(&j, "weight_bytes", bytes);
		tool_json_double(&j, "bits_per_weight", bpw);
		tool_json_double(&j, "top1", f.top1);
		tool_json_double(&j, "delta", f.top1 - f32->top1);
		tool_json_double(&j, "agree", f.agree);
		tool_json_double(&j, "delta_lo", ci[0]);
		tool_json_double(&j, "delta_hi", ci[1]);
		mdl_vs_default_json(&j, vd);
		tool_json_double(&j, "seconds", mdl_now() - t0);
		tool_json_end(&j);
	}
	if (r->o->device && mdl_row_cls_device(r, x, row, ls, dci))
		return 1;
	mdl_csv_ci_end(r, ci, dci, vd);
	return 0;
}

static int mdl_run_cls(struct mdl_run *r)
{
	struct mdl_eval_opts *o = r->o;
	const char *dir = o->data ? o->data : MDL_FMNIST_DIR;
	struct mdl_images train = { 0 }, test = { 0 };
	struct mdl_calib_src src;
	struct mdl_cls_figures f32;
	struct mdl_cls_rows rows = { .test = &test, .f32 = &f32 };
	struct mdl_linset fp32 = { 0 }, rls;
	struct mdl_cls *c = NULL, *rc = NULL;
	struct mdl_row row;
	double *f32_ok;
	uint8_t *ref;
	char err[512];
	size_t bytes;
	double bpw, t0;
	int ret;
	uint32_t l;

	if ((o->packed ? (c = r->pk.cls, 0) : (ret = mdl_cls_load(o->ckpt, &c, err, sizeof(err)))) ||
	    (o->ref && (ret = mdl_cls_load(o->ref, &rc, err, sizeof(err)))) ||
	    (!o->val && (ret = mdl_fmnist_load(dir, "t10k", &test, err, sizeof(err)))) ||
	    ((o->val || (mdl_any_calib(r->v, r->nv) && !o->packed)) &&
	     (ret = mdl_fmnist_load(dir, "train", &train, err, sizeof(err))))) {
		fprintf(stderr, "accel-eval: %s\n", err);
		return 1;
	}
	if (o->val) {
		/* evaluate on the validation images, calibrate on the others */
		struct mdl_images all = train;

		ret = mdl_fmnist_split(&all, &train, &test, err, sizeof(err));
		mdl_images_free(&all);
		if (ret) {
			fprintf(stderr, "accel-eval: %s\n", err);
			return 1;
		}
	}
	if (rc && (rc->layers != c->layers ||
		   memcmp(rc->dims, c->dims, sizeof(c->dims[0]) * (c->layers + 1)))) {
		fprintf(stderr, "accel-eval: --ref %s: another architecture\n", o->ref);
		return 1;
	}
	ref = malloc(test.n);
	rows.pred = malloc(test.n);
	rows.ok = malloc(sizeof(double) * test.n);
	f32_ok = malloc(sizeof(double) * test.n);
	if (!rc)
		rc = c;
	if (!ref || !rows.pred || !rows.ok || !f32_ok || (!o->packed && mdl_cls_linset(c, &fp32)) ||
	    (rc != c && mdl_cls_linset(rc, &rls))) {
		fprintf(stderr, "accel-eval: out of memory\n");
		return 1;
	}
	printf("model %s: MLP", o->ckpt);
	for (l = 0; l <= c->layers; l++)
		printf("%s%u", l ? "-" : " ", c->dims[l]);
	printf(", %zu parameters\n", c->n_params);
	t0 = mdl_now();
	ret = mdl_cls_evaluate(r->ex, rc, rc == c ? &fp32 : &rls, &test, o->limit, NULL, ref,
			       &f32);
	if (ret) {
		fprintf(stderr, "accel-eval: forward pass failed (%d)\n", ret);
		return 1;
	}
	mdl_cls_right(&test, ref, f32.n, f32_ok);
	rows.f32_ok = f32_ok;
	if (o->val)
		printf("validation: Fashion-MNIST training images %u-%u (calibration from 0-%u)\n\n",
		       MDL_FMNIST_VAL_FIRST, MDL_FMNIST_VAL_FIRST + f32.n - 1,
		       MDL_FMNIST_VAL_FIRST - 1);
	else
		printf("test: Fashion-MNIST t10k, %u images\n\n", f32.n);
	printf("%-26s %9s %6s %8s %8s %8s %6s %s\n", "variant", "bytes", "bits/w", "top1", "delta",
	       "agree", "s", "delta 95% CI");
	mdl_row_size(rc == c ? &fp32 : &rls, &bytes, &bpw);
	printf("%-26s %9zu %6.2f %8.4f %8s %8s %6.1f\n", "fp32", bytes, bpw, f32.top1, "-", "-",
	       mdl_now() - t0);
	if (o->json) {
		struct tool_json j;

		mdl_json_row(r, &j, "cls", NULL, "host");
		tool_json_u64(&j, "weight_bytes", bytes);
		tool_json_double(&j, "bits_per_weight", bpw);
		tool_json_double(&j, "top1", f32.top1);
		tool_json_u64(&j, "images", f32.n);
		tool_json_double(&j, "seconds", mdl_now() - t0);
		tool_json_end(&j);
	}
	if (r->csv) {
		fprintf(r->csv, "model,variant,format,act,algo,weight_bytes,bits_per_weight,top1,"
			"agree%s%s\n", o->device ? ",dev_top1,dev_agree,dev_cycles_per_image,"
			"dev_uj_per_image,dev_dram_bytes_per_image" : "", mdl_csv_ci_header(r));
		fprintf(r->csv, "cls,fp32,fp32,fp32,none,%zu,%.4f,%.6f,1%s%s\n", bytes, bpw,
			f32.top1, o->device ? ",,,,," : "", mdl_csv_ci_none(r));
	}
	rows.c = c;
	rows.ref = ref;
	if (o->packed) {
		mdl_row_names(r, NULL, &row);
		ret = mdl_row_cls(r, &rows, &row, &r->pk.ls, mdl_now());
		c = NULL;	/* r->pk owns it */
		goto out;
	}
	src = (struct mdl_calib_src){ .ex = r->ex, .cls = c, .images = &train,
				      .n = o->calib ? o->calib : 1024, .seed = o->seed };
	ret = mdl_run_variants(r, &fp32, &src, NULL, c, mdl_row_cls, &rows);
out:
	mdl_linset_free(&fp32, 1);
	if (rc != c && rc != r->pk.cls) {
		mdl_linset_free(&rls, 1);
		mdl_cls_free(rc);
	}
	mdl_cls_free(c);
	mdl_images_free(&train);
	mdl_images_free(&test);
	free(ref);
	free(rows.pred);
	free(rows.ok);
	free(f32_ok);
	return ret ? 1 : 0;
}

/*
 * --packed: loads the file and says whether --ref is the checkpoint it was
 * derived from (for QAT it is not: the reference is the original model).
 * --save-packed: the identity and base name of CHECKPOINT.
 */
static int mdl_prepare_packed(struct mdl_run *r)
{
	const struct mdl_eval_opts *o = r->o;
	struct mdl_packed_src src;
	const char *base;
	char err[512];
	size_t n;

	if (o->packed) {
		if (mdl_packed_load(o->packed, &r->pk, err, sizeof(err)) ||
		    mdl_packed_src_file(o->ref, &src, err, sizeof(err))) {
			fprintf(stderr, "accel-eval: %s\n", err);
			return 1;
		}
		printf("packed %s: %s, derived from a checkpoint of %llu bytes, crc32 %08x (%s)\n",
		       o->packed, r->pk.variant, (unsigned long long)r->pk.src.size, r->pk.src.crc,
		       src.crc == r->pk.src.crc && src.size == r->pk.src.size ?
		       "the --ref file" : "not the --ref file");
		return 0;
	}
	if (!o->save_packed)
		return 0;
	if (mdl_packed_src_file(o->ckpt, &r->src, err, sizeof(err))) {
		fprintf(stderr, "accel-eval: %s\n", err);
		return 1;
	}
	base = strrchr(o->ckpt, '/');
	base = base ? base + 1 : o->ckpt;
	n = strcspn(base, ".");
	snprintf(r->model, sizeof(r->model), "%.*s", (int)(n ? n : strlen(base)), base);
	return 0;
}

int main(int argc, char **argv)
{
	struct tool_cli cli = { .name = "accel-eval", .usage = mdl_usage, .flags = TOOL_CLI_JSON };
	static struct mdl_variant v[MDL_VARIANTS_MAX];
	static double *units[MDL_VARIANTS_MAX];
	struct mdl_eval_opts o;
	struct mdl_run r = { .o = &o, .v = v };
	struct mdl_pool *pool;
	int ret, i;

	if (mdl_algos_register_all()) {
		fprintf(stderr, "accel-eval: cannot register the algorithms\n");
		return 1;
	}
	mdl_parse(argc, argv, &o, &cli);
	/* --json: the objects on the real stdout, everything printf() prints on stderr */
	if (o.json && (!(r.json = fdopen(dup(STDOUT_FILENO), "w")) ||
		       dup2(STDERR_FILENO, STDOUT_FILENO) < 0)) {
		fprintf(stderr, "accel-eval: --json: %s\n", strerror(errno));
		return 1;
	}
	r.nv = o.packed ? 0 : mdl_variants(o.variants, v, MDL_VARIANTS_MAX);
	if (o.vs_default)
		mdl_vs_default_check(v, r.nv);
	r.units = units;
	if (mdl_prepare_packed(&r))
		return 1;
	if (mdl_pool_create(o.threads, &pool) ||
	    mdl_exec_create(pool, o.golden ? DP_ISA_SCALAR : dp_isa_best(), &r.ex)) {
		fprintf(stderr, "accel-eval: cannot start %u threads\n", o.threads);
		return 1;
	}
	if (o.csv && !(r.csv = fopen(o.csv, "w"))) {
		fprintf(stderr, "accel-eval: %s: %s\n", o.csv, strerror(errno));
		return 1;
	}
	printf("datapath: %s%s, %u threads\n", dp_isa_name(mdl_exec_isa(r.ex)),
	       o.golden ? " (golden model)" : " kernels, bit-exact with the golden model",
	       o.threads);
	if (mdl_any_calib(v, r.nv))
		printf("calibration: %s\n", !o.calib_seq ? "every layer on the FP32 model's inputs "
		       "(--calib-mode fp32)" : "sequential, each layer on the compressed layers' "
		       "outputs");
	if (o.packed)
		ret = r.pk.kind == MDL_PACKED_CLS ? mdl_run_cls(&r) : mdl_run_lm(&r);
	else
		ret = mdl_cls_sniff(o.ckpt) ? mdl_run_cls(&r) : mdl_run_lm(&r);
	mdl_packed_free(&r.pk);
	for (i = 0; i < r.nv; i++)
		free(units[i]);
	if (r.csv && fclose(r.csv)) {
		fprintf(stderr, "accel-eval: %s: write failed\n", o.csv);
		ret = 1;
	}
	mdl_exec_free(r.ex);
	mdl_pool_destroy(pool);
	return ret;
}
