// SPDX-License-Identifier: MIT
/*
 * fw_image_validate / fw_boot: every boot error code of hw-spec 3.3 reached
 * by a crafted image, the spec's check order, and what a good boot reports.
 */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "kselftest_harness.h"

#include "drm/quasar_isa.h"
#include "fw_build_id.h"
#include "fwrun.h"

#define CAPS_FIELD(img, f)	((img)->caps_off + offsetof(struct quasar_fw_caps, f))

FIXTURE(image) {
	struct fwrun_mem mem;
	struct fw_hal hal;
	struct fwrun_image img;
	struct fw_boot_info info;
};

FIXTURE_SETUP(image)
{
	ASSERT_EQ(0, fwrun_mem_init(&self->mem));
	fwrun_hal_init(&self->hal, &self->mem);
	fwrun_image_make(&self->img);
	memset(&self->info, 0xa5, sizeof(self->info));
}

FIXTURE_TEARDOWN(image)
{
	fwrun_mem_fini(&self->mem);
}

static int validate(FIXTURE_DATA(image) *self)
{
	return fw_image_validate(&self->hal, self->img.bytes, self->img.size, &self->info);
}

/* Edit a field, then re-seal so that only the edit is wrong. */
static int validate_with32(FIXTURE_DATA(image) *self, uint32_t off, uint32_t v)
{
	fwrun_image_put32(&self->img, off, v);
	fwrun_image_seal(&self->img);
	return validate(self);
}

TEST_F(image, valid_image_boots_and_reports_header_and_caps)
{
	ASSERT_EQ(QUASAR_FW_OK, validate(self));
	EXPECT_EQ(0x00010203u, self->info.fw_version);
	EXPECT_EQ(FW_BUILD_ID, self->info.build_id);
	EXPECT_EQ((uint32_t)(QUASAR_FW_ABI_MAJOR << 16 | QUASAR_FW_ABI_MINOR), self->info.abi);
	EXPECT_EQ(FW_ROM_CAPS, self->info.caps);
	EXPECT_EQ(FW_ROM_OPS, self->info.ops);
	EXPECT_EQ(FW_ROM_FORMATS, self->info.formats);
}

TEST_F(image, build_id_is_the_generated_one)
{
	EXPECT_EQ(FW_BUILD_ID, fw_build_id());
}

TEST_F(image, subset_of_rom_caps_boots_and_is_reported)
{
	fwrun_image_put32(&self->img, CAPS_FIELD(&self->img, caps), QUASAR_CAP_MMU);
	fwrun_image_put32(&self->img, CAPS_FIELD(&self->img, ops), 1u << DRM_QUASAR_OP_NOP);
	ASSERT_EQ(QUASAR_FW_OK,
		  validate_with32(self, CAPS_FIELD(&self->img, formats), 0));
	EXPECT_EQ(QUASAR_CAP_MMU, self->info.caps);
	EXPECT_EQ(1u << DRM_QUASAR_OP_NOP, self->info.ops);
	EXPECT_EQ(0u, self->info.formats);
}

TEST_F(image, failed_validation_reports_zero_info)
{
	fwrun_image_put32(&self->img, FWRUN_IMAGE_HDR(magic), 0);
	ASSERT_EQ(QUASAR_FW_ERR_MAGIC, validate(self));
	EXPECT_EQ(0u, self->info.fw_version);
	EXPECT_EQ(0u, self->info.ops);
}

TEST_F(image, size_below_header_is_size_error)
{
	self->img.size = sizeof(struct quasar_fw_header) - 1;
	EXPECT_EQ(QUASAR_FW_ERR_SIZE, validate(self));
}

TEST_F(image, size_above_one_mib_is_size_error)
{
	uint8_t *big = calloc(1, QUASAR_FW_MAX_SIZE + 8);

	ASSERT_NE(NULL, big);
	memcpy(big, self->img.bytes, self->img.size);
	EXPECT_EQ(QUASAR_FW_ERR_SIZE,
		  fw_image_validate(&self->hal, big, QUASAR_FW_MAX_SIZE + 8, &self->info));
	free(big);
}

