// SPDX-License-Identifier: MIT
/*
 * Device reset and recovery, driven by the progress watchdog. Run with
 * quasar.ko loaded with a job timeout shorter than one long job
 * (guest_reset_test.sh does the reload). The "long" job is made to hang
 * by the device's fault injection (hw-spec 11, through debugfs): a job
 * that merely runs long makes progress and is not reset. The driver
 * soft-resets the device, boots the firmware again, restores the contexts
 * and queues, and every job - the one that hung, the ones queued behind
 * it, those on other queues and those submitted later - still ends with
 * its status known and, where it ran, its results right; the hardware
 * fences of one hardware queue signal in seqno order through a reset.
 */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <time.h>
#include <unistd.h>

#include "drm/quasar_accel.h"
#include "kselftest_harness.h"
#include "raw_util.h"

#define PAGE		4096ull
#define MIB		(1ull << 20)
#define WAIT_NS		(120ull * 1000000000ull)
#define LONG_BO		(32 * MIB)
#define LONG_COPIES	64	/* 64 x 16 MiB: seconds under TCG */

static int rst_submit(int fd, uint32_t queue, const struct raw_bo *cmd,
		      uint32_t size, const struct raw_bo *data)
{
	struct drm_quasar_submit s = {
		.cmd_handle = cmd->handle, .cmd_size = size, .queue = queue,
		.bo_handles = (uintptr_t)&data->handle, .bo_count = 1,
	};

	return raw_ioctl(fd, DRM_IOCTL_QUASAR_SUBMIT, &s);
}

/* Write @text to the debugfs file @name of the device. */
static int rst_debugfs(const char *name, const char *text)
{
	char path[256];
	glob_t g;
	int fd, ok;

	if (glob("/sys/kernel/debug/accel/*/fault_inject", 0, NULL, &g))
		return -ENOENT;
	snprintf(path, sizeof(path), "%.*s%s",
		 (int)(strrchr(g.gl_pathv[0], '/') + 1 - g.gl_pathv[0]),
		 g.gl_pathv[0], name);
	globfree(&g);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	ok = write(fd, text, strlen(text)) == (ssize_t)strlen(text);
	close(fd);
	return ok ? 0 : -EIO;
}

/* The next job on queue @q never ends (until the reset). */
static int rst_arm_hang(int q)
{
	char mask[8];

	snprintf(mask, sizeof(mask), "0x%x", 1 << q);
	return rst_debugfs("fault_hw_queues", mask) ?: rst_debugfs("fault_inject", "hang");
}

/* "device reset N done" lines in the kernel log. */
static int rst_resets(void)
{
	static char log[1 << 20];
	int len = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, log, sizeof(log) - 1);
	int n = 0;
	char *p;

	if (len < 0)
		return -1;
	log[len] = 0;
	for (p = log; (p = strstr(p, "] device reset ")); p++)
		n++;
	return n;
}

FIXTURE(rst) {
	int fd;
	struct raw_bo big;	/* the long job's data */
	struct raw_bo data;	/* short jobs' results, one u64 each */
	struct raw_bo cmd[8];
};

FIXTURE_SETUP(rst)
{
	int i;

	self->fd = open("/dev/accel/accel0", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->fd) TH_LOG("open /dev/accel/accel0: %s", strerror(errno));
	ASSERT_EQ(0, raw_bo_new(self->fd, LONG_BO, &self->big));
	ASSERT_EQ(0, raw_bo_new(self->fd, PAGE, &self->data));
	for (i = 0; i < 8; i++)
		ASSERT_EQ(0, raw_bo_new(self->fd, PAGE, &self->cmd[i]));
}

FIXTURE_TEARDOWN(rst)
{
	close(self->fd);
}

