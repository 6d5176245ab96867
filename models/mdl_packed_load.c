// SPDX-License-Identifier: MIT
/*
 * Quasar models: packed checkpoints, the reader. Every read goes through a
 * bounds-checked cursor and every count is checked against the header and
 * the format's geometry before it is used, so a damaged file is refused
 * with a reason (file offsets in the message) and nothing is read past it.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "compress.h"
#include "mdl_lm_infer.h"
#include "mdl_packed.h"
#include "mdl_packed_layout.h"
#include "mdl_util.h"

/*
 * The densest format (2:4 INT4) stores a weight in under 2 bits, the
 * model's FP32 copy takes 32: a header claiming a model more than 32 times
 * the file is refused before anything is allocated for it.
 */
#define MDL_PK_EXPANSION_MAX 32u

struct mdl_pk_in {
	const uint8_t *p;
	size_t len, off;
};

/* Next @n bytes, or NULL when the file ends first. */
static const uint8_t *mdl_pk_take(struct mdl_pk_in *in, size_t n)
{
	const uint8_t *q;

	if (n > in->len - in->off)
		return NULL;
	q = in->p + in->off;
	in->off += n;
	return q;
}

/* An FP32 array of exactly @count floats into @dst. */
static int mdl_pk_read_f32s(struct mdl_pk_in *in, const char *what, size_t count, float *dst,
			    char *err, size_t errlen)
{
	size_t at = in->off;
	const uint8_t *q = mdl_pk_take(in, 4);
	uint32_t n;

	if (!q)
		return mdl_err(err, errlen, -EINVAL, "truncated at %zu (%s)", at, what);
	n = mdl_pk_get32(q);
	if (n != count)
		return mdl_err(err, errlen, -EINVAL, "%s at %zu: %u floats, the model has %zu",
			       what, at, n, count);
	q = mdl_pk_take(in, count * sizeof(float));
	if (!q)
		return mdl_err(err, errlen, -EINVAL, "truncated in %s (at %zu)", what, at);
	memcpy(dst, q, count * sizeof(float));
	return 0;
}

static int mdl_pk_model_lm(struct mdl_pk_in *in, const uint8_t *config, struct mdl_packed *p,
			   char *err, size_t errlen)
{
	struct mdl_llama_cfg c;
	struct mdl_llama *m;
	char why[256];
	size_t D, L;
	int ret;

	c.dim = (int32_t)mdl_pk_get32(config);
	c.hidden_dim = (int32_t)mdl_pk_get32(config + 4);
	c.n_layers = (int32_t)mdl_pk_get32(config + 8);
	c.n_heads = (int32_t)mdl_pk_get32(config + 12);
	c.n_kv_heads = (int32_t)mdl_pk_get32(config + 16);
	c.vocab_size = (int32_t)mdl_pk_get32(config + 20);
	c.seq_len = (int32_t)mdl_pk_get32(config + 24);
	ret = mdl_llama_cfg_check(&c, why, sizeof(why));
	if (ret)
		return mdl_err(err, errlen, ret, "config (offset %u): %s", MDL_PK_OFF_CONFIG, why);
	if (mdl_llama_cfg_params(&c) / MDL_PK_EXPANSION_MAX > in->len / sizeof(float))
		return mdl_err(err, errlen, -EINVAL,
			       "config: %zu parameters cannot be packed in %zu bytes",
			       mdl_llama_cfg_params(&c), in->len);
	ret = mdl_llama_alloc(&c, &m, why, sizeof(why));
	if (ret)
		return mdl_err(err, errlen, ret, "%s", why);
	p->lm = m;
	D = m->dim;
	L = m->layers;
	if ((ret = mdl_pk_read_f32s(in, "tok_emb", (size_t)m->vocab * D, m->w.tok_emb, err,
				    errlen)) ||
	    (ret = mdl_pk_read_f32s(in, "rms_att", L * D, m->w.rms_att, err, errlen)) ||
	    (ret = mdl_pk_read_f32s(in, "rms_ffn", L * D, m->w.rms_ffn, err, errlen)) ||
	    (ret = mdl_pk_read_f32s(in, "rms_final", D, m->w.rms_final, err, errlen)))
		return ret;
	ret = mdl_lm_linset(m, &p->ls);
	return ret ? mdl_err(err, errlen, ret, "out of memory") : 0;
}

