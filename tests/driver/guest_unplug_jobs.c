// SPDX-License-Identifier: MIT
/*
 * The guest side of tests/driver/vm_hot_unplug_test.sh. Keeps every queue
 * busy with long FILL jobs (on the four hardware queues by index, and on a
 * HIGH and a LOW queue of QUEUE_CREATE that stay open across the unplug, so
 * their teardown after the device is gone is covered too), each with an
 * out-syncobj exported as a sync_file (which outlives the DRM device), prints QUASAR-UNPLUG-READY for the host to send
 * device_del, and keeps submitting until the device goes. Then it checks
 * what a client must see (TAP lines; the host script names the whole test):
 * SUBMIT and other ioctls fail with -ENODEV, every pending fence signals,
 * the unfinished ones with an error, and /dev/accel/accel0 disappears.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <linux/sync_file.h>
#include <xf86drm.h>

#include <accel.h>

#define UNPLUG_BO_SIZE		(8u << 20)	/* tens of ms per FILL under TCG */
#define UNPLUG_WINDOW		32		/* jobs kept in flight */
#define UNPLUG_MAX_S		120		/* the host unplugs long before */

static int unplug_n, unplug_fail;

static void unplug_report(int ok, const char *name, const char *why)
{
	unplug_n++;
	if (!ok)
		unplug_fail++;
	printf("%s %d - %s\n", ok ? "ok" : "not ok", unplug_n, name);
	if (!ok && why)
		printf("# %s\n", why);
	fflush(stdout);
}

/* A sync_file fd carrying the syncobj's current fence. */
static int unplug_export(struct accel_device *dev, struct accel_syncobj *s)
{
	int fd = -1;

	if (drmSyncobjExportSyncFile(accel_device_fd(dev),
				     accel_syncobj_handle(s), &fd))
		return -errno;
	return fd;
}

/* 1 signalled ok, < 0 signalled with that error, 0 not signalled in @ms. */
static int unplug_fence_status(int fd, int ms)
{
	struct sync_file_info info = { 0 };
	struct pollfd p = { .fd = fd, .events = POLLIN };

	if (poll(&p, 1, ms) != 1)
		return 0;
	if (ioctl(fd, SYNC_IOC_FILE_INFO, &info))
		return -1000;
	return info.status;
}

int main(void)
{
	struct accel_device *dev;
	struct accel_cmdbuf *cb;
	struct accel_bo *bo;
	struct accel_syncobj *sync;
	struct accel_queue *uq[2];
	int fences[UNPLUG_WINDOW];
	unsigned int submitted = 0, i, errored = 0, pending = 0;
	int err = 0, first_err = 0, query_err;
	time_t start = time(NULL);
	struct drm_quasar_device_info info;
	uint32_t full;
	char why[160];

	printf("TAP version 13\n");
	if (accel_device_open(NULL, &dev) || accel_bo_create(dev, UNPLUG_BO_SIZE, &bo) ||
	    accel_cmdbuf_create(dev, &cb) || accel_syncobj_create(dev, 0, &sync) ||
	    accel_cmdbuf_fill(cb, accel_bo_addr(bo), UNPLUG_BO_SIZE, 0x5eed5eed) ||
	    accel_queue_create(dev, DRM_QUASAR_PRIORITY_HIGH, &uq[0]) ||
	    accel_queue_create(dev, DRM_QUASAR_PRIORITY_LOW, &uq[1])) {
		printf("Bail out! cannot set up jobs on the device\n");
		return 1;
	}
	for (i = 0; i < UNPLUG_WINDOW; i++)
		fences[i] = -1;

	while (time(NULL) - start < UNPLUG_MAX_S) {
		struct accel_sync out = { .syncobj = sync };
		struct accel_submit args = {
			.bos = &bo, .bo_count = 1, .out = &out, .out_count = 1,
		};
		int slot = submitted % UNPLUG_WINDOW;

		if (submitted % 6 < 4)
			args.queue = submitted % 6;
		else
			args.uqueue = uq[submitted % 6 - 4];

		/* Window full: wait for the oldest before reusing its slot. */
		if (fences[slot] >= 0) {
			unplug_fence_status(fences[slot], 30000);
			close(fences[slot]);
			fences[slot] = -1;
		}
		err = accel_cmdbuf_submit(cb, &args);
		if (err) {
			first_err = err;
			break;
		}
		fences[slot] = unplug_export(dev, sync);
		if (fences[slot] < 0) {
			first_err = fences[slot];
			fences[slot] = -1;
			break;
		}
		if (++submitted == UNPLUG_WINDOW) {
			printf("QUASAR-UNPLUG-READY\n");
			fflush(stdout);
		}
	}

	snprintf(why, sizeof(why), "first failing call returned %d (%s) after %u jobs",
		 first_err, strerror(-first_err), submitted);
	unplug_report(first_err == -ENODEV, "submit_after_unplug_is_enodev", why);
	query_err = accel_device_query(dev, DRM_QUASAR_QUERY_DEVICE_INFO, &info,
				       sizeof(info), &full);
	snprintf(why, sizeof(why), "DEV_QUERY returned %d", query_err);
	unplug_report(query_err == -ENODEV, "query_after_unplug_is_enodev", why);

	for (i = 0; i < UNPLUG_WINDOW; i++) {
		int st;

		if (fences[i] < 0)
			continue;
		st = unplug_fence_status(fences[i], 30000);
		if (st == 0)
			pending++;
		else if (st < 0)
			errored++;
		close(fences[i]);
	}
	snprintf(why, sizeof(why), "%u fences never signalled", pending);
	unplug_report(pending == 0, "every_pending_fence_signals", why);
	snprintf(why, sizeof(why), "no fence carried an error (jobs too short?)");
	unplug_report(errored > 0, "unfinished_jobs_signal_an_error", why);

	for (i = 0; i < 200 && access("/dev/accel/accel0", F_OK) == 0; i++)
		usleep(100000);
	unplug_report(access("/dev/accel/accel0", F_OK) != 0, "accel_node_is_gone",
		      "/dev/accel/accel0 still exists 20 s after the unplug");

	/* The device is gone: destroying them cannot reach it, only free. */
	accel_queue_destroy(uq[0]);
	accel_queue_destroy(uq[1]);
	accel_syncobj_destroy(sync);
	accel_cmdbuf_destroy(cb);
	accel_bo_free(bo);
	accel_device_close(dev);
	printf("1..%d\n", unplug_n);
	return unplug_fail ? 1 : 0;
}
