// SPDX-License-Identifier: MIT
/*
 * accel-codesign: which compression, on which hardware, for an accuracy
 * budget. Plans a sweep (every variant x every hardware configuration) as
 * independent tasks for scripts/sweep.sh, runs one point, merges the
 * points into the Pareto CSV, a report and plots, and answers budgets
 * from the merged CSV. docs/codesign.md has the details.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cds_config.h"
#include "cds_point.h"
#include "cds_report.h"
#include "cds_rows.h"
#include "cds_sweep.h"
#include "tool_cli.h"
#include "tool_json.h"

#ifndef CDS_CONFIG_DIR
#define CDS_CONFIG_DIR "codesign/configs"
#endif
#ifndef CDS_CKPT_DIR
#define CDS_CKPT_DIR "models/ckpt"
#endif
#ifndef MDL_MOBY_DIR
#define MDL_MOBY_DIR "/var/cache/quasar/data/moby-dick-0.2.3/data"
#endif
#ifndef MDL_FMNIST_DIR
#define MDL_FMNIST_DIR "/usr/share/datasets/fashion-mnist"
#endif

/* The small sweep (tests, a first look): a few variants of each model. */
#define CDS_SMALL_VARIANTS "bf16/a16/rtn,int8/a8/rtn,int4-g32/a16/rtn,sp-int4-g32/a16/mag24"
#define CDS_SMALL_WINDOWS 4
#define CDS_SMALL_DECODE 8
#define CDS_DECODE 128
#define CDS_CLS_LIMIT 1000

enum cds_mode { CDS_NONE, CDS_PLAN, CDS_POINT, CDS_MERGE, CDS_BUDGET };

struct cds_opts {
	enum cds_mode mode;
	const char *dir;		/* --plan / --merge DIR, --point's --dir */
	const char *id;			/* --point ID */
	const char *csv;		/* --budget CSV */
	int small, allow_incomplete, json;
	const char *grid, *configs, *variants, *qat_dir, *lm_ckpt, *cls_ckpt;
	const char *lm_data, *cls_data, *eval, *out;
	uint32_t windows, limit, decode;
	int windows_set, decode_set;
	struct cds_point pt;
	/* --budget */
	int nbudget;
	struct cds_budget budget;
	double top1_points;
};

