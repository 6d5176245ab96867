// SPDX-License-Identifier: MIT
/*
 * mdl-qat: quantization-aware training and knowledge distillation, from a
 * committed FP32 checkpoint, for one weight format.
 *
 *   mdl-qat --format FMT --out FILE [--act a16|a8] [--kd W] [--steps N | --epochs N] CKPT
 *
 * Every step the forward pass runs with each linear layer's weights
 * quantized and dequantized by the device's own quantizer (compress_quantize,
 * the RTN rule the datapath uses; compress_qtensor_dequant gives the exact
 * values the GEMM multiplies) and the gradient passes straight through to
 * the FP32 master weights (STE). --kd W > 0 makes it distillation: the
 * FP32 checkpoint is the teacher and the loss is (1 - W) CE(label) +
 * W KL(teacher || student). Data: the training split only.
 *
 * Output: an FP32 checkpoint of the master weights (same layout as the
 * input). Packing it with FMT by RTN (accel-eval FMT/ACT/rtn) gives exactly
 * the weights the last forward pass used, i.e. the compressed model, which
 * is also written as a packed checkpoint (--packed, default OUT with .qpk
 * for .bin; variant FMT/ACT/qat or FMT/ACT/kd; mdl_packed.h).
 * --act a16 (default) trains weight-only: the device's BF16 rounding of
 * activations is not modelled (it is far below the weights' 4-bit noise).
 * --act a8 also fake-quantizes every linear layer's input as the device's
 * A8 path does (BF16, then dynamic per-row int8, mdl_act_fakequant.h), gradient
 * straight through, so the model is trained for the W4A8 GEMM.
 * --format fp32 is the control: the same steps, data, learning rate and
 * seed with nothing fake-quantized and no teacher (no --kd, --act a16), so
 * that a QAT or KD result can be told apart from the extra training; no
 * packed checkpoint.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mdl_act_fakequant.h"
#include "mdl_adamw.h"
#include "mdl_cls.h"
#include "mdl_data.h"
#include "mdl_fp32_matmul.h"
#include "mdl_lm_infer.h"
#include "mdl_lm_train.h"
#include "mdl_packed.h"
#include "mdl_rng.h"
#include "mdl_util.h"
#include "mdl_variant.h"
#include "tool_cli.h"
#include "tool_progress.h"

struct mdl_qat_opts {
	const char *ckpt, *data, *out, *format;
	char packed[4096];
	uint32_t steps, epochs, batch, threads;
	float lr, kd;
	uint64_t seed;
	const char *act;	/* "a16" or "a8" */
	int a8;
	int control;		/* --format fp32: fine-tune without fake quant */
	struct compress_qparams qp;
};

static void mdl_usage(FILE *f)
{
	fprintf(f,
		"Usage: mdl-qat --format FMT --out FILE [options] CKPT\n"
		"Quantization-aware training or distillation for one weight format.\n\n"
		"Trains (or, with --kd, distils) the FP32 checkpoint CKPT, the language model\n"
		"or the classifier, for the weight format FMT; writes the FP32 master weights\n"
		"to FILE and the compressed model as a packed checkpoint. Progress (step k/N,\n"
		"time left, loss) goes to stderr.\n\n"
		"Options:\n"
		"  --format FMT    a weight format of accel-eval (int4-g32, mxfp4, nvfp4, ...),\n"
		"                  or fp32: the control, the same fine-tuning unquantized\n"
		"  --out FILE      the FP32 checkpoint to write\n"
		"  --act A         a16: weights only (default); a8: also the device's int8\n"
		"                  activations\n"
		"  --kd W          distillation weight from 0 to 1 (0: QAT with the labels only)\n"
		"  --packed FILE   the packed checkpoint (default: OUT with .qpk for .bin)\n"
		"  --data DIR      the training data (default: the model's usual directory)\n"
		"  --steps N       LM: training steps (default 400), 16 windows each\n"
		"  --epochs N      classifier: epochs (default 2)\n"
		"  --batch N       windows (LM, default 16) or images (default 100) per step\n"
		"  --lr F          peak learning rate (LM default 1e-4, classifier 2e-4)\n"
		"  --seed N        sampling seed (default 7)\n"
		"  --threads N     worker threads, 1 to %u (default 2, or $MDL_THREADS)\n",
		MDL_THREADS_MAX);
}