TEST_F(image, missing_image_is_dma_error)
{
	EXPECT_EQ(QUASAR_FW_ERR_DMA,
		  fw_image_validate(&self->hal, NULL, self->img.size, &self->info));
}

TEST_F(image, bad_magic_is_magic_error)
{
	EXPECT_EQ(QUASAR_FW_ERR_MAGIC,
		  validate_with32(self, FWRUN_IMAGE_HDR(magic), QUASAR_FW_MAGIC + 1));
}

TEST_F(image, header_size_not_64_is_header_error)
{
	EXPECT_EQ(QUASAR_FW_ERR_HEADER, validate_with32(self, FWRUN_IMAGE_HDR(header_size), 80));
}

TEST_F(image, nonzero_flags_is_header_error)
{
	EXPECT_EQ(QUASAR_FW_ERR_HEADER, validate_with32(self, FWRUN_IMAGE_HDR(flags), 0x100));
}

TEST_F(image, every_nonzero_reserved_word_is_header_error)
{
	for (uint32_t i = 0; i < 7; i++) {
		fwrun_image_make(&self->img);
		EXPECT_EQ(QUASAR_FW_ERR_HEADER,
			  validate_with32(self, FWRUN_IMAGE_HDR(reserved) + 4 * i, 1u << i)) {
			TH_LOG("reserved[%u] set was accepted", i);
		}
	}
}

TEST_F(image, other_abi_major_is_abi_error)
{
	fwrun_image_put16(&self->img, FWRUN_IMAGE_HDR(abi_major), QUASAR_FW_ABI_MAJOR + 1);
	fwrun_image_seal(&self->img);
	EXPECT_EQ(QUASAR_FW_ERR_ABI, validate(self));
}

TEST_F(image, newer_abi_minor_is_abi_error)
{
	fwrun_image_put16(&self->img, FWRUN_IMAGE_HDR(abi_minor), QUASAR_FW_ABI_MINOR + 1);
	fwrun_image_seal(&self->img);
	EXPECT_EQ(QUASAR_FW_ERR_ABI, validate(self));
}

TEST_F(image, image_size_not_fw_size_is_size_error)
{
	EXPECT_EQ(QUASAR_FW_ERR_SIZE,
		  validate_with32(self, FWRUN_IMAGE_HDR(image_size), self->img.size - 8));
}

TEST_F(image, fw_size_larger_than_image_is_size_error)
{
	self->img.size += 8;	/* device told a bigger FW_SIZE than the header */
	EXPECT_EQ(QUASAR_FW_ERR_SIZE, validate(self));
}

TEST_F(image, wrong_crc_is_crc_error)
{
	uint32_t crc = fwrun_image_get32(&self->img, FWRUN_IMAGE_HDR(crc32));

	fwrun_image_put32(&self->img, FWRUN_IMAGE_HDR(crc32), crc ^ 0x80000000u);
	EXPECT_EQ(QUASAR_FW_ERR_CRC, validate(self));
}

TEST_F(image, crc_covers_the_last_byte)
{
	self->img.bytes[self->img.size - 1] ^= 1;
	EXPECT_EQ(QUASAR_FW_ERR_CRC, validate(self));
}

TEST_F(image, crc_without_hal_helper_matches_zlib)
{
	self->hal.crc32 = NULL;
	EXPECT_EQ(QUASAR_FW_OK, validate(self));
	self->img.bytes[self->img.info_off] ^= 1;
	EXPECT_EQ(QUASAR_FW_ERR_CRC, validate(self));
}

TEST_F(image, other_build_id_is_build_id_error)
{
	EXPECT_EQ(QUASAR_FW_ERR_BUILD_ID,
		  validate_with32(self, FWRUN_IMAGE_HDR(build_id), FW_BUILD_ID ^ 1));
}

TEST_F(image, zero_sections_is_section_error)
{
	EXPECT_EQ(QUASAR_FW_ERR_SECTION, validate_with32(self, FWRUN_IMAGE_HDR(num_sections), 0));
}

