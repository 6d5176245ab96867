// SPDX-License-Identifier: MIT
/*
 * Quasar datapath benchmark: GEMV (M=1) and GEMM (M=128, 512) at K=N=4096
 * for every weight format, against OpenBLAS SGEMV/SGEMM on FP32 weights of
 * the same shape and a streaming read, all in one run.
 *
 * GEMV (bench/dp_bench.md): one thread, every call timed alone; ours,
 * OpenBLAS SGEMV (one thread) and a 4-stream read of the same bytes take
 * turns call by call, each over its own copies (>= 256 MiB together) so
 * that no call finds its weights in cache, and each keeps its fastest call.
 * Other jobs on the machine only ever slow a call down, and a call is short
 * enough (about a millisecond) that some calls run undisturbed.
 * GEMM: one thread each by default (--threads: panels split over more,
 * OpenBLAS on as many), the fastest of a few interleaved calls each: with
 * two threads on a loaded machine a call always waits for its slower one.
 * Options: dp_bench --help.
 */
#define _GNU_SOURCE
#include <cblas.h>
#include <errno.h>
#include <immintrin.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "compress.h"
#include "dp_gemm.h"
#include "dp_num.h"
#include "tool_cli.h"
#include "tool_json.h"

#define BENCH_K 4096
#define BENCH_N 4096
#define BENCH_GEMV_BYTES (256ull << 20)
#define BENCH_MAX_THREADS 64
#define BENCH_GEMV_CALLS 100

static double bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* ---- a minimal thread pool: run fn(arg, tid, nthreads) on every thread ---- */

struct bench_pool {
	int n;
	pthread_t th[BENCH_MAX_THREADS];
	pthread_barrier_t start, done;
	void (*fn)(void *arg, int tid, int n);
	void *arg;
	int quit;
};

struct bench_worker {
	struct bench_pool *pool;
	int tid;
};

static struct bench_worker bench_workers[BENCH_MAX_THREADS];

static void *bench_worker_main(void *p)
{
	struct bench_worker *w = p;

	for (;;) {
		pthread_barrier_wait(&w->pool->start);
		if (w->pool->quit)
			return NULL;
		w->pool->fn(w->pool->arg, w->tid, w->pool->n);
		pthread_barrier_wait(&w->pool->done);
	}
}

static void bench_pool_init(struct bench_pool *pool, int n)
{
	int i;

	pool->n = n;
	pthread_barrier_init(&pool->start, NULL, n);
	pthread_barrier_init(&pool->done, NULL, n);
	for (i = 1; i < n; i++) {
		bench_workers[i] = (struct bench_worker){ pool, i };
		pthread_create(&pool->th[i], NULL, bench_worker_main, &bench_workers[i]);
	}
}

static void bench_pool_run(struct bench_pool *pool, void (*fn)(void *, int, int), void *arg)
{
	pool->fn = fn;
	pool->arg = arg;
	pthread_barrier_wait(&pool->start);
	fn(arg, 0, pool->n);
	pthread_barrier_wait(&pool->done);
}

static void bench_pool_stop(struct bench_pool *pool)
{
	int i;

	pool->quit = 1;
	pthread_barrier_wait(&pool->start);
	for (i = 1; i < pool->n; i++)
		pthread_join(pool->th[i], NULL);
}

/* ---- the GEMM job: panels split evenly over threads ---- */

struct bench_gemm_job {
	const struct dp_gemm *g;
	const void *ws;
	uint32_t isa;
};

static void bench_gemm_part(void *arg, int tid, int n)
{
	struct bench_gemm_job *j = arg;
	uint32_t panels = (j->g->w->n + DP_PANEL - 1) / DP_PANEL;
	uint32_t p0 = panels * tid / n, p1 = panels * (tid + 1) / n;
	uint32_t n1 = p1 * DP_PANEL > j->g->w->n ? j->g->w->n : p1 * DP_PANEL;

	if (p0 < p1)
		dp_gemm_tile(j->g, j->ws, j->isa, p0 * DP_PANEL, n1, 0, j->g->m);
}

