// SPDX-License-Identifier: MIT
/*
 * Quasar datapath benchmark: GEMV (M=1) and GEMM (M=128, 512) at K=N=4096
 * for every weight format, against OpenBLAS SGEMV/SGEMM on FP32 weights of
 * the same shape and a streaming read, all in one run.
 *
 * GEMV cycles through enough copies of the weights (>= 256 MiB) that they
 * stream from DRAM, as a deployed model's weights do. Work is split by
 * weight panels over one thread per CPU; OpenBLAS uses its own threads.
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

/* ---- streaming read ---- */

struct bench_stream_job {
	const uint8_t *buf;
	size_t len;
	double sink[BENCH_MAX_THREADS];
};

/* Four sequential streams per thread: as many as DRAM rewards (SGEMV reads rows likewise). */
static void bench_stream_part(void *arg, int tid, int n)
{
	struct bench_stream_job *j = arg;
	size_t chunk = j->len / n / 1024 * 256, i;
	const uint8_t *p = j->buf + chunk * 4 * tid;
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
	j->sink[tid] = (double)_mm512_reduce_add_epi64(a0);
}

/* ---- one weight format ---- */

struct bench_fmt {
	const char *label;
	uint32_t fmt, group, afmt;
};

static const struct bench_fmt bench_fmts[] = {
	{ "bf16",          DP_W_BF16,    0,   DP_A_BF16 },
	{ "int8_w8a8",     DP_W_INT8,    0,   DP_A_INT8 },
	{ "int8_w8a16",    DP_W_INT8,    0,   DP_A_BF16 },
	{ "int4g32_w4a8",  DP_W_INT4,    32,  DP_A_INT8 },
	{ "int4g32_w4a16", DP_W_INT4,    32,  DP_A_BF16 },
	{ "int4g128_w4a8", DP_W_INT4,    128, DP_A_INT8 },
	{ "mxint8_a8",     DP_W_MXINT8,  0,   DP_A_INT8 },
	{ "mxfp8_a16",     DP_W_MXFP8,   0,   DP_A_BF16 },
	{ "mxfp4_a8",      DP_W_MXFP4,   0,   DP_A_INT8 },
	{ "mxfp4_a16",     DP_W_MXFP4,   0,   DP_A_BF16 },
	{ "nvfp4_a8",      DP_W_NVFP4,   0,   DP_A_INT8 },
	{ "sp_bf16_a16",   DP_W_SP_BF16, 0,   DP_A_BF16 },
	{ "sp_int8_a8",    DP_W_SP_INT8, 0,   DP_A_INT8 },
	{ "sp_int4g32_a8", DP_W_SP_INT4, 32,  DP_A_INT8 },
};

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
	uint32_t sgemv_ncopies;
	uint8_t *stream_buf;
	size_t stream_len;
	int quick;
	int gemv_only;
	int hot;
};

/*
 * Time one GEMM of @m rows, cycling through the copies: @batches batches of
 * @reps calls; the fastest batch's mean is the result, because the other
 * engineers' jobs share these cores and only ever slow a batch down.
 */
static double bench_time_ours(struct bench_ctx *b, const struct bench_fmt *f,
			      struct bench_copy *cp, uint32_t ncopies, uint32_t m,
			      uint32_t reps, uint32_t batches)
{
	static int8_t qx[512 * BENCH_K] __attribute__((aligned(64)));
	static float sx[512];
	static float y[512 * BENCH_N];
	struct dp_gemm g = { .m = m, .afmt = f->afmt, .x = b->x, .qx = qx, .sx = sx,
			     .ldx = BENCH_K, .alpha = 1.0f, .ofmt = DP_O_FP32, .y = y,
			     .ldy = BENCH_N };
	struct bench_gemm_job job = { &g, NULL, b->isa };
	double best = 1e30;
	uint32_t i, r, bt, c = 0;
	size_t wsz;
	void *ws;

	g.w = &cp[0].w;
	wsz = dp_gemm_ws_size(&g);
	ws = aligned_alloc(64, (wsz + 63) / 64 * 64);
	job.ws = ws;
	for (bt = 0; bt < batches + 1; bt++) {
		double t0 = bench_now(), t;

		for (r = 0; r < reps; r++) {
			g.w = &cp[c++ % ncopies].w;
			/* the device quantizes activations as part of the job */
			if (f->afmt == DP_A_INT8)
				for (i = 0; i < m; i++)
					dp_act_quant_fast(b->x + (size_t)i * BENCH_K, BENCH_K,
							  qx + (size_t)i * BENCH_K, &sx[i], b->isa);
			dp_gemm_prepare(&g, ws, wsz);
			bench_pool_run(&b->pool, bench_gemm_part, &job);
		}
		t = (bench_now() - t0) / reps;
		if (bt > 0 && t < best)	/* batch 0 warms up */
			best = t;
	}
	free(ws);
	return best;
}

