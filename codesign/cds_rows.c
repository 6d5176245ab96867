// SPDX-License-Identifier: MIT
/*
 * Quasar codesign: rows, their CSV, the Pareto front and budget answers
 * (cds_rows.h).
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cds_rows.h"

static int cds_rerr(char *err, size_t errlen, int ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return ret;
}

double cds_row_loss(const struct cds_row *r)
{
	return strcmp(r->model, "cls") ? r->delta : -r->delta;
}

const char *cds_row_unit(const struct cds_row *r)
{
	return strcmp(r->model, "cls") ? "token" : "image";
}

/* Every column: its name, and where in the row (text or number). */
enum cds_col_kind { CDS_COL_TEXT, CDS_COL_NUM, CDS_COL_BOUND, CDS_COL_FLAG, CDS_COL_UNIT };

struct cds_col {
	const char *name;
	enum cds_col_kind kind;
	size_t off, size;	/* text: the buffer's size */
	int prefill;		/* a prefill column: empty without one */
};

#define CDS_T(n, f)	{ n, CDS_COL_TEXT, offsetof(struct cds_row, f), \
			  sizeof(((struct cds_row *)0)->f), 0 }
#define CDS_N(n, f)	{ n, CDS_COL_NUM, offsetof(struct cds_row, f), 0, 0 }
#define CDS_U(n, f)	{ n, CDS_COL_NUM, offsetof(struct cds_row, unit.f), 0, 0 }
#define CDS_P(n, f)	{ n, CDS_COL_NUM, offsetof(struct cds_row, prefill.f), 0, 1 }

static const struct cds_col cds_cols[] = {
	CDS_T("model", model), CDS_T("variant", variant), CDS_T("format", format),
	CDS_T("act", act), CDS_T("algo", algo), CDS_T("config", config),
	{ "metric", CDS_COL_UNIT, 0, 0, 0 },
	CDS_N("value", value), CDS_N("delta_vs_fp32", delta), CDS_N("kl_nats", kl),
	CDS_N("top1_agree", agree),
	{ "unit", CDS_COL_UNIT, 1, 0, 0 },
	CDS_U("cycles", cycles), CDS_U("cycles_compute", cycles_compute),
	CDS_U("cycles_memory", cycles_memory), CDS_U("time_us", time_us),
	CDS_U("energy_uj", energy_uj), CDS_U("dram_weight_bytes", dram_weights),
	CDS_U("dram_meta_bytes", dram_meta), CDS_U("dram_act_bytes", dram_act),
	CDS_U("dram_out_bytes", dram_out), CDS_U("sram_bytes", sram_bytes),
	{ "bound", CDS_COL_BOUND, offsetof(struct cds_row, unit.memory_bound), 0, 0 },
	CDS_P("prefill_cycles", cycles), CDS_P("prefill_time_us", time_us),
	CDS_P("prefill_energy_uj", energy_uj), CDS_P("prefill_dram_weight_bytes", dram_weights),
	CDS_P("prefill_dram_meta_bytes", dram_meta), CDS_P("prefill_dram_act_bytes", dram_act),
	CDS_P("prefill_dram_out_bytes", dram_out), CDS_P("prefill_sram_bytes", sram_bytes),
	{ "prefill_bound", CDS_COL_BOUND, offsetof(struct cds_row, prefill.memory_bound), 0, 1 },
	{ "pareto_energy", CDS_COL_FLAG, offsetof(struct cds_row, pareto_energy), 0, 0 },
	{ "pareto_latency", CDS_COL_FLAG, offsetof(struct cds_row, pareto_latency), 0, 0 },
};

#define CDS_NCOLS	(sizeof(cds_cols) / sizeof(cds_cols[0]))

void cds_rows_header(FILE *f)
{
	for (size_t i = 0; i < CDS_NCOLS; i++)
		fprintf(f, "%s%s", i ? "," : "", cds_cols[i].name);
	fputc('\n', f);
}

