// SPDX-License-Identifier: MIT
/*
 * Fault recovery and isolation, run as root in the guest.
 *
 * Faults come from the device's debug block (hw-spec 11) through the
 * driver's debugfs knobs (accel/<pci name>/fault_*), so each test makes
 * exactly the failure it is about; the driver's "recovery" file counts
 * what it did. tdr_timeout_ms is lowered for the run (it is writable) and
 * restored at the end, so hangs are found in about a second.
 */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/sync_file.h>

#include "drm.h"
#include "drm/quasar_accel.h"
#include "guest_util.h"
#include "kselftest_harness.h"
#include "raw_util.h"

#define PAGE		4096ull
#define MIB		(1ull << 20)
#define WAIT_NS		(60ull * 1000000000ull)
#define TDR_PARAM	"/sys/module/quasar/parameters/tdr_timeout_ms"
#define TEST_TDR_MS	1000
#define SOFT_RESET_PARAM	"/sys/module/quasar/parameters/soft_reset_timeout_ms"
/* The wedged device's soft reset never ends: any timeout shows it. */
#define TEST_SOFT_RESET_MS	"200"

/* One job; with @syncobj, that syncobj receives its fence. */
static int rb_submit(int fd, uint32_t queue, const struct raw_bo *cmd,
		     uint32_t size, const struct raw_bo *data, uint32_t syncobj)
{
	struct drm_quasar_sync out = { .handle = syncobj };
	struct drm_quasar_submit s = {
		.cmd_handle = cmd->handle, .cmd_size = size, .queue = queue,
		.bo_handles = (uintptr_t)&data->handle, .bo_count = 1,
		.out_syncs = (uintptr_t)&out, .out_sync_count = syncobj ? 1 : 0,
	};

	return raw_ioctl(fd, DRM_IOCTL_QUASAR_SUBMIT, &s);
}

/* The fence error a job's out-syncobj carries (0, or a negative errno). */
static int rb_fence_status(int fd, uint32_t syncobj)
{
	struct drm_syncobj_handle h = {
		.handle = syncobj,
		.flags = DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE,
		.fd = -1,
	};
	struct sync_file_info info = { 0 };
	int ret;

	ret = raw_ioctl(fd, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, &h);
	if (ret)
		return 1000 + ret;
	ret = ioctl(h.fd, SYNC_IOC_FILE_INFO, &info);
	close(h.fd);
	return ret ? 2000 : info.status;
}

static uint32_t rb_syncobj(int fd)
{
	struct drm_syncobj_create c = { 0 };

	return raw_ioctl(fd, DRM_IOCTL_SYNCOBJ_CREATE, &c) ? 0 : c.handle;
}

/* --- debugfs and sysfs ------------------------------------------------- */

static int rb_dbg_path(const char *file, char *path, size_t len)
{
	glob_t g;
	int ret = -1;

	if (glob("/sys/kernel/debug/accel/*/fault_inject", 0, NULL, &g))
		return -1;
	if (g.gl_pathc == 1) {
		snprintf(path, len, "%.*s%s",
			 (int)(strrchr(g.gl_pathv[0], '/') + 1 - g.gl_pathv[0]),
			 g.gl_pathv[0], file);
		ret = 0;
	}
	globfree(&g);
	return ret;
}

static int rb_write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -EIO;
}

static int rb_dbg_write(const char *file, const char *text)
{
	char path[256];

	if (rb_dbg_path(file, path, sizeof(path)))
		return -ENOENT;
	return rb_write_file(path, text);
}

/* Arm @faults ("hang", "mmu" ...) on the hardware queues of @qmask. */
static int rb_arm(const char *faults, unsigned int qmask)
{
	char mask[16];

	snprintf(mask, sizeof(mask), "0x%x", qmask);
	return rb_dbg_write("fault_hw_queues", mask) ?: rb_dbg_write("fault_inject", faults);
}

/* A counter of the driver's "recovery" file, or -1. */

