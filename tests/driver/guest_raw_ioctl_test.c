// SPDX-License-Identifier: MIT
/*
 * The driver's own in-guest tests: each ioctl of quasar.ko through raw
 * ioctls (no libaccel), so that a failure points at the driver. Jobs are
 * checked by what they wrote, read back through mmap.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "drm/quasar_accel.h"
#include "kselftest_harness.h"
#include "raw_util.h"

#define PAGE		4096ull
#define JOB_TIMEOUT_NS	(30ull * 1000000000ull)	/* TCG is slow */
#define BAD_HANDLE	0x7fffffffu

static int drv_submit(int fd, uint32_t queue, const struct raw_bo *cmd,
		      uint32_t cmd_size, const uint32_t *bos, uint32_t nbos)
{
	struct drm_quasar_submit s = {
		.cmd_handle = cmd->handle,
		.cmd_size = cmd_size,
		.queue = queue,
		.bo_handles = (uintptr_t)bos,
		.bo_count = nbos,
	};

	return raw_ioctl(fd, DRM_IOCTL_QUASAR_SUBMIT, &s);
}

static size_t drv_fill(void *p, uint64_t dst, uint32_t size, uint32_t value)
{
	struct drm_quasar_cmd_fill c = {
		.hdr = { .opcode = DRM_QUASAR_OP_FILL, .length = sizeof(c) },
		.dst = dst, .size = size, .value = value,
	};

	memcpy(p, &c, sizeof(c));
	return sizeof(c);
}

static size_t drv_copy(void *p, uint64_t dst, uint64_t src, uint64_t size)
{
	struct drm_quasar_cmd_copy c = {
		.hdr = { .opcode = DRM_QUASAR_OP_COPY, .length = sizeof(c) },
		.dst = dst, .src = src, .size = size,
	};

	memcpy(p, &c, sizeof(c));
	return sizeof(c);
}

static size_t drv_write_value(void *p, uint64_t addr, uint64_t value)
{
	struct drm_quasar_cmd_write_value c = {
		.hdr = { .opcode = DRM_QUASAR_OP_WRITE_VALUE, .length = sizeof(c) },
		.addr = addr, .value = value,
	};

	memcpy(p, &c, sizeof(c));
	return sizeof(c);
}

FIXTURE(drv) {
	int fd;
	struct drm_quasar_device_info info;
	struct raw_bo cmd;	/* 4 pages of commands */
	struct raw_bo data;	/* 4 pages */
};

FIXTURE_SETUP(drv)
{
	struct drm_quasar_dev_query q = {
		.type = DRM_QUASAR_QUERY_DEVICE_INFO,
		.size = sizeof(self->info),
		.pointer = (uintptr_t)&self->info,
	};

	self->fd = raw_open();
	ASSERT_LE(0, self->fd) TH_LOG("open /dev/accel/accel0: %s", strerror(errno));
	ASSERT_EQ(0, raw_ioctl(self->fd, DRM_IOCTL_QUASAR_DEV_QUERY, &q));
	ASSERT_EQ(0, raw_bo_new(self->fd, 4 * PAGE, &self->cmd));
	ASSERT_EQ(0, raw_bo_new(self->fd, 4 * PAGE, &self->data));
}

FIXTURE_TEARDOWN(drv)
{
	close(self->fd);
}

TEST_F(drv, dev_query_without_pointer_reports_the_full_size)
{
	struct drm_quasar_dev_query q = { .type = DRM_QUASAR_QUERY_DEVICE_INFO };

	ASSERT_EQ(0, raw_ioctl(self->fd, DRM_IOCTL_QUASAR_DEV_QUERY, &q));
	EXPECT_EQ(sizeof(struct drm_quasar_device_info), q.size);
}

