// SPDX-License-Identifier: MIT
/* Quasar models: variant specs, the algorithm registry, variant construction. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mdl_util.h"
#include "mdl_variant.h"

/* Round to nearest with the datapath's own scale rules (docs/numerics.md §3). */
static int mdl_rtn(const float *w, uint32_t n, uint32_t k, const struct mdl_calib *cal,
		   const struct compress_qparams *p, const struct mdl_hparams *hp,
		   struct compress_qtensor **out, float *s)
{
	(void)cal;
	(void)hp;
	(void)s;
	return compress_quantize(w, n, k, k, p, out);
}

static const struct mdl_algo mdl_algo_rtn = {
	.name = "rtn",
	.desc = "round to nearest, absmax scales",
	.quantize = mdl_rtn,
};

/*
 * Magnitude 2:4: the sparse quantizers keep the two largest |w| of every
 * four along K, then round the kept values to nearest (dp_quantize).
 */
static const struct mdl_algo mdl_algo_mag24 = {
	.name = "mag24",
	.desc = "2:4 magnitude pruning, kept values round to nearest",
	.sparse = 1,
	.quantize = mdl_rtn,
};

static const struct mdl_algo *mdl_algos[MDL_ALGOS_MAX] = { &mdl_algo_rtn, &mdl_algo_mag24 };
static uint32_t mdl_nalgos = 2;

int mdl_algo_register(const struct mdl_algo *a)
{
	if (!a || !a->name || !a->quantize)
		return -EINVAL;
	if (mdl_algo_find(a->name))
		return -EEXIST;
	if (mdl_nalgos == MDL_ALGOS_MAX)
		return -ENOSPC;
	mdl_algos[mdl_nalgos++] = a;
	return 0;
}

const struct mdl_algo *mdl_algo_find(const char *name)
{
	uint32_t i;

	for (i = 0; i < mdl_nalgos; i++)
		if (!strcmp(mdl_algos[i]->name, name))
			return mdl_algos[i];
	return NULL;
}

const struct mdl_algo *mdl_algo_at(uint32_t i)
{
	return i < mdl_nalgos ? mdl_algos[i] : NULL;
}

/* Format names of the spec grammar. */
static int mdl_fmt_parse(const char *s, struct compress_qparams *qp)
{
	static const struct { const char *name; uint32_t fmt; uint32_t one_level; } plain[] = {
		{ "bf16", DP_W_BF16, 0 }, { "int8", DP_W_INT8, 0 }, { "mxint8", DP_W_MXINT8, 0 },
		{ "mxfp8", DP_W_MXFP8, 0 }, { "mxfp4", DP_W_MXFP4, 0 },
		{ "nvfp4", DP_W_NVFP4, 0 }, { "nvfp4-1l", DP_W_NVFP4, 1 },
		{ "sp-bf16", DP_W_SP_BF16, 0 }, { "sp-int8", DP_W_SP_INT8, 0 },
	};
	const char *rest;
	char *end;
	unsigned long g;
	uint32_t i;

	memset(qp, 0, sizeof(*qp));
	for (i = 0; i < sizeof(plain) / sizeof(plain[0]); i++)
		if (!strcmp(s, plain[i].name)) {
			qp->fmt = plain[i].fmt;
			qp->nvfp4_1level = plain[i].one_level;
			return 0;
		}
	if (!strncmp(s, "int4-g", 6)) {
		qp->fmt = DP_W_INT4;
		rest = s + 6;
	} else if (!strncmp(s, "sp-int4-g", 9)) {
		qp->fmt = DP_W_SP_INT4;
		rest = s + 9;
	} else {
		return -EINVAL;
	}
	g = strtoul(rest, &end, 10);
	if (end == rest || (g != 32 && g != 64 && g != 128))
		return -EINVAL;
	qp->group = (uint32_t)g;
	if (!strcmp(end, "-asym"))
		qp->asym = 1;
	else if (*end)
		return -EINVAL;
	return 0;
}

/* The hyperparameters a spec may set: name, bit, range. */
static const struct mdl_hparam_def {
	const char *key;
	uint32_t bit;
	double min, max;
	uint32_t integer;
} mdl_hparam_defs[] = {
	{ "damp", MDL_HP_DAMP, 0.0, 10.0, 0 },
	{ "grid", MDL_HP_GRID, 1.0, 1000.0, 1 },
	{ "alpha", MDL_HP_ALPHA, 0.0, 1.0, 0 },
};

