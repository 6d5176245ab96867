// SPDX-License-Identifier: MIT
/*
 * accel-bench-model: the language model's decode speed, one device job per
 * token (models/mdl_lm_program.h, mdl_lm_device_step()), against the same
 * model in FP32 on this CPU (models/mdl_lm_infer.c).
 *
 * A prefill job of --prompt bytes of a fixed English text, then --steps
 * decode jobs, each feeding the most likely byte of the previous step
 * (greedy generation), are timed step by step; then the FP32 checkpoint
 * (--fp32) decodes the same number of steps after the same prompt on the
 * CPU. Only decode steps count. Prints one line per path:
 *
 *   model-bench: path=P steps=N prompt=N wall_ns=N [busy_ns=N stream_ns=N
 *                cmds=N stream_bytes=N seq_first=N seq_last=N job_ns=N
 *                mmu_ns=N dma_ns=N kernel_ns=N cpl_ns=N submit_ns=N wait_ns=N
 *                stats_ns=N]
 *   model-bench-step: seqno=N submit_at_ns=N waited_at_ns=N   (the device)
 *
 * wall_ns: the decode steps from the caller's side (stream built, job
 * submitted, waited for, logits read); busy_ns: the device's own time of
 * those jobs (JOB_STATS device_ns: start to interrupt); stream_ns: the
 * part of wall_ns that builds the streams (cmds commands, stream_bytes
 * bytes, the last step's); the phases are the
 * firmware's (struct mdl_job_time) where the backend sees them (fwrun),
 * and the QEMU trace event quasar_hwq_job_phases of seqnos seq_first ..
 * seq_last gives them for the device (bench/model_bench.sh). On the device,
 * submit_ns (the stream into the command BO and SUBMIT), wait_ns (BO_WAIT)
 * and stats_ns (JOB_STATS) are the caller's side, and a step line per job
 * says when (CLOCK_MONOTONIC) SUBMIT was entered and BO_WAIT returned, for
 * the driver's tracepoints to split them. With --time-transfers the run
 * also times page walks and DMA (mmu_ns, dma_ns), which costs hundreds of
 * clock reads a job outside the kernels, and its path ends "-transfers":
 * fwrun turns that on itself; the device does it while the QEMU trace
 * event quasar_hwq_job_transfers is on, which model_bench.sh sees to.
 * Without it, those phases are 0 and part of the firmware's. A benchmark:
 * it checks that every job ran (status OK), not how fast.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dp_isa.h"
#include "mdl_backend.h"
#include "mdl_lm_infer.h"
#include "mdl_lm_program.h"
#include "mdl_packed.h"
#include "mdl_thread_pool.h"

/* The prompt: bytes of ordinary English prose, repeated to any length. */
static const char bench_text[] =
	"It was a cold grey morning when the ship left the harbour, and the men on "
	"her deck watched the low shore sink behind them until nothing was left of it "
	"but a line of smoke above the water. ";

struct bench_opts {
	const char *qpk, *fp32;
	uint32_t prompt, steps;
	int fwrun, time_transfers;
};

struct bench_sums {
	uint64_t wall_ns, busy_ns, seq_first, seq_last, stream_ns;
	uint32_t cmds, stream_bytes;
	struct mdl_job_time t;
};

static uint64_t bench_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint32_t bench_argmax(const float *v, uint32_t n)
{
	uint32_t best = 0;

	for (uint32_t i = 1; i < n; i++)
		if (v[i] > v[best])
			best = i;
	return best;
}

static void bench_prompt(uint32_t *tok, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		tok[i] = (uint8_t)bench_text[i % (sizeof(bench_text) - 1)];
}

static void bench_time_add(struct mdl_job_time *sum, const struct mdl_job_time *t)
{
	sum->job_ns += t->job_ns;
	sum->mmu_ns += t->mmu_ns;
	sum->dma_ns += t->dma_ns;
	sum->kernel_ns += t->kernel_ns;
	sum->cpl_ns += t->cpl_ns;
	sum->submit_ns += t->submit_ns;
	sum->wait_ns += t->wait_ns;
	sum->stats_ns += t->stats_ns;
}

/*
 * The part of wall_ns spent making the steps' streams on this CPU (the
 * first decode step's is built by libaccel, the others patched in place,
 * mdl_program_step_stream()): the same steps made again, alone, from the
 * decode's stream.
 */
static int bench_streams(const struct bench_opts *o, struct mdl_loaded *l,
			 struct bench_sums *s, char *err, size_t errlen)
{
	uint32_t tok = 'e';
	int ret = 0;

	for (uint32_t i = 0; !ret && i < o->steps; i++) {
		struct mdl_step step = { .rows = 1, .pos = o->prompt + i, .tokens = &tok };
		uint64_t t0 = bench_ns();

		ret = mdl_program_step_stream(l, &step, err, errlen);
		s->stream_ns += bench_ns() - t0;
	}
	return ret;
}