static void cds_usage(FILE *f)
{
	fprintf(f,
		"Usage: accel-codesign --plan DIR [--small] [options]\n"
		"  or:  accel-codesign --point ID --dir DIR --model lm|cls --variant SPEC [options]\n"
		"  or:  accel-codesign --merge DIR [--allow-incomplete] [--out DIR]\n"
		"  or:  accel-codesign --budget CSV --max-delta-bpb X | --max-top1-drop P |\n"
		"                      --max-uj-per-token X | --max-us-per-token X |\n"
		"                      --max-uj-per-image X | --max-us-per-image X [--config NAME]\n"
		"Finds the compression and hardware for an accuracy or hardware budget.\n\n"
		"--plan writes a sweep: DIR/configs/ (every configuration of the grid, each\n"
		"with every device property), DIR/configs.list and DIR/tasks.tsv, one task per\n"
		"variant, `ID<TAB>COMMAND`, for scripts/sweep.sh. Each task (--point) measures\n"
		"the variant's accuracy once with accel-eval --device and its cost on every\n"
		"configuration by running its device program on the firmware in process, and\n"
		"writes DIR/points/ID.csv. --merge checks every task has its point (refusing an\n"
		"incomplete set unless --allow-incomplete), marks the Pareto-optimal rows per\n"
		"model, configuration and cost, and writes OUT/pareto.csv, OUT/report.md and\n"
		"the plots OUT/pareto-lm.png, OUT/pareto-cls.png. --budget answers from a\n"
		"merged CSV: for an accuracy budget the cheapest (variant, configuration) by\n"
		"energy and by latency, for a hardware budget the most accurate variant; exit 1\n"
		"with the closest miss when nothing meets it.\n\n"
		"Options:\n"
		"  --small          --plan: a few variants, windows, decode steps and\n"
		"                   configurations (a minute or two; for tests)\n"
		"  --grid FILE      --plan: the configurations (default %s/grid.tsv;\n"
		"                   --small: grid-small.tsv)\n"
		"  --configs DIR    the named configurations NAME.conf (default %s)\n"
		"  --variants LIST  --plan: FORMAT/ACT/ALGO specs, comma-separated, or @FILE (one\n"
		"                   a line); both models (default with --small: %s)\n"
		"  --qat-dir DIR    --plan: also the QAT/KD checkpoints there (MODEL-FORMAT-qat|kd\n"
		"                   [-a8].bin, as make compress-report leaves them)\n"
		"  --lm CKPT --cls CKPT   the FP32 checkpoints (default %s/...)\n"
		"  --lm-data DIR --cls-data DIR   Moby Dick data/, Fashion-MNIST\n"
		"  --windows N      LM held-out windows for accuracy (default all; --small %u)\n"
		"  --limit N        classifier test images for accuracy (default %u)\n"
		"  --decode N       LM decode jobs per configuration (default %u; --small %u)\n"
		"  --eval PATH      the accel-eval program (default: beside this one)\n"
		"  --model, --variant, --ckpt, --ref, --tag, --data   --point: what to measure\n"
		"  --allow-incomplete  --merge: merge what is there, listing what is missing\n"
		"  --out DIR        --merge: where the CSV, report and plots go (default DIR)\n"
		"  --config NAME    --budget: on this configuration only (default: any)\n"
		"  --max-delta-bpb X   LM: held-out bits/byte within X of FP32\n"
		"  --max-top1-drop P   classifier: top-1 within P points of FP32\n"
		"  --max-uj-per-token X, --max-us-per-token X   LM: energy, latency per token\n"
		"  --max-uj-per-image X, --max-us-per-image X   classifier: per image\n",
		CDS_CONFIG_DIR, CDS_CONFIG_DIR, CDS_SMALL_VARIANTS, CDS_CKPT_DIR, CDS_SMALL_WINDOWS,
		CDS_CLS_LIMIT, CDS_DECODE, CDS_SMALL_DECODE);
}

static void cds_set_mode(struct cds_opts *o, enum cds_mode m, const char *opt)
{
	if (o->mode != CDS_NONE)
		tool_cli_usage_error("%s: one of --plan, --point, --merge, --budget only", opt);
	o->mode = m;
}

static void cds_set_budget(struct cds_opts *o, enum cds_budget_kind kind, const char *model,
			   const char *opt, const char *arg)
{
	o->nbudget++;
	o->budget.kind = kind;
	o->budget.model = model;
	o->budget.limit = tool_cli_double(opt, arg, kind == CDS_BUDGET_LOSS ? -1e9 : 0, 1e18);
}

