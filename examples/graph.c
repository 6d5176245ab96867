// SPDX-License-Identifier: MIT
/*
 * graph: four jobs with dependencies, run as one graph on the Quasar NPU
 * and ordered by one timeline syncobj (accel_ops.h, "graph runner"):
 *
 *	0 norm     xn = rmsnorm(x)                         NORMAL
 *	1 project  h = bf16(xn) W^T          after 0       NORMAL
 *	2 softmax  p = softmax(xn)           after 0       LOW
 *	3 sum      y = h + p                 after 1, 2    NORMAL
 *
 * Prints the timeline: each job's point, queue, status, commands and
 * modeled cost, then one value of y.
 *
 *	cc graph.c $(pkg-config --cflags --libs quasar-compress) -o graph
 */
#include <stdio.h>

#include <accel.h>
#include <accel_ops.h>
#include <compress_libaccel.h>

enum { M = 4, K = 128 };

static int fail(const char *what, int err)
{
	fprintf(stderr, "graph: %s: %s\n", what, accel_strerror(err));
	return 1;
}

int main(void)
{
	static float x[M * K], w[K * K], gain[K], y[M * K];
	static const char *const names[] = { "norm", "project", "softmax", "sum" };
	const struct compress_qparams p = { .fmt = DP_W_INT8 };
	struct accel_tensor *tx, *tg, *txn, *txb, *tw, *th, *tp, *ty;
	struct accel_cmdbuf *cb[4];
	struct compress_qtensor *qt;
	struct accel_device *dev;
	struct accel_graph *g;
	uint32_t id[4];
	int err;

	for (int i = 0; i < M * K; i++)
		x[i] = (float)((i * 29 % 23) - 11) / 4.0f;
	for (int i = 0; i < K * K; i++)
		w[i] = (float)((i * 13 % 31) - 15) / 64.0f;
	for (int i = 0; i < K; i++)
		gain[i] = 1.0f + (float)(i % 4) / 8.0f;

	if ((err = accel_device_open(NULL, &dev)))
		return fail("open", err);
	if ((err = compress_quantize(w, K, K, K, &p, &qt)))
		return fail("quantize", err);
	const uint32_t mk[] = { M, K }, k1[] = { K };
	if ((err = accel_tensor_create(dev, DRM_QUASAR_FORMAT_FP32, 2, mk, &tx)) ||
	    (err = accel_tensor_create(dev, DRM_QUASAR_FORMAT_FP32, 1, k1, &tg)) ||
	    (err = accel_tensor_create(dev, DRM_QUASAR_FORMAT_FP32, 2, mk, &txn)) ||
	    (err = accel_tensor_create(dev, DRM_QUASAR_FORMAT_BF16, 2, mk, &txb)) ||
	    (err = accel_tensor_create(dev, DRM_QUASAR_FORMAT_FP32, 2, mk, &th)) ||
	    (err = accel_tensor_create(dev, DRM_QUASAR_FORMAT_FP32, 2, mk, &tp)) ||
	    (err = accel_tensor_create(dev, DRM_QUASAR_FORMAT_FP32, 2, mk, &ty)) ||
	    (err = compress_tensor_from_qtensor(dev, qt, &tw)) ||
	    (err = accel_tensor_write_f32(tx, x, M * K)) || (err = accel_tensor_write_f32(tg, gain, K)))
		return fail("tensors", err);

	for (int i = 0; i < 4; i++)
		if ((err = accel_cmdbuf_create(dev, &cb[i])))
			return fail("command buffer", err);
	if ((err = accel_op_rmsnorm(cb[0], txn, tx, tg, 1e-5f)) ||
	    (err = accel_op_convert(cb[1], txb, txn)) || (err = accel_op_gemm(cb[1], th, txb, tw, NULL)) ||
	    (err = accel_op_softmax(cb[2], tp, txn)) || (err = accel_op_add(cb[3], ty, th, tp)))
		return fail("ops", err);

	if ((err = accel_graph_create(dev, &g)) ||
	    (err = accel_graph_add_priority(g, cb[0], DRM_QUASAR_PRIORITY_NORMAL, NULL, 0, &id[0])) ||
	    (err = accel_graph_add_priority(g, cb[1], DRM_QUASAR_PRIORITY_NORMAL, &id[0], 1, &id[1])) ||
	    (err = accel_graph_add_priority(g, cb[2], DRM_QUASAR_PRIORITY_LOW, &id[0], 1, &id[2])) ||
	    (err = accel_graph_add_priority(g, cb[3], DRM_QUASAR_PRIORITY_NORMAL,
					    (uint32_t[]){ id[1], id[2] }, 2, &id[3])))
		return fail("graph", err);
	err = accel_graph_run(g, ACCEL_TIMEOUT_INFINITE);

	printf("job      point  queue   status  commands  cycles  device us\n");
	for (int i = 0; i < 4; i++) {
		struct accel_graph_node n;

		accel_graph_node(g, id[i], &n);
		printf("%-8s %5llu  %-6s  %-6s  %8u  %6llu  %9.1f\n", names[i],
		       (unsigned long long)n.point,
		       accel_priority_name(accel_queue_priority(n.queue)),
		       accel_status_name(n.result.status), n.stats.cmd_index,
		       (unsigned long long)n.stats.cycles, n.stats.device_ns / 1e3);
	}
	if (err)
		return fail("run", err);
	if ((err = accel_tensor_read_f32(ty, y, M * K)))
		return fail("read back", err);
	printf("y[0][0] = %.4f\n", y[0]);

	accel_graph_destroy(g);
	for (int i = 0; i < 4; i++)
		accel_cmdbuf_destroy(cb[i]);
	accel_tensor_free(tx), accel_tensor_free(tg), accel_tensor_free(txn), accel_tensor_free(txb);
	accel_tensor_free(tw), accel_tensor_free(th), accel_tensor_free(tp), accel_tensor_free(ty);
	compress_qtensor_free(qt);
	accel_device_close(dev);
	return 0;
}