TEST_F(drv, dev_query_reports_the_device)
{
	EXPECT_EQ(0x1af4, self->info.pci_vendor);
	EXPECT_EQ(0x10f0, self->info.pci_device);
	EXPECT_EQ(4, self->info.num_queues);
	EXPECT_EQ(64, self->info.num_contexts);
	EXPECT_EQ(0x100000000ull, self->info.va_start);
	EXPECT_EQ(1ull << 39, self->info.va_end);
	EXPECT_EQ(PAGE, self->info.page_size);
	EXPECT_NE(0, self->info.ops & (1u << DRM_QUASAR_OP_FILL))
		TH_LOG("firmware ops 0x%x", self->info.ops);
}

TEST_F(drv, dev_query_copies_only_the_prefix_asked_for)
{
	uint8_t buf[sizeof(struct drm_quasar_device_info)];
	struct drm_quasar_dev_query q = {
		.type = DRM_QUASAR_QUERY_DEVICE_INFO, .size = 4,
		.pointer = (uintptr_t)buf,
	};

	memset(buf, 0xee, sizeof(buf));
	ASSERT_EQ(0, raw_ioctl(self->fd, DRM_IOCTL_QUASAR_DEV_QUERY, &q));
	EXPECT_EQ(sizeof(buf), q.size);
	EXPECT_EQ(0, memcmp(buf, &self->info, 4));
	EXPECT_EQ(0xee, buf[4]);
}

TEST_F(drv, dev_query_rejects_unknown_type)
{
	struct drm_quasar_dev_query q = { .type = 1 };

	EXPECT_EQ(-EINVAL, raw_ioctl(self->fd, DRM_IOCTL_QUASAR_DEV_QUERY, &q));
}

/* SUBMIT of @size bytes at @off of @cmd on hardware queue 0; *id is its job id. */
static int drv_submit_at(int fd, const struct raw_bo *cmd, uint32_t off,
			 uint32_t size, uint64_t *id)
{
	struct drm_quasar_submit s = {
		.cmd_handle = cmd->handle, .cmd_offset = off, .cmd_size = size,
	};
	int ret = raw_ioctl(fd, DRM_IOCTL_QUASAR_SUBMIT, &s);

	*id = s.job_id;
	return ret;
}

static int drv_job_stats(int fd, uint64_t id, struct drm_quasar_job_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->flags = DRM_QUASAR_JOB_STATS_JOB_ID;
	st->job_id = id;
	return raw_ioctl(fd, DRM_IOCTL_QUASAR_JOB_STATS, st);
}

/*
 * Two jobs from one command BO: the first runs a WRITE_VALUE, the second a
 * WRITE_VALUE and then an unknown opcode. Each keeps its own result, asked
 * for by the id SUBMIT returned; BO_WAIT on the BO describes the last one
 * and names it, and on a BO no job used names none. Before, SUBMIT
 * returned no id and a command BO held one result, the last job's.
 */
TEST_F(drv, jobs_sharing_a_command_bo_each_keep_their_own_result)
{
	const struct drm_quasar_cmd_header bad = { .opcode = 0x7f, .length = 8 };
	uint8_t *p = self->cmd.map;
	struct drm_quasar_job_stats st;
	struct drm_quasar_bo_wait w;
	uint64_t id_ok = 0, id_bad = 0;
	size_t n_ok, n_bad;

	ASSERT_EQ(0, raw_bo_wait(self->fd, &self->cmd, JOB_TIMEOUT_NS, &w));
	EXPECT_EQ(0u, w.job_id) TH_LOG("BO_WAIT names a job for a BO no job used");

	n_ok = drv_write_value(p, self->data.addr, 0x11);
	n_bad = drv_write_value(p + 256, self->data.addr + 8, 0x22);
	memcpy(p + 256 + n_bad, &bad, sizeof(bad));
	n_bad += sizeof(bad);
	ASSERT_EQ(0, drv_submit_at(self->fd, &self->cmd, 0, n_ok, &id_ok));
	ASSERT_EQ(0, drv_submit_at(self->fd, &self->cmd, 256, n_bad, &id_bad));
	ASSERT_NE(0u, id_ok) TH_LOG("SUBMIT returned no job id");
	ASSERT_LT(id_ok, id_bad);

	ASSERT_EQ(0, raw_bo_wait(self->fd, &self->cmd, JOB_TIMEOUT_NS, &w));
	EXPECT_EQ(id_bad, w.job_id);
	EXPECT_EQ(DRM_QUASAR_STATUS_BAD_OPCODE, w.job_status);

	ASSERT_EQ(0, drv_job_stats(self->fd, id_ok, &st));
	EXPECT_EQ(id_ok, st.job_id);
	EXPECT_EQ(DRM_QUASAR_STATUS_OK, st.status);
	EXPECT_EQ(1u, st.cmd_index) TH_LOG("commands run by the first job");
	ASSERT_EQ(0, drv_job_stats(self->fd, id_bad, &st));
	EXPECT_EQ(id_bad, st.job_id);
	EXPECT_EQ(DRM_QUASAR_STATUS_BAD_OPCODE, st.status);
	EXPECT_EQ(1u, st.cmd_index) TH_LOG("the failing command of the second job");
	EXPECT_EQ(0x11u, ((uint64_t *)self->data.map)[0]);
}

