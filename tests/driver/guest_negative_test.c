// SPDX-License-Identifier: MIT
/*
 * Bad input: each ioctl argument the kernel must refuse, and each malformed
 * job the device must fail, followed by a job that works (the device and
 * the queue keep going). Raw ioctls, since the ioctls are what is tested.
 */
#include <errno.h>
#include <string.h>

#include <xf86drm.h>

#include "guest_util.h"
#include "kselftest_harness.h"

#define PAGE 4096ull
#define NEG_BAD_HANDLE 0x7fffffffu

FIXTURE(neg) {
	struct accel_device *dev;
	int fd;
	struct accel_bo *data;		/* 2 pages */
	struct accel_bo *cmd;		/* 1 page holding one NOP */
	uint32_t data_handle;
	struct drm_quasar_submit s;	/* a valid submit of that NOP */
};

FIXTURE_SETUP(neg)
{
	struct drm_quasar_cmd_header nop = { .opcode = DRM_QUASAR_OP_NOP, .length = 8 };
	void *map;
	int err = accel_device_open(NULL, &self->dev);

	ASSERT_EQ(0, err) TH_LOG("no quasar device: %s", accel_strerror(err));
	self->fd = accel_device_fd(self->dev);
	ASSERT_EQ(0, accel_bo_create(self->dev, 2 * PAGE, &self->data));
	ASSERT_EQ(0, guest_bo_new(self->dev, PAGE, &self->cmd, &map));
	memcpy(map, &nop, sizeof(nop));
	self->data_handle = accel_bo_handle(self->data);
	self->s = (struct drm_quasar_submit){
		.cmd_handle = accel_bo_handle(self->cmd),
		.cmd_size = sizeof(nop),
		.bo_handles = (uintptr_t)&self->data_handle,
		.bo_count = 1,
	};
}

FIXTURE_TEARDOWN(neg)
{
	accel_bo_free(self->cmd);
	accel_bo_free(self->data);
	accel_device_close(self->dev);
}

static int neg_submit(int fd, struct drm_quasar_submit *s)
{
	return guest_ioctl(fd, DRM_IOCTL_QUASAR_SUBMIT, s);
}

/* ---- BO_CREATE, BO_INFO, BO_WAIT ---------------------------------------- */

TEST_F(neg, bo_create_rejects_zero_size)
{
	struct drm_quasar_bo_create c = { .size = 0 };

	EXPECT_EQ(-EINVAL, guest_ioctl(self->fd, DRM_IOCTL_QUASAR_BO_CREATE, &c));
	EXPECT_EQ(0, guest_device_works(self->dev, 0));
}

TEST_F(neg, bo_create_rejects_size_beyond_the_va_window)
{
	const struct drm_quasar_device_info *i = accel_device_info(self->dev);
	struct drm_quasar_bo_create c = { .size = i->va_end - i->va_start + PAGE };

	EXPECT_EQ(-E2BIG, guest_ioctl(self->fd, DRM_IOCTL_QUASAR_BO_CREATE, &c));
	EXPECT_EQ(0, guest_device_works(self->dev, 0));
}

TEST_F(neg, bo_create_rejects_size_that_overflows_page_rounding)
{
	struct drm_quasar_bo_create c = { .size = UINT64_MAX };

	EXPECT_EQ(-E2BIG, guest_ioctl(self->fd, DRM_IOCTL_QUASAR_BO_CREATE, &c));
	EXPECT_EQ(0, guest_device_works(self->dev, 0));
}

TEST_F(neg, bo_create_rejects_unknown_flag)
{
	struct drm_quasar_bo_create c = { .size = PAGE, .flags = 1u << 31 };

	EXPECT_EQ(-EINVAL, guest_ioctl(self->fd, DRM_IOCTL_QUASAR_BO_CREATE, &c));
	EXPECT_EQ(0, guest_device_works(self->dev, 0));
}

