// SPDX-License-Identifier: MIT
/*
 * Jobs and queues (hw-spec section 5): descriptor checks, streams fetched
 * through the MMU, completion records, ring errors.
 */
#include <string.h>

#include "kselftest_harness.h"

#include "drm/quasar_isa.h"
#include "fwrun.h"

#define SLOT		2
#define Q		1
#define RING_SIZE	8u
#define STREAM_VA	0x100000000ull	/* 4 writable pages, scattered */
#define STREAM_PAGES	4
#define DATA_VA		0x180000000ull	/* 2 writable pages */
#define HOLE_VA		0x1f0000000ull	/* never mapped */

FIXTURE(queue) {
	struct fwrun_mem mem;
	struct fw_device fw;
	uint64_t root;
	uint32_t ring_error;
	struct fw_job_result res;
};

FIXTURE_SETUP(queue)
{
	ASSERT_EQ(0, fwrun_mem_init(&self->mem));
	ASSERT_EQ(QUASAR_FW_OK, fwrun_boot(&self->fw, &self->mem, FW_ROM_OPS));
	self->root = fwrun_new_root(&self->mem);
	fwrun_map_range(&self->mem, self->root, STREAM_VA, STREAM_PAGES * FWRUN_PAGE, true);
	fwrun_map_range(&self->mem, self->root, DATA_VA, 2 * FWRUN_PAGE, true);
	fwrun_ctx_bind(&self->fw, SLOT, self->root);
	self->fw.queue[Q].ring = fwrun_mem_alloc(&self->mem, RING_SIZE * 64);
	self->fw.queue[Q].cpl = fwrun_mem_alloc(&self->mem, RING_SIZE * 32);
	self->fw.queue[Q].size = RING_SIZE;
	self->fw.queue[Q].enabled = true;
	self->ring_error = 0xdead;
	memset(&self->res, 0xee, sizeof(self->res));
}

FIXTURE_TEARDOWN(queue)
{
	fwrun_mem_fini(&self->mem);
}

