// SPDX-License-Identifier: MIT
/*
 * accel-stats: run one GEMM on the Quasar device with deterministic random
 * data, check every output byte against the golden model computed here on
 * the CPU (the datapath's scalar reference, the specification itself), and
 * print the job's cost report. The job goes to a hardware queue (--queue)
 * or to a queue created at a priority (--priority). Exit 0 only if the
 * output verified and the report describes this job.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <accel.h>
#include <accel_ops.h>

#include "tool_cli.h"
#include "tool_json.h"

#include "compress.h"
#include "compress_libaccel.h"
#include "dp_gemm.h"
#include "dp_num.h"

#define ST_TIMEOUT_NS (120ll * 1000000000)

/* A weight format the command line names. */
struct st_format {
	const char *name;
	uint32_t dp;		/* enum dp_wfmt */
	uint32_t group;		/* default group (INT4 formats) */
	const char *what;
};

static const struct st_format st_formats[] = {
	{ "w4", DP_W_INT4, 32, "4-bit integers, BF16 scale per group (--group, --zeros)" },
	{ "w8", DP_W_INT8, 0, "int8, FP32 scale per output channel" },
	{ "bf16", DP_W_BF16, 0, "dense BF16" },
	{ "mxint8", DP_W_MXINT8, 0, "OCP MXINT8, E8M0 scale per 32" },
	{ "mxfp8", DP_W_MXFP8, 0, "OCP MXFP8 (E4M3), E8M0 scale per 32" },
	{ "mxfp4", DP_W_MXFP4, 0, "OCP MXFP4 (E2M1), E8M0 scale per 32" },
	{ "nvfp4", DP_W_NVFP4, 0, "NVFP4: E2M1, E4M3 scale per 16, FP32 tensor scale" },
	{ "sp-bf16", DP_W_SP_BF16, 0, "2:4 sparse BF16" },
	{ "sp-w8", DP_W_SP_INT8, 0, "2:4 sparse int8" },
	{ "sp-w4", DP_W_SP_INT4, 32, "2:4 sparse 4-bit, BF16 scale per group" },
};

#define ST_NFORMATS (sizeof(st_formats) / sizeof(st_formats[0]))

static const char *const st_acts[] = { "none", "relu", "gelu", "silu", NULL };

struct st_opts {
	const struct st_format *fmt;
	uint32_t group, zeros, a8, bias, bf16_out, act, queue, seed, stats;
	uint32_t priority, use_priority;	/* --priority given */
	uint32_t m, n, k;
	float alpha;
	const char *device;	/* --device, or NULL: $ACCEL_DEVICE or the first node */
	const char *device_name;	/* which of those, for messages */
	int json;		/* --json: one object instead of the text */
};

static void st_usage(FILE *f)
{
	size_t i;

	fprintf(f,
		"Usage: accel-stats [options]\n"
		"Runs one GEMM on the Quasar device, checked, and prints its cost report.\n\n"
		"The GEMM is  y = act(alpha * x w^T + bias)  with deterministic random data;\n"
		"every output is checked against the golden model on this CPU. Exit 0 only\n"
		"when verified and the report is this job's.\n\n"
		"Options:\n"
		"  --format F     weight format (default w4):\n");
	for (i = 0; i < ST_NFORMATS; i++)
		fprintf(f, "                   %-8s %s\n", st_formats[i].name, st_formats[i].what);
	fprintf(f,
		"  --group G      w4/sp-w4 group: 32 (default), 64 or 128\n"
		"  --zeros        w4/sp-w4 with zero points (asymmetric)\n"
		"  --a8           int8 activations, quantized per row on the device (W8A8, W4A8)\n"
		"  -m M -n N -k K shape: x is M x K, w N x K, y M x N (default 32 x 128 x 256)\n"
		"  --bias         add an FP32 bias per output\n"
		"  --alpha A      output scale (default 1)\n"
		"  --act F        none, relu, gelu or silu (default none)\n"
		"  --bf16-out     BF16 output (default FP32)\n"
		"  --queue Q      submit to hardware queue Q (default 0)\n"
		"  --priority P   submit through a queue created at priority low, normal\n"
		"                 or high (instead of --queue)\n"
		"  --seed S       random data seed (default 1)\n"
		"  --no-stats     do not read the cost report (a kernel without JOB_STATS)\n"
		"\n"
		"A cost report belongs to the open file that ran the job (command BO handles\n"
		"are per file), so accel-stats cannot report on another process's job: it\n"
		"runs the job itself. With --json, one object: the GEMM, where it ran, the\n"
		"wall time and the report's fields.\n");
}