static void mdl_parse(int argc, char **argv, struct mdl_qat_opts *o, struct tool_cli *cli)
{
	static const struct option opts[] = {
		{ "format", 1, 0, 'f' }, { "out", 1, 0, 'o' }, { "data", 1, 0, 'd' },
		{ "kd", 1, 0, 'k' }, { "steps", 1, 0, 's' }, { "epochs", 1, 0, 'e' },
		{ "batch", 1, 0, 'b' }, { "lr", 1, 0, 'l' }, { "seed", 1, 0, 'S' },
		{ "threads", 1, 0, 'j' }, { "packed", 1, 0, 'K' }, { "act", 1, 0, 'a' },
		{ 0, 0, 0, 0 }
	};
	static const char *const acts[] = { "a16", "a8", NULL };
	struct mdl_variant v;
	char spec[64], err[256];
	int c;

	memset(o, 0, sizeof(*o));
	o->steps = 400;
	o->epochs = 2;
	o->threads = mdl_threads_default(2);
	o->seed = 7;
	o->act = "a16";
	while ((c = tool_cli_getopt(cli, argc, argv, "", opts)) != -1) {
		switch (c) {
		case 'f': o->format = optarg; break;
		case 'o': o->out = optarg; break;
		case 'd': o->data = optarg; break;
		case 'k': o->kd = (float)tool_cli_double("--kd", optarg, 0, 1); break;
		case 's': o->steps = tool_cli_u32("--steps", optarg, 1, UINT32_MAX); break;
		case 'e': o->epochs = tool_cli_u32("--epochs", optarg, 1, 100000); break;
		case 'b': o->batch = tool_cli_u32("--batch", optarg, 1, 65536); break;
		case 'l': o->lr = (float)tool_cli_double("--lr", optarg, 0, 10); break;
		case 'S': o->seed = tool_cli_u64("--seed", optarg, 0, UINT64_MAX); break;
		case 'j': o->threads = tool_cli_u32("--threads", optarg, 1, MDL_THREADS_MAX); break;
		case 'K': snprintf(o->packed, sizeof(o->packed), "%s", optarg); break;
		case 'a': o->act = acts[tool_cli_choice("--act", optarg, acts)]; break;
		}
	}
	if (!o->format || !o->out)
		tool_cli_usage_error("--format FMT and --out FILE are needed");
	if (optind == argc)
		tool_cli_usage_error("the checkpoint CKPT is needed");
	if (optind + 1 != argc)
		tool_cli_usage_error("one checkpoint only, not '%s'", argv[optind + 1]);
	o->ckpt = argv[optind];
	if (!o->packed[0]) {
		size_t n = strlen(o->out);

		if (n > 4 && !strcmp(o->out + n - 4, ".bin"))
			n -= 4;
		snprintf(o->packed, sizeof(o->packed), "%.*s.qpk", (int)n, o->out);
	}
	o->a8 = !strcmp(o->act, "a8");
	if (!strcmp(o->format, "fp32")) {
		if (o->a8 || o->kd > 0.0f)
			tool_cli_usage_error("--format fp32 is the control: no fake quant (--act a16) "
					     "and no teacher (--kd 0), not --act %s --kd %g", o->act,
					     o->kd);
		o->control = 1;
		return;
	}
	/* the variant parser refuses a8 for formats without an int8-activation path */
	snprintf(spec, sizeof(spec), "%s/%s", o->format, o->act);
	if (mdl_variant_parse(spec, &v, err, sizeof(err)))
		tool_cli_usage_error("--format %s --act %s: %s", o->format, o->act, err);
	if (dp_fmt_info(v.qp.fmt)->sparse)
		tool_cli_usage_error("--format %s: 2:4 formats are not supported (the mask "
				     "would move)", o->format);
	o->qp = v.qp;
}

/* The device's quantize-dequantize of one weight matrix (the STE forward). */
static int mdl_qdq(void *arg, uint32_t id, const float *w, uint32_t n, uint32_t k, float *wq)
{
	const struct compress_qparams *qp = arg;
	struct compress_qtensor *qt;
	int ret;

	(void)id;
	ret = compress_quantize(w, n, k, k, qp, &qt);
	if (ret)
		return ret;
	ret = compress_qtensor_dequant(qt, wq, k);
	compress_qtensor_free(qt);
	return ret;
}

/*
 * The packed checkpoint of the trained model (m or c): RTN of the master
 * weights in the trained format, the weights of the last forward pass, with
 * the activations it was trained for (--act). Derived from the FP32 master
 * checkpoint just written to --out.
 */