static void cds_parse(int argc, char **argv, struct cds_opts *o, struct tool_cli *cli)
{
	static const struct option opts[] = {
		{ "plan", 1, 0, 'P' }, { "point", 1, 0, 'p' }, { "merge", 1, 0, 'M' },
		{ "budget", 1, 0, 'B' }, { "small", 0, 0, 's' }, { "grid", 1, 0, 'g' },
		{ "configs", 1, 0, 'c' }, { "variants", 1, 0, 'v' }, { "qat-dir", 1, 0, 'q' },
		{ "lm", 1, 0, 'L' }, { "cls", 1, 0, 'C' }, { "lm-data", 1, 0, 'l' },
		{ "cls-data", 1, 0, 'f' }, { "windows", 1, 0, 'w' }, { "limit", 1, 0, 'n' },
		{ "decode", 1, 0, 'd' }, { "eval", 1, 0, 'e' }, { "dir", 1, 0, 'D' },
		{ "model", 1, 0, 'm' }, { "variant", 1, 0, 'E' }, { "ckpt", 1, 0, 'k' },
		{ "ref", 1, 0, 'r' }, { "tag", 1, 0, 't' }, { "data", 1, 0, 'a' },
		{ "allow-incomplete", 0, 0, 'i' }, { "out", 1, 0, 'o' }, { "config", 1, 0, 'x' },
		{ "max-delta-bpb", 1, 0, 1 }, { "max-top1-drop", 1, 0, 2 },
		{ "max-uj-per-token", 1, 0, 3 }, { "max-us-per-token", 1, 0, 4 },
		{ "max-uj-per-image", 1, 0, 5 }, { "max-us-per-image", 1, 0, 6 },
		{ 0, 0, 0, 0 }
	};
	static const char *const models[] = { "lm", "cls", NULL };
	int c;

	memset(o, 0, sizeof(*o));
	o->limit = CDS_CLS_LIMIT;
	o->configs = CDS_CONFIG_DIR;
	while ((c = tool_cli_getopt(cli, argc, argv, "", opts)) != -1) {
		switch (c) {
		case 'P': cds_set_mode(o, CDS_PLAN, "--plan"); o->dir = optarg; break;
		case 'p': cds_set_mode(o, CDS_POINT, "--point"); o->id = optarg; break;
		case 'M': cds_set_mode(o, CDS_MERGE, "--merge"); o->dir = optarg; break;
		case 'B': cds_set_mode(o, CDS_BUDGET, "--budget"); o->csv = optarg; break;
		case 's': o->small = 1; break;
		case 'g': o->grid = optarg; break;
		case 'c': o->configs = optarg; break;
		case 'v': o->variants = optarg; break;
		case 'q': o->qat_dir = optarg; break;
		case 'L': o->lm_ckpt = optarg; break;
		case 'C': o->cls_ckpt = optarg; break;
		case 'l': o->lm_data = optarg; break;
		case 'f': o->cls_data = optarg; break;
		case 'w':
			o->windows = tool_cli_u32("--windows", optarg, 0, UINT32_MAX);
			o->windows_set = 1;
			break;
		case 'n': o->limit = tool_cli_u32("--limit", optarg, 0, UINT32_MAX); break;
		case 'd':
			o->decode = tool_cli_u32("--decode", optarg, 1, 255);
			o->decode_set = 1;
			break;
		case 'e': o->eval = optarg; break;
		case 'D': o->dir = optarg; break;
		case 'm': o->pt.model = models[tool_cli_choice("--model", optarg, models)]; break;
		case 'E': o->pt.variant = optarg; break;
		case 'k': o->pt.ckpt = optarg; break;
		case 'r': o->pt.ref = optarg; break;
		case 't': o->pt.tag = optarg; break;
		case 'a': o->pt.data = optarg; break;
		case 'i': o->allow_incomplete = 1; break;
		case 'o': o->out = optarg; break;
		case 'x':
			if (!cds_config_name_ok(optarg))
				tool_cli_usage_error("--config '%s': not a configuration name", optarg);
			o->budget.config = optarg;
			break;
		case 1: cds_set_budget(o, CDS_BUDGET_LOSS, "lm", "--max-delta-bpb", optarg); break;
		case 2:
			cds_set_budget(o, CDS_BUDGET_LOSS, "cls", "--max-top1-drop", optarg);
			o->top1_points = o->budget.limit;
			o->budget.limit /= 100;	/* points -> the loss, a fraction */
			break;
		case 3: cds_set_budget(o, CDS_BUDGET_ENERGY, "lm", "--max-uj-per-token", optarg); break;
		case 4: cds_set_budget(o, CDS_BUDGET_LATENCY, "lm", "--max-us-per-token", optarg); break;
		case 5: cds_set_budget(o, CDS_BUDGET_ENERGY, "cls", "--max-uj-per-image", optarg); break;
		case 6: cds_set_budget(o, CDS_BUDGET_LATENCY, "cls", "--max-us-per-image", optarg); break;
		}
	}
	o->json = cli->json;
	if (optind != argc)
		tool_cli_usage_error("no operand expected, not '%s'", argv[optind]);
	if (o->mode == CDS_NONE)
		tool_cli_usage_error("one of --plan DIR, --point ID, --merge DIR, --budget CSV is "
				     "needed");
	if (o->mode == CDS_BUDGET && o->nbudget != 1)
		tool_cli_usage_error("--budget takes exactly one --max-... budget (%d given)",
				     o->nbudget);
	if (o->mode != CDS_BUDGET && o->nbudget)
		tool_cli_usage_error("a --max-... budget goes with --budget CSV");
	if (o->mode == CDS_POINT && (!o->dir || !o->pt.model || !o->pt.variant || !o->pt.ckpt ||
				     !o->pt.data))
		tool_cli_usage_error("--point needs --dir, --model, --variant, --ckpt and --data");
	if (o->mode == CDS_POINT && !!o->pt.ref != !!o->pt.tag)
		tool_cli_usage_error("--ref and --tag go together (a QAT/KD checkpoint)");
	if (o->mode == CDS_PLAN && !o->small && !o->variants)
		tool_cli_usage_error("--plan needs --variants (or --small)");
}