/* The keys of @bits, space-separated, for messages. */
static const char *mdl_hparam_keys(uint32_t bits, char *buf, size_t len)
{
	size_t i, at = 0;

	buf[0] = 0;
	for (i = 0; i < sizeof(mdl_hparam_defs) / sizeof(mdl_hparam_defs[0]); i++)
		if (bits & mdl_hparam_defs[i].bit)
			at += (size_t)snprintf(buf + at, at < len ? len - at : 0, "%s%s",
					       at ? " " : "", mdl_hparam_defs[i].key);
	return at ? buf : "none";
}

/*
 * ":KEY=VALUE[:KEY=VALUE]..." after the algorithm's name into v->hp and the
 * canonical name's tail (@name, ":key=%g" in the table's order).
 */
static int mdl_hparams_parse(const char *spec, char *opts, struct mdl_variant *v, char *name,
			     size_t namelen, char *err, size_t errlen)
{
	const struct mdl_hparam_def *d = NULL;
	char *tok, *save, *val, *end, keys[64];
	size_t i, nd = sizeof(mdl_hparam_defs) / sizeof(mdl_hparam_defs[0]), at;
	double x;

	if (!*opts)
		return mdl_err(err, errlen, -EINVAL,
			       "variant '%s': nothing after ':' (KEY=VALUE; %s takes: %s)", spec,
			       v->algo->name, mdl_hparam_keys(v->algo->hparams, keys, sizeof(keys)));
	for (tok = strtok_r(opts, ":", &save); tok; tok = strtok_r(NULL, ":", &save)) {
		val = strchr(tok, '=');
		if (val)
			*val++ = 0;
		for (i = 0, d = NULL; i < nd && !d; i++)
			if (!strcmp(tok, mdl_hparam_defs[i].key))
				d = &mdl_hparam_defs[i];
		if (!d || !(v->algo->hparams & d->bit))
			return mdl_err(err, errlen, -EINVAL,
				       "variant '%s': %s has no hyperparameter '%s' (it takes: %s)",
				       spec, v->algo->name, tok,
				       mdl_hparam_keys(v->algo->hparams, keys, sizeof(keys)));
		if (v->hp.set & d->bit)
			return mdl_err(err, errlen, -EINVAL, "variant '%s': '%s' given twice",
				       spec, tok);
		x = val && *val ? strtod(val, &end) : NAN;
		if (!val || !*val || *end || !(x >= d->min && x <= d->max) ||
		    (d->integer && x != floor(x)))
			return mdl_err(err, errlen, -EINVAL,
				       "variant '%s': %s=%s: expected %s from %g to %g", spec,
				       tok, val ? val : "", d->integer ? "an integer" : "a number",
				       d->min, d->max);
		v->hp.set |= d->bit;
		if (d->bit == MDL_HP_DAMP)
			v->hp.damp = x;
		else if (d->bit == MDL_HP_GRID)
			v->hp.grid = (uint32_t)x;
		else
			v->hp.alpha = (float)x;
	}
	for (i = 0, at = 0; i < nd; i++) {
		if (!(v->hp.set & mdl_hparam_defs[i].bit))
			continue;
		x = mdl_hparam_defs[i].bit == MDL_HP_DAMP ? v->hp.damp :
		    mdl_hparam_defs[i].bit == MDL_HP_GRID ? v->hp.grid : (double)v->hp.alpha;
		at += (size_t)snprintf(name + at, at < namelen ? namelen - at : 0, ":%s=%g",
				       mdl_hparam_defs[i].key, x);
	}
	if (at >= namelen)
		return mdl_err(err, errlen, -EINVAL, "variant '%s': too long", spec);
	return 0;
}

