// SPDX-License-Identifier: MIT
/*
 * Quasar models: mixed precision: candidates, the per-layer build, the
 * assignment files and the budgeted search (mdl_mixprec.h).
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mdl_mixprec.h"
#include "mdl_util.h"

static int mdl_mix_cands_add(struct mdl_mix_cands *c, const char *spec, char *err, size_t errlen)
{
	struct mdl_variant v;
	int ret;

	ret = mdl_variant_parse(spec, &v, err, errlen);
	if (ret)
		return ret;
	if (v.algo->group_scales)
		return mdl_err(err, errlen, -ENOTSUP,
			       "variant '%s': %s scales the input of a group of layers (q/k/v, "
			       "w1/w3) with one factor, which a per-layer format cannot share",
			       spec, v.algo->name);
	if (mdl_mix_cands_find(c, v.name) >= 0)
		return mdl_err(err, errlen, -EINVAL, "variant '%s' given twice", spec);
	if (c->n == MDL_MIX_CANDS_MAX)
		return mdl_err(err, errlen, -E2BIG, "variant '%s': more than %u candidates", spec,
			       MDL_MIX_CANDS_MAX);
	c->v[c->n++] = v;
	return 0;
}

int mdl_mix_cands_parse(const char *list, struct mdl_mix_cands *c, char *err, size_t errlen)
{
	char buf[1024], *tok, *save = NULL;
	int ret;

	c->n = 0;
	if (strlen(list) >= sizeof(buf))
		return mdl_err(err, errlen, -EINVAL, "candidate list of %zu characters (at most %zu)",
			       strlen(list), sizeof(buf) - 1);
	strcpy(buf, list);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		ret = mdl_mix_cands_add(c, tok, err, errlen);
		if (ret)
			return ret;
	}
	if (c->n == 0)
		return mdl_err(err, errlen, -EINVAL, "candidate list '%s': no variant", list);
	return 0;
}

int mdl_mix_cands_find(const struct mdl_mix_cands *c, const char *spec)
{
	struct mdl_variant v;
	char why[128];
	uint32_t i;

	if (mdl_variant_parse(spec, &v, why, sizeof(why)))
		return -1;
	for (i = 0; i < c->n; i++)
		if (!strcmp(c->v[i].name, v.name))
			return (int)i;
	return -1;
}

int mdl_mix_cands_need_calib(const struct mdl_mix_cands *c)
{
	for (uint32_t i = 0; i < c->n; i++)
		if (c->v[i].algo->needs_calib)
			return 1;
	return 0;
}

int mdl_mix_build(const struct mdl_mix_cands *c, const uint32_t *assign,
		  const struct mdl_linset *fp32, const struct mdl_calib_set *cal,
		  struct mdl_linset *out, char *err, size_t errlen)
{
	uint32_t i;
	int ret;

	for (i = 0; i < fp32->count; i++) {
		const struct mdl_variant *v;

		if (assign[i] >= c->n)
			return mdl_err(err, errlen, -EINVAL, "layer %s: candidate %u of %u",
				       fp32->l[i].name, assign[i], c->n);
		v = &c->v[assign[i]];
		if (v->algo->needs_calib &&
		    (!cal || cal->count != fp32->count || cal->c[i].rows == 0))
			return mdl_err(err, errlen, -EINVAL, "layer %s: %s needs calibration rows",
				       fp32->l[i].name, v->name);
	}
	ret = mdl_linset_clone(fp32, out);
	if (ret)
		return mdl_err(err, errlen, ret, "out of memory");
	for (i = 0; i < out->count && !ret; i++) {
		const struct mdl_variant *v = &c->v[assign[i]];

		ret = mdl_variant_pack(v, &out->l[i], v->algo->needs_calib ? &cal->c[i] : NULL,
				       NULL, err, errlen);
	}
	if (ret)
		mdl_linset_free(out, 0);
	return ret;
}

static int mdl_mix_layer_id(const struct mdl_linset *ls, const char *name)
{
	for (uint32_t i = 0; i < ls->count; i++)
		if (!strcmp(ls->l[i].name, name))
			return (int)i;
	return -1;
}

/* One "NAME SPEC" line (comment and blank lines already skipped). */
static int mdl_mix_assign_line(const char *path, uint32_t no, char *line,
			       const struct mdl_linset *ls, struct mdl_mix_cands *c,
			       uint32_t *assign, uint8_t *seen, char *err, size_t errlen)
{
	char *name, *spec, *extra, *save = NULL, why[256];
	int id, j, ret;

	name = strtok_r(line, " \t\r\n", &save);
	spec = strtok_r(NULL, " \t\r\n", &save);
	extra = strtok_r(NULL, " \t\r\n", &save);
	if (!spec || extra)
		return mdl_err(err, errlen, -EINVAL, "%s:%u: \"%s\" is not \"LAYER VARIANT\"",
			       path, no, name);
	id = mdl_mix_layer_id(ls, name);
	if (id < 0)
		return mdl_err(err, errlen, -EINVAL, "%s:%u: layer '%s': the model has no such "
			       "layer (%s .. %s)", path, no, name, ls->l[0].name,
			       ls->l[ls->count - 1].name);
	if (seen[id])
		return mdl_err(err, errlen, -EINVAL, "%s:%u: layer %s assigned twice", path, no,
			       name);
	j = mdl_mix_cands_find(c, spec);
	if (j < 0) {
		ret = mdl_mix_cands_add(c, spec, why, sizeof(why));
		if (ret)
			return mdl_err(err, errlen, ret, "%s:%u: layer %s: %s", path, no, name, why);
		j = (int)c->n - 1;
	}
	seen[id] = 1;
	assign[id] = (uint32_t)j;
	return 0;
}

