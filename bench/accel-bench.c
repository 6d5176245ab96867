// SPDX-License-Identifier: MIT
/*
 * accel-bench: what the stack itself costs, from a program's side of
 * /dev/accel (docs/cost-model.md section 8, `make bench`):
 *
 *   roundtrip  a one-NOP job submitted and waited for, one at a time
 *              (queue depth 1): p50, p99 and mean; with --trace, the
 *              driver's tracepoints split each into SUBMIT -> run_job
 *              (drm_sched) and run_job -> completion handled (ring,
 *              doorbell, the device, the interrupt)
 *   jobs/s     NOP jobs kept D deep (D = 1, 8, 64: D command buffers, each
 *              resubmitted once its last job ended) on a queue of each
 *              priority the device has
 *   bo         create + CPU map + first touch + free, per size
 *   gemv       a 4096 x 4096 INT4 (groups of 32) GEMV with BF16 activations:
 *              the device's time for the job (JOB_STATS device_ns, start to
 *              interrupt) and submit to completion as the caller sees it; a
 *              few outputs checked against the golden model
 *
 * The host build adds --host-kernel: the same GEMV through the datapath's
 * SIMD kernel called directly, one thread, as the device's engine calls it;
 * bench/stack_bench.sh divides the device's time by it (the stack's
 * overhead ratio) and adds the QEMU device's phases of the same jobs.
 * A benchmark: it checks that every job ran and the GEMV is right, never
 * how fast anything was.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <accel.h>
#include <accel_ops.h>

#include "compress.h"
#include "compress_libaccel.h"
#include "dp_gemm.h"
#include "dp_num.h"
#include "tool_cli.h"
#include "tool_json.h"

#define BENCH_NAME	"accel-bench"
#define BENCH_GEMV_N	4096u
#define BENCH_GEMV_K	4096u
#define BENCH_MAX_DEPTH	64u
#define BENCH_TIMEOUT_NS (60ll * 1000000000ll)

static const uint32_t bench_depths[] = { 1, 8, 64 };
static const uint64_t bench_bo_sizes[] = { 4096, 65536, 1u << 20, 16u << 20 };

struct bench_opts {
	uint32_t roundtrips, jobs, bo_reps, gemv_reps;
	int trace, host_kernel;
	const char *device;
	const char *device_name;	/* for messages */
	int json;
};

struct bench_out {
	const struct bench_opts *o;
	struct tool_json j;
};

static uint64_t bench_now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

static int bench_cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Sorts @v; the nearest-rank percentile @p (0 < p <= 100), in microseconds. */
static double bench_pct_us(uint64_t *v, uint32_t n, double p, int sorted)
{
	uint32_t rank;

	if (!n)
		return 0;
	if (!sorted)
		qsort(v, n, sizeof(*v), bench_cmp_u64);
	rank = (uint32_t)(p / 100.0 * n + 0.999999);
	return (double)v[(rank ? rank : 1) - 1] / 1e3;
}

static double bench_mean_us(const uint64_t *v, uint32_t n)
{
	double s = 0;
	uint32_t i;

	for (i = 0; i < n; i++)
		s += (double)v[i];
	return n ? s / n / 1e3 : 0;
}

/*
 * One figure: text on stdout (stderr with --json), and a JSON object
 * {"figure", "priority", "depth", "bytes", "value", "unit", "p50", "p99"}:
 * absent members are not printed. bench/stack_bench.sh turns them into
 * stack.csv.
 */
static void bench_figure(struct bench_out *out, const char *figure, const char *priority,
			 uint32_t depth, uint64_t bytes, double value, const char *unit,
			 const uint64_t *samples_sorted, uint32_t n)
{
	FILE *f = out->o->json ? stderr : stdout;
	uint64_t *s = (uint64_t *)samples_sorted;

	fprintf(f, "%-26s", figure);
	if (priority)
		fprintf(f, " %-6s depth %-3u", priority, depth);
	if (bytes)
		fprintf(f, " %9llu bytes", (unsigned long long)bytes);
	fprintf(f, " %12.3f %s", value, unit);
	if (n)
		fprintf(f, "  (p50 %.1f, p99 %.1f us, %u samples)", bench_pct_us(s, n, 50, 1),
			bench_pct_us(s, n, 99, 1), n);
	fprintf(f, "\n");
	if (!out->o->json)
		return;
	tool_json_begin(&out->j, stdout);
	tool_json_str(&out->j, "figure", figure);
	if (priority) {
		tool_json_str(&out->j, "priority", priority);
		tool_json_u64(&out->j, "depth", depth);
	}
	if (bytes)
		tool_json_u64(&out->j, "bytes", bytes);
	tool_json_double(&out->j, "value", value);
	tool_json_str(&out->j, "unit", unit);
	if (n) {
		tool_json_double(&out->j, "p50", bench_pct_us(s, n, 50, 1));
		tool_json_double(&out->j, "p99", bench_pct_us(s, n, 99, 1));
		tool_json_u64(&out->j, "samples", n);
	}
	tool_json_end(&out->j);
}