void cds_row_write(FILE *f, const struct cds_row *r)
{
	const char *base = (const char *)r;

	for (size_t i = 0; i < CDS_NCOLS; i++) {
		const struct cds_col *c = &cds_cols[i];

		if (i)
			fputc(',', f);
		if (c->prefill && !r->has_prefill)
			continue;
		switch (c->kind) {
		case CDS_COL_TEXT:
			fputs(base + c->off, f);
			break;
		case CDS_COL_NUM:
			/* %.10g: what a reader parses prints back the same */
			fprintf(f, "%.10g", *(const double *)(base + c->off));
			break;
		case CDS_COL_BOUND:
			fputs(*(const int *)(base + c->off) ? "memory" : "compute", f);
			break;
		case CDS_COL_FLAG:
			fputc(*(const int *)(base + c->off) ? '1' : '0', f);
			break;
		case CDS_COL_UNIT:
			fputs(c->off ? cds_row_unit(r) :
			      strcmp(r->model, "cls") ? "bits_per_byte" : "top1", f);
			break;
		}
	}
	fputc('\n', f);
}

/* Splits @line at commas in place; returns the field count (at most @max). */
static uint32_t cds_split(char *line, char **field, uint32_t max)
{
	uint32_t n = 0;
	char *s = line;

	line[strcspn(line, "\r\n")] = 0;
	while (n < max) {
		field[n++] = s;
		s = strchr(s, ',');
		if (!s)
			break;
		*s++ = 0;
	}
	return n;
}

static int cds_col_parse(const struct cds_col *c, const char *v, struct cds_row *r)
{
	char *base = (char *)r, *end;
	double d;

	switch (c->kind) {
	case CDS_COL_TEXT:
		if (!*v || strlen(v) >= c->size)
			return -1;
		strcpy(base + c->off, v);
		return 0;
	case CDS_COL_NUM:
		d = strtod(v, &end);
		if (!*v || *end || !isfinite(d))
			return -1;
		*(double *)(base + c->off) = d;
		return 0;
	case CDS_COL_BOUND:
		if (strcmp(v, "memory") && strcmp(v, "compute"))
			return -1;
		*(int *)(base + c->off) = !strcmp(v, "memory");
		return 0;
	case CDS_COL_FLAG:
		if (strcmp(v, "0") && strcmp(v, "1"))
			return -1;
		*(int *)(base + c->off) = v[0] == '1';
		return 0;
	case CDS_COL_UNIT:
		return 0;	/* follows from the model */
	}
	return -1;
}

int cds_rows_read(const char *path, struct cds_row **rows, uint32_t *n, uint32_t *cap,
		  char *err, size_t errlen)
{
	int32_t at[CDS_NCOLS];
	char line[4096], *field[128];
	uint32_t nf, ln = 1;
	FILE *f = fopen(path, "r");
	int ret = 0;

	if (!f)
		return cds_rerr(err, errlen, -errno, "%s: %s", path, strerror(errno));
	if (!fgets(line, sizeof(line), f)) {
		fclose(f);
		return cds_rerr(err, errlen, -EINVAL, "%s: empty (no header line)", path);
	}
	nf = cds_split(line, field, 128);
	for (size_t c = 0; c < CDS_NCOLS; c++) {
		at[c] = -1;
		for (uint32_t i = 0; i < nf; i++)
			if (!strcmp(field[i], cds_cols[c].name))
				at[c] = (int32_t)i;
		/* pareto flags are the merge's: a point's file has none yet */
		if (at[c] < 0 && cds_cols[c].kind != CDS_COL_FLAG &&
		    cds_cols[c].kind != CDS_COL_UNIT) {
			fclose(f);
			return cds_rerr(err, errlen, -EINVAL, "%s:1: no column '%s'", path,
					cds_cols[c].name);
		}
	}
	while (!ret && fgets(line, sizeof(line), f)) {
		struct cds_row r = { 0 };

		ln++;
		if (line[0] == '\n')
			continue;
		nf = cds_split(line, field, 128);
		r.has_prefill = 1;
		for (size_t c = 0; c < CDS_NCOLS && !ret; c++) {
			const char *v;

			if (at[c] < 0)
				continue;
			v = (uint32_t)at[c] < nf ? field[at[c]] : NULL;
			if (v && !*v && cds_cols[c].prefill) {
				r.has_prefill = 0;
				continue;
			}
			if (!v || cds_col_parse(&cds_cols[c], v, &r))
				ret = cds_rerr(err, errlen, -EINVAL, "%s:%u: column '%s': bad value "
					       "'%s'", path, ln, cds_cols[c].name, v ? v : "(none)");
		}
		if (!ret && strcmp(r.model, "lm") && strcmp(r.model, "cls"))
			ret = cds_rerr(err, errlen, -EINVAL, "%s:%u: column 'model': '%s' is not "
				       "lm or cls", path, ln, r.model);
		if (ret)
			break;
		if (*n == *cap) {
			uint32_t nc = *cap ? *cap * 2 : 64;
			struct cds_row *t = realloc(*rows, sizeof(**rows) * nc);

			if (!t) {
				ret = cds_rerr(err, errlen, -ENOMEM, "out of memory");
				break;
			}
			*rows = t;
			*cap = nc;
		}
		(*rows)[(*n)++] = r;
	}
	fclose(f);
	return ret;
}