/* ---- streaming read: the bandwidth a single thread gets from DRAM ---- */

static volatile double bench_sink;	/* the reads' sums, so that they are not optimized out */

/* Four sequential streams, as many as DRAM rewards (SGEMV reads rows likewise). */
static double bench_read(const uint8_t *p, size_t len)
{
	size_t chunk = len / 4 / 128 * 128, i;
	__m512i a0 = _mm512_setzero_si512(), a1 = a0, a2 = a0, a3 = a0;

	for (i = 0; i < chunk; i += 128) {
		a0 = _mm512_add_epi64(a0, _mm512_load_si512(p + i));
		a1 = _mm512_add_epi64(a1, _mm512_load_si512(p + chunk + i));
		a2 = _mm512_add_epi64(a2, _mm512_load_si512(p + 2 * chunk + i));
		a3 = _mm512_add_epi64(a3, _mm512_load_si512(p + 3 * chunk + i));
		a0 = _mm512_add_epi64(a0, _mm512_load_si512(p + i + 64));
		a1 = _mm512_add_epi64(a1, _mm512_load_si512(p + chunk + i + 64));
		a2 = _mm512_add_epi64(a2, _mm512_load_si512(p + 2 * chunk + i + 64));
		a3 = _mm512_add_epi64(a3, _mm512_load_si512(p + 3 * chunk + i + 64));
	}
	a0 = _mm512_add_epi64(_mm512_add_epi64(a0, a1), _mm512_add_epi64(a2, a3));
	return (double)_mm512_reduce_add_epi64(a0);
}

/* ---- one weight format ---- */

struct bench_fmt {
	const char *label;
	uint32_t fmt, group, asym, afmt;
};

static const struct bench_fmt bench_fmts[] = {
	{ "bf16",            DP_W_BF16,    0,   0, DP_A_BF16 },
	{ "int8_w8a8",       DP_W_INT8,    0,   0, DP_A_INT8 },
	{ "int8_w8a16",      DP_W_INT8,    0,   0, DP_A_BF16 },
	{ "int4g32_w4a8",    DP_W_INT4,    32,  0, DP_A_INT8 },
	{ "int4g32_w4a16",   DP_W_INT4,    32,  0, DP_A_BF16 },
	{ "int4g32z_w4a8",   DP_W_INT4,    32,  1, DP_A_INT8 },
	{ "int4g32z_w4a16",  DP_W_INT4,    32,  1, DP_A_BF16 },
	{ "int4g64_w4a8",    DP_W_INT4,    64,  0, DP_A_INT8 },
	{ "int4g64_w4a16",   DP_W_INT4,    64,  0, DP_A_BF16 },
	{ "int4g64z_w4a8",   DP_W_INT4,    64,  1, DP_A_INT8 },
	{ "int4g64z_w4a16",  DP_W_INT4,    64,  1, DP_A_BF16 },
	{ "int4g128_w4a8",   DP_W_INT4,    128, 0, DP_A_INT8 },
	{ "int4g128_w4a16",  DP_W_INT4,    128, 0, DP_A_BF16 },
	{ "int4g128z_w4a8",  DP_W_INT4,    128, 1, DP_A_INT8 },
	{ "int4g128z_w4a16", DP_W_INT4,    128, 1, DP_A_BF16 },
	{ "mxint8_a8",       DP_W_MXINT8,  0,   0, DP_A_INT8 },
	{ "mxint8_a16",      DP_W_MXINT8,  0,   0, DP_A_BF16 },
	{ "mxfp8_a16",       DP_W_MXFP8,   0,   0, DP_A_BF16 },
	{ "mxfp4_a8",        DP_W_MXFP4,   0,   0, DP_A_INT8 },
	{ "mxfp4_a16",       DP_W_MXFP4,   0,   0, DP_A_BF16 },
	{ "nvfp4_a8",        DP_W_NVFP4,   0,   0, DP_A_INT8 },
	{ "nvfp4_a16",       DP_W_NVFP4,   0,   0, DP_A_BF16 },
	{ "sp_bf16_a16",     DP_W_SP_BF16, 0,   0, DP_A_BF16 },
	{ "sp_int8_a8",      DP_W_SP_INT8, 0,   0, DP_A_INT8 },
	{ "sp_int8_a16",     DP_W_SP_INT8, 0,   0, DP_A_BF16 },
	{ "sp_int4g32_a8",   DP_W_SP_INT4, 32,  0, DP_A_INT8 },
	{ "sp_int4g32_a16",  DP_W_SP_INT4, 32,  0, DP_A_BF16 },
};

