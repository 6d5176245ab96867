// SPDX-License-Identifier: MIT
/* Quasar models: a device program's figures, written, read and compared. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mdl_device_figures.h"
#include "mdl_packed.h"
#include "mdl_util.h"

#define MDL_FIGURES_MAGIC "quasar-device-figures"
#define MDL_FIGURES_VERSION 1
#define MDL_FIGURES_TOKENS_MAX 65536
#define MDL_FIGURES_LINE (12 * MDL_FIGURES_TOKENS_MAX)	/* the tokens line, the longest */

uint64_t mdl_fnv64(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

int mdl_dev_figures_init(struct mdl_dev_figures *f, const char *qpk, const char *variant,
			 const char *backend, char *err, size_t errlen)
{
	const char *base = strrchr(qpk, '/');
	struct mdl_packed_src src;
	int ret;

	memset(f, 0, sizeof(*f));
	ret = mdl_packed_src_file(qpk, &src, err, errlen);
	if (ret)
		return ret;
	snprintf(f->model, sizeof(f->model), "%s", base ? base + 1 : qpk);
	snprintf(f->variant, sizeof(f->variant), "%s", variant);
	snprintf(f->backend, sizeof(f->backend), "%s", backend);
	f->qpk_crc = src.crc;
	f->qpk_size = src.size;
	return 0;
}

void mdl_dev_figures_free(struct mdl_dev_figures *f)
{
	free(f->job);
	free(f->tokens);
	memset(f, 0, sizeof(*f));
}

int mdl_dev_figures_add_job(struct mdl_dev_figures *f, const struct mdl_job_figures *j)
{
	if (f->jobs == f->cap_jobs) {
		uint32_t cap = f->cap_jobs ? 2 * f->cap_jobs : 16;
		struct mdl_job_figures *nj = realloc(f->job, cap * sizeof(*nj));

		if (!nj)
			return -ENOMEM;
		f->job = nj;
		f->cap_jobs = cap;
	}
	f->job[f->jobs] = *j;
	/* what differs from run to run without the program having changed */
	f->job[f->jobs].st.seqno = 0;
	f->job[f->jobs].st.queue = 0;
	f->job[f->jobs].st.device_ns = 0;
	f->jobs++;
	return 0;
}

int mdl_dev_figures_stream(struct mdl_dev_figures *f, const struct mdl_loaded *l, char *err,
			   size_t errlen)
{
	struct accel_stream *s;
	int ret = accel_stream_create(&s);

	if (ret)
		return mdl_err(err, errlen, ret, "stream: out of memory");
	ret = mdl_program_stream(l->p, l->base, l->p->batch, s, err, errlen);
	if (!ret) {
		f->stream_bytes = accel_stream_size(s);
		f->stream_fnv64 = mdl_fnv64(MDL_FNV64_INIT, accel_stream_data(s),
					    accel_stream_size(s));
		memcpy(f->stream_base, l->base, sizeof(f->stream_base));
	}
	accel_stream_destroy(s);
	return ret;
}

#define MDL_JOB_FMT "job %u rows %u status %u cmd_index %u clock_mhz %u " \
	"rd_weight_bytes %" SCNu64 " rd_meta_bytes %" SCNu64 " rd_act_bytes %" SCNu64 " " \
	"wr_bytes %" SCNu64 " sram_bytes %" SCNu64 " macs_dense %" SCNu64 " " \
	"macs_exec %" SCNu64 " vec_elems %" SCNu64 " tiles %" SCNu64 " " \
	"cycles_compute %" SCNu64 " cycles_memory %" SCNu64 " cycles %" SCNu64 " " \
	"energy_fj %" SCNu64 " outputs_fnv64 %" SCNx64

/* A name as the file holds it: "-" for none, so that every line has a value. */
static const char *mdl_figures_word(const char *s)
{
	return s[0] ? s : "-";
}

static void mdl_figures_unword(char *s)
{
	if (!strcmp(s, "-"))
		s[0] = 0;
}

int mdl_dev_figures_write(const char *path, const struct mdl_dev_figures *f, char *err,
			  size_t errlen)
{
	FILE *o = fopen(path, "w");
	int ok;

	if (!o)
		return mdl_err(err, errlen, -errno, "%s: %s", path, strerror(errno));
	fprintf(o, "%s %d\nmodel %s\nvariant %s\nqpk_crc 0x%08x\nqpk_size %" PRIu64 "\n"
		"backend %s\nbatch %u\nitems %u\ncorrect %u\noutputs_fnv64 0x%016" PRIx64 "\n"
		"stream_bytes %u\nstream_fnv64 0x%016" PRIx64 "\n",
		MDL_FIGURES_MAGIC, MDL_FIGURES_VERSION, mdl_figures_word(f->model),
		mdl_figures_word(f->variant), f->qpk_crc, f->qpk_size,
		mdl_figures_word(f->backend), f->batch, f->items, f->correct, f->outputs_fnv64,
		f->stream_bytes, f->stream_fnv64);
	fprintf(o, "stream_base");
	for (uint32_t i = 0; i < MDL_REGIONS; i++)
		fprintf(o, " 0x%" PRIx64, f->stream_base[i]);
	fprintf(o, "\n");
	if (f->ntokens) {
		fprintf(o, "prompt %u\ntokens %u", f->prompt, f->ntokens);
		for (uint32_t i = 0; i < f->ntokens; i++)
			fprintf(o, " %u", f->tokens[i]);
		fprintf(o, "\n");
	}
	fprintf(o, "jobs %u\n", f->jobs);
	for (uint32_t i = 0; i < f->jobs; i++) {
		const struct mdl_job_figures *j = &f->job[i];
		const struct accel_job_stats *s = &j->st;

		fprintf(o, "job %u rows %u status %u cmd_index %u clock_mhz %u "
			"rd_weight_bytes %" PRIu64 " rd_meta_bytes %" PRIu64
			" rd_act_bytes %" PRIu64 " wr_bytes %" PRIu64 " sram_bytes %" PRIu64
			" macs_dense %" PRIu64 " macs_exec %" PRIu64 " vec_elems %" PRIu64
			" tiles %" PRIu64 " cycles_compute %" PRIu64 " cycles_memory %" PRIu64
			" cycles %" PRIu64 " energy_fj %" PRIu64
			" outputs_fnv64 0x%016" PRIx64 "\n",
			i, j->rows, s->status, s->cmd_index, s->clock_mhz, s->rd_weight_bytes,
			s->rd_meta_bytes, s->rd_act_bytes, s->wr_bytes, s->sram_bytes,
			s->macs_dense, s->macs_exec, s->vec_elems, s->tiles, s->cycles_compute,
			s->cycles_memory, s->cycles, s->energy_fj, j->outputs_fnv64);
	}
	ok = !ferror(o);
	if (fclose(o) || !ok)
		return mdl_err(err, errlen, -EIO, "%s: write failed", path);
	return 0;
}

/* "N id id ...": N ids, each below 2^32, nothing after them. */
static int mdl_figures_tokens(struct mdl_dev_figures *f, const char *s)
{
	unsigned long v;
	char *end;
	uint32_t n, i;

	v = strtoul(s, &end, 10);
	if (end == s || v == 0 || v > MDL_FIGURES_TOKENS_MAX || f->tokens)
		return -EINVAL;
	n = (uint32_t)v;
	f->tokens = malloc(sizeof(uint32_t) * n);
	if (!f->tokens)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		s = end;
		v = strtoul(s, &end, 10);
		if (end == s || v > UINT32_MAX)
			return -EINVAL;
		f->tokens[i] = (uint32_t)v;
	}
	while (*end == ' ' || *end == '\n')
		end++;
	f->ntokens = n;
	return *end ? -EINVAL : 0;
}

