// SPDX-License-Identifier: MIT
/*
 * accel-generate in the guest, through /dev/accel/accel0 (runs in the VM).
 *
 * - For every generate-*.args file of the guest image (one argument per
 *   line), the build ran the same arguments on the host with --device
 *   fwrun --json (the same program on the firmware in process) and wrote
 *   the output next to it (.json). Here the guest's accel-generate runs
 *   them on the device and must print the same, member for member: the
 *   same bytes generated (greedy, and sampled with a seed) and every job's
 *   modeled statistics; only the device's name and the wall-clock figures
 *   may differ.
 * - A job that fails in the middle of a generation (an MMU fault, then a
 *   hang, armed through the driver's debugfs after the third token) ends
 *   the program with exit status 1 and a message naming the job's status
 *   and command index, and no later token is printed; nothing hangs.
 * - A prompt longer than the model's context is refused (exit 2) with the
 *   limit, before anything runs.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"

#define GGT_DIR		"/usr/share/quasar"
#define GGT_MODEL	GGT_DIR "/moby-lm-int4-g32-a16-rtn.qpk"
#define GGT_OUT		(1 << 20)
#define GGT_ARGS	64
#define GGT_TDR		"/sys/module/quasar/parameters/tdr_timeout_ms"
#define HAS(text, s) EXPECT_NE(NULL, strstr(text, s)) TH_LOG("missing \"%s\" in: %s", s, text)

static double ggt_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/*
 * A run of accel-generate with @argv: its stdout and stderr in @out (one
 * stream), its exit status returned (-1: killed after @timeout_s). When
 * @arm is set, @arm_fn runs once a line starting with @arm appears.
 */
struct ggt_run {
	char *const *argv;
	double timeout_s;
	const char *arm;
	int (*arm_fn)(void);
	int armed;
	char *out;
	size_t len;
};

