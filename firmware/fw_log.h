/* SPDX-License-Identifier: MIT */
/*
 * Firmware log lines, built piece by piece.
 *
 * The firmware has no printf; a line is assembled from strings and numbers
 * into a fixed buffer (silently truncated) and handed to the HAL's log hook,
 * which the QEMU device routes to its guest-error log.
 */
#ifndef FW_LOG_H
#define FW_LOG_H

#include <stdint.h>

#include "fw_api.h"

#define FW_LOG_LINE_MAX	160

struct fw_log_line {
	char text[FW_LOG_LINE_MAX];
	uint32_t len;
};

static inline void fw_log_start(struct fw_log_line *l, const char *s)
{
	l->len = 0;
	l->text[0] = '\0';
	while (*s && l->len < FW_LOG_LINE_MAX - 1)
		l->text[l->len++] = *s++;
	l->text[l->len] = '\0';
}

static inline void fw_log_str(struct fw_log_line *l, const char *s)
{
	while (*s && l->len < FW_LOG_LINE_MAX - 1)
		l->text[l->len++] = *s++;
	l->text[l->len] = '\0';
}

static inline void fw_log_hex(struct fw_log_line *l, uint64_t v)
{
	static const char digits[] = "0123456789abcdef";
	char tmp[19];
	int n = 0;

	do {
		tmp[n++] = digits[v & 0xf];
		v >>= 4;
	} while (v);
	tmp[n++] = 'x';
	tmp[n++] = '0';
	while (n > 0 && l->len < FW_LOG_LINE_MAX - 1)
		l->text[l->len++] = tmp[--n];
	l->text[l->len] = '\0';
}

static inline void fw_log_dec(struct fw_log_line *l, uint64_t v)
{
	char tmp[21];
	int n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n > 0 && l->len < FW_LOG_LINE_MAX - 1)
		l->text[l->len++] = tmp[--n];
	l->text[l->len] = '\0';
}

static inline void fw_log_emit(const struct fw_hal *hal, const struct fw_log_line *l)
{
	if (hal->log)
		hal->log(hal->opaque, l->text);
}

#endif /* FW_LOG_H */