TEST_F(neg, bo_info_rejects_nonzero_pad)
{
	struct drm_quasar_bo_info i = { .handle = self->data_handle, .pad = 1 };

	EXPECT_EQ(-EINVAL, guest_ioctl(self->fd, DRM_IOCTL_QUASAR_BO_INFO, &i));
	EXPECT_EQ(0, guest_device_works(self->dev, 0));
}

TEST_F(neg, bo_info_rejects_unknown_handle)
{
	struct drm_quasar_bo_info i = { .handle = NEG_BAD_HANDLE };

	EXPECT_EQ(-ENOENT, guest_ioctl(self->fd, DRM_IOCTL_QUASAR_BO_INFO, &i));
	EXPECT_EQ(0, guest_device_works(self->dev, 0));
}

TEST_F(neg, bo_wait_rejects_unknown_handle)
{
	struct drm_quasar_bo_wait w = { .handle = NEG_BAD_HANDLE };

	EXPECT_EQ(-ENOENT, guest_ioctl(self->fd, DRM_IOCTL_QUASAR_BO_WAIT, &w));
	EXPECT_EQ(0, guest_device_works(self->dev, 0));
}

TEST_F(neg, bo_wait_rejects_unknown_flag)
{
	struct drm_quasar_bo_wait w = { .handle = self->data_handle, .flags = 1 };

	EXPECT_EQ(-EINVAL, guest_ioctl(self->fd, DRM_IOCTL_QUASAR_BO_WAIT, &w));
	EXPECT_EQ(0, guest_device_works(self->dev, 0));
}

/* ---- SUBMIT arguments ----------------------------------------------------- */

TEST_F(neg, submit_of_the_fixture_stream_works)
{
	/* The baseline every other submit test changes one field of. */
	ASSERT_EQ(0, neg_submit(self->fd, &self->s));
	EXPECT_EQ(0, accel_bo_wait(self->cmd, GUEST_JOB_TIMEOUT_NS, NULL));
}

TEST_F(neg, submit_rejects_unknown_cmd_handle)
{
	self->s.cmd_handle = NEG_BAD_HANDLE;
	EXPECT_EQ(-ENOENT, neg_submit(self->fd, &self->s));
	EXPECT_EQ(0, guest_device_works(self->dev, 0));
}

TEST_F(neg, submit_rejects_unknown_bo_handle)
{
	uint32_t handles[2] = { self->data_handle, NEG_BAD_HANDLE };

	self->s.bo_handles = (uintptr_t)handles;
	self->s.bo_count = 2;
	EXPECT_EQ(-ENOENT, neg_submit(self->fd, &self->s));
	EXPECT_EQ(0, guest_device_works(self->dev, 0));
}

TEST_F(neg, submit_rejects_unknown_flag)
{
	for (uint32_t bit = 1; bit < 32; bit++) {
		self->s.flags = 1u << bit;
		EXPECT_EQ(-EINVAL, neg_submit(self->fd, &self->s));
	}
	EXPECT_EQ(0, guest_device_works(self->dev, 0));
}

TEST_F(neg, submit_rejects_unknown_queue_id)
{
	/* Queue ids come from QUEUE_CREATE; this file has none. */
	self->s.flags = DRM_QUASAR_SUBMIT_QUEUE_ID;
	self->s.queue = 1;
	EXPECT_EQ(-ENOENT, neg_submit(self->fd, &self->s));
	EXPECT_EQ(0, guest_device_works(self->dev, 0));
}

TEST_F(neg, submit_rejects_cmd_offset_outside_the_bo)
{
	self->s.cmd_offset = PAGE;
	EXPECT_EQ(-EINVAL, neg_submit(self->fd, &self->s));
	EXPECT_EQ(0, guest_device_works(self->dev, 0));
}

TEST_F(neg, submit_rejects_cmd_range_running_past_the_bo_end)
{
	self->s.cmd_offset = PAGE - 8;
	self->s.cmd_size = 16;
	EXPECT_EQ(-EINVAL, neg_submit(self->fd, &self->s));
	EXPECT_EQ(0, guest_device_works(self->dev, 0));
}