/* The prefill, then the timed decode steps, on @b. */
static int bench_device(const struct bench_opts *o, const struct mdl_packed *pk,
			struct mdl_backend *b, struct bench_sums *s, char *err, size_t errlen)
{
	const struct mdl_llama *m = pk->lm;
	struct mdl_program p = { 0 };
	struct mdl_loaded l = { 0 };
	uint32_t *tok = malloc(sizeof(uint32_t) * o->prompt);
	float *logits = malloc(sizeof(float) * o->prompt * m->vocab);
	struct accel_job_stats st;
	int ret = tok && logits ? 0 : -ENOMEM;

	if (ret)
		snprintf(err, errlen, "out of memory");
	if (!ret)
		ret = mdl_lm_program(m, &pk->ls, o->prompt, 1, &p, err, errlen);
	if (!ret)
		ret = mdl_program_load(&p, b, &l, err, errlen);
	if (!ret) {
		bench_prompt(tok, o->prompt);
		ret = mdl_lm_device_step(&l, m, 0, 0, o->prompt, tok, logits, &st, err, errlen);
	}
	for (uint32_t i = 0; !ret && i < o->steps; i++) {
		uint32_t next = bench_argmax(logits + (size_t)(i ? 0 : o->prompt - 1) * m->vocab,
					     m->vocab);
		uint64_t t0 = bench_ns();

		ret = mdl_lm_device_step(&l, m, 0, o->prompt + i, 1, &next, logits, &st, err,
					 errlen);
		s->wall_ns += bench_ns() - t0;
		if (ret)
			break;
		s->busy_ns += st.device_ns;
		s->cmds = st.cmd_index;
		s->stream_bytes = l.stream_size;
		if (!i)
			s->seq_first = st.seqno;
		s->seq_last = st.seqno;
		if (b->ops->job_time) {
			struct mdl_job_time t;

			b->ops->job_time(b, &t);
			bench_time_add(&s->t, &t);
			/* Matched with the driver's tracepoints by model_bench.sh. */
			if (t.submit_at_ns)
				printf("model-bench-step: seqno=%llu submit_at_ns=%llu "
				       "waited_at_ns=%llu\n", (unsigned long long)st.seqno,
				       (unsigned long long)t.submit_at_ns,
				       (unsigned long long)t.waited_at_ns);
		}
	}
	if (!ret)
		ret = bench_streams(o, &l, s, err, errlen);
	mdl_program_unload(&l);
	mdl_program_free(&p);
	free(logits);
	free(tok);
	return ret;
}

/* The same decode on this CPU in FP32: @ckpt's own greedy bytes. */
static int bench_cpu(const struct bench_opts *o, uint64_t *wall_ns, char *err, size_t errlen)
{
	struct mdl_llama *m = NULL;
	struct mdl_lm_state *st = NULL;
	struct mdl_pool *pool = NULL;
	struct mdl_exec *ex = NULL;
	struct mdl_linset ls = { 0 };
	uint32_t *tok = malloc(sizeof(uint32_t) * o->prompt);
	float *logits = NULL;
	int ret = mdl_llama_load(o->fp32, &m, err, errlen), have_ls = 0;

	if (!ret && (!tok || !(logits = malloc(sizeof(float) * o->prompt * m->vocab))))
		ret = -snprintf(err, errlen, "out of memory");
	/* One thread: the device's worker is one host thread too. */
	if (!ret && (ret = mdl_pool_create(1, &pool)))
		snprintf(err, errlen, "thread pool: %s", strerror(-ret));
	if (!ret && (ret = mdl_exec_create(pool, dp_isa_best(), &ex)))
		snprintf(err, errlen, "executor: %s", strerror(-ret));
	if (!ret && !(ret = mdl_lm_linset(m, &ls)))
		have_ls = 1;
	else if (!ret)
		snprintf(err, errlen, "linear layers: %s", strerror(-ret));
	if (!ret && (ret = mdl_lm_state_create(m, 1, o->prompt, &st)))
		snprintf(err, errlen, "KV cache: %s", strerror(-ret));
	if (!ret) {
		bench_prompt(tok, o->prompt);
		ret = mdl_lm_forward(ex, &ls, st, 1, 0, o->prompt, tok, logits);
	}
	for (uint32_t i = 0; !ret && i < o->steps; i++) {
		uint32_t next = bench_argmax(logits + (size_t)(i ? 0 : o->prompt - 1) * m->vocab,
					     m->vocab);
		uint64_t t0 = bench_ns();

		ret = mdl_lm_forward(ex, &ls, st, 1, o->prompt + i, 1, &next, logits);
		*wall_ns += bench_ns() - t0;
	}
	if (ret && !err[0])
		snprintf(err, errlen, "FP32 forward pass: %s", strerror(-ret));
	mdl_lm_state_free(st);
	if (have_ls)
		mdl_linset_free(&ls, 1);
	mdl_exec_free(ex);
	mdl_pool_destroy(pool);
	mdl_llama_free(m);
	free(logits);
	free(tok);
	return ret;
}

