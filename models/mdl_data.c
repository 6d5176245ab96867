// SPDX-License-Identifier: MIT
/* Quasar models: Fashion-MNIST IDX and Moby Dick chapter loaders. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "mdl_data.h"
#include "mdl_util.h"

static uint32_t mdl_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Reads an IDX file whose header has @ndim dimensions after the magic. */
static int mdl_idx_read(const char *path, uint32_t magic, uint32_t ndim, uint32_t *dims,
			uint8_t **data, char *err, size_t errlen)
{
	uint8_t hdr[16];
	size_t total = 1;
	uint32_t i;
	gzFile f;
	int ret = 0;

	*data = NULL;
	f = gzopen(path, "rb");
	if (!f)
		return mdl_err(err, errlen, -ENOENT,
			       "%s: cannot open (run scripts/fetch-data.sh)", path);
	if (gzread(f, hdr, 4 + 4 * ndim) != (int)(4 + 4 * ndim) || mdl_be32(hdr) != magic) {
		ret = mdl_err(err, errlen, -EINVAL, "%s: not an IDX file with magic 0x%x",
			      path, magic);
		goto out;
	}
	for (i = 0; i < ndim; i++) {
		dims[i] = mdl_be32(hdr + 4 + 4 * i);
		total *= dims[i];
	}
	if (total == 0 || total > INT_MAX) {
		ret = mdl_err(err, errlen, -EINVAL, "%s: bad dimensions", path);
		goto out;
	}
	*data = malloc(total);
	if (!*data) {
		ret = mdl_err(err, errlen, -ENOMEM, "%s: out of memory", path);
		goto out;
	}
	if (gzread(f, *data, (unsigned)total) != (int)total) {
		free(*data);
		*data = NULL;
		ret = mdl_err(err, errlen, -EIO, "%s: truncated (%zu bytes expected)", path, total);
	}
out:
	gzclose(f);
	return ret;
}

int mdl_fmnist_load(const char *dir, const char *set, struct mdl_images *out, char *err,
		    size_t errlen)
{
	char path[4096];
	uint32_t idims[3] = { 0 }, ldims[1] = { 0 }, i;
	int ret;

	memset(out, 0, sizeof(*out));
	snprintf(path, sizeof(path), "%s/%s-images-idx3-ubyte.gz", dir, set);
	ret = mdl_idx_read(path, 0x803, 3, idims, &out->pixels, err, errlen);
	if (ret)
		return ret;
	if (idims[1] != MDL_FMNIST_SIDE || idims[2] != MDL_FMNIST_SIDE) {
		mdl_images_free(out);
		return mdl_err(err, errlen, -EINVAL, "%s: images are %ux%u, expected 28x28",
			       path, idims[1], idims[2]);
	}
	snprintf(path, sizeof(path), "%s/%s-labels-idx1-ubyte.gz", dir, set);
	ret = mdl_idx_read(path, 0x801, 1, ldims, &out->labels, err, errlen);
	if (ret) {
		mdl_images_free(out);
		return ret;
	}
	if (ldims[0] != idims[0]) {
		mdl_images_free(out);
		return mdl_err(err, errlen, -EINVAL, "%s: %u labels for %u images", path,
			       ldims[0], idims[0]);
	}
	for (i = 0; i < ldims[0]; i++)
		if (out->labels[i] >= MDL_FMNIST_CLASSES) {
			mdl_images_free(out);
			return mdl_err(err, errlen, -EINVAL, "%s: label %u of image %u", path,
				       out->labels[i], i);
		}
	out->n = idims[0];
	return 0;
}

void mdl_images_free(struct mdl_images *im)
{
	free(im->pixels);
	free(im->labels);
	memset(im, 0, sizeof(*im));
}