int mdl_variant_parse(const char *spec, struct mdl_variant *v, char *err, size_t errlen)
{
	char buf[MDL_VARIANT_NAME], tail[MDL_VARIANT_NAME] = "", *act, *algo, *opts = NULL;
	const struct dp_fmt_info *fi;
	int ret;

	memset(v, 0, sizeof(*v));
	if (strlen(spec) >= sizeof(buf))
		return mdl_err(err, errlen, -EINVAL, "variant '%s': too long", spec);
	strcpy(buf, spec);
	act = strchr(buf, '/');
	if (!act)
		return mdl_err(err, errlen, -EINVAL,
			       "variant '%s': expected FORMAT/ACT[/ALGO], e.g. int4-g128/a16",
			       spec);
	*act++ = 0;
	algo = strchr(act, '/');
	if (algo)
		*algo++ = 0;
	opts = algo ? strchr(algo, ':') : NULL;
	if (opts)
		*opts++ = 0;
	if (mdl_fmt_parse(buf, &v->qp))
		return mdl_err(err, errlen, -EINVAL,
			       "variant '%s': unknown format '%s' (bf16 int8 int4-gG[-asym] mxint8 "
			       "mxfp8 mxfp4 nvfp4 nvfp4-1l sp-bf16 sp-int8 sp-int4-gG[-asym])",
			       spec, buf);
	snprintf(v->fmt_name, sizeof(v->fmt_name), "%s", buf);
	fi = dp_fmt_info(v->qp.fmt);
	if (!strcmp(act, "a16"))
		v->afmt = DP_A_BF16;
	else if (!strcmp(act, "a8"))
		v->afmt = DP_A_INT8;
	else
		return mdl_err(err, errlen, -EINVAL, "variant '%s': activations '%s' (a16 or a8)",
			       spec, act);
	if (v->afmt == DP_A_INT8 && !fi->a8)
		return mdl_err(err, errlen, -ENOTSUP,
			       "variant '%s': the datapath has no int8-activation path for %s",
			       spec, fi->name);
	v->algo = mdl_algo_find(algo ? algo : fi->sparse ? "mag24" : "rtn");
	if (!v->algo)
		return mdl_err(err, errlen, -EINVAL, "variant '%s': unknown algorithm '%s'", spec,
			       algo);
	if (v->algo->a8_only && v->afmt != DP_A_INT8)
		return mdl_err(err, errlen, -ENOTSUP,
			       "variant '%s': %s only pays with int8 activations (a8)", spec,
			       v->algo->name);
	if (v->algo->sparse != fi->sparse)
		return mdl_err(err, errlen, -ENOTSUP, "variant '%s': %s packs %s formats", spec,
			       v->algo->name, v->algo->sparse ? "2:4 (sp-)" : "dense");
	if (opts) {
		ret = mdl_hparams_parse(spec, opts, v, tail, sizeof(tail), err, errlen);
		if (ret)
			return ret;
	}
	if ((size_t)snprintf(v->name, sizeof(v->name), "%s/%s/%s%s", buf, act, v->algo->name,
			     tail) >= sizeof(v->name))
		return mdl_err(err, errlen, -EINVAL, "variant '%s': too long", spec);
	return 0;
}

uint32_t mdl_variant_defaults(struct mdl_variant *out, uint32_t max)
{
	static const char *const fmts[] = {
		"bf16", "int8", "int4-g32", "int4-g32-asym", "int4-g128", "int4-g128-asym",
		"mxint8", "mxfp8", "mxfp4", "nvfp4", "sp-bf16", "sp-int8", "sp-int4-g32",
		"sp-int4-g128",
	};
	static const char *const acts[] = { "a16", "a8" };
	uint32_t n = 0, a, f;
	char spec[MDL_VARIANT_NAME];

	for (a = 0; a < 2; a++)
		for (f = 0; f < sizeof(fmts) / sizeof(fmts[0]) && n < max; f++) {
			snprintf(spec, sizeof(spec), "%s/%s", fmts[f], acts[a]);
			/* formats without an A8 path are skipped, not errors */
			if (!mdl_variant_parse(spec, &out[n], NULL, 0))
				n++;
		}
	return n;
}

int mdl_variant_group_scale(const struct mdl_variant *v, const struct mdl_linset *ls,
			    uint32_t leader, const struct mdl_calib *cal, float *s)
{
	const struct mdl_lin *l = &ls->l[leader];
	uint32_t j, rows;
	float *w;
	int ret;

	for (rows = 0, j = leader; j < ls->count; j++)
		if (ls->l[j].in_group == leader)
			rows += ls->l[j].n;
	w = malloc(sizeof(float) * (size_t)rows * l->k);
	if (!w)
		return -ENOMEM;
	for (rows = 0, j = leader; j < ls->count; j++)
		if (ls->l[j].in_group == leader) {
			memcpy(w + (size_t)rows * l->k, ls->l[j].w,
			       sizeof(float) * ls->l[j].n * l->k);
			rows += ls->l[j].n;
		}
	ret = v->algo->group_scales(w, rows, l->k, cal, &v->qp, &v->hp, s);
	free(w);
	return ret;
}

/*
 * The shared input scales of every group of layers reading one input:
 * gs[i] for each group leader i (NULL for the other layers).
 */
