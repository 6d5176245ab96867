// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the command decoder and the queue loop (fw_cmd_run,
 * fw_job_run, fw_queue_process) over the host tests' byte-array HAL.
 *
 * Input: an 8-byte control block, then a payload.
 *   c[0] % 3      entry point: 0 fw_cmd_run (payload = stream),
 *                 1 fw_job_run (payload = descriptor, stream),
 *                 2 fw_queue_process (payload = descriptors, stream)
 *   c[0] & 0x04   boot an image that enables only the opcodes in c[1] & 0xf
 *   c[0] & 0x08   DMA fails on the pages [c[2], c[2] + c[3] % 8) of memory
 *   c[0] & 0x10   the job is told to stop after c[4] polls
 *   c[0] & 0x20   descriptors are made well-formed (random fields kept
 *                 inside the stream area), so the fuzzer reaches the
 *                 commands instead of stopping at BAD_DESC
 *   c[5]          fw_cmd_run: context slot selector; queue: log2 ring size
 *   c[6]          queue: descriptors posted (tail - head)
 *   c[7]          queue: bit 0 puts HEAD just below 2^32
 *
 * Context 1 is a sane address space (writable data pages, one read-only
 * page, the stream pages). Context 3's level-2 table is the last payload
 * page, so its walks follow fuzzer-chosen entries anywhere in memory.
 *
 * Beyond the sanitizers, each run checks what the firmware promises:
 * status codes in range, the queue's HEAD advanced exactly by the jobs it
 * completed, and, for jobs confined to context 1, no byte changed outside
 * the writable mappings and the completion ring (the read-only page and
 * the page tables included).
 */
#include <stdlib.h>
#include <string.h>

#include "drm/quasar_isa.h"
#include "fwrun.h"

#define FUZZ_SLOT	1
#define FUZZ_WILD_SLOT	3
#define FUZZ_Q		2
#define BUF_VA		0x200000000ull
#define BUF_PAGES	8
#define RO_VA		0x300000000ull
#define STREAM_VA	0x100000000ull
#define STREAM_PAGES	4
#define STREAM_BYTES	(STREAM_PAGES * FWRUN_PAGE)
#define RING_MAX	256u

#define FUZZ_DMA_FAIL	0x08
#define FUZZ_STOP	0x10
#define FUZZ_FIX_DESC	0x20
#define FUZZ_OPS	0x04

struct fuzz_span {
	uint64_t lo, hi;
};

struct fuzz_env {
	struct fwrun_mem mem;
	struct fw_device fw;
	uint64_t root;
	uint64_t ring, cpl, wild_root;
	/* buf, stream, completion ring, then each descriptor's stats record */
	struct fuzz_span allowed[3 + RING_MAX];
	unsigned int nallowed;
	uint8_t *snapshot;
	uint64_t used;
	unsigned int polls, stop_after;
	bool stop_armed;
	bool wild;
};

static struct fuzz_env env;

static void fuzz_check(int cond)
{
	if (!cond)
		abort();
}

/* Memory is allocated once; each run starts from zeroed memory. */
static void fuzz_env_reset(void)
{
	if (!env.mem.bytes) {
		fuzz_check(!fwrun_mem_init(&env.mem));
		env.snapshot = malloc(FWRUN_MEM_SIZE);
		fuzz_check(env.snapshot != NULL);
	}
	memset(env.mem.bytes, 0, env.mem.next - FWRUN_MEM_BASE);
	env.mem.next = FWRUN_MEM_BASE;
	env.mem.fail_lo = env.mem.fail_hi = 0;
	env.mem.log_count = 0;
	env.polls = 0;
	env.stop_armed = false;
	env.wild = false;
}

/* Writable VA range backed by one physically contiguous allocation. */
static struct fuzz_span fuzz_map(uint64_t va, uint64_t pages)
{
	struct fuzz_span s;

	fwrun_map_range(&env.mem, env.root, va, pages * FWRUN_PAGE, true);
	/* fwrun_map_range allocated the data just before any new tables. */
	s.lo = fwrun_va_ptr(&env.mem, env.root, va + (pages - 1) * FWRUN_PAGE) -
	       env.mem.bytes + FWRUN_MEM_BASE;
	s.hi = s.lo + pages * FWRUN_PAGE;
	return s;
}