TEST_F(neg, submit_rejects_cmd_range_that_wraps_32_bits)
{
	self->s.cmd_offset = 0xfffffff8u;
	self->s.cmd_size = 16;
	EXPECT_EQ(-EINVAL, neg_submit(self->fd, &self->s));
	EXPECT_EQ(0, guest_device_works(self->dev, 0));
}

TEST_F(neg, submit_rejects_zero_cmd_size)
{
	self->s.cmd_size = 0;
	EXPECT_EQ(-EINVAL, neg_submit(self->fd, &self->s));
	EXPECT_EQ(0, guest_device_works(self->dev, 0));
}

TEST_F(neg, submit_rejects_misaligned_cmd_offset)
{
	self->s.cmd_offset = 4;
	EXPECT_EQ(-EINVAL, neg_submit(self->fd, &self->s));
	EXPECT_EQ(0, guest_device_works(self->dev, 0));
}

TEST_F(neg, submit_rejects_misaligned_cmd_size)
{
	self->s.cmd_size = 12;
	EXPECT_EQ(-EINVAL, neg_submit(self->fd, &self->s));
	EXPECT_EQ(0, guest_device_works(self->dev, 0));
}

TEST_F(neg, submit_rejects_stream_longer_than_max_cmd_size)
{
	uint32_t max = accel_device_info(self->dev)->max_cmd_size;
	struct accel_bo *big;

	ASSERT_EQ(0, accel_bo_create(self->dev, (uint64_t)max + PAGE, &big));
	self->s.cmd_handle = accel_bo_handle(big);
	self->s.cmd_size = max + 8;
	EXPECT_EQ(-EINVAL, neg_submit(self->fd, &self->s));
	accel_bo_free(big);
	EXPECT_EQ(0, guest_device_works(self->dev, 0));
}

TEST_F(neg, submit_rejects_queue_index_equal_to_num_queues)
{
	self->s.queue = accel_device_info(self->dev)->num_queues;
	EXPECT_EQ(-EINVAL, neg_submit(self->fd, &self->s));
	EXPECT_EQ(0, guest_device_works(self->dev, 0));
}

TEST_F(neg, submit_rejects_huge_queue_index)
{
	self->s.queue = UINT32_MAX;
	EXPECT_EQ(-EINVAL, neg_submit(self->fd, &self->s));
	EXPECT_EQ(0, guest_device_works(self->dev, 0));
}

TEST_F(neg, submit_rejects_more_than_256_bos)
{
	uint32_t handles[257];
	int i;

	for (i = 0; i < 257; i++)
		handles[i] = self->data_handle;
	self->s.bo_handles = (uintptr_t)handles;
	self->s.bo_count = 257;
	EXPECT_EQ(-EINVAL, neg_submit(self->fd, &self->s));
	EXPECT_EQ(0, guest_device_works(self->dev, 0));
}

TEST_F(neg, submit_rejects_more_than_64_in_syncs)
{
	struct drm_quasar_sync syncs[65] = { 0 };
	uint32_t h;
	int i;

	ASSERT_EQ(0, drmSyncobjCreate(self->fd, DRM_SYNCOBJ_CREATE_SIGNALED, &h));
	for (i = 0; i < 65; i++)
		syncs[i].handle = h;
	self->s.in_syncs = (uintptr_t)syncs;
	self->s.in_sync_count = 65;
	EXPECT_EQ(-EINVAL, neg_submit(self->fd, &self->s));
	EXPECT_EQ(0, guest_device_works(self->dev, 0));
}