static void st_parse(int argc, char **argv, struct st_opts *o, struct tool_cli *cli)
{
	enum { O_FORMAT = 256, O_GROUP, O_ZEROS, O_A8, O_BIAS, O_ALPHA, O_ACT, O_BF16,
	       O_QUEUE, O_PRIORITY, O_SEED, O_NOSTATS };
	static const struct option lo[] = {
		{ "format", 1, 0, O_FORMAT }, { "group", 1, 0, O_GROUP },
		{ "zeros", 0, 0, O_ZEROS }, { "a8", 0, 0, O_A8 }, { "bias", 0, 0, O_BIAS },
		{ "alpha", 1, 0, O_ALPHA }, { "act", 1, 0, O_ACT },
		{ "bf16-out", 0, 0, O_BF16 }, { "queue", 1, 0, O_QUEUE },
		{ "priority", 1, 0, O_PRIORITY }, { "seed", 1, 0, O_SEED },
		{ "no-stats", 0, 0, O_NOSTATS }, { 0 },
	};
	static const char *const prios[] = { "low", "normal", "high", NULL };
	const char *names[ST_NFORMATS + 1];
	int c, set_group = 0, set_queue = 0;
	size_t i;

	for (i = 0; i < ST_NFORMATS; i++)
		names[i] = st_formats[i].name;
	names[i] = NULL;
	*o = (struct st_opts){ .fmt = &st_formats[0], .m = 32, .n = 128, .k = 256,
			       .alpha = 1.0f, .seed = 1, .stats = 1 };
	while ((c = tool_cli_getopt(cli, argc, argv, "m:n:k:", lo)) != -1) {
		switch (c) {
		case O_FORMAT:
			o->fmt = &st_formats[tool_cli_choice("--format", optarg, names)];
			break;
		case O_GROUP:
			o->group = tool_cli_u32("--group", optarg, 32, 128);
			set_group = 1;
			break;
		case O_ALPHA:
			o->alpha = (float)tool_cli_double("--alpha", optarg, -1e30, 1e30);
			break;
		case O_ACT:
			o->act = tool_cli_choice("--act", optarg, st_acts);
			break;
		case O_ZEROS: o->zeros = 1; break;
		case O_A8: o->a8 = 1; break;
		case O_BIAS: o->bias = 1; break;
		case O_BF16: o->bf16_out = 1; break;
		case O_NOSTATS: o->stats = 0; break;
		case O_QUEUE:
			o->queue = tool_cli_u32("--queue", optarg, 0, 255);
			set_queue = 1;
			break;
		case O_PRIORITY:
			tool_cli_choice("--priority", optarg, prios);
			if (accel_priority_parse(optarg, &o->priority))
				tool_cli_usage_error("--priority '%s': low, normal or high",
						     optarg);
			o->use_priority = 1;
			break;
		case O_SEED:
			o->seed = tool_cli_u32("--seed", optarg, 0, UINT32_MAX);
			break;
		case 'm':
		case 'n':
		case 'k': {
			char opt[3] = { '-', (char)c, 0 };
			uint32_t v = tool_cli_u32(opt, optarg, 1, DRM_QUASAR_DIM_MAX);

			*(c == 'm' ? &o->m : c == 'n' ? &o->n : &o->k) = v;
			break;
		}
		}
	}
	o->device = cli->device;
	o->device_name = tool_cli_device_name(cli);
	o->json = cli->json;
	if (optind < argc)
		tool_cli_usage_error("unexpected argument '%s'", argv[optind]);
	if (set_queue && o->use_priority)
		tool_cli_usage_error("--queue and --priority exclude each other");
	if (!set_group)
		o->group = o->fmt->group;
	if ((set_group || o->zeros) && !o->fmt->group)
		tool_cli_usage_error("--group and --zeros are for w4 and sp-w4, not --format %s",
				     o->fmt->name);
	if (set_group && o->group != 32 && o->group != 64 && o->group != 128)
		tool_cli_usage_error("--group '%u': 32, 64 or 128", o->group);
}