static void bench_usage(void)
{
	fprintf(stderr,
		"usage: accel-bench-model [options] LM.qpk\n"
		"  --prompt N   bytes in the prefill job (default 64)\n"
		"  --steps N    decode steps timed (default 128; prompt + steps <= the context)\n"
		"  --fp32 FILE  the FP32 checkpoint (llama2.c layout) decoded on the CPU too\n"
		"  --time-transfers  time page walks and DMA too (path ...-transfers; the\n"
		"               device: with the QEMU trace event quasar_hwq_job_transfers on)\n"
#ifdef BENCH_FWRUN
		"  --fwrun      the firmware in process (fwrun/) instead of /dev/accel/accel0\n"
#endif
		);
}

static int bench_parse(int argc, char **argv, struct bench_opts *o)
{
	static const struct option opts[] = {
		{ "prompt", 1, 0, 'p' }, { "steps", 1, 0, 's' }, { "fp32", 1, 0, 'f' },
		{ "fwrun", 0, 0, 'w' }, { "time-transfers", 0, 0, 't' }, { "help", 0, 0, 'h' },
		{ 0, 0, 0, 0 }
	};
	int c;

	*o = (struct bench_opts){ .prompt = 64, .steps = 128 };
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'p': o->prompt = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 's': o->steps = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 'f': o->fp32 = optarg; break;
		case 'w': o->fwrun = 1; break;
		case 't': o->time_transfers = 1; break;
		case 'h': bench_usage(); exit(0);
		default: return -1;
		}
	}
	if (optind + 1 != argc || !o->prompt || !o->steps)
		return -1;
	o->qpk = argv[optind];
	return 0;
}

int main(int argc, char **argv)
{
	struct mdl_packed pk = { 0 };
	struct mdl_backend *b = NULL;
	struct bench_sums s = { 0 };
	struct bench_opts o;
	uint64_t cpu_ns = 0;
	char err[512] = "";
	int ret;

	if (bench_parse(argc, argv, &o)) {
		bench_usage();
		return 2;
	}
	ret = mdl_packed_load(o.qpk, &pk, err, sizeof(err));
	if (!ret && pk.kind != MDL_PACKED_LM)
		ret = -snprintf(err, sizeof(err), "%s: not a packed language model", o.qpk);
	if (!ret && (uint64_t)o.prompt + o.steps > pk.lm->seq_len)
		ret = -snprintf(err, sizeof(err), "a prompt of %u and %u steps: past the context "
				"of %u", o.prompt, o.steps, pk.lm->seq_len);
	if (!ret) {
#ifdef BENCH_FWRUN
		if (o.fwrun) {
			ret = mdl_backend_fwrun_create(1, &b);
			if (!ret)
				mdl_backend_fwrun_time_transfers(b, o.time_transfers);
		} else
#endif
			ret = mdl_backend_accel_create(NULL, &b);
		if (ret)
			snprintf(err, sizeof(err), "backend: %s", strerror(-ret));
	}
	if (!ret)
		ret = bench_device(&o, &pk, b, &s, err, sizeof(err));
	if (!ret)
		printf("model-bench: path=%s%s variant=%s steps=%u prompt=%u wall_ns=%llu "
		       "busy_ns=%llu stream_ns=%llu cmds=%u stream_bytes=%u seq_first=%llu "
		       "seq_last=%llu job_ns=%llu mmu_ns=%llu dma_ns=%llu kernel_ns=%llu "
		       "cpl_ns=%llu submit_ns=%llu wait_ns=%llu stats_ns=%llu\n",
		       o.fwrun ? "host-fwrun" : "guest-device",
		       o.time_transfers ? "-transfers" : "", pk.variant, o.steps, o.prompt,
		       (unsigned long long)s.wall_ns, (unsigned long long)s.busy_ns,
		       (unsigned long long)s.stream_ns, s.cmds, s.stream_bytes,
		       (unsigned long long)s.seq_first, (unsigned long long)s.seq_last,
		       (unsigned long long)s.t.job_ns, (unsigned long long)s.t.mmu_ns,
		       (unsigned long long)s.t.dma_ns, (unsigned long long)s.t.kernel_ns,
		       (unsigned long long)s.t.cpl_ns, (unsigned long long)s.t.submit_ns,
		       (unsigned long long)s.t.wait_ns, (unsigned long long)s.t.stats_ns);
	if (!ret && o.fp32) {
		ret = bench_cpu(&o, &cpu_ns, err, sizeof(err));
		if (!ret)
			printf("model-bench: path=%s-cpu-fp32 steps=%u prompt=%u wall_ns=%llu\n",
			       o.fwrun ? "host" : "guest", o.steps, o.prompt,
			       (unsigned long long)cpu_ns);
	}
	if (ret)
		fprintf(stderr, "accel-bench-model: %s\n", err[0] ? err : strerror(-ret));
	mdl_backend_destroy(b);
	mdl_packed_free(&pk);
	return ret ? 1 : 0;
}