TEST_F(image, seventeen_sections_is_section_error)
{
	EXPECT_EQ(QUASAR_FW_ERR_SECTION,
		  validate_with32(self, FWRUN_IMAGE_HDR(num_sections), QUASAR_FW_MAX_SECTIONS + 1));
}

TEST_F(image, section_table_past_image_end_is_section_error)
{
	/* 16 entries need 64 + 256 bytes; the image is smaller. */
	ASSERT_LT(self->img.size, 64u + 16 * 16);
	EXPECT_EQ(QUASAR_FW_ERR_SECTION, validate_with32(self, FWRUN_IMAGE_HDR(num_sections), 16));
}

TEST_F(image, section_reserved_nonzero_is_section_error)
{
	EXPECT_EQ(QUASAR_FW_ERR_SECTION, validate_with32(self, FWRUN_IMAGE_SEC(1, reserved), 1));
}

TEST_F(image, unknown_section_type_is_section_error)
{
	EXPECT_EQ(QUASAR_FW_ERR_SECTION, validate_with32(self, FWRUN_IMAGE_SEC(0, type), 3));
}

TEST_F(image, misaligned_section_offset_is_section_error)
{
	/* Shrink INFO by one so the shifted section still fits. */
	fwrun_image_put32(&self->img, FWRUN_IMAGE_SEC(0, size), sizeof(FWRUN_IMAGE_INFO) - 1);
	EXPECT_EQ(QUASAR_FW_ERR_SECTION,
		  validate_with32(self, FWRUN_IMAGE_SEC(0, offset), self->img.info_off + 1));
}

TEST_F(image, section_inside_header_or_table_is_section_error)
{
	EXPECT_EQ(QUASAR_FW_ERR_SECTION,
		  validate_with32(self, FWRUN_IMAGE_SEC(0, offset), self->img.info_off - 8));
}

TEST_F(image, section_past_image_end_is_section_error)
{
	EXPECT_EQ(QUASAR_FW_ERR_SECTION,
		  validate_with32(self, FWRUN_IMAGE_SEC(1, size), 24));
}

TEST_F(image, section_size_wrapping_32_bits_is_section_error)
{
	EXPECT_EQ(QUASAR_FW_ERR_SECTION,
		  validate_with32(self, FWRUN_IMAGE_SEC(0, size), 0xffffffffu - 8));
}

TEST_F(image, overlapping_sections_is_section_error)
{
	/* INFO grows into CAPS. */
	EXPECT_EQ(QUASAR_FW_ERR_SECTION,
		  validate_with32(self, FWRUN_IMAGE_SEC(0, size),
				  self->img.caps_off - self->img.info_off + 8));
}

TEST_F(image, info_without_nul_is_section_error)
{
	memset(self->img.bytes + self->img.info_off, 'x', sizeof(FWRUN_IMAGE_INFO));
	fwrun_image_seal(&self->img);
	EXPECT_EQ(QUASAR_FW_ERR_SECTION, validate(self));
}

TEST_F(image, missing_caps_is_section_error)
{
	EXPECT_EQ(QUASAR_FW_ERR_SECTION, validate_with32(self, FWRUN_IMAGE_HDR(num_sections), 1));
}

TEST_F(image, repeated_caps_is_section_error)
{
	/* Turn INFO's 24 bytes into a second, well-formed CAPS section. */
	fwrun_image_put32(&self->img, FWRUN_IMAGE_SEC(0, size), 16);
	memset(self->img.bytes + self->img.info_off, 0, 16);
	ASSERT_EQ(QUASAR_FW_OK, validate_with32(self, FWRUN_IMAGE_SEC(0, type),
						QUASAR_FW_SECTION_INFO));
	EXPECT_EQ(QUASAR_FW_ERR_SECTION,
		  validate_with32(self, FWRUN_IMAGE_SEC(0, type), QUASAR_FW_SECTION_CAPS));
}

TEST_F(image, caps_section_not_16_bytes_is_section_error)
{
	EXPECT_EQ(QUASAR_FW_ERR_SECTION, validate_with32(self, FWRUN_IMAGE_SEC(1, size), 8));
}