#define BENCH_NFMTS (sizeof(bench_fmts) / sizeof(bench_fmts[0]))

struct bench_copy {
	struct dp_wt w;
	void *bufs[4];
};

static void *bench_dup(const void *src, size_t len)
{
	void *p;

	if (!src || !len)
		return NULL;
	p = aligned_alloc(64, (len + 63) / 64 * 64);
	if (!p) {
		perror("aligned_alloc");
		exit(1);
	}
	memcpy(p, src, len);
	return p;
}

static struct bench_copy *bench_copies(const struct compress_qtensor *qt, uint32_t count)
{
	const struct dp_wt *w = compress_qtensor_wt(qt);
	struct bench_copy *c = calloc(count, sizeof(*c));
	struct dp_geom g;
	uint32_t i;

	dp_wt_check(w, &g);
	for (i = 0; i < count; i++) {
		c[i].w = *w;
		c[i].w.data = c[i].bufs[0] = bench_dup(w->data, g.data_bytes);
		c[i].w.scales = c[i].bufs[1] = bench_dup(w->scales, g.scale_bytes);
		c[i].w.zeros = c[i].bufs[2] = bench_dup(w->zeros, g.zero_bytes);
		c[i].w.meta = c[i].bufs[3] = bench_dup(w->meta, g.meta_bytes);
	}
	return c;
}

static void bench_copies_free(struct bench_copy *c, uint32_t count)
{
	uint32_t i, j;

	for (i = 0; i < count; i++)
		for (j = 0; j < 4; j++)
			free(c[i].bufs[j]);
	free(c);
}

struct bench_ctx {
	struct bench_pool pool;
	uint32_t isa;
	int threads;		/* GEMM threads, ours and OpenBLAS's */
	const float *wf;	/* FP32 weights, N x K */
	const uint16_t *x;	/* BF16 activations, 512 x K */
	const float *xf;	/* the same in FP32 */
	float *yf;
	FILE *csv;
	FILE *text;		/* the table: stdout, or stderr with --json */
	int json;
	const char *only;	/* --only: comma-separated labels */
	double stream_gbps;
	double sgemv_s, sgemm_s[2];
	float **sgemv_copies;
	uint32_t sgemv_ncopies, sgemv_next;
	uint8_t *stream_buf;
	size_t stream_len, stream_off;
	uint32_t gemv_calls, gemm_calls;
	int quick;
	int gemv_only;
	int hot;
};

/* The fastest of each timing a GEMV row takes, in seconds per call. */
struct bench_gemv_min {
	double ours, sgemv, read;
};

static void bench_min(double *best, double t)
{
	if (t < *best)
		*best = t;
}

/* Activations as the job quantizes them: up to 512 int8 rows and their scales. */
static int8_t bench_qx[512 * BENCH_K] __attribute__((aligned(64)));
static float bench_sx[512];

/* The job: @m rows of the bench's activations times @w, FP32 out. */
static struct dp_gemm bench_gemm_desc(struct bench_ctx *b, const struct bench_fmt *f,
				      const struct dp_wt *w, uint32_t m)
{
	return (struct dp_gemm){ .m = m, .afmt = f->afmt, .w = w, .x = b->x, .qx = bench_qx,
				 .sx = bench_sx, .ldx = BENCH_K, .alpha = 1.0f,
				 .ofmt = DP_O_FP32, .y = b->yf, .ldy = BENCH_N };
}

