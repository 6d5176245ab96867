// SPDX-License-Identifier: MIT
/*
 * Command-stream ISA (docs/isa.md): step through a stream, command by
 * command; check what only the device knows (is the opcode enabled by the
 * booted image, is there an engine for it), leave every other rule to the
 * ISA's validator (isa/isa_validate.c, shared with libaccel), and execute
 * the decoded command: v0's NOP, FILL, COPY and WRITE_VALUE and v1's
 * ISA_VERSION and BARRIER here, v1's and v2's compute commands on
 * fw->engine (fw_ops.c), which a device without the datapath's kernels leaves NULL:
 * this file must not reference them, so that such a device still links.
 *
 * Every operand comes from an untrusted stream; the validator has checked
 * lengths, reserved fields and every address range for wrap-around before
 * the MMU sees it. Bulk data moves through a one-page bounce buffer on the
 * stack, so firmware memory never grows with a guest-chosen size.
 */
#include "drm/quasar_isa.h"
#include "fw_api.h"
#include "fw_bytes.h"
#include "fw_cmd.h"
#include "isa_validate.h"

#define FW_BOUNCE_SIZE		((uint32_t)QUASAR_PAGE_SIZE)
#define FW_HDR(f)		offsetof(struct drm_quasar_cmd_header, f)

_Static_assert(ISA_CMD_HDR_LEN == FW_CMD_HDR_LEN, "ISA header");
_Static_assert(ISA_CMD_MAX_LEN <= FW_CMD_MAX_LEN, "a fetch window holds every command");
/* The validator refuses an ISA_VERSION above the ISA's: this firmware runs all of it. */
_Static_assert(FW_ISA_VERSION == DRM_QUASAR_ISA_VERSION, "ISA_VERSION");

typedef int (*fw_cmd_exec_fn)(const struct fw_device *fw, unsigned int slot,
			      const struct isa_cmd *cmd, const struct fw_job_stop *stop,
			      uint64_t *fault_addr);

struct fw_cmd_kind {
	fw_cmd_exec_fn exec;
	bool compute;		/* runs on fw->engine */
};

static int fw_cmd_nop(const struct fw_device *fw, unsigned int slot,
		      const struct isa_cmd *cmd, const struct fw_job_stop *stop,
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
		       const struct isa_cmd *cmd, const struct fw_job_stop *stop,
		       uint64_t *fault_addr)
{
	uint64_t dst = cmd->fill.dst;
	uint32_t size = cmd->fill.size;
	uint8_t bounce[FW_BOUNCE_SIZE];
	uint64_t done = 0;

	for (uint32_t i = 0; i < FW_BOUNCE_SIZE; i += 4)
		fw_put_le32(bounce + i, cmd->fill.value);
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
		       const struct isa_cmd *cmd, const struct fw_job_stop *stop,
		       uint64_t *fault_addr)
{
	uint64_t dst = cmd->copy.dst, src = cmd->copy.src, size = cmd->copy.size;
	uint8_t bounce[FW_BOUNCE_SIZE];
	uint64_t done = 0;

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
			      const struct isa_cmd *cmd, const struct fw_job_stop *stop,
			      uint64_t *fault_addr)
{
	uint8_t value[8];

	(void)stop;
	/* Commands run strictly in order, so every earlier one is done. */
	fw_put_le64(value, cmd->write_value.value);
	return fw_mmu_write(fw, slot, cmd->write_value.addr, value, sizeof(value), fault_addr);
}

static int fw_cmd_compute(const struct fw_device *fw, unsigned int slot,
			  const struct isa_cmd *cmd, const struct fw_job_stop *stop,
			  uint64_t *fault_addr)
{
	/* fw_cmd_check_header() refused compute opcodes without an engine. */
	return fw->engine->exec(fw, slot, cmd, stop, fault_addr);
}

#define FW_CMD_COMPUTE	{ .exec = fw_cmd_compute, .compute = true }

static const struct fw_cmd_kind fw_cmd_kinds[] = {
	[DRM_QUASAR_OP_NOP] = { .exec = fw_cmd_nop },
	[DRM_QUASAR_OP_FILL] = { .exec = fw_cmd_fill },
	[DRM_QUASAR_OP_COPY] = { .exec = fw_cmd_copy },
	[DRM_QUASAR_OP_WRITE_VALUE] = { .exec = fw_cmd_write_value },
	/* The validator checked the version: nothing is left to do. */
	[DRM_QUASAR_OP_ISA_VERSION] = { .exec = fw_cmd_nop },
	/*
	 * Every command completes before the next starts, so the barrier
	 * that the ISA lets a stream rely on already holds here (docs/isa.md,
	 * "Ordering"): it executes as a NOP.
	 */
	[DRM_QUASAR_OP_BARRIER] = { .exec = fw_cmd_nop },
	[DRM_QUASAR_OP_GEMM] = FW_CMD_COMPUTE,
	[DRM_QUASAR_OP_RMSNORM] = FW_CMD_COMPUTE,
	[DRM_QUASAR_OP_LAYERNORM] = FW_CMD_COMPUTE,
	[DRM_QUASAR_OP_SOFTMAX] = FW_CMD_COMPUTE,
	[DRM_QUASAR_OP_ROPE] = FW_CMD_COMPUTE,
	[DRM_QUASAR_OP_ADD] = FW_CMD_COMPUTE,
	[DRM_QUASAR_OP_MUL] = FW_CMD_COMPUTE,
	[DRM_QUASAR_OP_GATHER] = FW_CMD_COMPUTE,
	[DRM_QUASAR_OP_CONVERT] = FW_CMD_COMPUTE,
	[DRM_QUASAR_OP_CONV2D] = FW_CMD_COMPUTE,
	[DRM_QUASAR_OP_MATMUL] = FW_CMD_COMPUTE,
};

#define FW_CMD_NUM_KINDS	FW_ARRAY_SIZE(fw_cmd_kinds)
_Static_assert(FW_CMD_NUM_KINDS <= 32, "ops is a 32-bit mask");

int fw_cmd_check_header(const struct fw_device *fw, const uint8_t *hdr,
			uint32_t remaining, uint32_t *len)
{
	uint16_t op = fw_le16(hdr + FW_HDR(opcode));

	/* Only what the booted image enabled runs (nothing before boot). */
	if (op >= FW_CMD_NUM_KINDS || !fw_cmd_kinds[op].exec ||
	    !(fw->info.ops & (1u << op)) ||
	    (fw_cmd_kinds[op].compute && (!fw->engine || !fw->engine->exec)))
		return DRM_QUASAR_STATUS_BAD_OPCODE;
	return isa_check_header(hdr, remaining, len, NULL);
}

int fw_cmd_exec(const struct fw_device *fw, unsigned int slot,
		const uint8_t *cmd, const struct fw_job_stop *stop,
		uint64_t *fault_addr)
{
	struct isa_cmd dec;
	int st;

	*fault_addr = 0;
	st = isa_check_operands(cmd, &dec, NULL);
	if (st)
		return st;
	return fw_cmd_kinds[dec.opcode].exec(fw, slot, &dec, stop, fault_addr);
}

void fw_cmd_job_begin(const struct fw_device *fw)
{
	if (fw->engine) {
		fw_memset(&fw->engine->stats, 0, sizeof(fw->engine->stats));
		fw_memset(&fw->engine->time, 0, sizeof(fw->engine->time));
		fw_mmu_tlb_flush(fw);
	}
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