TEST_F(drv, job_stats_by_id_rejects_unknown_ids_and_flags)
{
	struct drm_quasar_job_stats st;
	uint64_t id;

	ASSERT_EQ(0, drv_submit_at(self->fd, &self->cmd, 0,
				   drv_write_value(self->cmd.map, self->data.addr, 1), &id));
	EXPECT_EQ(-ENOENT, drv_job_stats(self->fd, 0, &st));
	EXPECT_EQ(-ENOENT, drv_job_stats(self->fd, id + 1000, &st));
	memset(&st, 0, sizeof(st));
	st.flags = 2;
	EXPECT_EQ(-EINVAL, raw_ioctl(self->fd, DRM_IOCTL_QUASAR_JOB_STATS, &st));
	memset(&st, 0, sizeof(st));
	st.handle = self->cmd.handle;
	st.job_id = id;
	EXPECT_EQ(-EINVAL, raw_ioctl(self->fd, DRM_IOCTL_QUASAR_JOB_STATS, &st))
		TH_LOG("a job id without DRM_QUASAR_JOB_STATS_JOB_ID");
}

TEST_F(drv, bo_create_rounds_to_pages_and_maps_inside_the_va_window)
{
	struct raw_bo bo;

	ASSERT_EQ(0, raw_bo_new(self->fd, 1, &bo));
	EXPECT_EQ(PAGE, bo.size);
	EXPECT_EQ(0, bo.addr % PAGE);
	EXPECT_LE(self->info.va_start, bo.addr);
	EXPECT_GE(self->info.va_end, bo.addr + bo.size);
	EXPECT_NE(self->data.addr, bo.addr);
	raw_bo_del(self->fd, &bo);
}

TEST_F(drv, bo_create_rejects_zero_size_and_unknown_flags)
{
	struct drm_quasar_bo_create c = { .size = 0 };

	EXPECT_EQ(-EINVAL, raw_ioctl(self->fd, DRM_IOCTL_QUASAR_BO_CREATE, &c));
	c.size = PAGE;
	/* DRM_QUASAR_BO_READ_ONLY is the only flag. */
	c.flags = DRM_QUASAR_BO_READ_ONLY << 1;
	EXPECT_EQ(-EINVAL, raw_ioctl(self->fd, DRM_IOCTL_QUASAR_BO_CREATE, &c));
}

TEST_F(drv, bo_create_rejects_sizes_beyond_the_window_and_ram)
{
	struct drm_quasar_bo_create c = { .size = UINT64_MAX };

	EXPECT_EQ(-E2BIG, raw_ioctl(self->fd, DRM_IOCTL_QUASAR_BO_CREATE, &c));
	/* Inside the 508 GiB window, far beyond the guest's RAM. */
	c.size = 256ull << 30;
	EXPECT_EQ(-ENOMEM, raw_ioctl(self->fd, DRM_IOCTL_QUASAR_BO_CREATE, &c));
}