static int mdl_qat_pack(const struct mdl_qat_opts *o, const struct mdl_llama *m,
			const struct mdl_cls *c)
{
	struct mdl_linset fp32, ls;
	struct mdl_packed_src src;
	struct mdl_variant v;
	char spec[64], name[MDL_PACKED_NAME], err[512];
	int ret;

	snprintf(spec, sizeof(spec), "%s/%s", o->format, o->act);
	ret = mdl_variant_parse(spec, &v, err, sizeof(err));
	if (ret)
		goto fail;
	ret = m ? mdl_lm_linset(m, &fp32) : mdl_cls_linset(c, &fp32);
	if (ret) {
		fprintf(stderr, "mdl-qat: out of memory\n");
		return 1;
	}
	ret = mdl_variant_build(&v, &fp32, NULL, &ls, err, sizeof(err));
	if (!ret) {
		snprintf(name, sizeof(name), "%s/%s/%s", v.fmt_name, o->act,
			 o->kd > 0.0f ? "kd" : "qat");
		ret = mdl_packed_src_file(o->out, &src, err, sizeof(err));
		if (!ret)
			ret = m ? mdl_packed_save_lm(o->packed, m, &ls, name, &src, err, sizeof(err)) :
				  mdl_packed_save_cls(o->packed, c, &ls, name, &src, err,
						      sizeof(err));
		mdl_linset_free(&ls, 0);
	}
	mdl_linset_free(&fp32, 1);
	if (!ret) {
		fprintf(stderr, "mdl-qat: packed %s -> %s\n", name, o->packed);
		return 0;
	}
fail:
	fprintf(stderr, "mdl-qat: %s\n", err);
	return 1;
}

/* ---- language model: the Llama trainer with a fake-quant hook ---- */

static int mdl_qat_lm(const struct mdl_qat_opts *o, struct mdl_pool *pool)
{
	const char *dir = o->data ? o->data : MDL_MOBY_DIR;
	uint32_t batch = o->batch ? o->batch : 16, step, b, T;
	float lr0 = o->lr > 0.0f ? o->lr : 1e-4f;
	struct mdl_llama *m, *teach = NULL;
	struct mdl_lm_train tr, tt;
	struct mdl_text train;
	struct mdl_adamw opt;
	struct mdl_rng r;
	uint8_t *in, *tgt, *decay;
	struct tool_progress prog;
	double ema = 0;
	char err[512];

	if (mdl_moby_train(dir, &train, err, sizeof(err)) ||
	    mdl_llama_load(o->ckpt, &m, err, sizeof(err)) ||
	    (o->kd > 0.0f && mdl_llama_load(o->ckpt, &teach, err, sizeof(err)))) {
		fprintf(stderr, "mdl-qat: %s\n", err);
		return 1;
	}
	T = m->seq_len;
	in = malloc((size_t)batch * T);
	tgt = malloc((size_t)batch * T);
	decay = calloc(m->n_params, 1);	/* no weight decay: a short fine-tune */
	if (!in || !tgt || !decay || mdl_lm_train_init(&tr, m, pool, batch, T) ||
	    (teach && mdl_lm_train_init(&tt, teach, pool, batch, T)) ||
	    mdl_adamw_init(&opt, m->n_params, decay, 0.0f) ||
	    (!o->control && mdl_lm_train_set_fq(&tr, mdl_qdq, (void *)&o->qp))) {
		fprintf(stderr, "mdl-qat: cannot set up training (needs an untied model, "
			"n_kv_heads == n_heads)\n");
		return 1;
	}
	tr.aq_a8 = o->a8;
	if (teach) {
		tr.soft = tt.logits;	/* the teacher's probabilities, refreshed per step */
		tr.soft_w = o->kd;
	}
	mdl_rng_seed(&r, o->seed);
	fprintf(stderr, "mdl-qat: LM %s/%s, %s, %u steps x %u windows, lr %.1e\n", o->format,
		o->act, teach ? "distillation" : o->control ? "FP32 control" : "QAT", o->steps,
		batch, lr0);
	tool_progress_start(&prog, "step", o->steps);
	for (step = 0; step < o->steps; step++) {
		/* cosine from lr0 to lr0 / 10 */
		float lr = lr0 * (0.1f + 0.45f * (1.0f + cosf((float)M_PI * step / o->steps)));
		double loss, gn;

		for (b = 0; b < batch; b++) {
			size_t off = mdl_rng_below(&r, (uint32_t)(train.len - T - 1));

			memcpy(in + (size_t)b * T, train.bytes + off, T);
			memcpy(tgt + (size_t)b * T, train.bytes + off + 1, T);
		}
		if (teach)
			mdl_lm_train_loss(&tt, in, NULL);
		loss = mdl_lm_train_step(&tr, in, tgt);
		if (tr.fq_ret) {
			fprintf(stderr, "mdl-qat: quantizer: %s\n",
				compress_strerror(tr.fq_ret));
			return 1;
		}
		gn = mdl_grad_norm(pool, tr.grad, m->n_params);
		mdl_adamw_step(&opt, pool, m->params, tr.grad, lr, gn > 1.0 ? (float)(1.0 / gn) : 1.0f);
		ema = step ? 0.95 * ema + 0.05 * loss : loss;
		if ((step + 1) % 50 == 0 || step + 1 == o->steps)
			tool_progress_update(&prog, step + 1, "loss %.4f", ema);
	}
	tool_progress_end(&prog);
	if (mdl_llama_save(m, o->out, err, sizeof(err))) {
		fprintf(stderr, "mdl-qat: %s\n", err);
		return 1;
	}
	if (!o->control && mdl_qat_pack(o, m, NULL))
		return 1;
	mdl_adamw_free(&opt);
	mdl_lm_train_free(&tr);
	if (teach) {
		mdl_lm_train_free(&tt);
		mdl_llama_free(teach);
	}
	mdl_llama_free(m);
	mdl_text_free(&train);
	free(in);
	free(tgt);
	free(decay);
	return 0;
}

