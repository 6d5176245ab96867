// SPDX-License-Identifier: MIT
/*
 * cost-sweep: what one linear layer costs on the modeled NPU in every
 * weight format, for a decode step (M = 1) and a prefill block (M = 64):
 * the device firmware runs each GEMM in-process (the firmware runner,
 * fwrun/, with the default edge-NPU cost parameters and a 4 MiB SRAM), its output is
 * checked bit for bit against the golden model, and its statistics go to
 * a CSV (and, with gnuplot, a plot of modeled time and energy against bits
 * per weight). The accuracy half of the trade-off is docs/models.md's
 * compression report.
 *
 *   cost-sweep [--csv OUT.csv] [--json]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dp_gemm.h"
#include "dp_num.h"
#include "fwrun.h"
#include "tool_cli.h"
#include "tool_json.h"

#define CS_N		1024
#define CS_K		1024
#define CS_SRAM		(4u << 20)

struct cs_fmt {
	const char *name;
	uint32_t fmt;
};

static const struct cs_fmt cs_fmts[] = {
	{ "bf16", DRM_QUASAR_FORMAT_W_BF16 },
	{ "int8", DRM_QUASAR_FORMAT_W_INT8 },
	{ "int4-g32", DRM_QUASAR_FORMAT_W_INT4 },
	{ "mxint8", DRM_QUASAR_FORMAT_W_MXINT8 },
	{ "mxfp8", DRM_QUASAR_FORMAT_W_MXFP8 },
	{ "mxfp4", DRM_QUASAR_FORMAT_W_MXFP4 },
	{ "nvfp4", DRM_QUASAR_FORMAT_W_NVFP4 },
	{ "sp-bf16", DRM_QUASAR_FORMAT_W_SP_BF16 },
	{ "sp-int8", DRM_QUASAR_FORMAT_W_SP_INT8 },
	{ "sp-int4-g32", DRM_QUASAR_FORMAT_W_SP_INT4 },
};

/* A8 needs an integer-friendly weight format (docs/isa.md, GEMM). */
static bool cs_a8_ok(uint32_t fmt)
{
	return fmt != DRM_QUASAR_FORMAT_W_BF16 && fmt != DRM_QUASAR_FORMAT_W_MXFP8 &&
	       fmt != DRM_QUASAR_FORMAT_W_SP_BF16;
}

/* Deterministic pseudo-random values in [-1, 1). */
static float cs_rand(uint32_t *s)
{
	*s = *s * 1664525u + 1013904223u;
	return (float)(int32_t)(*s >> 8 & 0xffffff) / 8388608.0f - 1.0f;
}