/* A workspace for @g; the bench stops with the datapath's error if it has none. */
static void *bench_ws(const struct dp_gemm *g, const char *label, size_t *wsz)
{
	struct dp_geom geom;
	int ret = dp_gemm_check(g, &geom);
	void *ws;

	if (ret) {
		fprintf(stderr, "dp_bench: %s M=%u: dp_gemm_check returned %d\n", label, g->m,
			ret);
		exit(1);
	}
	*wsz = dp_gemm_ws_size(g);
	ws = aligned_alloc(64, (*wsz + 63) / 64 * 64);
	if (!ws) {
		perror("aligned_alloc");
		exit(1);
	}
	return ws;
}

/*
 * One GEMV (M = 1) on this thread, as the device runs the job: quantize
 * the activations (int8), prepare the row, then every panel.
 */
static double bench_gemv_once(struct bench_ctx *b, const struct bench_fmt *f, struct dp_gemm *g,
			      void *ws, size_t wsz)
{
	double t0 = bench_now();

	if (f->afmt == DP_A_INT8)
		dp_act_quant_fast(b->x, BENCH_K, bench_qx, bench_sx, b->isa);
	dp_gemm_prepare(g, ws, wsz);
	dp_gemm_tile(g, ws, b->isa, 0, BENCH_N, 0, 1);
	return bench_now() - t0;
}

/* One OpenBLAS SGEMV (one thread) on the next FP32 copy. */
static double bench_sgemv_once(struct bench_ctx *b)
{
	const float *w = b->sgemv_copies[b->sgemv_next++ % b->sgemv_ncopies];
	double t0 = bench_now();

	cblas_sgemv(CblasRowMajor, CblasNoTrans, BENCH_N, BENCH_K, 1.0f, w, BENCH_K, b->xf, 1,
		    0.0f, b->yf, 1);
	return bench_now() - t0;
}

/* One read of @len bytes, each from the next part of the stream buffer. */
static double bench_read_once(struct bench_ctx *b, size_t len)
{
	double t0;

	len = len / 512 * 512;
	if (b->hot || b->stream_off + len > b->stream_len)
		b->stream_off = 0;
	t0 = bench_now();
	bench_sink += bench_read(b->stream_buf + b->stream_off, len);
	t0 = bench_now() - t0;
	b->stream_off = (b->stream_off + len + 4095) & ~(size_t)4095;
	return t0;
}

/*
 * The GEMV timing: ours (when @cp is given), SGEMV and a read of @bytes
 * take turns call by call, so all three see the same machine; the first
 * round warms up. The copies are cycled, so a call's weights were last
 * touched more than 256 MiB of other reads ago and come from DRAM.
 */
static void bench_gemv_loop(struct bench_ctx *b, const struct bench_fmt *f,
			    const struct bench_copy *cp, uint32_t ncopies, size_t bytes,
			    struct bench_gemv_min *best)
{
	struct dp_gemm g;
	size_t wsz = 0;
	void *ws = NULL;
	uint32_t r;

	*best = (struct bench_gemv_min){ 1e30, 1e30, 1e30 };
	if (cp) {
		g = bench_gemm_desc(b, f, &cp[0].w, 1);
		ws = bench_ws(&g, f->label, &wsz);
	}
	openblas_set_num_threads(1);
	for (r = 0; r <= b->gemv_calls; r++) {
		double to = 0, ts, tr;

		if (cp) {
			g.w = &cp[r % ncopies].w;
			to = bench_gemv_once(b, f, &g, ws, wsz);
		}
		ts = bench_sgemv_once(b);
		tr = bench_read_once(b, bytes);
		if (r == 0)
			continue;
		bench_min(&best->ours, to);
		bench_min(&best->sgemv, ts);
		bench_min(&best->read, tr);
	}
	openblas_set_num_threads(b->threads);
	free(ws);
}

/* One GEMM of @m rows on every thread of the pool, activation quantization included. */
static double bench_gemm_once(struct bench_ctx *b, const struct bench_fmt *f, struct dp_gemm *g,
			      void *ws, size_t wsz)
{
	struct bench_gemm_job job = { g, ws, b->isa };
	double t0 = bench_now();
	uint32_t i;

	/* the device quantizes activations as part of the job */
	if (f->afmt == DP_A_INT8)
		for (i = 0; i < g->m; i++)
			dp_act_quant_fast(b->x + (size_t)i * BENCH_K, BENCH_K,
					  bench_qx + (size_t)i * BENCH_K, &bench_sx[i], b->isa);
	dp_gemm_prepare(g, ws, wsz);
	bench_pool_run(&b->pool, bench_gemm_part, &job);
	return bench_now() - t0;
}

