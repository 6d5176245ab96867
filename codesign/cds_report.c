// SPDX-License-Identifier: MIT
/*
 * Quasar codesign: report.md and the plots of a merged sweep (cds_report.h).
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "cds_report.h"

/* Losses at or below these are drawn at them on the log axes. */
#define CDS_PLOT_FLOOR_LM	1e-4	/* bits/byte */
#define CDS_PLOT_FLOOR_CLS	1e-2	/* top-1 points */

static int cds_oerr(char *err, size_t errlen, int ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return ret;
}

static const char *cds_model_title(const char *model)
{
	return strcmp(model, "cls") ? "language model (held-out bits/byte, delta from FP32)" :
	       "classifier (Fashion-MNIST t10k top-1, drop from FP32 in points)";
}

/* A row's loss as the report shows it: bits/byte, or top-1 points. */
static double cds_shown_loss(const struct cds_row *r)
{
	return strcmp(r->model, "cls") ? cds_row_loss(r) : 100.0 * cds_row_loss(r);
}

static int cds_has_model(const struct cds_report_in *in, const char *model)
{
	for (uint32_t i = 0; i < in->n; i++)
		if (!strcmp(in->rows[i].model, model))
			return 1;
	return 0;
}

/* Indices of @model's rows on @config that are on a front, by energy. */
static uint32_t cds_front(const struct cds_report_in *in, const char *model, const char *config,
			  int latency_too, uint32_t *idx)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < in->n; i++) {
		const struct cds_row *r = &in->rows[i];

		if (strcmp(r->model, model) || strcmp(r->config, config) ||
		    !(r->pareto_energy || (latency_too && r->pareto_latency)))
			continue;
		idx[n++] = i;
	}
	/* insertion sort by energy: a front is short */
	for (uint32_t i = 1; i < n; i++)
		for (uint32_t j = i; j > 0 && in->rows[idx[j]].unit.energy_uj <
					       in->rows[idx[j - 1]].unit.energy_uj; j--) {
			uint32_t t = idx[j];

			idx[j] = idx[j - 1];
			idx[j - 1] = t;
		}
	return n;
}

static void cds_front_table(FILE *f, const struct cds_report_in *in, const char *model,
			    const char *config, uint32_t *idx)
{
	const int lm = strcmp(model, "cls") != 0;
	uint32_t n = cds_front(in, model, config, 1, idx);

	fprintf(f, "\n#### %s\n\n", cds_model_title(model));
	fprintf(f, "| variant | %s | %s | uJ/%s | us/%s | cycles/%s | DRAM bytes/%s | bound |%s "
		"front |\n", lm ? "bits/byte" : "top-1", lm ? "delta" : "drop (points)",
		lm ? "token" : "image", lm ? "token" : "image", lm ? "token" : "image",
		lm ? "token" : "image", lm ? " prefill-256 us | prefill-256 uJ |" : "");
	fprintf(f, "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |%s --- |\n",
		lm ? " ---: | ---: |" : "");
	for (uint32_t k = 0; k < n; k++) {
		const struct cds_row *r = &in->rows[idx[k]];
		const struct cds_cost *u = &r->unit;

		fprintf(f, "| %s | %.4f | %+.4f | %.3f | %.3f | %.0f | %.0f | %s |", r->variant,
			r->value, cds_shown_loss(r), u->energy_uj, u->time_us, u->cycles,
			u->dram_weights + u->dram_meta + u->dram_act + u->dram_out,
			u->memory_bound ? "memory" : "compute");
		if (lm)
			fprintf(f, " %.1f | %.2f |", r->prefill.time_us, r->prefill.energy_uj);
		fprintf(f, " %s |\n", r->pareto_energy && r->pareto_latency ? "energy, latency" :
			r->pareto_energy ? "energy" : "latency");
	}
}

