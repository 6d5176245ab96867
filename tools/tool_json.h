/* SPDX-License-Identifier: MIT */
/*
 * tool_json: --json output, one JSON object per line on a stream. Keys are
 * the program's own (ASCII, no escaping needed); string values are escaped.
 *
 *	struct tool_json j;
 *
 *	tool_json_begin(&j, stdout);
 *	tool_json_str(&j, "device", path);
 *	tool_json_u64(&j, "queues", n);
 *	tool_json_array(&j, "ops");  tool_json_str(&j, NULL, "GEMM");  tool_json_close(&j);
 *	tool_json_end(&j);           -> {"device":"/dev/accel/accel0","queues":4,"ops":["GEMM"]}
 */
#ifndef TOOL_JSON_H
#define TOOL_JSON_H

#include <stdint.h>
#include <stdio.h>

#define TOOL_JSON_DEPTH 8

struct tool_json {
	FILE *f;
	int depth;
	int count[TOOL_JSON_DEPTH];	/* members written at each level */
	char close[TOOL_JSON_DEPTH];	/* '}' or ']' */
};

void tool_json_begin(struct tool_json *j, FILE *f);
/* Ends the top object with a newline. */
void tool_json_end(struct tool_json *j);
/* A member of the current object (@key) or element of the current array (@key NULL). */
void tool_json_str(struct tool_json *j, const char *key, const char *val);
void tool_json_u64(struct tool_json *j, const char *key, uint64_t val);
void tool_json_i64(struct tool_json *j, const char *key, int64_t val);
/* NaN and infinities as null (JSON has no number for them). */
void tool_json_double(struct tool_json *j, const char *key, double val);
void tool_json_bool(struct tool_json *j, const char *key, int val);
/* Nested object or array until tool_json_close(). */
void tool_json_object(struct tool_json *j, const char *key);
void tool_json_array(struct tool_json *j, const char *key);
void tool_json_close(struct tool_json *j);

#endif