/* ---- classifier: the MLP's forward and backward with fake-quantized weights ---- */

struct mdl_qat_cls {
	struct mdl_cls *c, *grad, *teach;
	struct mdl_pool *pool;
	const struct compress_qparams *qp;	/* NULL: the FP32 control */
	float kd;
	int a8;
	float *wq[MDL_CLS_LAYERS_MAX], *wt[MDL_CLS_LAYERS_MAX];
	float *a[MDL_CLS_LAYERS_MAX + 1], *d[MDL_CLS_LAYERS_MAX + 1], *ta[MDL_CLS_LAYERS_MAX + 1];
	/* A8: each layer's input as the device quantizes it (a[] keeps the ReLU mask) */
	float *aq[MDL_CLS_LAYERS_MAX];
};

/*
 * Forward of @c with weights w[] (FP32 [out][in]) into acts a[]. With aq,
 * layer i multiplies aq[i], the A8 fake quant of a[i], instead of a[i].
 */
static int mdl_cls_fwd(struct mdl_pool *pool, const struct mdl_cls *c, float *const *w,
		       float *const *wt, float **a, float *const *aq, uint32_t nb)
{
	uint32_t L = c->layers, i, r, k;

	for (i = 0; i < L; i++) {
		uint32_t in = c->dims[i], out = c->dims[i + 1];
		const float *x = a[i];
		float *y = a[i + 1];

		if (aq) {
			int ret = mdl_actq_a8(pool, a[i], nb, in, aq[i]);

			if (ret)
				return ret;
			x = aq[i];
		}
		mdl_transpose(w[i], out, in, in, wt[i], out);
		mdl_mm_par(pool, nb, out, in, x, in, wt[i], out, y, out, false);
		for (r = 0; r < nb; r++)
			for (k = 0; k < out; k++) {
				float v = y[(size_t)r * out + k] + c->b[i][k];

				y[(size_t)r * out + k] = i + 1 < L && v < 0.0f ? 0.0f : v;
			}
	}
	return 0;
}

static void mdl_softmax(const float *lg, uint32_t n, float *p)
{
	float mx = lg[0], s = 0;
	uint32_t k;

	for (k = 1; k < n; k++)
		mx = lg[k] > mx ? lg[k] : mx;
	for (k = 0; k < n; k++)
		s += (p[k] = expf(lg[k] - mx));
	for (k = 0; k < n; k++)
		p[k] /= s;
}