TEST_F(rst, a_hung_job_resets_the_device_and_every_job_ends)
{
	uint64_t *out = self->data.map;
	struct drm_quasar_bo_wait w;
	struct raw_bo bad_big, bad_cmd;
	int before = rst_resets();
	int bad, q;
	size_t n;

	ASSERT_LE(0, before) TH_LOG("klogctl: %s", strerror(errno));
	/*
	 * Queue 0: another file's long job, made to hang, then a short one of
	 * this file behind it. The hung job's context gets banned, so the
	 * innocent jobs come from this one.
	 */
	bad = open("/dev/accel/accel0", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, bad);
	ASSERT_EQ(0, raw_bo_new(bad, LONG_BO, &bad_big));
	ASSERT_EQ(0, raw_bo_new(bad, PAGE, &bad_cmd));
	ASSERT_EQ(0, rst_arm_hang(0));
	n = raw_put_copy_stream(bad_cmd.map, &bad_big, LONG_COPIES, bad_big.addr, 0xdead);
	ASSERT_EQ(0, rst_submit(bad, 0, &bad_cmd, n, &bad_big));
	n = raw_put_write_value(self->cmd[1].map, self->data.addr, 10);
	ASSERT_EQ(0, rst_submit(self->fd, 0, &self->cmd[1], n, &self->data));
	/* Queues 1..3: one short job each, not behind anything. */
	for (q = 1; q < 4; q++) {
		n = raw_put_write_value(self->cmd[1 + q].map, self->data.addr + 8 * q, 10 + q);
		ASSERT_EQ(0, rst_submit(self->fd, q, &self->cmd[1 + q], n, &self->data));
	}

	ASSERT_EQ(0, raw_bo_wait(bad, &bad_cmd, WAIT_NS, &w));
	EXPECT_EQ(DRM_QUASAR_STATUS_ABORTED, w.job_status);
	for (q = 0; q < 4; q++) {
		ASSERT_EQ(0, raw_bo_wait(self->fd, &self->cmd[1 + q], WAIT_NS, &w));
		EXPECT_EQ(DRM_QUASAR_STATUS_OK, w.job_status) TH_LOG("queue %d", q);
		EXPECT_EQ(10 + q, out[q]) TH_LOG("queue %d", q);
	}
	EXPECT_LT(before, rst_resets())
		TH_LOG("no \"device reset N done\" line in dmesg: was the module loaded with a short tdr_timeout_ms?");
	/* The hung job's context is banned (uapi: -EBADFD). */
	n = raw_put_write_value(bad_cmd.map, bad_big.addr, 1);
	EXPECT_EQ(-EBADFD, rst_submit(bad, 1, &bad_cmd, n, &bad_big));
	close(bad);

	/* After the reset, a new job on an innocent file works. */
	n = raw_put_write_value(self->cmd[6].map, self->data.addr + 64, 99);
	ASSERT_EQ(0, rst_submit(self->fd, 2, &self->cmd[6], n, &self->data));
	ASSERT_EQ(0, raw_bo_wait(self->fd, &self->cmd[6], WAIT_NS, &w));
	EXPECT_EQ(DRM_QUASAR_STATUS_OK, w.job_status);
	EXPECT_EQ(99, out[8]);
}

TEST_F(rst, contexts_survive_a_reset)
{
	uint64_t *out = self->data.map;
	struct drm_quasar_bo_wait w;
	struct raw_bo other_cmd, other_data;
	int other;
	size_t n;

	/* A second file: its context slot must be restored after the reset. */
	other = open("/dev/accel/accel0", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, other);
	ASSERT_EQ(0, raw_bo_new(other, PAGE, &other_cmd));
	ASSERT_EQ(0, raw_bo_new(other, PAGE, &other_data));

	n = raw_put_copy_stream(self->cmd[0].map, &self->big, LONG_COPIES,
			    self->big.addr, 1);
	ASSERT_EQ(0, rst_arm_hang(0));
	ASSERT_EQ(0, rst_submit(self->fd, 0, &self->cmd[0], n, &self->big));
	ASSERT_EQ(0, raw_bo_wait(self->fd, &self->cmd[0], WAIT_NS, &w));

	n = raw_put_write_value(other_cmd.map, other_data.addr, 1234);
	ASSERT_EQ(0, rst_submit(other, 1, &other_cmd, n, &other_data));
	ASSERT_EQ(0, raw_bo_wait(other, &other_cmd, WAIT_NS, &w));
	EXPECT_EQ(DRM_QUASAR_STATUS_OK, w.job_status);
	EXPECT_EQ(1234, *(uint64_t *)other_data.map);

	/* The hung job's file is banned; the other one keeps going. */
	n = raw_put_write_value(self->cmd[7].map, self->data.addr, 4321);
	EXPECT_EQ(-EBADFD, rst_submit(self->fd, 3, &self->cmd[7], n, &self->data));
	n = raw_put_write_value(other_cmd.map, other_data.addr, 4321);
	ASSERT_EQ(0, rst_submit(other, 3, &other_cmd, n, &other_data));
	ASSERT_EQ(0, raw_bo_wait(other, &other_cmd, WAIT_NS, &w));
	EXPECT_EQ(4321, *(uint64_t *)other_data.map);
	(void)out;
	close(other);
}

