// SPDX-License-Identifier: MIT
/*
 * Firmware image validation, hw-spec section 3.
 *
 * The checks run in exactly the order section 3.2 lists, so the first error
 * code tells a driver author which field to look at. The image is untrusted
 * guest data: every field is read byte-wise, and every offset/size sum is
 * formed in 64 bits so that nothing wraps.
 */
#include "fw_api.h"
#include "fw_build_id.h"
#include "fw_bytes.h"
#include "fw_log.h"

#define FW_HDR_OFF(f)	offsetof(struct quasar_fw_header, f)
#define FW_SEC_OFF(f)	offsetof(struct quasar_fw_section, f)
#define FW_CAPS_OFF(f)	offsetof(struct quasar_fw_caps, f)
#define FW_HDR_SIZE	((uint32_t)sizeof(struct quasar_fw_header))
#define FW_SEC_SIZE	((uint32_t)sizeof(struct quasar_fw_section))
#define FW_CAPS_SIZE	((uint32_t)sizeof(struct quasar_fw_caps))
#define FW_HDR_RESERVED	(sizeof(((struct quasar_fw_header *)0)->reserved) / 4)

/* The ROM's identity: an image boots only on the ROM it was built for. */
uint32_t fw_build_id(void)
{
	return FW_BUILD_ID;
}

_Static_assert(sizeof(struct quasar_fw_header) == 64, "hw-spec 3.1 header size");
_Static_assert(sizeof(struct quasar_fw_section) == 16, "hw-spec 3.1 section size");
_Static_assert(sizeof(struct quasar_fw_caps) == 16, "hw-spec 3.1 caps size");

static int fw_image_reject(const struct fw_hal *hal, int err, const char *why,
			   uint64_t value)
{
	struct fw_log_line l;

	fw_log_start(&l, "fw: image rejected: ");
	fw_log_str(&l, why);
	fw_log_str(&l, " (");
	fw_log_hex(&l, value);
	fw_log_str(&l, ")");
	fw_log_emit(hal, &l);
	return err;
}

/* Bitwise CRC-32 (zlib polynomial) for HALs that offer no accelerated one. */
static uint32_t fw_crc32_soft(uint32_t crc, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	crc = ~crc;
	while (len--) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1)));
	}
	return ~crc;
}

/* CRC of the whole image with its crc32 field read as zero. */
static uint32_t fw_image_crc(const struct fw_hal *hal, const uint8_t *img,
			     uint32_t size)
{
	static const uint8_t zero[4];
	uint32_t (*crc32)(uint32_t, const void *, size_t) =
		hal->crc32 ? hal->crc32 : fw_crc32_soft;
	const uint32_t at = FW_HDR_OFF(crc32);
	uint32_t crc;

	crc = crc32(0, img, at);
	crc = crc32(crc, zero, sizeof(zero));
	return crc32(crc, img + at + 4, size - at - 4);
}

static int fw_image_check_header(const struct fw_hal *hal, const uint8_t *img)
{
	uint32_t header_size = fw_le32(img + FW_HDR_OFF(header_size));
	uint32_t flags = fw_le32(img + FW_HDR_OFF(flags));

	if (header_size != FW_HDR_SIZE)
		return fw_image_reject(hal, QUASAR_FW_ERR_HEADER,
				       "header_size is not 64", header_size);
	if (flags)
		return fw_image_reject(hal, QUASAR_FW_ERR_HEADER,
				       "flags not zero", flags);
	for (uint32_t i = 0; i < FW_HDR_RESERVED; i++) {
		uint32_t r = fw_le32(img + FW_HDR_OFF(reserved) + 4 * i);

		if (r)
			return fw_image_reject(hal, QUASAR_FW_ERR_HEADER,
					       "reserved header word not zero", r);
	}
	return QUASAR_FW_OK;
}

