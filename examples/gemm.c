// SPDX-License-Identifier: MIT
/*
 * gemm: y = x W^T on the Quasar NPU, W quantized to 4 bits (INT4, groups
 * of 32) by the compression library. Opens the device, makes the tensors,
 * runs one GEMM as one job, reads y back and compares it with the same
 * product in FP32 on the CPU, then prints the job's cost report.
 *
 *	cc gemm.c $(pkg-config --cflags --libs quasar-compress) -o gemm
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <accel.h>
#include <accel_ops.h>
#include <compress_libaccel.h>

enum { M = 8, K = 256, N = 64 };

static int fail(const char *what, int err)
{
	fprintf(stderr, "gemm: %s: %s\n", what, accel_strerror(err));
	return 1;
}

int main(void)
{
	static float x[M * K], w[N * K], wq[N * K], y[M * N];
	const struct compress_qparams p = { .fmt = DP_W_INT4, .group = 32 };
	struct accel_tensor *tx, *tw, *ty;
	struct compress_qtensor *qt;
	struct accel_job_result res;
	struct accel_job_stats st;
	struct accel_device *dev;
	struct accel_cmdbuf *cb;
	double worst = 0;
	char report[2048];
	int err;

	for (int i = 0; i < M * K; i++)	/* eighths: exact in BF16, the device's input format */
		x[i] = (float)((i * 37 % 17) - 8) / 8.0f;
	for (int i = 0; i < N * K; i++)
		w[i] = (float)((i * 53 % 97) - 48) / 96.0f;

	if ((err = accel_device_open(NULL, &dev)))	/* $ACCEL_DEVICE, else the first quasar node */
		return fail("open", err);
	if ((err = compress_quantize(w, N, K, K, &p, &qt)) || (err = compress_qtensor_dequant(qt, wq, K)))
		return fail("quantize", err);
	if ((err = accel_tensor_create(dev, DRM_QUASAR_FORMAT_BF16, 2, (uint32_t[]){ M, K }, &tx)) ||
	    (err = accel_tensor_create(dev, DRM_QUASAR_FORMAT_FP32, 2, (uint32_t[]){ M, N }, &ty)) ||
	    (err = compress_tensor_from_qtensor(dev, qt, &tw)) ||
	    (err = accel_tensor_write_f32(tx, x, M * K)))
		return fail("tensors", err);

	if ((err = accel_cmdbuf_create(dev, &cb)) || (err = accel_op_gemm(cb, ty, tx, tw, NULL)) ||
	    (err = accel_cmdbuf_submit(cb, NULL)) ||
	    (err = accel_cmdbuf_wait(cb, ACCEL_TIMEOUT_INFINITE, &res)))
		return fail("job", err);
	if ((err = accel_tensor_read_f32(ty, y, M * N)) || (err = accel_cmdbuf_stats(cb, &st)))
		return fail("read back", err);

	/* The device reads W at 4 bits: compare with x . W dequantized, summed in double. */
	for (int m = 0; m < M; m++)
		for (int n = 0; n < N; n++) {
			double ref = 0;

			for (int k = 0; k < K; k++)
				ref += (double)x[m * K + k] * wq[n * K + k];
			worst = fmax(worst, fabs(y[m * N + n] - ref));
		}
	accel_job_report(&st, "gemm 8x256x64 W4", report, sizeof(report));
	printf("%sy[0][0] = %.4f, largest difference from FP32: %.2g\n", report, y[0], worst);

	accel_cmdbuf_destroy(cb);
	accel_tensor_free(tx);
	accel_tensor_free(tw);
	accel_tensor_free(ty);
	compress_qtensor_free(qt);
	accel_device_close(dev);
	return worst < 1e-3 ? 0 : 1;
}