static int cds_same_group(const struct cds_row *a, const struct cds_row *b)
{
	return !strcmp(a->model, b->model) && !strcmp(a->config, b->config);
}

/* 1 if @b dominates @a: loss and cost both at most, one of them smaller. */
static int cds_dominates(double bl, double bc, double al, double ac)
{
	return bl <= al && bc <= ac && (bl < al || bc < ac);
}

void cds_pareto_mark(struct cds_row *rows, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		double li = cds_row_loss(&rows[i]);

		rows[i].pareto_energy = rows[i].pareto_latency = 1;
		for (uint32_t j = 0; j < n; j++) {
			double lj = cds_row_loss(&rows[j]);

			if (j == i || !cds_same_group(&rows[i], &rows[j]))
				continue;
			if (cds_dominates(lj, rows[j].unit.energy_uj, li, rows[i].unit.energy_uj))
				rows[i].pareto_energy = 0;
			if (cds_dominates(lj, rows[j].unit.time_us, li, rows[i].unit.time_us))
				rows[i].pareto_latency = 0;
		}
	}
}

/* -1, 0, 1 as (a1, a2) orders before, ties or after (b1, b2). */
static int cds_cmp2(double a1, double a2, double b1, double b2)
{
	if (a1 != b1)
		return a1 < b1 ? -1 : 1;
	if (a2 != b2)
		return a2 < b2 ? -1 : 1;
	return 0;
}

int cds_budget_answer(const struct cds_row *rows, uint32_t n, const struct cds_budget *b,
		      int32_t best[2])
{
	int32_t miss = -1;
	int any = 0;

	best[0] = best[1] = -1;
	for (uint32_t i = 0; i < n; i++) {
		const struct cds_row *r = &rows[i];
		double loss = cds_row_loss(r), e = r->unit.energy_uj, t = r->unit.time_us;
		const struct cds_row *m;

		if (strcmp(r->model, b->model) || (b->config && strcmp(r->config, b->config)))
			continue;
		any = 1;
		switch (b->kind) {
		case CDS_BUDGET_LOSS:
			if (loss <= b->limit) {
				if (best[0] < 0 || cds_cmp2(e, loss, rows[best[0]].unit.energy_uj,
							    cds_row_loss(&rows[best[0]])) < 0)
					best[0] = (int32_t)i;
				if (best[1] < 0 || cds_cmp2(t, loss, rows[best[1]].unit.time_us,
							    cds_row_loss(&rows[best[1]])) < 0)
					best[1] = (int32_t)i;
			}
			m = miss >= 0 ? &rows[miss] : NULL;
			if (!m || cds_cmp2(loss, e, cds_row_loss(m), m->unit.energy_uj) < 0)
				miss = (int32_t)i;
			break;
		case CDS_BUDGET_ENERGY:
		case CDS_BUDGET_LATENCY: {
			double c = b->kind == CDS_BUDGET_ENERGY ? e : t;

			if (c <= b->limit) {
				const struct cds_row *o = best[0] >= 0 ? &rows[best[0]] : NULL;
				double oc = o ? (b->kind == CDS_BUDGET_ENERGY ? o->unit.energy_uj :
						 o->unit.time_us) : 0;

				if (!o || cds_cmp2(loss, c, cds_row_loss(o), oc) < 0)
					best[0] = best[1] = (int32_t)i;
			}
			m = miss >= 0 ? &rows[miss] : NULL;
			if (!m || cds_cmp2(c, loss, b->kind == CDS_BUDGET_ENERGY ? m->unit.energy_uj :
					   m->unit.time_us, cds_row_loss(m)) < 0)
				miss = (int32_t)i;
			break;
		}
		}
	}
	if (!any)
		return -1;
	if (best[0] >= 0)
		return 1;
	best[0] = best[1] = miss;
	return 0;
}