/* One "key value" line into the matching field; 0, or -EINVAL. */
static int mdl_figures_line(struct mdl_dev_figures *f, const char *line)
{
	struct mdl_job_figures j = { 0 };
	struct accel_job_stats *s = &j.st;
	unsigned int idx;
	int n;

	if (!strncmp(line, "job ", 4)) {
		n = sscanf(line, MDL_JOB_FMT, &idx, &j.rows, &s->status, &s->cmd_index,
			   &s->clock_mhz, &s->rd_weight_bytes, &s->rd_meta_bytes,
			   &s->rd_act_bytes, &s->wr_bytes, &s->sram_bytes, &s->macs_dense,
			   &s->macs_exec, &s->vec_elems, &s->tiles, &s->cycles_compute,
			   &s->cycles_memory, &s->cycles, &s->energy_fj, &j.outputs_fnv64);
		if (n != 19 || idx != f->jobs)
			return -EINVAL;
		return mdl_dev_figures_add_job(f, &j);
	}
	if (!strncmp(line, "tokens ", 7))
		return mdl_figures_tokens(f, line + 7);
	if (sscanf(line, "model %63s", f->model) == 1 ||
	    sscanf(line, "variant %63s", f->variant) == 1 ||
	    sscanf(line, "backend %63[^\n]", f->backend) == 1 ||
	    sscanf(line, "qpk_crc %" SCNx32, &f->qpk_crc) == 1 ||
	    sscanf(line, "qpk_size %" SCNu64, &f->qpk_size) == 1 ||
	    sscanf(line, "batch %u", &f->batch) == 1 ||
	    sscanf(line, "items %u", &f->items) == 1 ||
	    sscanf(line, "correct %u", &f->correct) == 1 ||
	    sscanf(line, "outputs_fnv64 %" SCNx64, &f->outputs_fnv64) == 1 ||
	    sscanf(line, "stream_bytes %u", &f->stream_bytes) == 1 ||
	    sscanf(line, "stream_fnv64 %" SCNx64, &f->stream_fnv64) == 1 ||
	    sscanf(line, "prompt %u", &f->prompt) == 1 ||
	    sscanf(line, "jobs %u", &idx) == 1)
		return 0;
	if (sscanf(line, "stream_base %" SCNx64 " %" SCNx64 " %" SCNx64 " %" SCNx64,
		   &f->stream_base[0], &f->stream_base[1], &f->stream_base[2],
		   &f->stream_base[3]) == MDL_REGIONS)
		return 0;
	return -EINVAL;
}