TEST_F(image, caps_reserved_nonzero_is_section_error)
{
	EXPECT_EQ(QUASAR_FW_ERR_SECTION,
		  validate_with32(self, CAPS_FIELD(&self->img, reserved), 1));
}

TEST_F(image, cap_the_rom_lacks_is_caps_error)
{
	EXPECT_EQ(QUASAR_FW_ERR_CAPS,
		  validate_with32(self, CAPS_FIELD(&self->img, caps), FW_ROM_CAPS | 1u << 30));
}

TEST_F(image, op_the_rom_lacks_is_caps_error)
{
	EXPECT_EQ(QUASAR_FW_ERR_CAPS,
		  validate_with32(self, CAPS_FIELD(&self->img, ops), FW_ROM_OPS | 1u << 31));
}

TEST_F(image, format_the_rom_lacks_is_caps_error)
{
	EXPECT_EQ(QUASAR_FW_ERR_CAPS,
		  validate_with32(self, CAPS_FIELD(&self->img, formats),
				  FW_ROM_FORMATS | 1u << 31));
}

/* hw-spec 3.2: size, DMA, magic, header, ABI, image_size, CRC, build id, sections, caps. */
TEST_F(image, checks_run_in_spec_order)
{
	static const struct {
		uint32_t off, value;
	} bad[] = {
		{ FWRUN_IMAGE_HDR(magic), 0 },
		{ FWRUN_IMAGE_HDR(flags), 1 },
		{ FWRUN_IMAGE_HDR(abi_major), 7 },
		{ FWRUN_IMAGE_HDR(image_size), 8 },
		{ FWRUN_IMAGE_HDR(crc32), 0 },
		{ FWRUN_IMAGE_HDR(build_id), ~FW_BUILD_ID },
		{ FWRUN_IMAGE_HDR(num_sections), 0 },
	};
	static const int expect[] = {
		QUASAR_FW_ERR_MAGIC, QUASAR_FW_ERR_HEADER, QUASAR_FW_ERR_ABI,
		QUASAR_FW_ERR_SIZE, QUASAR_FW_ERR_CRC, QUASAR_FW_ERR_BUILD_ID,
		QUASAR_FW_ERR_SECTION,
	};
	uint32_t crc;

	/* Break everything from stage i on: the first broken stage must win. */
	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		fwrun_image_make(&self->img);
		fwrun_image_put32(&self->img, CAPS_FIELD(&self->img, ops), ~0u);
		crc = 0;
		for (unsigned int j = i; j < sizeof(bad) / sizeof(bad[0]); j++) {
			if (bad[j].off == FWRUN_IMAGE_HDR(crc32))
				continue;
			fwrun_image_put32(&self->img, bad[j].off, bad[j].value);
		}
		if (i > 4)
			fwrun_image_seal(&self->img);	/* CRC stage passes */
		else
			fwrun_image_put32(&self->img, FWRUN_IMAGE_HDR(crc32), crc);
		EXPECT_EQ(expect[i], validate(self)) {
			TH_LOG("stage %u: expected %d", i, expect[i]);
		}
	}
	/* And caps come last of all. */
	fwrun_image_make(&self->img);
	EXPECT_EQ(QUASAR_FW_ERR_CAPS,
		  validate_with32(self, CAPS_FIELD(&self->img, ops), ~0u));
}

TEST_F(image, rejection_is_logged_with_the_reason)
{
	unsigned int before = self->mem.log_count;

	fwrun_image_put32(&self->img, FWRUN_IMAGE_HDR(crc32), 0x1234);
	ASSERT_EQ(QUASAR_FW_ERR_CRC, validate(self));
	EXPECT_EQ(before + 1, self->mem.log_count);
	EXPECT_NE(NULL, strstr(self->mem.last_log, "CRC")) {
		TH_LOG("log line: %s", self->mem.last_log);
	}
}

FIXTURE(boot) {
	struct fwrun_mem mem;
	struct fw_device fw;
	struct fwrun_image img;
};

