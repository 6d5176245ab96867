// SPDX-License-Identifier: MIT
/*
 * Bad packed checkpoints (models/mdl_packed_load.c): files crafted from the
 * build's packed language model (int4-g32/a16), each damaged in one field,
 * with the size and CRC fields made consistent again where the damage is
 * elsewhere, so that the field under test is what the reader meets. Each
 * is refused with -EINVAL and a message that names the field and the value
 * it found: corrupt (a flipped byte), truncated, trailing bytes, another
 * magic, version or kind, a config the model's arrays disagree with, a
 * layer count, name, shape, format or buffer length other than the
 * model's.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "kselftest_harness.h"
#include "mdl_packed.h"
#include "mdl_packed_layout.h"
#include "mdl_util.h"

FIXTURE(qpk) {
	uint8_t *good, *bad;
	size_t len;
	size_t lin0;		/* offset of the first layer record (l0.wq) */
	char err[1024];
};

FIXTURE_SETUP(qpk)
{
	struct mdl_packed pk;
	size_t D, L, V;

	ASSERT_EQ(0, mdl_read_file(MDLT_LM_QPK, &self->good, &self->len, self->err,
				   sizeof(self->err))) TH_LOG("%s", self->err);
	/* the intact file loads: every refusal below is its damage's doing */
	ASSERT_EQ(0, mdl_packed_parse(self->good, self->len, &pk, self->err, sizeof(self->err)))
		TH_LOG("%s", self->err);
	D = pk.lm->dim;
	L = pk.lm->layers;
	V = pk.lm->vocab;
	mdl_packed_free(&pk);
	self->lin0 = MDL_PK_HDR_BYTES + 4 * (1 + V * D) + 2 * 4 * (1 + L * D) + 4 * (1 + D);
	ASSERT_EQ(0, strcmp((const char *)self->good + self->lin0, "l0.wq"));
	self->bad = malloc(self->len + 64);
	ASSERT_NE(NULL, self->bad);
	memcpy(self->bad, self->good, self->len);
}

FIXTURE_TEARDOWN(qpk)
{
	free(self->good);
	free(self->bad);
}

/* The size and CRC fields of @len bytes made right again. */
static void mdlt_reseal(uint8_t *b, size_t len)
{
	mdl_pk_put64(b + MDL_PK_OFF_SIZE, len);
	mdl_pk_put32(b + MDL_PK_OFF_CRC, (uint32_t)crc32_z(0, b + MDL_PK_CRC_FROM,
							    len - MDL_PK_CRC_FROM));
}

/* Refused with -EINVAL, and the message holds every one of @want (NULL-terminated). */
static int mdlt_refused(const uint8_t *b, size_t len, char *err, size_t errlen,
			const char *const *want)
{
	struct mdl_packed pk;

	err[0] = 0;
	if (mdl_packed_parse(b, len, &pk, err, errlen) != -EINVAL) {
		mdl_packed_free(&pk);
		fprintf(stderr, "# accepted\n");
		return 0;
	}
	for (; *want; want++)
		if (!strstr(err, *want)) {
			fprintf(stderr, "# \"%s\" is not in: %s\n", *want, err);
			return 0;
		}
	fprintf(stderr, "# refused: %s\n", err);
	return 1;
}

#define REFUSED(len, ...) \
	EXPECT_TRUE(mdlt_refused(self->bad, len, self->err, sizeof(self->err), \
				 (const char *const[]){ __VA_ARGS__, NULL }))

TEST_F(qpk, a_flipped_byte_is_a_crc_mismatch_with_both_values)
{
	char want[32];

	self->bad[self->len / 2] ^= 0x01;
	snprintf(want, sizeof(want), "crc 0x%08x (offset 8)",
		 mdl_pk_get32(self->good + MDL_PK_OFF_CRC));
	REFUSED(self->len, want, "CRC-32 mismatch");
}

TEST_F(qpk, a_truncated_file_or_trailing_bytes_name_the_size_field)
{
	char want[64];

	snprintf(want, sizeof(want), "size %zu (offset 16): the file has %zu bytes", self->len,
		 self->len - 100);
	REFUSED(self->len - 100, want, "truncated");
	memset(self->bad + self->len, 0, 8);
	REFUSED(self->len + 8, "trailing data");
	REFUSED(100, "100 bytes", "header");
	/* cut inside the layer records with size and CRC made consistent: the record's bounds */
	mdlt_reseal(self->bad, self->lin0 + 50);
	REFUSED(self->lin0 + 50, "truncated at", "l0.wq");
}