int mdl_dev_figures_read(const char *path, struct mdl_dev_figures *f, char *err,
			 size_t errlen)
{
	unsigned int line_no = 1, jobs = 0;
	int version = 0;
	char *line;
	FILE *in;

	memset(f, 0, sizeof(*f));
	line = malloc(MDL_FIGURES_LINE);
	if (!line)
		return mdl_err(err, errlen, -ENOMEM, "out of memory");
	in = fopen(path, "r");
	if (!in) {
		free(line);
		return mdl_err(err, errlen, -errno, "%s: %s", path, strerror(errno));
	}
	if (!fgets(line, MDL_FIGURES_LINE, in) ||
	    sscanf(line, MDL_FIGURES_MAGIC " %d", &version) != 1 ||
	    version != MDL_FIGURES_VERSION) {
		fclose(in);
		free(line);
		return mdl_err(err, errlen, -EINVAL, "%s: not a version-%d figures file", path,
			       MDL_FIGURES_VERSION);
	}
	while (fgets(line, MDL_FIGURES_LINE, in)) {
		line_no++;
		sscanf(line, "jobs %u", &jobs);
		if (mdl_figures_line(f, line)) {
			fclose(in);
			mdl_dev_figures_free(f);
			mdl_err(err, errlen, -EINVAL, "%s:%u: cannot read '%.60s'", path, line_no,
				line);
			free(line);
			return -EINVAL;
		}
	}
	fclose(in);
	free(line);
	mdl_figures_unword(f->model);
	mdl_figures_unword(f->variant);
	mdl_figures_unword(f->backend);
	if (jobs != f->jobs) {
		mdl_dev_figures_free(f);
		return mdl_err(err, errlen, -EINVAL, "%s: %u job lines, the header says %u",
			       path, f->jobs, jobs);
	}
	return 0;
}