static int mdl_group_scales(const struct mdl_variant *v, const struct mdl_linset *ls,
			    const struct mdl_calib_set *cal, float **gs, uint32_t *bad)
{
	uint32_t i;
	int ret;

	for (i = 0; i < ls->count; i++) {
		if (ls->l[i].in_group != i)
			continue;
		gs[i] = malloc(sizeof(float) * ls->l[i].k);
		if (!gs[i])
			return -ENOMEM;
		ret = mdl_variant_group_scale(v, ls, i, &cal->c[i], gs[i]);
		if (ret) {
			*bad = i;
			return ret;
		}
	}
	return 0;
}

static void mdl_group_scales_free(float **gs, uint32_t count)
{
	uint32_t i;

	for (i = 0; gs && i < count; i++)
		free(gs[i]);
	free(gs);
}

int mdl_variant_pack(const struct mdl_variant *v, struct mdl_lin *l, const struct mdl_calib *c,
		     const float *gs, char *err, size_t errlen)
{
	float *s;
	uint32_t j;
	int ret;

	s = malloc(sizeof(float) * l->k);
	if (!s)
		return mdl_err(err, errlen, -ENOMEM, "out of memory");
	for (j = 0; j < l->k; j++)
		s[j] = gs ? gs[j] : 1.0f;
	ret = v->algo->quantize(l->w, l->n, l->k, c, &v->qp, &v->hp, &l->qt, s);
	if (!ret && (!l->qt || compress_qtensor_wt(l->qt)->fmt != v->qp.fmt ||
		     compress_qtensor_wt(l->qt)->n != l->n ||
		     compress_qtensor_wt(l->qt)->k != l->k))
		ret = -EPROTO;	/* an algorithm returned a tensor of another shape */
	for (j = 0; !ret && gs && j < l->k; j++)
		if (s[j] != gs[j])
			ret = -EPROTO;	/* the group's layers must keep one s */
	for (j = 0; !ret && j < l->k; j++)
		if (!(s[j] > 0.0f) || !isfinite(1.0f / s[j]))
			ret = -EDOM;
	for (j = 0; !ret && j < l->k && s[j] == 1.0f; j++)
		;
	if (!ret && j < l->k) {
		/* the layer keeps 1/s (s itself is not needed any more) */
		for (j = 0; j < l->k; j++)
			s[j] = 1.0f / s[j];
		l->in_inv = s;
		s = NULL;
	}
	free(s);
	if (ret)
		return mdl_err(err, errlen, ret, "%s: layer %s (%u x %u): %s", v->name,
			       l->name, l->n, l->k,
			       ret == -EPROTO ? "algorithm returned a wrong tensor or "
						"changed its group's scales" :
			       ret == -EDOM ? "algorithm returned a scale that is not > 0" :
			       compress_strerror(ret));
	l->afmt = v->afmt;
	return 0;
}

int mdl_variant_build(const struct mdl_variant *v, const struct mdl_linset *fp32,
		      const struct mdl_calib_set *cal, struct mdl_linset *out, char *err,
		      size_t errlen)
{
	uint32_t i, bad = 0;
	float **gs = NULL;
	int ret;

	if (v->algo->needs_calib && (!cal || cal->count != fp32->count))
		return mdl_err(err, errlen, -EINVAL,
			       "%s: algorithm %s needs calibration data", v->name, v->algo->name);
	for (i = 0; v->algo->needs_calib && i < fp32->count; i++)
		if (cal->c[i].k != fp32->l[i].k || cal->c[i].rows == 0)
			return mdl_err(err, errlen, -EINVAL,
				       "%s: no calibration rows for layer %s", v->name,
				       fp32->l[i].name);
	if (v->algo->group_scales) {
		if (!v->algo->needs_calib)
			return mdl_err(err, errlen, -EINVAL, "%s: group scales need calibration",
				       v->name);
		gs = calloc(fp32->count, sizeof(*gs));
		ret = gs ? mdl_group_scales(v, fp32, cal, gs, &bad) : -ENOMEM;
		if (ret) {
			mdl_group_scales_free(gs, fp32->count);
			return mdl_err(err, errlen, ret, "%s: input scales of layer %s: %s",
				       v->name, fp32->l[bad].name, compress_strerror(ret));
		}
	}
	ret = mdl_linset_clone(fp32, out);
	if (ret) {
		mdl_group_scales_free(gs, fp32->count);
		return mdl_err(err, errlen, ret, "out of memory");
	}
	for (i = 0; i < out->count && !ret; i++)
		ret = mdl_variant_pack(v, &out->l[i], v->algo->needs_calib ? &cal->c[i] : NULL,
				       gs ? gs[out->l[i].in_group] : NULL, err, errlen);
	mdl_group_scales_free(gs, fp32->count);
	if (ret)
		mdl_linset_free(out, 0);
	return ret;
}