static int fw_image_check_abi(const struct fw_hal *hal, const uint8_t *img)
{
	uint16_t major = fw_le16(img + FW_HDR_OFF(abi_major));
	uint16_t minor = fw_le16(img + FW_HDR_OFF(abi_minor));

	if (major != QUASAR_FW_ABI_MAJOR || minor > QUASAR_FW_ABI_MINOR)
		return fw_image_reject(hal, QUASAR_FW_ERR_ABI,
				       "unsupported ABI major<<16|minor",
				       ((uint32_t)major << 16) | minor);
	return QUASAR_FW_OK;
}

/* Section contents, checked once the table entry itself is sound. */
static int fw_image_check_info(const struct fw_hal *hal, const uint8_t *p,
			       uint32_t size)
{
	for (uint32_t i = 0; i < size; i++)
		if (!p[i])
			return QUASAR_FW_OK;
	return fw_image_reject(hal, QUASAR_FW_ERR_SECTION,
			       "INFO section has no NUL", size);
}

static int fw_image_check_caps(const struct fw_hal *hal, const uint8_t *p,
			       uint32_t size, struct fw_boot_info *info)
{
	uint32_t reserved;

	if (size != FW_CAPS_SIZE)
		return fw_image_reject(hal, QUASAR_FW_ERR_SECTION,
				       "CAPS section size is not 16", size);
	reserved = fw_le32(p + FW_CAPS_OFF(reserved));
	if (reserved)
		return fw_image_reject(hal, QUASAR_FW_ERR_SECTION,
				       "CAPS reserved not zero", reserved);
	info->caps = fw_le32(p + FW_CAPS_OFF(caps));
	info->ops = fw_le32(p + FW_CAPS_OFF(ops));
	info->formats = fw_le32(p + FW_CAPS_OFF(formats));
	return QUASAR_FW_OK;
}

/*
 * The section table: 1..16 entries right after the header, each section
 * 8-byte aligned, after the table, inside the image, disjoint from the
 * others; INFO text NUL-terminated; CAPS exactly once.
 */
static int fw_image_check_sections(const struct fw_hal *hal, const uint8_t *img,
				   uint32_t size, struct fw_boot_info *info)
{
	uint32_t n = fw_le32(img + FW_HDR_OFF(num_sections));
	uint64_t table_end;
	uint32_t start[QUASAR_FW_MAX_SECTIONS], end[QUASAR_FW_MAX_SECTIONS];
	bool have_caps = false;
	int err;

	if (n < 1 || n > QUASAR_FW_MAX_SECTIONS)
		return fw_image_reject(hal, QUASAR_FW_ERR_SECTION,
				       "num_sections not in 1..16", n);
	table_end = (uint64_t)FW_HDR_SIZE + (uint64_t)n * FW_SEC_SIZE;
	if (table_end > size)
		return fw_image_reject(hal, QUASAR_FW_ERR_SECTION,
				       "section table past image end", table_end);

	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *e = img + FW_HDR_SIZE + i * FW_SEC_SIZE;
		uint32_t type = fw_le32(e + FW_SEC_OFF(type));
		uint32_t off = fw_le32(e + FW_SEC_OFF(offset));
		uint32_t len = fw_le32(e + FW_SEC_OFF(size));
		uint32_t reserved = fw_le32(e + FW_SEC_OFF(reserved));

		if (reserved)
			return fw_image_reject(hal, QUASAR_FW_ERR_SECTION,
					       "section reserved not zero", i);
		if (type != QUASAR_FW_SECTION_INFO && type != QUASAR_FW_SECTION_CAPS)
			return fw_image_reject(hal, QUASAR_FW_ERR_SECTION,
					       "unknown section type", type);
		if (off % 8)
			return fw_image_reject(hal, QUASAR_FW_ERR_SECTION,
					       "section offset not 8-byte aligned", off);
		if (off < table_end)
			return fw_image_reject(hal, QUASAR_FW_ERR_SECTION,
					       "section overlaps header or table", off);
		if ((uint64_t)off + len > size)
			return fw_image_reject(hal, QUASAR_FW_ERR_SECTION,
					       "section past image end",
					       (uint64_t)off + len);
		for (uint32_t j = 0; j < i; j++)
			if (off < end[j] && start[j] < off + len)
				return fw_image_reject(hal, QUASAR_FW_ERR_SECTION,
						       "sections overlap", off);
		start[i] = off;
		end[i] = off + len;

		if (type == QUASAR_FW_SECTION_INFO) {
			err = fw_image_check_info(hal, img + off, len);
		} else if (have_caps) {
			err = fw_image_reject(hal, QUASAR_FW_ERR_SECTION,
					      "CAPS section repeated", i);
		} else {
			have_caps = true;
			err = fw_image_check_caps(hal, img + off, len, info);
		}
		if (err)
			return err;
	}
	if (!have_caps)
		return fw_image_reject(hal, QUASAR_FW_ERR_SECTION,
				       "CAPS section missing", n);
	return QUASAR_FW_OK;
}