TEST_F(qpk, another_magic_version_or_kind_is_named)
{
	mdl_pk_put32(self->bad + MDL_PK_OFF_MAGIC, 0x12345678);
	REFUSED(self->len, "magic 0x12345678 (offset 0)");
	memcpy(self->bad, self->good, self->len);
	mdl_pk_put32(self->bad + MDL_PK_OFF_VERSION, 3);
	REFUSED(self->len, "version 3 (offset 4)", "takes 2");
	mdl_pk_put32(self->bad + MDL_PK_OFF_VERSION, 1);
	REFUSED(self->len, "version 1 (offset 4)", "accel-eval --save-packed");
	memcpy(self->bad, self->good, self->len);
	mdl_pk_put32(self->bad + MDL_PK_OFF_KIND, 7);
	mdlt_reseal(self->bad, self->len);
	REFUSED(self->len, "kind 7 (offset 12)");
}

TEST_F(qpk, a_config_the_arrays_disagree_with_names_the_field)
{
	/* dim 64: the embedding table of the file is twice what that config implies */
	mdl_pk_put32(self->bad + MDL_PK_OFF_CONFIG, 64);
	mdlt_reseal(self->bad, self->len);
	REFUSED(self->len, "tok_emb", "floats, the model has 16384");
	memcpy(self->bad, self->good, self->len);
	mdl_pk_put32(self->bad + MDL_PK_OFF_CONFIG + 24, 0);	/* seq_len */
	mdlt_reseal(self->bad, self->len);
	REFUSED(self->len, "config (offset 88)", "seq_len 0");
	memcpy(self->bad, self->good, self->len);
	mdl_pk_put32(self->bad + MDL_PK_OFF_CONFIG + 12, 3);	/* n_heads */
	mdlt_reseal(self->bad, self->len);
	REFUSED(self->len, "n_heads 3");
	memcpy(self->bad, self->good, self->len);
	mdl_pk_put32(self->bad + MDL_PK_OFF_NLIN, 28);
	mdlt_reseal(self->bad, self->len);
	REFUSED(self->len, "linear layer count 28 (offset 28)", "the model has 29");
}

TEST_F(qpk, a_layer_of_another_name_shape_format_or_length_is_named)
{
	uint8_t *f = self->bad + self->lin0 + MDL_PK_LIN_NAME;

	memcpy(self->bad + self->lin0, "l0.wk", 6);
	mdlt_reseal(self->bad, self->len);
	REFUSED(self->len, "name \"l0.wk\", expected l0.wq");
	memcpy(self->bad, self->good, self->len);
	mdl_pk_put32(f, 64);		/* n */
	mdlt_reseal(self->bad, self->len);
	REFUSED(self->len, "layer l0.wq", "n 64, the model's is 128");
	memcpy(self->bad, self->good, self->len);
	mdl_pk_put32(f + 4, 100);	/* k */
	mdlt_reseal(self->bad, self->len);
	REFUSED(self->len, "layer l0.wq", "k 100, the model's is 128");
	memcpy(self->bad, self->good, self->len);
	mdl_pk_put32(f + 8, 1);		/* act: ReLU */
	mdlt_reseal(self->bad, self->len);
	REFUSED(self->len, "layer l0.wq", "act 1, the model's is 0");
	memcpy(self->bad, self->good, self->len);
	mdl_pk_put32(f + 20, 99);	/* format */
	mdlt_reseal(self->bad, self->len);
	REFUSED(self->len, "layer l0.wq", "format 99");
	memcpy(self->bad, self->good, self->len);
	mdl_pk_put32(f + 12, 9);	/* afmt */
	mdlt_reseal(self->bad, self->len);
	REFUSED(self->len, "layer l0.wq", "activation mode (afmt) 9");
	memcpy(self->bad, self->good, self->len);
	mdl_pk_put64(f + 40, mdl_pk_get64(f + 40) - 16);	/* data length */
	mdlt_reseal(self->bad, self->len);
	REFUSED(self->len, "layer l0.wq", "data length");
}

TEST_HARNESS_MAIN
