// SPDX-License-Identifier: MIT
/*
 * System sleep with work queued, as root in the guest. Jobs submitted
 * before the sleep, some free to reach a ring and some held in the
 * scheduler behind a gate (a vgem fence), all end after the resume with
 * their results; the driver drained the rings, powered the device down and
 * brought it back (debugfs "power": sleep_count, wake_count, and the
 * runtime suspend and resume it used, suspend_count and resume_count).
 *
 * The sleep is the kernel's suspend test, /sys/power/pm_test "devices":
 * every device's suspend callbacks run, the kernel waits pm_test_delay
 * seconds, and every resume callback runs, without the platform sleeping.
 * "mem" (S3 on QEMU's q35) when the guest offers it, else "freeze".
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "drm.h"
#include "drm/quasar_accel.h"
#include "guest_gate.h"
#include "kselftest_harness.h"
#include "obs_util.h"
#include "raw_util.h"

#define SEC		1000000000ull
#define JOBS		8
#define PM_TEST		"/sys/power/pm_test"
#define PM_STATE	"/sys/power/state"
#define PM_TEST_DELAY	"/sys/module/suspend/parameters/pm_test_delay"

static int sl_syncobj(int fd, uint32_t *handle)
{
	struct drm_syncobj_create c = { 0 };
	int ret = raw_ioctl(fd, DRM_IOCTL_SYNCOBJ_CREATE, &c);

	*handle = c.handle;
	return ret;
}

/* Waits for binary syncobj @h for at most @ns; 0, -ETIME or -errno. */
static int sl_wait(int fd, uint32_t h, uint64_t ns)
{
	struct drm_syncobj_wait w = {
		.handles = (uintptr_t)&h, .count_handles = 1,
		.timeout_nsec = raw_deadline(ns),
		.flags = DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT,
	};

	return raw_ioctl(fd, DRM_IOCTL_SYNCOBJ_WAIT, &w);
}

/* A WRITE_VALUE of @value at @addr on hardware queue @q, after @in (0: none). */
static int sl_submit_write(int fd, const struct raw_bo *cmd, uint32_t q,
			   uint64_t addr, uint64_t value, uint32_t in, uint32_t out)
{
	struct drm_quasar_sync in_sync = { .handle = in };
	struct drm_quasar_sync out_sync = { .handle = out };
	struct drm_quasar_submit s = {
		.cmd_handle = cmd->handle, .queue = q,
		.in_syncs = (uintptr_t)&in_sync, .in_sync_count = !!in,
		.out_syncs = (uintptr_t)&out_sync, .out_sync_count = 1,
	};

	s.cmd_size = (uint32_t)raw_put_write_value(cmd->map, addr, value);
	return raw_ioctl(fd, DRM_IOCTL_QUASAR_SUBMIT, &s);
}

static long long sl_power_field(const char *key)
{
	char *text = obs_debugfs("power");
	long long v = text ? obs_field(text, key) : -1;

	free(text);
	return v;
}

/* The deepest sleep state the guest offers that the suspend test can run. */
static const char *sl_state(void)
{
	char *states = obs_read(PM_STATE);
	const char *state = NULL;

	if (states && strstr(states, "mem"))
		state = "mem";
	else if (states && strstr(states, "freeze"))
		state = "freeze";
	free(states);
	return state;
}

TEST(jobs_queued_before_a_system_sleep_end_after_it)
{
	struct raw_bo cmd[2 * JOBS], out;
	long long sleeps, wakes, suspends, resumes;
	uint32_t gate_sync, done[2 * JOBS];
	struct guest_gate gate = { .vgem_fd = -1 };
	const char *state = sl_state();
	int fd, i;

	if (access(PM_TEST, W_OK) || !state)
		SKIP(return, "no suspend test (%s) or no sleep state in %s", PM_TEST, PM_STATE);
	fd = raw_open();
	ASSERT_LE(0, fd) TH_LOG("no quasar device: %s", strerror(errno));
	ASSERT_EQ(0, raw_bo_new(fd, 4096, &out));
	for (i = 0; i < 2 * JOBS; i++) {
		ASSERT_EQ(0, raw_bo_new(fd, 4096, &cmd[i]));
		ASSERT_EQ(0, sl_syncobj(fd, &done[i]));
	}
	ASSERT_EQ(0, sl_syncobj(fd, &gate_sync));
	ASSERT_EQ(0, guest_gate_open(&gate)) TH_LOG("vgem gate unavailable (needs %s)", GUEST_VGEM_KO);
	ASSERT_EQ(0, guest_gate_arm(&gate, fd, gate_sync));
	sleeps = sl_power_field("sleep_count");
	wakes = sl_power_field("wake_count");
	suspends = sl_power_field("suspend_count");
	resumes = sl_power_field("resume_count");
	ASSERT_LE(0, sleeps) TH_LOG("no sleep_count in debugfs power");

	/* Hardware queue 0: the first job waits for the gate, the rest behind it. */
	ASSERT_EQ(0, sl_submit_write(fd, &cmd[0], 0, out.addr, 1000, gate_sync, done[0]));
	for (i = 1; i < JOBS; i++)
		ASSERT_EQ(0, sl_submit_write(fd, &cmd[i], 0, out.addr + 8 * i, 1000 + i, 0,
					     done[i]));
	/* Hardware queue 1: free to run, on the rings as the sleep starts or done. */
	for (i = JOBS; i < 2 * JOBS; i++)
		ASSERT_EQ(0, sl_submit_write(fd, &cmd[i], 1, out.addr + 8 * i, 1000 + i, 0,
					     done[i]));
	ASSERT_EQ(-ETIME, sl_wait(fd, done[0], 0)) TH_LOG("the gated job ran before the sleep");

	ASSERT_EQ(0, obs_write(PM_TEST_DELAY, "1"));
	ASSERT_EQ(0, obs_write(PM_TEST, "devices"));
	EXPECT_EQ(0, obs_write(PM_STATE, state)) TH_LOG("suspend test of \"%s\" failed (dmesg says why)", state);
	obs_write(PM_TEST, "none");

	EXPECT_EQ(sleeps + 1, sl_power_field("sleep_count"));
	EXPECT_EQ(wakes + 1, sl_power_field("wake_count"));
	/* The device was powered down and its firmware booted again. */
	EXPECT_LT(suspends, sl_power_field("suspend_count"));
	EXPECT_LT(resumes, sl_power_field("resume_count"));

	ASSERT_EQ(0, guest_gate_release(&gate));
	for (i = 0; i < 2 * JOBS; i++) {
		EXPECT_EQ(0, sl_wait(fd, done[i], 60 * SEC)) TH_LOG("job %d did not end", i);
		EXPECT_EQ(1000u + i, ((volatile uint64_t *)out.map)[i]) TH_LOG("job %d's value", i);
	}
	/* And new work runs. */
	ASSERT_EQ(0, sl_submit_write(fd, &cmd[0], 2, out.addr, 77, 0, done[0]));
	EXPECT_EQ(0, sl_wait(fd, done[0], 60 * SEC));
	EXPECT_EQ(77u, ((volatile uint64_t *)out.map)[0]);

	guest_gate_close(&gate);
	for (i = 0; i < 2 * JOBS; i++)
		raw_bo_del(fd, &cmd[i]);
	raw_bo_del(fd, &out);
	close(fd);
}

TEST_HARNESS_MAIN