/* One pass of SGEMV over all FP32 copies; seconds per call. */
static double bench_sgemv_batch(struct bench_ctx *b)
{
	double t0 = bench_now();
	uint32_t r;

	for (r = 0; r < b->sgemv_ncopies; r++)
		cblas_sgemv(CblasRowMajor, CblasNoTrans, BENCH_N, BENCH_K, 1.0f, b->sgemv_copies[r],
			    BENCH_K, b->xf, 1, 0.0f, b->yf, 1);
	return (bench_now() - t0) / b->sgemv_ncopies;
}

static double bench_sgemm_once(struct bench_ctx *b, uint32_t m)
{
	double t0 = bench_now();

	/* Y[m][n] = X[m][:] . W[n][:], the same orientation as ours */
	cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, BENCH_N, BENCH_K, 1.0f, b->xf,
		    BENCH_K, b->sgemv_copies[0], BENCH_K, 0.0f, b->yf, BENCH_N);
	return bench_now() - t0;
}

/* Streaming read of @len bytes on the pool; GB/s. */
static double bench_stream_batch(struct bench_ctx *b, size_t len)
{
	struct bench_stream_job sj = { .buf = b->stream_buf, .len = len };
	double t0 = bench_now();

	bench_pool_run(&b->pool, bench_stream_part, &sj);
	return (double)(len / b->pool.n / 1024 * 1024 * b->pool.n) / (bench_now() - t0) * 1e-9;
}

static void bench_row(struct bench_ctx *b, const char *op, const char *fmt, uint32_t m,
		      double s, double wbytes, double base, double stream_gbps)
{
	double gops = 2.0 * m * BENCH_K * BENCH_N / s * 1e-9, gbps = wbytes / s * 1e-9;

	fprintf(b->text, "%-5s %-15s %4u %5u %5u %10.6f %9.1f %8.1f %10.6f %7.2fx",
		op, fmt, m, BENCH_K, BENCH_N, s, gops, gbps, base, base / s);
	if (!strcmp(op, "gemv") && stream_gbps > 0)
		fprintf(b->text, "  %3.0f%% of read %.1f GB/s", 100.0 * gbps / stream_gbps,
			stream_gbps);
	fprintf(b->text, "\n");
	fflush(b->text);
	if (b->csv)
		fprintf(b->csv, "%s,%s,%u,%u,%u,%.9f,%.3f,%.3f,%.9f,%.4f\n", op, fmt, m, BENCH_K,
			BENCH_N, s, gops, gbps, base, base / s);
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
		if (!strcmp(op, "gemv") && stream_gbps > 0)
			tool_json_double(&j, "share_of_read_bandwidth", gbps / stream_gbps);
		tool_json_end(&j);
		fflush(stdout);
	}
}

