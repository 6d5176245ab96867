/* SPDX-License-Identifier: MIT */
/* libaccel compression: the qtensor object (private to libaccel/compress). */
#ifndef ACCEL_COMPRESS_PRIV_H
#define ACCEL_COMPRESS_PRIV_H

#include "accel_compress.h"

struct accel_qtensor {
	struct dp_wt wt;
	struct dp_geom geom;
	void *data;
	void *scales;
	uint8_t *zeros;
	uint8_t *meta;
};

int accel_qtensor_alloc(uint32_t fmt, uint32_t n, uint32_t k, uint32_t group, uint32_t flags,
			struct accel_qtensor **out);

#endif /* ACCEL_COMPRESS_PRIV_H */
