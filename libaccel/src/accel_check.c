// SPDX-License-Identifier: MIT
/*
 * Host-side checks of commands: the ISA's validator (isa/isa_validate.c),
 * the same code the firmware runs on every command, so that a command
 * refused here names the status the device would have reported. Only what
 * needs the device is left out: the opcodes the booted image enabled, the
 * MMU pre-check, SRAM tiling (TOO_LARGE) and GATHER's ids. The host test
 * tests/libaccel/accel_check_test.c mutates valid commands at random and
 * requires the same verdict from this file and from the firmware.
 */
#include "accel_enc.h"
#include "accel_ops.h"
#include "isa_validate.h"

uint32_t accel_check_cmd(const void *cmd, size_t len, struct accel_why *why)
{
	const struct drm_quasar_cmd_header *h = cmd;
	struct isa_why iw = { "command", "refused" };
	struct isa_cmd dec;
	uint32_t st;

	why->text[0] = '\0';
	st = isa_validate(cmd, len, &dec, &iw);
	if (!st)
		return st;
	if (len < sizeof(*h))
		return accel_why_set(why, st, "%zu bytes: %s", len, iw.rule);
	if (!accel_op_name(h->opcode))
		return accel_why_set(why, st, "opcode %u: %s", h->opcode, iw.rule);
	return accel_why_set(why, st, "%s %s: %s", accel_op_name(h->opcode), iw.operand,
			     iw.rule);
}