static int mdl_pk_model_cls(struct mdl_pk_in *in, const uint8_t *config, struct mdl_packed *p,
			    char *err, size_t errlen)
{
	uint32_t dims[MDL_CLS_LAYERS_MAX + 1], layers = mdl_pk_get32(config), i;
	size_t params = 0;
	char why[256];
	int ret;

	if (layers == 0 || layers > MDL_CLS_LAYERS_MAX)
		return mdl_err(err, errlen, -EINVAL, "config: %u layers (1..%u)", layers,
			       MDL_CLS_LAYERS_MAX);
	for (i = 0; i <= layers; i++) {
		dims[i] = mdl_pk_get32(config + 4 + 4 * i);
		if (i && dims[i] <= MDL_CLS_DIM_MAX && dims[i - 1] <= MDL_CLS_DIM_MAX)
			params += (size_t)dims[i] * dims[i - 1];
	}
	if (params / MDL_PK_EXPANSION_MAX > in->len / sizeof(float))
		return mdl_err(err, errlen, -EINVAL,
			       "config: %zu weights cannot be packed in %zu bytes", params, in->len);
	ret = mdl_cls_alloc(layers, dims, &p->cls, why, sizeof(why));
	if (ret)
		return mdl_err(err, errlen, ret, "config: %s", why);
	for (i = 0; i < layers; i++) {
		char what[16];

		snprintf(what, sizeof(what), "b%u", i);
		ret = mdl_pk_read_f32s(in, what, dims[i + 1], p->cls->b[i], err, errlen);
		if (ret)
			return ret;
	}
	ret = mdl_cls_linset(p->cls, &p->ls);
	return ret ? mdl_err(err, errlen, ret, "out of memory") : 0;
}

/* Input factors 1/s: finite and > 0, and one set per group of layers sharing an input. */
static int mdl_pk_check_inv(const struct mdl_linset *ls, uint32_t id, char *err, size_t errlen)
{
	const struct mdl_lin *l = &ls->l[id], *lead = &ls->l[l->in_group];
	uint32_t j;

	for (j = 0; l->in_inv && j < l->k; j++)
		if (!(l->in_inv[j] > 0.0f) || !isfinite(l->in_inv[j]))
			return mdl_err(err, errlen, -EINVAL, "layer %s: input factor %u is %g",
				       l->name, j, (double)l->in_inv[j]);
	if (lead == l)
		return 0;
	if (!l->in_inv != !lead->in_inv ||
	    (l->in_inv && memcmp(l->in_inv, lead->in_inv, sizeof(float) * l->k)))
		return mdl_err(err, errlen, -EINVAL,
			       "layer %s: input factors differ from %s's, which reads the same "
			       "input", l->name, lead->name);
	return 0;
}

