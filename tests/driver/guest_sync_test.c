// SPDX-License-Identifier: MIT
/* Syncobjs: in/out fences, timeline chaining, BO_WAIT timeouts. */
#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/sync_file.h>
#include <xf86drm.h>

#include "guest_gate.h"
#include "guest_util.h"
#include "kselftest_harness.h"

#define PAGE 4096ull
/* How long a gated job is watched for not running. */
#define HOLD_NS (300ll * 1000000)

FIXTURE(sync) {
	struct accel_device *dev;
	int fd;
	struct accel_bo *bo;		/* 4 pages of data */
	uint8_t *map;
	struct accel_cmdbuf *cb;
	struct accel_job_result r;
	struct guest_gate gate;
};

FIXTURE_SETUP(sync)
{
	void *map;
	int err = accel_device_open(NULL, &self->dev);

	ASSERT_EQ(0, err) TH_LOG("no quasar device: %s", accel_strerror(err));
	self->fd = accel_device_fd(self->dev);
	ASSERT_EQ(0, guest_bo_new(self->dev, 4 * PAGE, &self->bo, &map));
	self->map = map;
	ASSERT_EQ(0, accel_cmdbuf_create(self->dev, &self->cb));
	self->gate.vgem_fd = -1;
}

FIXTURE_TEARDOWN(sync)
{
	guest_gate_close(&self->gate);
	accel_cmdbuf_destroy(self->cb);
	accel_bo_free(self->bo);
	accel_device_close(self->dev);
}

static void sync_sleep_ns(int64_t ns)
{
	struct timespec ts = { ns / 1000000000, ns % 1000000000 };

	nanosleep(&ts, NULL);
}

/* A binary syncobj holding a gate fence, for a job to wait on. */
static int sync_gated_syncobj(struct accel_device *dev, struct guest_gate *gate,
			      struct accel_syncobj **s)
{
	int err = guest_gate_open(gate);

	if (!err)
		err = accel_syncobj_create(dev, 0, s);
	if (!err)
		err = guest_gate_arm(gate, accel_device_fd(dev),
				     accel_syncobj_handle(*s));
	return err;
}

TEST_F(sync, binary_out_syncobj_signals_when_the_job_ends)
{
	struct accel_syncobj *out;
	struct accel_sync o;

	ASSERT_EQ(0, accel_syncobj_create(self->dev, 0, &out));
	o = (struct accel_sync){ out, 0 };
	ASSERT_EQ(0, accel_cmdbuf_fill(self->cb, accel_bo_addr(self->bo), PAGE, 0x42424242));
	ASSERT_EQ(0, accel_cmdbuf_submit(self->cb, &(struct accel_submit){
		.bos = &self->bo, .bo_count = 1, .out = &o, .out_count = 1 }));
	ASSERT_EQ(0, accel_syncobj_wait(out, 0, GUEST_JOB_TIMEOUT_NS));
	/* The fence signals after the data is in memory. */
	EXPECT_EQ(0, guest_expect_u32(self->map, PAGE, 0x42424242, "FILL"));
	EXPECT_EQ(0, accel_cmdbuf_wait(self->cb, 0, &self->r));
	accel_syncobj_destroy(out);
}

TEST_F(sync, job_does_not_run_before_its_in_syncobj_signals)
{
	struct accel_syncobj *in;
	struct accel_sync i;

	ASSERT_EQ(0, sync_gated_syncobj(self->dev, &self->gate, &in))
		TH_LOG("vgem gate unavailable (needs %s in the guest)", GUEST_VGEM_KO);
	i = (struct accel_sync){ in, 0 };
	ASSERT_EQ(0, accel_cmdbuf_fill(self->cb, accel_bo_addr(self->bo), PAGE, 0x77));
	ASSERT_EQ(0, accel_cmdbuf_submit(self->cb, &(struct accel_submit){
		.bos = &self->bo, .bo_count = 1, .in = &i, .in_count = 1 }));
	sync_sleep_ns(HOLD_NS);
	EXPECT_EQ(0, guest_expect_bytes(self->map, PAGE, 0, "BO while the job is held"));
	ASSERT_EQ(0, guest_gate_release(&self->gate));
	ASSERT_EQ(0, accel_cmdbuf_wait(self->cb, GUEST_JOB_TIMEOUT_NS, &self->r));
	EXPECT_EQ(0, guest_expect_u32(self->map, PAGE, 0x77, "FILL after release"));
	accel_syncobj_destroy(in);
}