/* Deterministic values in [-1, 1). */
static float st_rand(uint32_t *s)
{
	*s = *s * 1664525u + 1013904223u;
	return (float)(int32_t)(*s >> 8 & 0xffffff) / 8388608.0f - 1.0f;
}

/* What the run needs on the host and on the device. */
struct st_run {
	struct st_opts o;
	struct compress_qtensor *qt;
	uint16_t *x;
	float *bias;
	void *want, *got;
	size_t ybytes;
	struct accel_device *dev;
	struct accel_tensor *tx, *tw, *ty, *tb;
	struct accel_cmdbuf *cb;
	struct accel_queue *q;	/* with --priority */
	uint32_t hw_queue;	/* where the job went */
};

static int st_fail(struct st_run *r, const char *what, int err)
{
	char text[256] = "";

	if (r->dev)
		accel_device_last_error(r->dev, text, sizeof(text));
	fprintf(stderr, "accel-stats: %s failed: %s%s%s\n", what, accel_strerror(err),
		text[0] ? "\n  " : "", text);
	return 1;
}

/* Host data and the golden output. */
static int st_prepare(struct st_run *r)
{
	const struct st_opts *o = &r->o;
	struct compress_qparams qp = { .fmt = o->fmt->dp, .group = o->group, .asym = o->zeros };
	size_t wn = (size_t)o->n * o->k, xn = (size_t)o->m * o->k, i;
	float *w = malloc(wn * sizeof(*w)), *sx = malloc(o->m * sizeof(*sx));
	int8_t *qx = malloc(xn);
	uint32_t s = o->seed;
	struct dp_gemm g;
	int err;

	r->ybytes = (size_t)o->m * o->n * (o->bf16_out ? 2 : 4);
	r->x = malloc(xn * sizeof(*r->x));
	r->bias = malloc(o->n * sizeof(*r->bias));
	r->want = malloc(r->ybytes);
	r->got = malloc(r->ybytes);
	if (!w || !sx || !qx || !r->x || !r->bias || !r->want || !r->got) {
		fprintf(stderr, "accel-stats: out of memory\n");
		return 1;
	}
	/* Rows of different magnitude, as trained weights have. */
	for (i = 0; i < wn; i++)
		w[i] = st_rand(&s) * (0.25f + (float)(i / o->k % 7));
	for (i = 0; i < xn; i++)
		r->x[i] = dp_f32_to_bf16(st_rand(&s) * 2.0f);
	for (i = 0; i < o->n; i++)
		r->bias[i] = st_rand(&s);
	err = compress_quantize(w, o->n, o->k, o->k, &qp, &r->qt);
	free(w);
	if (err) {
		fprintf(stderr, "accel-stats: quantizing to %s failed: %s\n", o->fmt->name,
			compress_strerror(err));
		return 1;
	}
	for (i = 0; o->a8 && i < o->m; i++)
		dp_act_quant_ref(r->x + i * o->k, o->k, qx + i * o->k, &sx[i]);
	g = (struct dp_gemm){
		.w = compress_qtensor_wt(r->qt), .m = o->m, .afmt = o->a8 ? DP_A_INT8 : DP_A_BF16,
		.x = r->x, .qx = qx, .sx = sx, .ldx = o->k, .alpha = o->alpha,
		.bias = o->bias ? r->bias : NULL, .act = o->act,
		.ofmt = o->bf16_out ? DP_O_BF16 : DP_O_FP32, .y = r->want, .ldy = o->n,
	};
	err = dp_gemm_ref(&g);
	free(qx);
	free(sx);
	if (err) {
		fprintf(stderr, "accel-stats: the golden model refuses this GEMM (%d): %s\n", err,
			o->a8 ? "--a8 needs an int8-capable format (w8, w4, mxint8, mxfp4, nvfp4, sp-w8, sp-w4)" :
			"bad shape");
		return 1;
	}
	return 0;
}

