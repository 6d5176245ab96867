// SPDX-License-Identifier: MIT
/* Jobs: NOP, FILL, COPY, WRITE_VALUE, each checked byte for byte. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "guest_util.h"
#include "kselftest_harness.h"

#define PAGE 4096ull

FIXTURE(jobs) {
	struct accel_device *dev;
	struct accel_cmdbuf *cb;
	struct accel_job_result r;
};

FIXTURE_SETUP(jobs)
{
	int err = accel_device_open(NULL, &self->dev);

	ASSERT_EQ(0, err) TH_LOG("no quasar device: %s", accel_strerror(err));
	ASSERT_EQ(0, accel_cmdbuf_create(self->dev, &self->cb));
}

FIXTURE_TEARDOWN(jobs)
{
	accel_cmdbuf_destroy(self->cb);
	accel_device_close(self->dev);
}

/* Last-error text of the device, for failure messages. */
static const char *jobs_error(struct accel_device *dev)
{
	static char text[256];

	accel_device_last_error(dev, text, sizeof(text));
	return text;
}

TEST_F(jobs, nop_job_completes_and_counts_its_commands)
{
	int i;

	for (i = 0; i < 5; i++)
		ASSERT_EQ(0, accel_cmdbuf_nop(self->cb));
	ASSERT_EQ(0, guest_run(self->cb, 0, NULL, 0, &self->r))
		TH_LOG("%s", jobs_error(self->dev));
	EXPECT_EQ(DRM_QUASAR_STATUS_OK, self->r.status);
	EXPECT_EQ(5, self->r.cmd_index) TH_LOG("an OK job reports the commands run");
	EXPECT_EQ(0, self->r.fault_addr);
}

TEST_F(jobs, fill_writes_its_range_and_nothing_around_it)
{
	struct accel_bo *bo;
	uint8_t *p;
	void *map;

	ASSERT_EQ(0, guest_bo_new(self->dev, 3 * PAGE, &bo, &map));
	p = map;
	memset(p, 0xee, 3 * PAGE);
	/* Starts mid-page and crosses a page boundary. */
	ASSERT_EQ(0, accel_cmdbuf_fill(self->cb, accel_bo_addr(bo) + 1000,
				       PAGE + 24, 0xdeadbeef));
	ASSERT_EQ(0, guest_run(self->cb, 0, &bo, 1, &self->r))
		TH_LOG("%s", jobs_error(self->dev));
	EXPECT_EQ(0, guest_expect_bytes(p, 1000, 0xee, "before the FILL"));
	EXPECT_EQ(0, guest_expect_u32(p + 1000, PAGE + 24, 0xdeadbeef, "FILL"));
	EXPECT_EQ(0, guest_expect_bytes(p + 1000 + PAGE + 24,
					2 * PAGE - 1024, 0xee, "after the FILL"));
	accel_bo_free(bo);
}

TEST_F(jobs, fill_covers_a_multi_page_buffer)
{
	uint32_t size = (1u << 20) + 3 * PAGE + 8;
	struct accel_bo *bo;
	void *map;

	ASSERT_EQ(0, guest_bo_new(self->dev, size, &bo, &map));
	ASSERT_EQ(0, accel_cmdbuf_fill(self->cb, accel_bo_addr(bo), size,
				       0x01020304));
	ASSERT_EQ(0, guest_run(self->cb, 0, &bo, 1, &self->r))
		TH_LOG("%s", jobs_error(self->dev));
	EXPECT_EQ(0, guest_expect_u32(map, size, 0x01020304, "FILL"));
	EXPECT_EQ(0, guest_expect_bytes((uint8_t *)map + size,
					accel_bo_size(bo) - size, 0, "past the FILL"));
	accel_bo_free(bo);
}

/* A byte pattern that differs per byte and per page, so shifts show. */
static uint8_t jobs_pattern(uint64_t i)
{
	return (uint8_t)(i * 31 + (i >> 12) + 1);
}

/* Checks @len bytes at @p against jobs_pattern() from index @first. */
static int jobs_expect_pattern(const uint8_t *p, uint64_t len, uint64_t first,
			       const char *what)
{
	uint64_t i;

	for (i = 0; i < len; i++) {
		if (p[i] != jobs_pattern(first + i)) {
			fprintf(stderr, "# %s: byte %llu is 0x%02x, expected 0x%02x\n",
				what, (unsigned long long)i, p[i],
				jobs_pattern(first + i));
			return 1;
		}
	}
	return 0;
}