static void bench_format(struct bench_ctx *b, const struct bench_fmt *f)
{
	struct compress_qparams qp = { .fmt = f->fmt, .group = f->group };
	struct compress_qtensor *qt;
	struct bench_copy *cp;
	uint32_t ncopies, reps;
	size_t bytes;
	int ret;

	ret = compress_quantize(b->wf, BENCH_N, BENCH_K, BENCH_K, &qp, &qt);
	if (ret) {
		fprintf(stderr, "quantize %s: %s\n", f->label, compress_strerror(ret));
		exit(1);
	}
	bytes = compress_qtensor_bytes(qt);
	ncopies = (uint32_t)((BENCH_GEMV_BYTES + bytes - 1) / bytes);
	if (b->quick)
		ncopies = 2;
	if (b->hot)
		ncopies = 1;	/* diagnosis: weights stay in the last-level cache */
	cp = bench_copies(qt, ncopies);
	reps = b->quick || b->hot ? 32 : ncopies;
	{
		/*
		 * Ours, SGEMV and the streaming read alternate batch by batch, so
		 * all three see the same machine (its bandwidth swings with the
		 * other jobs on it); each keeps its fastest batch.
		 */
		double ours = 1e30, base = 1e30, bw = 0, t;
		uint32_t bt;

		for (bt = 0; bt < (b->quick ? 1u : 5u); bt++) {
			t = bench_time_ours(b, f, cp, ncopies, 1, reps, 1);
			ours = t < ours ? t : ours;
			t = bench_sgemv_batch(b);
			base = t < base ? t : base;
			t = bench_stream_batch(b, (size_t)ncopies * bytes);
			bw = t > bw ? t : bw;
		}
		bench_row(b, "gemv", f->label, 1, ours, (double)bytes, base, bw);
	}
	if (b->gemv_only)
		goto out;
	{
		uint32_t ms[2] = { 128, 512 }, i, bt;

		for (i = 0; i < 2; i++) {
			double ours = 1e30, base = 1e30, t;

			/* interleaved with SGEMM for the same reason as the GEMV */
			for (bt = 0; bt < (b->quick ? 1u : 4u); bt++) {
				t = bench_time_ours(b, f, cp, 1, ms[i], 1, 1);
				ours = t < ours ? t : ours;
				t = bench_sgemm_once(b, ms[i]);
				base = t < base ? t : base;
			}
			bench_row(b, "gemm", f->label, ms[i], ours, (double)bytes, base, 0);
		}
	}
out:
	bench_copies_free(cp, ncopies);
	compress_qtensor_free(qt);
}

static void bench_baselines(struct bench_ctx *b)
{
	size_t wbytes = (size_t)BENCH_N * BENCH_K * sizeof(float);
	uint32_t ncopies = (uint32_t)((BENCH_GEMV_BYTES + wbytes - 1) / wbytes), i, bt;
	uint32_t ms[2] = { 128, 512 };
	double t0, t;

	/* a streaming read buffer as large as any GEMV's pass over its copies */
	b->stream_len = BENCH_GEMV_BYTES + (64u << 20);
	b->stream_buf = aligned_alloc(64, b->stream_len);
	memset(b->stream_buf, 1, b->stream_len);
	b->stream_gbps = 0;
	for (bt = 0; bt < 4; bt++) {
		t = bench_stream_batch(b, (size_t)ncopies * wbytes);
		if (bt > 0 && t > b->stream_gbps)
			b->stream_gbps = t;
	}
	b->sgemv_ncopies = ncopies;
	b->sgemv_copies = calloc(ncopies, sizeof(*b->sgemv_copies));
	for (i = 0; i < ncopies; i++)
		b->sgemv_copies[i] = bench_dup(b->wf, wbytes);
	b->sgemv_s = 1e30;
	for (bt = 0; bt < (b->quick ? 2u : 6u); bt++) {
		t = bench_sgemv_batch(b);
		if (bt > 0 && t < b->sgemv_s)
			b->sgemv_s = t;
	}
	for (i = 0; i < 2; i++) {
		/* Y[m][n] = X[m][:] . W[n][:], the same orientation as ours */
		b->sgemm_s[i] = 1e30;
		for (bt = 0; bt < (b->quick ? 2u : 4u); bt++) {
			t0 = bench_now();
			cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, ms[i], BENCH_N, BENCH_K,
				    1.0f, b->xf, BENCH_K, b->sgemv_copies[0], BENCH_K, 0.0f, b->yf,
				    BENCH_N);
			t = bench_now() - t0;
			if (bt > 0 && t < b->sgemm_s[i])
				b->sgemm_s[i] = t;
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
		"read, all in one run (speed as a ratio to the baseline of the same run). GEMV\n"
		"cycles through >= 256 MiB of weight copies so that they stream from DRAM.\n\n"
		"Options:\n"
		"  --csv FILE     write one CSV line per row (make bench: build/bench/datapath.csv)\n"
		"  --only LIST    only the formats whose labels are in the comma-separated LIST\n"
		"                 (int4g32_w4a8, mxfp4_a8, ...: the table's format column)\n"
		"  --gemv-only    GEMV rows only\n"
		"  --quick        a smoke run: fewer repetitions\n"
		"  --hot          one weight copy, cache-resident (not DRAM-bound)\n");
}

enum { O_CSV = 256, O_ONLY, O_GEMV_ONLY, O_QUICK, O_HOT };