/* accel-eval beside this program (build/models/ from build/codesign/), or --eval. */
static const char *cds_eval_path(const struct cds_opts *o, char *buf, size_t len)
{
	char self[PATH_MAX - 32];	/* room for the name after it */
	ssize_t n;
	char *slash;

	if (o->eval)
		return o->eval;
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		return "accel-eval";
	self[n] = 0;
	slash = strrchr(self, '/');
	if (slash)
		*slash = 0;
	snprintf(buf, len, "%s/../models/accel-eval", self);
	if (access(buf, X_OK))
		snprintf(buf, len, "%s/accel-eval", self);
	return buf;
}

static char *cds_abs(const char *path)
{
	char *p = realpath(path, NULL);

	if (!p) {
		tool_cli_error("%s: %s", path, strerror(errno));
		exit(TOOL_EXIT_FAIL);
	}
	return p;
}

/* One task line: ID<TAB>the --point command with absolute paths. */
static void cds_task_line(FILE *f, const struct cds_opts *o, const char *self, const char *dir,
			  const char *eval, const char *model, const char *variant,
			  const char *ckpt, const char *ref, const char *tag, const char *data)
{
	char id[256];
	const int lm = !strcmp(model, "lm");

	if (tag) {
		char v[512];

		snprintf(v, sizeof(v), "%s/%s", variant, tag);
		cds_task_id(model, v, id, sizeof(id));
	} else {
		cds_task_id(model, variant, id, sizeof(id));
	}
	fprintf(f, "%s\t'%s' --point %s --dir '%s' --model %s --variant %s --ckpt '%s' "
		"--data '%s' --eval '%s'", id, self, id, dir, model, variant, ckpt, data, eval);
	if (ref)
		fprintf(f, " --ref '%s' --tag %s", ref, tag);
	if (lm)
		fprintf(f, " --windows %u --decode %u\n", o->windows, o->decode);
	else
		fprintf(f, " --limit %u\n", o->limit);
}

/* The variant list of --variants: "a,b" or @FILE (one a line); NULL-terminated. */
static char **cds_variant_list(const char *spec, uint32_t *n)
{
	char *text, *save, *tok, **v = NULL;
	uint32_t cnt = 0;

	if (spec[0] == '@') {
		FILE *f = fopen(spec + 1, "r");
		long len;

		if (!f) {
			tool_cli_error("--variants %s: %s", spec, strerror(errno));
			exit(TOOL_EXIT_FAIL);
		}
		fseek(f, 0, SEEK_END);
		len = ftell(f);
		rewind(f);
		text = calloc(1, (size_t)len + 1);
		if (!text || fread(text, 1, (size_t)len, f) != (size_t)len) {
			tool_cli_error("--variants %s: read failed", spec);
			exit(TOOL_EXIT_FAIL);
		}
		fclose(f);
	} else {
		text = strdup(spec);
	}
	for (tok = strtok_r(text, ",\n \t", &save); tok; tok = strtok_r(NULL, ",\n \t", &save)) {
		v = realloc(v, sizeof(*v) * (cnt + 2));
		if (!v)
			exit(TOOL_EXIT_FAIL);
		v[cnt++] = tok;
	}
	if (!cnt)
		tool_cli_usage_error("--variants '%s': no variant", spec);
	v[cnt] = NULL;
	*n = cnt;
	return v;
}