static char rb_saved_tdr[32];

static void rb_setup_tdr(void)
{
	char ms[32];
	FILE *f = fopen(TDR_PARAM, "r");

	if (f) {
		if (!fgets(rb_saved_tdr, sizeof(rb_saved_tdr), f))
			rb_saved_tdr[0] = 0;
		fclose(f);
	}
	snprintf(ms, sizeof(ms), "%d", TEST_TDR_MS);
	rb_write_file(TDR_PARAM, ms);
}

static void rb_restore_tdr(void)
{
	if (rb_saved_tdr[0])
		rb_write_file(TDR_PARAM, rb_saved_tdr);
	rb_dbg_write("fault_inject", "clear");
	rb_dbg_write("fault_hw_queues", "0xf");
}

/* Whether the kernel log has a line containing @text. */
static int rb_dmesg_has(const char *text)
{
	static char log[1 << 20];
	int len = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, log, sizeof(log) - 1);

	if (len < 0)
		return 0;
	log[len] = 0;
	return strstr(log, text) != NULL;
}

static long rb_meminfo(const char *key)
{
	char line[128];
	size_t len = strlen(key);
	long val = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, len) && line[len] == ':')
			val = strtol(line + len + 1, NULL, 10);
	fclose(f);
	return val;
}

/* A file with one command BO and one data page, and a short job on @q. */
struct rb_client {
	int fd;
	struct raw_bo cmd;
	struct raw_bo data;
};

static int rb_client_open(struct rb_client *c)
{
	c->fd = raw_open();
	if (c->fd < 0)
		return -errno;
	return raw_bo_new(c->fd, PAGE, &c->cmd) ?: raw_bo_new(c->fd, PAGE, &c->data);
}

static int rb_client_job(struct rb_client *c, uint32_t q, uint64_t value,
			 uint32_t syncobj)
{
	size_t n = raw_put_write_value(c->cmd.map, c->data.addr, value);

	return rb_submit(c->fd, q, &c->cmd, n, &c->data, syncobj);
}

/* Submit, wait, and check the value landed: 0 on success. */
static int rb_client_run(struct rb_client *c, uint32_t q, uint64_t value)
{
	struct drm_quasar_bo_wait w;
	int ret = rb_client_job(c, q, value, 0);

	if (!ret)
		ret = raw_bo_wait(c->fd, &c->cmd, WAIT_NS, &w);
	if (!ret && w.job_status != DRM_QUASAR_STATUS_OK)
		ret = 100 + w.job_status;
	if (!ret && *(volatile uint64_t *)c->data.map != value)
		ret = 99;
	return ret;
}

/* --- tests ------------------------------------------------------------- */

TEST(recovery_hang)
{
	struct rb_client a, b, c;
	struct drm_quasar_bo_wait w;
	long resets = guest_recovery_counter("resets");
	long hangs = guest_recovery_counter("hangs");
	uint32_t sync;

	ASSERT_LE(0, hangs) TH_LOG("no recovery file in /sys/kernel/debug/accel/*/");
	ASSERT_EQ(0, rb_client_open(&a));
	ASSERT_EQ(0, rb_client_open(&b));
	sync = rb_syncobj(a.fd);
	ASSERT_NE(0, sync);

	/* A's job hangs on queue 0; B's job waits behind it, innocent. */
	ASSERT_EQ(0, rb_arm("hang", 0x1));
	ASSERT_EQ(0, rb_client_job(&a, 0, 1, sync));
	ASSERT_EQ(0, rb_client_job(&b, 0, 2, 0));

	ASSERT_EQ(0, raw_bo_wait(a.fd, &a.cmd, WAIT_NS, &w));
	EXPECT_EQ(DRM_QUASAR_STATUS_ABORTED, w.job_status);
	EXPECT_EQ(-ETIMEDOUT, rb_fence_status(a.fd, sync));
	EXPECT_EQ(0, *(uint64_t *)a.data.map) TH_LOG("the hung job wrote its value");
	ASSERT_EQ(0, raw_bo_wait(b.fd, &b.cmd, WAIT_NS, &w));
	EXPECT_EQ(DRM_QUASAR_STATUS_OK, w.job_status) TH_LOG("the innocent job was not replayed");
	EXPECT_EQ(2, *(uint64_t *)b.data.map);

	EXPECT_EQ(hangs + 1, guest_recovery_counter("hangs"));
	EXPECT_EQ(resets + 1, guest_recovery_counter("resets"));
	/* The guilty context is banned; the others, and new ones, work. */
	EXPECT_EQ(-EBADFD, rb_client_job(&a, 1, 3, 0));
	EXPECT_EQ(0, rb_client_run(&b, 0, 4));
	ASSERT_EQ(0, rb_client_open(&c));
	EXPECT_EQ(0, rb_client_run(&c, 0, 5));
	close(a.fd);
	close(b.fd);
	close(c.fd);
}