static int bench_fail(struct accel_device *dev, const char *what, int err)
{
	char text[256] = "";

	if (dev)
		accel_device_last_error(dev, text, sizeof(text));
	tool_cli_error("%s failed: %s%s%s", what, accel_strerror(err), text[0] ? ": " : "", text);
	return 1;
}

/* A command buffer holding one NOP. */
static int bench_nop_cmdbuf(struct accel_device *dev, struct accel_cmdbuf **cb)
{
	int err = accel_cmdbuf_create(dev, cb);

	if (!err && (err = accel_cmdbuf_nop(*cb)))
		accel_cmdbuf_destroy(*cb);
	return err;
}

/* Waits for @cb's job; a job that did not end OK is a failure. */
static int bench_wait(struct accel_device *dev, struct accel_cmdbuf *cb)
{
	struct accel_job_result res;
	int err = accel_cmdbuf_wait(cb, BENCH_TIMEOUT_NS, &res);

	if (err == -EIO)
		tool_cli_error("a job ended with %s at command %u", accel_status_name(res.status),
			       res.cmd_index);
	else if (err)
		bench_fail(dev, "waiting for a job", err);
	return err;
}

/* ---- the driver's tracepoints, for the round trip's split ---- */

static const char *const bench_trace_dirs[] = { "/sys/kernel/tracing",
						"/sys/kernel/debug/tracing", NULL };
static const char *const bench_trace_events[] = { "quasar_job_submit", "quasar_job_run",
						  "quasar_job_complete", NULL };

static int bench_write(const char *dir, const char *file, const char *text)
{
	char path[256];
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "w");
	if (!f)
		return -errno;
	ok = fputs(text, f) >= 0;
	return fclose(f) || !ok ? -EIO : 0;
}

/* Turns the three events on (or off) and empties the buffer; the directory or NULL. */
static const char *bench_trace_switch(int on)
{
	static const char *dir;
	char file[128];
	uint32_t i;

	for (i = 0; !dir && bench_trace_dirs[i]; i++) {
		snprintf(file, sizeof(file), "%s/events/quasar/enable", bench_trace_dirs[i]);
		if (!access(file, W_OK))
			dir = bench_trace_dirs[i];
	}
	if (!dir)
		return NULL;
	for (i = 0; bench_trace_events[i]; i++) {
		snprintf(file, sizeof(file), "events/quasar/%s/enable", bench_trace_events[i]);
		if (bench_write(dir, file, on ? "1" : "0"))
			return NULL;
	}
	/* another program may have left the ring off */
	if (on && (bench_write(dir, "trace", "") || bench_write(dir, "tracing_on", "1")))
		return NULL;
	return dir;
}

struct bench_trace_job {
	uint64_t job, seqno;
	uint64_t submit_ns, run_ns, done_ns;	/* 0: not seen */
};

/* "SECONDS.MICROS: event: ... key=N ..." -> the value of @key, or -1. */
static int64_t bench_trace_key(const char *line, const char *key)
{
	char pat[32];
	const char *p;

	snprintf(pat, sizeof(pat), " %s=", key);
	p = strstr(line, pat);
	return p ? strtoll(p + strlen(pat), NULL, 0) : -1;
}

static uint64_t bench_trace_ts(const char *line, const char *event)
{
	const char *e = strstr(line, event);
	const char *p;

	if (!e || e - line < 3)
		return 0;
	/* the time stamp ends in ": " right before the event name */
	for (p = e - 3; p > line && p[-1] != ' '; p--)
		;
	return (uint64_t)(strtod(p, NULL) * 1e9 + 0.5);
}

/*
 * Reads the buffer: for each of @n jobs (seqnos @first.. on one hardware
 * queue), SUBMIT -> run_job and run_job -> completion handled; the count
 * of jobs with all three events.
 */