TEST_F(jobs, copy_moves_cpu_written_data_across_pages_between_bos)
{
	uint64_t size = 5 * PAGE + 777, i;
	struct accel_bo *bos[2];
	uint8_t *src, *dst;
	void *map;

	ASSERT_EQ(0, guest_bo_new(self->dev, 7 * PAGE, &bos[0], &map));
	src = map;
	ASSERT_EQ(0, guest_bo_new(self->dev, 7 * PAGE, &bos[1], &map));
	dst = map;
	for (i = 0; i < 7 * PAGE; i++)
		src[i] = jobs_pattern(i);
	/* Different in-page offsets on both sides, an odd length. */
	ASSERT_EQ(0, accel_cmdbuf_copy(self->cb, accel_bo_addr(bos[1]) + 4100,
				       accel_bo_addr(bos[0]) + 12, size));
	ASSERT_EQ(0, guest_run(self->cb, 0, bos, 2, &self->r))
		TH_LOG("%s", jobs_error(self->dev));
	EXPECT_EQ(0, jobs_expect_pattern(dst + 4100, size, 12, "COPY destination"));
	EXPECT_EQ(0, jobs_expect_pattern(src, 7 * PAGE, 0, "COPY source"));
	EXPECT_EQ(0, guest_expect_bytes(dst, 4100, 0, "before the COPY"));
	EXPECT_EQ(0, guest_expect_bytes(dst + 4100 + size, 7 * PAGE - 4100 - size,
					0, "after the COPY"));
	accel_bo_free(bos[0]);
	accel_bo_free(bos[1]);
}

TEST_F(jobs, copy_within_one_bo_of_disjoint_ranges)
{
	uint64_t half = 64 * PAGE, i;
	struct accel_bo *bo;
	uint8_t *p;
	void *map;

	ASSERT_EQ(0, guest_bo_new(self->dev, 2 * half, &bo, &map));
	p = map;
	for (i = 0; i < half; i++)
		p[i] = jobs_pattern(i);
	ASSERT_EQ(0, accel_cmdbuf_copy(self->cb, accel_bo_addr(bo) + half,
				       accel_bo_addr(bo), half));
	ASSERT_EQ(0, guest_run(self->cb, 0, &bo, 1, &self->r))
		TH_LOG("%s", jobs_error(self->dev));
	EXPECT_EQ(0, jobs_expect_pattern(p + half, half, 0, "upper half"));
	EXPECT_EQ(0, jobs_expect_pattern(p, half, 0, "lower half (the source)"));
	accel_bo_free(bo);
}

TEST_F(jobs, write_value_stores_all_64_bits)
{
	struct accel_bo *bo;
	uint64_t *p;
	void *map;

	ASSERT_EQ(0, guest_bo_new(self->dev, PAGE, &bo, &map));
	p = map;
	ASSERT_EQ(0, accel_cmdbuf_write_value(self->cb, accel_bo_addr(bo) + 8,
					      0x0123456789abcdefull));
	ASSERT_EQ(0, guest_run(self->cb, 0, &bo, 1, &self->r))
		TH_LOG("%s", jobs_error(self->dev));
	EXPECT_EQ(0, p[0]);
	EXPECT_EQ(0x0123456789abcdefull, p[1]);
	EXPECT_EQ(0, p[2]);
	accel_bo_free(bo);
}

TEST_F(jobs, write_value_follows_the_commands_before_it)
{
	struct accel_bo *bo;
	uint8_t *p;
	void *map;

	ASSERT_EQ(0, guest_bo_new(self->dev, 65 * PAGE, &bo, &map));
	p = map;
	ASSERT_EQ(0, accel_cmdbuf_fill(self->cb, accel_bo_addr(bo), 32 * PAGE, 7));
	ASSERT_EQ(0, accel_cmdbuf_copy(self->cb, accel_bo_addr(bo) + 32 * PAGE,
				       accel_bo_addr(bo), 32 * PAGE));
	ASSERT_EQ(0, accel_cmdbuf_write_value(self->cb,
					      accel_bo_addr(bo) + 64 * PAGE, 1));
	ASSERT_EQ(0, guest_run(self->cb, 0, &bo, 1, &self->r))
		TH_LOG("%s", jobs_error(self->dev));
	EXPECT_EQ(3, self->r.cmd_index);
	EXPECT_EQ(1, *(uint64_t *)(p + 64 * PAGE));
	EXPECT_EQ(0, guest_expect_u32(p + 32 * PAGE, 32 * PAGE, 7, "COPY of FILL"));
	accel_bo_free(bo);
}