static double bench_sgemm_once(struct bench_ctx *b, uint32_t m)
{
	double t0 = bench_now();

	/* Y[m][n] = X[m][:] . W[n][:], the same orientation as ours */
	cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, BENCH_N, BENCH_K, 1.0f, b->xf,
		    BENCH_K, b->sgemv_copies[0], BENCH_K, 0.0f, b->yf, BENCH_N);
	return bench_now() - t0;
}

static void bench_row(struct bench_ctx *b, const char *op, const char *fmt, uint32_t m,
		      double s, double wbytes, double base, double stream_gbps)
{
	double gops = 2.0 * m * BENCH_K * BENCH_N / s * 1e-9, gbps = wbytes / s * 1e-9;
	int threads = !strcmp(op, "gemv") ? 1 : b->pool.n;

	fprintf(b->text, "%-5s %-15s %4u %5u %5u %10.6f %9.1f %8.1f %10.6f %7.2fx",
		op, fmt, m, BENCH_K, BENCH_N, s, gops, gbps, base, base / s);
	if (!strcmp(op, "gemv") && stream_gbps > 0)
		fprintf(b->text, "  %3.0f%% of read %.1f GB/s", 100.0 * gbps / stream_gbps,
			stream_gbps);
	fprintf(b->text, "\n");
	fflush(b->text);
	if (b->csv)
		fprintf(b->csv, "%s,%s,%u,%u,%u,%.9f,%.3f,%.3f,%.9f,%.4f,%.3f,%d\n", op, fmt, m,
			BENCH_K, BENCH_N, s, gops, gbps, base, base / s, stream_gbps, threads);
	if (b->json) {
		struct tool_json j;

		tool_json_begin(&j, stdout);
		tool_json_str(&j, "op", op);
		tool_json_str(&j, "format", fmt);
		tool_json_u64(&j, "m", m);
		tool_json_u64(&j, "k", BENCH_K);
		tool_json_u64(&j, "n", BENCH_N);
		tool_json_double(&j, "seconds", s);
		tool_json_double(&j, "gops", gops);
		tool_json_double(&j, "weight_gbps", gbps);
		tool_json_double(&j, "baseline_seconds", base);
		tool_json_double(&j, "speedup", base / s);
		tool_json_u64(&j, "threads", (uint64_t)threads);
		if (!strcmp(op, "gemv") && stream_gbps > 0) {
			tool_json_double(&j, "read_gbps", stream_gbps);
			tool_json_double(&j, "share_of_read_bandwidth", gbps / stream_gbps);
		}
		tool_json_end(&j);
		fflush(stdout);
	}
}

static void bench_format(struct bench_ctx *b, const struct bench_fmt *f)
{
	struct compress_qparams qp = { .fmt = f->fmt, .group = f->group, .asym = f->asym };
	struct compress_qtensor *qt;
	struct bench_copy *cp;
	struct bench_gemv_min gv;
	uint32_t ncopies, ms[2] = { 128, 512 }, i, r;
	size_t bytes;
	int ret;

	ret = compress_quantize(b->wf, BENCH_N, BENCH_K, BENCH_K, &qp, &qt);
	if (ret) {
		fprintf(stderr, "quantize %s: %s\n", f->label, compress_strerror(ret));
		exit(1);
	}
	bytes = compress_qtensor_bytes(qt);
	ncopies = (uint32_t)((BENCH_GEMV_BYTES + bytes - 1) / bytes);
	if (b->hot)
		ncopies = 1;	/* diagnosis: weights stay in the last-level cache */
	cp = bench_copies(qt, ncopies);
	bench_gemv_loop(b, f, cp, ncopies, bytes, &gv);
	bench_row(b, "gemv", f->label, 1, gv.ours, (double)bytes, gv.sgemv,
		  (double)(bytes / 512 * 512) / gv.read * 1e-9);
	for (i = 0; !b->gemv_only && i < 2; i++) {
		struct dp_gemm g = bench_gemm_desc(b, f, &cp[0].w, ms[i]);
		double ours = 1e30, base = 1e30;
		size_t wsz;
		void *ws = bench_ws(&g, f->label, &wsz);

		/* interleaved with SGEMM for the same reason as the GEMV; call 0 warms up */
		for (r = 0; r <= b->gemm_calls; r++) {
			double to = bench_gemm_once(b, f, &g, ws, wsz);
			double ts = bench_sgemm_once(b, ms[i]);

			if (r == 0)
				continue;
			bench_min(&ours, to);
			bench_min(&base, ts);
		}
		bench_row(b, "gemm", f->label, ms[i], ours, (double)bytes, base, 0);
		free(ws);
	}
	bench_copies_free(cp, ncopies);
	compress_qtensor_free(qt);
}

