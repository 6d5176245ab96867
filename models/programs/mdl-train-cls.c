// SPDX-License-Identifier: MIT
/*
 * mdl-train-cls: trains the Fashion-MNIST MLP on the 60,000 training images
 * and writes a QCLS checkpoint. Progress on stderr; the final figures
 * (train loss and accuracy, t10k top-1) on stdout.
 *
 *   mdl-train-cls --data DIR --out FILE [--hidden 256,128] [--epochs N] [...]
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dp_gemm.h"
#include "mdl_adamw.h"
#include "mdl_cls.h"
#include "mdl_data.h"
#include "mdl_eval.h"
#include "mdl_fp32_matmul.h"
#include "mdl_rng.h"
#include "mdl_util.h"
#include "tool_cli.h"
#include "tool_progress.h"

struct mdl_cls_opts {
	const char *data, *out, *figures, *curve;
	uint32_t layers, dims[MDL_CLS_LAYERS_MAX + 1];
	uint32_t epochs, batch, threads;
	float lr, min_lr, wd;
	uint64_t seed;
};

static void mdl_usage(FILE *f)
{
	fprintf(f,
		"Usage: mdl-train-cls --data DIR --out FILE [options]\n"
		"Trains the Fashion-MNIST MLP classifier.\n\n"
		"It writes the classifier's checkpoint. Progress (epoch k/N, time left, loss,\n"
		"train accuracy) goes to stderr; the final figures (t10k top-1) to stdout.\n\n"
		"Options:\n"
		"  --data DIR        the Fashion-MNIST .gz files (scripts/fetch-data.sh)\n"
		"  --out FILE        the checkpoint to write\n"
		"  --hidden W1,W2,.. hidden layer widths (default 256,128)\n"
		"  --epochs N        epochs (default 20)\n"
		"  --batch N         images per step (default 100)\n"
		"  --lr F            peak learning rate (default 1e-3)\n"
		"  --min-lr F        final learning rate of the cosine schedule (default 1e-5)\n"
		"  --wd F            weight decay (default 0.01)\n"
		"  --seed N          initialisation and shuffling seed (default 1)\n"
		"  --threads N       worker threads, 1 to %u (default 2, or $MDL_THREADS)\n"
		"  --figures FILE    the final figures as 'key value' lines (for the tests)\n"
		"  --curve FILE      the loss curve as CSV (epoch, loss, train accuracy), one\n"
		"                    line per epoch; 'make models' plots it\n",
		MDL_THREADS_MAX);
}

static int mdl_parse_hidden(const char *s, struct mdl_cls_opts *o)
{
	char *end;

	o->layers = 0;
	o->dims[0] = MDL_FMNIST_PIXELS;
	for (;;) {
		unsigned long v = strtoul(s, &end, 10);

		if (end == s || v == 0 || v > MDL_CLS_DIM_MAX || o->layers + 2 > MDL_CLS_LAYERS_MAX)
			return -EINVAL;
		o->dims[++o->layers] = (uint32_t)v;
		if (*end == 0)
			break;
		if (*end != ',')
			return -EINVAL;
		s = end + 1;
	}
	o->dims[++o->layers] = MDL_FMNIST_CLASSES;
	return 0;
}

static void mdl_parse(int argc, char **argv, struct mdl_cls_opts *o, struct tool_cli *cli)
{
	static const struct option opts[] = {
		{ "data", 1, 0, 'd' }, { "out", 1, 0, 'o' }, { "hidden", 1, 0, 'H' },
		{ "epochs", 1, 0, 'e' }, { "batch", 1, 0, 'b' }, { "lr", 1, 0, 'l' },
		{ "min-lr", 1, 0, 'm' }, { "wd", 1, 0, 'W' }, { "seed", 1, 0, 'S' },
		{ "threads", 1, 0, 'j' }, { "figures", 1, 0, 'F' }, { "curve", 1, 0, 'C' },
		{ 0, 0, 0, 0 }
	};
	int c;

	*o = (struct mdl_cls_opts){ .epochs = 20, .batch = 100, .threads = mdl_threads_default(2),
				    .lr = 1e-3f, .min_lr = 1e-5f, .wd = 0.01f, .seed = 1 };
	mdl_parse_hidden("256,128", o);
	while ((c = tool_cli_getopt(cli, argc, argv, "", opts)) != -1) {
		switch (c) {
		case 'd': o->data = optarg; break;
		case 'o': o->out = optarg; break;
		case 'H':
			if (mdl_parse_hidden(optarg, o))
				tool_cli_usage_error("--hidden '%s': not widths from 1 to %u "
						     "separated by commas (at most %u)", optarg,
						     MDL_CLS_DIM_MAX, MDL_CLS_LAYERS_MAX - 1);
			break;
		case 'e': o->epochs = tool_cli_u32("--epochs", optarg, 1, 100000); break;
		case 'b': o->batch = tool_cli_u32("--batch", optarg, 1, 60000); break;
		case 'l': o->lr = (float)tool_cli_double("--lr", optarg, 0, 10); break;
		case 'm': o->min_lr = (float)tool_cli_double("--min-lr", optarg, 0, 10); break;
		case 'W': o->wd = (float)tool_cli_double("--wd", optarg, 0, 10); break;
		case 'S': o->seed = tool_cli_u64("--seed", optarg, 0, UINT64_MAX); break;
		case 'j': o->threads = tool_cli_u32("--threads", optarg, 1, MDL_THREADS_MAX); break;
		case 'F': o->figures = optarg; break;
		case 'C': o->curve = optarg; break;
		}
	}
	if (!o->data || !o->out)
		tool_cli_usage_error("--data DIR and --out FILE are needed");
	if (optind != argc)
		tool_cli_usage_error("unexpected argument '%s'", argv[optind]);
}

/* Activations and gradients of one batch. */
struct mdl_cls_train {
	struct mdl_cls *c, *grad;
	struct mdl_pool *pool;
	uint32_t batch;
	float *wt[MDL_CLS_LAYERS_MAX];	/* W^T [in][out] */
	float *a[MDL_CLS_LAYERS_MAX + 1];	/* a[0] input, a[i + 1] layer i's output */
	float *d[MDL_CLS_LAYERS_MAX + 1];	/* gradients of the same */
};

