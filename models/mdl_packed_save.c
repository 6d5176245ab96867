// SPDX-License-Identifier: MIT
/* Quasar models: packed checkpoints, the writer (layout: mdl_packed_layout.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "compress.h"
#include "mdl_packed.h"
#include "mdl_packed_layout.h"
#include "mdl_util.h"

/* An output image grown on demand; @bad latches the first allocation failure. */
struct mdl_pk_out {
	uint8_t *p;
	size_t len, cap;
	int bad;
};

static uint8_t *mdl_pk_room(struct mdl_pk_out *o, size_t n)
{
	uint8_t *q;
	size_t cap;

	if (o->bad)
		return NULL;
	if (o->len + n > o->cap) {
		cap = o->cap ? o->cap : 1u << 16;
		while (cap < o->len + n)
			cap *= 2;
		q = realloc(o->p, cap);
		if (!q) {
			o->bad = 1;
			return NULL;
		}
		o->p = q;
		o->cap = cap;
	}
	q = o->p + o->len;
	o->len += n;
	return q;
}

static void mdl_pk_u32(struct mdl_pk_out *o, uint32_t v)
{
	uint8_t *q = mdl_pk_room(o, 4);

	if (q)
		mdl_pk_put32(q, v);
}

static void mdl_pk_u64(struct mdl_pk_out *o, uint64_t v)
{
	uint8_t *q = mdl_pk_room(o, 8);

	if (q)
		mdl_pk_put64(q, v);
}

static void mdl_pk_bytes(struct mdl_pk_out *o, const void *src, size_t n)
{
	uint8_t *q = mdl_pk_room(o, n);

	if (q && n)
		memcpy(q, src, n);
}

/* An FP32 array: u32 count, then the floats. */
static void mdl_pk_f32s(struct mdl_pk_out *o, const float *v, size_t count)
{
	mdl_pk_u32(o, (uint32_t)count);
	mdl_pk_bytes(o, v, count * sizeof(float));
}

static void mdl_pk_header(struct mdl_pk_out *o, uint32_t kind, const char *variant,
			  const struct mdl_packed_src *src, uint32_t nlin, const uint8_t *config)
{
	uint8_t *h = mdl_pk_room(o, MDL_PK_HDR_BYTES);

	if (!h)
		return;
	memset(h, 0, MDL_PK_HDR_BYTES);
	mdl_pk_put32(h + MDL_PK_OFF_MAGIC, MDL_PACKED_MAGIC);
	mdl_pk_put32(h + MDL_PK_OFF_VERSION, MDL_PACKED_VERSION);
	mdl_pk_put32(h + MDL_PK_OFF_KIND, kind);
	mdl_pk_put32(h + MDL_PK_OFF_SRC_CRC, src->crc);
	mdl_pk_put32(h + MDL_PK_OFF_NLIN, nlin);
	mdl_pk_put64(h + MDL_PK_OFF_SRC_SIZE, src->size);
	/* fixed-size field, NUL-padded (h is zeroed); mdl_pk_variant_fits checked it */
	memcpy(h + MDL_PK_OFF_VARIANT, variant, strlen(variant));
	memcpy(h + MDL_PK_OFF_CONFIG, config, MDL_PK_CONFIG_BYTES);
}

/*
 * The variant name is what a loaded checkpoint reports and what tools match
 * rows by: one cut short would name another variant, so it is refused.
 */
static int mdl_pk_variant_fits(const char *variant, const char *path, char *err,
			       size_t errlen)
{
	size_t len = strlen(variant);

	if (len >= MDL_PACKED_NAME)
		return mdl_err(err, errlen, -ENAMETOOLONG,
			       "%s: variant name '%s' is %zu characters, the header holds %d",
			       path, variant, len, MDL_PACKED_NAME - 1);
	return 0;
}

/* One linear layer record: the layer's description, then its buffers. */
static int mdl_pk_lin(struct mdl_pk_out *o, const struct mdl_lin *l, char *err, size_t errlen)
{
	const struct dp_wt *w = compress_qtensor_wt(l->qt);
	struct dp_geom g;
	uint8_t *name;

	if (!w)
		return mdl_err(err, errlen, -EINVAL, "layer %s is not packed", l->name);
	if (dp_wt_check(w, &g) || w->n != l->n || w->k != l->k)
		return mdl_err(err, errlen, -EINVAL, "layer %s: inconsistent packed tensor",
			       l->name);
	name = mdl_pk_room(o, MDL_PK_LIN_NAME);
	if (name) {
		memset(name, 0, MDL_PK_LIN_NAME);
		memcpy(name, l->name, strnlen(l->name, MDL_PK_LIN_NAME - 1));
	}
	mdl_pk_u32(o, l->n);
	mdl_pk_u32(o, l->k);
	mdl_pk_u32(o, l->act);
	mdl_pk_u32(o, l->afmt);
	mdl_pk_u32(o, l->in_group);
	mdl_pk_u32(o, w->fmt);
	mdl_pk_u32(o, w->group);
	mdl_pk_u32(o, w->flags);
	mdl_pk_bytes(o, &w->tensor_scale, 4);
	mdl_pk_u32(o, l->in_inv ? l->k : 0);
	mdl_pk_u64(o, g.data_bytes);
	mdl_pk_u64(o, g.scale_bytes);
	mdl_pk_u64(o, g.zero_bytes);
	mdl_pk_u64(o, g.meta_bytes);
	if (l->in_inv)
		mdl_pk_bytes(o, l->in_inv, (size_t)l->k * sizeof(float));
	mdl_pk_bytes(o, w->data, g.data_bytes);
	mdl_pk_bytes(o, w->scales, g.scale_bytes);
	mdl_pk_bytes(o, w->zeros, g.zero_bytes);
	mdl_pk_bytes(o, w->meta, g.meta_bytes);
	return 0;
}