/* One linear record onto layer @id of the model's own layer set. */
static int mdl_pk_read_lin(struct mdl_pk_in *in, struct mdl_linset *ls, uint32_t id, char *err,
			   size_t errlen)
{
	struct mdl_lin *l = &ls->l[id];
	size_t at = in->off;
	const uint8_t *q = mdl_pk_take(in, MDL_PK_LIN_FIXED), *f;
	const struct dp_fmt_info *fi;
	uint64_t bytes[4];
	struct dp_geom g;
	struct dp_wt w;
	uint32_t v[10], i, ninv;
	const uint8_t *buf[4], *inv;
	int ret;

	if (!q)
		return mdl_err(err, errlen, -EINVAL, "truncated at %zu: the record of layer %s "
			       "(%u of %u)", at, l->name, id + 1, ls->count);
	if (memchr(q, 0, MDL_PK_LIN_NAME) == NULL || strcmp((const char *)q, l->name))
		return mdl_err(err, errlen, -EINVAL,
			       "layer record at %zu: name \"%.*s\", expected %s (the model's "
			       "layer %u)", at, MDL_PK_LIN_NAME, (const char *)q, l->name, id);
	f = q + MDL_PK_LIN_NAME;
	for (i = 0; i < 10; i++)
		v[i] = mdl_pk_get32(f + 4 * i);
	for (i = 0; i < 4; i++)
		bytes[i] = mdl_pk_get64(f + 40 + 8 * i);
	/* v: n k act afmt in_group fmt group flags tensor_scale in_inv_count */
	for (i = 0; i < 5; i++) {
		static const char *const what[] = { "n", "k", "act", NULL, "in_group" };
		const uint32_t want[] = { l->n, l->k, l->act, 0, l->in_group };

		if (what[i] && v[i] != want[i])
			return mdl_err(err, errlen, -EINVAL,
				       "layer %s (record at %zu): %s %u, the model's is %u "
				       "(%u x %u, act %u, input group %u)", l->name, at, what[i],
				       v[i], want[i], l->n, l->k, l->act, l->in_group);
	}
	w = (struct dp_wt){ .fmt = v[5], .n = v[0], .k = v[1], .group = v[6], .flags = v[7] };
	memcpy(&w.tensor_scale, &v[8], 4);
	ret = dp_geom_get(w.fmt, w.n, w.k, w.group, w.flags, &g);
	if (ret)
		return mdl_err(err, errlen, -EINVAL,
			       "layer %s (record at %zu): format %u, group %u, flags %#x is not a "
			       "valid tensor", l->name, at, w.fmt, w.group, w.flags);
	fi = dp_fmt_info(w.fmt);
	if (v[3] != DP_A_BF16 && !(v[3] == DP_A_INT8 && fi->a8))
		return mdl_err(err, errlen, -EINVAL,
			       "layer %s (record at %zu): activation mode (afmt) %u with %s",
			       l->name, at, v[3], fi->name);
	if (!isfinite(w.tensor_scale) || (w.fmt != DP_W_NVFP4 && w.tensor_scale != 1.0f))
		return mdl_err(err, errlen, -EINVAL, "layer %s: tensor scale %g", l->name,
			       (double)w.tensor_scale);
	for (i = 0; i < 4; i++) {
		static const char *const what[] = { "data", "scales", "zeros", "meta" };
		const size_t want[] = { g.data_bytes, g.scale_bytes, g.zero_bytes, g.meta_bytes };

		if (bytes[i] != want[i])
			return mdl_err(err, errlen, -EINVAL,
				       "layer %s (record at %zu): %s length %llu, format %u "
				       "(%s) of %u x %u needs %zu", l->name, at, what[i],
				       (unsigned long long)bytes[i], w.fmt,
				       dp_fmt_info(w.fmt)->name, w.n, w.k, want[i]);
	}
	ninv = v[9];
	if (ninv != 0 && ninv != l->k)
		return mdl_err(err, errlen, -EINVAL, "layer %s: %u input factors for %u inputs",
			       l->name, ninv, l->k);
	q = inv = mdl_pk_take(in, (size_t)ninv * sizeof(float));
	for (i = 0; q && i < 4; i++)
		q = buf[i] = mdl_pk_take(in, bytes[i]);
	if (!q)
		return mdl_err(err, errlen, -EINVAL, "truncated in layer %s (record at %zu)",
			       l->name, at);
	if (ninv) {
		l->in_inv = malloc(sizeof(float) * ninv);
		if (!l->in_inv)
			return mdl_err(err, errlen, -ENOMEM, "out of memory");
		memcpy(l->in_inv, inv, sizeof(float) * ninv);
	}
	w.data = buf[0];
	w.scales = g.scale_bytes ? buf[1] : NULL;
	w.zeros = g.zero_bytes ? buf[2] : NULL;
	w.meta = g.meta_bytes ? buf[3] : NULL;
	ret = compress_qtensor_import(&w, &l->qt);
	if (ret)
		return mdl_err(err, errlen, ret, "layer %s: %s", l->name,
			       compress_strerror(ret));
	l->afmt = v[3];
	return mdl_pk_check_inv(ls, id, err, errlen);
}