/*
 * The device paces a SLOW job (hw-spec 11): it waits SLOW_PACE_MS at every
 * unit of work, which a watchdog sees as progress. A copy polls once a
 * page, so the job below lasts at least SLOW_PAGES paces on any host.
 */
#define SLOW_PACE_MS	20
#define SLOW_PAGES	128	/* one copy: half of the BO onto the other */
_Static_assert(SLOW_PAGES * SLOW_PACE_MS > 2 * TEST_TDR_MS,
	       "the slow job must outlast the timeout");

TEST(recovery_long_job_is_not_a_hang)
{
	struct rb_client a;
	struct raw_bo big, cmd;
	struct drm_quasar_bo_wait w;
	long resets = guest_recovery_counter("resets"), ms;
	struct timespec t0, t1;
	char pace[16];
	size_t n;

	snprintf(pace, sizeof(pace), "%d", SLOW_PACE_MS * 1000);
	ASSERT_EQ(0, rb_client_open(&a));
	ASSERT_EQ(0, raw_bo_new(a.fd, 2 * SLOW_PAGES * PAGE, &big));
	ASSERT_EQ(0, raw_bo_new(a.fd, PAGE, &cmd));
	n = raw_put_copy_stream(cmd.map, &big, 1, big.addr, 77);
	ASSERT_EQ(0, rb_dbg_write("fault_pace_us", pace));
	ASSERT_EQ(0, rb_arm("slow", 0x2));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ASSERT_EQ(0, rb_submit(a.fd, 1, &cmd, n, &big, 0));
	ASSERT_EQ(0, raw_bo_wait(a.fd, &cmd, WAIT_NS, &w));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	EXPECT_EQ(DRM_QUASAR_STATUS_OK, w.job_status);
	EXPECT_EQ(77, *(uint64_t *)big.map) TH_LOG("the slow job did not run to its end");
	EXPECT_EQ(resets, guest_recovery_counter("resets"));
	/* A lower bound the pacing guarantees: the job did outlast the timeout. */
	EXPECT_LE(SLOW_PAGES * SLOW_PACE_MS, ms) TH_LOG("the job was not paced");
	EXPECT_EQ(0, rb_dbg_write("fault_pace_us", "0"));
	close(a.fd);
}

