// SPDX-License-Identifier: MIT
/*
 * Quasar models: a device program on a backend (mdl_program.h,
 * mdl_backend.h): map the regions, write the weights once, build the
 * stream once per run size, and per run write the input, run one job,
 * read the output.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "mdl_backend.h"
#include "mdl_program.h"
#include "mdl_util.h"

void mdl_backend_destroy(struct mdl_backend *b)
{
	if (b)
		b->ops->destroy(b);
}

int mdl_job_stats_equal(const struct accel_job_stats *a, const struct accel_job_stats *b)
{
	return a->status == b->status && a->cmd_index == b->cmd_index &&
	       a->clock_mhz == b->clock_mhz && a->rd_weight_bytes == b->rd_weight_bytes &&
	       a->rd_meta_bytes == b->rd_meta_bytes && a->rd_act_bytes == b->rd_act_bytes &&
	       a->wr_bytes == b->wr_bytes && a->sram_bytes == b->sram_bytes &&
	       a->macs_dense == b->macs_dense && a->macs_exec == b->macs_exec &&
	       a->vec_elems == b->vec_elems && a->tiles == b->tiles &&
	       a->cycles_compute == b->cycles_compute && a->cycles_memory == b->cycles_memory &&
	       a->cycles == b->cycles && a->energy_fj == b->energy_fj;
}

void mdl_job_stats_add(struct accel_job_stats *sum, const struct accel_job_stats *s)
{
	sum->clock_mhz = s->clock_mhz;
	sum->rd_weight_bytes += s->rd_weight_bytes;
	sum->rd_meta_bytes += s->rd_meta_bytes;
	sum->rd_act_bytes += s->rd_act_bytes;
	sum->wr_bytes += s->wr_bytes;
	sum->sram_bytes += s->sram_bytes;
	sum->macs_dense += s->macs_dense;
	sum->macs_exec += s->macs_exec;
	sum->vec_elems += s->vec_elems;
	sum->tiles += s->tiles;
	sum->cycles_compute += s->cycles_compute;
	sum->cycles_memory += s->cycles_memory;
	sum->cycles += s->cycles;
	sum->energy_fj += s->energy_fj;
}

void mdl_program_unload(struct mdl_loaded *l)
{
	mdl_step_stream_free(l->ss);
	accel_stream_destroy(l->s);
	memset(l, 0, sizeof(*l));
}

int mdl_program_load(const struct mdl_program *p, struct mdl_backend *b, struct mdl_loaded *l,
		     char *err, size_t errlen)
{
	int ret;

	memset(l, 0, sizeof(*l));
	l->p = p;
	l->b = b;
	if (p->output < 0)
		return mdl_err(err, errlen, -EINVAL, "the program has no output");
	ret = accel_stream_create(&l->s);
	if (ret)
		return mdl_err(err, errlen, ret, "stream: %s", strerror(-ret));
	ret = b->ops->map(b, p->size, l->base);
	if (!ret && p->size[MDL_REGION_WEIGHTS])
		ret = b->ops->write(b, MDL_REGION_WEIGHTS, 0, p->weights,
				    p->size[MDL_REGION_WEIGHTS]);
	if (ret) {
		mdl_err(err, errlen, ret, "%s: %s", b->name, b->err);
		mdl_program_unload(l);
		return ret;
	}
	for (uint32_t i = 0; i < p->nop; i++)
		if (p->op[i].kind == MDL_DEV_EMBED)
			return 0;	/* its stream needs a step's tokens */
	ret = mdl_program_stream(p, l->base, p->batch, l->s, err, errlen);
	if (ret) {
		mdl_program_unload(l);
		return ret;
	}
	l->rows = p->batch;
	l->stream = accel_stream_data(l->s);
	l->stream_size = accel_stream_size(l->s);
	return 0;
}

/* Writes the input (if any), runs l->stream as one job, reads @rows of output. */
static int mdl_program_job(struct mdl_loaded *l, uint32_t rows, const void *input,
			   void *output, struct accel_job_stats *st, char *err, size_t errlen)
{
	const struct mdl_program *p = l->p;
	const struct mdl_dev_tensor *out = &p->t[p->output];
	struct mdl_backend *b = l->b;
	int ret = 0;

	if (p->input >= 0) {
		const struct mdl_dev_tensor *in = &p->t[p->input];

		if (!input)
			return mdl_err(err, errlen, -EINVAL, "the program's input is missing");
		ret = b->ops->write(b, in->region, in->offset, input, mdl_tensor_bytes(in, rows));
	}
	if (!ret)
		ret = b->ops->run(b, l->stream, l->stream_size, st);
	if (!ret && st->status != DRM_QUASAR_STATUS_OK)
		return mdl_err(err, errlen, -EIO, "%s: the job ended %s at command %u", b->name,
			       accel_status_name(st->status), st->cmd_index);
	if (!ret)
		ret = b->ops->read(b, out->region, out->offset, output,
				   mdl_tensor_bytes(out, rows));
	if (ret)
		return mdl_err(err, errlen, ret, "%s: %s", b->name, b->err);
	return 0;
}

int mdl_program_run_step(struct mdl_loaded *l, const struct mdl_step *step, const void *input,
			 void *output, struct accel_job_stats *st, char *err, size_t errlen)
{
	int ret = mdl_program_step_stream(l, step, err, errlen);

	if (ret)
		return ret;
	return mdl_program_job(l, step->rows, input, output, st, err, errlen);
}

int mdl_program_run(struct mdl_loaded *l, const void *input, uint32_t rows, void *output,
		    struct accel_job_stats *st, char *err, size_t errlen)
{
	int ret;

	if (rows != l->rows) {
		l->rows = 0;
		ret = mdl_program_stream(l->p, l->base, rows, l->s, err, errlen);
		if (ret)
			return ret;
		l->rows = rows;
	}
	l->stream = accel_stream_data(l->s);
	l->stream_size = accel_stream_size(l->s);
	return mdl_program_job(l, rows, input, output, st, err, errlen);
}
