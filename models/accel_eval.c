// SPDX-License-Identifier: MIT
/*
 * accel-eval: what each weight format and compression algorithm costs a
 * model in accuracy. Loads an FP32 checkpoint (llama2.c layout, or the QCLS
 * classifier), evaluates it, then every variant with each linear layer
 * packed and run through the datapath GEMM exactly as the device computes.
 * Prints a table on stdout; --csv FILE gets one line per variant.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dp_kern.h"
#include "mdl_calib.h"
#include "mdl_eval.h"
#include "mdl_lm_run.h"
#include "mdl_util.h"
#include "mdl_variant.h"

#ifndef MDL_MOBY_DIR
#define MDL_MOBY_DIR "/var/cache/quasar/data/moby-dick-0.2.3/data"
#endif
#ifndef MDL_FMNIST_DIR
#define MDL_FMNIST_DIR "/usr/share/datasets/fashion-mnist"
#endif
#define MDL_VARIANTS_MAX 128

struct mdl_eval_opts {
	const char *ckpt, *data, *variants, *csv, *ref, *tag;
	uint32_t threads, golden, calib, limit;
	uint64_t seed;
	struct mdl_lm_eval_opts lm;
};

static void mdl_usage(void)
{
	fprintf(stderr,
		"usage: accel-eval [options] CHECKPOINT\n"
		"  --variants LIST  comma-separated FORMAT/ACT[/ALGO] specs, or 'all' (default)\n"
		"  --csv FILE       write one CSV line per variant\n"
		"  --data DIR       Moby Dick data/ (LM, default %s)\n"
		"                   or Fashion-MNIST (classifier, default %s)\n"
		"  --threads N      worker threads (default 2, or $MDL_THREADS)\n"
		"  --golden         run every datapath op with the scalar golden model (slow;\n"
		"                   the SIMD kernels are bit-exact with it)\n"
		"  --windows N      LM: first N held-out windows only (default all)\n"
		"  --prompts N --prompt-len N --gen N   LM greedy generation (64, 64, 64)\n"
		"  --limit N        classifier: first N test images only (default all)\n"
		"  --calib N        calibration samples from the training split for algorithms\n"
		"                   that need them (LM windows, default 16; images, default 1024)\n"
		"  --seed N         calibration sample seed (default 1)\n"
		"  --ref CKPT       the FP32 model the metrics compare with (default CHECKPOINT),\n"
		"                   e.g. the original of a QAT or distilled CHECKPOINT\n"
		"  --tag NAME       name the algorithm column NAME (what produced CHECKPOINT)\n"
		"  --list           list formats, activation modes and algorithms\n"
		"FORMAT: bf16 int8 int4-gG[-asym] mxint8 mxfp8 mxfp4 nvfp4 nvfp4-1l sp-bf16\n"
		"        sp-int8 sp-int4-gG[-asym] (G = 32, 64, 128); ACT: a16 a8\n",
		MDL_MOBY_DIR, MDL_FMNIST_DIR);
}

static void mdl_list(void)
{
	struct mdl_variant v[MDL_VARIANTS_MAX];
	uint32_t n = mdl_variant_defaults(v, MDL_VARIANTS_MAX), i;
	const struct mdl_algo *a;

	printf("algorithms:\n");
	for (i = 0; (a = mdl_algo_at(i)); i++)
		printf("  %-8s %s (%s formats%s)\n", a->name, a->desc, a->sparse ? "2:4" : "dense",
		       a->needs_calib ? ", calibrated" : "");
	printf("default variants (--variants all):\n");
	for (i = 0; i < n; i++)
		printf("  %s\n", v[i].name);
}

static int mdl_parse(int argc, char **argv, struct mdl_eval_opts *o)
{
	static const struct option opts[] = {
		{ "variants", 1, 0, 'v' }, { "csv", 1, 0, 'c' }, { "data", 1, 0, 'd' },
		{ "threads", 1, 0, 'j' }, { "golden", 0, 0, 'G' }, { "windows", 1, 0, 'w' },
		{ "prompts", 1, 0, 'p' }, { "prompt-len", 1, 0, 'P' }, { "gen", 1, 0, 'g' },
		{ "limit", 1, 0, 'n' }, { "calib", 1, 0, 'C' }, { "seed", 1, 0, 'S' },
		{ "ref", 1, 0, 'R' }, { "tag", 1, 0, 'T' }, { "list", 0, 0, 'l' },
		{ "help", 0, 0, 'h' }, { 0, 0, 0, 0 }
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->variants = "all";
	o->threads = mdl_threads_default(2);
	o->seed = 1;
	mdl_lm_eval_opts_default(&o->lm);
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'v': o->variants = optarg; break;
		case 'c': o->csv = optarg; break;
		case 'd': o->data = optarg; break;
		case 'j': o->threads = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 'G': o->golden = 1; break;
		case 'w': o->lm.windows = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 'p': o->lm.prompts = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 'P': o->lm.prompt_len = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 'g': o->lm.gen_len = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 'n': o->limit = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 'C': o->calib = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 'S': o->seed = strtoull(optarg, NULL, 10); break;
		case 'R': o->ref = optarg; break;
		case 'T': o->tag = optarg; break;
		case 'l': mdl_list(); exit(0);
		case 'h': mdl_usage(); exit(0);
		default: return -EINVAL;
		}
	}
	if (optind + 1 != argc || o->threads == 0 || o->threads > MDL_THREADS_MAX)
		return -EINVAL;
	o->ckpt = argv[optind];
	return 0;
}

/* Parses --variants into v[]; returns the count or a negative errno. */
static int mdl_variants(const char *list, struct mdl_variant *v, uint32_t max)
{
	char buf[4096], *tok, *save;
	char err[256];
	uint32_t n = 0;

	if (!strcmp(list, "all"))
		return (int)mdl_variant_defaults(v, max);
	if (strlen(list) >= sizeof(buf)) {
		fprintf(stderr, "accel-eval: --variants list too long\n");
		return -EINVAL;
	}
	strcpy(buf, list);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (n == max || mdl_variant_parse(tok, &v[n], err, sizeof(err))) {
			fprintf(stderr, "accel-eval: %s\n", n == max ? "too many variants" : err);
			return -EINVAL;
		}
		n++;
	}
	return (int)n;
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
	FILE *csv;
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