TEST_F(drv, bo_is_zero_filled)
{
	const uint8_t *p = self->data.map;
	uint64_t i;

	for (i = 0; i < self->data.size; i++)
		if (p[i])
			break;
	EXPECT_EQ(self->data.size, i);
}

TEST_F(drv, bo_info_matches_bo_create)
{
	struct drm_quasar_bo_info i = { .handle = self->data.handle };

	ASSERT_EQ(0, raw_ioctl(self->fd, DRM_IOCTL_QUASAR_BO_INFO, &i));
	EXPECT_EQ(self->data.size, i.size);
	EXPECT_EQ(self->data.addr, i.device_addr);
	i.pad = 1;
	EXPECT_EQ(-EINVAL, raw_ioctl(self->fd, DRM_IOCTL_QUASAR_BO_INFO, &i));
	i.pad = 0;
	i.handle = BAD_HANDLE;
	EXPECT_EQ(-ENOENT, raw_ioctl(self->fd, DRM_IOCTL_QUASAR_BO_INFO, &i));
}

TEST_F(drv, fill_then_copy_job_writes_the_pattern_through_the_mmu)
{
	uint8_t *cmds = self->cmd.map;
	const uint32_t *out = self->data.map;
	struct drm_quasar_bo_wait w;
	size_t n = 0;
	uint32_t i;

	/* Page 0 gets the pattern, pages 1..2 a copy of pages 0..1. */
	n += drv_fill(cmds + n, self->data.addr, PAGE, 0xc0ffee00);
	n += drv_fill(cmds + n, self->data.addr + PAGE, PAGE, 0x12345678);
	n += drv_copy(cmds + n, self->data.addr + 2 * PAGE, self->data.addr, 2 * PAGE);
	ASSERT_EQ(0, drv_submit(self->fd, 0, &self->cmd, n, &self->data.handle, 1));
	ASSERT_EQ(0, raw_bo_wait(self->fd, &self->cmd, JOB_TIMEOUT_NS, &w));
	EXPECT_EQ(DRM_QUASAR_STATUS_OK, w.job_status);
	EXPECT_EQ(3, w.job_cmd_index);
	for (i = 0; i < PAGE / 4; i++) {
		ASSERT_EQ(0xc0ffee00, out[i]) TH_LOG("word %u", i);
		ASSERT_EQ(0x12345678, out[PAGE / 4 + i]) TH_LOG("word %u", i);
		ASSERT_EQ(0xc0ffee00, out[2 * PAGE / 4 + i]) TH_LOG("word %u", i);
		ASSERT_EQ(0x12345678, out[3 * PAGE / 4 + i]) TH_LOG("word %u", i);
	}
}

TEST_F(drv, every_queue_runs_jobs)
{
	const uint64_t *out = self->data.map;
	uint32_t q;

	for (q = 0; q < self->info.num_queues; q++) {
		struct raw_bo cmd;
		struct drm_quasar_bo_wait w;
		size_t n;

		ASSERT_EQ(0, raw_bo_new(self->fd, PAGE, &cmd));
		n = drv_write_value(cmd.map, self->data.addr + 8 * q, 100 + q);
		ASSERT_EQ(0, drv_submit(self->fd, q, &cmd, n, &self->data.handle, 1));
		ASSERT_EQ(0, raw_bo_wait(self->fd, &cmd, JOB_TIMEOUT_NS, &w));
		EXPECT_EQ(DRM_QUASAR_STATUS_OK, w.job_status);
		EXPECT_EQ(100 + q, out[q]);
		raw_bo_del(self->fd, &cmd);
	}
}

