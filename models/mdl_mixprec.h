/* SPDX-License-Identifier: MIT */
/*
 * Quasar models: mixed precision, a format chosen per linear layer.
 *
 * A mixed model packs each linear layer with its own variant (format,
 * activation mode, algorithm) out of a list of candidates. The search
 * picks the assignment that minimises the sum of the layers' measured
 * sensitivities (the loss change when only that layer is compressed)
 * under a budget on the sum of their measured costs (energy or cycles
 * per decoded token): a multiple-choice knapsack, solved exactly by
 * dynamic programming over costs counted in units of a resolution (each
 * layer's cost rounded up, so the chosen assignment respects the budget
 * for the real costs too). docs/models.md "Mixed precision".
 *
 * An assignment file is text, one layer a line: "NAME SPEC" (l0.wq
 * int8/a8/rtn); '#' starts a comment. Every layer of the model appears
 * exactly once.
 */
#ifndef MDL_MIXPREC_H
#define MDL_MIXPREC_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "mdl_calib.h"
#include "mdl_linear.h"
#include "mdl_variant.h"

#define MDL_MIX_CANDS_MAX 16

/* The variants a layer may take. */
struct mdl_mix_cands {
	uint32_t n;
	struct mdl_variant v[MDL_MIX_CANDS_MAX];
};

/*
 * Parses a comma-separated list of variant specs (int8/a8,int4-g32/a16/gptq)
 * into @c. Refused: an unknown format, activation or algorithm (the spec
 * named), a spec given twice, more than MDL_MIX_CANDS_MAX, and algorithms
 * with input scales shared by a group of layers (AWQ, SmoothQuant: the
 * layers reading one input would need one format's scales).
 */
int mdl_mix_cands_parse(const char *list, struct mdl_mix_cands *c, char *err, size_t errlen);

/* Index of the variant named @spec in @c (canonical name or spec), or -1. */
int mdl_mix_cands_find(const struct mdl_mix_cands *c, const char *spec);

/* 1 if some candidate needs calibration inputs. */
int mdl_mix_cands_need_calib(const struct mdl_mix_cands *c);

/*
 * Packs layer i of @fp32 with @c->v[assign[i]] into @out (sharing fp32's
 * FP32 arrays; free with mdl_linset_free(out, 0)). @cal: the FP32 model's
 * calibration inputs, needed only when a chosen variant takes them.
 */
int mdl_mix_build(const struct mdl_mix_cands *c, const uint32_t *assign,
		  const struct mdl_linset *fp32, const struct mdl_calib_set *cal,
		  struct mdl_linset *out, char *err, size_t errlen);

/*
 * Reads an assignment file for the layers of @ls: the variants it names
 * are added to @c (which may start empty), assign[i] gets layer i's.
 * Errors name the file, the line and the field.
 */
int mdl_mix_assign_read(const char *path, const struct mdl_linset *ls, struct mdl_mix_cands *c,
			uint32_t *assign, char *err, size_t errlen);
/* Writes one: a "# " line per entry of @comment (NULL-terminated, may be NULL), then the layers. */
int mdl_mix_assign_write(FILE *f, const struct mdl_linset *ls, const struct mdl_mix_cands *c,
			 const uint32_t *assign, const char *const *comment);

/*
 * The search's instance: @layers layers, each with @choices options, the
 * option's loss change loss[i * choices + j] and cost cost[i * choices + j]
 * (a cost of the model that does not depend on the assignment is not in
 * it). allowed (may be NULL) excludes options with 0.
 */
struct mdl_mix_problem {
	uint32_t layers, choices;
	const double *loss;
	const double *cost;
	const uint8_t *allowed;
};

/* The largest table the search builds: layers x (budget / resolution + 1) entries. */
#define MDL_MIX_TABLE_MAX (64u << 20)

/*
 * The assignment of least total loss whose total cost is within @budget,
 * costs counted in units of @resolution (> 0; each option's cost above
 * its layer's cheapest is rounded up to a unit). Fills assign[layers] and
 * the totals (real, not rounded). -ERANGE (message naming the budget and
 * the cheapest assignment's cost) when even the cheapest exceeds the
 * budget; -E2BIG when the table would pass MDL_MIX_TABLE_MAX (a coarser
 * resolution is needed).
 */
int mdl_mix_search(const struct mdl_mix_problem *p, double budget, double resolution,
		   uint32_t *assign, double *loss, double *cost, char *err, size_t errlen);

/* The cheapest assignment's total cost (each layer's cheapest allowed option). */
double mdl_mix_cheapest(const struct mdl_mix_problem *p);

#endif /* MDL_MIXPREC_H */