static bool fuzz_should_stop(void *opaque)
{
	(void)opaque;
	return env.stop_armed && ++env.polls > env.stop_after;
}

static bool fuzz_allowed(uint64_t addr)
{
	for (unsigned int i = 0; i < env.nallowed; i++)
		if (addr >= env.allowed[i].lo && addr < env.allowed[i].hi)
			return true;
	return false;
}

/*
 * Nothing outside the writable mappings, the completion ring and the
 * descriptors' stats records changed.
 */
static void fuzz_check_untouched(void)
{
	if (env.wild)
		return;
	for (uint64_t off = 0; off < env.used; off++) {
		if (env.mem.bytes[off] == env.snapshot[off])
			continue;
		fuzz_check(fuzz_allowed(FWRUN_MEM_BASE + off));
	}
}

static void fuzz_check_result(const struct fw_job_result *res)
{
	fuzz_check(res->status <= DRM_QUASAR_STATUS_ABORTED);
	if (res->status != DRM_QUASAR_STATUS_MMU_FAULT &&
	    res->status != DRM_QUASAR_STATUS_MMU_PERM)
		fuzz_check(res->fault_addr == 0);
}

static uint64_t fuzz_le(const uint8_t *p, unsigned int n)
{
	uint64_t v = 0;

	while (n--)
		v = (v << 8) | p[n];
	return v;
}