TEST_F(drv, more_jobs_than_ring_entries_all_complete_in_order)
{
	enum { JOBS = 600 };	/* over two laps of a 256-entry ring */
	static struct raw_bo cmds[JOBS];
	uint64_t *out = self->data.map;
	struct drm_quasar_bo_wait w;
	uint32_t i;

	/*
	 * Own command BOs and no BO list: no implicit dependency between the
	 * jobs, so the scheduler keeps the ring as full as its credits allow.
	 * Job i stores i in slot i % 511 and in slot 511, which therefore
	 * ends with the last index if the queue ran them in order.
	 */
	for (i = 0; i < JOBS; i++) {
		size_t n;

		ASSERT_EQ(0, raw_bo_new(self->fd, PAGE, &cmds[i]));
		n = drv_write_value(cmds[i].map, self->data.addr + 8 * (i % 511), i);
		n += drv_write_value((uint8_t *)cmds[i].map + n,
				     self->data.addr + 8 * 511, i);
		cmds[i].size = n;
	}
	for (i = 0; i < JOBS; i++)
		ASSERT_EQ(0, drv_submit(self->fd, 0, &cmds[i], cmds[i].size, NULL, 0));
	ASSERT_EQ(0, raw_bo_wait(self->fd, &cmds[JOBS - 1], JOB_TIMEOUT_NS, &w));
	EXPECT_EQ(DRM_QUASAR_STATUS_OK, w.job_status);
	EXPECT_EQ(JOBS - 1, out[511]);
	for (i = JOBS - 511; i < JOBS; i++)
		ASSERT_EQ(i, out[i % 511]) TH_LOG("slot %u", i % 511);
}

TEST_F(drv, out_syncobj_timeline_point_signals_when_the_job_ends)
{
	struct drm_syncobj_create sc = { 0 };
	struct drm_quasar_sync out = { .point = 7 };
	uint64_t point = 7;
	struct drm_syncobj_timeline_wait tw = {
		.points = (uintptr_t)&point, .count_handles = 1,
	};
	size_t n = drv_write_value(self->cmd.map, self->data.addr, 77);

	ASSERT_EQ(0, raw_ioctl(self->fd, DRM_IOCTL_SYNCOBJ_CREATE, &sc));
	out.handle = sc.handle;
	tw.handles = (uintptr_t)&sc.handle;
	ASSERT_EQ(0, raw_ioctl(self->fd, DRM_IOCTL_QUASAR_SUBMIT,
			       &(struct drm_quasar_submit){
				       .cmd_handle = self->cmd.handle, .cmd_size = n,
				       .bo_handles = (uintptr_t)&self->data.handle,
				       .bo_count = 1, .out_syncs = (uintptr_t)&out,
				       .out_sync_count = 1 }));
	tw.timeout_nsec = raw_deadline(JOB_TIMEOUT_NS);
	ASSERT_EQ(0, raw_ioctl(self->fd, DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT, &tw));
	EXPECT_EQ(77, *(uint64_t *)self->data.map);
}

TEST_F(drv, in_syncobj_orders_a_job_after_another_queue)
{
	struct drm_syncobj_create sc = { 0 };
	struct drm_quasar_sync sync = { 0 };
	uint64_t *out = self->data.map;
	struct drm_quasar_bo_wait w;
	struct raw_bo cmd_b;
	size_t a, b;

	ASSERT_EQ(0, raw_ioctl(self->fd, DRM_IOCTL_SYNCOBJ_CREATE, &sc));
	sync.handle = sc.handle;
	ASSERT_EQ(0, raw_bo_new(self->fd, PAGE, &cmd_b));
	/* A (queue 1) fills two pages, then stores 1; B (queue 2) copies it. */
	a = drv_fill(self->cmd.map, self->data.addr + PAGE, 2 * PAGE, 0x5a5a5a5a);
	a += drv_write_value((uint8_t *)self->cmd.map + a, self->data.addr, 1);
	b = drv_copy(cmd_b.map, self->data.addr + 3 * PAGE, self->data.addr, 8);
	/* Separate command BOs and no BO list: only the syncobj orders them. */
	ASSERT_EQ(0, raw_ioctl(self->fd, DRM_IOCTL_QUASAR_SUBMIT,
			       &(struct drm_quasar_submit){
				       .cmd_handle = self->cmd.handle, .cmd_size = a,
				       .queue = 1, .out_syncs = (uintptr_t)&sync,
				       .out_sync_count = 1 }));
	ASSERT_EQ(0, raw_ioctl(self->fd, DRM_IOCTL_QUASAR_SUBMIT,
			       &(struct drm_quasar_submit){
				       .cmd_handle = cmd_b.handle, .cmd_size = b,
				       .queue = 2, .in_syncs = (uintptr_t)&sync,
				       .in_sync_count = 1 }));
	ASSERT_EQ(0, raw_bo_wait(self->fd, &cmd_b, JOB_TIMEOUT_NS, &w));
	EXPECT_EQ(DRM_QUASAR_STATUS_OK, w.job_status);
	EXPECT_EQ(1, out[3 * PAGE / 8]);
}

