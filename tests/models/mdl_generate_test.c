// SPDX-License-Identifier: MIT
/*
 * Generation on the host (models/mdl_lm_sample.h, mdl_lm_generate.h and
 * accel-generate): the sampler's rules, generation on the language model's
 * device program on the firmware in process, and the program's command
 * line.
 *
 *  - the sampler: its exponential is libm's to 2 ulp and the same bits for
 *    the same input; greedy takes the lowest id of the largest logit and
 *    skips NaN; a seed repeats its draws and another seed does not; the
 *    draws follow softmax(logits / T) (within 5 standard errors over
 *    200,000 draws), only the top k are ever drawn, and they follow the
 *    renormalized distribution; bad temperatures and top-k are refused;
 *  - greedy generation on fwrun is the argmax chain of the logits a
 *    separate run of the same tokens gives (mdl_lm_device_run: a prefill,
 *    then decode steps), job for job with the same statistics;
 *  - the prompt and tokens that do not fit the context are refused with
 *    the limit;
 *  - accel-generate (the host build, --device fwrun): --help and --version
 *    exit 0, bad arguments exit 2 naming the argument and value, a prompt
 *    longer than the context exits 2 with the limit, a corrupt model file
 *    or a classifier's exits 1 naming what is wrong, a greedy run prints the summary line
 *    with its figures, and a sampled run repeats byte for byte with its
 *    seed (the wall-clock figures aside).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "mdl_backend.h"
#include "mdl_lm_generate.h"
#include "mdl_lm_program.h"
#include "mdl_lm_sample.h"
#include "mdl_packed.h"
#include "mdl_util.h"

#define HAS(text, s) EXPECT_NE(NULL, strstr(text, s)) TH_LOG("missing \"%s\" in: %s", s, text)

/* ---- the sampler ---- */

TEST(sample_exp_is_libm_to_two_ulp_and_repeats)
{
	double worst = 0;

	for (double x = -700.0; x <= 0.0; x += 0.0137) {
		double e = mdl_sample_exp(x), want = exp(x);

		worst = fmax(worst, fabs(e - want) / want);
		EXPECT_EQ(e, mdl_sample_exp(x));
	}
	EXPECT_GE(4.5e-16, worst);
	EXPECT_EQ(1.0, mdl_sample_exp(0.0));
	EXPECT_EQ(0.0, mdl_sample_exp(-800.0));
}

TEST(greedy_takes_the_lowest_id_of_the_largest_logit_and_skips_nan)
{
	float l[6] = { 1.0f, 3.0f, NAN, 3.0f, -INFINITY, 2.0f };
	float nan4[4] = { NAN, NAN, NAN, NAN };
	struct mdl_sampler s;
	char err[256];

	EXPECT_EQ(1u, mdl_sample_argmax(l, 6));
	EXPECT_EQ(0u, mdl_sample_argmax(nan4, 4));
	ASSERT_EQ(0, mdl_sampler_init(&s, 0.0, 0, 1, 6, err, sizeof(err))) TH_LOG("%s", err);
	EXPECT_EQ(1u, mdl_sample(&s, l));
	mdl_sampler_free(&s);
	l[2] = 9.0f;
	EXPECT_EQ(2u, mdl_sample_argmax(l, 6));
}

static void mdlt_logits(float *l, uint32_t n, uint64_t seed)
{
	struct mdl_rng r;

	mdl_rng_seed(&r, seed);
	for (uint32_t i = 0; i < n; i++)
		l[i] = (float)(mdl_rng_unif(&r) * 8.0 - 4.0);
}

TEST(a_seed_repeats_its_tokens_and_another_seed_does_not)
{
	struct mdl_sampler a, b, c;
	float l[256];
	char err[256];
	uint32_t same = 0, other = 0;

	ASSERT_EQ(0, mdl_sampler_init(&a, 0.8, 40, 7, 256, err, sizeof(err))) TH_LOG("%s", err);
	ASSERT_EQ(0, mdl_sampler_init(&b, 0.8, 40, 7, 256, err, sizeof(err)));
	ASSERT_EQ(0, mdl_sampler_init(&c, 0.8, 40, 8, 256, err, sizeof(err)));
	for (uint32_t i = 0; i < 200; i++) {
		uint32_t ta, tb, tc;

		mdlt_logits(l, 256, i);
		ta = mdl_sample(&a, l);
		tb = mdl_sample(&b, l);
		tc = mdl_sample(&c, l);
		same += ta == tb;
		other += ta == tc;
	}
	EXPECT_EQ(200u, same);
	/* 40 candidates of similar weight: another seed agrees on a few draws only */
	EXPECT_GT(100u, other);
	mdl_sampler_free(&a);
	mdl_sampler_free(&b);
	mdl_sampler_free(&c);
}