static void put_le(uint8_t *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_le(const uint8_t *p, int n)
{
	uint64_t v = 0;

	for (int i = n - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* Copy bytes to device VAs of the test context, page by page. */
static void put_va(FIXTURE_DATA(queue) *self, uint64_t va, const void *src, size_t n)
{
	for (size_t i = 0; i < n; i++)
		*fwrun_va_ptr(&self->mem, self->root, va + i) = ((const uint8_t *)src)[i];
}

static uint8_t data_at(FIXTURE_DATA(queue) *self, uint64_t va)
{
	return *fwrun_va_ptr(&self->mem, self->root, va);
}

static uint32_t put_write_value(FIXTURE_DATA(queue) *self, uint64_t at, uint64_t addr,
				uint64_t value)
{
	struct drm_quasar_cmd_write_value c = {
		{ DRM_QUASAR_OP_WRITE_VALUE, sizeof(c), 0 }, addr, value,
	};

	put_va(self, at, &c, sizeof(c));
	return sizeof(c);
}

static uint32_t put_nops(FIXTURE_DATA(queue) *self, uint64_t at, unsigned int n)
{
	struct drm_quasar_cmd_header c = { DRM_QUASAR_OP_NOP, sizeof(c), 0 };

	for (unsigned int i = 0; i < n; i++)
		put_va(self, at + i * sizeof(c), &c, sizeof(c));
	return n * (uint32_t)sizeof(c);
}

static struct quasar_hw_desc desc(uint64_t addr, uint32_t size, uint16_t slot,
				  uint64_t seqno)
{
	struct quasar_hw_desc d = { 0 };

	d.cmd_addr = addr;
	d.cmd_size = size;
	d.ctx_slot = slot;
	d.seqno = seqno;
	return d;
}

/* Write descriptor @d at ring[index % size], as the driver does. */
static void put_desc(FIXTURE_DATA(queue) *self, uint32_t index,
		     const struct quasar_hw_desc *d)
{
	uint8_t *p = fwrun_mem_ptr(&self->mem, self->fw.queue[Q].ring +
				 (index % RING_SIZE) * 64ull, 64);

	put_le(p + 0, d->cmd_addr, 8);
	put_le(p + 8, d->cmd_size, 4);
	put_le(p + 12, d->ctx_slot, 2);
	put_le(p + 14, d->flags, 2);
	put_le(p + 16, d->seqno, 8);
	put_le(p + 24, d->stats_addr, 8);
	for (int i = 0; i < 4; i++)
		put_le(p + 32 + 8 * i, d->reserved[i], 8);
}

static struct quasar_hw_cpl get_cpl(FIXTURE_DATA(queue) *self, uint32_t index)
{
	const uint8_t *p = fwrun_mem_ptr(&self->mem, self->fw.queue[Q].cpl +
				       (index % RING_SIZE) * 32ull, 32);
	struct quasar_hw_cpl c;

	c.seqno = get_le(p, 8);
	c.status = (uint32_t)get_le(p + 8, 4);
	c.cmd_index = (uint32_t)get_le(p + 12, 4);
	c.fault_addr = get_le(p + 16, 8);
	c.reserved = get_le(p + 24, 8);
	return c;
}

static void run_job(FIXTURE_DATA(queue) *self, struct quasar_hw_desc d)
{
	fw_job_run(&self->fw, &d, NULL, &self->res);
}

static int process(FIXTURE_DATA(queue) *self, uint32_t tail)
{
	return fw_queue_process(&self->fw, Q, tail, NULL, NULL, &self->ring_error);
}

/* ---- fw_job_run ---- */

TEST_F(queue, job_runs_its_stream_from_device_memory)
{
	uint32_t n = put_write_value(self, STREAM_VA, DATA_VA + 8, 0xabcdef);

	run_job(self, desc(STREAM_VA, n, SLOT, 1));
	EXPECT_EQ((uint32_t)DRM_QUASAR_STATUS_OK, self->res.status);
	EXPECT_EQ(1u, self->res.cmd_index);
	EXPECT_EQ(0u, self->res.fault_addr);
	EXPECT_EQ(0xef, data_at(self, DATA_VA + 8));
}

TEST_F(queue, descriptor_flags_is_bad_desc)
{
	struct quasar_hw_desc d = desc(STREAM_VA, put_nops(self, STREAM_VA, 1), SLOT, 1);

	d.flags = 1;
	run_job(self, d);
	EXPECT_EQ((uint32_t)DRM_QUASAR_STATUS_BAD_DESC, self->res.status);
	EXPECT_EQ(0u, self->res.cmd_index);
}

TEST_F(queue, descriptor_reserved_word_is_bad_desc)
{
	struct quasar_hw_desc d = desc(STREAM_VA, put_nops(self, STREAM_VA, 1), SLOT, 1);

	d.reserved[3] = 1ull << 63;
	run_job(self, d);
	EXPECT_EQ((uint32_t)DRM_QUASAR_STATUS_BAD_DESC, self->res.status);
}

TEST_F(queue, empty_stream_is_bad_desc)
{
	run_job(self, desc(STREAM_VA, 0, SLOT, 1));
	EXPECT_EQ((uint32_t)DRM_QUASAR_STATUS_BAD_DESC, self->res.status);
}

TEST_F(queue, stream_size_not_multiple_of_8_is_bad_desc)
{
	put_nops(self, STREAM_VA, 2);
	run_job(self, desc(STREAM_VA, 12, SLOT, 1));
	EXPECT_EQ((uint32_t)DRM_QUASAR_STATUS_BAD_DESC, self->res.status);
}

TEST_F(queue, stream_above_4_mib_is_bad_desc)
{
	run_job(self, desc(STREAM_VA, QUASAR_CMD_STREAM_MAX_SIZE + 8, SLOT, 1));
	EXPECT_EQ((uint32_t)DRM_QUASAR_STATUS_BAD_DESC, self->res.status);
}

TEST_F(queue, misaligned_stream_address_is_bad_desc)
{
	put_nops(self, STREAM_VA, 2);
	run_job(self, desc(STREAM_VA + 4, 8, SLOT, 1));
	EXPECT_EQ((uint32_t)DRM_QUASAR_STATUS_BAD_DESC, self->res.status);
}

TEST_F(queue, slot_beyond_context_count_is_bad_context)
{
	run_job(self, desc(STREAM_VA, put_nops(self, STREAM_VA, 1), QUASAR_NUM_CTX, 1));
	EXPECT_EQ((uint32_t)DRM_QUASAR_STATUS_BAD_CONTEXT, self->res.status);
	EXPECT_EQ(0u, self->res.fault_addr);
}

TEST_F(queue, invalid_context_faults_at_the_stream)
{
	self->fw.ctx[SLOT].valid = false;
	run_job(self, desc(STREAM_VA, put_nops(self, STREAM_VA, 1), SLOT, 1));
	EXPECT_EQ((uint32_t)DRM_QUASAR_STATUS_MMU_FAULT, self->res.status);
	EXPECT_EQ(0u, self->res.cmd_index);
	EXPECT_EQ(STREAM_VA, self->res.fault_addr);
}

TEST_F(queue, stream_on_unmapped_page_faults_at_its_first_command)
{
	run_job(self, desc(HOLE_VA, 64, SLOT, 1));
	EXPECT_EQ((uint32_t)DRM_QUASAR_STATUS_MMU_FAULT, self->res.status);
	EXPECT_EQ(0u, self->res.cmd_index);
	EXPECT_EQ(HOLE_VA, self->res.fault_addr);
}

TEST_F(queue, stream_fault_is_charged_to_the_command_on_the_faulting_page)
{
	/* 10 NOPs end the last mapped page; the 11th command is on a hole. */
	uint64_t start = STREAM_VA + STREAM_PAGES * FWRUN_PAGE - 80;

	put_nops(self, start, 10);
	run_job(self, desc(start, 160, SLOT, 1));
	EXPECT_EQ((uint32_t)DRM_QUASAR_STATUS_MMU_FAULT, self->res.status);
	EXPECT_EQ(10u, self->res.cmd_index);
	EXPECT_EQ(STREAM_VA + STREAM_PAGES * FWRUN_PAGE, self->res.fault_addr);
}

TEST_F(queue, command_straddling_two_stream_pages_runs)
{
	/* A 24-byte WRITE_VALUE starting 8 bytes before a page end. */
	uint64_t start = STREAM_VA + FWRUN_PAGE - 16;
	uint32_t n = put_nops(self, start, 1);

	n += put_write_value(self, start + n, DATA_VA, 0x0102030405060708ull);
	run_job(self, desc(start, n, SLOT, 1));
	EXPECT_EQ((uint32_t)DRM_QUASAR_STATUS_OK, self->res.status);
	EXPECT_EQ(2u, self->res.cmd_index);
	EXPECT_EQ(0x08, data_at(self, DATA_VA));
	EXPECT_EQ(0x01, data_at(self, DATA_VA + 7));
}

TEST_F(queue, long_stream_runs_every_command)
{
	/* Nearly four pages of NOPs, then a fence. */
	const unsigned int nops = (STREAM_PAGES * FWRUN_PAGE - 24) / 8;
	uint32_t n = put_nops(self, STREAM_VA, nops);

	n += put_write_value(self, STREAM_VA + n, DATA_VA, 77);
	run_job(self, desc(STREAM_VA, n, SLOT, 1));
	EXPECT_EQ((uint32_t)DRM_QUASAR_STATUS_OK, self->res.status);
	EXPECT_EQ(nops + 1, self->res.cmd_index);
	EXPECT_EQ(77, data_at(self, DATA_VA));
}

TEST_F(queue, command_error_in_stream_reports_its_index)
{
	uint32_t n = put_nops(self, STREAM_VA, 3);

	n += put_write_value(self, STREAM_VA + n, DATA_VA + 3, 1);
	run_job(self, desc(STREAM_VA, n, SLOT, 1));
	EXPECT_EQ((uint32_t)DRM_QUASAR_STATUS_BAD_ALIGN, self->res.status);
	EXPECT_EQ(3u, self->res.cmd_index);
}

TEST_F(queue, mmu_fault_is_recorded_in_the_context)
{
	uint32_t n = put_write_value(self, STREAM_VA, HOLE_VA + 0x48, 1);

	run_job(self, desc(STREAM_VA, n, SLOT, 1));
	ASSERT_EQ((uint32_t)DRM_QUASAR_STATUS_MMU_FAULT, self->res.status);
	EXPECT_EQ((uint32_t)DRM_QUASAR_STATUS_MMU_FAULT, self->fw.ctx[SLOT].fault_status);
	EXPECT_EQ(HOLE_VA + 0x48, self->fw.ctx[SLOT].fault_addr);
	EXPECT_EQ(0u, self->fw.ctx[SLOT + 1].fault_status);
}

/* ---- fw_queue_process ---- */

TEST_F(queue, several_jobs_complete_in_order_with_their_records)
{
	for (uint32_t i = 0; i < 3; i++) {
		uint64_t at = STREAM_VA + 64 * i;
		uint32_t n = put_write_value(self, at, DATA_VA + 8 * i, 100 + i);
		struct quasar_hw_desc d = desc(at, n, SLOT, 1000 + i);

		put_desc(self, i, &d);
	}
	ASSERT_EQ(3, process(self, 3));
	EXPECT_EQ(3u, self->fw.queue[Q].head);
	for (uint32_t i = 0; i < 3; i++) {
		struct quasar_hw_cpl c = get_cpl(self, i);

		EXPECT_EQ(1000 + i, c.seqno);
		EXPECT_EQ((uint32_t)DRM_QUASAR_STATUS_OK, c.status);
		EXPECT_EQ(1u, c.cmd_index);
		EXPECT_EQ(0u, c.fault_addr);
		EXPECT_EQ(0u, c.reserved);
		EXPECT_EQ(100 + i, data_at(self, DATA_VA + 8 * i));
	}
}

TEST_F(queue, bad_descriptor_in_the_middle_completes_and_the_queue_goes_on)
{
	uint32_t n = put_nops(self, STREAM_VA, 2);
	struct quasar_hw_desc good = desc(STREAM_VA, n, SLOT, 1);
	struct quasar_hw_desc bad = desc(STREAM_VA, n, SLOT, 2);
	struct quasar_hw_desc last = desc(STREAM_VA, n, SLOT, 3);

	bad.flags = 0x8000;
	put_desc(self, 0, &good);
	put_desc(self, 1, &bad);
	put_desc(self, 2, &last);
	ASSERT_EQ(3, process(self, 3));
	EXPECT_EQ((uint32_t)DRM_QUASAR_STATUS_OK, get_cpl(self, 0).status);
	EXPECT_EQ((uint32_t)DRM_QUASAR_STATUS_BAD_DESC, get_cpl(self, 1).status);
	EXPECT_EQ(2u, get_cpl(self, 1).seqno);
	EXPECT_EQ((uint32_t)DRM_QUASAR_STATUS_OK, get_cpl(self, 2).status);
	EXPECT_EQ(2u, get_cpl(self, 2).cmd_index);
	EXPECT_NE(NULL, strstr(self->mem.last_log, "BAD_DESC"));
}

TEST_F(queue, faulting_job_record_carries_status_index_and_address)
{
	uint32_t n = put_nops(self, STREAM_VA, 1);
	struct quasar_hw_desc d;

	n += put_write_value(self, STREAM_VA + n, HOLE_VA + 0x100, 1);
	d = desc(STREAM_VA, n, SLOT, 0x1122334455667788ull);
	put_desc(self, 0, &d);
	/* Dirty the record slot: every field must be written. */
	memset(fwrun_mem_ptr(&self->mem, self->fw.queue[Q].cpl, 32), 0xff, 32);
	ASSERT_EQ(1, process(self, 1));
	EXPECT_EQ(0x1122334455667788ull, get_cpl(self, 0).seqno);
	EXPECT_EQ((uint32_t)DRM_QUASAR_STATUS_MMU_FAULT, get_cpl(self, 0).status);
	EXPECT_EQ(1u, get_cpl(self, 0).cmd_index);
	EXPECT_EQ(HOLE_VA + 0x100, get_cpl(self, 0).fault_addr);
	EXPECT_EQ(0u, get_cpl(self, 0).reserved);
}

TEST_F(queue, ring_wraps_around_its_size)
{
	uint32_t n = put_nops(self, STREAM_VA, 1);

	self->fw.queue[Q].head = RING_SIZE - 2;
	for (uint32_t i = RING_SIZE - 2; i < RING_SIZE + 3; i++) {
		struct quasar_hw_desc d = desc(STREAM_VA, n, SLOT, i);

		put_desc(self, i, &d);
	}
	ASSERT_EQ(5, process(self, RING_SIZE + 3));
	EXPECT_EQ(RING_SIZE + 3, self->fw.queue[Q].head);
	EXPECT_EQ(RING_SIZE - 1, get_cpl(self, RING_SIZE - 1).seqno);
	EXPECT_EQ(RING_SIZE + 2, get_cpl(self, 2).seqno);
}

TEST_F(queue, free_running_indices_cross_2_32)
{
	uint32_t n = put_nops(self, STREAM_VA, 1);

	self->fw.queue[Q].head = 0xfffffffeu;
	for (uint32_t i = 0xfffffffeu; i != 2; i++) {
		struct quasar_hw_desc d = desc(STREAM_VA, n, SLOT, i);

		put_desc(self, i, &d);
	}
	ASSERT_EQ(4, process(self, 2));
	EXPECT_EQ(2u, self->fw.queue[Q].head);
	EXPECT_EQ(1u, get_cpl(self, 1).seqno);
}

TEST_F(queue, nothing_to_do_when_tail_equals_head)
{
	EXPECT_EQ(0, process(self, 0));
	EXPECT_EQ(0xdeadu, self->ring_error);
}

TEST_F(queue, unreadable_ring_puts_queue_in_dma_error)
{
	self->fw.queue[Q].ring = 0x10000;	/* outside guest memory */
	EXPECT_EQ(-1, process(self, 1));
	EXPECT_EQ((uint32_t)DRM_QUASAR_STATUS_DMA_ERROR, self->ring_error);
	EXPECT_EQ(0u, self->fw.queue[Q].head);
}

TEST_F(queue, ring_unreadable_midway_keeps_completed_jobs)
{
	uint32_t n = put_nops(self, STREAM_VA, 1);
	struct quasar_hw_desc d = desc(STREAM_VA, n, SLOT, 7);

	put_desc(self, 0, &d);
	self->mem.fail_lo = self->fw.queue[Q].ring + 64;
	self->mem.fail_hi = self->fw.queue[Q].ring + 128;
	EXPECT_EQ(-1, process(self, 2));
	EXPECT_EQ((uint32_t)DRM_QUASAR_STATUS_DMA_ERROR, self->ring_error);
	EXPECT_EQ(1u, self->fw.queue[Q].head);
	EXPECT_EQ(7u, get_cpl(self, 0).seqno);
}

TEST_F(queue, unwritable_completion_ring_is_dma_error)
{
	uint32_t n = put_nops(self, STREAM_VA, 1);
	struct quasar_hw_desc d = desc(STREAM_VA, n, SLOT, 7);

	put_desc(self, 0, &d);
	self->fw.queue[Q].cpl = FWRUN_MEM_BASE + FWRUN_MEM_SIZE;
	EXPECT_EQ(-1, process(self, 1));
	EXPECT_EQ((uint32_t)DRM_QUASAR_STATUS_DMA_ERROR, self->ring_error);
	EXPECT_EQ(0u, self->fw.queue[Q].head);
}

TEST_F(queue, misaligned_stats_address_is_bad_desc)
{
	struct quasar_hw_desc d = desc(STREAM_VA, put_nops(self, STREAM_VA, 1), SLOT, 1);

	d.stats_addr = fwrun_mem_alloc(&self->mem, 128) + 4;
	run_job(self, d);
	EXPECT_EQ((uint32_t)DRM_QUASAR_STATUS_BAD_DESC, self->res.status);
}

TEST_F(queue, stats_record_is_written_with_the_completion)
{
	uint64_t stats = fwrun_mem_alloc(&self->mem, 128);
	uint8_t *p = fwrun_mem_ptr(&self->mem, stats, 128);
	struct quasar_hw_desc d = desc(STREAM_VA, put_nops(self, STREAM_VA, 2), SLOT, 5);

	/* No compute engine: a control-only job moves nothing the model counts. */
	memset(p, 0xaa, 128);
	d.stats_addr = stats;
	put_desc(self, 0, &d);
	ASSERT_EQ(1, process(self, 1));
	EXPECT_EQ(5u, get_cpl(self, 0).seqno);
	int i;

	for (i = 0; i < 128; i++)
		ASSERT_EQ(0, p[i]) TH_LOG("stats byte %d", i);
}

TEST_F(queue, no_stats_address_writes_no_record)
{
	uint64_t stats = fwrun_mem_alloc(&self->mem, 128);
	uint8_t *p = fwrun_mem_ptr(&self->mem, stats, 128);
	struct quasar_hw_desc d = desc(STREAM_VA, put_nops(self, STREAM_VA, 1), SLOT, 6);

	memset(p, 0xaa, 128);
	put_desc(self, 0, &d);
	ASSERT_EQ(1, process(self, 1));
	int i;

	for (i = 0; i < 128; i++)
		ASSERT_EQ(0xaa, p[i]) TH_LOG("stats byte %d", i);
}

TEST_F(queue, unwritable_stats_record_is_dma_error)
{
	uint32_t n = put_nops(self, STREAM_VA, 1);
	struct quasar_hw_desc d = desc(STREAM_VA, n, SLOT, 7);

	d.stats_addr = FWRUN_MEM_BASE + FWRUN_MEM_SIZE;
	put_desc(self, 0, &d);
	EXPECT_EQ(-1, process(self, 1));
	EXPECT_EQ((uint32_t)DRM_QUASAR_STATUS_DMA_ERROR, self->ring_error);
	EXPECT_EQ(0u, self->fw.queue[Q].head);
}

/* ---- fault injection (hw-spec 11), as the device arms it ---- */

TEST_F(queue, injected_mmu_fault_fails_the_next_job_once)
{
	uint32_t n = put_write_value(self, STREAM_VA, DATA_VA, 0x77);
	struct quasar_hw_desc d = desc(STREAM_VA, n, SLOT, 1);

	self->fw.inject.flags = QUASAR_DBG_MMU_FAULT;
	self->fw.inject.fault_va = 0x123456000ull;
	run_job(self, d);
	EXPECT_EQ((uint32_t)DRM_QUASAR_STATUS_MMU_FAULT, self->res.status);
	EXPECT_EQ(0u, self->res.cmd_index);
	EXPECT_EQ(0x123456000ull, self->res.fault_addr);
	EXPECT_EQ((uint32_t)DRM_QUASAR_STATUS_MMU_FAULT, self->fw.ctx[SLOT].fault_status);
	EXPECT_EQ(0x123456000ull, self->fw.ctx[SLOT].fault_addr);
	/* It fired before the first command, and only once. */
	EXPECT_EQ(0, data_at(self, DATA_VA));
	EXPECT_EQ(0u, self->fw.inject.flags);
	run_job(self, d);
	EXPECT_EQ((uint32_t)DRM_QUASAR_STATUS_OK, self->res.status);
	EXPECT_EQ(0x77, data_at(self, DATA_VA));
}

TEST_F(queue, descriptor_error_wins_over_an_injected_fault)
{
	struct quasar_hw_desc d = desc(STREAM_VA, put_nops(self, STREAM_VA, 1), SLOT, 1);

	d.flags = 1;
	self->fw.inject.flags = QUASAR_DBG_MMU_FAULT;
	run_job(self, d);
	EXPECT_EQ((uint32_t)DRM_QUASAR_STATUS_BAD_DESC, self->res.status);
	EXPECT_EQ(0u, self->fw.ctx[SLOT].fault_status);
}

TEST_F(queue, injected_corrupt_completion_flips_one_record_seqno)
{
	for (uint32_t i = 0; i < 2; i++) {
		uint64_t at = STREAM_VA + 64 * i;
		uint32_t n = put_write_value(self, at, DATA_VA + 8 * i, 0x40 + i);
		struct quasar_hw_desc d = desc(at, n, SLOT, 500 + i);

		put_desc(self, i, &d);
	}
	self->fw.inject.flags = QUASAR_DBG_CORRUPT_CPL;
	ASSERT_EQ(2, process(self, 2));
	/* The job ran; only its record lies about which job it is. */
	EXPECT_EQ(500u ^ QUASAR_CPL_CORRUPT_SEQNO, get_cpl(self, 0).seqno);
	EXPECT_EQ((uint32_t)DRM_QUASAR_STATUS_OK, get_cpl(self, 0).status);
	EXPECT_EQ(0x40, data_at(self, DATA_VA));
	EXPECT_EQ(501u, get_cpl(self, 1).seqno);
	EXPECT_EQ(0x41, data_at(self, DATA_VA + 8));
	EXPECT_EQ(0u, self->fw.inject.flags);
}

TEST_F(queue, doorbell_more_than_size_ahead_is_bad_desc)
{
	EXPECT_EQ(-1, process(self, RING_SIZE + 1));
	EXPECT_EQ((uint32_t)DRM_QUASAR_STATUS_BAD_DESC, self->ring_error);
	EXPECT_EQ(0u, self->fw.queue[Q].head);
}

TEST_F(queue, doorbell_behind_head_is_bad_desc)
{
	self->fw.queue[Q].head = 5;
	EXPECT_EQ(-1, process(self, 4));
	EXPECT_EQ((uint32_t)DRM_QUASAR_STATUS_BAD_DESC, self->ring_error);
}

TEST_F(queue, ring_size_not_power_of_two_is_bad_desc)
{
	self->fw.queue[Q].size = 6;
	EXPECT_EQ(-1, process(self, 1));
	EXPECT_EQ((uint32_t)DRM_QUASAR_STATUS_BAD_DESC, self->ring_error);
}

TEST_F(queue, ring_size_above_4096_is_bad_desc)
{
	self->fw.queue[Q].size = 8192;
	EXPECT_EQ(-1, process(self, 1));
	EXPECT_EQ((uint32_t)DRM_QUASAR_STATUS_BAD_DESC, self->ring_error);
}

TEST_F(queue, misaligned_descriptor_ring_is_bad_desc)
{
	self->fw.queue[Q].ring += 32;
	EXPECT_EQ(-1, process(self, 1));
	EXPECT_EQ((uint32_t)DRM_QUASAR_STATUS_BAD_DESC, self->ring_error);
}

TEST_F(queue, misaligned_completion_ring_is_bad_desc)
{
	self->fw.queue[Q].cpl += 16;
	EXPECT_EQ(-1, process(self, 1));
	EXPECT_EQ((uint32_t)DRM_QUASAR_STATUS_BAD_DESC, self->ring_error);
}

TEST_F(queue, queue_index_out_of_range_is_bad_desc)
{
	EXPECT_EQ(-1, fw_queue_process(&self->fw, QUASAR_NUM_QUEUES, 1, NULL, NULL,
				       &self->ring_error));
	EXPECT_EQ((uint32_t)DRM_QUASAR_STATUS_BAD_DESC, self->ring_error);
}

TEST_F(queue, disabled_queue_runs_nothing)
{
	uint32_t n = put_write_value(self, STREAM_VA, DATA_VA, 5);
	struct quasar_hw_desc d = desc(STREAM_VA, n, SLOT, 1);

	put_desc(self, 0, &d);
	self->fw.queue[Q].enabled = false;
	EXPECT_EQ(0, process(self, 1));
	EXPECT_EQ(0, data_at(self, DATA_VA));
	EXPECT_EQ(0u, self->fw.queue[Q].head);
}

struct stop_when {
	FIXTURE_DATA(queue) *self;
	uint64_t va;		/* stop once this byte is non-zero */
	unsigned int calls;
	unsigned int after;	/* or after this many polls, if non-zero */
};

static bool stop_when(void *opaque)
{
	struct stop_when *w = opaque;

	w->calls++;
	if (w->after)
		return w->calls > w->after;
	return data_at(w->self, w->va) != 0;
}

TEST_F(queue, should_stop_ends_processing_between_jobs)
{
	struct stop_when w = { self, DATA_VA + 8, 0, 0 };

	for (uint32_t i = 0; i < 4; i++) {
		uint32_t n = put_write_value(self, STREAM_VA + 64 * i, DATA_VA + 8 * i, 1);
		struct quasar_hw_desc d = desc(STREAM_VA + 64 * i, n, SLOT, i);

		put_desc(self, i, &d);
	}
	/* Job 1 sets the byte the callback watches: jobs 0 and 1 complete. */
	EXPECT_EQ(2, fw_queue_process(&self->fw, Q, 4, stop_when, &w, &self->ring_error));
	EXPECT_EQ(2u, self->fw.queue[Q].head);
	EXPECT_EQ(0, data_at(self, DATA_VA + 16));
	/* The rest runs on the next call. */
	EXPECT_EQ(2, process(self, 4));
	EXPECT_EQ(4u, self->fw.queue[Q].head);
	EXPECT_EQ(3u, get_cpl(self, 3).seqno);
}

TEST_F(queue, job_stopped_midway_is_abandoned_without_completion)
{
	struct stop_when w = { self, DATA_VA + 8, 0, 0 };
	uint32_t n = put_write_value(self, STREAM_VA, DATA_VA + 8, 1);
	struct quasar_hw_desc d;

	n += put_write_value(self, STREAM_VA + n, DATA_VA + 16, 2);
	d = desc(STREAM_VA, n, SLOT, 9);
	put_desc(self, 0, &d);
	memset(fwrun_mem_ptr(&self->mem, self->fw.queue[Q].cpl, 32), 0xff, 32);
	EXPECT_EQ(0, fw_queue_process(&self->fw, Q, 1, stop_when, &w, &self->ring_error));
	EXPECT_EQ(0u, self->fw.queue[Q].head);
	EXPECT_EQ(0, data_at(self, DATA_VA + 16));
	EXPECT_EQ(~0ull, get_cpl(self, 0).seqno);
}

/*
 * Tables that map all 2^39 bytes of VA onto one page let a 256 GiB COPY pass
 * every check; only the stop poll bounds how long it holds the queue.
 */
TEST_F(queue, aliased_huge_copy_is_stopped_promptly)
{
	const unsigned int slot = SLOT + 1;
	uint64_t root = fwrun_mem_alloc(&self->mem, FWRUN_PAGE);
	uint64_t l1 = fwrun_mem_alloc(&self->mem, FWRUN_PAGE);
	uint64_t l0 = fwrun_mem_alloc(&self->mem, FWRUN_PAGE);
	uint64_t page = fwrun_mem_alloc(&self->mem, FWRUN_PAGE);
	struct drm_quasar_cmd_copy c = {
		{ DRM_QUASAR_OP_COPY, sizeof(c), 0 }, 1ull << 38, 0, 1ull << 38,
	};
	struct stop_when w = { self, 0, 0, 1000 };
	struct quasar_hw_desc d = desc(0, sizeof(c), (uint16_t)slot, 1);

	for (int i = 0; i < 512; i++) {
		put_le(fwrun_mem_ptr(&self->mem, root + 8 * i, 8), l1 | QUASAR_PTE_VALID, 8);
		put_le(fwrun_mem_ptr(&self->mem, l1 + 8 * i, 8), l0 | QUASAR_PTE_VALID, 8);
		put_le(fwrun_mem_ptr(&self->mem, l0 + 8 * i, 8),
		       page | QUASAR_PTE_VALID | QUASAR_PTE_WRITE, 8);
	}
	memcpy(fwrun_mem_ptr(&self->mem, page, sizeof(c)), &c, sizeof(c));
	fwrun_ctx_bind(&self->fw, slot, root);
	put_desc(self, 0, &d);
	EXPECT_EQ(0, fw_queue_process(&self->fw, Q, 1, stop_when, &w, &self->ring_error));
	EXPECT_EQ(1001u, w.calls);
	EXPECT_EQ(0u, self->fw.queue[Q].head);
}

TEST_HARNESS_MAIN
