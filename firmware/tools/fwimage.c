// SPDX-License-Identifier: MIT
/*
 * fwimage: write a Quasar firmware image (hw-spec section 3.1).
 *
 *   fwimage -o quasar-fw.bin [--corrupt=KIND]
 *
 * The image carries this build's id, version and the full ROM capability
 * masks. --corrupt writes a deliberately bad variant, consistent in every
 * other respect (CRC recomputed unless the CRC is the corruption), so that
 * host and guest tests get their bad images from the real tool and each one
 * fails with exactly one boot error code.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "fw_api.h"
#include "fw_build_id.h"

#define FWIMAGE_SECTIONS	2
#define FWIMAGE_ALIGN8(x)	(((x) + 7u) & ~7u)
#define FWIMAGE_NUM_CORRUPTIONS	\
	(sizeof(fwimage_corruptions) / sizeof(fwimage_corruptions[0]))

struct fwimage_corruption {
	const char *name;
	const char *effect;	/* boot error the device reports */
};

static const struct fwimage_corruption fwimage_corruptions[] = {
	{ "crc", "CRC" },
	{ "magic", "MAGIC" },
	{ "abi", "ABI" },
	{ "header", "HEADER" },
	{ "size", "SIZE" },
	{ "build-id", "BUILD_ID" },
	{ "section", "SECTION" },
	{ "caps", "CAPS" },
};

static void fwimage_usage(FILE *f)
{
	fprintf(f, "usage: fwimage -o FILE [--corrupt=KIND]\n"
		   "Writes the Quasar firmware image for build id 0x%08x.\n"
		   "KIND makes a bad image that fails boot with one error:\n",
		FW_BUILD_ID);
	for (size_t i = 0; i < FWIMAGE_NUM_CORRUPTIONS; i++)
		fprintf(f, "  %-9s -> %s\n", fwimage_corruptions[i].name,
			fwimage_corruptions[i].effect);
}

static void fwimage_put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

static void fwimage_put16(unsigned char *p, uint16_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
}

static bool fwimage_is(const char *corrupt, const char *kind)
{
	return corrupt && !strcmp(corrupt, kind);
}

#define HDR(f)	offsetof(struct quasar_fw_header, f)
#define SEC(f)	offsetof(struct quasar_fw_section, f)
#define CAPS(f)	offsetof(struct quasar_fw_caps, f)

static void fwimage_section(unsigned char *img, unsigned int i, uint32_t type,
			    uint32_t off, uint32_t size)
{
	unsigned char *e = img + sizeof(struct quasar_fw_header) +
			   i * sizeof(struct quasar_fw_section);

	fwimage_put32(e + SEC(type), type);
	fwimage_put32(e + SEC(offset), off);
	fwimage_put32(e + SEC(size), size);
}