/* Draw @n tokens of @l[4] and check each frequency against @p within 5 standard errors. */
static int mdlt_freqs(struct mdl_sampler *s, const float *l, const double *p, uint32_t n)
{
	uint32_t count[4] = { 0 };
	int bad = 0;

	for (uint32_t i = 0; i < n; i++)
		count[mdl_sample(s, l)]++;
	for (uint32_t i = 0; i < 4; i++) {
		double f = (double)count[i] / n, se = sqrt(p[i] * (1 - p[i]) / n);

		if (fabs(f - p[i]) > 5 * se + 1e-12) {
			fprintf(stderr, "# token %u: drawn %.5f of the time, expected %.5f\n", i, f,
				p[i]);
			bad = 1;
		}
	}
	return bad;
}

TEST(draws_follow_softmax_over_temperature_and_only_the_top_k)
{
	const float l[4] = { 0.5f, 2.0f, -1.0f, 1.0f };
	const double T = 0.7;
	double w[4], sum = 0, sum2, p[4], p2[4];
	struct mdl_sampler s;
	char err[256];

	for (int i = 0; i < 4; i++)
		sum += w[i] = exp((l[i] - 2.0) / T);
	for (int i = 0; i < 4; i++)
		p[i] = w[i] / sum;
	ASSERT_EQ(0, mdl_sampler_init(&s, T, 0, 3, 4, err, sizeof(err))) TH_LOG("%s", err);
	EXPECT_EQ(0, mdlt_freqs(&s, l, p, 200000));
	mdl_sampler_free(&s);
	/* top-2: tokens 1 and 3 only, renormalized */
	sum2 = w[1] + w[3];
	p2[0] = p2[2] = 0;
	p2[1] = w[1] / sum2;
	p2[3] = w[3] / sum2;
	ASSERT_EQ(0, mdl_sampler_init(&s, T, 2, 4, 4, err, sizeof(err))) TH_LOG("%s", err);
	EXPECT_EQ(0, mdlt_freqs(&s, l, p2, 200000));
	mdl_sampler_free(&s);
	/* top-1 is greedy whatever the temperature */
	ASSERT_EQ(0, mdl_sampler_init(&s, 5.0, 1, 5, 4, err, sizeof(err)));
	for (int i = 0; i < 100; i++)
		EXPECT_EQ(1u, mdl_sample(&s, l));
	mdl_sampler_free(&s);
}

TEST(bad_temperatures_and_top_k_are_refused)
{
	struct mdl_sampler s;
	char err[256];

	EXPECT_EQ(-EINVAL, mdl_sampler_init(&s, -0.5, 0, 1, 256, err, sizeof(err)));
	HAS(err, "temperature -0.5");
	EXPECT_EQ(-EINVAL, mdl_sampler_init(&s, NAN, 0, 1, 256, err, sizeof(err)));
	HAS(err, "temperature nan");
	EXPECT_EQ(-EINVAL, mdl_sampler_init(&s, INFINITY, 0, 1, 256, err, sizeof(err)));
	EXPECT_EQ(-EINVAL, mdl_sampler_init(&s, 1.0, 257, 1, 256, err, sizeof(err)));
	HAS(err, "top-k 257");
	HAS(err, "256");
}

/* ---- generation on the device program, on fwrun ---- */

FIXTURE(gen) {
	struct mdl_packed pk;
	struct mdl_program p;
	struct mdl_backend *b;
	struct mdl_loaded l;
};

#define MDLT_PROMPT "It was the third day of the chase, and in the "
#define MDLT_PLEN ((uint32_t)sizeof(MDLT_PROMPT) - 1)

FIXTURE_SETUP(gen)
{
	char err[512];

	ASSERT_EQ(0, mdl_packed_load(MDLT_LM_QPK, &self->pk, err, sizeof(err))) TH_LOG("%s", err);
	ASSERT_EQ(0, mdl_lm_program(self->pk.lm, &self->pk.ls, MDLT_PLEN, 1, &self->p, err,
				    sizeof(err))) TH_LOG("%s", err);
	ASSERT_EQ(0, mdl_backend_fwrun_create(1, &self->b));
	ASSERT_EQ(0, mdl_program_load(&self->p, self->b, &self->l, err, sizeof(err)))
		TH_LOG("%s", err);
}

FIXTURE_TEARDOWN(gen)
{
	mdl_program_unload(&self->l);
	mdl_backend_destroy(self->b);
	mdl_program_free(&self->p);
	mdl_packed_free(&self->pk);
}

