// SPDX-License-Identifier: MIT
/* Firmware images crafted field by field for the host tests. */
#include <string.h>
#include <zlib.h>

#include "fw_build_id.h"
#include "fw_test_image.h"

void fw_test_put32(struct fw_test_image *img, uint32_t off, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		img->bytes[off + i] = (uint8_t)(v >> (8 * i));
}

void fw_test_put16(struct fw_test_image *img, uint32_t off, uint16_t v)
{
	img->bytes[off] = (uint8_t)v;
	img->bytes[off + 1] = (uint8_t)(v >> 8);
}

uint32_t fw_test_get32(const struct fw_test_image *img, uint32_t off)
{
	return (uint32_t)img->bytes[off] | (uint32_t)img->bytes[off + 1] << 8 |
	       (uint32_t)img->bytes[off + 2] << 16 | (uint32_t)img->bytes[off + 3] << 24;
}

void fw_test_image_seal(struct fw_test_image *img)
{
	fw_test_put32(img, FW_TEST_HDR(crc32), 0);
	fw_test_put32(img, FW_TEST_HDR(crc32),
		      (uint32_t)crc32(0L, img->bytes, img->size));
}

void fw_test_image_make(struct fw_test_image *img)
{
	const uint32_t table_end = sizeof(struct quasar_fw_header) +
				   2 * sizeof(struct quasar_fw_section);
	const uint32_t info_len = sizeof(FW_TEST_INFO_TEXT);

	memset(img, 0, sizeof(*img));
	img->info_off = table_end;
	img->caps_off = (table_end + info_len + 7) & ~7u;
	img->size = img->caps_off + sizeof(struct quasar_fw_caps);

	fw_test_put32(img, FW_TEST_HDR(magic), QUASAR_FW_MAGIC);
	fw_test_put16(img, FW_TEST_HDR(abi_major), QUASAR_FW_ABI_MAJOR);
	fw_test_put16(img, FW_TEST_HDR(abi_minor), QUASAR_FW_ABI_MINOR);
	fw_test_put32(img, FW_TEST_HDR(header_size), sizeof(struct quasar_fw_header));
	fw_test_put32(img, FW_TEST_HDR(image_size), img->size);
	fw_test_put32(img, FW_TEST_HDR(fw_version), 0x00010203);
	fw_test_put32(img, FW_TEST_HDR(build_id), FW_BUILD_ID);
	fw_test_put32(img, FW_TEST_HDR(num_sections), 2);

	fw_test_put32(img, FW_TEST_SEC(0, type), QUASAR_FW_SECTION_INFO);
	fw_test_put32(img, FW_TEST_SEC(0, offset), img->info_off);
	fw_test_put32(img, FW_TEST_SEC(0, size), info_len);
	memcpy(img->bytes + img->info_off, FW_TEST_INFO_TEXT, info_len);

	fw_test_put32(img, FW_TEST_SEC(1, type), QUASAR_FW_SECTION_CAPS);
	fw_test_put32(img, FW_TEST_SEC(1, offset), img->caps_off);
	fw_test_put32(img, FW_TEST_SEC(1, size), sizeof(struct quasar_fw_caps));
	fw_test_put32(img, img->caps_off + offsetof(struct quasar_fw_caps, caps), FW_ROM_CAPS);
	fw_test_put32(img, img->caps_off + offsetof(struct quasar_fw_caps, ops), FW_ROM_OPS);
	fw_test_put32(img, img->caps_off + offsetof(struct quasar_fw_caps, formats),
		      FW_ROM_FORMATS);
	fw_test_image_seal(img);
}