/* QAT/KD checkpoints: MODEL-FORMAT-TAG[-a8].bin in --qat-dir, in name order. */
static void cds_plan_qat(FILE *f, const struct cds_opts *o, const char *self, const char *dir,
			 const char *eval, const char *lm_ckpt, const char *cls_ckpt,
			 const char *lm_data, const char *cls_data, uint32_t *tasks)
{
	struct dirent **ents;
	int n = scandir(o->qat_dir, &ents, NULL, alphasort);

	if (n < 0) {
		tool_cli_error("--qat-dir %s: %s", o->qat_dir, strerror(errno));
		exit(TOOL_EXIT_FAIL);
	}
	for (int i = 0; i < n; i++) {
		char name[300], variant[400], path[4096], *fmt, *tag;
		const char *act = "a16";
		size_t l;
		int lm;

		snprintf(name, sizeof(name), "%s", ents[i]->d_name);
		free(ents[i]);
		l = strlen(name);
		if (l < 5 || strcmp(name + l - 4, ".bin"))
			continue;
		name[l - 4] = 0;
		if (l > 7 && !strcmp(name + l - 7, "-a8")) {
			name[l - 7] = 0;
			act = "a8";
		}
		lm = !strncmp(name, "lm-", 3);
		if (!lm && strncmp(name, "cls-", 4))
			continue;
		fmt = name + (lm ? 3 : 4);
		tag = strrchr(fmt, '-');
		if (!tag || (strcmp(tag, "-qat") && strcmp(tag, "-kd")))
			continue;
		*tag++ = 0;
		snprintf(variant, sizeof(variant), "%s/%s", fmt, act);
		snprintf(path, sizeof(path), "%s/%s", o->qat_dir, ents[i]->d_name);
		cds_task_line(f, o, self, dir, eval, lm ? "lm" : "cls", variant, path,
			      lm ? lm_ckpt : cls_ckpt, tag, lm ? lm_data : cls_data);
		++*tasks;
	}
	free(ents);
}