TEST(recovery_fw_crash)
{
	struct rb_client a, b;
	struct drm_quasar_bo_wait w;
	long crashes = guest_recovery_counter("fw_crashes");
	long resets = guest_recovery_counter("resets");
	uint32_t sync;

	ASSERT_LE(0, crashes);
	ASSERT_EQ(0, rb_client_open(&a));
	ASSERT_EQ(0, rb_client_open(&b));
	sync = rb_syncobj(a.fd);
	ASSERT_NE(0, sync);

	/* The firmware dies as A's job starts; B's job behind it is lost too. */
	ASSERT_EQ(0, rb_arm("fw_crash", 0x4));
	ASSERT_EQ(0, rb_client_job(&a, 2, 1, sync));
	ASSERT_EQ(0, raw_bo_wait(a.fd, &a.cmd, WAIT_NS, &w));
	EXPECT_EQ(DRM_QUASAR_STATUS_ABORTED, w.job_status);
	EXPECT_EQ(-EIO, rb_fence_status(a.fd, sync));
	EXPECT_EQ(crashes + 1, guest_recovery_counter("fw_crashes"));
	EXPECT_LT(resets, guest_recovery_counter("resets"));
	EXPECT_TRUE(rb_dmesg_has("firmware stopped"));

	/* Nobody is banned for it: the rebooted firmware runs both. */
	EXPECT_EQ(0, rb_client_run(&a, 2, 6));
	EXPECT_EQ(0, rb_client_run(&b, 3, 7));
	close(a.fd);
	close(b.fd);
}

/* A parameter's value, as read, into @buf; 0 on success. */
static int rb_read_param(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	int ret = -1;

	if (f) {
		ret = fgets(buf, len, f) ? 0 : -1;
		fclose(f);
	}
	return ret;
}

/*
 * A wedged device (debugfs reset_hold: its soft reset never completes)
 * with a hung job: the soft reset times out, the driver falls back to a
 * function-level reset, which returns the device to its power-on state
 * (reset_hold reads 0 again), boots the firmware and replays the innocent
 * job. Another file's context, bound to a slot before, keeps working.
 */
TEST(recovery_wedged_soft_reset_falls_back_to_flr)
{
	struct rb_client a, b, c;
	struct drm_quasar_bo_wait w;
	long resets = guest_recovery_counter("resets");
	long flrs = guest_recovery_counter("flrs");
	char saved[32], path[256], hold[16] = "";
	uint32_t sync;

	ASSERT_LE(0, flrs) TH_LOG("no flrs in the recovery file");
	ASSERT_EQ(0, rb_read_param(SOFT_RESET_PARAM, saved, sizeof(saved)));
	ASSERT_EQ(0, rb_write_file(SOFT_RESET_PARAM, TEST_SOFT_RESET_MS));
	ASSERT_EQ(0, rb_client_open(&a));
	ASSERT_EQ(0, rb_client_open(&b));
	ASSERT_EQ(0, rb_client_open(&c));
	ASSERT_EQ(0, rb_client_run(&c, 1, 40));
	sync = rb_syncobj(a.fd);
	ASSERT_NE(0, sync);

	ASSERT_EQ(0, rb_dbg_write("reset_hold", "1"));
	ASSERT_EQ(0, rb_arm("hang", 0x1));
	ASSERT_EQ(0, rb_client_job(&a, 0, 41, sync));
	ASSERT_EQ(0, rb_client_job(&b, 0, 42, 0));

	ASSERT_EQ(0, raw_bo_wait(a.fd, &a.cmd, WAIT_NS, &w));
	EXPECT_EQ(DRM_QUASAR_STATUS_ABORTED, w.job_status);
	EXPECT_EQ(-ETIMEDOUT, rb_fence_status(a.fd, sync));
	ASSERT_EQ(0, raw_bo_wait(b.fd, &b.cmd, WAIT_NS, &w));
	EXPECT_EQ(DRM_QUASAR_STATUS_OK, w.job_status) TH_LOG("the innocent job was not replayed after the FLR");
	EXPECT_EQ(42, *(volatile uint64_t *)b.data.map);

	EXPECT_EQ(flrs + 1, guest_recovery_counter("flrs"));
	EXPECT_EQ(resets + 1, guest_recovery_counter("resets"));
	EXPECT_TRUE(rb_dmesg_has("function-level reset"));
	ASSERT_EQ(0, rb_dbg_path("reset_hold", path, sizeof(path)));
	EXPECT_EQ(0, rb_read_param(path, hold, sizeof(hold)));
	EXPECT_STREQ("0\n", hold) TH_LOG("the FLR did not return the device to its power-on state");

	/* The bystander's slot was restored; new files work too. */
	EXPECT_EQ(0, rb_client_run(&c, 1, 43));
	EXPECT_EQ(0, rb_client_run(&b, 0, 44));
	close(a.fd);
	close(b.fd);
	close(c.fd);
	ASSERT_EQ(0, rb_client_open(&a));
	EXPECT_EQ(0, rb_client_run(&a, 2, 45));
	close(a.fd);
	rb_dbg_write("reset_hold", "0");
	rb_write_file(SOFT_RESET_PARAM, saved);
}