TEST_F(sync, bo_wait_times_out_with_etime_then_completes_after_release)
{
	struct drm_quasar_bo_wait w = { .handle = accel_bo_handle(accel_cmdbuf_bo(self->cb)) };
	struct accel_syncobj *in;
	struct accel_sync i;

	ASSERT_EQ(0, sync_gated_syncobj(self->dev, &self->gate, &in))
		TH_LOG("vgem gate unavailable (needs %s in the guest)", GUEST_VGEM_KO);
	i = (struct accel_sync){ in, 0 };
	ASSERT_EQ(0, accel_cmdbuf_write_value(self->cb, accel_bo_addr(self->bo), 0xfeed));
	ASSERT_EQ(0, accel_cmdbuf_submit(self->cb, &(struct accel_submit){
		.bos = &self->bo, .bo_count = 1, .in = &i, .in_count = 1 }));
	w.timeout_ns = guest_now_ns() + 100 * 1000000;
	/*
	 * The verdict is the result, not the guest's clock: under TCG on a
	 * loaded host the kernel's jiffies-based timeout and CLOCK_MONOTONIC
	 * drift apart (a 100 ms wait measured 74 ms once), so how long the
	 * wait took says nothing about the driver.
	 */
	EXPECT_EQ(-ETIME, guest_ioctl(self->fd, DRM_IOCTL_QUASAR_BO_WAIT, &w));
	EXPECT_EQ(0, *(uint64_t *)self->map) TH_LOG("the job ran before its in-fence");
	ASSERT_EQ(0, guest_gate_release(&self->gate));
	w.timeout_ns = guest_now_ns() + GUEST_JOB_TIMEOUT_NS;
	ASSERT_EQ(0, guest_ioctl(self->fd, DRM_IOCTL_QUASAR_BO_WAIT, &w));
	EXPECT_EQ(DRM_QUASAR_STATUS_OK, w.job_status);
	EXPECT_EQ(1, w.job_cmd_index);
	EXPECT_EQ(0xfeed, *(uint64_t *)self->map);
	accel_syncobj_destroy(in);
}

TEST_F(sync, bo_wait_with_a_past_deadline_polls)
{
	struct drm_quasar_bo_wait w = { .handle = accel_bo_handle(self->bo) };
	struct accel_syncobj *in;
	struct accel_sync i;

	ASSERT_EQ(0, sync_gated_syncobj(self->dev, &self->gate, &in))
		TH_LOG("vgem gate unavailable (needs %s in the guest)", GUEST_VGEM_KO);
	i = (struct accel_sync){ in, 0 };
	ASSERT_EQ(0, accel_cmdbuf_nop(self->cb));
	ASSERT_EQ(0, accel_cmdbuf_submit(self->cb, &(struct accel_submit){
		.bos = &self->bo, .bo_count = 1, .in = &i, .in_count = 1 }));
	w.timeout_ns = 0;
	EXPECT_EQ(-ETIME, guest_ioctl(self->fd, DRM_IOCTL_QUASAR_BO_WAIT, &w))
		TH_LOG("a data BO of a held job is busy");
	ASSERT_EQ(0, guest_gate_release(&self->gate));
	ASSERT_EQ(0, accel_bo_wait(self->bo, GUEST_JOB_TIMEOUT_NS, NULL));
	w.timeout_ns = 0;
	EXPECT_EQ(0, guest_ioctl(self->fd, DRM_IOCTL_QUASAR_BO_WAIT, &w))
		TH_LOG("an idle BO polls as ready");
	accel_syncobj_destroy(in);
}