static void bench_baselines(struct bench_ctx *b)
{
	size_t wbytes = (size_t)BENCH_N * BENCH_K * sizeof(float);
	uint32_t ncopies = (uint32_t)((BENCH_GEMV_BYTES + wbytes - 1) / wbytes), i, r;
	uint32_t ms[2] = { 128, 512 };
	struct bench_gemv_min gv;

	/* a read buffer as large as any GEMV's copies: a read never hits cache either */
	b->stream_len = BENCH_GEMV_BYTES + (64u << 20);
	b->stream_buf = aligned_alloc(64, b->stream_len);
	memset(b->stream_buf, 1, b->stream_len);
	b->sgemv_ncopies = b->hot ? 1 : ncopies;
	b->sgemv_copies = calloc(b->sgemv_ncopies, sizeof(*b->sgemv_copies));
	for (i = 0; i < b->sgemv_ncopies; i++)
		b->sgemv_copies[i] = bench_dup(b->wf, wbytes);
	bench_gemv_loop(b, NULL, NULL, 0, wbytes, &gv);
	b->sgemv_s = gv.sgemv;
	b->stream_gbps = (double)(wbytes / 512 * 512) / gv.read * 1e-9;
	for (i = 0; !b->gemv_only && i < 2; i++) {
		b->sgemm_s[i] = 1e30;
		for (r = 0; r <= b->gemm_calls; r++) {
			double t = bench_sgemm_once(b, ms[i]);

			if (r > 0)
				bench_min(&b->sgemm_s[i], t);
		}
	}
}

static void bench_usage(FILE *f)
{
	fprintf(f,
		"Usage: dp_bench [options]\n"
		"Times the datapath's GEMV and GEMM kernels in every weight format against OpenBLAS.\n\n"
		"GEMV (M = 1) and GEMM (M = 128, 512) at K = N = 4096 for every weight format,\n"
		"against OpenBLAS SGEMV/SGEMM on FP32 weights of the same shape and a streaming\n"
		"read, all in one run (speed as a ratio to the baseline of the same run).\n"
		"GEMV: one thread, each call timed alone, ours, SGEMV and a read of the same\n"
		"bytes taking turns; >= 256 MiB of copies each, so that weights come from DRAM;\n"
		"the fastest call of each. GEMM: one thread each (--threads), the fastest of a\n"
		"few calls.\n"
		"See bench/dp_bench.md.\n\n"
		"Options:\n"
		"  --csv FILE     write one CSV line per row (make bench: build/bench/datapath.csv)\n"
		"  --only LIST    only the formats whose labels are in the comma-separated LIST\n"
		"                 (int4g32_w4a8, mxfp4_a8, ...: the table's format column)\n"
		"  --gemv-only    GEMV rows only\n"
		"  --calls N      GEMV calls timed per row (default %u; GEMM: a tenth, at least 3)\n"
		"  --threads N    GEMM threads, ours and OpenBLAS's (default 1, at most %d)\n"
		"  --quick        a smoke run: 8 GEMV calls, 1 GEMM call\n"
		"  --hot          one weight copy, cache-resident (not DRAM-bound)\n",
		BENCH_GEMV_CALLS, BENCH_MAX_THREADS);
}