static int cds_plan(struct cds_opts *o)
{
	char grid[4096], path[4096], err[1024], evalbuf[PATH_MAX], self[PATH_MAX];
	struct cds_config *cfg;
	uint32_t nc, nv, tasks = 0, named = 0;
	char **variants;
	const char *eval;
	char *dir, *lm_ckpt, *cls_ckpt, *lm_data, *cls_data;
	ssize_t sn;
	FILE *f;

	snprintf(grid, sizeof(grid), "%s/%s", o->configs, o->small ? "grid-small.tsv" : "grid.tsv");
	if (cds_grid_load(o->grid ? o->grid : grid, o->configs, &cfg, &nc, err, sizeof(err))) {
		tool_cli_error("%s", err);
		return TOOL_EXIT_FAIL;
	}
	if (mkdir(o->dir, 0777) && errno != EEXIST) {
		tool_cli_error("%s: %s", o->dir, strerror(errno));
		return TOOL_EXIT_FAIL;
	}
	dir = cds_abs(o->dir);
	if (cds_sweep_write_configs(dir, cfg, nc, err, sizeof(err))) {
		tool_cli_error("%s", err);
		return TOOL_EXIT_FAIL;
	}
	if (!o->windows_set && o->small)
		o->windows = CDS_SMALL_WINDOWS;
	if (!o->decode_set)
		o->decode = o->small ? CDS_SMALL_DECODE : CDS_DECODE;
	lm_ckpt = cds_abs(o->lm_ckpt ? o->lm_ckpt : CDS_CKPT_DIR "/moby-lm.bin");
	cls_ckpt = cds_abs(o->cls_ckpt ? o->cls_ckpt : CDS_CKPT_DIR "/fmnist-mlp.bin");
	lm_data = cds_abs(o->lm_data ? o->lm_data : MDL_MOBY_DIR);
	cls_data = cds_abs(o->cls_data ? o->cls_data : MDL_FMNIST_DIR);
	eval = cds_abs(cds_eval_path(o, evalbuf, sizeof(evalbuf)));
	sn = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (sn <= 0) {
		tool_cli_error("/proc/self/exe: %s", strerror(errno));
		return TOOL_EXIT_FAIL;
	}
	self[sn] = 0;
	variants = cds_variant_list(o->variants ? o->variants : CDS_SMALL_VARIANTS, &nv);
	snprintf(path, sizeof(path), "%s/tasks.tsv", dir);
	f = fopen(path, "w");
	if (!f) {
		tool_cli_error("%s: %s", path, strerror(errno));
		return TOOL_EXIT_FAIL;
	}
	for (uint32_t m = 0; m < 2; m++)
		for (uint32_t i = 0; i < nv; i++, tasks++)
			cds_task_line(f, o, self, dir, eval, m ? "cls" : "lm", variants[i],
				      m ? cls_ckpt : lm_ckpt, NULL, NULL, m ? cls_data : lm_data);
	if (o->qat_dir) {
		o->qat_dir = cds_abs(o->qat_dir);	/* the tasks may run elsewhere */
		cds_plan_qat(f, o, self, dir, eval, lm_ckpt, cls_ckpt, lm_data, cls_data, &tasks);
	}
	if (fclose(f)) {
		tool_cli_error("%s: write failed", path);
		return TOOL_EXIT_FAIL;
	}
	for (uint32_t i = 0; i < nc; i++)
		named += cfg[i].named;
	fprintf(o->json ? stderr : stdout, "accel-codesign: %u tasks (variants) x %u configurations (%u named) in %s\n",
	       tasks, nc, named, path);
	if (o->json) {
		struct tool_json j;

		tool_json_begin(&j, stdout);
		tool_json_str(&j, "tasks_file", path);
		tool_json_u64(&j, "tasks", tasks);
		tool_json_u64(&j, "configurations", nc);
		tool_json_u64(&j, "named", named);
		tool_json_end(&j);
	}
	free(variants);
	free(cfg);
	return TOOL_EXIT_OK;
}

static int cds_point(struct cds_opts *o)
{
	char err[1024], evalbuf[PATH_MAX];
	struct cds_config *cfg;
	uint32_t nc;

	o->pt.id = o->id;
	o->pt.dir = o->dir;
	o->pt.eval = cds_eval_path(o, evalbuf, sizeof(evalbuf));
	o->pt.windows = o->windows;
	o->pt.limit = o->limit;
	o->pt.decode = o->decode_set ? o->decode : CDS_DECODE;
	if (cds_sweep_read_configs(o->dir, &cfg, &nc, err, sizeof(err)) ||
	    cds_point_run(&o->pt, cfg, nc, err, sizeof(err))) {
		tool_cli_error("point %s: %s", o->id, err);
		return TOOL_EXIT_FAIL;
	}
	printf("accel-codesign: point %s: %s on %u configurations in %s/points/%s.csv\n", o->id,
	       o->pt.variant, nc, o->dir, o->id);
	free(cfg);
	return TOOL_EXIT_OK;
}

/* Reads every task's point; the IDs without one (or with the wrong rows) in @missing. */
static int cds_merge_read(const char *dir, char **ids, uint32_t nids,
			  const struct cds_config *cfg, uint32_t nc, struct cds_row **rows,
			  uint32_t *n, char **missing, uint32_t *nmissing)
{
	uint32_t cap = 0;
	char err[1024], path[4096];

	for (uint32_t i = 0; i < nids; i++) {
		uint32_t before = *n;

		snprintf(path, sizeof(path), "%s/points/%s.csv", dir, ids[i]);
		if (access(path, F_OK)) {
			missing[(*nmissing)++] = ids[i];
			continue;
		}
		if (cds_rows_read(path, rows, n, &cap, err, sizeof(err))) {
			tool_cli_error("%s", err);
			return -1;
		}
		if (*n - before != nc) {
			tool_cli_error("%s: %u rows, not one per configuration (%u)", path,
				       *n - before, nc);
			return -1;
		}
		for (uint32_t k = 0; k < nc; k++)
			if (strcmp((*rows)[before + k].config, cfg[k].name)) {
				tool_cli_error("%s: row %u is configuration '%s', not '%s'", path,
					       k + 1, (*rows)[before + k].config, cfg[k].name);
				return -1;
			}
	}
	return 0;
}