static int fw_image_check_rom_caps(const struct fw_hal *hal,
				   const struct fw_boot_info *info)
{
	if (info->caps & ~FW_ROM_CAPS)
		return fw_image_reject(hal, QUASAR_FW_ERR_CAPS,
				       "caps the ROM lacks", info->caps & ~FW_ROM_CAPS);
	if (info->ops & ~FW_ROM_OPS)
		return fw_image_reject(hal, QUASAR_FW_ERR_CAPS,
				       "ops the ROM lacks", info->ops & ~FW_ROM_OPS);
	if (info->formats & ~FW_ROM_FORMATS)
		return fw_image_reject(hal, QUASAR_FW_ERR_CAPS, "formats the ROM lacks",
				       info->formats & ~FW_ROM_FORMATS);
	return QUASAR_FW_OK;
}

int fw_image_validate(const struct fw_hal *hal, const uint8_t *image,
		      uint32_t size, struct fw_boot_info *info)
{
	struct fw_boot_info out = { 0 };
	uint32_t v;
	int err;

	if (info)
		fw_memset(info, 0, sizeof(*info));
	if (size < FW_HDR_SIZE || size > QUASAR_FW_MAX_SIZE)
		return fw_image_reject(hal, QUASAR_FW_ERR_SIZE,
				       "FW_SIZE not in 64..1 MiB", size);
	if (!image)
		return fw_image_reject(hal, QUASAR_FW_ERR_DMA,
				       "image not readable", size);
	v = fw_le32(image + FW_HDR_OFF(magic));
	if (v != QUASAR_FW_MAGIC)
		return fw_image_reject(hal, QUASAR_FW_ERR_MAGIC, "bad magic", v);
	err = fw_image_check_header(hal, image);
	if (err)
		return err;
	err = fw_image_check_abi(hal, image);
	if (err)
		return err;
	v = fw_le32(image + FW_HDR_OFF(image_size));
	if (v != size)
		return fw_image_reject(hal, QUASAR_FW_ERR_SIZE,
				       "image_size differs from FW_SIZE", v);
	v = fw_le32(image + FW_HDR_OFF(crc32));
	if (v != fw_image_crc(hal, image, size))
		return fw_image_reject(hal, QUASAR_FW_ERR_CRC, "CRC mismatch", v);
	v = fw_le32(image + FW_HDR_OFF(build_id));
	if (v != fw_build_id())
		return fw_image_reject(hal, QUASAR_FW_ERR_BUILD_ID,
				       "built for another ROM, build id", v);
	err = fw_image_check_sections(hal, image, size, &out);
	if (err)
		return err;
	err = fw_image_check_rom_caps(hal, &out);
	if (err)
		return err;

	out.fw_version = fw_le32(image + FW_HDR_OFF(fw_version));
	out.build_id = v;
	out.abi = ((uint32_t)fw_le16(image + FW_HDR_OFF(abi_major)) << 16) |
		  fw_le16(image + FW_HDR_OFF(abi_minor));
	if (info)
		*info = out;
	return QUASAR_FW_OK;
}