/* Appends file @name of @dir and one newline to @t. */
static int mdl_text_append(struct mdl_text *t, const char *dir, const char *name, char *err,
			   size_t errlen)
{
	char path[4096];
	uint8_t *buf, *nb;
	size_t len;
	int ret;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	ret = mdl_read_file(path, &buf, &len, err, errlen);
	if (ret)
		return ret;
	nb = realloc(t->bytes, t->len + len + 1);
	if (!nb) {
		free(buf);
		return mdl_err(err, errlen, -ENOMEM, "out of memory");
	}
	t->bytes = nb;
	memcpy(t->bytes + t->len, buf, len);
	t->len += len;
	t->bytes[t->len++] = '\n';
	free(buf);
	return 0;
}

static int mdl_moby_chapters(const char *dir, uint32_t first, uint32_t last, int epilogue,
			     struct mdl_text *out, char *err, size_t errlen)
{
	char name[64];
	uint32_t c;
	int ret = 0;

	memset(out, 0, sizeof(*out));
	for (c = first; c <= last && !ret; c++) {
		snprintf(name, sizeof(name), "chapter_%u.txt", c);
		ret = mdl_text_append(out, dir, name, err, errlen);
	}
	if (!ret && epilogue)
		ret = mdl_text_append(out, dir, "epilogue.txt", err, errlen);
	if (ret)
		mdl_text_free(out);
	return ret;
}

int mdl_moby_train(const char *dir, struct mdl_text *out, char *err, size_t errlen)
{
	return mdl_moby_chapters(dir, MDL_MOBY_TRAIN_FIRST, MDL_MOBY_TRAIN_LAST, 0, out, err,
				 errlen);
}

int mdl_moby_heldout(const char *dir, struct mdl_text *out, char *err, size_t errlen)
{
	return mdl_moby_chapters(dir, MDL_MOBY_TRAIN_LAST + 1, MDL_MOBY_LAST, 1, out, err,
				 errlen);
}

int mdl_moby_fit(const char *dir, struct mdl_text *out, char *err, size_t errlen)
{
	return mdl_moby_chapters(dir, MDL_MOBY_TRAIN_FIRST, MDL_MOBY_VAL_FIRST - 1, 0, out, err,
				 errlen);
}

int mdl_moby_val(const char *dir, struct mdl_text *out, char *err, size_t errlen)
{
	return mdl_moby_chapters(dir, MDL_MOBY_VAL_FIRST, MDL_MOBY_TRAIN_LAST, 0, out, err,
				 errlen);
}

static int mdl_images_copy(const struct mdl_images *src, uint32_t first, uint32_t n,
			   struct mdl_images *out)
{
	out->n = n;
	out->pixels = malloc((size_t)n * MDL_FMNIST_PIXELS);
	out->labels = malloc(n);
	if (!out->pixels || !out->labels) {
		mdl_images_free(out);
		return -ENOMEM;
	}
	memcpy(out->pixels, src->pixels + (size_t)first * MDL_FMNIST_PIXELS,
	       (size_t)n * MDL_FMNIST_PIXELS);
	memcpy(out->labels, src->labels + first, n);
	return 0;
}

int mdl_fmnist_split(const struct mdl_images *train, struct mdl_images *fit,
		     struct mdl_images *val, char *err, size_t errlen)
{
	memset(fit, 0, sizeof(*fit));
	memset(val, 0, sizeof(*val));
	if (train->n <= MDL_FMNIST_VAL_FIRST)
		return mdl_err(err, errlen, -EINVAL, "training set of %u images: the validation "
			       "split starts at image %u", train->n, MDL_FMNIST_VAL_FIRST);
	if (mdl_images_copy(train, 0, MDL_FMNIST_VAL_FIRST, fit) ||
	    mdl_images_copy(train, MDL_FMNIST_VAL_FIRST, train->n - MDL_FMNIST_VAL_FIRST, val)) {
		mdl_images_free(fit);
		return mdl_err(err, errlen, -ENOMEM, "out of memory for the validation split");
	}
	return 0;
}

void mdl_text_free(struct mdl_text *t)
{
	free(t->bytes);
	memset(t, 0, sizeof(*t));
}
