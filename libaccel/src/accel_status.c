// SPDX-License-Identifier: MIT
/* Names and messages for job status codes and the errors libaccel returns. */
#include <errno.h>
#include <string.h>

#include "accel_internal.h"

struct accel_status_text {
	const char *name;
	const char *message;
};

/* Indexed by enum drm_quasar_status; the uapi only ever appends. */
static const struct accel_status_text accel_status_texts[] = {
	[DRM_QUASAR_STATUS_OK] = { "OK", "every command completed" },
	[DRM_QUASAR_STATUS_BAD_OPCODE] = { "BAD_OPCODE",
		"unknown or unsupported opcode" },
	[DRM_QUASAR_STATUS_BAD_LENGTH] = { "BAD_LENGTH",
		"command length wrong or past the end of the stream" },
	[DRM_QUASAR_STATUS_BAD_ALIGN] = { "BAD_ALIGN",
		"address or size misaligned" },
	[DRM_QUASAR_STATUS_BAD_RANGE] = { "BAD_RANGE",
		"zero size or address arithmetic overflow" },
	[DRM_QUASAR_STATUS_MMU_FAULT] = { "MMU_FAULT",
		"an address is not mapped in the job's context" },
	[DRM_QUASAR_STATUS_MMU_PERM] = { "MMU_PERM",
		"write to a read-only mapping" },
	[DRM_QUASAR_STATUS_BAD_FLAGS] = { "BAD_FLAGS",
		"reserved flag or field not zero" },
	[DRM_QUASAR_STATUS_OVERLAP] = { "OVERLAP",
		"COPY source and destination overlap" },
	[DRM_QUASAR_STATUS_DMA_ERROR] = { "DMA_ERROR",
		"host memory access failed" },
	[DRM_QUASAR_STATUS_BAD_CONTEXT] = { "BAD_CONTEXT",
		"descriptor names an invalid context" },
	[DRM_QUASAR_STATUS_BAD_DESC] = { "BAD_DESC",
		"descriptor fields invalid" },
	[DRM_QUASAR_STATUS_ABORTED] = { "ABORTED", "job aborted by a reset" },
	[DRM_QUASAR_STATUS_BAD_VERSION] = { "BAD_VERSION",
		"ISA_VERSION newer than the firmware's" },
	[DRM_QUASAR_STATUS_BAD_SHAPE] = { "BAD_SHAPE",
		"tensor extents or strides invalid or mismatched" },
	[DRM_QUASAR_STATUS_BAD_FORMAT] = { "BAD_FORMAT",
		"format unknown or not supported by the op" },
	[DRM_QUASAR_STATUS_BAD_OPERAND] = { "BAD_OPERAND",
		"an op parameter or operand address invalid" },
	[DRM_QUASAR_STATUS_BAD_INDEX] = { "BAD_INDEX",
		"an embedding id not below the table's rows" },
	[DRM_QUASAR_STATUS_TOO_LARGE] = { "TOO_LARGE",
		"the op's smallest tile does not fit the device SRAM" },
};

#define ACCEL_NUM_STATUS \
	(sizeof(accel_status_texts) / sizeof(accel_status_texts[0]))

const char *accel_status_name(uint32_t status)
{
	if (status < ACCEL_NUM_STATUS && accel_status_texts[status].name)
		return accel_status_texts[status].name;
	return "UNKNOWN";
}

const char *accel_status_message(uint32_t status)
{
	if (status < ACCEL_NUM_STATUS && accel_status_texts[status].message)
		return accel_status_texts[status].message;
	return "status code unknown to this libaccel";
}

/*
 * Where libaccel gives an errno a narrower meaning than libc's text, say
 * so; otherwise libc's description (strerrordesc_np is thread-safe).
 */
const char *accel_strerror(int err)
{
	const char *s;

	switch (err) {
	case 0:
		return "success";
	case -ENODEV:
		return "no Quasar device (no /dev/accel/accel* driven by quasar)";
	case -ENOTTY:
		return "not a Quasar accel node (wrong driver or not DRM)";
	case -ETIME:
		return "timed out waiting";
	case -EIO:
		return "the job failed on the device (see its status)";
	case -E2BIG:
		return "command stream larger than the device accepts";
	case -EPROTO:
		return "the kernel answered with malformed data";
	}
	s = err < 0 ? strerrordesc_np(-err) : NULL;
	return s ? s : "unknown error";
}
