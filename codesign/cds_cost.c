// SPDX-License-Identifier: MIT
/*
 * Quasar codesign: a compressed model's device program run on each
 * hardware configuration (cds_cost.h). The program is built once; each
 * configuration gets a fresh firmware in process with its SRAM and cost
 * parameters, the weights loaded and the jobs run.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cds_cost.h"
#include "mdl_backend.h"
#include "mdl_cls_program.h"
#include "mdl_lm_program.h"
#include "mdl_util.h"

/* The sum @s of jobs as means over @units units of work. */
static void cds_cost_from(const struct accel_job_stats *s, double units, struct cds_cost *c)
{
	struct accel_job_cost jc;

	accel_job_cost(s, &jc);
	*c = (struct cds_cost){
		.cycles = (double)s->cycles / units,
		.cycles_compute = (double)s->cycles_compute / units,
		.cycles_memory = (double)s->cycles_memory / units,
		.time_us = jc.time_us / units,
		.energy_uj = jc.energy_uj / units,
		.dram_weights = (double)s->rd_weight_bytes / units,
		.dram_meta = (double)s->rd_meta_bytes / units,
		.dram_act = (double)s->rd_act_bytes / units,
		.dram_out = (double)s->wr_bytes / units,
		.sram_bytes = (double)s->sram_bytes / units,
		.memory_bound = jc.memory_bound,
	};
}

/* A firmware in process with @cfg's SRAM and cost parameters, @p loaded on it. */
static int cds_load(const struct mdl_program *p, const struct cds_config *cfg,
		    struct mdl_backend **b, struct mdl_loaded *l, char *err, size_t errlen)
{
	int ret = mdl_backend_fwrun_create_hw(1, cfg->sram_size, &cfg->cost, b);

	if (ret)
		return mdl_err(err, errlen, ret, "configuration %s: no firmware with sram-size %llu",
			       cfg->name, (unsigned long long)cfg->sram_size);
	ret = mdl_program_load(p, *b, l, err, errlen);
	if (ret) {
		mdl_backend_destroy(*b);
		*b = NULL;
	}
	return ret;
}

static void cds_unload(struct mdl_backend *b, struct mdl_loaded *l)
{
	mdl_program_unload(l);
	mdl_backend_destroy(b);
}

/* One configuration: the context's prefill, then S - D + D decode steps. */
static int cds_cost_lm_one(const struct mdl_program *p, const struct mdl_llama *m,
			   const uint32_t *tok, const struct cds_config *cfg, uint32_t steps,
			   float *logits, struct cds_cost *decode, struct cds_cost *prefill,
			   char *err, size_t errlen)
{
	const uint32_t S = m->seq_len;
	struct accel_job_stats st, sum = { 0 };
	struct mdl_backend *b;
	struct mdl_loaded l;
	int ret = cds_load(p, cfg, &b, &l, err, errlen);

	if (ret)
		return ret;
	ret = mdl_lm_device_step(&l, m, 0, 0, S, tok, logits, &st, err, errlen);
	if (!ret)
		cds_cost_from(&st, 1, prefill);
	/* the decode steps' KV cache: a prefill of the positions before them */
	if (!ret)
		ret = mdl_lm_device_step(&l, m, 0, 0, S - steps, tok, logits, &st, err, errlen);
	for (uint32_t pos = S - steps; !ret && pos < S; pos++) {
		ret = mdl_lm_device_step(&l, m, 0, pos, 1, tok + pos, logits, &st, err, errlen);
		mdl_job_stats_add(&sum, &st);
	}
	if (!ret)
		cds_cost_from(&sum, steps, decode);
	cds_unload(b, &l);
	return ret;
}

int cds_cost_lm(const struct mdl_llama *m, const struct mdl_linset *ls, const struct mdl_text *text,
		const struct cds_config *cfg, uint32_t nc, uint32_t decode_steps,
		struct cds_cost *decode, struct cds_cost *prefill, char *err, size_t errlen)
{
	const uint32_t S = m->seq_len;
	struct mdl_program p = { 0 };
	uint32_t *tok;
	float *logits;
	int ret;

	if (decode_steps == 0 || decode_steps >= S)
		return mdl_err(err, errlen, -EINVAL, "%u decode steps: the context of %u takes 1..%u",
			       decode_steps, S, S - 1);
	if (text->len < S)
		return mdl_err(err, errlen, -EINVAL, "a text of %zu bytes, shorter than the context "
			       "of %u", text->len, S);
	tok = malloc(sizeof(*tok) * S);
	logits = malloc(sizeof(*logits) * (size_t)S * m->vocab);
	if (!tok || !logits) {
		free(tok);
		free(logits);
		return mdl_err(err, errlen, -ENOMEM, "out of memory");
	}
	for (uint32_t i = 0; i < S; i++)
		tok[i] = text->bytes[i];
	ret = mdl_lm_program(m, ls, S, 1, &p, err, errlen);
	for (uint32_t i = 0; !ret && i < nc; i++)
		ret = cds_cost_lm_one(&p, m, tok, &cfg[i], decode_steps, logits, &decode[i],
				      &prefill[i], err, errlen);
	mdl_program_free(&p);
	free(tok);
	free(logits);
	return ret;
}

int cds_cost_cls(const struct mdl_cls *c, const struct mdl_linset *ls,
		 const struct mdl_images *test, const struct cds_config *cfg, uint32_t nc,
		 struct cds_cost *image, char *err, size_t errlen)
{
	struct mdl_program p = { 0 };
	int ret;

	if (test->n < MDL_CLS_DEVICE_BATCH)
		return mdl_err(err, errlen, -EINVAL, "%u test images, fewer than a batch of %u",
			       test->n, MDL_CLS_DEVICE_BATCH);
	ret = mdl_cls_program(c, ls, MDL_CLS_DEVICE_BATCH, &p, err, errlen);
	for (uint32_t i = 0; !ret && i < nc; i++) {
		struct mdl_dev_figures f = { 0 };
		struct mdl_backend *b;
		struct mdl_loaded l;

		ret = cds_load(&p, &cfg[i], &b, &l, err, errlen);
		if (ret)
			break;
		ret = mdl_cls_device_run(&l, test, MDL_CLS_DEVICE_BATCH, &f, NULL, err, errlen);
		if (!ret && f.jobs != 1)
			ret = mdl_err(err, errlen, -EIO, "%u jobs for one batch", f.jobs);
		if (!ret)
			cds_cost_from(&f.job[0].st, MDL_CLS_DEVICE_BATCH, &image[i]);
		mdl_dev_figures_free(&f);
		cds_unload(b, &l);
	}
	mdl_program_free(&p);
	return ret;
}