int mdl_mix_assign_read(const char *path, const struct mdl_linset *ls, struct mdl_mix_cands *c,
			uint32_t *assign, char *err, size_t errlen)
{
	uint8_t *seen = calloc(ls->count ? ls->count : 1, 1);
	char line[512];
	uint32_t no = 0, i;
	FILE *f;
	int ret = 0;

	if (!seen)
		return mdl_err(err, errlen, -ENOMEM, "out of memory");
	f = fopen(path, "r");
	if (!f) {
		free(seen);
		return mdl_err(err, errlen, -errno, "%s: %s", path, strerror(errno));
	}
	while (!ret && fgets(line, sizeof(line), f)) {
		char *p = line + strspn(line, " \t");

		no++;
		if (!strchr(line, '\n') && !feof(f)) {
			ret = mdl_err(err, errlen, -EINVAL, "%s:%u: line longer than %zu", path, no,
				      sizeof(line) - 2);
			break;
		}
		if (*p == '#' || *p == '\n' || *p == '\r' || *p == 0)
			continue;
		ret = mdl_mix_assign_line(path, no, p, ls, c, assign, seen, err, errlen);
	}
	fclose(f);
	for (i = 0; !ret && i < ls->count; i++)
		if (!seen[i])
			ret = mdl_err(err, errlen, -EINVAL, "%s: layer %s has no variant", path,
				      ls->l[i].name);
	free(seen);
	return ret;
}

int mdl_mix_assign_write(FILE *f, const struct mdl_linset *ls, const struct mdl_mix_cands *c,
			 const uint32_t *assign, const char *const *comment)
{
	uint32_t i;

	for (i = 0; comment && comment[i]; i++)
		fprintf(f, "# %s\n", comment[i]);
	for (i = 0; i < ls->count; i++)
		fprintf(f, "%-8s %s\n", ls->l[i].name, c->v[assign[i]].name);
	return ferror(f) ? -EIO : 0;
}

static int mdl_mix_ok(const struct mdl_mix_problem *p, uint32_t i, uint32_t j)
{
	return !p->allowed || p->allowed[(size_t)i * p->choices + j];
}

/* Layer @i's cheapest allowed option, or -1 when it has none. */
static int mdl_mix_min_option(const struct mdl_mix_problem *p, uint32_t i)
{
	int best = -1;

	for (uint32_t j = 0; j < p->choices; j++)
		if (mdl_mix_ok(p, i, j) &&
		    (best < 0 || p->cost[(size_t)i * p->choices + j] <
				 p->cost[(size_t)i * p->choices + best]))
			best = (int)j;
	return best;
}