TEST_F(drv, submit_rejects_bad_arguments)
{
	struct drm_quasar_submit s = {
		.cmd_handle = self->cmd.handle, .cmd_size = 8,
	};
	struct drm_quasar_sync sync = { .handle = BAD_HANDLE };
	uint32_t bad = BAD_HANDLE;

	s.flags = 1u << 1;	/* bit 0 is DRM_QUASAR_SUBMIT_QUEUE_ID */
	EXPECT_EQ(-EINVAL, raw_ioctl(self->fd, DRM_IOCTL_QUASAR_SUBMIT, &s));
	s.flags = DRM_QUASAR_SUBMIT_QUEUE_ID;	/* no such queue id */
	EXPECT_EQ(-ENOENT, raw_ioctl(self->fd, DRM_IOCTL_QUASAR_SUBMIT, &s));
	s.flags = 0;
	s.queue = self->info.num_queues;
	EXPECT_EQ(-EINVAL, raw_ioctl(self->fd, DRM_IOCTL_QUASAR_SUBMIT, &s));
	s.queue = 0;
	s.cmd_offset = self->cmd.size;
	EXPECT_EQ(-EINVAL, raw_ioctl(self->fd, DRM_IOCTL_QUASAR_SUBMIT, &s));
	s.cmd_offset = 4;
	EXPECT_EQ(-EINVAL, raw_ioctl(self->fd, DRM_IOCTL_QUASAR_SUBMIT, &s));
	s.cmd_offset = 0;
	s.cmd_size = 12;
	EXPECT_EQ(-EINVAL, raw_ioctl(self->fd, DRM_IOCTL_QUASAR_SUBMIT, &s));
	s.cmd_size = 8;
	s.bo_count = 257;
	EXPECT_EQ(-EINVAL, raw_ioctl(self->fd, DRM_IOCTL_QUASAR_SUBMIT, &s));
	s.bo_handles = (uintptr_t)&bad;
	s.bo_count = 1;
	EXPECT_EQ(-ENOENT, raw_ioctl(self->fd, DRM_IOCTL_QUASAR_SUBMIT, &s));
	s.bo_count = 0;
	s.cmd_handle = BAD_HANDLE;
	EXPECT_EQ(-ENOENT, raw_ioctl(self->fd, DRM_IOCTL_QUASAR_SUBMIT, &s));
	s.cmd_handle = self->cmd.handle;
	s.in_syncs = (uintptr_t)&sync;
	s.in_sync_count = 1;
	EXPECT_EQ(-ENOENT, raw_ioctl(self->fd, DRM_IOCTL_QUASAR_SUBMIT, &s));
	s.in_sync_count = 0;
	s.out_syncs = (uintptr_t)&sync;
	s.out_sync_count = 1;
	EXPECT_EQ(-ENOENT, raw_ioctl(self->fd, DRM_IOCTL_QUASAR_SUBMIT, &s));
	sync.flags = 1;
	EXPECT_EQ(-EINVAL, raw_ioctl(self->fd, DRM_IOCTL_QUASAR_SUBMIT, &s));
}

