// SPDX-License-Identifier: MIT
/*
 * Observability: debugfs, fdinfo and tracepoints react to real jobs.
 * Needs root, debugfs at /sys/kernel/debug; mounts tracefs if needed.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guest_util.h"
#include "kselftest_harness.h"
#include "obs_util.h"

#define PAGE 4096ull
#define TRACEFS "/sys/kernel/tracing"

/* A job on @dev's hardware queue @queue that faults: FILL far past any mapping. */
static int obs_fault_job(struct accel_device *dev, uint32_t queue,
			 uint64_t *fault_va, struct accel_job_result *r)
{
	struct accel_cmdbuf *cb;
	int err = accel_cmdbuf_create(dev, &cb);

	if (err)
		return err;
	*fault_va = 0x7f00000000ull;
	err = accel_cmdbuf_fill(cb, *fault_va, PAGE, 0xdeadbeef);
	if (!err)
		err = guest_run(cb, queue, NULL, 0, r);
	accel_cmdbuf_destroy(cb);
	return err;
}

/* "%llx" of @v into a static buffer, for strstr(). */
static const char *obs_hex(uint64_t v)
{
	static char buf[32];

	snprintf(buf, sizeof(buf), "0x%" PRIx64, v);
	return buf;
}

/* The line of @text that contains @a and @b, or NULL. */
static char *obs_line_with(char *text, const char *a, const char *b)
{
	char *line = text;

	while (line && *line) {
		char *end = strchr(line, '\n');
		char *hit_a, *hit_b;

		if (end)
			*end = '\0';
		hit_a = strstr(line, a);
		hit_b = b ? strstr(line, b) : line;
		if (end)
			*end = '\n';
		if (hit_a && hit_b)
			return line;
		line = end ? end + 1 : NULL;
	}
	return NULL;
}

TEST(observability_debugfs)
{
	struct accel_device *dev, *bad;
	struct accel_job_result r;
	struct accel_bo *bo;
	char pid[32], size[32], *text, *log;
	long long seq_before, seq_after, resets;
	uint64_t fault_va;
	void *map;

	ASSERT_EQ(0, accel_device_open(NULL, &dev));
	ASSERT_EQ(0, guest_bo_new(dev, 5 * PAGE, &bo, &map));
	snprintf(pid, sizeof(pid), "pid=%d ", getpid());
	snprintf(size, sizeof(size), "size=%llu ", 5 * PAGE);

	text = obs_debugfs("contexts");
	ASSERT_NE(NULL, text) TH_LOG("no debugfs contexts file under /sys/kernel/debug/accel/*/");
	EXPECT_NE(NULL, obs_line_with(text, pid, "bos=1 ")) TH_LOG("contexts lacks our file with 1 BO:\n%s", text);
	free(text);

	text = obs_debugfs("bos");
	ASSERT_NE(NULL, text);
	EXPECT_NE(NULL, obs_line_with(text, size, obs_hex(accel_bo_addr(bo))))
		TH_LOG("bos lacks our %s BO at %s:\n%s", size, obs_hex(accel_bo_addr(bo)), text);
	EXPECT_NE(NULL, obs_line_with(text, size, pid)) TH_LOG("BO owner missing:\n%s", text);
	free(text);

	text = obs_debugfs("hw_queues");
	ASSERT_NE(NULL, text);
	seq_before = obs_field(obs_line_with(text, "hw_queue 1:", NULL), "last_seqno");
	free(text);
	ASSERT_GE(seq_before, 0);
	ASSERT_EQ(0, guest_device_works(dev, 1));
	text = obs_debugfs("hw_queues");
	seq_after = obs_field(obs_line_with(text, "hw_queue 1:", NULL), "last_seqno");
	EXPECT_EQ(seq_before + 1, seq_after) TH_LOG("hw_queue 1 did not count our job:\n%s", text);
	EXPECT_NE(NULL, strstr(text, "hw_queue 1: state=running priority=normal")) TH_LOG("%s", text);
	EXPECT_NE(NULL, strstr(text, "hw_queue 2: state=running priority=high")) TH_LOG("%s", text);
	EXPECT_EQ(0, obs_field(obs_line_with(text, "hw_queue 1:", NULL), "in_flight"));
	/* This test's own device file and its BOs are alive. */
	EXPECT_LE(1, obs_field(obs_line_with(text, "live", NULL), "contexts")) TH_LOG("%s", text);
	EXPECT_LE(1, obs_field(obs_line_with(text, "live", NULL), "bos")) TH_LOG("%s", text);
	free(text);

	/*
	 * The firmware log has the boot line and, after a fault, the job's
	 * error. The device's log keeps only the newest 4 KiB, so earlier
	 * suites can push an old boot line out: let the device suspend, and
	 * the faulting job's resume boots the firmware again.
	 */
	ASSERT_EQ(0, obs_power_cycle(20)) TH_LOG("idle device did not runtime-suspend");
	ASSERT_EQ(0, accel_device_open(NULL, &bad));
	ASSERT_EQ(-EIO, obs_fault_job(bad, 2, &fault_va, &r));
	EXPECT_EQ(DRM_QUASAR_STATUS_MMU_FAULT, r.status);
	log = obs_debugfs("fw_log");
	ASSERT_NE(NULL, log);
	EXPECT_NE(NULL, strstr(log, "quasar-boot: fw: ready")) TH_LOG("no boot line in fw_log:\n%s", log);
	EXPECT_NE(NULL, obs_line_with(log, "quasar-q2: fw: queue 2", obs_hex(fault_va)))
		TH_LOG("no line for the faulting job at %s in fw_log:\n%s", obs_hex(fault_va), log);
	free(log);
	text = obs_debugfs("contexts");
	EXPECT_NE(NULL, obs_line_with(text, pid, "banned=1")) TH_LOG("faulting context not shown banned:\n%s", text);
	free(text);
	accel_device_close(bad);

	text = obs_debugfs("reset_counters");
	ASSERT_NE(NULL, text);
	resets = obs_field(text, "reset_count");
	EXPECT_GE(resets, 0) TH_LOG("%s", text);
	EXPECT_GE(obs_field(text, "fw_crash_count"), 0) TH_LOG("%s", text);
	free(text);
	text = obs_debugfs("power");
	ASSERT_NE(NULL, text);
	EXPECT_NE(NULL, strstr(text, "runtime_status: ")) TH_LOG("%s", text);
	free(text);

	accel_bo_free(bo);
	accel_device_close(dev);
}