double mdl_mix_cheapest(const struct mdl_mix_problem *p)
{
	double sum = 0;

	for (uint32_t i = 0; i < p->layers; i++) {
		int j = mdl_mix_min_option(p, i);

		sum += j < 0 ? INFINITY : p->cost[(size_t)i * p->choices + j];
	}
	return sum;
}

/*
 * best[b]: least loss of the layers so far using at most b units above
 * their cheapest options; pick[i][b]: layer i's option in that optimum.
 */
int mdl_mix_search(const struct mdl_mix_problem *p, double budget, double resolution,
		   uint32_t *assign, double *loss, double *cost, char *err, size_t errlen)
{
	double cheapest = mdl_mix_cheapest(p), *best = NULL, *next = NULL, slack;
	uint32_t *units = NULL, i, j;
	uint8_t *pick = NULL;
	size_t cap, b;
	int ret = 0;

	if (p->layers == 0 || p->choices == 0 || p->choices > 255 || !(resolution > 0) ||
	    !isfinite(budget))
		return mdl_err(err, errlen, -EINVAL,
			       "search: %u layers x %u options, resolution %g, budget %g",
			       p->layers, p->choices, resolution, budget);
	for (i = 0; i < p->layers; i++)
		if (mdl_mix_min_option(p, i) < 0)
			return mdl_err(err, errlen, -EINVAL, "search: layer %u has no allowed option",
				       i);
	if (budget < cheapest)
		return mdl_err(err, errlen, -ERANGE,
			       "budget %.6g is below the cheapest assignment's cost %.6g", budget,
			       cheapest);
	slack = floor((budget - cheapest) / resolution);
	if (slack * p->layers >= MDL_MIX_TABLE_MAX)
		return mdl_err(err, errlen, -E2BIG,
			       "search: budget %.6g over the cheapest %.6g is %.0f units of %g: "
			       "too fine a resolution", budget, cheapest, slack, resolution);
	cap = (size_t)slack;
	units = malloc(sizeof(*units) * p->layers * p->choices);
	best = malloc(sizeof(*best) * (cap + 1));
	next = malloc(sizeof(*next) * (cap + 1));
	pick = malloc((size_t)p->layers * (cap + 1));
	if (!units || !best || !next || !pick) {
		ret = mdl_err(err, errlen, -ENOMEM, "search: out of memory for %zu entries",
			      (size_t)p->layers * (cap + 1));
		goto out;
	}
	for (i = 0; i < p->layers; i++) {
		double lo = p->cost[(size_t)i * p->choices + mdl_mix_min_option(p, i)];

		for (j = 0; j < p->choices; j++) {
			double u = ceil((p->cost[(size_t)i * p->choices + j] - lo) / resolution);

			/* an option above the whole slack can never fit: mark it out of reach */
			units[i * p->choices + j] = !mdl_mix_ok(p, i, j) || u > (double)cap ?
						    UINT32_MAX : (uint32_t)u;
		}
	}
	for (b = 0; b <= cap; b++)
		best[b] = 0;
	for (i = 0; i < p->layers; i++) {
		for (b = 0; b <= cap; b++) {
			double v = INFINITY;
			uint8_t arg = 0;

			for (j = 0; j < p->choices; j++) {
				uint32_t u = units[i * p->choices + j];
				double l;

				if (u == UINT32_MAX || u > b)
					continue;
				l = best[b - u] + p->loss[(size_t)i * p->choices + j];
				if (l < v) {
					v = l;
					arg = (uint8_t)j;
				}
			}
			next[b] = v;
			pick[(size_t)i * (cap + 1) + b] = arg;
		}
		memcpy(best, next, sizeof(*best) * (cap + 1));
	}
	*loss = 0;
	*cost = 0;
	for (b = cap, i = p->layers; i-- > 0;) {
		j = pick[(size_t)i * (cap + 1) + b];
		assign[i] = j;
		b -= units[i * p->choices + j];
		*loss += p->loss[(size_t)i * p->choices + j];
		*cost += p->cost[(size_t)i * p->choices + j];
	}
out:
	free(units);
	free(best);
	free(next);
	free(pick);
	return ret;
}