/* Builds the image into a calloc'ed buffer; returns its size. */
static uint32_t fwimage_build(unsigned char **out, const char *corrupt)
{
	char info[256];
	uint32_t info_len, info_off, caps_off, size, crc;
	unsigned char *img;
	int n;

	n = snprintf(info, sizeof(info),
		     "Quasar NPU firmware %u.%u.%u, build id 0x%08x, ABI %u.%u, "
		     "caps 0x%x, ops 0x%x, formats 0x%x",
		     FW_VERSION_MAJOR, FW_VERSION_MINOR, FW_VERSION_PATCH,
		     FW_BUILD_ID, QUASAR_FW_ABI_MAJOR, QUASAR_FW_ABI_MINOR,
		     FW_ROM_CAPS, FW_ROM_OPS, FW_ROM_FORMATS);
	info_len = (uint32_t)n + 1;
	info_off = sizeof(struct quasar_fw_header) +
		   FWIMAGE_SECTIONS * sizeof(struct quasar_fw_section);
	caps_off = FWIMAGE_ALIGN8(info_off + info_len);
	size = caps_off + sizeof(struct quasar_fw_caps);

	img = calloc(1, size);
	if (!img)
		return 0;
	fwimage_put32(img + HDR(magic), QUASAR_FW_MAGIC);
	fwimage_put16(img + HDR(abi_major), QUASAR_FW_ABI_MAJOR);
	fwimage_put16(img + HDR(abi_minor), QUASAR_FW_ABI_MINOR);
	fwimage_put32(img + HDR(header_size), sizeof(struct quasar_fw_header));
	fwimage_put32(img + HDR(image_size), size);
	fwimage_put32(img + HDR(fw_version), FW_VERSION);
	fwimage_put32(img + HDR(build_id), FW_BUILD_ID);
	fwimage_put32(img + HDR(num_sections), FWIMAGE_SECTIONS);
	fwimage_section(img, 0, QUASAR_FW_SECTION_INFO, info_off, info_len);
	fwimage_section(img, 1, QUASAR_FW_SECTION_CAPS, caps_off,
			sizeof(struct quasar_fw_caps));
	memcpy(img + info_off, info, info_len);
	fwimage_put32(img + caps_off + CAPS(caps), FW_ROM_CAPS);
	fwimage_put32(img + caps_off + CAPS(ops), FW_ROM_OPS);
	fwimage_put32(img + caps_off + CAPS(formats), FW_ROM_FORMATS);

	if (fwimage_is(corrupt, "magic"))
		fwimage_put32(img + HDR(magic), QUASAR_FW_MAGIC ^ 0xffu);
	else if (fwimage_is(corrupt, "abi"))
		fwimage_put16(img + HDR(abi_major), QUASAR_FW_ABI_MAJOR + 1);
	else if (fwimage_is(corrupt, "header"))
		fwimage_put32(img + HDR(flags), 1);
	else if (fwimage_is(corrupt, "size"))
		fwimage_put32(img + HDR(image_size), size + 8);
	else if (fwimage_is(corrupt, "build-id"))
		fwimage_put32(img + HDR(build_id), ~(uint32_t)FW_BUILD_ID);
	else if (fwimage_is(corrupt, "section"))
		fwimage_section(img, 0, 0x7f, info_off, info_len);
	else if (fwimage_is(corrupt, "caps"))
		fwimage_put32(img + caps_off + CAPS(caps), FW_ROM_CAPS | (1u << 31));

	/* CRC over the image with its crc32 field zero (it still is). */
	crc = (uint32_t)crc32(0L, img, size);
	if (fwimage_is(corrupt, "crc"))
		crc ^= 1;
	fwimage_put32(img + HDR(crc32), crc);
	*out = img;
	return size;
}

static int fwimage_write(const char *path, const unsigned char *img, uint32_t size)
{
	FILE *f = fopen(path, "wb");

	if (!f) {
		fprintf(stderr, "fwimage: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (fwrite(img, 1, size, f) != size || fclose(f)) {
		fprintf(stderr, "fwimage: writing %s failed: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "corrupt", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *out = NULL, *corrupt = NULL;
	unsigned char *img;
	uint32_t size;
	int c, rc;

	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 'c':
			corrupt = optarg;
			break;
		case 'h':
			fwimage_usage(stdout);
			return 0;
		default:
			fwimage_usage(stderr);
			return 2;
		}
	}
	if (!out || optind != argc) {
		fwimage_usage(stderr);
		return 2;
	}
	if (corrupt) {
		size_t i, n = FWIMAGE_NUM_CORRUPTIONS;

		for (i = 0; i < n && strcmp(corrupt, fwimage_corruptions[i].name); i++)
			;
		if (i == n) {
			fprintf(stderr, "fwimage: unknown corruption '%s'\n", corrupt);
			fwimage_usage(stderr);
			return 2;
		}
	}
	size = fwimage_build(&img, corrupt);
	if (!size) {
		fprintf(stderr, "fwimage: out of memory\n");
		return 1;
	}
	rc = fwimage_write(out, img, size);
	free(img);
	return rc ? 1 : 0;
}