static uint32_t bench_trace_read(const char *dir, uint32_t hwq, uint64_t first, uint32_t n,
				 uint64_t *sched, uint64_t *ring)
{
	struct bench_trace_job *t = calloc(n, sizeof(*t));
	uint64_t *submit_job = NULL, *submit_ts = NULL;
	uint32_t nsub = 0, cap = 0, i, k, got = 0;
	char path[256], line[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/trace", dir);
	f = fopen(path, "r");
	if (!f || !t) {
		if (f)
			fclose(f);
		free(t);
		return 0;
	}
	while (fgets(line, sizeof(line), f)) {
		int64_t q = bench_trace_key(line, "hwq"), s = bench_trace_key(line, "seqno");

		if (q != (int64_t)hwq)
			continue;
		if (strstr(line, "quasar_job_submit:")) {
			if (nsub == cap) {
				cap = cap ? 2 * cap : 256;
				submit_job = realloc(submit_job, cap * sizeof(*submit_job));
				submit_ts = realloc(submit_ts, cap * sizeof(*submit_ts));
				if (!submit_job || !submit_ts)
					break;
			}
			submit_job[nsub] = (uint64_t)bench_trace_key(line, "job");
			submit_ts[nsub++] = bench_trace_ts(line, "quasar_job_submit:");
			continue;
		}
		if (s < (int64_t)first || s >= (int64_t)(first + n))
			continue;
		k = (uint32_t)(s - (int64_t)first);
		if (strstr(line, "quasar_job_run:")) {
			t[k].job = (uint64_t)bench_trace_key(line, "job");
			t[k].run_ns = bench_trace_ts(line, "quasar_job_run:");
		} else if (strstr(line, "quasar_job_complete:")) {
			t[k].done_ns = bench_trace_ts(line, "quasar_job_complete:");
		}
	}
	fclose(f);
	for (k = 0; k < n; k++) {
		for (i = 0; i < nsub && submit_job[i] != t[k].job; i++)
			;
		if (i == nsub || !t[k].run_ns || !t[k].done_ns)
			continue;
		sched[got] = t[k].run_ns - submit_ts[i];
		ring[got++] = t[k].done_ns - t[k].run_ns;
	}
	free(submit_job);
	free(submit_ts);
	free(t);
	return got;
}

/* ---- the measurements ---- */

static int bench_roundtrip(struct bench_out *out, struct accel_device *dev)
{
	uint32_t n = out->o->roundtrips, i, traced = 0;
	uint64_t *v = calloc(n, sizeof(*v)), *sched = calloc(n, sizeof(*v));
	uint64_t *ring = calloc(n, sizeof(*v));
	struct accel_job_stats first, last;
	struct accel_cmdbuf *cb = NULL;
	const char *tdir = NULL;
	int err = -ENOMEM;

	if (!v || !sched || !ring || (err = bench_nop_cmdbuf(dev, &cb))) {
		bench_fail(dev, "a NOP command buffer", err);
		goto out;
	}
	/* one job first: the first submit of a file binds its context */
	if ((err = accel_cmdbuf_submit(cb, NULL)) || (err = bench_wait(dev, cb)))
		goto out;
	if (out->o->trace && !(tdir = bench_trace_switch(1)))
		fprintf(stderr, BENCH_NAME ": --trace: the quasar tracepoints are not writable "
			"(tracefs mounted? root?); no split\n");
	for (i = 0; i < n; i++) {
		uint64_t t0 = bench_now_ns();

		if ((err = accel_cmdbuf_submit(cb, NULL)) || (err = bench_wait(dev, cb))) {
			if (err != -EIO)
				bench_fail(dev, "a NOP job", err);
			goto out;
		}
		v[i] = bench_now_ns() - t0;
		if ((i == 0 || i == n - 1) &&
		    (err = accel_cmdbuf_stats(cb, i == 0 ? &first : &last))) {
			bench_fail(dev, "JOB_STATS", err);
			goto out;
		}
	}
	if (tdir) {
		bench_trace_switch(0);
		traced = bench_trace_read(tdir, first.queue, first.seqno, n, sched, ring);
		if (traced < n)
			fprintf(stderr, BENCH_NAME ": --trace: %u of %u jobs had all three "
				"tracepoints in %s/trace\n", traced, n, tdir);
	}
	bench_pct_us(v, n, 50, 0);
	bench_figure(out, "null_roundtrip", NULL, 0, 0, bench_mean_us(v, n), "us", v, n);
	if (traced) {
		bench_pct_us(sched, traced, 50, 0);
		bench_pct_us(ring, traced, 50, 0);
		bench_figure(out, "null_submit_to_run_job", NULL, 0, 0,
			     bench_mean_us(sched, traced), "us", sched, traced);
		bench_figure(out, "null_run_job_to_complete", NULL, 0, 0,
			     bench_mean_us(ring, traced), "us", ring, traced);
	}
	/* which jobs these were, for the device's own phases (QEMU's trace) */
	bench_figure(out, "null_seqno_first", NULL, 0, 0, (double)first.seqno, "seqno", NULL, 0);
	bench_figure(out, "null_seqno_last", NULL, 0, 0, (double)last.seqno, "seqno", NULL, 0);
	bench_figure(out, "null_hw_queue", NULL, 0, 0, (double)first.queue, "index", NULL, 0);
	err = 0;
out:
	accel_cmdbuf_destroy(cb);
	free(v);
	free(sched);
	free(ring);
	return err ? 1 : 0;
}

/* @jobs NOP jobs kept @depth deep on @q; jobs per second. */
static int bench_depth(struct accel_device *dev, struct accel_queue *q, uint32_t depth,
		       uint32_t jobs, double *rate)
{
	struct accel_cmdbuf *cb[BENCH_MAX_DEPTH] = { 0 };
	struct accel_submit sub = { .uqueue = q };
	uint32_t i, made = 0;
	uint64_t t0;
	int err = 0;

	for (; made < depth && !err; made++)
		if ((err = bench_nop_cmdbuf(dev, &cb[made])))
			bench_fail(dev, "a NOP command buffer", err);
	t0 = bench_now_ns();
	for (i = 0; i < jobs && !err; i++) {
		struct accel_cmdbuf *c = cb[i % depth];

		if (i >= depth && (err = bench_wait(dev, c)))
			break;
		if ((err = accel_cmdbuf_submit(c, &sub)))
			bench_fail(dev, "submitting a NOP job", err);
	}
	for (i = 0; i < depth && i < jobs && !err; i++)
		err = bench_wait(dev, cb[i]);
	*rate = (double)jobs / ((double)(bench_now_ns() - t0) / 1e9);
	for (i = 0; i < made; i++)
		accel_cmdbuf_destroy(cb[i]);
	return err;
}

static int bench_throughput(struct bench_out *out, struct accel_device *dev)
{
	const struct drm_quasar_device_info *info = accel_device_info(dev);
	uint32_t p, d;

	for (p = DRM_QUASAR_PRIORITY_LOW; p <= DRM_QUASAR_PRIORITY_HIGH; p++) {
		struct accel_queue *q;
		int err;

		if (!(info->queue_priorities & (1u << p)))
			continue;
		err = accel_queue_create(dev, p, &q);
		if (err == -EACCES || err == -EPERM) {
			fprintf(stderr, BENCH_NAME ": %s queues need privilege here; skipped\n",
				accel_priority_name(p));
			continue;
		}
		if (err)
			return bench_fail(dev, "creating a queue", err);
		for (d = 0; d < sizeof(bench_depths) / sizeof(bench_depths[0]); d++) {
			double rate;

			if (bench_depth(dev, q, bench_depths[d], out->o->jobs, &rate)) {
				accel_queue_destroy(q);
				return 1;
			}
			bench_figure(out, "nop_jobs_per_s", accel_priority_name(p), bench_depths[d],
				     0, rate, "jobs/s", NULL, 0);
		}
		accel_queue_destroy(q);
	}
	return 0;
}

static int bench_bo(struct bench_out *out, struct accel_device *dev)
{
	uint32_t n = out->o->bo_reps, s, i;
	uint64_t *v = calloc(n, sizeof(*v));

	if (!v)
		return bench_fail(dev, "memory", -ENOMEM);
	for (s = 0; s < sizeof(bench_bo_sizes) / sizeof(bench_bo_sizes[0]); s++) {
		for (i = 0; i < n; i++) {
			uint64_t t0 = bench_now_ns();
			struct accel_bo *bo;
			void *p;
			int err;

			if ((err = accel_bo_create(dev, bench_bo_sizes[s], &bo))) {
				free(v);
				return bench_fail(dev, "BO_CREATE", err);
			}
			if ((err = accel_bo_map(bo, &p))) {
				accel_bo_free(bo);
				free(v);
				return bench_fail(dev, "mapping a BO", err);
			}
			*(volatile uint8_t *)p = 1;
			accel_bo_free(bo);
			v[i] = bench_now_ns() - t0;
		}
		bench_pct_us(v, n, 50, 0);
		bench_figure(out, "bo_create_map_free", NULL, 0, bench_bo_sizes[s],
			     bench_mean_us(v, n), "us", v, n);
	}
	free(v);
	return 0;
}

/* Deterministic values in [-1, 1). */
static float bench_rand(uint32_t *s)
{
	*s = *s * 1664525u + 1013904223u;
	return (float)(int32_t)(*s >> 8 & 0xffffff) / 8388608.0f - 1.0f;
}

/* The GEMV's operands: INT4 g32 weights and one BF16 row, the same every run. */
struct bench_gemv {
	struct compress_qtensor *qt;
	uint16_t x[BENCH_GEMV_K];
	float y[BENCH_GEMV_N];
};

static int bench_gemv_make(struct bench_gemv *g)
{
	struct compress_qparams qp = { .fmt = DP_W_INT4, .group = 32 };
	size_t nw = (size_t)BENCH_GEMV_N * BENCH_GEMV_K, i;
	float *w = malloc(nw * sizeof(*w));
	uint32_t s = 7;
	int err;

	if (!w)
		return -ENOMEM;
	for (i = 0; i < nw; i++)
		w[i] = bench_rand(&s) * (0.25f + (float)(i / BENCH_GEMV_K % 7));
	for (i = 0; i < BENCH_GEMV_K; i++)
		g->x[i] = dp_f32_to_bf16(bench_rand(&s) * 2.0f);
	err = compress_quantize(w, BENCH_GEMV_N, BENCH_GEMV_K, BENCH_GEMV_K, &qp, &g->qt);
	free(w);
	if (err)
		tool_cli_error("quantizing the GEMV's weights failed: %s", compress_strerror(err));
	return err;
}

static struct dp_gemm bench_gemv_op(struct bench_gemv *g, float *y)
{
	return (struct dp_gemm){
		.w = compress_qtensor_wt(g->qt), .m = 1, .afmt = DP_A_BF16, .x = g->x,
		.ldx = BENCH_GEMV_K, .alpha = 1.0f, .ofmt = DP_O_FP32, .y = y,
		.ldy = BENCH_GEMV_N,
	};
}

/* Outputs 0..15 and the last 16 against the golden model, bit for bit. */
static int bench_gemv_check(struct bench_gemv *g)
{
	static float want[BENCH_GEMV_N];
	struct dp_gemm op = bench_gemv_op(g, want);
	uint32_t n;

	if (dp_gemm_ref_tile(&op, 0, 16, 0, 1) ||
	    dp_gemm_ref_tile(&op, BENCH_GEMV_N - 16, BENCH_GEMV_N, 0, 1))
		return -EINVAL;
	for (n = 0; n < BENCH_GEMV_N; n = n == 15 ? BENCH_GEMV_N - 16 : n + 1)
		if (memcmp(&want[n], &g->y[n], sizeof(float))) {
			tool_cli_error("GEMV output %u is %a, the golden model's %a", n,
				       (double)g->y[n], (double)want[n]);
			return -EIO;
		}
	return 0;
}

static int bench_gemv_device(struct bench_out *out, struct accel_device *dev)
{
	uint32_t n = out->o->gemv_reps, i;
	uint64_t *dev_ns = calloc(n, sizeof(uint64_t)), *wall = calloc(n, sizeof(uint64_t));
	struct accel_tensor *tx = NULL, *tw = NULL, *ty = NULL;
	struct accel_epilogue epi = { .alpha = 1.0f };
	struct accel_cmdbuf *cb = NULL;
	struct bench_gemv *g = calloc(1, sizeof(*g));
	struct accel_job_stats st;
	int err = -ENOMEM;

	if (!dev_ns || !wall || !g || (err = bench_gemv_make(g)))
		goto out;
	if ((err = accel_tensor_create(dev, DRM_QUASAR_FORMAT_BF16, 2,
				       (uint32_t[]){ 1, BENCH_GEMV_K }, &tx)) ||
	    (err = accel_tensor_create(dev, DRM_QUASAR_FORMAT_FP32, 2,
				       (uint32_t[]){ 1, BENCH_GEMV_N }, &ty)) ||
	    (err = compress_tensor_from_qtensor(dev, g->qt, &tw)) ||
	    (err = accel_tensor_write(tx, g->x, BENCH_GEMV_K)) ||
	    (err = accel_cmdbuf_create(dev, &cb)) ||
	    (err = accel_op_gemm(cb, ty, tx, tw, &epi))) {
		bench_fail(dev, "setting up the GEMV", err);
		goto out;
	}
	/* one job first: it warms the host's caches and the guest's pages up */
	if ((err = accel_cmdbuf_submit(cb, NULL)) || (err = bench_wait(dev, cb)))
		goto out;
	for (i = 0; i < n; i++) {
		uint64_t t0 = bench_now_ns();

		if ((err = accel_cmdbuf_submit(cb, NULL)) || (err = bench_wait(dev, cb))) {
			if (err != -EIO)
				bench_fail(dev, "the GEMV job", err);
			goto out;
		}
		wall[i] = bench_now_ns() - t0;
		if ((err = accel_cmdbuf_stats(cb, &st))) {
			bench_fail(dev, "JOB_STATS", err);
			goto out;
		}
		dev_ns[i] = st.device_ns;
		if (i == 0)
			bench_figure(out, "gemv_w4_seqno_first", NULL, 0, 0, (double)st.seqno,
				     "seqno", NULL, 0);
	}
	if ((err = accel_tensor_read(ty, g->y, BENCH_GEMV_N)) || (err = bench_gemv_check(g)))
		goto out;
	bench_figure(out, "gemv_w4_seqno_last", NULL, 0, 0, (double)st.seqno, "seqno", NULL, 0);
	bench_figure(out, "gemv_w4_hw_queue", NULL, 0, 0, (double)st.queue, "index", NULL, 0);
	bench_pct_us(dev_ns, n, 50, 0);
	bench_pct_us(wall, n, 50, 0);
	bench_figure(out, "gemv_w4_device", NULL, 0, 0, bench_pct_us(dev_ns, n, 50, 1), "us",
		     dev_ns, n);
	bench_figure(out, "gemv_w4_submit_to_complete", NULL, 0, 0, bench_pct_us(wall, n, 50, 1),
		     "us", wall, n);
	err = 0;
out:
	if (err == -ENOMEM)
		tool_cli_error("the GEMV: out of memory");
	accel_cmdbuf_destroy(cb);
	accel_tensor_free(tx);
	accel_tensor_free(tw);
	accel_tensor_free(ty);
	if (g)
		compress_qtensor_free(g->qt);
	free(g);
	free(dev_ns);
	free(wall);
	return err ? 1 : 0;
}

#ifdef BENCH_HOST_KERNEL
#include "dp_isa.h"

/* The GEMV through the SIMD kernel, one thread, as the device's engine runs it. */
static int bench_host_kernel(struct bench_out *out)
{
	uint32_t n = out->o->gemv_reps, i, isa = dp_isa_best();
	struct bench_gemv *g = calloc(1, sizeof(*g));
	uint64_t *v = calloc(n, sizeof(uint64_t));
	struct dp_gemm op;
	void *ws = NULL;
	size_t wsz;
	int err = -ENOMEM;

	if (!g || !v || (err = bench_gemv_make(g)))
		goto out;
	op = bench_gemv_op(g, g->y);
	wsz = (dp_gemm_ws_size(&op) + DP_WS_ALIGN - 1) / DP_WS_ALIGN * DP_WS_ALIGN;
	ws = aligned_alloc(DP_WS_ALIGN, wsz);
	err = -ENOMEM;
	if (!ws)
		goto out;
	for (i = 0; i <= n; i++) {	/* the first warms caches and pages up */
		uint64_t t0 = bench_now_ns();

		if ((err = dp_gemm_prepare(&op, ws, wsz)) ||
		    (err = dp_gemm_tile(&op, ws, isa, 0, BENCH_GEMV_N, 0, 1)))
			goto out;
		if (i)
			v[i - 1] = bench_now_ns() - t0;
	}
	if ((err = bench_gemv_check(g)))
		goto out;
	bench_pct_us(v, n, 50, 0);
	fprintf(stderr, BENCH_NAME ": the host's GEMV kernel: %s, one thread\n", dp_isa_name(isa));
	bench_figure(out, "gemv_w4_host_kernel", NULL, 0, 0, bench_pct_us(v, n, 50, 1), "us", v,
		     n);
out:
	if (err)
		tool_cli_error("the host kernel's GEMV failed (%d)", err);
	free(ws);
	if (g)
		compress_qtensor_free(g->qt);
	free(g);
	free(v);
	return err ? 1 : 0;
}
#endif

static void bench_usage(FILE *f)
{
	fprintf(f,
		"Usage: " BENCH_NAME " [options]\n"
		"Measures what the Quasar stack itself costs: job round trips, jobs/s, BOs, a GEMV.\n\n"
		"Runs NOP jobs one at a time (p50/p99 round trip) and kept 1, 8 and 64 deep on\n"
		"a queue of each priority (jobs/s), creates, maps and frees BOs of 4 KiB to\n"
		"16 MiB, and runs a 4096 x 4096 INT4 (g32) GEMV with BF16 activations (the\n"
		"device's time and submit to completion; outputs checked against the golden\n"
		"model). bench/stack_bench.sh (make bench) turns --json into\n"
		"build/bench/stack.csv and a plot. Figures only: nothing is judged on a time.\n\n"
		"Options:\n"
		"  --roundtrips N   NOP jobs timed one at a time (default 200)\n"
		"  --jobs N         NOP jobs per priority and depth (default 512)\n"
		"  --bo-reps N      BOs per size (default 50)\n"
		"  --gemv-reps N    GEMV jobs (default 10)\n"
		"  --trace          split the round trip with the driver's tracepoints\n"
		"                   (SUBMIT -> run_job -> completion; needs tracefs, root)\n"
#ifdef BENCH_HOST_KERNEL
		"  --host-kernel    only the GEMV through the datapath's SIMD kernel on this\n"
		"                   host, one thread (no device): the overhead ratio's baseline\n"
#endif
		);
}

enum { O_RT = 256, O_JOBS, O_BO, O_GEMV, O_TRACE, O_HOSTK };

static void bench_parse(struct bench_opts *o, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "roundtrips", 1, 0, O_RT }, { "jobs", 1, 0, O_JOBS }, { "bo-reps", 1, 0, O_BO },
		{ "gemv-reps", 1, 0, O_GEMV }, { "trace", 0, 0, O_TRACE },
#ifdef BENCH_HOST_KERNEL
		{ "host-kernel", 0, 0, O_HOSTK },
#endif
		{ 0 },
	};
	struct tool_cli cli = { .name = BENCH_NAME, .usage = bench_usage,
				.flags = TOOL_CLI_DEVICE | TOOL_CLI_JSON };
	int c;

	*o = (struct bench_opts){ .roundtrips = 200, .jobs = 512, .bo_reps = 50, .gemv_reps = 10 };
	while ((c = tool_cli_getopt(&cli, argc, argv, "", opts)) != -1) {
		switch (c) {
		case O_RT: o->roundtrips = tool_cli_u32("--roundtrips", optarg, 1, 1000000); break;
		case O_JOBS: o->jobs = tool_cli_u32("--jobs", optarg, 1, 10000000); break;
		case O_BO: o->bo_reps = tool_cli_u32("--bo-reps", optarg, 1, 100000); break;
		case O_GEMV: o->gemv_reps = tool_cli_u32("--gemv-reps", optarg, 1, 100000); break;
		case O_TRACE: o->trace = 1; break;
		case O_HOSTK: o->host_kernel = 1; break;
		}
	}
	if (optind < argc)
		tool_cli_usage_error("unexpected argument '%s'", argv[optind]);
	o->device = cli.device;
	o->device_name = tool_cli_device_name(&cli);
	o->json = cli.json;
}

int main(int argc, char **argv)
{
	struct bench_opts o;
	struct bench_out out = { .o = &o };
	struct accel_device *dev;
	int err, rc;

	bench_parse(&o, argc, argv);
#ifdef BENCH_HOST_KERNEL
	if (o.host_kernel)
		return bench_host_kernel(&out);
#endif
	err = accel_device_open(o.device, &dev);
	if (err) {
		tool_cli_error("opening %s failed: %s", o.device_name, accel_strerror(err));
		return 1;
	}
	rc = bench_roundtrip(&out, dev) || bench_throughput(&out, dev) || bench_bo(&out, dev) ||
	     bench_gemv_device(&out, dev);
	accel_device_close(dev);
	return rc;
}
