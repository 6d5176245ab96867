/* SPDX-License-Identifier: MIT */
/*
 * Quasar codesign: the merged sweep as a report: OUT/report.md (the
 * Pareto table of each named configuration, answers for standard
 * budgets) and the plots OUT/pareto-lm.png and OUT/pareto-cls.png
 * (gnuplot: accuracy loss on a log axis against energy and latency per
 * token or image, the fronts drawn, one panel per named configuration).
 */
#ifndef CDS_REPORT_H
#define CDS_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "cds_config.h"
#include "cds_rows.h"

struct cds_report_in {
	const struct cds_row *rows;	/* Pareto flags set */
	uint32_t n;
	const struct cds_config *cfg;
	uint32_t nc;
	char **missing;			/* task IDs without a point (--allow-incomplete) */
	uint32_t nmissing;
	const char *sweep_dir;
};

int cds_report_write(const char *out, const struct cds_report_in *in, char *err, size_t errlen);
/* The plots; 0, or -errno (no gnuplot, or it failed) with the reason in @err. */
int cds_report_plots(const char *out, const struct cds_report_in *in, char *err, size_t errlen);

#endif /* CDS_REPORT_H */