/* Where the job goes: hardware queue --queue, or a new --priority queue. */
static int st_queue(struct st_run *r)
{
	const struct st_opts *o = &r->o;
	const struct drm_quasar_device_info *info = accel_device_info(r->dev);
	int err;

	if (!o->use_priority) {
		if (o->queue >= info->num_queues) {
			fprintf(stderr, "accel-stats: --queue %u: the device has queues 0..%u\n",
				o->queue, info->num_queues - 1);
			return 1;
		}
		r->hw_queue = o->queue;
		return 0;
	}
	if ((err = accel_queue_create(r->dev, o->priority, &r->q)))
		return st_fail(r, "creating the queue", err);
	r->hw_queue = accel_queue_hw_index(r->q);
	return 0;
}

/* "HIGH queue on hardware queue 2" or "hardware queue 0". */
static const char *st_where(const struct st_run *r, char *buf, size_t len)
{
	if (r->q)
		snprintf(buf, len, "%s queue on hardware queue %u",
			 accel_priority_name(accel_queue_priority(r->q)), r->hw_queue);
	else
		snprintf(buf, len, "hardware queue %u", r->hw_queue);
	return buf;
}

static int st_device(struct st_run *r, double *wall_ms)
{
	const struct st_opts *o = &r->o;
	uint32_t out_fmt = o->bf16_out ? DRM_QUASAR_FORMAT_BF16 : DRM_QUASAR_FORMAT_FP32;
	struct accel_epilogue epi = {
		.alpha = o->alpha, .act = o->act, .flags = o->a8 ? DRM_QUASAR_GEMM_A8 : 0,
	};
	struct accel_job_result res;
	struct timespec t0, t1;
	int err;

	if ((err = accel_device_open(o->device, &r->dev))) {
		fprintf(stderr, "accel-stats: opening %s failed: %s\n", o->device_name,
			accel_strerror(err));
		return 1;
	}
	if (st_queue(r))
		return 1;
	if ((err = accel_tensor_create(r->dev, DRM_QUASAR_FORMAT_BF16, 2,
				       (uint32_t[]){ o->m, o->k }, &r->tx)) ||
	    (err = accel_tensor_create(r->dev, out_fmt, 2, (uint32_t[]){ o->m, o->n }, &r->ty)) ||
	    (err = accel_tensor_write(r->tx, r->x, (uint64_t)o->m * o->k)))
		return st_fail(r, "activation and output tensors", err);
	if ((err = compress_tensor_from_qtensor(r->dev, r->qt, &r->tw)))
		return st_fail(r, "weight tensor", err);
	if (o->bias) {
		if ((err = accel_tensor_create(r->dev, DRM_QUASAR_FORMAT_FP32, 1,
					       (uint32_t[]){ o->n }, &r->tb)) ||
		    (err = accel_tensor_write_f32(r->tb, r->bias, o->n)))
			return st_fail(r, "bias tensor", err);
		epi.bias = r->tb;
	}
	if ((err = accel_cmdbuf_create(r->dev, &r->cb)) ||
	    (err = accel_op_gemm(r->cb, r->ty, r->tx, r->tw, &epi)))
		return st_fail(r, "building the GEMM", err);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if ((err = accel_cmdbuf_submit(r->cb, &(struct accel_submit){
		.queue = r->q ? 0 : o->queue, .uqueue = r->q })))
		return st_fail(r, "submit", err);
	err = accel_cmdbuf_wait(r->cb, ST_TIMEOUT_NS, &res);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (err)
		return st_fail(r, "the job", err);
	*wall_ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	if ((err = accel_tensor_read(r->ty, r->got, (uint64_t)o->m * o->n)))
		return st_fail(r, "reading the output", err);
	return 0;
}