struct mdlt_jobs {
	struct accel_job_stats st[64];
	uint32_t pos[64], rows[64], n;
};

static int mdlt_keep(void *ctx, const struct mdl_gen_token *t)
{
	struct mdlt_jobs *j = ctx;

	j->st[j->n] = t->st;
	j->pos[j->n] = t->pos;
	j->rows[j->n] = t->rows;
	j->n++;
	return t->token == t->top1 ? 0 : -EPROTO;	/* greedy takes the top-1 */
}

TEST_F(gen, greedy_is_the_argmax_chain_of_a_separate_run_of_its_tokens)
{
	const uint32_t N = 24, V = self->pk.lm->vocab;
	uint32_t prompt[MDLT_PLEN], out[24], seq[MDLT_PLEN + 24], done, i;
	struct mdl_dev_figures f = { 0 };
	struct mdlt_jobs jobs = { 0 };
	struct mdl_sampler s;
	float *logits = malloc(sizeof(float) * (MDLT_PLEN + N) * V);
	char err[512];

	ASSERT_NE(NULL, logits);
	for (i = 0; i < MDLT_PLEN; i++)
		seq[i] = prompt[i] = (uint8_t)MDLT_PROMPT[i];
	ASSERT_EQ(0, mdl_sampler_init(&s, 0.0, 0, 1, V, err, sizeof(err)));
	ASSERT_EQ(0, mdl_lm_generate(&self->l, self->pk.lm, prompt, MDLT_PLEN, N, &s, mdlt_keep,
				     &jobs, out, &done, err, sizeof(err))) TH_LOG("%s", err);
	EXPECT_EQ(N, done);
	ASSERT_EQ(N, jobs.n);
	EXPECT_EQ(0u, jobs.pos[0]);
	EXPECT_EQ(MDLT_PLEN, jobs.rows[0]);
	/* the same tokens fed by the figures' run: a prefill, then a decode step each */
	memcpy(seq + MDLT_PLEN, out, sizeof(uint32_t) * (N - 1));
	ASSERT_EQ(0, mdl_dev_figures_init(&f, MDLT_LM_QPK, self->pk.variant, "fwrun", err,
					  sizeof(err)));
	ASSERT_EQ(0, mdl_lm_device_run(&self->l, self->pk.lm, seq, MDLT_PLEN + N - 1, MDLT_PLEN,
				       &f, logits, err, sizeof(err))) TH_LOG("%s", err);
	ASSERT_EQ(N, f.jobs);
	for (i = 0; i < N; i++) {
		const float *row = logits + (size_t)(MDLT_PLEN - 1 + i) * V;

		EXPECT_EQ(mdl_sample_argmax(row, V), out[i]) TH_LOG("token %u", i);
		EXPECT_EQ(i ? MDLT_PLEN + i - 1 : 0, jobs.pos[i]);
		EXPECT_EQ(1, mdl_job_stats_equal(&f.job[i].st, &jobs.st[i])) TH_LOG("job %u", i);
	}
	/* a decode step reads every weight once: its bytes are the prefill's weights */
	EXPECT_EQ(jobs.st[0].rd_weight_bytes, jobs.st[1].rd_weight_bytes);
	EXPECT_LT(jobs.st[1].cycles, jobs.st[0].cycles);
	mdl_dev_figures_free(&f);
	mdl_sampler_free(&s);
	free(logits);
}

TEST_F(gen, a_prompt_or_tokens_past_the_context_are_refused_with_the_limit)
{
	const struct mdl_llama *m = self->pk.lm;
	uint32_t prompt[MDLT_PLEN] = { 0 }, out[4], done = 7;
	struct mdl_sampler s;
	char err[512];

	EXPECT_EQ(-EINVAL, mdl_lm_generate_check(m, m->seq_len + 1, 1, err, sizeof(err)));
	HAS(err, "257 tokens is longer than the model's context of 256");
	EXPECT_EQ(0, mdl_lm_generate_check(m, m->seq_len, 1, err, sizeof(err)));
	EXPECT_EQ(-EINVAL, mdl_lm_generate_check(m, 200, 58, err, sizeof(err)));
	HAS(err, "1..57 fit the context of 256");
	EXPECT_EQ(0, mdl_lm_generate_check(m, 200, 57, err, sizeof(err)));
	EXPECT_EQ(-EINVAL, mdl_lm_generate_check(m, 0, 1, err, sizeof(err)));
	HAS(err, "empty prompt");
	ASSERT_EQ(0, mdl_sampler_init(&s, 0.0, 0, 1, m->vocab, err, sizeof(err)));
	/* longer than the program's steps: refused before any job */
	EXPECT_EQ(-EINVAL, mdl_lm_generate(&self->l, m, prompt, MDLT_PLEN + 1, 4, &s, NULL, NULL,
					   out, &done, err, sizeof(err)));
	HAS(err, "steps of 1..");
	EXPECT_EQ(0u, done);
	mdl_sampler_free(&s);
}