TEST_F(neg, submit_rejects_more_than_64_out_syncs)
{
	struct drm_quasar_sync syncs[65] = { 0 };
	uint32_t h;
	int i;

	ASSERT_EQ(0, drmSyncobjCreate(self->fd, 0, &h));
	for (i = 0; i < 65; i++)
		syncs[i].handle = h;
	self->s.out_syncs = (uintptr_t)syncs;
	self->s.out_sync_count = 65;
	EXPECT_EQ(-EINVAL, neg_submit(self->fd, &self->s));
	EXPECT_EQ(0, guest_device_works(self->dev, 0));
}

TEST_F(neg, submit_rejects_nonzero_sync_flags)
{
	struct drm_quasar_sync sync = { .flags = 1 };

	ASSERT_EQ(0, drmSyncobjCreate(self->fd, 0, &sync.handle));
	self->s.out_syncs = (uintptr_t)&sync;
	self->s.out_sync_count = 1;
	EXPECT_EQ(-EINVAL, neg_submit(self->fd, &self->s));
	EXPECT_EQ(0, guest_device_works(self->dev, 0));
}

TEST_F(neg, submit_rejects_unknown_in_syncobj)
{
	struct drm_quasar_sync sync = { .handle = NEG_BAD_HANDLE };

	self->s.in_syncs = (uintptr_t)&sync;
	self->s.in_sync_count = 1;
	EXPECT_EQ(-ENOENT, neg_submit(self->fd, &self->s));
	EXPECT_EQ(0, guest_device_works(self->dev, 0));
}

TEST_F(neg, submit_rejects_unknown_out_syncobj)
{
	struct drm_quasar_sync sync = { .handle = NEG_BAD_HANDLE };

	self->s.out_syncs = (uintptr_t)&sync;
	self->s.out_sync_count = 1;
	EXPECT_EQ(-ENOENT, neg_submit(self->fd, &self->s));
	EXPECT_EQ(0, guest_device_works(self->dev, 0));
}

TEST_F(neg, submit_rejects_unreadable_bo_array)
{
	self->s.bo_handles = 8;
	EXPECT_EQ(-EFAULT, neg_submit(self->fd, &self->s));
	EXPECT_EQ(0, guest_device_works(self->dev, 0));
}

TEST_F(neg, submit_rejects_unreadable_sync_array)
{
	self->s.in_syncs = 8;
	self->s.in_sync_count = 1;
	EXPECT_EQ(-EFAULT, neg_submit(self->fd, &self->s));
	EXPECT_EQ(0, guest_device_works(self->dev, 0));
}

/* ---- jobs the device must fail ------------------------------------------- */

/*
 * Runs a stream of @n raw commands and expects it to fail with @status at
 * command @index; then a job on the same file and queue must work.
 */
static void neg_job_fails(struct __test_metadata *_metadata,
			  FIXTURE_DATA(neg) *self, const void *cmds, size_t len,
			  uint32_t status, uint32_t index)
{
	struct accel_job_result r = { 0 };
	struct accel_cmdbuf *cb;

	ASSERT_EQ(0, accel_cmdbuf_create(self->dev, &cb));
	ASSERT_EQ(0, accel_cmdbuf_emit(cb, cmds, len));
	EXPECT_EQ(-EIO, guest_run(cb, 0, &self->data, 1, &r));
	EXPECT_EQ(status, r.status) TH_LOG("job ended %s, want %s",
					   accel_status_name(r.status),
					   accel_status_name(status));
	EXPECT_EQ(index, r.cmd_index);
	accel_cmdbuf_destroy(cb);
	EXPECT_EQ(0, guest_device_works(self->dev, 0))
		TH_LOG("the job after a failed one on the same queue");
}

TEST_F(neg, job_with_unknown_opcode_fails_at_its_index)
{
	struct drm_quasar_cmd_header cmds[3] = {
		{ .opcode = DRM_QUASAR_OP_NOP, .length = 8 },
		{ .opcode = DRM_QUASAR_OP_NOP, .length = 8 },
		{ .opcode = 0x7ffe, .length = 8 },
	};

	neg_job_fails(_metadata, self, cmds, sizeof(cmds),
		      DRM_QUASAR_STATUS_BAD_OPCODE, 2);
}