/* Is @label one of the comma-separated labels of @list? */
static int bench_listed(const char *list, const char *label)
{
	size_t n = strlen(label);
	const char *p;

	for (p = list; (p = strstr(p, label)); p += n)
		if ((p == list || p[-1] == ',') && (p[n] == ',' || !p[n]))
			return 1;
	return 0;
}

enum { O_CSV = 256, O_ONLY, O_GEMV_ONLY, O_CALLS, O_THREADS, O_QUICK, O_HOT };

static void bench_parse(struct bench_ctx *b, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "csv", 1, 0, O_CSV }, { "only", 1, 0, O_ONLY }, { "gemv-only", 0, 0, O_GEMV_ONLY },
		{ "calls", 1, 0, O_CALLS }, { "threads", 1, 0, O_THREADS }, { "quick", 0, 0, O_QUICK },
		{ "hot", 0, 0, O_HOT }, { 0 },
	};
	struct tool_cli cli = { .name = "dp_bench", .usage = bench_usage, .flags = TOOL_CLI_JSON };
	const char *csv = NULL, *comma;
	char *end;
	unsigned long calls = BENCH_GEMV_CALLS;
	size_t i;
	int c;

	while ((c = tool_cli_getopt(&cli, argc, argv, "", opts)) != -1) {
		switch (c) {
		case O_CSV: csv = optarg; break;
		case O_ONLY: b->only = optarg; break;
		case O_GEMV_ONLY: b->gemv_only = 1; break;
		case O_CALLS:
			errno = 0;
			calls = strtoul(optarg, &end, 10);
			if (errno || *end || !*optarg || calls < 1 || calls > 100000)
				tool_cli_usage_error("--calls '%s': not a count from 1 to 100000",
						     optarg);
			break;
		case O_THREADS:
			errno = 0;
			b->threads = (int)strtol(optarg, &end, 10);
			if (errno || *end || !*optarg || b->threads < 1 ||
			    b->threads > BENCH_MAX_THREADS)
				tool_cli_usage_error("--threads '%s': not a count from 1 to %d", optarg,
						     BENCH_MAX_THREADS);
			break;
		case O_QUICK: b->quick = 1; break;
		case O_HOT: b->hot = 1; break;
		}
	}
	if (optind < argc)
		tool_cli_usage_error("unexpected argument '%s'", argv[optind]);
	for (comma = b->only; comma; comma = strchr(comma, ',') ? strchr(comma, ',') + 1 : NULL) {
		size_t n = strcspn(comma, ",");

		for (i = 0; i < BENCH_NFMTS; i++)
			if (strlen(bench_fmts[i].label) == n && !strncmp(comma, bench_fmts[i].label, n))
				break;
		if (i == BENCH_NFMTS)
			tool_cli_usage_error("--only '%.*s': no such format (e.g. int4g32_w4a8, mxfp4_a8)",
					     (int)n, comma);
	}
	b->gemv_calls = b->quick ? 8 : (uint32_t)calls;
	b->gemm_calls = b->quick ? 1 : b->gemv_calls / 10 < 3 ? 3 : b->gemv_calls / 10;
	b->json = cli.json;
	b->text = cli.json ? stderr : stdout;
	if (csv) {
		b->csv = fopen(csv, "w");
		if (!b->csv) {
			tool_cli_error("--csv %s: %s", csv, strerror(errno));
			exit(TOOL_EXIT_FAIL);
		}
		fprintf(b->csv, "op,format,M,K,N,seconds,gops,weight_gbps,baseline_seconds,"
			"speedup,read_gbps,threads\n");
	}
}

