// SPDX-License-Identifier: MIT
/*
 * py_int8_ref: the C compression library's INT8 per-channel quantizer, for
 * python/tests/test_quant.py to hold the binding's numpy quantizer to, bit
 * for bit. Reads two uint32 (N, K) and N * K binary32 weights on stdin;
 * writes the packed element codes, then the packed scales, in the device
 * layout (the geometry's sizes) on stdout.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <accel_ops.h>
#include <compress_libaccel.h>

static int py_fail(const char *what, int err)
{
	fprintf(stderr, "py_int8_ref: %s: %s\n", what, compress_strerror(err));
	return 1;
}

int main(void)
{
	const struct compress_qparams p = { .fmt = DP_W_INT8 };
	struct compress_qtensor *qt;
	struct accel_weights w;
	struct accel_wgeom g;
	uint32_t shape[2];
	float *v;
	int err;

	if (fread(shape, sizeof(shape), 1, stdin) != 1 || !shape[0] || !shape[1] ||
	    shape[0] > 4096 || shape[1] > 4096) {
		fprintf(stderr, "py_int8_ref: expected N, K (1..4096) on stdin\n");
		return 2;
	}
	v = malloc(sizeof(*v) * shape[0] * shape[1]);
	if (!v || fread(v, sizeof(*v), (size_t)shape[0] * shape[1], stdin) !=
		  (size_t)shape[0] * shape[1]) {
		fprintf(stderr, "py_int8_ref: expected %u x %u floats on stdin\n", shape[0],
			shape[1]);
		return 2;
	}
	if ((err = compress_quantize(v, shape[0], shape[1], shape[1], &p, &qt)))
		return py_fail("quantize", err);
	if ((err = compress_weights_from_qtensor(qt, &w)) || (err = accel_weights_geometry(&w, &g)))
		return py_fail("geometry", err);
	if (fwrite(w.data, 1, g.data_bytes, stdout) != g.data_bytes ||
	    fwrite(w.scales, 1, g.scale_bytes, stdout) != g.scale_bytes) {
		fprintf(stderr, "py_int8_ref: short write\n");
		return 1;
	}
	compress_qtensor_free(qt);
	free(v);
	return 0;
}