TEST_F(neg, job_with_zero_command_length_fails)
{
	struct drm_quasar_cmd_header cmds[2] = {
		{ .opcode = DRM_QUASAR_OP_NOP, .length = 8 },
		{ .opcode = DRM_QUASAR_OP_NOP, .length = 0 },
	};

	neg_job_fails(_metadata, self, cmds, sizeof(cmds),
		      DRM_QUASAR_STATUS_BAD_LENGTH, 1);
}

TEST_F(neg, job_with_command_running_past_the_stream_fails)
{
	struct drm_quasar_cmd_fill fill = {
		.hdr = { .opcode = DRM_QUASAR_OP_FILL, .length = 24 },
		.dst = accel_bo_addr(self->data), .size = 4,
	};

	/* The stream ends after 16 of the FILL's 24 bytes. */
	neg_job_fails(_metadata, self, &fill, 16, DRM_QUASAR_STATUS_BAD_LENGTH, 0);
}

TEST_F(neg, job_with_nonzero_header_flags_fails)
{
	struct drm_quasar_cmd_header cmd = {
		.opcode = DRM_QUASAR_OP_NOP, .length = 8, .flags = 1,
	};

	neg_job_fails(_metadata, self, &cmd, sizeof(cmd),
		      DRM_QUASAR_STATUS_BAD_FLAGS, 0);
}

TEST_F(neg, job_with_misaligned_fill_fails)
{
	struct drm_quasar_cmd_fill fill = {
		.hdr = { .opcode = DRM_QUASAR_OP_FILL, .length = 24 },
		.dst = accel_bo_addr(self->data) + 2, .size = 8,
	};

	neg_job_fails(_metadata, self, &fill, sizeof(fill),
		      DRM_QUASAR_STATUS_BAD_ALIGN, 0);
}

TEST_F(neg, job_with_zero_size_fill_fails)
{
	struct drm_quasar_cmd_fill fill = {
		.hdr = { .opcode = DRM_QUASAR_OP_FILL, .length = 24 },
		.dst = accel_bo_addr(self->data), .size = 0,
	};

	neg_job_fails(_metadata, self, &fill, sizeof(fill),
		      DRM_QUASAR_STATUS_BAD_RANGE, 0);
}

TEST_F(neg, job_with_overlapping_copy_fails)
{
	struct drm_quasar_cmd_copy copy = {
		.hdr = { .opcode = DRM_QUASAR_OP_COPY, .length = 32 },
		.dst = accel_bo_addr(self->data) + 64,
		.src = accel_bo_addr(self->data),
		.size = 128,
	};

	neg_job_fails(_metadata, self, &copy, sizeof(copy),
		      DRM_QUASAR_STATUS_OVERLAP, 0);
}

TEST_F(neg, job_with_misaligned_write_value_fails)
{
	struct drm_quasar_cmd_write_value w = {
		.hdr = { .opcode = DRM_QUASAR_OP_WRITE_VALUE, .length = 24 },
		.addr = accel_bo_addr(self->data) + 4,
	};

	neg_job_fails(_metadata, self, &w, sizeof(w),
		      DRM_QUASAR_STATUS_BAD_ALIGN, 0);
}

/*
 * Runs one command that touches @addr, unmapped in this file's context;
 * expects MMU_FAULT at @addr. The fault bans the context, so the job that
 * proves the device still works comes from a new file.
 */
