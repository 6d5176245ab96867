// SPDX-License-Identifier: MIT
/*
 * Runtime PM: the idle device powers down (PCI runtime_status "suspended",
 * device POWER_STATUS D3), a job submitted to it wakes it and runs, and it
 * powers down again once idle. No register access reaches the device while
 * it is down: the device counts those (DBG_D3_ACCESSES, hw-spec 10.1) and
 * debugfs "power" shows the count.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "guest_util.h"
#include "kselftest_harness.h"
#include "obs_util.h"

#define POWER_DELAY_MS	"300"
#define POWER_WAIT_S	20

/* runtime_status of the PCI function, e.g. "suspended". */
TEST(runtime_pm)
{
	char pci[PATH_MAX], path[PATH_MAX + 32], *old, *text;
	struct accel_device *dev;
	long long suspends, resumes;

	ASSERT_EQ(0, obs_pci_dir(pci, sizeof(pci)));
	snprintf(path, sizeof(path), "%s/power/autosuspend_delay_ms", pci);
	old = obs_read(path);
	ASSERT_NE(NULL, old);
	ASSERT_EQ(0, obs_write(path, POWER_DELAY_MS));
	ASSERT_EQ(0, accel_device_open(NULL, &dev));

	/* An open file alone does not keep the device up; jobs do. */
	ASSERT_TRUE(obs_power_wait(pci, "suspended", POWER_WAIT_S)) TH_LOG("idle device not suspended after %d s", POWER_WAIT_S);
	text = obs_debugfs("power");
	ASSERT_NE(NULL, text);
	EXPECT_NE(NULL, strstr(text, "device_state: D3\n")) TH_LOG("device not in D3 while suspended:\n%s", text);
	suspends = obs_field(text, "suspend_count");
	resumes = obs_field(text, "resume_count");
	free(text);
	ASSERT_GE(suspends, 1);

	/* The job wakes the device; the firmware is booted again and it runs. */
	EXPECT_EQ(0, guest_device_works(dev, 0));
	text = obs_debugfs("power");
	EXPECT_EQ(resumes + 1, obs_field(text, "resume_count")) TH_LOG("job did not resume the device:\n%s", text);
	free(text);

	EXPECT_TRUE(obs_power_wait(pci, "suspended", POWER_WAIT_S)) TH_LOG("device did not suspend again after the job");
	text = obs_debugfs("power");
	EXPECT_EQ(suspends + 1, obs_field(text, "suspend_count")) TH_LOG("%s", text);
	EXPECT_NE(NULL, strstr(text, "device_state: D3\n")) TH_LOG("%s", text);
	free(text);

	/* And it still works, on every queue, after a second wake-up. */
	EXPECT_EQ(0, guest_device_works(dev, 3));
	accel_device_close(dev);
	obs_write(path, old);
	free(old);
}

/* Reads every file of the device's debugfs directory that never wakes it. */
static int read_passive_debugfs(void)
{
	static const char *const names[] = {
		"hw_queues", "contexts", "bos", "fw_log", "reset_counters",
		"power", "recovery",
	};
	unsigned int i;
	char *text;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		text = obs_debugfs(names[i]);
		if (!text)
			return -1;
		free(text);
	}
	return 0;
}

/* /proc/self/fdinfo/<fd> of @dev's file, read whole; 0 on success. */
static int read_fdinfo(struct accel_device *dev)
{
	char path[64], *text;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", accel_device_fd(dev));
	text = obs_read(path);
	if (!text || !strstr(text, "drm-engine-q0"))
		return -1;
	free(text);
	return 0;
}

/*
 * open(), close() of a file whose context holds a device slot (it ran a
 * job), fdinfo and debugfs on a suspended device: none of them may touch
 * its registers. They need not wake it either, and the test checks that
 * they did not, so that every one of them really met a suspended device.
 */
TEST(no_register_access_reaches_a_suspended_device)
{
	char pci[PATH_MAX], path[PATH_MAX + 32], *old, *text;
	struct accel_device *bound, *idle, *late;
	long long d3_accesses, resumes;

	ASSERT_EQ(0, obs_pci_dir(pci, sizeof(pci)));
	snprintf(path, sizeof(path), "%s/power/autosuspend_delay_ms", pci);
	old = obs_read(path);
	ASSERT_NE(NULL, old);
	ASSERT_EQ(0, obs_write(path, POWER_DELAY_MS));

	/* A job binds a context slot to this file's context, and keeps it. */
	ASSERT_EQ(0, accel_device_open(NULL, &bound));
	ASSERT_EQ(0, accel_device_open(NULL, &idle));
	ASSERT_EQ(0, guest_device_works(bound, 0));
	ASSERT_TRUE(obs_power_wait(pci, "suspended", POWER_WAIT_S)) TH_LOG("idle device not suspended after %d s", POWER_WAIT_S);
	text = obs_debugfs("power");
	ASSERT_NE(NULL, text);
	d3_accesses = obs_field(text, "d3_accesses");
	resumes = obs_field(text, "resume_count");
	free(text);
	ASSERT_LE(0, d3_accesses) TH_LOG("no d3_accesses in debugfs power");

	EXPECT_EQ(0, read_passive_debugfs());
	EXPECT_EQ(0, read_fdinfo(bound));
	ASSERT_EQ(0, accel_device_open(NULL, &late));
	accel_device_close(late);
	accel_device_close(idle);
	accel_device_close(bound);	/* its slot goes back */

	text = obs_debugfs("power");
	ASSERT_NE(NULL, text);
	EXPECT_EQ(resumes, obs_field(text, "resume_count")) TH_LOG("something woke the device:\n%s", text);
	EXPECT_NE(NULL, strstr(text, "device_state: D3\n")) TH_LOG("%s", text);
	EXPECT_EQ(d3_accesses, obs_field(text, "d3_accesses")) TH_LOG("register accesses reached the device in D3:\n%s", text);
	free(text);

	/* The slot given back while down does not confuse the next job. */
	ASSERT_EQ(0, accel_device_open(NULL, &late));
	EXPECT_EQ(0, guest_device_works(late, 1));
	accel_device_close(late);
	obs_write(path, old);
	free(old);
}

TEST_HARNESS_MAIN