/* ---- accel-generate, the host build ---- */

/* Runs a shell command line; its exit status, and its stdout and stderr in @out. */
static int mdlt_run(const char *cmd, char *out, size_t len)
{
	char line[1024];
	size_t at = 0;
	FILE *f = popen(cmd, "r");
	int st;

	out[0] = 0;
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		size_t n = strlen(line);

		if (at + n < len) {
			memcpy(out + at, line, n + 1);
			at += n;
		}
	}
	st = pclose(f);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

#define MDLT_GEN MDLT_GENERATE " --device fwrun "
#define MDLT_OUT 65536

TEST(accel_generate_help_version_and_bad_arguments)
{
	char *out = malloc(MDLT_OUT);

	ASSERT_NE(NULL, out);
	EXPECT_EQ(0, mdlt_run(MDLT_GENERATE " --help 2>/dev/null", out, MDLT_OUT));
	HAS(out, "usage: accel-generate");
	HAS(out, "--top-k");
	EXPECT_EQ(0, mdlt_run(MDLT_GENERATE " --version", out, MDLT_OUT));
	HAS(out, "accel-generate ");
	EXPECT_EQ(2, mdlt_run(MDLT_GEN "--tokens 12x --prompt a " MDLT_LM_QPK " 2>&1", out,
			      MDLT_OUT));
	HAS(out, "--tokens '12x'");
	EXPECT_EQ(2, mdlt_run(MDLT_GEN "--temperature -1 --prompt a " MDLT_LM_QPK " 2>&1", out,
			      MDLT_OUT));
	HAS(out, "--temperature '-1'");
	EXPECT_EQ(2, mdlt_run(MDLT_GEN "--top-k 300 --prompt a " MDLT_LM_QPK " 2>&1", out,
			      MDLT_OUT));
	HAS(out, "--top-k '300'");
	EXPECT_EQ(2, mdlt_run(MDLT_GEN "--seed -3 --prompt a " MDLT_LM_QPK " 2>&1", out,
			      MDLT_OUT));
	HAS(out, "--seed '-3'");
	EXPECT_EQ(2, mdlt_run(MDLT_GEN "--bogus " MDLT_LM_QPK " 2>&1", out, MDLT_OUT));
	HAS(out, "unknown option '--bogus'");
	EXPECT_EQ(2, mdlt_run(MDLT_GEN MDLT_LM_QPK " 2>&1", out, MDLT_OUT));
	HAS(out, "no --prompt");
	EXPECT_EQ(2, mdlt_run(MDLT_GEN "--prompt '' " MDLT_LM_QPK " 2>&1", out, MDLT_OUT));
	HAS(out, "--prompt '': empty");
	EXPECT_EQ(2, mdlt_run(MDLT_GEN "--prompt a 2>&1", out, MDLT_OUT));
	HAS(out, "no model file");
	free(out);
}

TEST(accel_generate_refuses_a_prompt_longer_than_the_context_and_a_bad_file)
{
	char *out = malloc(MDLT_OUT), *cmd = malloc(4096), prompt[301];
	char tmp[] = "/tmp/mdlt-gen-XXXXXX";
	uint8_t *buf;
	size_t len;
	FILE *f;
	int fd;

	ASSERT_NE(NULL, out);
	ASSERT_NE(NULL, cmd);
	memset(prompt, 'a', 300);
	prompt[300] = 0;
	snprintf(cmd, 4096, MDLT_GEN "--prompt %s " MDLT_LM_QPK " 2>&1", prompt);
	EXPECT_EQ(2, mdlt_run(cmd, out, MDLT_OUT));
	HAS(out, "--prompt (300 bytes)");
	HAS(out, "longer than the model's context of 256");
	EXPECT_EQ(2, mdlt_run(MDLT_GEN "--prompt abc --tokens 255 " MDLT_LM_QPK " 2>&1", out,
			      MDLT_OUT));
	HAS(out, "--tokens 255");
	HAS(out, "1..254 fit the context of 256");
	/* a corrupt file: a flipped byte in the middle */
	ASSERT_EQ(0, mdl_read_file(MDLT_LM_QPK, &buf, &len, out, MDLT_OUT));
	buf[len / 2] ^= 0x40;
	fd = mkstemp(tmp);
	ASSERT_LE(0, fd);
	f = fdopen(fd, "wb");
	ASSERT_EQ(len, fwrite(buf, 1, len, f));
	fclose(f);
	snprintf(cmd, 4096, MDLT_GEN "--prompt abc %s 2>&1", tmp);
	EXPECT_EQ(1, mdlt_run(cmd, out, MDLT_OUT));
	HAS(out, "CRC-32");
	unlink(tmp);
	/* a packed model of another kind */
	EXPECT_EQ(1, mdlt_run(MDLT_GEN "--prompt abc " MDLT_CLS_QPK " 2>&1", out, MDLT_OUT));
	HAS(out, "kind 2, not a language model");
	EXPECT_EQ(1, mdlt_run(MDLT_GEN "--prompt abc /nonexistent.qpk 2>&1", out, MDLT_OUT));
	HAS(out, "/nonexistent.qpk");
	free(buf);
	free(cmd);
	free(out);
}