static void fuzz_put(uint8_t *p, uint64_t v, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* Random fields folded into a descriptor the validator accepts. */
static void fuzz_fix_desc(uint8_t *d)
{
	uint64_t addr = fuzz_le(d + offsetof(struct quasar_hw_desc, cmd_addr), 8);
	uint32_t size = (uint32_t)fuzz_le(d + offsetof(struct quasar_hw_desc, cmd_size), 4);
	uint64_t off = (addr % STREAM_BYTES) & ~7ull;
	uint64_t room = STREAM_BYTES - off;

	size = (uint32_t)(((size % 1024) + 8) & ~7u);
	if (size > room + 64)	/* sometimes run off the mapped stream */
		size = (uint32_t)room;
	fuzz_put(d + offsetof(struct quasar_hw_desc, cmd_addr), STREAM_VA + off, 8);
	fuzz_put(d + offsetof(struct quasar_hw_desc, cmd_size), size, 4);
	fuzz_put(d + offsetof(struct quasar_hw_desc, ctx_slot),
		 d[offsetof(struct quasar_hw_desc, ctx_slot)] % 8 == 0 ?
		 FUZZ_WILD_SLOT : FUZZ_SLOT, 2);
	fuzz_put(d + offsetof(struct quasar_hw_desc, flags), 0, 2);
	memset(d + offsetof(struct quasar_hw_desc, stats_addr), 0, 8);
	memset(d + offsetof(struct quasar_hw_desc, reserved), 0,
	       sizeof(((struct quasar_hw_desc *)0)->reserved));
}

static bool fuzz_desc_wild(const uint8_t *d)
{
	return fuzz_le(d + offsetof(struct quasar_hw_desc, ctx_slot), 2) == FUZZ_WILD_SLOT;
}

/*
 * A descriptor's stats record goes where the driver said (hw-spec section
 * 5): DMA to @stats_addr, like the completion ring, not through the MMU.
 */
static void fuzz_allow_stats(const uint8_t *desc)
{
	uint64_t a = fuzz_le(desc + offsetof(struct quasar_hw_desc, stats_addr), 8);

	if (a && env.nallowed < sizeof(env.allowed) / sizeof(env.allowed[0])) {
		env.allowed[env.nallowed].lo = a;
		env.allowed[env.nallowed].hi = a + sizeof(struct quasar_hw_stats);
		env.nallowed++;
	}
}

/* Builds the address spaces, the rings and the injected failures. */
static void fuzz_setup(const uint8_t *c, const uint8_t *stream, size_t stream_len)
{
	uint32_t ops = (c[0] & FUZZ_OPS) ? (c[1] & 0xfu) : FW_ROM_OPS;
	uint8_t *ro;

	fuzz_check(fwrun_boot(&env.fw, &env.mem, ops) == QUASAR_FW_OK);
	env.root = fwrun_new_root(&env.mem);
	env.allowed[0] = fuzz_map(BUF_VA, BUF_PAGES);
	env.allowed[1] = fuzz_map(STREAM_VA, STREAM_PAGES);
	fwrun_map_range(&env.mem, env.root, RO_VA, FWRUN_PAGE, false);
	ro = fwrun_va_ptr(&env.mem, env.root, RO_VA);
	memset(ro, 0x5a, FWRUN_PAGE);
	fwrun_ctx_bind(&env.fw, FUZZ_SLOT, env.root);

	/* The stream, in VA order across the scattered pages. */
	if (stream_len > STREAM_BYTES)
		stream_len = STREAM_BYTES;
	for (size_t i = 0; i < stream_len; i++)
		*fwrun_va_ptr(&env.mem, env.root, STREAM_VA + i) = stream[i];

	/* The wild context's table: the stream's first page, fuzzer bytes. */
	env.wild_root = env.allowed[1].hi - FWRUN_PAGE;
	fwrun_ctx_bind(&env.fw, FUZZ_WILD_SLOT, env.wild_root);

	env.ring = fwrun_mem_alloc(&env.mem, RING_MAX * sizeof(struct quasar_hw_desc));
	env.cpl = fwrun_mem_alloc(&env.mem, RING_MAX * sizeof(struct quasar_hw_cpl));
	env.allowed[2].lo = env.cpl;
	env.allowed[2].hi = env.cpl + RING_MAX * sizeof(struct quasar_hw_cpl);
	env.nallowed = 3;

	if (c[0] & FUZZ_DMA_FAIL) {
		env.mem.fail_lo = FWRUN_MEM_BASE + (uint64_t)c[2] * FWRUN_PAGE;
		env.mem.fail_hi = env.mem.fail_lo + (uint64_t)(c[3] % 8) * FWRUN_PAGE;
	}
	if (c[0] & FUZZ_STOP) {
		env.stop_armed = true;
		env.stop_after = c[4];
	}
	env.used = env.mem.next - FWRUN_MEM_BASE;
	memcpy(env.snapshot, env.mem.bytes, env.used);
}

static void fuzz_cmd(const uint8_t *c, const uint8_t *p, size_t n)
{
	static const unsigned int slots[4] = {
		FUZZ_SLOT, FUZZ_WILD_SLOT, 0, QUASAR_NUM_CTX - 1,
	};
	const struct fw_job_stop stop = { fuzz_should_stop, NULL };
	unsigned int slot = slots[c[5] % 4];
	struct fw_job_result res;

	fuzz_setup(c, p, n);
	env.wild = slot == FUZZ_WILD_SLOT;
	fw_cmd_run(&env.fw, slot, p, (uint32_t)n, &stop, &res);
	fuzz_check(res.status <= DRM_QUASAR_STATUS_ABORTED);
	fuzz_check_untouched();
}

static void fuzz_job(const uint8_t *c, const uint8_t *p, size_t n)
{
	const struct fw_job_stop stop = { fuzz_should_stop, NULL };
	uint8_t raw[sizeof(struct quasar_hw_desc)] = { 0 };
	struct quasar_hw_desc d;
	struct fw_job_result res;
	size_t k = n < sizeof(raw) ? n : sizeof(raw);

	memcpy(raw, p, k);
	if (c[0] & FUZZ_FIX_DESC)
		fuzz_fix_desc(raw);
	fuzz_setup(c, p + k, n - k);
	env.wild = fuzz_desc_wild(raw);
	d.cmd_addr = fuzz_le(raw + offsetof(struct quasar_hw_desc, cmd_addr), 8);
	d.cmd_size = (uint32_t)fuzz_le(raw + offsetof(struct quasar_hw_desc, cmd_size), 4);
	d.ctx_slot = (uint16_t)fuzz_le(raw + offsetof(struct quasar_hw_desc, ctx_slot), 2);
	d.flags = (uint16_t)fuzz_le(raw + offsetof(struct quasar_hw_desc, flags), 2);
	d.seqno = fuzz_le(raw + offsetof(struct quasar_hw_desc, seqno), 8);
	d.stats_addr = fuzz_le(raw + offsetof(struct quasar_hw_desc, stats_addr), 8);
	fuzz_allow_stats(raw);
	for (unsigned int i = 0; i < 4; i++)
		d.reserved[i] = fuzz_le(raw + offsetof(struct quasar_hw_desc, reserved) + 8 * i, 8);
	fw_job_run(&env.fw, &d, &stop, &res);
	fuzz_check_result(&res);
	fuzz_check_untouched();
}

static void fuzz_queue(const uint8_t *c, const uint8_t *p, size_t n)
{
	unsigned int posted = c[6], ndesc = 0;
	uint32_t size = 1u << (c[5] % 14);	/* 1 .. 8192: both ends invalid */
	struct fw_queue *q;
	uint32_t head, ring_error = 0;
	uint8_t *ring;
	int done;

	while (ndesc < posted && ndesc < RING_MAX &&
	       (ndesc + 1) * sizeof(struct quasar_hw_desc) <= n)
		ndesc++;
	fuzz_setup(c, p + ndesc * sizeof(struct quasar_hw_desc),
		   n - ndesc * sizeof(struct quasar_hw_desc));
	/* Descriptor i sits where the queue will look for it. */
	ring = fwrun_mem_ptr(&env.mem, env.ring, RING_MAX * sizeof(struct quasar_hw_desc));
	head = (c[7] & 1) ? 0xffffffffu - (c[7] >> 1) : c[7];
	for (unsigned int i = 0; i < ndesc; i++) {
		uint32_t slot = (head + i) % (size < RING_MAX ? size : RING_MAX);
		uint8_t *d = ring + slot * sizeof(struct quasar_hw_desc);

		memcpy(d, p + i * sizeof(struct quasar_hw_desc), sizeof(struct quasar_hw_desc));
		if (c[0] & FUZZ_FIX_DESC)
			fuzz_fix_desc(d);
	}
	for (unsigned int i = 0; i < RING_MAX; i++) {
		env.wild |= fuzz_desc_wild(ring + i * sizeof(struct quasar_hw_desc));
		fuzz_allow_stats(ring + i * sizeof(struct quasar_hw_desc));
	}
	memcpy(env.snapshot + (env.ring - FWRUN_MEM_BASE), ring,
	       RING_MAX * sizeof(struct quasar_hw_desc));
	/* A ring larger than the allocation reads (and completes) beyond it. */
	if (size > RING_MAX)
		env.wild = true;

	q = &env.fw.queue[FUZZ_Q];
	q->ring = env.ring;
	q->cpl = env.cpl;
	q->size = size;
	q->head = head;
	q->enabled = true;
	done = fw_queue_process(&env.fw, FUZZ_Q, head + posted, fuzz_should_stop,
				NULL, &ring_error);
	if (done >= 0) {
		fuzz_check(q->head == head + (uint32_t)done);
		fuzz_check((uint32_t)done <= posted);
	} else {
		fuzz_check(done == -1);
		fuzz_check(ring_error == DRM_QUASAR_STATUS_BAD_DESC ||
			   ring_error == DRM_QUASAR_STATUS_DMA_ERROR);
	}
	/* Every record written carries a status in range. */
	for (int i = 0; i < done; i++) {
		const uint8_t *r = fwrun_mem_ptr(&env.mem, env.cpl +
			((head + (uint32_t)i) & (size - 1)) * sizeof(struct quasar_hw_cpl),
			sizeof(struct quasar_hw_cpl));

		fuzz_check(fuzz_le(r + offsetof(struct quasar_hw_cpl, status), 4) <
			   DRM_QUASAR_STATUS_ABORTED);
	}
	fuzz_check_untouched();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 8)
		return -1;
	fuzz_env_reset();
	switch (data[0] % 3) {
	case 0:
		fuzz_cmd(data, data + 8, size - 8);
		break;
	case 1:
		fuzz_job(data, data + 8, size - 8);
		break;
	default:
		fuzz_queue(data, data + 8, size - 8);
		break;
	}
	return 0;
}
