// SPDX-License-Identifier: MIT
/*
 * Runtime PM: the idle device powers down (PCI runtime_status "suspended",
 * device POWER_STATUS D3), a job submitted to it wakes it and runs, and it
 * powers down again once idle.
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

TEST_HARNESS_MAIN