static int st_verify(const struct st_run *r)
{
	const struct st_opts *o = &r->o;
	size_t esz = o->bf16_out ? 2 : 4, i;

	for (i = 0; i < r->ybytes / esz; i++) {
		if (!memcmp((const uint8_t *)r->got + i * esz, (const uint8_t *)r->want + i * esz,
			    esz))
			continue;
		if (o->bf16_out)
			fprintf(stderr, "accel-stats: y[%zu][%zu] is 0x%04x, golden 0x%04x\n",
				i / o->n, i % o->n, ((const uint16_t *)r->got)[i],
				((const uint16_t *)r->want)[i]);
		else
			fprintf(stderr, "accel-stats: y[%zu][%zu] is %a, golden %a\n", i / o->n,
				i % o->n, (double)((const float *)r->got)[i],
				(double)((const float *)r->want)[i]);
		return 1;
	}
	if (!o->json)
		printf("verified: all %u x %u outputs bit-identical to the golden model\n", o->m,
		       o->n);
	return 0;
}

/*
 * The report must be this job's: its MACs are the GEMM's and its hardware
 * queue is the one the job went to.
 */
static int st_report(struct st_run *r, struct accel_job_stats *out)
{
	const struct st_opts *o = &r->o;
	uint64_t macs = (uint64_t)o->m * o->n * o->k;
	struct accel_job_stats s;
	char title[160], where[64], text[2048];
	int err = accel_cmdbuf_stats(r->cb, &s);

	if (err)
		return st_fail(r, "reading the cost report", err);
	*out = s;
	snprintf(title, sizeof(title), "cost report, %s%s GEMM %ux%ux%u, %s", o->fmt->name,
		 o->a8 ? "a8" : "", o->m, o->n, o->k, st_where(r, where, sizeof(where)));
	accel_job_report(&s, title, text, sizeof(text));
	if (!o->json)
		fputs(text, stdout);
	if (s.status != DRM_QUASAR_STATUS_OK || s.macs_dense != macs ||
	    s.queue != r->hw_queue) {
		fprintf(stderr, "accel-stats: the report (status %s, %llu MACs, hardware queue %u) is not this job's (%llu MACs, hardware queue %u)\n",
			accel_status_name(s.status), (unsigned long long)s.macs_dense, s.queue,
			(unsigned long long)macs, r->hw_queue);
		return 1;
	}
	return 0;
}

static void st_free(struct st_run *r)
{
	accel_cmdbuf_destroy(r->cb);
	accel_queue_destroy(r->q);
	accel_tensor_free(r->tb);
	accel_tensor_free(r->tw);
	accel_tensor_free(r->ty);
	accel_tensor_free(r->tx);
	accel_device_close(r->dev);
	compress_qtensor_free(r->qt);
	free(r->x);
	free(r->bias);
	free(r->want);
	free(r->got);
}

static void st_describe(const struct st_run *r)
{
	const struct st_opts *o = &r->o;
	char group[32] = "";

	if (o->fmt->group)
		snprintf(group, sizeof(group), " g%u%s", o->group, o->zeros ? " with zeros" : "");
	printf("GEMM %u x %u x %u: weights %s%s, %zu bytes packed (%zu as BF16), %s activations, %s out\n",
	       o->m, o->n, o->k, o->fmt->name, group, compress_qtensor_bytes(r->qt),
	       (size_t)o->n * o->k * 2, o->a8 ? "int8" : "BF16", o->bf16_out ? "BF16" : "FP32");
}