TEST_F(rst, a_hang_beside_a_long_job_needs_one_reset_at_most)
{
	uint64_t *out = self->data.map;
	struct drm_quasar_bo_wait w;
	struct raw_bo big2;
	int before = rst_resets();
	size_t n;

	/*
	 * Queue 0's job hangs while queue 1's long job makes progress: the
	 * reset for queue 0 waits for queue 1's job (or replays it), which
	 * must not count as hung itself.
	 */
	ASSERT_EQ(0, raw_bo_new(self->fd, LONG_BO, &big2));
	ASSERT_EQ(0, rst_arm_hang(0));
	n = raw_put_copy_stream(self->cmd[0].map, &self->big, LONG_COPIES,
			    self->data.addr, 1);
	ASSERT_EQ(0, rst_submit(self->fd, 0, &self->cmd[0], n, &self->big));
	n = raw_put_copy_stream(self->cmd[1].map, &big2, LONG_COPIES,
			    self->data.addr + 8, 2);
	ASSERT_EQ(0, rst_submit(self->fd, 1, &self->cmd[1], n, &big2));
	ASSERT_EQ(0, raw_bo_wait(self->fd, &self->cmd[0], WAIT_NS, &w));
	ASSERT_EQ(0, raw_bo_wait(self->fd, &self->cmd[1], WAIT_NS, &w));

	EXPECT_EQ(DRM_QUASAR_STATUS_OK, w.job_status) TH_LOG("queue 1's long job");
	EXPECT_EQ(2, out[1]);
	EXPECT_EQ(before + 1, rst_resets());
}

#define TRACEFS		"/sys/kernel/tracing"
#define TDR_PARAM	"/sys/module/quasar/parameters/tdr_timeout_ms"

static int rst_write(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_TRUNC), ok;

	if (fd < 0)
		return -errno;
	ok = write(fd, text, strlen(text)) == (ssize_t)strlen(text);
	close(fd);
	return ok ? 0 : -EIO;
}

/* The dma_fence_signaled trace event, on (cleared) or off; mounts tracefs. */
static int rst_trace_fences(int on)
{
	if (on && access(TRACEFS "/tracing_on", F_OK) &&
	    mount("tracefs", TRACEFS, "tracefs", 0, NULL) && errno != EBUSY)
		return -errno;
	if (on)
		return rst_write(TRACEFS "/tracing_on", "0") ?:
		       rst_write(TRACEFS "/trace", "") ?:
		       rst_write(TRACEFS "/events/dma_fence/dma_fence_signaled/enable", "1") ?:
		       rst_write(TRACEFS "/tracing_on", "1");
	return rst_write(TRACEFS "/tracing_on", "0") ?:
	       rst_write(TRACEFS "/events/dma_fence/dma_fence_signaled/enable", "0");
}

/*
 * Checks the traced signals of quasar's hardware fences: within each fence
 * context, seqnos only grow. Returns how many fences of @timeline signalled,
 * or -1 (after a log line) at the first out-of-order signal.
 */
