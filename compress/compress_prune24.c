// SPDX-License-Identifier: MIT
/* Compression library: 2:4 magnitude pruning. */
#include <errno.h>

#include "compress.h"
#include "dp_quant.h"

int compress_prune24(const float *w, uint32_t n, uint32_t k, uint32_t ldw, float *y,
		     uint8_t *mask)
{
	uint32_t i, q, j;

	if (!w || !y || n == 0 || k == 0 || ldw < k)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		const float *row = w + (size_t)i * ldw;
		float *out = y + (size_t)i * ldw;

		for (q = 0; q * 4 < k; q++) {
			uint32_t valid = k - 4 * q > 4 ? 4 : k - 4 * q;
			uint8_t code = dp_pick24(row + 4 * q, valid);
			uint32_t i0 = code & 3, i1 = code >> 2;

			for (j = 0; j < valid; j++) {
				int keep = j == i0 || j == i1;

				if (mask)
					mask[(size_t)i * k + 4 * q + j] = (uint8_t)keep;
				if (!keep)
					out[4 * q + j] = 0.0f;
				else if (out != row)
					out[4 * q + j] = row[4 * q + j];
			}
		}
	}
	return 0;
}