/* --json: the run as one object, the report's fields with the figures derived from them. */
static void st_print_json(const struct st_run *r, double wall_ms, const struct accel_job_stats *s)
{
	const struct st_opts *o = &r->o;
	struct accel_job_cost c;
	struct tool_json j;

	tool_json_begin(&j, stdout);
	tool_json_str(&j, "device", accel_device_path(r->dev));
	tool_json_str(&j, "format", o->fmt->name);
	if (o->fmt->group) {
		tool_json_u64(&j, "group", o->group);
		tool_json_bool(&j, "zeros", o->zeros);
	}
	tool_json_str(&j, "activations", o->a8 ? "int8" : "bf16");
	tool_json_str(&j, "output", o->bf16_out ? "bf16" : "fp32");
	tool_json_u64(&j, "m", o->m);
	tool_json_u64(&j, "n", o->n);
	tool_json_u64(&j, "k", o->k);
	tool_json_u64(&j, "weight_bytes", compress_qtensor_bytes(r->qt));
	tool_json_u64(&j, "hw_queue", r->hw_queue);
	if (r->q)
		tool_json_str(&j, "priority", accel_priority_name(accel_queue_priority(r->q)));
	tool_json_bool(&j, "verified", 1);
	tool_json_double(&j, "wall_ms", wall_ms);
	if (s) {
		accel_job_cost(s, &c);
		tool_json_object(&j, "report");
		tool_json_str(&j, "status", accel_status_name(s->status));
		tool_json_u64(&j, "commands", s->cmd_index);
		tool_json_u64(&j, "seqno", s->seqno);
		tool_json_u64(&j, "clock_mhz", s->clock_mhz);
		tool_json_u64(&j, "device_ns", s->device_ns);
		tool_json_u64(&j, "rd_weight_bytes", s->rd_weight_bytes);
		tool_json_u64(&j, "rd_meta_bytes", s->rd_meta_bytes);
		tool_json_u64(&j, "rd_act_bytes", s->rd_act_bytes);
		tool_json_u64(&j, "wr_bytes", s->wr_bytes);
		tool_json_u64(&j, "sram_bytes", s->sram_bytes);
		tool_json_u64(&j, "macs_dense", s->macs_dense);
		tool_json_u64(&j, "macs_exec", s->macs_exec);
		tool_json_u64(&j, "vec_elems", s->vec_elems);
		tool_json_u64(&j, "tiles", s->tiles);
		tool_json_u64(&j, "cycles_compute", s->cycles_compute);
		tool_json_u64(&j, "cycles_memory", s->cycles_memory);
		tool_json_u64(&j, "cycles", s->cycles);
		tool_json_u64(&j, "energy_fj", s->energy_fj);
		tool_json_u64(&j, "dram_bytes", c.dram_bytes);
		tool_json_double(&j, "time_us", c.time_us);
		tool_json_double(&j, "energy_uj", c.energy_uj);
		tool_json_double(&j, "pj_per_mac", c.pj_per_mac);
		tool_json_double(&j, "ops_per_byte", c.ops_per_byte);
		tool_json_double(&j, "tops", c.tops);
		tool_json_str(&j, "bound", c.memory_bound ? "memory" : "compute");
		tool_json_close(&j);
	}
	tool_json_end(&j);
}

int main(int argc, char **argv)
{
	struct tool_cli cli = { .name = "accel-stats", .usage = st_usage,
				.flags = TOOL_CLI_DEVICE | TOOL_CLI_JSON };
	struct st_run r = { 0 };
	struct accel_job_stats stats;
	char where[64];
	double wall_ms = 0;
	int rc;

	setvbuf(stdout, NULL, _IOLBF, 0);
	st_parse(argc, argv, &r.o, &cli);
	rc = st_prepare(&r);
	if (!rc && !r.o.json)
		st_describe(&r);
	rc = rc || st_device(&r, &wall_ms) || st_verify(&r);
	if (!rc && !r.o.json)
		printf("device job on %s: %.3f ms from submit to completion (emulated)\n",
		       st_where(&r, where, sizeof(where)), wall_ms);
	if (!rc && r.o.stats)
		rc = st_report(&r, &stats);
	if (!rc && r.o.json)
		st_print_json(&r, wall_ms, r.o.stats ? &stats : NULL);
	st_free(&r);
	return rc ? TOOL_EXIT_FAIL : TOOL_EXIT_OK;
}