static int rst_fence_order(struct __test_metadata *_metadata, const char *timeline)
{
	static char text[1 << 20];
	unsigned int ctx[16], last[16], nctx = 0, c, s, i;
	char tl[32], *line;
	int fd = open(TRACEFS "/trace", O_RDONLY), n = 0;
	size_t len = 0;
	ssize_t got;

	if (fd < 0)
		return -1;
	/* The trace file gives a page or so per read. */
	while (len < sizeof(text) - 1 &&
	       (got = read(fd, text + len, sizeof(text) - 1 - len)) > 0)
		len += got;
	close(fd);
	text[len] = 0;
	for (line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		char *ev = strstr(line, "dma_fence_signaled: driver=quasar ");

		if (!ev || sscanf(ev, "dma_fence_signaled: driver=quasar timeline=%31s context=%u seqno=%u",
				  tl, &c, &s) != 3)
			continue;
		for (i = 0; i < nctx && ctx[i] != c; i++)
			;
		if (i == nctx && nctx < 16) {
			ctx[nctx] = c;
			last[nctx++] = 0;
		}
		if (i < nctx && s <= last[i]) {
			TH_LOG("%s: seqno %u signalled after %u on fence context %u",
			       tl, s, last[i], c);
			return -1;
		}
		if (i < nctx)
			last[i] = s;
		n += !strcmp(tl, timeline);
	}
	return n;
}

/*
 * Hardware queue 0: a hung job, then innocent jobs and jobs of a context
 * banned (by an MMU fault on hardware queue 1) while they wait. The reset
 * replays the innocent ones and cancels the banned ones, and the fences
 * of the hardware queue's fence context still signal in seqno order: a
 * cancelled job's fence waits for the replayed jobs before it.
 */