static int ggt_exec(struct ggt_run *r)
{
	int fds[2], st = 0, killed = 0;
	size_t at = 0, line = 0;
	double t0 = ggt_now();
	pid_t pid;

	r->out[0] = 0;
	if (pipe(fds))
		return -2;
	pid = fork();
	if (pid < 0)
		return -2;
	if (pid == 0) {
		dup2(fds[1], 1);
		dup2(fds[1], 2);
		close(fds[0]);
		close(fds[1]);
		execvp(r->argv[0], r->argv);
		fprintf(stderr, "exec %s: %s\n", r->argv[0], strerror(errno));
		_exit(127);
	}
	close(fds[1]);
	for (;;) {
		struct pollfd p = { .fd = fds[0], .events = POLLIN };
		ssize_t n;

		if (ggt_now() - t0 > r->timeout_s) {
			kill(pid, SIGKILL);
			killed = 1;
			break;
		}
		if (poll(&p, 1, 200) <= 0)
			continue;
		n = read(fds[0], r->out + at, r->len - 1 - at);
		if (n <= 0)
			break;
		at += (size_t)n;
		r->out[at] = 0;
		/* look at each complete line once for the arming mark */
		while (r->arm && !r->armed) {
			char *nl = strchr(r->out + line, '\n');

			if (!nl)
				break;
			if (!strncmp(r->out + line, r->arm, strlen(r->arm))) {
				r->armed = r->arm_fn() ? -1 : 1;
				break;
			}
			line = (size_t)(nl + 1 - r->out);
		}
		if (at + 1 >= r->len)
			break;
	}
	close(fds[0]);
	waitpid(pid, &st, 0);
	if (killed)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/*
 * @a and @b equal line for line, but for the "device" line and each line's
 * wall-clock members (from ,"wall_ on: accel-generate puts them last).
 */
static int ggt_same_but_wall(const char *a, const char *b, char *why, size_t len)
{
	uint32_t line = 1;

	while (*a && *b) {
		const char *ea = strchrnul(a, '\n'), *eb = strchrnul(b, '\n');
		const char *wa = strstr(a, ",\"wall_"), *wb = strstr(b, ",\"wall_");
		size_t na = (size_t)(ea - a), nb = (size_t)(eb - b);

		if (wa && wa < ea)
			na = (size_t)(wa - a);
		if (wb && wb < eb)
			nb = (size_t)(wb - b);
		if (strncmp(a, "\"device\":", 9) &&
		    (na != nb || memcmp(a, b, na))) {
			snprintf(why, len, "line %u: the host's\n  %.*s\nthe guest's\n  %.*s", line,
				 (int)na, a, (int)nb, b);
			return 0;
		}
		a = *ea ? ea + 1 : ea;
		b = *eb ? eb + 1 : eb;
		line++;
	}
	if (*a || *b)
		snprintf(why, len, "line %u: one output ends first", line);
	return !*a && !*b;
}

/* Reads @path's lines into @argv after @first (NUL-terminated list); returns argc or -1. */
static int ggt_args(const char *path, char *text, size_t len, char **argv, int first)
{
	FILE *f = fopen(path, "r");
	size_t n;
	int argc = first;
	char *p;

	if (!f)
		return -1;
	n = fread(text, 1, len - 1, f);
	fclose(f);
	text[n] = 0;
	for (p = text; *p && argc < GGT_ARGS - 1; ) {
		char *nl = strchrnul(p, '\n');
		int end = !*nl;

		*nl = 0;
		argv[argc++] = p;
		p = end ? nl : nl + 1;
	}
	argv[argc] = NULL;
	return argc;
}

/* Every generate-*.args of the image: the guest's output must be the host's. */
TEST(generate_on_the_device_prints_what_the_host_computed)
{
	char *got = malloc(GGT_OUT), *want = malloc(GGT_OUT), why[4096], text[8192];
	char *argv[GGT_ARGS] = { "accel-generate", "--json" };
	glob_t g;
	size_t i;

	ASSERT_NE(NULL, got);
	ASSERT_NE(NULL, want);
	ASSERT_EQ(0, chdir(GGT_DIR));
	ASSERT_EQ(0, glob(GGT_DIR "/generate-*.args", 0, NULL, &g));
	/* greedy and sampled (docs/models.md) */
	EXPECT_LE(2u, g.gl_pathc);
	for (i = 0; i < g.gl_pathc; i++) {
		struct ggt_run r = { .argv = argv, .timeout_s = 300, .out = got, .len = GGT_OUT };
		char json[512];
		double t0 = ggt_now();
		size_t n;
		FILE *f;
		int rc;

		ASSERT_LT(2, ggt_args(g.gl_pathv[i], text, sizeof(text), argv, 2));
		snprintf(json, sizeof(json), "%.*s.json",
			 (int)(strlen(g.gl_pathv[i]) - strlen(".args")), g.gl_pathv[i]);
		f = fopen(json, "r");
		ASSERT_NE(NULL, f) TH_LOG("%s: %s", json, strerror(errno));
		n = fread(want, 1, GGT_OUT - 1, f);
		fclose(f);
		want[n] = 0;
		rc = ggt_exec(&r);
		EXPECT_EQ(0, rc) TH_LOG("%s: %s", g.gl_pathv[i], got);
		EXPECT_TRUE(ggt_same_but_wall(want, got, why, sizeof(why)))
			TH_LOG("%s: %s", g.gl_pathv[i], why);
		fprintf(stderr, "# %s: %zu bytes of JSON, the host's, in %.1f s\n",
			strrchr(json, '/') + 1, strlen(got), ggt_now() - t0);
	}
	globfree(&g);
	free(got);
	free(want);
}

/* ---- a job failing mid-generation ---- */

static int ggt_write(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -EIO;
}

/* The driver's debugfs file @file of the one device. */
static int ggt_dbg(const char *file, const char *text)
{
	char path[512];
	glob_t g;
	int ret = -ENOENT;

	if (glob("/sys/kernel/debug/accel/*/fault_inject", 0, NULL, &g))
		return -ENOENT;
	if (g.gl_pathc == 1) {
		snprintf(path, sizeof(path), "%.*s%s",
			 (int)(strrchr(g.gl_pathv[0], '/') + 1 - g.gl_pathv[0]), g.gl_pathv[0],
			 file);
		ret = ggt_write(path, text);
	}
	globfree(&g);
	return ret;
}

/* accel-generate submits on hardware queue 0 */
static int ggt_arm_mmu(void)
{
	return ggt_dbg("fault_hw_queues", "0x1") ?: ggt_dbg("fault_inject", "mmu");
}

static int ggt_arm_hang(void)
{
	return ggt_dbg("fault_hw_queues", "0x1") ?: ggt_dbg("fault_inject", "hang");
}

FIXTURE(fault) {
	char *out;
	char tdr[32];
};

FIXTURE_SETUP(fault)
{
	FILE *f = fopen(GGT_TDR, "r");

	self->out = malloc(GGT_OUT);
	ASSERT_NE(NULL, self->out);
	ASSERT_NE(NULL, f);
	if (!fgets(self->tdr, sizeof(self->tdr), f))
		self->tdr[0] = 0;
	fclose(f);
	/* a hung job is found within 2 s without progress */
	ASSERT_EQ(0, ggt_write(GGT_TDR, "2000"));
	ASSERT_EQ(0, ggt_dbg("fault_inject", "clear"));
}

FIXTURE_TEARDOWN(fault)
{
	if (self->tdr[0])
		ggt_write(GGT_TDR, self->tdr);
	ggt_dbg("fault_inject", "clear");
	ggt_dbg("fault_hw_queues", "0xf");
	free(self->out);
}

static char *const ggt_long[] = {
	"accel-generate", "--tokens", "200", "--prompt", "Call me", GGT_MODEL, NULL
};

/* The last token line printed (its index), or -1. */
static int ggt_last_token(const char *out)
{
	int last = -1, idx, pos;
	const char *p = out;

	while (p && *p) {
		if (sscanf(p, "%d %d", &idx, &pos) == 2)
			last = idx;
		p = strchr(p, '\n');
		p = p ? p + 1 : NULL;
	}
	return last;
}

TEST_F_TIMEOUT(fault, an_mmu_fault_mid_generation_reports_status_and_command, 120)
{
	struct ggt_run r = { .argv = ggt_long, .timeout_s = 60, .arm = "    3 ",
			     .arm_fn = ggt_arm_mmu, .out = self->out, .len = GGT_OUT };
	int rc = ggt_exec(&r), last = ggt_last_token(self->out);

	EXPECT_EQ(1, r.armed) TH_LOG("the fault was not armed after token 3: %s", self->out);
	EXPECT_EQ(1, rc) TH_LOG("%s", self->out);
	HAS(self->out, "the job ended MMU_FAULT at command 0");
	HAS(self->out, "of 200 tokens generated");
	EXPECT_LE(3, last);
	EXPECT_GT(199, last) TH_LOG("the generation finished before the fault");
	EXPECT_EQ(NULL, strstr(self->out, "\ngenerate: "));
	fprintf(stderr, "# failed after token %d: %s", last,
		strstr(self->out, "accel-generate: ") ?: "(no message)\n");
}

TEST_F_TIMEOUT(fault, a_hang_mid_generation_is_reset_and_reported, 120)
{
	struct ggt_run r = { .argv = ggt_long, .timeout_s = 60, .arm = "    3 ",
			     .arm_fn = ggt_arm_hang, .out = self->out, .len = GGT_OUT };
	double t0 = ggt_now();
	int rc = ggt_exec(&r), last = ggt_last_token(self->out);

	EXPECT_EQ(1, r.armed) TH_LOG("the fault was not armed after token 3: %s", self->out);
	/* -1: still running after a minute, killed */
	EXPECT_EQ(1, rc) TH_LOG("%s", self->out);
	HAS(self->out, "accel-generate: token ");
	HAS(self->out, "of 200 tokens generated");
	EXPECT_GT(199, last);
	fprintf(stderr, "# failed after token %d in %.1f s: %s", last, ggt_now() - t0,
		strstr(self->out, "accel-generate: ") ?: "(no message)\n");
}

TEST(a_prompt_longer_than_the_context_is_refused_with_the_limit)
{
	char prompt[301], *out = malloc(GGT_OUT);
	char *const argv[] = { "accel-generate", "--prompt", prompt, GGT_MODEL, NULL };
	struct ggt_run r = { .argv = argv, .timeout_s = 60, .out = out, .len = GGT_OUT };

	ASSERT_NE(NULL, out);
	memset(prompt, 'x', 300);
	prompt[300] = 0;
	EXPECT_EQ(2, ggt_exec(&r));
	HAS(out, "--prompt (300 bytes)");
	HAS(out, "longer than the model's context of 256");
	free(out);
}

TEST_HARNESS_MAIN