static int cds_merge(struct cds_opts *o)
{
	const char *out = o->out ? o->out : o->dir;
	struct cds_row *rows = NULL;
	struct cds_config *cfg;
	char **ids, **missing, err[1024], path[4096];
	uint32_t nids, nc, n = 0, nmissing = 0, front_e = 0, front_l = 0;
	struct cds_report_in in;
	FILE *f;

	if (cds_sweep_read_ids(o->dir, &ids, &nids, err, sizeof(err)) ||
	    cds_sweep_read_configs(o->dir, &cfg, &nc, err, sizeof(err))) {
		tool_cli_error("%s", err);
		return TOOL_EXIT_FAIL;
	}
	missing = calloc(nids + 1, sizeof(*missing));
	if (!missing || cds_merge_read(o->dir, ids, nids, cfg, nc, &rows, &n, missing, &nmissing))
		return TOOL_EXIT_FAIL;
	if (nmissing) {
		fprintf(stderr, "accel-codesign: %u of %u points missing (a task failed or has not "
			"run; its log: the sweep's log/ID.err):", nmissing, nids);
		for (uint32_t i = 0; i < nmissing; i++)
			fprintf(stderr, " %s", missing[i]);
		fputc('\n', stderr);
		if (!o->allow_incomplete) {
			tool_cli_error("refusing to merge an incomplete sweep (--allow-incomplete "
				       "merges what is there)");
			return TOOL_EXIT_FAIL;
		}
	}
	if (!n) {
		tool_cli_error("%s: no point to merge", o->dir);
		return TOOL_EXIT_FAIL;
	}
	cds_pareto_mark(rows, n);
	if (mkdir(out, 0777) && errno != EEXIST) {
		tool_cli_error("%s: %s", out, strerror(errno));
		return TOOL_EXIT_FAIL;
	}
	snprintf(path, sizeof(path), "%s/pareto.csv", out);
	f = fopen(path, "w");
	if (!f) {
		tool_cli_error("%s: %s", path, strerror(errno));
		return TOOL_EXIT_FAIL;
	}
	cds_rows_header(f);
	for (uint32_t i = 0; i < n; i++) {
		cds_row_write(f, &rows[i]);
		front_e += rows[i].pareto_energy;
		front_l += rows[i].pareto_latency;
	}
	if (fclose(f)) {
		tool_cli_error("%s: write failed", path);
		return TOOL_EXIT_FAIL;
	}
	in = (struct cds_report_in){ rows, n, cfg, nc, missing, nmissing, o->dir };
	if (cds_report_write(out, &in, err, sizeof(err))) {
		tool_cli_error("%s", err);
		return TOOL_EXIT_FAIL;
	}
	if (cds_report_plots(out, &in, err, sizeof(err))) {
		tool_cli_error("%s", err);
		return TOOL_EXIT_FAIL;
	}
	fprintf(o->json ? stderr : stdout, "accel-codesign: %u rows (%u points x %u configurations), %u on the energy "
	       "fronts, %u on the latency fronts%s\n  %s\n  %s/report.md\n  %s/pareto-*.png\n", n,
	       nids - nmissing, nc, front_e, front_l, nmissing ? " (INCOMPLETE)" : "", path, out,
	       out);
	if (o->json) {
		struct tool_json j;

		tool_json_begin(&j, stdout);
		tool_json_str(&j, "csv", path);
		tool_json_u64(&j, "rows", n);
		tool_json_u64(&j, "points", nids - nmissing);
		tool_json_u64(&j, "missing", nmissing);
		tool_json_u64(&j, "configurations", nc);
		tool_json_u64(&j, "pareto_energy", front_e);
		tool_json_u64(&j, "pareto_latency", front_l);
		tool_json_end(&j);
	}
	cds_sweep_free_ids(ids, nids);
	free(missing);
	free(rows);
	free(cfg);
	return TOOL_EXIT_OK;
}