TEST(accel_generate_greedy_prints_the_text_and_the_summary)
{
	char *out = malloc(MDLT_OUT), *sum;
	unsigned n = 0;
	double tps = 0, uj = 0, cyc = 0;

	ASSERT_NE(NULL, out);
	ASSERT_EQ(0, mdlt_run(MDLT_GEN "--tokens 12 --prompt '" MDLT_PROMPT "' " MDLT_LM_QPK
			      " 2>&1", out, MDLT_OUT)) TH_LOG("%s", out);
	HAS(out, "device:   fwrun");
	HAS(out, "sampling: greedy");
	HAS(out, MDLT_PROMPT);
	sum = strstr(out, "\ngenerate: ");
	ASSERT_NE(NULL, sum) TH_LOG("%s", out);
	ASSERT_EQ(4, sscanf(sum, "\ngenerate: %u tokens, %lf tokens/s emulated, %lf uJ/token, "
			    "%lf cycles/token", &n, &tps, &uj, &cyc)) TH_LOG("%s", sum);
	EXPECT_EQ(12u, n);
	EXPECT_LT(0, tps);
	EXPECT_LT(0, uj);
	EXPECT_LT(0, cyc);
	free(out);
}

/* @a and @b equal line for line up to each line's wall-clock figures ("wall_..."). */
static int mdlt_same_but_wall(const char *a, const char *b)
{
	while (*a && *b) {
		const char *ea = strchr(a, '\n'), *eb = strchr(b, '\n');
		const char *wa = strstr(a, ",\"wall_"), *wb = strstr(b, ",\"wall_");
		size_t na = ea ? (size_t)(ea - a) : strlen(a);
		size_t nb = eb ? (size_t)(eb - b) : strlen(b);

		if (wa && wa < a + na)
			na = (size_t)(wa - a);
		if (wb && wb < b + nb)
			nb = (size_t)(wb - b);
		if (na != nb || memcmp(a, b, na))
			return 0;
		a = ea ? ea + 1 : a + na;
		b = eb ? eb + 1 : b + nb;
	}
	return !*a && !*b;
}

TEST(accel_generate_sampling_repeats_with_its_seed)
{
	char *a = malloc(MDLT_OUT), *b = malloc(MDLT_OUT), *c = malloc(MDLT_OUT);
	const char *cmd = MDLT_GEN "--json --tokens 20 --temperature 0.9 --top-k 40 --seed %d "
			  "--prompt '" MDLT_PROMPT "' " MDLT_LM_QPK;
	char line[1024];

	ASSERT_NE(NULL, a);
	ASSERT_NE(NULL, b);
	ASSERT_NE(NULL, c);
	snprintf(line, sizeof(line), cmd, 11);
	ASSERT_EQ(0, mdlt_run(line, a, MDLT_OUT)) TH_LOG("%s", a);
	ASSERT_EQ(0, mdlt_run(line, b, MDLT_OUT)) TH_LOG("%s", b);
	snprintf(line, sizeof(line), cmd, 12);
	ASSERT_EQ(0, mdlt_run(line, c, MDLT_OUT)) TH_LOG("%s", c);
	HAS(a, "\"temperature\":0.90000000000000002,\"top_k\":40,\"seed\":11");
	HAS(a, "\"tokens_per_s\":");
	EXPECT_TRUE(mdlt_same_but_wall(a, b)) TH_LOG("%s\n---\n%s", a, b);
	EXPECT_FALSE(mdlt_same_but_wall(a, c));
	free(a);
	free(b);
	free(c);
}

TEST_HARNESS_MAIN
