// SPDX-License-Identifier: MIT
/*
 * Command-stream ISA (docs/isa.md): decode and validate every command;
 * execute v0's NOP, FILL, COPY and WRITE_VALUE and v1's ISA_VERSION and
 * BARRIER here, and hand v1's compute commands to fw->engine (fw_ops.c),
 * which a device without the datapath leaves NULL: this file must not
 * reference the datapath, so that such a device still links.
 *
 * Every operand comes from an untrusted stream: lengths must match the
 * opcode exactly, reserved bits must be zero, and every address range is
 * checked for wrap-around before the MMU sees it. Bulk data moves through a
 * one-page bounce buffer on the stack, so firmware memory never grows with a
 * guest-chosen size.
 */
#include "drm/quasar_isa.h"
#include "fw_api.h"
#include "fw_bytes.h"
#include "fw_cmd.h"

#define FW_BOUNCE_SIZE		((uint32_t)QUASAR_PAGE_SIZE)
#define FW_FILL(f)		offsetof(struct drm_quasar_cmd_fill, f)
#define FW_COPY(f)		offsetof(struct drm_quasar_cmd_copy, f)
#define FW_WV(f)		offsetof(struct drm_quasar_cmd_write_value, f)
#define FW_HDR(f)		offsetof(struct drm_quasar_cmd_header, f)

_Static_assert(sizeof(struct drm_quasar_cmd_header) == FW_CMD_HDR_LEN, "ISA v0");
_Static_assert(sizeof(struct drm_quasar_cmd_fill) <= FW_CMD_MAX_LEN, "window");
_Static_assert(sizeof(struct drm_quasar_cmd_copy) <= FW_CMD_MAX_LEN, "window");
_Static_assert(sizeof(struct drm_quasar_cmd_write_value) <= FW_CMD_MAX_LEN, "window");
_Static_assert(sizeof(struct drm_quasar_cmd_gemm) <= FW_CMD_MAX_LEN, "window");
_Static_assert(sizeof(struct drm_quasar_cmd_conv2d) <= FW_CMD_MAX_LEN, "window");
_Static_assert(sizeof(struct drm_quasar_cmd_gather) <= FW_CMD_MAX_LEN, "window");

typedef int (*fw_cmd_exec_fn)(const struct fw_device *fw, unsigned int slot,
			      const uint8_t *cmd, const struct fw_job_stop *stop,
			      uint64_t *fault_addr);

struct fw_cmd_kind {
	uint16_t length;	/* exact length, header included */
	fw_cmd_exec_fn exec;
	bool compute;		/* runs on fw->engine */
};

static int fw_cmd_nop(const struct fw_device *fw, unsigned int slot,
		      const uint8_t *cmd, const struct fw_job_stop *stop,
		      uint64_t *fault_addr)
{
	(void)fw;
	(void)slot;
	(void)cmd;
	(void)stop;
	(void)fault_addr;
	return DRM_QUASAR_STATUS_OK;
}

static int fw_cmd_fill(const struct fw_device *fw, unsigned int slot,
		       const uint8_t *cmd, const struct fw_job_stop *stop,
		       uint64_t *fault_addr)
{
	uint64_t dst = fw_le64(cmd + FW_FILL(dst));
	uint32_t size = fw_le32(cmd + FW_FILL(size));
	uint32_t value = fw_le32(cmd + FW_FILL(value));
	uint8_t bounce[FW_BOUNCE_SIZE];
	uint64_t done = 0;

	if (!size)
		return DRM_QUASAR_STATUS_BAD_RANGE;
	if ((dst | size) & 3)
		return DRM_QUASAR_STATUS_BAD_ALIGN;
	if (fw_range_wraps(dst, size))
		return DRM_QUASAR_STATUS_BAD_RANGE;

	for (uint32_t i = 0; i < FW_BOUNCE_SIZE; i += 4)
		fw_put_le32(bounce + i, value);
	/*
	 * Chunks end on page boundaries: one translation each, and since dst
	 * is 4-aligned every chunk starts on a pattern boundary.
	 */
	while (done < size) {
		uint64_t cur = dst + done;
		uint64_t n = fw_min_u64(size - done,
					QUASAR_PAGE_SIZE - (cur & (QUASAR_PAGE_SIZE - 1)));
		int st;

		if (fw_job_stopped(stop))
			return DRM_QUASAR_STATUS_ABORTED;
		st = fw_mmu_write(fw, slot, cur, bounce, n, fault_addr);
		if (st)
			return st;
		done += n;
	}
	return DRM_QUASAR_STATUS_OK;
}

