// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the firmware image validator (fw_image_validate) and
 * boot (fw_boot), the first code that reads guest-supplied bytes.
 *
 * Input: one control byte, then the image. Random bytes almost never carry
 * the ROM's build id and a matching CRC, so without help the fuzzer would
 * stop at the first two checks; the control byte lets it ask for them:
 *   bit 0  overwrite header.build_id with this ROM's FW_BUILD_ID
 *   bit 1  recompute header.crc32 after every other edit
 * The image itself is passed in a buffer of exactly its size, so ASan sees
 * any read past its end.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "fw_build_id.h"
#include "fwrun.h"

#define FUZZ_FIX_BUILD_ID	0x01
#define FUZZ_FIX_CRC		0x02

static void fuzz_put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* A failure of an invariant the validator promises, not a sanitizer report. */
static void fuzz_check(int cond)
{
	if (!cond)
		abort();
}

static void fuzz_image_check_info(int err, const struct fw_boot_info *info)
{
	static const struct fw_boot_info zero;

	if (err) {
		/* hw-spec 3.2: a rejected image reports nothing. */
		fuzz_check(!memcmp(info, &zero, sizeof(zero)));
		fuzz_check(err > 0);
		return;
	}
	/* An image may only narrow what the ROM can do. */
	fuzz_check(!(info->caps & ~(uint32_t)FW_ROM_CAPS));
	fuzz_check(!(info->ops & ~(uint32_t)FW_ROM_OPS));
	fuzz_check(!(info->formats & ~(uint32_t)FW_ROM_FORMATS));
	fuzz_check(info->build_id == FW_BUILD_ID);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fwrun_mem mem = { 0 };
	struct fw_boot_info info;
	struct fw_device fw;
	uint8_t ctl, *img;
	uint32_t len;
	int err, err2;

	if (size < 1 || size - 1 > QUASAR_FW_MAX_SIZE)
		return -1;
	ctl = data[0];
	len = (uint32_t)(size - 1);
	img = malloc(len ? len : 1);
	if (!img)
		abort();
	memcpy(img, data + 1, len);
	if ((ctl & FUZZ_FIX_BUILD_ID) &&
	    len >= offsetof(struct quasar_fw_header, build_id) + 4)
		fuzz_put32(img + offsetof(struct quasar_fw_header, build_id), FW_BUILD_ID);
	if ((ctl & FUZZ_FIX_CRC) && len >= sizeof(struct quasar_fw_header)) {
		fuzz_put32(img + offsetof(struct quasar_fw_header, crc32), 0);
		fuzz_put32(img + offsetof(struct quasar_fw_header, crc32),
			   (uint32_t)crc32(0L, img, len));
	}

	/* No backing memory: the validator must not need any DMA. */
	memset(&fw, 0, sizeof(fw));
	fwrun_hal_init(&fw.hal, &mem);
	memset(&info, 0xa5, sizeof(info));
	err = fw_image_validate(&fw.hal, img, len, &info);
	fuzz_image_check_info(err, &info);
	/* The NULL image (unreadable) is always rejected. */
	fuzz_check(fw_image_validate(&fw.hal, NULL, len, NULL) != 0);

	/* Boot agrees with validate, and a second boot is a state error. */
	fw_reset(&fw);
	err2 = fw_boot(&fw, img, len);
	fuzz_check(err2 == err);
	fuzz_check(fw.booted == !err);
	if (!err) {
		struct fw_boot_info want = info;

		/* Without a compute engine only the control opcodes are reported. */
		want.ops &= FW_ROM_OPS_CONTROL;
		want.formats &= FW_ROM_FORMATS_CONTROL;
		fuzz_check(!memcmp(&fw.info, &want, sizeof(want)));
		fuzz_check(fw_boot(&fw, img, len) == QUASAR_FW_ERR_STATE);
	}
	free(img);
	return 0;
}