TEST_F(sync, second_job_waits_for_point_1_of_the_first_jobs_timeline)
{
	struct accel_syncobj *in, *tl;
	struct accel_cmdbuf *second;
	struct accel_sync gate_in, p1, p2;
	uint64_t point = 99;
	uint64_t dst = accel_bo_addr(self->bo) + 2 * PAGE;

	ASSERT_EQ(0, sync_gated_syncobj(self->dev, &self->gate, &in))
		TH_LOG("vgem gate unavailable (needs %s in the guest)", GUEST_VGEM_KO);
	ASSERT_EQ(0, accel_syncobj_create(self->dev, 0, &tl));
	ASSERT_EQ(0, accel_cmdbuf_create(self->dev, &second));
	gate_in = (struct accel_sync){ in, 0 };
	p1 = (struct accel_sync){ tl, 1 };
	p2 = (struct accel_sync){ tl, 2 };
	/* First: held by the gate, FILLs 2 pages, signals point 1. */
	ASSERT_EQ(0, accel_cmdbuf_fill(self->cb, accel_bo_addr(self->bo), 2 * PAGE,
				       0xc0ffee01));
	ASSERT_EQ(0, accel_cmdbuf_submit(self->cb, &(struct accel_submit){
		.bos = &self->bo, .bo_count = 1, .in = &gate_in, .in_count = 1,
		.out = &p1, .out_count = 1 }));
	/* Second, on another queue so queue order cannot stand in for the
	 * fence: copies what the first wrote, signals point 2. */
	ASSERT_EQ(0, accel_cmdbuf_copy(second, dst, accel_bo_addr(self->bo), 2 * PAGE));
	ASSERT_EQ(0, accel_cmdbuf_submit(second, &(struct accel_submit){
		.queue = accel_device_info(self->dev)->num_queues > 1 ? 1 : 0,
		.bos = &self->bo, .bo_count = 1, .in = &p1, .in_count = 1,
		.out = &p2, .out_count = 1 }));
	sync_sleep_ns(HOLD_NS);
	ASSERT_EQ(0, accel_syncobj_query(tl, &point));
	EXPECT_EQ(0, point) TH_LOG("timeline moved while the first job was held");
	EXPECT_EQ(-ETIME, accel_syncobj_wait(tl, 2, 0));
	EXPECT_EQ(0, guest_expect_bytes(self->map + 2 * PAGE, 2 * PAGE, 0,
					"second job's output while held"));
	ASSERT_EQ(0, guest_gate_release(&self->gate));
	ASSERT_EQ(0, accel_syncobj_wait(tl, 2, GUEST_JOB_TIMEOUT_NS));
	ASSERT_EQ(0, accel_syncobj_query(tl, &point));
	EXPECT_EQ(2, point);
	EXPECT_EQ(0, accel_cmdbuf_wait(self->cb, 0, &self->r));
	EXPECT_EQ(0, accel_cmdbuf_wait(second, 0, &self->r));
	EXPECT_EQ(0, guest_expect_u32(self->map + 2 * PAGE, 2 * PAGE, 0xc0ffee01,
				      "second job's copy of the first's FILL"));
	accel_cmdbuf_destroy(second);
	accel_syncobj_destroy(tl);
	accel_syncobj_destroy(in);
}

TEST_F(sync, job_waiting_on_a_cpu_signalled_timeline_point_runs)
{
	struct accel_syncobj *tl;
	struct accel_sync p3;

	ASSERT_EQ(0, accel_syncobj_create(self->dev, 0, &tl));
	ASSERT_EQ(0, accel_syncobj_signal(tl, 3));
	p3 = (struct accel_sync){ tl, 3 };
	ASSERT_EQ(0, accel_cmdbuf_write_value(self->cb, accel_bo_addr(self->bo), 3));
	ASSERT_EQ(0, accel_cmdbuf_submit(self->cb, &(struct accel_submit){
		.bos = &self->bo, .bo_count = 1, .in = &p3, .in_count = 1 }));
	ASSERT_EQ(0, accel_cmdbuf_wait(self->cb, GUEST_JOB_TIMEOUT_NS, &self->r));
	EXPECT_EQ(3, *(uint64_t *)self->map);
	accel_syncobj_destroy(tl);
}