/*
 * A function-level reset from outside the driver (sysfs "reset" of the PCI
 * function): the driver's reset_prepare/reset_done hooks quiesce it and
 * bring it back, so a file that ran jobs before keeps working, without
 * the watchdog having to find a device whose firmware went away.
 */
TEST(recovery_after_a_function_reset_through_sysfs)
{
	struct rb_client a, b;
	long flrs = guest_recovery_counter("flrs");
	long crashes = guest_recovery_counter("fw_crashes");

	ASSERT_LE(0, flrs);
	ASSERT_EQ(0, rb_client_open(&a));
	ASSERT_EQ(0, rb_client_run(&a, 0, 50));
	ASSERT_EQ(0, rb_write_file("/sys/class/accel/accel0/device/reset", "1"));
	EXPECT_EQ(flrs + 1, guest_recovery_counter("flrs"));
	EXPECT_EQ(0, rb_client_run(&a, 0, 51)) TH_LOG("the file's job failed after the reset");
	EXPECT_EQ(0, rb_client_run(&a, 3, 52));
	EXPECT_EQ(crashes, guest_recovery_counter("fw_crashes")) TH_LOG("the watchdog had to find the reset");
	ASSERT_EQ(0, rb_client_open(&b));
	EXPECT_EQ(0, rb_client_run(&b, 1, 53));
	close(a.fd);
	close(b.fd);
}

TEST(recovery_lost_irq)
{
	struct rb_client a;
	long lost = guest_recovery_counter("lost_irqs");
	long resets = guest_recovery_counter("resets");

	ASSERT_LE(0, lost);
	ASSERT_EQ(0, rb_client_open(&a));
	ASSERT_EQ(0, rb_arm("lost_irq", 0x2));
	/* Only the watchdog can find this completion. */
	EXPECT_EQ(0, rb_client_run(&a, 1, 11));
	EXPECT_EQ(lost + 1, guest_recovery_counter("lost_irqs"));
	EXPECT_EQ(resets, guest_recovery_counter("resets")) TH_LOG("a lost interrupt needs no reset");
	EXPECT_EQ(0, rb_client_run(&a, 1, 12));
	close(a.fd);
}

TEST(recovery_corrupt_completion)
{
	struct rb_client a;
	struct drm_quasar_bo_wait w;
	long bad = guest_recovery_counter("bad_records"), resets = guest_recovery_counter("resets");
	uint32_t sync;

	ASSERT_LE(0, bad);
	ASSERT_EQ(0, rb_client_open(&a));
	sync = rb_syncobj(a.fd);
	ASSERT_NE(0, sync);
	ASSERT_EQ(0, rb_arm("corrupt_cpl", 0x8));
	ASSERT_EQ(0, rb_client_job(&a, 3, 21, sync));
	ASSERT_EQ(0, raw_bo_wait(a.fd, &a.cmd, WAIT_NS, &w));
	EXPECT_EQ(DRM_QUASAR_STATUS_ABORTED, w.job_status);
	EXPECT_EQ(-EIO, rb_fence_status(a.fd, sync));
	EXPECT_EQ(bad + 1, guest_recovery_counter("bad_records"));
	EXPECT_EQ(resets + 1, guest_recovery_counter("resets"));
	/* A device error, not the context's: it keeps working. */
	EXPECT_EQ(0, rb_client_run(&a, 3, 22));
	close(a.fd);
}