/* Runs one GEMM; 0 and *st on success with the output verified. */
static int cs_run(const struct cs_fmt *f, bool a8, uint32_t m, struct fw_job_stats *st,
		  double *bits_per_weight)
{
	uint32_t osz = 4, n = CS_N, k = CS_K;
	uint16_t *x = malloc((size_t)m * k * 2);
	float *wsrc = malloc((size_t)n * k * sizeof(float));
	float *want = malloc((size_t)m * n * 4), *got = malloc((size_t)m * n * 4);
	float *sx = malloc(m * sizeof(float));
	int8_t *qx = malloc((size_t)m * k);
	void *ws = aligned_alloc(64, fw_engine_ws_size(CS_SRAM));
	struct drm_quasar_cmd_gemm c = { .hdr = { DRM_QUASAR_OP_GEMM, sizeof(c), 0 } };
	struct fwrun_weights w;
	struct dp_gemm g;
	struct fwrun e;
	uint32_t seed = 17 + f->fmt;
	int bad = 1;

	if (!x || !wsrc || !want || !got || !sx || !qx || !ws || fwrun_init(&e, CS_SRAM))
		goto out;
	fw_engine_use_simd(&e.eng, ws, fw_engine_ws_size(CS_SRAM));
	for (size_t i = 0; i < (size_t)n * k; i++)
		wsrc[i] = cs_rand(&seed) * (1.0f + (float)(i % 7));
	if (fwrun_weights_quantize(&e, &w, f->fmt, n, k, wsrc, false))
		goto out_env;
	*bits_per_weight = 8.0 * (double)(w.g.data_bytes + w.g.scale_bytes + w.g.zero_bytes +
					  w.g.meta_bytes) / ((double)n * k);
	seed = 5;
	for (size_t i = 0; i < (size_t)m * k; i++)
		x[i] = dp_f32_to_bf16(cs_rand(&seed) * 3.0f);
	for (uint32_t r = 0; r < m; r++)
		dp_act_quant_ref(x + (size_t)r * k, k, qx + (size_t)r * k, &sx[r]);
	g = (struct dp_gemm){ .w = &w.w, .m = m, .afmt = a8 ? DP_A_INT8 : DP_A_BF16,
			      .x = x, .qx = qx, .sx = sx, .ldx = k, .alpha = 1.0f,
			      .act = DP_ACT_NONE, .ofmt = DP_O_FP32, .y = want, .ldy = n };
	if (dp_gemm_ref(&g))
		goto out_w;
	c.x = fwrun_tensor(fwrun_upload(&e, x, (size_t)m * k * 2), DRM_QUASAR_FORMAT_BF16, 1, 1, m, k);
	c.w = w.t;
	c.wp = w.wp;
	c.y = fwrun_tensor(fwrun_alloc(&e, (size_t)m * n * osz), DRM_QUASAR_FORMAT_FP32, 1, 1, m, n);
	c.alpha = dp_f2u(1.0f);
	c.flags = a8 ? DRM_QUASAR_GEMM_A8 : 0;
	fwrun_emit_isa_version(&e, DRM_QUASAR_ISA_VERSION);
	fwrun_emit(&e, &c, sizeof(c));
	fwrun_run(&e);
	if (e.res.status) {
		fprintf(stderr, "cost-sweep: %s %s M=%u: device status %u at command %u\n",
			f->name, a8 ? "a8" : "a16", m, e.res.status, e.res.cmd_index);
		goto out_w;
	}
	fwrun_read(&e, c.y.addr, got, (size_t)m * n * osz);
	if (memcmp(got, want, (size_t)m * n * osz)) {
		fprintf(stderr, "cost-sweep: %s %s M=%u: output differs from the golden model\n",
			f->name, a8 ? "a8" : "a16", m);
		goto out_w;
	}
	*st = e.res.stats;
	bad = 0;
out_w:
	fwrun_weights_free(&w);
out_env:
	fwrun_fini(&e);
out:
	free(x);
	free(wsrc);
	free(want);
	free(got);
	free(sx);
	free(qx);
	free(ws);
	return bad;
}

static void cs_usage(FILE *f)
{
	fprintf(f,
		"Usage: cost-sweep [--csv FILE] [--json]\n"
		"Models what one 1024 x 1024 linear layer costs in every weight format.\n\n"
		"A decode step (M = 1) and a prefill block (M = 64) per format and activation\n"
		"mode, run by the device firmware in process (fwrun) with the default edge-NPU\n"
		"cost parameters and a 4 MiB SRAM, each output checked bit for bit against the\n"
		"golden model; prints cycles (compute, memory), the bound, energy and pJ/MAC.\n\n"
		"Options:\n"
		"  --csv FILE     write one CSV line per run (make cost-sweep: build/bench/cost.csv)\n");
}

static void cs_json(const char *fmt, int a8, uint32_t m, double bpw, const struct fw_job_stats *st,
		    const char *bound, double us, double uj, double pj)
{
	struct tool_json j;

	tool_json_begin(&j, stdout);
	tool_json_str(&j, "format", fmt);
	tool_json_str(&j, "act", a8 ? "a8" : "a16");
	tool_json_u64(&j, "m", m);
	tool_json_u64(&j, "n", CS_N);
	tool_json_u64(&j, "k", CS_K);
	tool_json_double(&j, "bits_per_weight", bpw);
	tool_json_u64(&j, "weight_bytes", st->rd_weights);
	tool_json_u64(&j, "meta_bytes", st->rd_wmeta);
	tool_json_u64(&j, "act_bytes", st->rd_act);
	tool_json_u64(&j, "wr_bytes", st->wr_bytes);
	tool_json_u64(&j, "macs_exec", st->macs_exec);
	tool_json_u64(&j, "tiles", st->tiles);
	tool_json_u64(&j, "cycles_compute", st->cycles_compute);
	tool_json_u64(&j, "cycles_memory", st->cycles_memory);
	tool_json_u64(&j, "cycles", st->cycles);
	tool_json_str(&j, "bound", bound);
	tool_json_double(&j, "time_us", us);
	tool_json_double(&j, "energy_uj", uj);
	tool_json_double(&j, "pj_per_mac", pj);
	tool_json_end(&j);
}