/* Mean cross-entropy of the batch; counts correct predictions. */
static double mdl_cls_step(struct mdl_cls_train *t, const uint8_t *labels, uint32_t nb,
			   uint32_t *correct)
{
	struct mdl_cls *c = t->c;
	uint32_t L = c->layers, i, r, k;
	double loss = 0;

	for (i = 0; i < L; i++) {
		uint32_t in = c->dims[i], out = c->dims[i + 1];
		float *y = t->a[i + 1];

		mdl_transpose(c->w[i], out, in, in, t->wt[i], out);
		mdl_mm_par(t->pool, nb, out, in, t->a[i], in, t->wt[i], out, y, out, false);
		for (r = 0; r < nb; r++)
			for (k = 0; k < out; k++) {
				float v = y[(size_t)r * out + k] + c->b[i][k];

				y[(size_t)r * out + k] = i + 1 < L && v < 0.0f ? 0.0f : v;
			}
	}
	for (r = 0; r < nb; r++) {
		const float *lg = t->a[L] + (size_t)r * MDL_FMNIST_CLASSES;
		float *dl = t->d[L] + (size_t)r * MDL_FMNIST_CLASSES, mx = lg[0], s = 0;
		uint32_t best = 0;

		for (k = 1; k < MDL_FMNIST_CLASSES; k++)
			if (lg[k] > mx) {
				mx = lg[k];
				best = k;
			}
		for (k = 0; k < MDL_FMNIST_CLASSES; k++)
			s += expf(lg[k] - mx);
		loss += (double)logf(s) + mx - lg[labels[r]];
		*correct += best == labels[r];
		for (k = 0; k < MDL_FMNIST_CLASSES; k++)
			dl[k] = (expf(lg[k] - mx) / s - (k == labels[r])) / (float)nb;
	}
	for (i = L; i-- > 0;) {
		uint32_t in = c->dims[i], out = c->dims[i + 1];
		const float *dz = t->d[i + 1];

		mdl_mm_at_par(t->pool, out, in, nb, dz, out, t->a[i], in, t->grad->w[i], in, false);
		for (k = 0; k < out; k++) {
			float s = 0;

			for (r = 0; r < nb; r++)
				s += dz[(size_t)r * out + k];
			t->grad->b[i][k] = s;
		}
		if (i == 0)
			break;
		mdl_mm_par(t->pool, nb, in, out, dz, out, c->w[i], in, t->d[i], in, false);
		for (r = 0; r < (size_t)nb * in; r++)	/* through the ReLU */
			if (t->a[i][r] <= 0.0f)
				t->d[i][r] = 0.0f;
	}
	return loss / nb;
}

