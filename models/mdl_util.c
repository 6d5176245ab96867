// SPDX-License-Identifier: MIT
/* Quasar models: error formatting, clock, whole-file reads, aligned buffers. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mdl_util.h"

int mdl_err(char *err, size_t errlen, int ret, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return ret;
}

double mdl_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

int mdl_read_file(const char *path, uint8_t **buf, size_t *len, char *err, size_t errlen)
{
	uint8_t *b = NULL;
	size_t cap = 0, n = 0;
	FILE *f;

	*buf = NULL;
	*len = 0;
	f = fopen(path, "rb");
	if (!f)
		return mdl_err(err, errlen, -errno, "%s: %s", path, strerror(errno));
	for (;;) {
		size_t got;

		if (n == cap) {
			uint8_t *nb = realloc(b, cap ? cap * 2 : 65536);

			if (!nb) {
				free(b);
				fclose(f);
				return mdl_err(err, errlen, -ENOMEM, "%s: out of memory", path);
			}
			b = nb;
			cap = cap ? cap * 2 : 65536;
		}
		got = fread(b + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		free(b);
		fclose(f);
		return mdl_err(err, errlen, -EIO, "%s: read error", path);
	}
	fclose(f);
	*buf = b;
	*len = n;
	return 0;
}

void *mdl_zalloc(size_t bytes)
{
	size_t sz = (bytes + 63) / 64 * 64;
	void *p = aligned_alloc(64, sz ? sz : 64);

	if (p)
		memset(p, 0, sz ? sz : 64);
	return p;
}
