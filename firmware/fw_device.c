// SPDX-License-Identifier: MIT
/*
 * Firmware device state: reset, build identity and boot.
 *
 * The device model owns the FW_STATUS state machine (OFF, BOOTING, READY,
 * ERROR); the firmware's side of it is fw->booted, which is true exactly
 * while FW_STATUS is READY.
 */
#include "fw_api.h"
#include "fw_bytes.h"
#include "fw_log.h"

void fw_reset(struct fw_device *fw)
{
	struct fw_hal hal = fw->hal;

	fw_memset(fw, 0, sizeof(*fw));
	fw->hal = hal;
}

static void fw_boot_log(const struct fw_device *fw)
{
	struct fw_log_line l;

	fw_log_start(&l, "fw: ready: version ");
	fw_log_hex(&l, fw->info.fw_version);
	fw_log_str(&l, " build id ");
	fw_log_hex(&l, fw->info.build_id);
	fw_log_str(&l, " caps ");
	fw_log_hex(&l, fw->info.caps);
	fw_log_str(&l, " ops ");
	fw_log_hex(&l, fw->info.ops);
	fw_log_str(&l, " formats ");
	fw_log_hex(&l, fw->info.formats);
	fw_log_emit(&fw->hal, &l);
}

int fw_boot(struct fw_device *fw, const uint8_t *image, uint32_t size)
{
	struct fw_boot_info info;
	int err;

	/*
	 * A second boot while READY is a driver bug; the device reports
	 * ERROR/STATE, so the running firmware stops too and the driver has
	 * to boot again from ERROR.
	 */
	if (fw->booted) {
		struct fw_log_line l;

		fw->booted = false;
		fw_memset(&fw->info, 0, sizeof(fw->info));
		fw_log_start(&l, "fw: boot requested while running");
		fw_log_emit(&fw->hal, &l);
		return QUASAR_FW_ERR_STATE;
	}
	err = fw_image_validate(&fw->hal, image, size, &info);
	if (err) {
		fw_memset(&fw->info, 0, sizeof(fw->info));
		return err;
	}
	if (!fw->engine) {
		info.ops &= FW_ROM_OPS_CONTROL;
		info.formats &= FW_ROM_FORMATS_CONTROL;
	}
	fw->info = info;
	fw->booted = true;
	fw_boot_log(fw);
	return QUASAR_FW_OK;
}