/* The fdinfo text of @fd. */
static char *obs_fdinfo(int fd)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	return obs_read(path);
}

TEST(observability_fdinfo)
{
	struct accel_device *dev;
	struct accel_bo *bo;
	long long busy0, busy1, other, mem;
	char *text;
	void *map;

	ASSERT_EQ(0, accel_device_open(NULL, &dev));
	text = obs_fdinfo(accel_device_fd(dev));
	ASSERT_NE(NULL, text);
	EXPECT_NE(NULL, strstr(text, "drm-driver:\tquasar")) TH_LOG("%s", text);
	busy0 = obs_field(text, "drm-engine-q3");
	EXPECT_EQ(0, busy0) TH_LOG("fresh file has engine time:\n%s", text);
	free(text);

	ASSERT_EQ(0, guest_bo_new(dev, 64 * 1024, &bo, &map));
	ASSERT_EQ(0, guest_device_works(dev, 3));
	text = obs_fdinfo(accel_device_fd(dev));
	busy1 = obs_field(text, "drm-engine-q3");
	other = obs_field(text, "drm-engine-q0");
	mem = obs_field(text, "drm-total-memory");
	EXPECT_GT(busy1, 0) TH_LOG("no engine time after a job on q3:\n%s", text);
	EXPECT_EQ(0, other) TH_LOG("q0 ran nothing of ours:\n%s", text);
	/* 64 KiB BO (drm_print_memory_stats prints KiB at this size). */
	EXPECT_GE(mem, 64) TH_LOG("drm-total-memory below our 64 KiB BO:\n%s", text);
	free(text);

	accel_bo_free(bo);
	accel_device_close(dev);
}

static int obs_trace_setup(void)
{
	struct stat st;

	if (stat(TRACEFS "/events", &st)) {
		mkdir(TRACEFS, 0755);
		if (mount("tracefs", TRACEFS, "tracefs", 0, NULL) && errno != EBUSY)
			return -errno;
	}
	if (obs_write(TRACEFS "/tracing_on", "0") ||
	    obs_write(TRACEFS "/trace", "") ||
	    obs_write(TRACEFS "/events/quasar/enable", "1") ||
	    obs_write(TRACEFS "/tracing_on", "1"))
		return -EIO;
	return 0;
}

TEST(observability_trace)
{
	struct accel_device *dev, *bad;
	struct accel_job_result r;
	uint64_t fault_va;
	char *trace;

	ASSERT_EQ(0, obs_trace_setup()) TH_LOG("cannot enable events/quasar in " TRACEFS);
	ASSERT_EQ(0, accel_device_open(NULL, &dev));
	ASSERT_EQ(0, guest_device_works(dev, 3));
	ASSERT_EQ(0, accel_device_open(NULL, &bad));
	ASSERT_EQ(-EIO, obs_fault_job(bad, 0, &fault_va, &r));
	accel_device_close(bad);
	obs_write(TRACEFS "/tracing_on", "0");
	obs_write(TRACEFS "/events/quasar/enable", "0");

	trace = obs_read(TRACEFS "/trace");
	ASSERT_NE(NULL, trace);
	EXPECT_NE(NULL, obs_line_with(trace, "quasar_job_submit:", "hwq=3 "))
		TH_LOG("no submit event for hardware queue 3:\n%s", trace);
	EXPECT_NE(NULL, obs_line_with(trace, "quasar_job_run:", "hwq=3 "))
		TH_LOG("no run event for hardware queue 3:\n%s", trace);
	EXPECT_NE(NULL, obs_line_with(trace, "quasar_job_complete:", "hwq=3 ctx"))
		TH_LOG("no complete event for hardware queue 3:\n%s", trace);
	EXPECT_NE(NULL, obs_line_with(trace, "quasar_job_complete: hwq=3", " status=0 "))
		TH_LOG("hardware queue 3's job did not complete with status 0:\n%s", trace);
	EXPECT_NE(NULL, obs_line_with(trace, "quasar_job_fault: hwq=0", obs_hex(fault_va)))
		TH_LOG("no fault event with %s:\n%s", obs_hex(fault_va), trace);
	free(trace);
	obs_write(TRACEFS "/trace", "");
	accel_device_close(dev);
}

TEST_HARNESS_MAIN
