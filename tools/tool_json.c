// SPDX-License-Identifier: MIT
/* tool_json: one JSON object per line (tool_json.h). */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>

#include "tool_json.h"

static void tool_json_open(struct tool_json *j, char open, char close)
{
	if (j->depth + 1 >= TOOL_JSON_DEPTH)
		abort();	/* nested deeper than any program here needs */
	fputc(open, j->f);
	j->depth++;
	j->count[j->depth] = 0;
	j->close[j->depth] = close;
}

void tool_json_begin(struct tool_json *j, FILE *f)
{
	j->f = f;
	j->depth = -1;
	tool_json_open(j, '{', '}');
}

static void tool_json_quoted(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

/* The separator and the key of the next member. */
static void tool_json_key(struct tool_json *j, const char *key)
{
	if (j->count[j->depth]++)
		fputc(',', j->f);
	if (key) {
		tool_json_quoted(j->f, key);
		fputc(':', j->f);
	}
}

void tool_json_str(struct tool_json *j, const char *key, const char *val)
{
	tool_json_key(j, key);
	tool_json_quoted(j->f, val);
}

void tool_json_u64(struct tool_json *j, const char *key, uint64_t val)
{
	tool_json_key(j, key);
	fprintf(j->f, "%" PRIu64, val);
}

void tool_json_i64(struct tool_json *j, const char *key, int64_t val)
{
	tool_json_key(j, key);
	fprintf(j->f, "%" PRId64, val);
}

void tool_json_double(struct tool_json *j, const char *key, double val)
{
	tool_json_key(j, key);
	if (isfinite(val))
		fprintf(j->f, "%.9g", val);
	else
		fputs("null", j->f);
}

void tool_json_bool(struct tool_json *j, const char *key, int val)
{
	tool_json_key(j, key);
	fputs(val ? "true" : "false", j->f);
}

void tool_json_object(struct tool_json *j, const char *key)
{
	tool_json_key(j, key);
	tool_json_open(j, '{', '}');
}

void tool_json_array(struct tool_json *j, const char *key)
{
	tool_json_key(j, key);
	tool_json_open(j, '[', ']');
}

void tool_json_close(struct tool_json *j)
{
	if (j->depth < 0)
		return;
	fputc(j->close[j->depth], j->f);
	j->depth--;
}

void tool_json_end(struct tool_json *j)
{
	while (j->depth >= 0)
		tool_json_close(j);
	fputc('\n', j->f);
	fflush(j->f);
}