TEST_F(jobs, long_stream_that_outgrows_its_first_bo_runs_every_command)
{
	struct accel_bo *bo;
	uint64_t *p, i, n = 1000;
	void *map;

	/* 1000 x 24 bytes: the builder moves to bigger BOs on the way. */
	ASSERT_EQ(0, guest_bo_new(self->dev, n * 8, &bo, &map));
	p = map;
	for (i = 0; i < n; i++)
		ASSERT_EQ(0, accel_cmdbuf_write_value(self->cb,
						      accel_bo_addr(bo) + 8 * i,
						      i * i + 1));
	EXPECT_GT(accel_bo_size(accel_cmdbuf_bo(self->cb)), PAGE);
	ASSERT_EQ(0, guest_run(self->cb, 0, &bo, 1, &self->r))
		TH_LOG("%s", jobs_error(self->dev));
	EXPECT_EQ(n, self->r.cmd_index);
	for (i = 0; i < n; i++)
		if (p[i] != i * i + 1)
			break;
	EXPECT_EQ(n, i) TH_LOG("value %llu not written", (unsigned long long)i);
	accel_bo_free(bo);
}

TEST_F(jobs, every_queue_runs_jobs)
{
	uint32_t q, n = accel_device_info(self->dev)->num_queues;

	ASSERT_GT(n, 0);
	for (q = 0; q < n; q++)
		EXPECT_EQ(0, guest_device_works(self->dev, q)) TH_LOG("queue %u", q);
}

TEST_F(jobs, stream_at_an_offset_in_its_bo_runs_only_that_range)
{
	struct accel_bo *cmd, *bo;
	struct drm_quasar_cmd_write_value *w;
	uint64_t *p;
	void *map;

	ASSERT_EQ(0, guest_bo_new(self->dev, PAGE, &bo, &map));
	p = map;
	ASSERT_EQ(0, guest_bo_new(self->dev, PAGE, &cmd, &map));
	w = map;
	/* Three commands; the job runs only the middle one. */
	for (int i = 0; i < 3; i++)
		w[i] = (struct drm_quasar_cmd_write_value){
			.hdr = { .opcode = DRM_QUASAR_OP_WRITE_VALUE,
				 .length = sizeof(*w) },
			.addr = accel_bo_addr(bo) + 8 * i,
			.value = 100 + i,
		};
	ASSERT_EQ(0, accel_job_submit(cmd, sizeof(*w), sizeof(*w),
				      &(struct accel_submit){ .bos = &bo, .bo_count = 1 }));
	ASSERT_EQ(0, accel_bo_wait(cmd, GUEST_JOB_TIMEOUT_NS, &self->r))
		TH_LOG("%s", jobs_error(self->dev));
	EXPECT_EQ(0, p[0]);
	EXPECT_EQ(101, p[1]);
	EXPECT_EQ(0, p[2]);
	accel_bo_free(cmd);
	accel_bo_free(bo);
}

TEST_F(jobs, many_jobs_in_flight_complete_in_order)
{
	struct accel_cmdbuf *cbs[32];
	struct accel_bo *bo;
	uint64_t *p;
	void *map;
	int i;

	ASSERT_EQ(0, guest_bo_new(self->dev, PAGE, &bo, &map));
	p = map;
	/* Every job overwrites the same word: the last one submitted wins. */
	for (i = 0; i < 32; i++) {
		ASSERT_EQ(0, accel_cmdbuf_create(self->dev, &cbs[i]));
		ASSERT_EQ(0, accel_cmdbuf_write_value(cbs[i], accel_bo_addr(bo), i + 1));
		ASSERT_EQ(0, accel_cmdbuf_submit(cbs[i],
			&(struct accel_submit){ .bos = &bo, .bo_count = 1 }));
	}
	ASSERT_EQ(0, accel_bo_wait(bo, GUEST_JOB_TIMEOUT_NS, NULL));
	for (i = 0; i < 32; i++) {
		EXPECT_EQ(0, accel_cmdbuf_wait(cbs[i], GUEST_JOB_TIMEOUT_NS, &self->r));
		accel_cmdbuf_destroy(cbs[i]);
	}
	EXPECT_EQ(32, p[0]);
	accel_bo_free(bo);
}

TEST_HARNESS_MAIN