static int mdl_qat_cls_step(struct mdl_qat_cls *t, const uint8_t *labels, uint32_t nb,
			    double *loss)
{
	struct mdl_cls *c = t->c;
	uint32_t L = c->layers, C = MDL_FMNIST_CLASSES, i, r, k;
	float ps[MDL_FMNIST_CLASSES], pt[MDL_FMNIST_CLASSES];
	int ret;

	for (i = 0; i < L; i++) {
		if (!t->qp) {	/* the FP32 control */
			memcpy(t->wq[i], c->w[i], sizeof(float) * c->dims[i + 1] * c->dims[i]);
			continue;
		}
		ret = mdl_qdq((void *)t->qp, i, c->w[i], c->dims[i + 1], c->dims[i], t->wq[i]);
		if (ret)
			return ret;
	}
	ret = mdl_cls_fwd(t->pool, c, t->wq, t->wt, t->a, t->a8 ? t->aq : NULL, nb);
	if (ret)
		return ret;
	if (t->teach) {	/* the FP32 teacher: neither weights nor activations quantized */
		t->ta[0] = t->a[0];
		mdl_cls_fwd(t->pool, t->teach, t->teach->w, t->wt, t->ta, NULL, nb);
	}
	*loss = 0;
	for (r = 0; r < nb; r++) {
		float *dl = t->d[L] + (size_t)r * C;

		mdl_softmax(t->a[L] + (size_t)r * C, C, ps);
		if (t->teach)
			mdl_softmax(t->ta[L] + (size_t)r * C, C, pt);
		*loss -= (1.0f - t->kd) * logf(ps[labels[r]] > 1e-30f ? ps[labels[r]] : 1e-30f);
		for (k = 0; k < C; k++) {
			float tgt = (1.0f - t->kd) * (k == labels[r]) + (t->teach ? t->kd * pt[k] : 0);

			if (t->teach && pt[k] > 0.0f)
				*loss += t->kd * pt[k] * (logf(pt[k]) - logf(ps[k] > 1e-30f ? ps[k] : 1e-30f));
			dl[k] = (ps[k] - tgt) / (float)nb;
		}
	}
	*loss /= nb;
	for (i = L; i-- > 0;) {
		uint32_t in = c->dims[i], out = c->dims[i + 1];
		const float *dz = t->d[i + 1];

		/* dW from the input the forward multiplied */
		mdl_mm_at_par(t->pool, out, in, nb, dz, out, t->a8 ? t->aq[i] : t->a[i], in,
			      t->grad->w[i], in, false);
		for (k = 0; k < out; k++) {
			float s = 0;

			for (r = 0; r < nb; r++)
				s += dz[(size_t)r * out + k];
			t->grad->b[i][k] = s;
		}
		if (i == 0)
			break;
		/* straight through: dX from the quantized weights the forward used */
		mdl_mm_par(t->pool, nb, in, out, dz, out, t->wq[i], in, t->d[i], in, false);
		for (r = 0; r < (size_t)nb * in; r++)
			if (t->a[i][r] <= 0.0f)
				t->d[i][r] = 0.0f;
	}
	return 0;
}