int main(int argc, char **argv)
{
	static const uint32_t ms[] = { 1, 64 };
	static const struct option opts[] = { { "csv", 1, 0, 256 }, { 0 } };
	struct tool_cli cli = { .name = "cost-sweep", .usage = cs_usage, .flags = TOOL_CLI_JSON };
	const char *csv_path = NULL;
	struct fw_cost_params p;
	FILE *csv = NULL, *text;
	int fails = 0, c;

	while ((c = tool_cli_getopt(&cli, argc, argv, "", opts)) != -1)
		if (c == 256)
			csv_path = optarg;
	if (optind < argc)
		tool_cli_usage_error("unexpected argument '%s'", argv[optind]);
	text = cli.json ? stderr : stdout;
	if (csv_path && !(csv = fopen(csv_path, "w"))) {
		tool_cli_error("--csv %s: %s", csv_path, strerror(errno));
		return TOOL_EXIT_FAIL;
	}
	fw_cost_defaults(&p);
	if (csv)
		fprintf(csv, "format,act,m,n,k,bits_per_weight,weight_bytes,meta_bytes,act_bytes,"
			     "wr_bytes,macs_exec,tiles,cycles_compute,cycles_memory,cycles,bound,"
			     "time_us,energy_uj,pj_per_mac\n");
	fprintf(text, "%-12s %-4s %3s %6s %10s %10s %10s %-7s %10s %8s\n", "format", "act", "M",
	       "bits/w", "compute", "memory", "cycles", "bound", "energy uJ", "pJ/MAC");
	for (size_t mi = 0; mi < sizeof(ms) / sizeof(ms[0]); mi++) {
		for (size_t fi = 0; fi < sizeof(cs_fmts) / sizeof(cs_fmts[0]); fi++) {
			for (int a8 = 0; a8 < 2; a8++) {
				const struct cs_fmt *f = &cs_fmts[fi];
				struct fw_job_stats st;
				double bpw, uj, pj;
				const char *bound;

				if (a8 && !cs_a8_ok(f->fmt))
					continue;
				if (cs_run(f, a8, ms[mi], &st, &bpw)) {
					fails++;
					continue;
				}
				bound = st.cycles == st.cycles_compute ? "compute" : "memory";
				uj = (double)st.energy_fj / 1e9;
				pj = (double)st.energy_fj / 1e3 / (double)st.macs_dense;
				if (csv)
					fprintf(csv, "%s,%s,%u,%u,%u,%.4f,%llu,%llu,%llu,%llu,%llu,%llu,%llu,"
						     "%llu,%llu,%s,%.4f,%.6f,%.4f\n",
						f->name, a8 ? "a8" : "a16", ms[mi], CS_N, CS_K, bpw,
						(unsigned long long)st.rd_weights,
						(unsigned long long)st.rd_wmeta,
						(unsigned long long)st.rd_act,
						(unsigned long long)st.wr_bytes,
						(unsigned long long)st.macs_exec,
						(unsigned long long)st.tiles,
						(unsigned long long)st.cycles_compute,
						(unsigned long long)st.cycles_memory,
						(unsigned long long)st.cycles, bound,
						(double)st.cycles / p.clock_mhz, uj, pj);
				if (cli.json)
					cs_json(f->name, a8, ms[mi], bpw, &st, bound,
						(double)st.cycles / p.clock_mhz, uj, pj);
				fprintf(text, "%-12s %-4s %3u %6.3f %10llu %10llu %10llu %-7s %10.4f %8.3f\n",
				       f->name, a8 ? "a8" : "a16", ms[mi], bpw,
				       (unsigned long long)st.cycles_compute,
				       (unsigned long long)st.cycles_memory,
				       (unsigned long long)st.cycles, bound, uj, pj);
				fflush(text);
			}
		}
	}
	if (csv)
		fclose(csv);
	if (fails)
		fprintf(stderr, "cost-sweep: %d runs failed\n", fails);
	return fails ? 1 : 0;
}