int main(int argc, char **argv)
{
	struct bench_ctx b = { 0 };
	float *wf, *xf;
	uint16_t *x;
	size_t i;

	b.threads = 1;
	/*
	 * OpenBLAS reads these when it is loaded, before main(): if they are
	 * set, run again without them so the baseline gets its best kernel.
	 */
	if (getenv("OPENBLAS_CORETYPE") || getenv("OPENBLAS_L2_SIZE")) {
		unsetenv("OPENBLAS_CORETYPE");
		unsetenv("OPENBLAS_L2_SIZE");
		char self[4096];
		ssize_t len = readlink("/proc/self/exe", self, sizeof(self) - 1);

		if (len > 0) {
			self[len] = 0;
			execv(self, argv);
		}
		perror("re-exec without OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE");
		return 1;
	}
	bench_parse(&b, argc, argv);
	b.isa = dp_isa_best();
	wf = aligned_alloc(64, sizeof(float) * BENCH_N * BENCH_K);
	xf = aligned_alloc(64, sizeof(float) * 512 * BENCH_K);
	x = aligned_alloc(64, sizeof(uint16_t) * 512 * BENCH_K);
	b.yf = aligned_alloc(64, sizeof(float) * 512 * BENCH_N);
	srand(12345);
	for (i = 0; i < (size_t)BENCH_N * BENCH_K; i++)
		wf[i] = ((float)rand() / RAND_MAX - 0.5f) * 0.1f;
	for (i = 0; i < (size_t)512 * BENCH_K; i++) {
		x[i] = dp_f32_to_bf16(((float)rand() / RAND_MAX - 0.5f) * 4.0f);
		xf[i] = dp_bf16_to_f32(x[i]);
	}
	b.wf = wf;
	b.x = x;
	b.xf = xf;
	bench_pool_init(&b.pool, b.threads);
	openblas_set_num_threads(b.threads);
	fprintf(b.text, "# quasar datapath bench: isa %s; GEMV 1 thread, fastest of %u calls; GEMM %d "
		"threads, fastest of %u; OpenBLAS core %s, %d threads for SGEMM\n",
		dp_isa_name(b.isa), b.gemv_calls, b.threads, b.gemm_calls, openblas_get_corename(),
		openblas_get_num_threads());
	fprintf(b.text, "# OPENBLAS_CORETYPE=%s OPENBLAS_L2_SIZE=%s\n",
	       getenv("OPENBLAS_CORETYPE") ? getenv("OPENBLAS_CORETYPE") : "(unset)",
	       getenv("OPENBLAS_L2_SIZE") ? getenv("OPENBLAS_L2_SIZE") : "(unset)");
	bench_baselines(&b);
	fprintf(b.text, "# read %.1f GB/s (1 thread); SGEMV %.6f s; SGEMM M=128 %.6f s, M=512 %.6f s\n",
	       b.stream_gbps, b.sgemv_s, b.sgemm_s[0], b.sgemm_s[1]);
	fprintf(b.text, "%-5s %-15s %4s %5s %5s %10s %9s %8s %10s %8s\n", "op", "format", "M", "K", "N",
	       "seconds", "gops", "w_GB/s", "baseline", "speedup");
	bench_row(&b, "gemv", "openblas_fp32", 1, b.sgemv_s, 4.0 * BENCH_N * BENCH_K, b.sgemv_s,
		  b.stream_gbps);
	for (i = 0; !b.gemv_only && i < 2; i++)
		bench_row(&b, "gemm", "openblas_fp32", i ? 512 : 128, b.sgemm_s[i],
			  4.0 * BENCH_N * BENCH_K, b.sgemm_s[i], 0);
	if (b.csv)
		fprintf(b.csv, "stream,read,1,%u,%u,%.9f,0,%.3f,%.9f,1,%.3f,1\n", BENCH_K, BENCH_N,
			4.0 * BENCH_N * BENCH_K / (b.stream_gbps * 1e9), b.stream_gbps,
			b.sgemv_s, b.stream_gbps);
	for (i = 0; i < BENCH_NFMTS; i++)
		if (!b.only || bench_listed(b.only, bench_fmts[i].label))
			bench_format(&b, &bench_fmts[i]);
	bench_pool_stop(&b.pool);
	for (i = 0; i < b.sgemv_ncopies; i++)
		free(b.sgemv_copies[i]);
	free(b.sgemv_copies);
	free(b.stream_buf);
	if (b.csv)
		fclose(b.csv);
	return 0;
}