int main(int argc, char **argv)
{
	struct tool_cli cli = { .name = "mdl-train-cls", .usage = mdl_usage };
	struct tool_progress prog;
	FILE *curve = NULL;
	struct mdl_cls_opts o;
	struct mdl_images train, test;
	struct mdl_cls_train t = { 0 };
	struct mdl_cls_figures fig;
	struct mdl_linset ls;
	struct mdl_exec *ex;
	struct mdl_adamw opt;
	struct mdl_rng r;
	uint32_t *perm, ep, i, steps, step = 0, correct = 0;
	uint8_t *decay, *labels;
	double t0, loss = 0;
	char err[512];
	size_t j;

	mdl_parse(argc, argv, &o, &cli);
	if (o.curve && (!(curve = fopen(o.curve, "w")) ||
			fprintf(curve, "epoch,loss,train_acc\n") < 0)) {
		fprintf(stderr, "mdl-train-cls: --curve %s: %s\n", o.curve, strerror(errno));
		return 1;
	}
	if (mdl_fmnist_load(o.data, "train", &train, err, sizeof(err)) ||
	    mdl_fmnist_load(o.data, "t10k", &test, err, sizeof(err)) ||
	    mdl_cls_alloc(o.layers, o.dims, &t.c, err, sizeof(err)) ||
	    mdl_cls_alloc(o.layers, o.dims, &t.grad, err, sizeof(err))) {
		fprintf(stderr, "mdl-train-cls: %s\n", err);
		return 1;
	}
	perm = malloc(sizeof(uint32_t) * train.n);
	labels = malloc(o.batch);
	decay = calloc(t.c->n_params, 1);
	if (!perm || !labels || !decay || mdl_pool_create(o.threads, &t.pool) ||
	    mdl_adamw_init(&opt, t.c->n_params, decay, o.wd)) {
		fprintf(stderr, "mdl-train-cls: out of memory\n");
		return 1;
	}
	t.batch = o.batch;
	for (i = 0; i <= o.layers; i++) {
		t.a[i] = mdl_zalloc(sizeof(float) * o.batch * o.dims[i]);
		t.d[i] = mdl_zalloc(sizeof(float) * o.batch * o.dims[i]);
		if (i < o.layers)
			t.wt[i] = mdl_zalloc(sizeof(float) * o.dims[i] * o.dims[i + 1]);
		if (!t.a[i] || !t.d[i] || (i < o.layers && !t.wt[i])) {
			fprintf(stderr, "mdl-train-cls: out of memory\n");
			return 1;
		}
	}
	/* He initialisation; weights decay, biases do not */
	mdl_rng_seed(&r, o.seed);
	for (i = 0; i < o.layers; i++) {
		size_t n = (size_t)o.dims[i + 1] * o.dims[i];
		float sd = sqrtf(2.0f / (float)o.dims[i]);

		for (j = 0; j < n; j++)
			t.c->w[i][j] = mdl_rng_normal(&r) * sd;
		memset(decay + (t.c->w[i] - t.c->params), 1, n);
	}
	for (i = 0; i < train.n; i++)
		perm[i] = i;
	steps = o.epochs * (train.n / o.batch);
	fprintf(stderr, "mdl-train-cls: MLP %u", o.dims[0]);
	for (i = 1; i <= o.layers; i++)
		fprintf(stderr, "-%u", o.dims[i]);
	fprintf(stderr, ", %zu parameters, %u epochs of %u images, batch %u, %u threads\n",
		t.c->n_params, o.epochs, train.n, o.batch, o.threads);
	t0 = mdl_now();
	tool_progress_start(&prog, "epoch", o.epochs);
	for (ep = 0; ep < o.epochs; ep++) {
		uint32_t b, nbatches = train.n / o.batch;

		for (i = train.n - 1; i > 0; i--) {	/* Fisher-Yates, seeded */
			uint32_t k = mdl_rng_below(&r, i + 1), tmp = perm[i];

			perm[i] = perm[k];
			perm[k] = tmp;
		}
		loss = 0;
		correct = 0;
		for (b = 0; b < nbatches; b++, step++) {
			float lr = o.min_lr + 0.5f * (o.lr - o.min_lr) *
				   (1.0f + cosf((float)M_PI * (float)step / (float)steps));
			double gn;

			for (i = 0; i < o.batch; i++) {
				uint32_t idx = perm[b * o.batch + i];
				const uint8_t *px = train.pixels + (size_t)idx * MDL_FMNIST_PIXELS;

				float *row = t.a[0] + (size_t)i * MDL_FMNIST_PIXELS;

				for (j = 0; j < MDL_FMNIST_PIXELS; j++)
					row[j] = (float)px[j] / 255.0f;
				labels[i] = train.labels[idx];
			}
			loss += mdl_cls_step(&t, labels, o.batch, &correct);
			gn = mdl_grad_norm(t.pool, t.grad->params, t.c->n_params);
			mdl_adamw_step(&opt, t.pool, t.c->params, t.grad->params, lr,
				       gn > 5.0 ? (float)(5.0 / gn) : 1.0f);
		}
		if (curve)
			fprintf(curve, "%u,%.6f,%.6f\n", ep + 1, loss / nbatches,
				(double)correct / (nbatches * o.batch));
		tool_progress_update(&prog, ep + 1, "loss %.4f, train acc %.4f", loss / nbatches,
				     (double)correct / (nbatches * o.batch));
	}
	tool_progress_end(&prog);
	if (curve && fclose(curve)) {
		fprintf(stderr, "mdl-train-cls: --curve %s: write failed\n", o.curve);
		return 1;
	}
	if (mdl_cls_save(t.c, o.out, err, sizeof(err))) {
		fprintf(stderr, "mdl-train-cls: %s\n", err);
		return 1;
	}
	if (mdl_exec_create(t.pool, dp_isa_best(), &ex) || mdl_cls_linset(t.c, &ls) ||
	    mdl_cls_evaluate(ex, t.c, &ls, &test, 0, NULL, NULL, &fig)) {
		fprintf(stderr, "mdl-train-cls: evaluation failed\n");
		return 1;
	}
	printf("cls: %zu params, %u epochs, %.0f s, last epoch loss %.4f train acc %.4f, "
	       "t10k top-1 %.4f (%u images)\n", t.c->n_params, o.epochs, mdl_now() - t0,
	       loss / (train.n / o.batch), (double)correct / ((train.n / o.batch) * o.batch),
	       fig.top1, fig.n);
	if (o.figures) {
		FILE *f = fopen(o.figures, "w");

		if (!f || fprintf(f, "params %zu\nepochs %u\nt10k_images %u\nt10k_correct %u\n"
				  "t10k_top1 %.6f\n", t.c->n_params, o.epochs, fig.n,
				  (uint32_t)(fig.top1 * fig.n + 0.5), fig.top1) < 0 || fclose(f)) {
			fprintf(stderr, "mdl-train-cls: cannot write %s\n", o.figures);
			return 1;
		}
	}
	mdl_linset_free(&ls, 1);
	mdl_exec_free(ex);
	for (i = 0; i <= o.layers; i++) {
		free(t.a[i]);
		free(t.d[i]);
		free(t.wt[i]);
	}
	mdl_adamw_free(&opt);
	mdl_pool_destroy(t.pool);
	mdl_cls_free(t.c);
	mdl_cls_free(t.grad);
	mdl_images_free(&train);
	mdl_images_free(&test);
	free(perm);
	free(labels);
	free(decay);
	return 0;
}