/* Layers, size and CRC, then the file. Frees the image. */
static int mdl_pk_finish(struct mdl_pk_out *o, const struct mdl_linset *ls, const char *path,
			 char *err, size_t errlen)
{
	uint32_t i;
	FILE *f;
	int ret = 0;

	for (i = 0; i < ls->count && !ret; i++)
		ret = mdl_pk_lin(o, &ls->l[i], err, errlen);
	if (!ret && (o->bad || o->len > MDL_PACKED_MAX_BYTES))
		ret = mdl_err(err, errlen, -ENOMEM, "%s: out of memory or too large", path);
	if (!ret) {
		mdl_pk_put64(o->p + MDL_PK_OFF_SIZE, o->len);
		mdl_pk_put32(o->p + MDL_PK_OFF_CRC,
			     (uint32_t)crc32_z(0, o->p + MDL_PK_CRC_FROM, o->len - MDL_PK_CRC_FROM));
		f = fopen(path, "wb");
		if (!f)
			ret = mdl_err(err, errlen, -errno, "%s: %s", path, strerror(errno));
		else if (fwrite(o->p, 1, o->len, f) != o->len || fclose(f))
			ret = mdl_err(err, errlen, -EIO, "%s: write failed", path);
		if (ret && f)
			remove(path);
	}
	free(o->p);
	return ret;
}

int mdl_packed_save_lm(const char *path, const struct mdl_llama *m, const struct mdl_linset *ls,
		       const char *variant, const struct mdl_packed_src *src, char *err,
		       size_t errlen)
{
	struct mdl_pk_out o = { 0 };
	uint8_t config[MDL_PK_CONFIG_BYTES] = { 0 };
	const int32_t *cfg = &m->cfg.dim;
	size_t D = m->dim, L = m->layers;
	uint32_t i;

	if (ls->count != L * 7 + 1)
		return mdl_err(err, errlen, -EINVAL, "%s: not the layer set of this model", path);
	if (mdl_pk_variant_fits(variant, path, err, errlen))
		return -ENAMETOOLONG;
	for (i = 0; i < 7; i++)
		mdl_pk_put32(config + 4 * i, (uint32_t)cfg[i]);
	mdl_pk_header(&o, MDL_PACKED_LM, variant, src, ls->count, config);
	mdl_pk_f32s(&o, m->w.tok_emb, (size_t)m->vocab * D);
	mdl_pk_f32s(&o, m->w.rms_att, L * D);
	mdl_pk_f32s(&o, m->w.rms_ffn, L * D);
	mdl_pk_f32s(&o, m->w.rms_final, D);
	return mdl_pk_finish(&o, ls, path, err, errlen);
}

int mdl_packed_save_cls(const char *path, const struct mdl_cls *c, const struct mdl_linset *ls,
			const char *variant, const struct mdl_packed_src *src, char *err,
			size_t errlen)
{
	struct mdl_pk_out o = { 0 };
	uint8_t config[MDL_PK_CONFIG_BYTES] = { 0 };
	uint32_t i;

	if (ls->count != c->layers)
		return mdl_err(err, errlen, -EINVAL, "%s: not the layer set of this model", path);
	if (mdl_pk_variant_fits(variant, path, err, errlen))
		return -ENAMETOOLONG;
	mdl_pk_put32(config, c->layers);
	for (i = 0; i <= c->layers; i++)
		mdl_pk_put32(config + 4 + 4 * i, c->dims[i]);
	mdl_pk_header(&o, MDL_PACKED_CLS, variant, src, ls->count, config);
	for (i = 0; i < c->layers; i++)
		mdl_pk_f32s(&o, c->b[i], c->dims[i + 1]);
	return mdl_pk_finish(&o, ls, path, err, errlen);
}

int mdl_packed_src_file(const char *path, struct mdl_packed_src *src, char *err, size_t errlen)
{
	uint8_t *buf;
	size_t len;
	int ret;

	ret = mdl_read_file(path, &buf, &len, err, errlen);
	if (ret)
		return ret;
	src->crc = (uint32_t)crc32_z(0, buf, len);
	src->size = len;
	free(buf);
	return 0;
}

int mdl_packed_sniff(const char *path)
{
	uint32_t magic = 0;
	FILE *f = fopen(path, "rb");
	int yes;

	if (!f)
		return 0;
	yes = fread(&magic, 4, 1, f) == 1 && magic == MDL_PACKED_MAGIC;
	fclose(f);
	return yes;
}

void mdl_packed_free(struct mdl_packed *p)
{
	if (!p)
		return;
	mdl_linset_free(&p->ls, 1);
	mdl_llama_free(p->lm);
	mdl_cls_free(p->cls);
	memset(p, 0, sizeof(*p));
}