TEST_F(drv, write_past_a_bo_faults_on_its_guard_page_and_bans_the_file)
{
	struct drm_quasar_bo_wait w;
	size_t n;
	int fd2;

	/* One word past the end of data: the guard page, never a neighbour. */
	n = drv_write_value(self->cmd.map, self->data.addr + self->data.size, 1);
	ASSERT_EQ(0, drv_submit(self->fd, 0, &self->cmd, n, &self->data.handle, 1));
	ASSERT_EQ(0, raw_bo_wait(self->fd, &self->cmd, JOB_TIMEOUT_NS, &w));
	EXPECT_EQ(DRM_QUASAR_STATUS_MMU_FAULT, w.job_status);
	EXPECT_EQ(self->data.addr + self->data.size, w.fault_addr);
	EXPECT_EQ(-EBADFD, drv_submit(self->fd, 0, &self->cmd, n, NULL, 0));

	/* Another file is not affected. */
	fd2 = raw_open();
	ASSERT_LE(0, fd2);
	{
		struct raw_bo cmd, data;

		ASSERT_EQ(0, raw_bo_new(fd2, PAGE, &cmd));
		ASSERT_EQ(0, raw_bo_new(fd2, PAGE, &data));
		n = drv_write_value(cmd.map, data.addr, 5);
		ASSERT_EQ(0, drv_submit(fd2, 0, &cmd, n, &data.handle, 1));
		ASSERT_EQ(0, raw_bo_wait(fd2, &cmd, JOB_TIMEOUT_NS, &w));
		EXPECT_EQ(DRM_QUASAR_STATUS_OK, w.job_status);
		EXPECT_EQ(5, *(uint64_t *)data.map);
	}
	close(fd2);
}

TEST_F(drv, bo_wait_with_a_past_deadline_polls)
{
	struct drm_quasar_bo_wait w = { .handle = self->data.handle, .timeout_ns = 1 };

	/* Idle BO: a poll succeeds. */
	EXPECT_EQ(0, raw_ioctl(self->fd, DRM_IOCTL_QUASAR_BO_WAIT, &w));
	w.flags = 1;
	EXPECT_EQ(-EINVAL, raw_ioctl(self->fd, DRM_IOCTL_QUASAR_BO_WAIT, &w));
}

TEST_F(drv, closing_the_file_with_jobs_in_flight_is_clean)
{
	uint8_t *cmds = self->cmd.map;
	int fd2, i;
	size_t n = 0;

	for (i = 0; i < 16; i++)
		n += drv_copy(cmds + n, self->data.addr + 2 * PAGE,
			      self->data.addr, 2 * PAGE);
	for (i = 0; i < 32; i++)
		ASSERT_EQ(0, drv_submit(self->fd, i % 4, &self->cmd, n,
					&self->data.handle, 1));
	/* The BOs die with the file while the jobs still use them. */
	raw_bo_del(self->fd, &self->cmd);
	raw_bo_del(self->fd, &self->data);
	close(self->fd);
	self->fd = raw_open();
	ASSERT_LE(0, self->fd);

	fd2 = raw_open();
	ASSERT_LE(0, fd2);
	{
		struct drm_quasar_bo_wait w;
		struct raw_bo cmd, data;

		ASSERT_EQ(0, raw_bo_new(fd2, PAGE, &cmd));
		ASSERT_EQ(0, raw_bo_new(fd2, PAGE, &data));
		n = drv_write_value(cmd.map, data.addr, 9);
		ASSERT_EQ(0, drv_submit(fd2, 3, &cmd, n, &data.handle, 1));
		ASSERT_EQ(0, raw_bo_wait(fd2, &cmd, JOB_TIMEOUT_NS, &w));
		EXPECT_EQ(9, *(uint64_t *)data.map);
	}
	close(fd2);
}

TEST_HARNESS_MAIN