static int mdl_qat_cls(const struct mdl_qat_opts *o, struct mdl_pool *pool)
{
	const char *dir = o->data ? o->data : MDL_FMNIST_DIR;
	uint32_t batch = o->batch ? o->batch : 100, i, ep, b, steps, step = 0, nbatch;
	float lr0 = o->lr > 0.0f ? o->lr : 2e-4f;
	struct mdl_qat_cls t = { .pool = pool, .qp = o->control ? NULL : &o->qp, .kd = o->kd,
				 .a8 = o->a8 };
	struct mdl_images train;
	struct mdl_adamw opt;
	struct mdl_rng r;
	uint32_t *perm;
	uint8_t *labels, *decay;
	struct tool_progress prog;
	double loss, sum;
	char err[512];
	size_t j;

	if (mdl_fmnist_load(dir, "train", &train, err, sizeof(err)) ||
	    mdl_cls_load(o->ckpt, &t.c, err, sizeof(err)) ||
	    mdl_cls_alloc(t.c->layers, t.c->dims, &t.grad, err, sizeof(err)) ||
	    (o->kd > 0.0f && mdl_cls_load(o->ckpt, &t.teach, err, sizeof(err)))) {
		fprintf(stderr, "mdl-qat: %s\n", err);
		return 1;
	}
	perm = malloc(sizeof(uint32_t) * train.n);
	labels = malloc(batch);
	decay = calloc(t.c->n_params, 1);
	if (!perm || !labels || !decay || mdl_adamw_init(&opt, t.c->n_params, decay, 0.0f))
		goto nomem;
	for (i = 0; i <= t.c->layers; i++) {
		t.a[i] = mdl_zalloc(sizeof(float) * batch * t.c->dims[i]);
		t.d[i] = mdl_zalloc(sizeof(float) * batch * t.c->dims[i]);
		t.ta[i] = mdl_zalloc(sizeof(float) * batch * t.c->dims[i]);
		if (!t.a[i] || !t.d[i] || !t.ta[i])
			goto nomem;
		if (i < t.c->layers) {
			t.wq[i] = mdl_zalloc(sizeof(float) * t.c->dims[i] * t.c->dims[i + 1]);
			t.wt[i] = mdl_zalloc(sizeof(float) * t.c->dims[i] * t.c->dims[i + 1]);
			t.aq[i] = mdl_zalloc(sizeof(float) * batch * t.c->dims[i]);
			if (!t.wq[i] || !t.wt[i] || !t.aq[i])
				goto nomem;
		}
	}
	free(t.ta[0]);	/* the teacher reads the student's input rows */
	for (i = 0; i < train.n; i++)
		perm[i] = i;
	mdl_rng_seed(&r, o->seed);
	nbatch = train.n / batch;
	steps = o->epochs * nbatch;
	fprintf(stderr, "mdl-qat: classifier %s/%s, %s, %u epochs, lr %.1e\n", o->format,
		o->act, t.teach ? "distillation" : o->control ? "FP32 control" : "QAT", o->epochs,
		lr0);
	tool_progress_start(&prog, "step", steps);
	for (ep = 0; ep < o->epochs; ep++) {
		for (i = train.n - 1; i > 0; i--) {
			uint32_t k = mdl_rng_below(&r, i + 1), tmp = perm[i];

			perm[i] = perm[k];
			perm[k] = tmp;
		}
		for (sum = 0, b = 0; b < nbatch; b++, step++) {
			float lr = lr0 * (0.1f + 0.45f * (1.0f + cosf((float)M_PI * step / steps)));
			double gn;
			int ret;

			for (i = 0; i < batch; i++) {
				uint32_t idx = perm[b * batch + i];
				const uint8_t *px = train.pixels + (size_t)idx * MDL_FMNIST_PIXELS;

				for (j = 0; j < MDL_FMNIST_PIXELS; j++)
					t.a[0][(size_t)i * MDL_FMNIST_PIXELS + j] = px[j] / 255.0f;
				labels[i] = train.labels[idx];
			}
			ret = mdl_qat_cls_step(&t, labels, batch, &loss);
			if (ret) {
				fprintf(stderr, "mdl-qat: quantizer: %s\n",
					compress_strerror(ret));
				return 1;
			}
			sum += loss;
			gn = mdl_grad_norm(pool, t.grad->params, t.c->n_params);
			mdl_adamw_step(&opt, pool, t.c->params, t.grad->params, lr,
				       gn > 5.0 ? (float)(5.0 / gn) : 1.0f);
			/* steps, so that time left shows within the first epoch too */
			if ((step + 1) % 100 == 0 && b + 1 < nbatch)
				tool_progress_update(&prog, step + 1, "epoch %u/%u, loss %.4f",
						     ep + 1, o->epochs, sum / (b + 1));
		}
		tool_progress_update(&prog, step, "epoch %u/%u done, loss %.4f", ep + 1, o->epochs,
				     sum / nbatch);
	}
	tool_progress_end(&prog);
	if (mdl_cls_save(t.c, o->out, err, sizeof(err))) {
		fprintf(stderr, "mdl-qat: %s\n", err);
		return 1;
	}
	if (!o->control && mdl_qat_pack(o, NULL, t.c))
		return 1;
	return 0;	/* process exit frees the rest */
nomem:
	fprintf(stderr, "mdl-qat: out of memory\n");
	return 1;
}

int main(int argc, char **argv)
{
	struct tool_cli cli = { .name = "mdl-qat", .usage = mdl_usage };
	struct mdl_qat_opts o;
	struct mdl_pool *pool;
	int ret;

	mdl_parse(argc, argv, &o, &cli);
	if (mdl_pool_create(o.threads, &pool)) {
		fprintf(stderr, "mdl-qat: cannot start %u threads\n", o.threads);
		return 1;
	}
	ret = mdl_cls_sniff(o.ckpt) ? mdl_qat_cls(&o, pool) : mdl_qat_lm(&o, pool);
	mdl_pool_destroy(pool);
	return ret;
}