TEST_F_TIMEOUT(rst, a_reset_signals_a_hardware_queue_s_fences_in_order, 300)
{
	uint64_t *out = self->data.map, *xout;
	struct raw_bo bad_big, bad_cmd, xdata, xcmd[3];
	struct drm_quasar_bo_wait w;
	char tdr[32] = "500";
	int bad, x, fd, i, signalled;
	ssize_t len;
	size_t n;

	/* The watchdog waits until everything is in place. */
	fd = open(TDR_PARAM, O_RDONLY);
	ASSERT_LE(0, fd);
	len = read(fd, tdr, sizeof(tdr) - 1);
	close(fd);
	ASSERT_LT(0, len);
	tdr[len] = 0;
	/*
	 * Earlier tests' long jobs may still hold the engines: a job on each
	 * hardware queue, waited for, ends after everything before it.
	 */
	for (i = 0; i < 4; i++) {
		n = raw_put_write_value(self->cmd[i].map, self->data.addr + 8 * i, 1);
		ASSERT_EQ(0, rst_submit(self->fd, i, &self->cmd[i], n, &self->data));
	}
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(0, raw_bo_wait(self->fd, &self->cmd[i], WAIT_NS, &w));
		ASSERT_EQ(DRM_QUASAR_STATUS_OK, w.job_status);
	}
	ASSERT_EQ(0, rst_write(TDR_PARAM, "0"));
	ASSERT_EQ(0, rst_trace_fences(1));

	bad = open("/dev/accel/accel0", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, bad);
	ASSERT_EQ(0, raw_bo_new(bad, LONG_BO, &bad_big));
	ASSERT_EQ(0, raw_bo_new(bad, PAGE, &bad_cmd));
	x = open("/dev/accel/accel0", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, x);
	ASSERT_EQ(0, raw_bo_new(x, PAGE, &xdata));
	xout = xdata.map;
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, raw_bo_new(x, PAGE, &xcmd[i]));

	ASSERT_EQ(0, rst_arm_hang(0));
	n = raw_put_copy_stream(bad_cmd.map, &bad_big, LONG_COPIES, bad_big.addr, 0xdead);
	ASSERT_EQ(0, rst_submit(bad, 0, &bad_cmd, n, &bad_big));
	/* Behind it on hardware queue 0: Y1 X1 Y2 X2 Y3 (Y innocent). */
	for (i = 0; i < 5; i++) {
		if (i % 2 == 0) {
			n = raw_put_write_value(self->cmd[i / 2].map,
						self->data.addr + 8 * i, 100 + i);
			ASSERT_EQ(0, rst_submit(self->fd, 0, &self->cmd[i / 2], n,
						&self->data));
		} else {
			n = raw_put_write_value(xcmd[i / 2].map, xdata.addr + 8 * i,
						100 + i);
			ASSERT_EQ(0, rst_submit(x, 0, &xcmd[i / 2], n, &xdata));
		}
	}
	/*
	 * The device's other engine runs X's faulting job: X is banned. It
	 * lists a BO of its own, or it would wait for X1 and X2 (implicit
	 * dependencies).
	 */
	n = raw_put_write_value(xcmd[2].map, 0x1000, 1);
	ASSERT_EQ(0, rst_submit(x, 1, &xcmd[2], n, &xcmd[2]));
	ASSERT_EQ(0, raw_bo_wait(x, &xcmd[2], WAIT_NS, &w));
	ASSERT_EQ(DRM_QUASAR_STATUS_MMU_FAULT, w.job_status);

	/* The watchdog back on: a submit makes sure a check is coming. */
	ASSERT_EQ(0, rst_write(TDR_PARAM, tdr));
	n = raw_put_write_value(self->cmd[3].map, self->data.addr + 8 * 7, 7);
	ASSERT_EQ(0, rst_submit(self->fd, 3, &self->cmd[3], n, &self->cmd[3]));
	ASSERT_EQ(0, raw_bo_wait(bad, &bad_cmd, WAIT_NS, &w));
	EXPECT_EQ(DRM_QUASAR_STATUS_ABORTED, w.job_status);
	for (i = 0; i < 5; i++) {
		if (i % 2 == 0) {
			ASSERT_EQ(0, raw_bo_wait(self->fd, &self->cmd[i / 2], WAIT_NS, &w));
			EXPECT_EQ(DRM_QUASAR_STATUS_OK, w.job_status) TH_LOG("Y%d", i / 2 + 1);
			EXPECT_EQ(100 + i, out[i]) TH_LOG("Y%d did not run", i / 2 + 1);
		} else {
			ASSERT_EQ(0, raw_bo_wait(x, &xcmd[i / 2], WAIT_NS, &w));
			EXPECT_EQ(DRM_QUASAR_STATUS_ABORTED, w.job_status)
				TH_LOG("X%d of the banned context", i / 2 + 1);
			EXPECT_EQ(0, xout[i]) TH_LOG("X%d ran", i / 2 + 1);
		}
	}
	ASSERT_EQ(0, rst_trace_fences(0));
	/*
	 * The hung job and Y1-Y3 always run on the ring; X1 and X2 get a
	 * hardware fence only if the scheduler pushed them before the ban
	 * (run_job aborts a banned context's job without one), which is a
	 * race the test does not control.
	 */
	signalled = rst_fence_order(_metadata, "quasar-q0");
	EXPECT_LE(4, signalled)
		TH_LOG("%d signals of quasar-q0's fences traced; want at least the hung job and Y1-Y3",
		       signalled);
	close(x);
	close(bad);
}

/*
 * With --leave-jobs: start a long job on every queue and exit without
 * waiting, so that the caller can unload the driver under running jobs.
 */
static int rst_leave_jobs(void)
{
	struct raw_bo big, cmd;
	int fd, q;
	size_t n;

	fd = open("/dev/accel/accel0", O_RDWR | O_CLOEXEC);
	if (fd < 0 || raw_bo_new(fd, LONG_BO, &big))
		return 1;
	for (q = 0; q < 4; q++) {
		if (raw_bo_new(fd, PAGE, &cmd))
			return 1;
		n = raw_put_copy_stream(cmd.map, &big, LONG_COPIES, big.addr, q);
		if (rst_submit(fd, q, &cmd, n, &big))
			return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "--leave-jobs"))
		return rst_leave_jobs();
	return test_harness_run(argc, argv);
}
