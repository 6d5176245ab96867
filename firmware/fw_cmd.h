/* SPDX-License-Identifier: MIT */
/*
 * Command decoding shared by the two ways a stream reaches the firmware:
 * already in local memory (fw_cmd_run) or fetched through the MMU in
 * bounded windows (fw_job_run). Both step through a stream with the same
 * two calls, so they accept and reject exactly the same streams.
 */
#ifndef FW_CMD_H
#define FW_CMD_H

#include <stdbool.h>
#include <stdint.h>

#include "fw_api.h"

/* Longest command of the ISA; a fetch window must hold one whole command. */
#define FW_CMD_MAX_LEN		256u
#define FW_CMD_HDR_LEN		8u

/*
 * Check the 8-byte header at @hdr with @remaining stream bytes from it
 * (>= 8): opcode enabled by the booted image (and an engine for a compute
 * opcode), then the ISA's header rules (isa_check_header(): opcode known,
 * length exactly the opcode's, inside the stream, flags zero). Returns a
 * drm_quasar_status and, on success, the command's length in *len.
 */
int fw_cmd_check_header(const struct fw_device *fw, const uint8_t *hdr,
			uint32_t remaining, uint32_t *len);

/*
 * Validate the operands of the whole command at @cmd (header already
 * checked; isa_check_operands()) and execute the decoded command in
 * context @slot. *fault_addr gets the VA of an MMU fault, else 0. Long
 * commands poll @stop between pages.
 */
int fw_cmd_exec(const struct fw_device *fw, unsigned int slot,
		const uint8_t *cmd, const struct fw_job_stop *stop,
		uint64_t *fault_addr);

/*
 * Bracket one job: zero the engine's statistics before its first command,
 * copy them into @res after its last (zero when there is no engine).
 */
void fw_cmd_job_begin(const struct fw_device *fw);
void fw_cmd_job_end(const struct fw_device *fw, struct fw_job_result *res);

static inline bool fw_job_stopped(const struct fw_job_stop *stop)
{
	return stop && stop->should_stop && stop->should_stop(stop->opaque);
}

#endif /* FW_CMD_H */