FIXTURE_SETUP(boot)
{
	ASSERT_EQ(0, fwrun_mem_init(&self->mem));
	memset(&self->fw, 0x5a, sizeof(self->fw));
	fwrun_hal_init(&self->fw.hal, &self->mem);
	fw_reset(&self->fw);
	fwrun_image_make(&self->img);
}

FIXTURE_TEARDOWN(boot)
{
	fwrun_mem_fini(&self->mem);
}

TEST_F(boot, reset_clears_state_and_keeps_hal)
{
	EXPECT_FALSE(self->fw.booted);
	EXPECT_EQ(0u, self->fw.info.ops);
	EXPECT_FALSE(self->fw.ctx[63].valid);
	EXPECT_EQ(0u, self->fw.queue[3].head);
	EXPECT_EQ(&self->mem, self->fw.hal.opaque);
	EXPECT_NE(NULL, self->fw.hal.dma_read);
}

TEST_F(boot, good_image_marks_firmware_booted)
{
	ASSERT_EQ(QUASAR_FW_OK, fw_boot(&self->fw, self->img.bytes, self->img.size));
	EXPECT_TRUE(self->fw.booted);
	EXPECT_EQ(FW_BUILD_ID, self->fw.info.build_id);
	EXPECT_EQ(FW_ROM_OPS_CONTROL, self->fw.info.ops);
	EXPECT_EQ(FW_ROM_FORMATS_CONTROL, self->fw.info.formats);
	EXPECT_NE(NULL, strstr(self->mem.last_log, "ready"));
}

TEST_F(boot, engine_wired_before_boot_reports_every_op_of_the_image)
{
	static uint8_t sram[65536] __attribute__((aligned(4096)));
	struct fw_engine eng;

	ASSERT_EQ(0, fw_engine_init(&eng, sram, sizeof(sram)));
	self->fw.engine = &eng;
	ASSERT_EQ(QUASAR_FW_OK, fw_boot(&self->fw, self->img.bytes, self->img.size));
	EXPECT_EQ(FW_ROM_OPS, self->fw.info.ops);
	EXPECT_EQ(FW_ROM_FORMATS, self->fw.info.formats);
}

TEST_F(boot, bad_image_leaves_firmware_off)
{
	self->img.bytes[0] ^= 1;
	EXPECT_EQ(QUASAR_FW_ERR_MAGIC, fw_boot(&self->fw, self->img.bytes, self->img.size));
	EXPECT_FALSE(self->fw.booted);
	EXPECT_EQ(0u, self->fw.info.ops);
}

TEST_F(boot, boot_after_error_can_succeed)
{
	self->img.bytes[self->img.size - 1] ^= 1;
	ASSERT_EQ(QUASAR_FW_ERR_CRC, fw_boot(&self->fw, self->img.bytes, self->img.size));
	self->img.bytes[self->img.size - 1] ^= 1;
	EXPECT_EQ(QUASAR_FW_OK, fw_boot(&self->fw, self->img.bytes, self->img.size));
	EXPECT_TRUE(self->fw.booted);
}

TEST_F(boot, boot_while_running_is_state_error_and_stops_firmware)
{
	ASSERT_EQ(QUASAR_FW_OK, fw_boot(&self->fw, self->img.bytes, self->img.size));
	EXPECT_EQ(QUASAR_FW_ERR_STATE, fw_boot(&self->fw, self->img.bytes, self->img.size));
	EXPECT_FALSE(self->fw.booted);
	EXPECT_EQ(0u, self->fw.info.ops);
}

TEST_F(boot, reset_returns_firmware_to_off)
{
	ASSERT_EQ(QUASAR_FW_OK, fw_boot(&self->fw, self->img.bytes, self->img.size));
	fw_reset(&self->fw);
	EXPECT_FALSE(self->fw.booted);
	EXPECT_EQ(QUASAR_FW_OK, fw_boot(&self->fw, self->img.bytes, self->img.size));
}

TEST_HARNESS_MAIN
