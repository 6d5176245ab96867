/* SPDX-License-Identifier: MIT */
/*
 * Quasar models: packed checkpoints (.qpk), a compressed model in the
 * device's own weight formats.
 *
 * A packed file holds what a device needs to run a variant: every linear
 * layer's packed buffers exactly as the datapath reads them (the dp_wt view
 * of its qtensor), its activation mode and, for AWQ/SmoothQuant, the FP32
 * input factors 1/s; the other parameters (embeddings, norms, biases) in
 * FP32. The header names the FP32 checkpoint the variant was derived from
 * (CRC-32 and size of its file) and, for a language model, its llama2.c
 * config. docs/models.md "Packed checkpoints" has the byte layout.
 *
 * Everything is little-endian; the device buffers are stored as the
 * device's memory image (which is little-endian). The loader checks the
 * magic, version, a zlib CRC-32 over every byte after the CRC field, and
 * every count and length against the header and dp_geom_get(), so a
 * truncated or corrupt file is an error with a reason, never a crash.
 */
#ifndef MDL_PACKED_H
#define MDL_PACKED_H

#include <stddef.h>
#include <stdint.h>

#include "mdl_cls.h"
#include "mdl_linear.h"
#include "mdl_llama.h"

#define MDL_PACKED_MAGIC	0x4d4b5051u	/* "QPKM" */
#define MDL_PACKED_VERSION	2u	/* 2: formats in the ISA's numbering (1: the datapath's old one) */
#define MDL_PACKED_NAME		48		/* variant name field, NUL-padded */
#define MDL_PACKED_MAX_BYTES	(1ull << 32)	/* refused above: not a model of this scale */

enum mdl_packed_kind {
	MDL_PACKED_LM = 1,	/* llama2.c language model */
	MDL_PACKED_CLS = 2,	/* QCLS classifier */
};

/* Identity of the FP32 checkpoint a packed model was derived from. */
struct mdl_packed_src {
	uint32_t crc;		/* zlib crc32 of the whole file */
	uint64_t size;		/* bytes */
};

/* CRC-32 and size of a file (the FP32 checkpoint). */
int mdl_packed_src_file(const char *path, struct mdl_packed_src *src, char *err, size_t errlen);

/* A loaded packed model. */
struct mdl_packed {
	uint32_t kind;
	char variant[MDL_PACKED_NAME];
	struct mdl_packed_src src;
	/*
	 * Exactly one of lm / cls: the config and FP32 non-linear parameters.
	 * Their linear weight arrays are zero: the weights are the packed
	 * tensors of @ls, which must be the layer set passed to the runners.
	 */
	struct mdl_llama *lm;
	struct mdl_cls *cls;
	struct mdl_linset ls;	/* every layer packed (qt set) */
};

/*
 * Writes @ls (every layer packed, as built by mdl_variant_build on
 * mdl_lm_linset(m) or mdl_cls_linset(c)) with the model's FP32 non-linear
 * parameters. @variant names the recipe ("int4-g32/a8/gptq"); one that does
 * not fit the header (MDL_PACKED_NAME - 1 characters) is refused with
 * -ENAMETOOLONG and nothing is written.
 */
int mdl_packed_save_lm(const char *path, const struct mdl_llama *m, const struct mdl_linset *ls,
		       const char *variant, const struct mdl_packed_src *src, char *err,
		       size_t errlen);
int mdl_packed_save_cls(const char *path, const struct mdl_cls *c, const struct mdl_linset *ls,
			const char *variant, const struct mdl_packed_src *src, char *err,
			size_t errlen);

/* Parses a packed file image (@buf, @len bytes); @p is filled on success only. */
int mdl_packed_parse(const uint8_t *buf, size_t len, struct mdl_packed *p, char *err,
		     size_t errlen);
/* Reads and parses a file; errors name the file. */
int mdl_packed_load(const char *path, struct mdl_packed *p, char *err, size_t errlen);
void mdl_packed_free(struct mdl_packed *p);

/* 1 if the file starts with the packed magic (accel-eval's dispatch). */
int mdl_packed_sniff(const char *path);

#endif /* MDL_PACKED_H */
