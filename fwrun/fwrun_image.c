// SPDX-License-Identifier: MIT
/* The runner's boot images, crafted field by field (fwrun.h). */
#include <string.h>
#include <zlib.h>

#include "fw_build_id.h"
#include "fwrun.h"

void fwrun_image_put32(struct fwrun_image *img, uint32_t off, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		img->bytes[off + i] = (uint8_t)(v >> (8 * i));
}

void fwrun_image_put16(struct fwrun_image *img, uint32_t off, uint16_t v)
{
	img->bytes[off] = (uint8_t)v;
	img->bytes[off + 1] = (uint8_t)(v >> 8);
}

uint32_t fwrun_image_get32(const struct fwrun_image *img, uint32_t off)
{
	return (uint32_t)img->bytes[off] | (uint32_t)img->bytes[off + 1] << 8 |
	       (uint32_t)img->bytes[off + 2] << 16 | (uint32_t)img->bytes[off + 3] << 24;
}

void fwrun_image_seal(struct fwrun_image *img)
{
	fwrun_image_put32(img, FWRUN_IMAGE_HDR(crc32), 0);
	fwrun_image_put32(img, FWRUN_IMAGE_HDR(crc32),
		      (uint32_t)crc32(0L, img->bytes, img->size));
}

void fwrun_image_make(struct fwrun_image *img)
{
	const uint32_t table_end = sizeof(struct quasar_fw_header) +
				   2 * sizeof(struct quasar_fw_section);
	const uint32_t info_len = sizeof(FWRUN_IMAGE_INFO);

	memset(img, 0, sizeof(*img));
	img->info_off = table_end;
	img->caps_off = (table_end + info_len + 7) & ~7u;
	img->size = img->caps_off + sizeof(struct quasar_fw_caps);

	fwrun_image_put32(img, FWRUN_IMAGE_HDR(magic), QUASAR_FW_MAGIC);
	fwrun_image_put16(img, FWRUN_IMAGE_HDR(abi_major), QUASAR_FW_ABI_MAJOR);
	fwrun_image_put16(img, FWRUN_IMAGE_HDR(abi_minor), QUASAR_FW_ABI_MINOR);
	fwrun_image_put32(img, FWRUN_IMAGE_HDR(header_size), sizeof(struct quasar_fw_header));
	fwrun_image_put32(img, FWRUN_IMAGE_HDR(image_size), img->size);
	fwrun_image_put32(img, FWRUN_IMAGE_HDR(fw_version), 0x00010203);
	fwrun_image_put32(img, FWRUN_IMAGE_HDR(build_id), FW_BUILD_ID);
	fwrun_image_put32(img, FWRUN_IMAGE_HDR(num_sections), 2);

	fwrun_image_put32(img, FWRUN_IMAGE_SEC(0, type), QUASAR_FW_SECTION_INFO);
	fwrun_image_put32(img, FWRUN_IMAGE_SEC(0, offset), img->info_off);
	fwrun_image_put32(img, FWRUN_IMAGE_SEC(0, size), info_len);
	memcpy(img->bytes + img->info_off, FWRUN_IMAGE_INFO, info_len);

	fwrun_image_put32(img, FWRUN_IMAGE_SEC(1, type), QUASAR_FW_SECTION_CAPS);
	fwrun_image_put32(img, FWRUN_IMAGE_SEC(1, offset), img->caps_off);
	fwrun_image_put32(img, FWRUN_IMAGE_SEC(1, size), sizeof(struct quasar_fw_caps));
	fwrun_image_put32(img, img->caps_off + offsetof(struct quasar_fw_caps, caps), FW_ROM_CAPS);
	fwrun_image_put32(img, img->caps_off + offsetof(struct quasar_fw_caps, ops), FW_ROM_OPS);
	fwrun_image_put32(img, img->caps_off + offsetof(struct quasar_fw_caps, formats),
		      FW_ROM_FORMATS);
	fwrun_image_seal(img);
}
