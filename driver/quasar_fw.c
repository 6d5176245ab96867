// SPDX-License-Identifier: GPL-2.0
/*
 * Quasar NPU: firmware image load and the boot handshake.
 *
 * The device, not the driver, judges the image (magic, ABI, CRC, build id,
 * sections): it is the one party that knows its ROM. The driver only keeps
 * a DMA-coherent copy for the life of the device, because every soft reset
 * returns the firmware to OFF and recovery must boot it again without
 * going back to the filesystem.
 */
#include <linux/dma-mapping.h>
#include <linux/firmware.h>
#include <linux/iopoll.h>
#include <linux/module.h>

#include <drm/drm_print.h>

#include "quasar_drv.h"
#include "quasar_fw.h"
#include "quasar_hw.h"

#define QUASAR_FW_NAME		"quasar/quasar-fw.bin"
MODULE_FIRMWARE(QUASAR_FW_NAME);

/* FW_ERROR codes, hw-spec 3.3, as a reader of dmesg needs them. */
static const char * const quasar_fw_error_text[] = {
	[QUASAR_FW_OK] = "OK",
	[QUASAR_FW_ERR_DMA] = "DMA (the image could not be read)",
	[QUASAR_FW_ERR_SIZE] = "SIZE (image size out of range or not equal to FW_SIZE)",
	[QUASAR_FW_ERR_MAGIC] = "MAGIC (not a Quasar firmware image)",
	[QUASAR_FW_ERR_ABI] = "ABI (image ABI not supported by the device ROM)",
	[QUASAR_FW_ERR_HEADER] = "HEADER (header size, flags or reserved fields invalid)",
	[QUASAR_FW_ERR_CRC] = "CRC (image checksum mismatch)",
	[QUASAR_FW_ERR_BUILD_ID] = "BUILD_ID (image built for another device ROM)",
	[QUASAR_FW_ERR_SECTION] = "SECTION (section table malformed)",
	[QUASAR_FW_ERR_CAPS] = "CAPS (image enables what the device ROM lacks)",
	[QUASAR_FW_ERR_STATE] = "STATE (boot requested while firmware not OFF)",
};

static const char *quasar_fw_strerror(u32 code)
{
	if (code < ARRAY_SIZE(quasar_fw_error_text))
		return quasar_fw_error_text[code];
	return "unknown error code";
}

/* A rejected image is a bad executable; a failed read or a busy device is not. */
static int quasar_fw_errno(u32 code)
{
	switch (code) {
	case QUASAR_FW_ERR_DMA:
		return -EIO;
	case QUASAR_FW_ERR_STATE:
		return -EBUSY;
	default:
		return -ENOEXEC;
	}
}

int quasar_fw_load(struct quasar_device *qdev)
{
	struct device *dev = &qdev->pdev->dev;
	const struct firmware *fw;
	int ret;

	ret = request_firmware(&fw, QUASAR_FW_NAME, dev);
	if (ret) {
		drm_err(&qdev->drm, "cannot load firmware %s: %d\n",
			QUASAR_FW_NAME, ret);
		return ret;
	}

	/* Smaller images go to the device, which reports SIZE itself. */
	if (!fw->size || fw->size > QUASAR_FW_MAX_SIZE) {
		drm_err(&qdev->drm, "firmware %s is %zu bytes; the device takes 1..%u\n",
			QUASAR_FW_NAME, fw->size, QUASAR_FW_MAX_SIZE);
		ret = -EINVAL;
		goto out;
	}

	qdev->fw.image = dmam_alloc_coherent(dev, fw->size, &qdev->fw.image_dma,
					     GFP_KERNEL);
	if (!qdev->fw.image) {
		ret = -ENOMEM;
		goto out;
	}
	memcpy(qdev->fw.image, fw->data, fw->size);
	qdev->fw.image_size = fw->size;
out:
	release_firmware(fw);
	return ret;
}

static void quasar_fw_read_info(struct quasar_device *qdev)
{
	struct quasar_fw_info *info = &qdev->fw.info;

	info->version = quasar_read(qdev, QUASAR_REG_FW_VERSION);
	info->build_id = quasar_read(qdev, QUASAR_REG_FW_BUILD_ID);
	info->abi = quasar_read(qdev, QUASAR_REG_FW_ABI);
	info->caps = quasar_read(qdev, QUASAR_REG_FW_CAPS);
	info->ops = quasar_read(qdev, QUASAR_REG_FW_OPS);
	info->formats = quasar_read(qdev, QUASAR_REG_FW_FORMATS);
}

/*
 * Boot the image kept by quasar_fw_load(); the firmware must be OFF (after
 * probe's or recovery's soft reset). Polls rather than waits for the FW_BOOT
 * interrupt so that the same code serves probe, before vectors exist.
 */
int quasar_fw_boot(struct quasar_device *qdev)
{
	u32 state, code;
	int ret;

	quasar_write64(qdev, QUASAR_REG_FW_ADDR_LO, qdev->fw.image_dma);
	quasar_write(qdev, QUASAR_REG_FW_SIZE, qdev->fw.image_size);
	quasar_write(qdev, QUASAR_REG_FW_BOOT, QUASAR_FW_BOOT_GO);

	ret = readl_poll_timeout(qdev->regs + QUASAR_REG_FW_STATUS, state,
				 state == QUASAR_FW_STATE_READY ||
				 state == QUASAR_FW_STATE_ERROR,
				 1000, quasar_boot_timeout_ms * USEC_PER_MSEC);
	if (ret) {
		drm_err(&qdev->drm, "firmware boot timed out after %u ms (FW_STATUS %u)\n",
			quasar_boot_timeout_ms, state);
		return -ETIMEDOUT;
	}
	if (state == QUASAR_FW_STATE_ERROR) {
		code = quasar_read(qdev, QUASAR_REG_FW_ERROR);
		drm_err(&qdev->drm, "firmware %s rejected by the device: FW_ERROR %u, %s\n",
			QUASAR_FW_NAME, code, quasar_fw_strerror(code));
		return quasar_fw_errno(code);
	}

	quasar_fw_read_info(qdev);
	drm_dbg_driver(&qdev->drm, "firmware %u.%u.%u build %08x ABI %u.%u ready\n",
		       qdev->fw.info.version >> 16,
		       (qdev->fw.info.version >> 8) & 0xff,
		       qdev->fw.info.version & 0xff, qdev->fw.info.build_id,
		       qdev->fw.info.abi >> 16, qdev->fw.info.abi & 0xffff);
	return 0;
}