static void neg_job_faults(struct __test_metadata *_metadata,
			   FIXTURE_DATA(neg) *self, const void *cmd, size_t len,
			   uint64_t addr)
{
	struct accel_job_result r = { 0 };
	struct accel_device *fresh;
	struct accel_cmdbuf *cb;

	ASSERT_EQ(0, accel_cmdbuf_create(self->dev, &cb));
	ASSERT_EQ(0, accel_cmdbuf_nop(cb));
	ASSERT_EQ(0, accel_cmdbuf_emit(cb, cmd, len));
	EXPECT_EQ(-EIO, guest_run(cb, 0, &self->data, 1, &r));
	EXPECT_EQ(DRM_QUASAR_STATUS_MMU_FAULT, r.status)
		TH_LOG("job ended %s", accel_status_name(r.status));
	EXPECT_EQ(addr, r.fault_addr) TH_LOG("fault address 0x%llx, want 0x%llx",
					     (unsigned long long)r.fault_addr,
					     (unsigned long long)addr);
	EXPECT_EQ(1, r.cmd_index);
	accel_cmdbuf_destroy(cb);
	ASSERT_EQ(0, accel_device_open(NULL, &fresh));
	EXPECT_EQ(0, guest_device_works(fresh, 0))
		TH_LOG("a new file's job on the queue after the fault");
	accel_device_close(fresh);
}

TEST_F(neg, job_writing_outside_the_file_mappings_faults_at_that_address)
{
	/* Far from every BO of this file, page aligned. */
	uint64_t addr = accel_device_info(self->dev)->va_end - 256 * PAGE;
	struct drm_quasar_cmd_fill fill = {
		.hdr = { .opcode = DRM_QUASAR_OP_FILL, .length = 24 },
		.dst = addr, .size = PAGE, .value = 0xbad,
	};

	neg_job_faults(_metadata, self, &fill, sizeof(fill), addr);
}

TEST_F(neg, job_reading_outside_the_file_mappings_faults_at_that_address)
{
	uint64_t addr = accel_device_info(self->dev)->va_end - 512 * PAGE;
	struct drm_quasar_cmd_copy copy = {
		.hdr = { .opcode = DRM_QUASAR_OP_COPY, .length = 32 },
		.dst = accel_bo_addr(self->data), .src = addr, .size = PAGE,
	};

	neg_job_faults(_metadata, self, &copy, sizeof(copy), addr);
}

TEST_F(neg, job_writing_device_address_zero_faults)
{
	struct drm_quasar_cmd_write_value w = {
		.hdr = { .opcode = DRM_QUASAR_OP_WRITE_VALUE, .length = 24 },
		.addr = 0, .value = 1,
	};

	neg_job_faults(_metadata, self, &w, sizeof(w), 0);
}

TEST_F(neg, job_writing_above_the_39_bit_va_faults)
{
	uint64_t addr = 1ull << 40;
	struct drm_quasar_cmd_write_value w = {
		.hdr = { .opcode = DRM_QUASAR_OP_WRITE_VALUE, .length = 24 },
		.addr = addr, .value = 1,
	};

	neg_job_faults(_metadata, self, &w, sizeof(w), addr);
}

TEST_F(neg, file_whose_job_faulted_is_refused_new_jobs)
{
	struct drm_quasar_cmd_write_value w = {
		.hdr = { .opcode = DRM_QUASAR_OP_WRITE_VALUE, .length = 24 },
		.addr = 0, .value = 1,
	};
	struct accel_job_result r = { 0 };
	struct accel_cmdbuf *cb;

	ASSERT_EQ(0, accel_cmdbuf_create(self->dev, &cb));
	ASSERT_EQ(0, accel_cmdbuf_emit(cb, &w, sizeof(w)));
	ASSERT_EQ(-EIO, guest_run(cb, 0, &self->data, 1, &r));
	ASSERT_EQ(DRM_QUASAR_STATUS_MMU_FAULT, r.status);
	/* The driver bans the faulting context (hw-spec 4): no queue runs it. */
	EXPECT_EQ(-EBADFD, neg_submit(self->fd, &self->s));
	self->s.queue = accel_device_info(self->dev)->num_queues - 1;
	EXPECT_EQ(-EBADFD, neg_submit(self->fd, &self->s));
	accel_cmdbuf_destroy(cb);
}

TEST_HARNESS_MAIN
