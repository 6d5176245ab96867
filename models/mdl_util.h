/* SPDX-License-Identifier: MIT */
/* Quasar models: small helpers shared by every file (errors, time, files). */
#ifndef MDL_UTIL_H
#define MDL_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* Formats a message into err (if non-NULL) and returns @ret. */
int mdl_err(char *err, size_t errlen, int ret, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Monotonic seconds. */
double mdl_now(void);

/* Reads a whole file; *len gets its size. Returns 0 or a negative errno. */
int mdl_read_file(const char *path, uint8_t **buf, size_t *len, char *err, size_t errlen);

/* 64-byte aligned, zeroed allocation (free with free()). */
void *mdl_zalloc(size_t bytes);

#endif /* MDL_UTIL_H */
