// SPDX-License-Identifier: MIT
/*
 * Names and messages: job status codes and the errors libaccel returns,
 * and the capability, opcode, format and queue-priority bits of the
 * device info.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <hw/quasar_hw_interface.h>

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

#define ACCEL_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Indexed by bit number: QUASAR_CAP_* are single bits. */
static const char *const accel_cap_names[] = {
	[0] = "MMU",		/* QUASAR_CAP_MMU */
	[1] = "FENCE_WRITE",	/* QUASAR_CAP_FENCE_WRITE */
};
_Static_assert(QUASAR_CAP_MMU == 1u << 0 && QUASAR_CAP_FENCE_WRITE == 1u << 1,
	       "accel_cap_names follows quasar_hw_interface.h");

static const char *const accel_op_names[] = {
	[DRM_QUASAR_OP_NOP] = "NOP",
	[DRM_QUASAR_OP_FILL] = "FILL",
	[DRM_QUASAR_OP_COPY] = "COPY",
	[DRM_QUASAR_OP_WRITE_VALUE] = "WRITE_VALUE",
	[DRM_QUASAR_OP_ISA_VERSION] = "ISA_VERSION",
	[DRM_QUASAR_OP_BARRIER] = "BARRIER",
	[DRM_QUASAR_OP_GEMM] = "GEMM",
	[DRM_QUASAR_OP_RMSNORM] = "RMSNORM",
	[DRM_QUASAR_OP_LAYERNORM] = "LAYERNORM",
	[DRM_QUASAR_OP_SOFTMAX] = "SOFTMAX",
	[DRM_QUASAR_OP_ROPE] = "ROPE",
	[DRM_QUASAR_OP_ADD] = "ADD",
	[DRM_QUASAR_OP_MUL] = "MUL",
	[DRM_QUASAR_OP_GATHER] = "GATHER",
	[DRM_QUASAR_OP_CONVERT] = "CONVERT",
	[DRM_QUASAR_OP_CONV2D] = "CONV2D",
	[DRM_QUASAR_OP_MATMUL] = "MATMUL",
};

static const char *const accel_format_names[] = {
	[DRM_QUASAR_FORMAT_U8] = "U8",
	[DRM_QUASAR_FORMAT_FP32] = "FP32",
	[DRM_QUASAR_FORMAT_BF16] = "BF16",
	[DRM_QUASAR_FORMAT_U32] = "U32",
	[DRM_QUASAR_FORMAT_W_BF16] = "W_BF16",
	[DRM_QUASAR_FORMAT_W_INT8] = "W_INT8",
	[DRM_QUASAR_FORMAT_W_INT4] = "W_INT4",
	[DRM_QUASAR_FORMAT_W_MXINT8] = "W_MXINT8",
	[DRM_QUASAR_FORMAT_W_MXFP8] = "W_MXFP8",
	[DRM_QUASAR_FORMAT_W_MXFP4] = "W_MXFP4",
	[DRM_QUASAR_FORMAT_W_NVFP4] = "W_NVFP4",
	[DRM_QUASAR_FORMAT_W_SP_BF16] = "W_SP_BF16",
	[DRM_QUASAR_FORMAT_W_SP_INT8] = "W_SP_INT8",
	[DRM_QUASAR_FORMAT_W_SP_INT4] = "W_SP_INT4",
};

const char *accel_cap_name(uint32_t bit)
{
	return bit < ACCEL_ARRAY_SIZE(accel_cap_names) ? accel_cap_names[bit] : NULL;
}

const char *accel_op_name(uint32_t op)
{
	return op < ACCEL_ARRAY_SIZE(accel_op_names) ? accel_op_names[op] : NULL;
}

const char *accel_format_name(uint32_t format)
{
	return format < ACCEL_ARRAY_SIZE(accel_format_names) ?
	       accel_format_names[format] : NULL;
}

static const char *const accel_priority_names[] = {
	[DRM_QUASAR_PRIORITY_LOW] = "LOW",
	[DRM_QUASAR_PRIORITY_NORMAL] = "NORMAL",
	[DRM_QUASAR_PRIORITY_HIGH] = "HIGH",
};
_Static_assert(ACCEL_ARRAY_SIZE(accel_priority_names) == ACCEL_NUM_PRIORITIES,
	       "a name for every priority");

const char *accel_priority_name(uint32_t priority)
{
	return priority < ACCEL_ARRAY_SIZE(accel_priority_names) ?
	       accel_priority_names[priority] : NULL;
}

int accel_priority_parse(const char *name, uint32_t *priority)
{
	uint32_t p;

	if (!name)
		return -EINVAL;
	for (p = 0; p < ACCEL_ARRAY_SIZE(accel_priority_names); p++) {
		char num[4];

		snprintf(num, sizeof(num), "%u", p);
		if (!strcasecmp(name, accel_priority_names[p]) || !strcmp(name, num)) {
			*priority = p;
			return 0;
		}
	}
	return -EINVAL;
}