static void cds_budget_print(const struct cds_opts *o, const char *what, const struct cds_row *r,
			     int met)
{
	const char *unit = cds_row_unit(r);
	double loss = strcmp(r->model, "cls") ? r->delta : -100.0 * r->delta;

	/* --json: the objects on stdout, the text on stderr */
	fprintf(o->json ? stderr : stdout,
		"%s%s: %s on %s: %s %.4f (%s %+.4f), %.4f uJ and %.4f us per %s, %s-bound\n",
	       met ? "" : "NOT MET, closest miss ", what, r->variant, r->config,
	       strcmp(r->model, "cls") ? "bits/byte" : "top-1", r->value,
	       strcmp(r->model, "cls") ? "delta" : "drop in points", loss, r->unit.energy_uj,
	       r->unit.time_us, unit, r->unit.memory_bound ? "memory" : "compute");
	if (o->json) {
		struct tool_json j;

		tool_json_begin(&j, stdout);
		tool_json_str(&j, "answer", what);
		tool_json_bool(&j, "met", met);
		tool_json_str(&j, "model", r->model);
		tool_json_str(&j, "variant", r->variant);
		tool_json_str(&j, "format", r->format);
		tool_json_str(&j, "act", r->act);
		tool_json_str(&j, "algo", r->algo);
		tool_json_str(&j, "config", r->config);
		tool_json_double(&j, "value", r->value);
		tool_json_double(&j, "delta", r->delta);
		tool_json_double(&j, "energy_uj", r->unit.energy_uj);
		tool_json_double(&j, "time_us", r->unit.time_us);
		tool_json_str(&j, "unit", unit);
		tool_json_end(&j);
	}
}

static int cds_budget(struct cds_opts *o)
{
	struct cds_row *rows = NULL;
	uint32_t n = 0, cap = 0;
	char err[1024];
	int32_t best[2];
	int ret;

	if (cds_rows_read(o->csv, &rows, &n, &cap, err, sizeof(err))) {
		tool_cli_error("%s", err);
		return TOOL_EXIT_FAIL;
	}
	ret = cds_budget_answer(rows, n, &o->budget, best);
	if (ret < 0) {
		tool_cli_error("%s: no %s row%s%s", o->csv, o->budget.model,
			       o->budget.config ? " on configuration " : "",
			       o->budget.config ? o->budget.config : "");
		free(rows);
		return TOOL_EXIT_FAIL;
	}
	if (o->budget.kind == CDS_BUDGET_LOSS) {
		cds_budget_print(o, "cheapest by energy", &rows[best[0]], ret);
		if (ret)
			cds_budget_print(o, "cheapest by latency", &rows[best[1]], ret);
	} else {
		cds_budget_print(o, "most accurate", &rows[best[0]], ret);
	}
	if (!ret)
		tool_cli_error("no %s variant%s%s meets the budget", o->budget.model,
			       o->budget.config ? " on " : "",
			       o->budget.config ? o->budget.config : "");
	free(rows);
	return ret ? TOOL_EXIT_OK : TOOL_EXIT_FAIL;
}

int main(int argc, char **argv)
{
	struct tool_cli cli = { .name = "accel-codesign", .usage = cds_usage,
				.flags = TOOL_CLI_JSON };
	struct cds_opts o;

	cds_parse(argc, argv, &o, &cli);
	switch (o.mode) {
	case CDS_PLAN: return cds_plan(&o);
	case CDS_POINT: return cds_point(&o);
	case CDS_MERGE: return cds_merge(&o);
	case CDS_BUDGET: return cds_budget(&o);
	default: return TOOL_EXIT_USAGE;
	}
}