/* A child submitting short jobs until told to stop; exit 0 if all passed. */
static pid_t rb_spawn_submitter(int *stop_fd, uint32_t q)
{
	int p[2];
	pid_t pid;

	if (pipe(p))
		return -1;
	pid = fork();
	if (pid == 0) {
		struct rb_client c;
		char ch;
		int i, ret = rb_client_open(&c);

		close(p[1]);
		fcntl(p[0], F_SETFL, O_NONBLOCK);
		for (i = 0; !ret; i++) {
			ret = rb_client_run(&c, q, 1000 + i);
			if (read(p[0], &ch, 1) == 0)
				break;
		}
		_exit(ret || i < 2 ? 1 : 0);
	}
	close(p[0]);
	*stop_fd = p[1];
	return pid;
}

TEST(mmu_fault_isolation)
{
	struct rb_client a;
	struct drm_quasar_bo_wait w;
	char where[64];
	int stop, status;
	pid_t other;
	size_t n;

	other = rb_spawn_submitter(&stop, 1);
	ASSERT_LT(0, other);
	ASSERT_EQ(0, rb_client_open(&a));
	usleep(200 * 1000);

	/* A store just past A's data BO: its guard page, never mapped. */
	n = raw_put_write_value(a.cmd.map, a.data.addr + a.data.size, 1);
	ASSERT_EQ(0, rb_submit(a.fd, 1, &a.cmd, n, &a.data, 0));
	ASSERT_EQ(0, raw_bo_wait(a.fd, &a.cmd, WAIT_NS, &w));
	EXPECT_EQ(DRM_QUASAR_STATUS_MMU_FAULT, w.job_status);
	EXPECT_EQ(a.data.addr + a.data.size, w.fault_addr);
	snprintf(where, sizeof(where), "device address 0x%llx",
		 (unsigned long long)(a.data.addr + a.data.size));
	EXPECT_TRUE(rb_dmesg_has(where)) TH_LOG("no \"%s\" in dmesg", where);
	EXPECT_EQ(-EBADFD, rb_client_job(&a, 0, 2, 0));

	usleep(200 * 1000);
	close(stop);
	ASSERT_EQ(other, waitpid(other, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
		TH_LOG("the other process's jobs failed (status 0x%x)", status);
	close(a.fd);
}

TEST(bo_isolation)
{
	struct rb_client a;
	struct raw_bo big;
	uint64_t target;
	int status;
	pid_t b;
	size_t i;

	/* A: a 4 MiB buffer with a pattern, far above B's few pages. */
	ASSERT_EQ(0, rb_client_open(&a));
	ASSERT_EQ(0, raw_bo_new(a.fd, 4 * MIB, &big));
	for (i = 0; i < big.size / 8; i++)
		((uint64_t *)big.map)[i] = 0x5151515151515151ull ^ i;
	target = big.addr + 2 * MIB;

	b = fork();
	if (b == 0) {
		struct rb_client c;
		struct drm_quasar_bo_wait w;
		struct drm_quasar_cmd_fill f = {
			.hdr = { .opcode = DRM_QUASAR_OP_FILL, .length = sizeof(f) },
			.dst = target, .size = 64 * 1024, .value = 0xdeadbeef,
		};

		if (rb_client_open(&c))
			_exit(10);
		memcpy(c.cmd.map, &f, sizeof(f));
		if (rb_submit(c.fd, 0, &c.cmd, sizeof(f), &c.data, 0) ||
		    raw_bo_wait(c.fd, &c.cmd, WAIT_NS, &w))
			_exit(11);
		if (w.job_status != DRM_QUASAR_STATUS_MMU_FAULT || w.fault_addr != target)
			_exit(12);
		_exit(0);
	}
	ASSERT_LT(0, b);
	ASSERT_EQ(b, waitpid(b, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
		TH_LOG("B's job on A's address did not fault (exit status 0x%x)", status);
	for (i = 0; i < big.size / 8; i++)
		if (((uint64_t *)big.map)[i] != (0x5151515151515151ull ^ i))
			break;
	EXPECT_EQ(big.size / 8, i) TH_LOG("A's data changed at offset %zu", i * 8);
	/* A itself was not touched by B's fault. */
	EXPECT_EQ(0, rb_client_run(&a, 0, 9));
	close(a.fd);
}

#define KILL_ROUNDS	20

/* Wait until the driver's live counters drop to @ctxs contexts, 0 jobs. */
static int rb_wait_idle(long ctxs)
{
	int i;

	for (i = 0; i < 600; i++) {
		if (guest_recovery_counter("jobs") == 0 && guest_recovery_counter("contexts") == ctxs)
			return 0;
		usleep(100 * 1000);
	}
	return -1;
}

/*
 * The harness's 30 s is less than rb_wait_idle()'s own 60 s, and 20 rounds
 * of a 4 MiB BO and four copy jobs took longer than 30 s on the debug
 * kernel (KASAN, lockdep) under load; the fixture is only for the timeout.
 */
FIXTURE(kill) {};
FIXTURE_SETUP(kill) {}
FIXTURE_TEARDOWN(kill) {}

TEST_F_TIMEOUT(kill, during_job, 300)
{
	long ctxs = guest_recovery_counter("contexts"), shmem0, shmem1;
	struct rb_client a;
	int round;

	ASSERT_LE(0, ctxs);
	ASSERT_EQ(0, rb_wait_idle(ctxs));
	shmem0 = rb_meminfo("Shmem");
	for (round = 0; round < KILL_ROUNDS; round++) {
		int p[2], status;
		pid_t child;
		char ch;

		ASSERT_EQ(0, pipe(p));
		child = fork();
		if (child == 0) {
			struct rb_client c;
			struct raw_bo big;
			int q;

			close(p[0]);
			if (rb_client_open(&c) || raw_bo_new(c.fd, 4 * MIB, &big))
				_exit(1);
			for (q = 0; q < 4; q++) {
				size_t n = raw_put_copy_stream((uint8_t *)c.cmd.map + q * 1024,
							  &big, 16, c.data.addr, q);
				struct drm_quasar_submit s = {
					.cmd_handle = c.cmd.handle, .cmd_offset = q * 1024,
					.cmd_size = n, .queue = q,
					.bo_handles = (uintptr_t)&big.handle, .bo_count = 1,
				};

				if (raw_ioctl(c.fd, DRM_IOCTL_QUASAR_SUBMIT, &s))
					_exit(2);
			}
			if (write(p[1], "x", 1) != 1)
				_exit(3);
			pause();
			_exit(0);
		}
		ASSERT_LT(0, child);
		close(p[1]);
		ASSERT_EQ(1, read(p[0], &ch, 1)) TH_LOG("round %d: child failed to submit", round);
		close(p[0]);
		usleep((round % 4) * 5000);
		kill(child, SIGKILL);
		ASSERT_EQ(child, waitpid(child, &status, 0));
		ASSERT_TRUE(WIFSIGNALED(status));
	}
	EXPECT_EQ(0, rb_wait_idle(ctxs))
		TH_LOG("after %d killed clients: %ld contexts (was %ld), %ld jobs",
		       KILL_ROUNDS, guest_recovery_counter("contexts"), ctxs, guest_recovery_counter("jobs"));
	shmem1 = rb_meminfo("Shmem");
	/* 20 rounds x 4 MiB would leak 80 MiB of shmem-backed BOs. */
	EXPECT_GT(16 * 1024, shmem1 - shmem0)
		TH_LOG("Shmem grew from %ld kB to %ld kB", shmem0, shmem1);
	ASSERT_EQ(0, rb_client_open(&a));
	EXPECT_EQ(0, rb_client_run(&a, 0, 31));
	close(a.fd);
}

int main(int argc, char **argv)
{
	int ret;

	rb_setup_tdr();
	ret = test_harness_run(argc, argv);
	rb_restore_tdr();
	return ret;
}