static void cds_answer_cell(FILE *f, const struct cds_report_in *in, int ret, int32_t i,
			    int by_energy, int show_config)
{
	const struct cds_row *r;

	if (ret < 0) {
		fprintf(f, " - |");
		return;
	}
	r = &in->rows[i];
	fprintf(f, " %s%s%s%s: %.3f %s, loss %+.4f |", ret ? "" : "none; closest miss ",
		r->variant, show_config ? " on " : "", show_config ? r->config : "",
		by_energy ? r->unit.energy_uj : r->unit.time_us, by_energy ? "uJ" : "us",
		cds_shown_loss(r));
}

/* Accuracy budgets: the cheapest by energy and by latency, on @config (NULL: any). */
static void cds_loss_budgets(FILE *f, const struct cds_report_in *in, const char *model,
			     const char *config)
{
	static const double lm_b[] = { 0.005, 0.01, 0.02, 0.05, 0.1 };
	static const double cls_b[] = { 0.1, 0.5, 1, 2 };
	const int lm = strcmp(model, "cls") != 0;
	const double *b = lm ? lm_b : cls_b;
	uint32_t nb = lm ? 5 : 4;

	fprintf(f, "\n| %s budget | cheapest by energy | cheapest by latency |\n| --- | --- | --- |\n",
		lm ? "delta bits/byte" : "top-1 drop (points)");
	for (uint32_t k = 0; k < nb; k++) {
		struct cds_budget q = { CDS_BUDGET_LOSS, lm ? b[k] : b[k] / 100, model, config };
		int32_t best[2];
		int ret = cds_budget_answer(in->rows, in->n, &q, best);

		fprintf(f, "| <= %g |", b[k]);
		cds_answer_cell(f, in, ret, best[0], 1, !config);
		cds_answer_cell(f, in, ret, best[1], 0, !config);
		fputc('\n', f);
	}
}

/* Hardware budgets on a named configuration: fractions of bf16/a16/rtn's cost there. */
static void cds_hw_budgets(FILE *f, const struct cds_report_in *in, const char *model,
			   const char *config)
{
	static const double frac[] = { 0.6, 0.75, 0.9, 1.0 };
	const struct cds_row *ref = NULL;

	for (uint32_t i = 0; i < in->n; i++)
		if (!strcmp(in->rows[i].model, model) && !strcmp(in->rows[i].config, config) &&
		    !strcmp(in->rows[i].variant, "bf16/a16/rtn"))
			ref = &in->rows[i];
	if (!ref) {
		fprintf(f, "\n(no bf16/a16/rtn row on %s to scale hardware budgets from)\n", config);
		return;
	}
	fprintf(f, "\n| hardware budget (bf16/a16/rtn: %.3f uJ, %.3f us per %s) | most accurate "
		"within the energy | most accurate within the latency |\n| --- | --- | --- |\n",
		ref->unit.energy_uj, ref->unit.time_us, cds_row_unit(ref));
	for (uint32_t k = 0; k < 4; k++) {
		struct cds_budget e = { CDS_BUDGET_ENERGY, frac[k] * ref->unit.energy_uj, model,
					config };
		struct cds_budget t = { CDS_BUDGET_LATENCY, frac[k] * ref->unit.time_us, model,
					config };
		int32_t be[2], bt[2];
		int re = cds_budget_answer(in->rows, in->n, &e, be);
		int rt = cds_budget_answer(in->rows, in->n, &t, bt);

		fprintf(f, "| %.0f%%: %.3f uJ, %.3f us |", 100 * frac[k], e.limit, t.limit);
		cds_answer_cell(f, in, re, be[0], 1, 0);
		cds_answer_cell(f, in, rt, bt[0], 0, 0);
		fputc('\n', f);
	}
}