TEST_F(sync, jobs_signal_successive_timeline_points)
{
	struct accel_cmdbuf *cbs[3];
	struct accel_syncobj *tl;
	uint64_t point = 0;
	int i;

	ASSERT_EQ(0, accel_syncobj_create(self->dev, 0, &tl));
	for (i = 0; i < 3; i++) {
		struct accel_sync out = { tl, i + 1 };

		ASSERT_EQ(0, accel_cmdbuf_create(self->dev, &cbs[i]));
		ASSERT_EQ(0, accel_cmdbuf_write_value(cbs[i],
			accel_bo_addr(self->bo) + 8 * i, i + 10));
		ASSERT_EQ(0, accel_cmdbuf_submit(cbs[i], &(struct accel_submit){
			.bos = &self->bo, .bo_count = 1, .out = &out, .out_count = 1 }));
	}
	ASSERT_EQ(0, accel_syncobj_wait(tl, 3, GUEST_JOB_TIMEOUT_NS));
	ASSERT_EQ(0, accel_syncobj_query(tl, &point));
	EXPECT_EQ(3, point);
	for (i = 0; i < 3; i++) {
		EXPECT_EQ(i + 10, ((uint64_t *)self->map)[i]);
		accel_cmdbuf_destroy(cbs[i]);
	}
	accel_syncobj_destroy(tl);
}

TEST_F(sync, failed_job_signals_its_out_fence_with_an_error)
{
	struct drm_quasar_cmd_header bad = { .opcode = 0x7ffe, .length = 8 };
	struct sync_file_info info = { 0 };
	struct accel_syncobj *out;
	struct accel_sync o;
	int sync_fd = -1;

	ASSERT_EQ(0, accel_syncobj_create(self->dev, 0, &out));
	o = (struct accel_sync){ out, 0 };
	ASSERT_EQ(0, accel_cmdbuf_emit(self->cb, &bad, sizeof(bad)));
	ASSERT_EQ(0, accel_cmdbuf_submit(self->cb, &(struct accel_submit){
		.out = &o, .out_count = 1 }));
	ASSERT_EQ(0, accel_syncobj_wait(out, 0, GUEST_JOB_TIMEOUT_NS));
	ASSERT_EQ(0, drmSyncobjExportSyncFile(self->fd, accel_syncobj_handle(out),
					      &sync_fd));
	ASSERT_EQ(0, guest_ioctl(sync_fd, SYNC_IOC_FILE_INFO, &info));
	EXPECT_EQ(-EIO, info.status) TH_LOG("fence status %d, want -EIO", info.status);
	EXPECT_EQ(-EIO, accel_cmdbuf_wait(self->cb, 0, &self->r));
	EXPECT_EQ(DRM_QUASAR_STATUS_BAD_OPCODE, self->r.status);
	close(sync_fd);
	accel_syncobj_destroy(out);
	EXPECT_EQ(0, guest_device_works(self->dev, 0));
}

TEST_F(sync, syncobj_wait_times_out_for_a_point_never_submitted)
{
	struct accel_syncobj *tl;
	uint64_t point = ~0ull;

	/*
	 * Not how long it waited: the DRM core turns the deadline into
	 * jiffies, which a TCG guest on a loaded host advances unevenly (a
	 * 50 ms wait was once measured as 35 ms of CLOCK_MONOTONIC).
	 */
	ASSERT_EQ(0, accel_syncobj_create(self->dev, 0, &tl));
	EXPECT_EQ(-ETIME, accel_syncobj_wait(tl, 1, 50 * 1000000));
	EXPECT_EQ(-ETIME, accel_syncobj_wait(tl, 1, 0));
	EXPECT_EQ(0, accel_syncobj_query(tl, &point));
	EXPECT_EQ(0, point) TH_LOG("the timed-out wait signalled point %llu",
				   (unsigned long long)point);
	accel_syncobj_destroy(tl);
}

TEST_HARNESS_MAIN