static int fw_cmd_copy(const struct fw_device *fw, unsigned int slot,
		       const uint8_t *cmd, const struct fw_job_stop *stop,
		       uint64_t *fault_addr)
{
	uint64_t dst = fw_le64(cmd + FW_COPY(dst));
	uint64_t src = fw_le64(cmd + FW_COPY(src));
	uint64_t size = fw_le64(cmd + FW_COPY(size));
	uint8_t bounce[FW_BOUNCE_SIZE];
	uint64_t done = 0;

	if (!size || fw_range_wraps(dst, size) || fw_range_wraps(src, size))
		return DRM_QUASAR_STATUS_BAD_RANGE;
	/* Last bytes, not ends: a range may end exactly at 2^64. */
	if (src <= dst + (size - 1) && dst <= src + (size - 1))
		return DRM_QUASAR_STATUS_OVERLAP;

	while (done < size) {
		uint64_t s = src + done;
		uint64_t n = fw_min_u64(size - done,
					QUASAR_PAGE_SIZE - (s & (QUASAR_PAGE_SIZE - 1)));
		int st;

		if (fw_job_stopped(stop))
			return DRM_QUASAR_STATUS_ABORTED;
		st = fw_mmu_read(fw, slot, s, bounce, n, fault_addr);
		if (!st)
			st = fw_mmu_write(fw, slot, dst + done, bounce, n, fault_addr);
		if (st)
			return st;
		done += n;
	}
	return DRM_QUASAR_STATUS_OK;
}

static int fw_cmd_write_value(const struct fw_device *fw, unsigned int slot,
			      const uint8_t *cmd, const struct fw_job_stop *stop,
			      uint64_t *fault_addr)
{
	uint64_t addr = fw_le64(cmd + FW_WV(addr));
	uint8_t value[8];

	(void)stop;
	if (addr & 7)
		return DRM_QUASAR_STATUS_BAD_ALIGN;
	/* Commands run strictly in order, so every earlier one is done. */
	fw_put_le64(value, fw_le64(cmd + FW_WV(value)));
	return fw_mmu_write(fw, slot, addr, value, sizeof(value), fault_addr);
}

static int fw_cmd_isa_version(const struct fw_device *fw, unsigned int slot,
			      const uint8_t *cmd, const struct fw_job_stop *stop,
			      uint64_t *fault_addr)
{
	uint32_t version = fw_le32(cmd + offsetof(struct drm_quasar_cmd_isa_version, version));

	(void)fw;
	(void)slot;
	(void)stop;
	(void)fault_addr;
	if (fw_le32(cmd + offsetof(struct drm_quasar_cmd_isa_version, reserved)))
		return DRM_QUASAR_STATUS_BAD_FLAGS;
	if (version > FW_ISA_VERSION)
		return DRM_QUASAR_STATUS_BAD_VERSION;
	return DRM_QUASAR_STATUS_OK;
}

static int fw_cmd_compute(const struct fw_device *fw, unsigned int slot,
			  const uint8_t *cmd, const struct fw_job_stop *stop,
			  uint64_t *fault_addr)
{
	/* fw_cmd_check_header() refused compute opcodes without an engine. */
	return fw->engine->exec(fw, slot, cmd, stop, fault_addr);
}

#define FW_CMD_COMPUTE(type)	{ sizeof(struct type), fw_cmd_compute, true }

