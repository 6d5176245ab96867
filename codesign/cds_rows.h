/* SPDX-License-Identifier: MIT */
/*
 * Quasar codesign: result rows (one per variant x configuration), their
 * CSV form, the Pareto front and budget answers.
 *
 * A row's accuracy is the whole model on the device's numerics
 * (accel-eval --device): the language model's held-out bits/byte and its
 * delta from FP32, the classifier's top-1 and its delta; its loss is what
 * the Pareto front and the budgets minimise: the LM's delta, the
 * classifier's top-1 drop (as a fraction). Its cost is per decoded token
 * (LM) or image (classifier) on the row's configuration.
 *
 * Pareto: within one model and configuration, a row is optimal for a cost
 * (energy or latency per unit) when no other row has a loss and a cost
 * both at most its own with one of them smaller.
 */
#ifndef CDS_ROWS_H
#define CDS_ROWS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cds_config.h"
#include "cds_cost.h"

#define CDS_TEXT	96

struct cds_row {
	char model[8];			/* "lm", "cls" */
	char variant[CDS_TEXT], format[CDS_TEXT / 2], act[8], algo[CDS_TEXT / 2];
	char config[CDS_NAME_MAX];
	double value;			/* bits/byte (LM), top-1 (classifier) */
	double delta;			/* value minus FP32's */
	double kl;			/* LM: KL divergence from FP32, nats (classifier: 0) */
	double agree;			/* top-1 agreement with FP32 */
	struct cds_cost unit;		/* per decoded token (LM) or image */
	struct cds_cost prefill;	/* LM: per prefill of the 256-byte context */
	int has_prefill;
	int pareto_energy, pareto_latency;
};

/* The loss the front and the budgets minimise: LM delta, classifier top-1 drop. */
double cds_row_loss(const struct cds_row *r);
/* The unit a row's cost is per: "token" or "image". */
const char *cds_row_unit(const struct cds_row *r);

/* The CSV header line (with newline) and one row. */
void cds_rows_header(FILE *f);
void cds_row_write(FILE *f, const struct cds_row *r);
/*
 * Reads a CSV of rows by its header's column names (any order, any extra
 * columns ignored), appending to *@rows (*@n, capacity *@cap). Errors name
 * the file, line and column.
 */
int cds_rows_read(const char *path, struct cds_row **rows, uint32_t *n, uint32_t *cap,
		  char *err, size_t errlen);

/* Marks pareto_energy and pareto_latency over every (model, configuration) group. */
void cds_pareto_mark(struct cds_row *rows, uint32_t n);

enum cds_budget_kind {
	CDS_BUDGET_LOSS,	/* loss at most @limit: the cheapest by energy and by latency */
	CDS_BUDGET_ENERGY,	/* uJ per unit at most @limit: the most accurate */
	CDS_BUDGET_LATENCY,	/* microseconds per unit at most @limit: the most accurate */
};

struct cds_budget {
	enum cds_budget_kind kind;
	double limit;
	const char *model;	/* "lm" or "cls" */
	const char *config;	/* one configuration, or NULL: every one */
};

/*
 * The answer to @b over @rows: for CDS_BUDGET_LOSS @best[0] the cheapest by
 * energy and @best[1] by latency; otherwise @best[0] the most accurate
 * (@best[1] = @best[0]). Returns 1 with the indices when a row meets the
 * budget; 0 when none does, @best[0] then the closest miss (the smallest
 * loss, or the smallest cost); -1 when no row is of that model and
 * configuration. Ties go to the smaller loss, then the smaller other cost,
 * then the earlier row.
 */
int cds_budget_answer(const struct cds_row *rows, uint32_t n, const struct cds_budget *b,
		      int32_t best[2]);

#endif /* CDS_ROWS_H */