static int mdl_pk_parse(const uint8_t *b, size_t len, struct mdl_packed *p, char *err,
			size_t errlen)
{
	struct mdl_pk_in in = { b, len, MDL_PK_HDR_BYTES };
	uint32_t version, kind, nlin, i, crc;
	uint64_t size;
	int ret;

	if (len < MDL_PK_HDR_BYTES)
		return mdl_err(err, errlen, -EINVAL,
			       "%zu bytes: not a packed checkpoint (its header alone is %u)", len,
			       MDL_PK_HDR_BYTES);
	if (mdl_pk_get32(b + MDL_PK_OFF_MAGIC) != MDL_PACKED_MAGIC)
		return mdl_err(err, errlen, -EINVAL,
			       "magic 0x%08x (offset %u): not a packed checkpoint "
			       "(0x%08x, \"QPKM\")", mdl_pk_get32(b + MDL_PK_OFF_MAGIC),
			       MDL_PK_OFF_MAGIC, MDL_PACKED_MAGIC);
	version = mdl_pk_get32(b + MDL_PK_OFF_VERSION);
	if (version != MDL_PACKED_VERSION)
		return mdl_err(err, errlen, -EINVAL,
			       "version %u (offset %u): this reader takes %u%s", version,
			       MDL_PK_OFF_VERSION, MDL_PACKED_VERSION,
			       version == 1 ? " (version 1 numbered the weight formats 3 lower: "
			       "pack the model again, accel-eval --save-packed)" : "");
	size = mdl_pk_get64(b + MDL_PK_OFF_SIZE);
	if (size != len)
		return mdl_err(err, errlen, -EINVAL,
			       "size %llu (offset %u): the file has %zu bytes (%s)",
			       (unsigned long long)size, MDL_PK_OFF_SIZE, len,
			       size > len ? "truncated" : "trailing data");
	crc = (uint32_t)crc32_z(0, b + MDL_PK_CRC_FROM, len - MDL_PK_CRC_FROM);
	if (crc != mdl_pk_get32(b + MDL_PK_OFF_CRC))
		return mdl_err(err, errlen, -EINVAL,
			       "crc 0x%08x (offset %u): the bytes from offset %u give 0x%08x "
			       "(a CRC-32 mismatch: the file is corrupt)",
			       mdl_pk_get32(b + MDL_PK_OFF_CRC), MDL_PK_OFF_CRC, MDL_PK_CRC_FROM,
			       crc);
	if (b[MDL_PK_OFF_VARIANT + MDL_PACKED_NAME - 1])
		return mdl_err(err, errlen, -EINVAL, "variant (offset %u): not NUL-terminated",
			       MDL_PK_OFF_VARIANT);
	memcpy(p->variant, b + MDL_PK_OFF_VARIANT, MDL_PACKED_NAME);
	p->kind = kind = mdl_pk_get32(b + MDL_PK_OFF_KIND);
	p->src.crc = mdl_pk_get32(b + MDL_PK_OFF_SRC_CRC);
	p->src.size = mdl_pk_get64(b + MDL_PK_OFF_SRC_SIZE);
	nlin = mdl_pk_get32(b + MDL_PK_OFF_NLIN);
	if (kind == MDL_PACKED_LM)
		ret = mdl_pk_model_lm(&in, b + MDL_PK_OFF_CONFIG, p, err, errlen);
	else if (kind == MDL_PACKED_CLS)
		ret = mdl_pk_model_cls(&in, b + MDL_PK_OFF_CONFIG, p, err, errlen);
	else
		ret = mdl_err(err, errlen, -EINVAL,
			      "kind %u (offset %u): 1 a language model, 2 a classifier", kind,
			      MDL_PK_OFF_KIND);
	if (ret)
		return ret;
	if (nlin != p->ls.count)
		return mdl_err(err, errlen, -EINVAL,
			       "linear layer count %u (offset %u): the model has %u", nlin,
			       MDL_PK_OFF_NLIN, p->ls.count);
	for (i = 0; i < nlin; i++) {
		ret = mdl_pk_read_lin(&in, &p->ls, i, err, errlen);
		if (ret)
			return ret;
	}
	if (in.off != len)
		return mdl_err(err, errlen, -EINVAL, "%zu bytes after the last layer",
			       len - in.off);
	return 0;
}

int mdl_packed_parse(const uint8_t *buf, size_t len, struct mdl_packed *p, char *err,
		     size_t errlen)
{
	struct mdl_packed t;
	int ret;

	memset(&t, 0, sizeof(t));
	ret = mdl_pk_parse(buf, len, &t, err, errlen);
	if (ret) {
		mdl_packed_free(&t);
		return ret;
	}
	*p = t;
	return 0;
}

int mdl_packed_load(const char *path, struct mdl_packed *p, char *err, size_t errlen)
{
	char why[384];
	uint8_t *buf;
	size_t len;
	int ret;

	ret = mdl_read_file(path, &buf, &len, err, errlen);
	if (ret)
		return ret;
	ret = mdl_packed_parse(buf, len, p, why, sizeof(why));
	free(buf);
	return ret ? mdl_err(err, errlen, ret, "%s: %s", path, why) : 0;
}