int cds_report_write(const char *out, const struct cds_report_in *in, char *err, size_t errlen)
{
	static const char *const models[] = { "lm", "cls" };
	char path[4096];
	uint32_t *idx = malloc(sizeof(*idx) * (in->n + 1)), variants = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/report.md", out);
	if (!idx)
		return cds_oerr(err, errlen, -ENOMEM, "out of memory");
	f = fopen(path, "w");
	if (!f) {
		free(idx);
		return cds_oerr(err, errlen, -errno, "%s: %s", path, strerror(errno));
	}
	for (uint32_t i = 0; i < in->n; i++)
		variants += !strcmp(in->rows[i].config, in->cfg[0].name);
	fprintf(f, "# Codesign: accuracy x modeled hardware cost\n\n"
		"%u variants x %u configurations (%u rows) from `%s` (accel-codesign --merge). "
		"Accuracy: the whole model as its device program on fwrun, with the device's "
		"numerics (accel-eval --device); cost: the same program's jobs on each "
		"configuration, per decoded token (LM) or image (classifier). "
		"docs/codesign.md says how each figure is measured.\n", variants, in->nc, in->n,
		in->sweep_dir);
	if (in->nmissing) {
		fprintf(f, "\n**Incomplete (--allow-incomplete): %u points missing:", in->nmissing);
		for (uint32_t i = 0; i < in->nmissing; i++)
			fprintf(f, " %s", in->missing[i]);
		fprintf(f, "**\n");
	}
	fprintf(f, "\n## The Pareto fronts of the named configurations\n\nRows on the front of "
		"accuracy against energy or against latency per unit, by energy.\n");
	for (uint32_t c = 0; c < in->nc; c++) {
		if (!in->cfg[c].named)
			continue;
		fprintf(f, "\n### %s\n", in->cfg[c].name);
		for (uint32_t m = 0; m < 2; m++)
			if (cds_has_model(in, models[m]))
				cds_front_table(f, in, models[m], in->cfg[c].name, idx);
	}
	fprintf(f, "\n## Budgets\n\n### Accuracy budgets over every configuration\n");
	for (uint32_t m = 0; m < 2; m++)
		if (cds_has_model(in, models[m])) {
			fprintf(f, "\n#### %s\n", cds_model_title(models[m]));
			cds_loss_budgets(f, in, models[m], NULL);
		}
	for (uint32_t c = 0; c < in->nc; c++) {
		if (!in->cfg[c].named)
			continue;
		fprintf(f, "\n### On %s\n", in->cfg[c].name);
		for (uint32_t m = 0; m < 2; m++)
			if (cds_has_model(in, models[m])) {
				fprintf(f, "\n#### %s\n", cds_model_title(models[m]));
				cds_loss_budgets(f, in, models[m], in->cfg[c].name);
				cds_hw_budgets(f, in, models[m], in->cfg[c].name);
			}
	}
	free(idx);
	if (fclose(f))
		return cds_oerr(err, errlen, -EIO, "%s: write failed", path);
	return 0;
}

/* OUT/plot/MODEL-CONFIG.dat (every row) and -front-{energy,latency}.dat. */
static int cds_plot_data(const char *dir, const struct cds_report_in *in, const char *model,
			 const char *config)
{
	const int lm = strcmp(model, "cls") != 0;
	const double floor_ = lm ? CDS_PLOT_FLOOR_LM : CDS_PLOT_FLOOR_CLS;
	static const char *const kind[] = { "all", "front-energy", "front-latency" };
	uint32_t *idx = malloc(sizeof(*idx) * (in->n + 1));

	if (!idx)
		return -ENOMEM;
	for (int k = 0; k < 3; k++) {
		char path[8400];
		uint32_t n = 0;
		FILE *f;

		for (uint32_t i = 0; i < in->n; i++) {
			const struct cds_row *r = &in->rows[i];

			if (!strcmp(r->model, model) && !strcmp(r->config, config) &&
			    (k == 0 || (k == 1 ? r->pareto_energy : r->pareto_latency)))
				idx[n++] = i;
		}
		/* a front is drawn left to right */
		for (uint32_t i = 1; k && i < n; i++)
			for (uint32_t j = i; j > 0; j--) {
				const struct cds_row *a = &in->rows[idx[j]], *b = &in->rows[idx[j - 1]];
				double xa = k == 1 ? a->unit.energy_uj : a->unit.time_us;
				double xb = k == 1 ? b->unit.energy_uj : b->unit.time_us;
				uint32_t t;

				if (xa >= xb)
					break;
				t = idx[j];
				idx[j] = idx[j - 1];
				idx[j - 1] = t;
			}
		snprintf(path, sizeof(path), "%s/%s-%s-%s.dat", dir, model, config, kind[k]);
		f = fopen(path, "w");
		if (!f) {
			free(idx);
			return -errno;
		}
		for (uint32_t i = 0; i < n; i++) {
			const struct cds_row *r = &in->rows[idx[i]];
			double y = cds_shown_loss(r);

			fprintf(f, "%.6g %.6g %.6g \"%s\"\n", r->unit.energy_uj, r->unit.time_us,
				y > floor_ ? y : floor_, r->variant);
		}
		fclose(f);
	}
	free(idx);
	return 0;
}