/* The first field of a job's modeled statistics that differs, or NULL. */
static const char *mdl_stats_diff(const struct accel_job_stats *a,
				  const struct accel_job_stats *b, uint64_t *va, uint64_t *vb)
{
#define MDL_FIELD(f) do {						\
		if (a->f != b->f) {					\
			*va = a->f;					\
			*vb = b->f;					\
			return #f;					\
		}							\
	} while (0)
	MDL_FIELD(status);
	MDL_FIELD(cmd_index);
	MDL_FIELD(clock_mhz);
	MDL_FIELD(rd_weight_bytes);
	MDL_FIELD(rd_meta_bytes);
	MDL_FIELD(rd_act_bytes);
	MDL_FIELD(wr_bytes);
	MDL_FIELD(sram_bytes);
	MDL_FIELD(macs_dense);
	MDL_FIELD(macs_exec);
	MDL_FIELD(vec_elems);
	MDL_FIELD(tiles);
	MDL_FIELD(cycles_compute);
	MDL_FIELD(cycles_memory);
	MDL_FIELD(cycles);
	MDL_FIELD(energy_fj);
#undef MDL_FIELD
	return NULL;
}

int mdl_dev_figures_compare(const struct mdl_dev_figures *want,
			    const struct mdl_dev_figures *got, char *why, size_t whylen)
{
	uint64_t va, vb;
	const char *field;

	if (want->qpk_crc != got->qpk_crc || want->qpk_size != got->qpk_size)
		return mdl_err(why, whylen, -1, "packed file: CRC 0x%08x, %" PRIu64 " bytes here, "
			       "0x%08x, %" PRIu64 " there", got->qpk_crc, got->qpk_size,
			       want->qpk_crc, want->qpk_size);
	if (want->batch != got->batch || want->items != got->items || want->jobs != got->jobs)
		return mdl_err(why, whylen, -1, "batch %u, %u items, %u jobs; expected %u, %u, %u",
			       got->batch, got->items, got->jobs, want->batch, want->items,
			       want->jobs);
	for (uint32_t i = 0; i < want->jobs; i++) {
		const struct mdl_job_figures *a = &want->job[i], *b = &got->job[i];

		if (a->rows != b->rows)
			return mdl_err(why, whylen, -1, "job %u: %u rows, expected %u", i, b->rows,
				       a->rows);
		field = mdl_stats_diff(&a->st, &b->st, &va, &vb);
		if (field)
			return mdl_err(why, whylen, -1, "job %u: %s %" PRIu64 ", expected %" PRIu64,
				       i, field, vb, va);
		if (a->outputs_fnv64 != b->outputs_fnv64)
			return mdl_err(why, whylen, -1,
				       "job %u: outputs digest 0x%016" PRIx64 ", expected 0x%016"
				       PRIx64 " (a value differs in rows %u..%u)", i,
				       b->outputs_fnv64, a->outputs_fnv64, i * want->batch,
				       i * want->batch + a->rows - 1);
	}
	if (want->correct != got->correct)
		return mdl_err(why, whylen, -1, "top-1: %u of %u correct, expected %u",
			       got->correct, got->items, want->correct);
	if (want->outputs_fnv64 != got->outputs_fnv64)
		return mdl_err(why, whylen, -1, "outputs digest 0x%016" PRIx64 ", expected 0x%016"
			       PRIx64, got->outputs_fnv64, want->outputs_fnv64);
	return 0;
}

void mdl_dev_figures_per_item(const struct mdl_dev_figures *f, double *cycles,
			      double *energy_uj, double *dram_bytes)
{
	double c = 0, e = 0, d = 0;

	for (uint32_t i = 0; i < f->jobs; i++) {
		struct accel_job_cost cost;

		accel_job_cost(&f->job[i].st, &cost);
		c += (double)f->job[i].st.cycles;
		e += cost.energy_uj;
		d += (double)cost.dram_bytes;
	}
	*cycles = f->items ? c / f->items : 0;
	*energy_uj = f->items ? e / f->items : 0;
	*dram_bytes = f->items ? d / f->items : 0;
}