static int mdl_run_lm(struct mdl_run *r)
{
	struct mdl_eval_opts *o = r->o;
	const char *dir = o->data ? o->data : MDL_MOBY_DIR;
	struct mdl_text train = { 0 }, held = { 0 };
	struct mdl_calib_set cal = { 0 };
	struct mdl_linset fp32, ls, rls;
	struct mdl_lm_figures f, f32;
	struct mdl_lm_ref ref;
	struct mdl_llama *m, *rm = NULL;
	char err[512];
	size_t bytes;
	double bpw, t0;
	int i, ret;

	if ((ret = mdl_llama_load(o->ckpt, &m, err, sizeof(err))) ||
	    (o->ref && (ret = mdl_llama_load(o->ref, &rm, err, sizeof(err)))) ||
	    (ret = mdl_moby_heldout(dir, &held, err, sizeof(err))) ||
	    (ret = mdl_moby_train(dir, &train, err, sizeof(err)))) {
		fprintf(stderr, "accel-eval: %s\n", err);
		return 1;
	}
	if (rm && (rm->vocab != m->vocab || rm->seq_len != m->seq_len)) {
		fprintf(stderr, "accel-eval: --ref %s: another vocabulary or context\n", o->ref);
		return 1;
	}
	if (!rm)
		rm = m;
	if (mdl_lm_linset(m, &fp32) || (rm != m && mdl_lm_linset(rm, &rls))) {
		fprintf(stderr, "accel-eval: out of memory\n");
		return 1;
	}
	printf("model %s: llama2.c layout, dim %u, hidden %u, %u layers, %u/%u heads, vocab %u "
	       "(%s), seq %u; %zu linear weights in %u layers\n", o->ckpt, m->dim, m->hidden,
	       m->layers, m->heads, m->kv_heads, m->vocab, m->tied ? "tied" : "untied", m->seq_len,
	       mdl_linset_params(&fp32), fp32.count);
	t0 = mdl_now();
	ret = mdl_lm_evaluate(r->ex, rm, rm == m ? &fp32 : &rls, &held, &o->lm, NULL, &ref, &f32,
			      err, sizeof(err));
	if (ret) {
		fprintf(stderr, "accel-eval: %s\n", err);
		return 1;
	}
	printf("held-out: chapters %u-%u + epilogue, %zu positions in windows of %u; greedy: %u "
	       "prompts x %u bytes after %u\n\n", MDL_MOBY_TRAIN_LAST + 1, MDL_MOBY_LAST,
	       f32.tokens, m->seq_len, o->lm.prompts, o->lm.gen_len, o->lm.prompt_len);
	printf("%-26s %9s %6s %10s %8s %9s %8s %8s %6s\n", "variant", "bytes", "bits/w",
	       "bits/byte", "delta", "KL nats", "top1=", "gen=", "s");
	mdl_row_size(&fp32, &bytes, &bpw);
	printf("%-26s %9zu %6.2f %10.4f %8s %9s %8s %8s %6.1f\n", "fp32", bytes, bpw,
	       f32.bits_per_byte, "-", "-", "-", "-", mdl_now() - t0);
	if (r->csv) {
		fprintf(r->csv, "model,variant,format,act,algo,weight_bytes,bits_per_weight,"
			"bits_per_byte,kl_nats,top1_agree,gen_agree\n");
		fprintf(r->csv, "lm,fp32,fp32,fp32,none,%zu,%.4f,%.6f,0,1,1\n", bytes, bpw,
			f32.bits_per_byte);
	}
	if (mdl_any_calib(r->v, r->nv) &&
	    (ret = mdl_calib_lm(r->ex, m, &fp32, &train, o->calib ? o->calib : 16, o->seed,
				&cal))) {
		fprintf(stderr, "accel-eval: calibration capture failed (%d)\n", ret);
		return 1;
	}
	for (i = 0; i < r->nv; i++) {
		const struct mdl_variant *v = &r->v[i];

		t0 = mdl_now();
		ret = mdl_variant_build(v, &fp32, cal.c ? &cal : NULL, &ls, err, sizeof(err));
		if (!ret)
			ret = mdl_lm_evaluate(r->ex, m, &ls, &held, &o->lm, &ref, NULL, &f, err,
					      sizeof(err));
		if (ret) {
			fprintf(stderr, "accel-eval: %s\n", err);
			return 1;
		}
		mdl_row_size(&ls, &bytes, &bpw);
		printf("%-26s %9zu %6.2f %10.4f %+8.4f %9.5f %8.4f %8.4f %6.1f\n", mdl_shown(o, v), bytes,
		       bpw, f.bits_per_byte, f.bits_per_byte - f32.bits_per_byte, f.kl,
		       f.top1_agree, f.gen_agree, mdl_now() - t0);
		fflush(stdout);
		if (r->csv)
			fprintf(r->csv, "lm,%s,%s,%s,%s,%zu,%.4f,%.6f,%.6f,%.6f,%.6f\n", mdl_shown(o, v),
				v->fmt_name, v->afmt == DP_A_INT8 ? "a8" : "a16",
				o->tag ? o->tag : v->algo->name, bytes, bpw, f.bits_per_byte, f.kl,
				f.top1_agree, f.gen_agree);
		mdl_linset_free(&ls, 0);
	}
	mdl_calib_free(&cal);
	mdl_lm_ref_free(&ref);
	mdl_linset_free(&fp32, 1);
	if (rm != m) {
		mdl_linset_free(&rls, 1);
		mdl_llama_free(rm);
	}
	mdl_llama_free(m);
	mdl_text_free(&train);
	mdl_text_free(&held);
	return 0;
}