int cds_report_plots(const char *out, const struct cds_report_in *in, char *err, size_t errlen)
{
	static const char *const models[] = { "lm", "cls" };
	char dir[4096], gp[4200], cmd[8600];
	uint32_t named = 0;
	FILE *f;
	int status;

	snprintf(dir, sizeof(dir), "%s/plot", out);
	if (mkdir(dir, 0777) && errno != EEXIST)
		return cds_oerr(err, errlen, -errno, "%s: %s", dir, strerror(errno));
	for (uint32_t c = 0; c < in->nc; c++)
		named += in->cfg[c].named;
	snprintf(gp, sizeof(gp), "%s/pareto.gp", dir);
	f = fopen(gp, "w");
	if (!f)
		return cds_oerr(err, errlen, -errno, "%s: %s", gp, strerror(errno));
	for (uint32_t m = 0; m < 2; m++) {
		const int lm = m == 0;

		if (!cds_has_model(in, models[m]))
			continue;
		fprintf(f, "set terminal pngcairo size %u,1000 noenhanced font \",10\"\n"
			"set output \"%s/pareto-%s.png\"\nset multiplot layout 2,%u title \"%s: "
			"accuracy loss against cost per %s, every variant (points) and the Pareto "
			"front (line); losses <= %g drawn at %g\"\nset grid\nset logscale y\n"
			"set key top right\n", 560 * (named ? named : 1), out, models[m],
			named ? named : 1, cds_model_title(models[m]), lm ? "decoded token" : "image",
			lm ? CDS_PLOT_FLOOR_LM : CDS_PLOT_FLOOR_CLS,
			lm ? CDS_PLOT_FLOOR_LM : CDS_PLOT_FLOOR_CLS);
		for (int k = 0; k < 2; k++)
			for (uint32_t c = 0; c < in->nc; c++) {
				const char *cn = in->cfg[c].name;

				if (!in->cfg[c].named)
					continue;
				if (cds_plot_data(dir, in, models[m], cn))
					return cds_oerr(err, errlen, -EIO, "%s: cannot write the plot "
							"data", dir);
				fprintf(f, "set title \"%s\"\nset xlabel \"%s per %s\"\n"
					"set ylabel \"%s\"\n", cn, k ? "latency (us)" : "energy (uJ)",
					lm ? "token" : "image", lm ? "delta bits/byte (log)" :
					"top-1 drop, points (log)");
				fprintf(f, "plot \"%s/%s-%s-all.dat\" using %d:3 with points pt 7 ps 0.8 "
					"title \"variants\", \"%s/%s-%s-front-%s.dat\" using %d:3 with "
					"linespoints lw 2 pt 6 ps 1.4 title \"front\", \"\" using %d:3:4 "
					"with labels left offset 0.6,0.4 font \",7\" notitle\n", dir,
					models[m], cn, k + 1, dir, models[m], cn,
					k ? "latency" : "energy", k + 1, k + 1);
			}
		fprintf(f, "unset multiplot\n");
	}
	if (fclose(f))
		return cds_oerr(err, errlen, -EIO, "%s: write failed", gp);
	snprintf(cmd, sizeof(cmd), "gnuplot '%s'", gp);
	status = system(cmd);
	if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status))
		return cds_oerr(err, errlen, -EIO, "gnuplot %s failed (status %d)", gp, status);
	return 0;
}
