/* SPDX-License-Identifier: MIT */
/*
 * Firmware images crafted field by field for the image tests. Independent of
 * firmware/tools/fwimage.c on purpose: two writers agreeing with one reader
 * is the check that the format is what hw-spec section 3.1 says.
 */
#ifndef FW_TEST_IMAGE_H
#define FW_TEST_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "quasar_fw.h"

#define FW_TEST_IMAGE_MAX	4096
#define FW_TEST_INFO_TEXT	"quasar host test image"

/* Offsets of header and section-table fields. */
#define FW_TEST_HDR(f)		offsetof(struct quasar_fw_header, f)
#define FW_TEST_SEC(i, f)	(sizeof(struct quasar_fw_header) + \
				 (i) * sizeof(struct quasar_fw_section) + \
				 offsetof(struct quasar_fw_section, f))

struct fw_test_image {
	uint8_t bytes[FW_TEST_IMAGE_MAX];
	uint32_t size;
	uint32_t info_off;	/* section 0: INFO */
	uint32_t caps_off;	/* section 1: CAPS, the ROM's full masks */
};

/* A valid, sealed image: header, INFO, CAPS. */
void fw_test_image_make(struct fw_test_image *img);
/* Recompute the CRC after editing. */
void fw_test_image_seal(struct fw_test_image *img);
void fw_test_put32(struct fw_test_image *img, uint32_t off, uint32_t v);
void fw_test_put16(struct fw_test_image *img, uint32_t off, uint16_t v);
uint32_t fw_test_get32(const struct fw_test_image *img, uint32_t off);

#endif /* FW_TEST_IMAGE_H */
