/* SPDX-License-Identifier: MIT */
/* Compression library: the qtensor object (private to compress/). */
#ifndef COMPRESS_QTENSOR_PRIV_H
#define COMPRESS_QTENSOR_PRIV_H

#include "compress.h"

struct compress_qtensor {
	struct dp_wt wt;
	struct dp_geom geom;
	void *data;
	void *scales;
	uint8_t *zeros;
	uint8_t *meta;
};

int compress_qtensor_alloc(uint32_t fmt, uint32_t n, uint32_t k, uint32_t group, uint32_t flags,
			   struct compress_qtensor **out);

#endif /* COMPRESS_QTENSOR_PRIV_H */