static int mdl_run_cls(struct mdl_run *r)
{
	struct mdl_eval_opts *o = r->o;
	const char *dir = o->data ? o->data : MDL_FMNIST_DIR;
	struct mdl_images train = { 0 }, test = { 0 };
	struct mdl_calib_set cal = { 0 };
	struct mdl_cls_figures f, f32;
	struct mdl_linset fp32, ls, rls;
	struct mdl_cls *c, *rc = NULL;
	uint8_t *ref;
	char err[512];
	size_t bytes;
	double bpw, t0;
	int i, ret;
	uint32_t l;

	if ((ret = mdl_cls_load(o->ckpt, &c, err, sizeof(err))) ||
	    (o->ref && (ret = mdl_cls_load(o->ref, &rc, err, sizeof(err)))) ||
	    (ret = mdl_fmnist_load(dir, "t10k", &test, err, sizeof(err))) ||
	    (mdl_any_calib(r->v, r->nv) &&
	     (ret = mdl_fmnist_load(dir, "train", &train, err, sizeof(err))))) {
		fprintf(stderr, "accel-eval: %s\n", err);
		return 1;
	}
	ref = malloc(test.n);
	if (!rc)
		rc = c;
	if (!ref || mdl_cls_linset(c, &fp32) || (rc != c && mdl_cls_linset(rc, &rls))) {
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
	printf("test: Fashion-MNIST t10k, %u images\n\n", f32.n);
	printf("%-26s %9s %6s %8s %8s %8s %6s\n", "variant", "bytes", "bits/w", "top1", "delta",
	       "agree", "s");
	mdl_row_size(&fp32, &bytes, &bpw);
	printf("%-26s %9zu %6.2f %8.4f %8s %8s %6.1f\n", "fp32", bytes, bpw, f32.top1, "-", "-",
	       mdl_now() - t0);
	if (r->csv) {
		fprintf(r->csv, "model,variant,format,act,algo,weight_bytes,bits_per_weight,top1,"
			"agree\n");
		fprintf(r->csv, "cls,fp32,fp32,fp32,none,%zu,%.4f,%.6f,1\n", bytes, bpw, f32.top1);
	}
	if (mdl_any_calib(r->v, r->nv) &&
	    (ret = mdl_calib_cls(r->ex, c, &fp32, &train, o->calib ? o->calib : 1024, o->seed,
				 &cal))) {
		fprintf(stderr, "accel-eval: calibration capture failed (%d)\n", ret);
		return 1;
	}
	for (i = 0; i < r->nv; i++) {
		const struct mdl_variant *v = &r->v[i];

		t0 = mdl_now();
		ret = mdl_variant_build(v, &fp32, cal.c ? &cal : NULL, &ls, err, sizeof(err));
		if (ret) {
			fprintf(stderr, "accel-eval: %s\n", err);
			return 1;
		}
		ret = mdl_cls_evaluate(r->ex, c, &ls, &test, o->limit, ref, NULL, &f);
		if (ret) {
			fprintf(stderr, "accel-eval: %s: forward pass failed (%d)\n", v->name, ret);
			return 1;
		}
		mdl_row_size(&ls, &bytes, &bpw);
		printf("%-26s %9zu %6.2f %8.4f %+8.4f %8.4f %6.1f\n", mdl_shown(o, v), bytes, bpw, f.top1,
		       f.top1 - f32.top1, f.agree, mdl_now() - t0);
		if (r->csv)
			fprintf(r->csv, "cls,%s,%s,%s,%s,%zu,%.4f,%.6f,%.6f\n", mdl_shown(o, v),
				v->fmt_name, v->afmt == DP_A_INT8 ? "a8" : "a16",
				o->tag ? o->tag : v->algo->name, bytes, bpw, f.top1, f.agree);
		mdl_linset_free(&ls, 0);
	}
	mdl_calib_free(&cal);
	mdl_linset_free(&fp32, 1);
	if (rc != c) {
		mdl_linset_free(&rls, 1);
		mdl_cls_free(rc);
	}
	mdl_cls_free(c);
	mdl_images_free(&train);
	mdl_images_free(&test);
	free(ref);
	return 0;
}

int main(int argc, char **argv)
{
	static struct mdl_variant v[MDL_VARIANTS_MAX];
	struct mdl_eval_opts o;
	struct mdl_run r = { .o = &o, .v = v };
	struct mdl_pool *pool;
	int ret;

	if (mdl_algos_register_all()) {
		fprintf(stderr, "accel-eval: cannot register the algorithms\n");
		return 1;
	}
	if (mdl_parse(argc, argv, &o)) {
		mdl_usage();
		return 2;
	}
	r.nv = mdl_variants(o.variants, v, MDL_VARIANTS_MAX);
	if (r.nv < 0)
		return 2;
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
	ret = mdl_cls_sniff(o.ckpt) ? mdl_run_cls(&r) : mdl_run_lm(&r);
	if (r.csv && fclose(r.csv)) {
		fprintf(stderr, "accel-eval: %s: write failed\n", o.csv);
		ret = 1;
	}
	mdl_exec_free(r.ex);
	mdl_pool_destroy(pool);
	return ret;
}