static void bench_parse(struct bench_ctx *b, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "csv", 1, 0, O_CSV }, { "only", 1, 0, O_ONLY }, { "gemv-only", 0, 0, O_GEMV_ONLY },
		{ "quick", 0, 0, O_QUICK }, { "hot", 0, 0, O_HOT }, { 0 },
	};
	struct tool_cli cli = { .name = "dp_bench", .usage = bench_usage, .flags = TOOL_CLI_JSON };
	const char *csv = NULL;
	size_t i;
	int c;

	while ((c = tool_cli_getopt(&cli, argc, argv, "", opts)) != -1) {
		switch (c) {
		case O_CSV: csv = optarg; break;
		case O_ONLY: b->only = optarg; break;
		case O_GEMV_ONLY: b->gemv_only = 1; break;
		case O_QUICK: b->quick = 1; break;
		case O_HOT: b->hot = 1; break;
		}
	}
	if (optind < argc)
		tool_cli_usage_error("unexpected argument '%s'", argv[optind]);
	for (i = 0; b->only && i < sizeof(bench_fmts) / sizeof(bench_fmts[0]); i++)
		if (strstr(b->only, bench_fmts[i].label))
			break;
	if (b->only && i == sizeof(bench_fmts) / sizeof(bench_fmts[0]))
		tool_cli_usage_error("--only '%s': no such format (e.g. int4g32_w4a8, mxfp4_a8)",
				     b->only);
	b->json = cli.json;
	b->text = cli.json ? stderr : stdout;
	if (csv) {
		b->csv = fopen(csv, "w");
		if (!b->csv) {
			tool_cli_error("--csv %s: %s", csv, strerror(errno));
			exit(TOOL_EXIT_FAIL);
		}
		fprintf(b->csv, "op,format,M,K,N,seconds,gops,weight_gbps,baseline_seconds,"
			"speedup\n");
	}
}

int main(int argc, char **argv)
{
	struct bench_ctx b = { 0 };
	float *wf, *xf;
	uint16_t *x;
	size_t i;
	int nthreads = (int)sysconf(_SC_NPROCESSORS_ONLN);

	if (nthreads < 1)
		nthreads = 1;
	if (nthreads > BENCH_MAX_THREADS)
		nthreads = BENCH_MAX_THREADS;
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
	bench_pool_init(&b.pool, nthreads);
	fprintf(b.text, "# quasar datapath bench: isa %s, %d threads; OpenBLAS core %s, %d threads\n",
	       dp_isa_name(b.isa), nthreads, openblas_get_corename(), openblas_get_num_threads());
	fprintf(b.text, "# OPENBLAS_CORETYPE=%s OPENBLAS_L2_SIZE=%s\n",
	       getenv("OPENBLAS_CORETYPE") ? getenv("OPENBLAS_CORETYPE") : "(unset)",
	       getenv("OPENBLAS_L2_SIZE") ? getenv("OPENBLAS_L2_SIZE") : "(unset)");
	bench_baselines(&b);
	fprintf(b.text, "# stream read %.1f GB/s; SGEMV %.6f s; SGEMM M=128 %.6f s, M=512 %.6f s\n",
	       b.stream_gbps, b.sgemv_s, b.sgemm_s[0], b.sgemm_s[1]);
	fprintf(b.text, "%-5s %-15s %4s %5s %5s %10s %9s %8s %10s %8s\n", "op", "format", "M", "K", "N",
	       "seconds", "gops", "w_GB/s", "baseline", "speedup");
	bench_row(&b, "gemv", "openblas_fp32", 1, b.sgemv_s, 4.0 * BENCH_N * BENCH_K, b.sgemv_s,
		  b.stream_gbps);
	bench_row(&b, "gemm", "openblas_fp32", 128, b.sgemm_s[0], 4.0 * BENCH_N * BENCH_K,
		  b.sgemm_s[0], 0);
	bench_row(&b, "gemm", "openblas_fp32", 512, b.sgemm_s[1], 4.0 * BENCH_N * BENCH_K,
		  b.sgemm_s[1], 0);
	if (b.csv)
		fprintf(b.csv, "stream,read,1,%u,%u,%.9f,0,%.3f,%.9f,1\n", BENCH_K, BENCH_N,
			4.0 * BENCH_N * BENCH_K / (b.stream_gbps * 1e9), b.stream_gbps,
			b.sgemv_s);
	for (i = 0; i < sizeof(bench_fmts) / sizeof(bench_fmts[0]); i++)
		if (!b.only || strstr(b.only, bench_fmts[i].label))
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