static const struct fw_cmd_kind fw_cmd_kinds[] = {
	[DRM_QUASAR_OP_NOP] = {
		sizeof(struct drm_quasar_cmd_header), fw_cmd_nop },
	[DRM_QUASAR_OP_FILL] = {
		sizeof(struct drm_quasar_cmd_fill), fw_cmd_fill },
	[DRM_QUASAR_OP_COPY] = {
		sizeof(struct drm_quasar_cmd_copy), fw_cmd_copy },
	[DRM_QUASAR_OP_WRITE_VALUE] = {
		sizeof(struct drm_quasar_cmd_write_value), fw_cmd_write_value },
	[DRM_QUASAR_OP_ISA_VERSION] = {
		sizeof(struct drm_quasar_cmd_isa_version), fw_cmd_isa_version },
	[DRM_QUASAR_OP_BARRIER] = {
		/*
		 * Every command completes before the next starts, so the
		 * barrier that the ISA lets a stream rely on already holds
		 * here (docs/isa.md, "Ordering"): it executes as a NOP.
		 */
		sizeof(struct drm_quasar_cmd_header), fw_cmd_nop },
	[DRM_QUASAR_OP_GEMM] = FW_CMD_COMPUTE(drm_quasar_cmd_gemm),
	[DRM_QUASAR_OP_RMSNORM] = FW_CMD_COMPUTE(drm_quasar_cmd_norm),
	[DRM_QUASAR_OP_LAYERNORM] = FW_CMD_COMPUTE(drm_quasar_cmd_norm),
	[DRM_QUASAR_OP_SOFTMAX] = FW_CMD_COMPUTE(drm_quasar_cmd_softmax),
	[DRM_QUASAR_OP_ROPE] = FW_CMD_COMPUTE(drm_quasar_cmd_rope),
	[DRM_QUASAR_OP_ADD] = FW_CMD_COMPUTE(drm_quasar_cmd_eltwise),
	[DRM_QUASAR_OP_MUL] = FW_CMD_COMPUTE(drm_quasar_cmd_eltwise),
	[DRM_QUASAR_OP_GATHER] = FW_CMD_COMPUTE(drm_quasar_cmd_gather),
	[DRM_QUASAR_OP_CONVERT] = FW_CMD_COMPUTE(drm_quasar_cmd_convert),
	[DRM_QUASAR_OP_CONV2D] = FW_CMD_COMPUTE(drm_quasar_cmd_conv2d),
};

#define FW_CMD_NUM_KINDS	FW_ARRAY_SIZE(fw_cmd_kinds)
_Static_assert(FW_CMD_NUM_KINDS <= 32, "ops is a 32-bit mask");

int fw_cmd_check_header(const struct fw_device *fw, const uint8_t *hdr,
			uint32_t remaining, uint32_t *len)
{
	uint16_t op = fw_le16(hdr + FW_HDR(opcode));
	uint16_t length = fw_le16(hdr + FW_HDR(length));
	uint32_t flags = fw_le32(hdr + FW_HDR(flags));

	/* Only what the booted image enabled runs (nothing before boot). */
	if (op >= FW_CMD_NUM_KINDS || !fw_cmd_kinds[op].exec ||
	    !(fw->info.ops & (1u << op)) ||
	    (fw_cmd_kinds[op].compute && (!fw->engine || !fw->engine->exec)))
		return DRM_QUASAR_STATUS_BAD_OPCODE;
	if (length != fw_cmd_kinds[op].length || length > remaining)
		return DRM_QUASAR_STATUS_BAD_LENGTH;
	if (flags)
		return DRM_QUASAR_STATUS_BAD_FLAGS;
	*len = length;
	return DRM_QUASAR_STATUS_OK;
}

int fw_cmd_exec(const struct fw_device *fw, unsigned int slot,
		const uint8_t *cmd, const struct fw_job_stop *stop,
		uint64_t *fault_addr)
{
	uint16_t op = fw_le16(cmd + FW_HDR(opcode));

	*fault_addr = 0;
	return fw_cmd_kinds[op].exec(fw, slot, cmd, stop, fault_addr);
}

void fw_cmd_job_begin(const struct fw_device *fw)
{
	if (fw->engine)
		fw_memset(&fw->engine->stats, 0, sizeof(fw->engine->stats));
}

void fw_cmd_job_end(const struct fw_device *fw, struct fw_job_result *res)
{
	if (fw->engine)
		res->stats = fw->engine->stats;
	else
		fw_memset(&res->stats, 0, sizeof(res->stats));
}

void fw_cmd_run(const struct fw_device *fw, unsigned int slot,
		const uint8_t *stream, uint32_t size,
		const struct fw_job_stop *stop, struct fw_job_result *res)
{
	uint32_t off = 0, index = 0;

	res->status = DRM_QUASAR_STATUS_OK;
	res->fault_addr = 0;
	fw_cmd_job_begin(fw);
	while (off < size) {
		uint32_t len = 0;
		int st;

		if (fw_job_stopped(stop)) {
			st = DRM_QUASAR_STATUS_ABORTED;
		} else if (size - off < FW_CMD_HDR_LEN) {
			st = DRM_QUASAR_STATUS_BAD_LENGTH;
		} else {
			st = fw_cmd_check_header(fw, stream + off, size - off, &len);
			if (!st)
				st = fw_cmd_exec(fw, slot, stream + off, stop,
						 &res->fault_addr);
		}
		if (st) {
			res->status = (uint32_t)st;
			break;
		}
		off += len;
		index++;
	}
	res->cmd_index = index;
	fw_cmd_job_end(fw, res);
}
