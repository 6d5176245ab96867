// SPDX-License-Identifier: MIT
/* The runner's guest memory: a byte array behind the HAL, page tables, boot. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "fwrun.h"

static bool fwrun_dma_ok(const struct fwrun_mem *m, uint64_t addr, uint32_t len)
{
	if (addr < FWRUN_MEM_BASE || addr - FWRUN_MEM_BASE > m->size ||
	    len > m->size - (addr - FWRUN_MEM_BASE))
		return false;
	if (m->fail_hi > m->fail_lo && addr < m->fail_hi && addr + len > m->fail_lo)
		return false;
	return true;
}

static int fwrun_dma_read(void *opaque, uint64_t addr, void *buf, uint32_t len)
{
	struct fwrun_mem *m = opaque;

	if (!fwrun_dma_ok(m, addr, len))
		return -1;
	memcpy(buf, m->bytes + (addr - FWRUN_MEM_BASE), len);
	return 0;
}

static int fwrun_dma_write(void *opaque, uint64_t addr, const void *buf, uint32_t len)
{
	struct fwrun_mem *m = opaque;

	if (!fwrun_dma_ok(m, addr, len))
		return -1;
	memcpy(m->bytes + (addr - FWRUN_MEM_BASE), buf, len);
	return 0;
}

/* A gather, piece by piece: the host tests run the firmware's gathered reads. */
static int fwrun_dma_readv(void *opaque, const struct fw_dma_seg *segs, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		if (fwrun_dma_read(opaque, segs[i].addr, segs[i].buf, segs[i].len))
			return -1;
	return 0;
}

/* The device's zero-copy read (struct fw_hal.dma_map): where the bytes lie. */
static const void *fwrun_dma_map(void *opaque, uint64_t addr, uint64_t len)
{
	struct fwrun_mem *m = opaque;

	if (len > UINT32_MAX || !fwrun_dma_ok(m, addr, (uint32_t)len))
		return NULL;
	return m->bytes + (addr - FWRUN_MEM_BASE);
}

/* Nothing to give back: the memory lives as long as the runner. */
static void fwrun_dma_unmap(void *opaque, const void *p)
{
	(void)opaque;
	(void)p;
}

static uint32_t fwrun_crc32(uint32_t crc, const void *buf, size_t len)
{
	return (uint32_t)crc32(crc, buf, (uInt)len);
}

static void fwrun_log(void *opaque, const char *msg)
{
	struct fwrun_mem *m = opaque;

	m->log_count++;
	snprintf(m->last_log, sizeof(m->last_log), "%s", msg);
}

int fwrun_mem_init(struct fwrun_mem *m)
{
	return fwrun_mem_init_size(m, FWRUN_MEM_SIZE);
}

int fwrun_mem_init_size(struct fwrun_mem *m, uint64_t size)
{
	memset(m, 0, sizeof(*m));
	if (size < FWRUN_PAGE || size % FWRUN_PAGE)
		return -1;
	/* Page-aligned, as a host maps guest RAM: what dma_map hands out is. */
	m->bytes = aligned_alloc(FWRUN_PAGE, size);
	if (m->bytes)
		memset(m->bytes, 0, size);
	m->size = size;
	m->next = FWRUN_MEM_BASE;
	return m->bytes ? 0 : -1;
}

void fwrun_mem_fini(struct fwrun_mem *m)
{
	free(m->bytes);
	m->bytes = NULL;
}

/* The job times by phase (struct fw_job_time), as the device's HAL keeps them. */
static uint64_t fwrun_now_ns(void *opaque)
{
	struct timespec ts;

	(void)opaque;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void fwrun_hal_init(struct fw_hal *hal, struct fwrun_mem *m)
{
	hal->dma_read = fwrun_dma_read;
	hal->dma_write = fwrun_dma_write;
	hal->dma_readv = fwrun_dma_readv;
	hal->dma_map = fwrun_dma_map;
	hal->dma_unmap = fwrun_dma_unmap;
	hal->crc32 = fwrun_crc32;
	hal->log = fwrun_log;
	hal->now_ns = fwrun_now_ns;
	hal->opaque = m;
}

uint64_t fwrun_mem_alloc(struct fwrun_mem *m, uint64_t size)
{
	uint64_t addr = m->next;

	size = (size + FWRUN_PAGE - 1) & ~(FWRUN_PAGE - 1);
	if (size > FWRUN_MEM_BASE + m->size - addr) {
		fprintf(stderr, "fwrun_mem_alloc: guest memory exhausted\n");
		abort();
	}
	m->next += size;
	memset(m->bytes + (addr - FWRUN_MEM_BASE), 0, size);
	return addr;
}

uint8_t *fwrun_mem_ptr(struct fwrun_mem *m, uint64_t addr, uint64_t len)
{
	if (addr < FWRUN_MEM_BASE || addr - FWRUN_MEM_BASE > m->size ||
	    len > m->size - (addr - FWRUN_MEM_BASE)) {
		fprintf(stderr, "fwrun_mem_ptr: 0x%llx+0x%llx outside guest memory\n",
			(unsigned long long)addr, (unsigned long long)len);
		abort();
	}
	return m->bytes + (addr - FWRUN_MEM_BASE);
}

static uint64_t fwrun_mem_get64(struct fwrun_mem *m, uint64_t addr)
{
	uint8_t *p = fwrun_mem_ptr(m, addr, 8);
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static void fwrun_mem_put64(struct fwrun_mem *m, uint64_t addr, uint64_t v)
{
	uint8_t *p = fwrun_mem_ptr(m, addr, 8);

	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

uint64_t fwrun_new_root(struct fwrun_mem *m)
{
	return fwrun_mem_alloc(m, FWRUN_PAGE);
}

uint64_t fwrun_pte_addr(struct fwrun_mem *m, uint64_t root, uint64_t va,
			  int level)
{
	uint64_t table = root;

	for (int l = QUASAR_PT_LEVELS - 1; l > level; l--) {
		uint64_t pte = fwrun_mem_get64(m, table + 8 * QUASAR_PT_INDEX(va, l));

		if (!(pte & QUASAR_PTE_VALID)) {
			fprintf(stderr, "fwrun_pte_addr: level %d not mapped\n", l);
			abort();
		}
		table = pte & QUASAR_PTE_ADDR_MASK;
	}
	return table + 8 * QUASAR_PT_INDEX(va, level);
}

void fwrun_map(struct fwrun_mem *m, uint64_t root, uint64_t va, uint64_t pa,
		 uint64_t flags)
{
	uint64_t table = root;

	for (int l = QUASAR_PT_LEVELS - 1; l > 0; l--) {
		uint64_t at = table + 8 * QUASAR_PT_INDEX(va, l);
		uint64_t pte = fwrun_mem_get64(m, at);

		if (!(pte & QUASAR_PTE_VALID)) {
			pte = fwrun_mem_alloc(m, FWRUN_PAGE) | QUASAR_PTE_VALID;
			fwrun_mem_put64(m, at, pte);
		}
		table = pte & QUASAR_PTE_ADDR_MASK;
	}
	fwrun_mem_put64(m, table + 8 * QUASAR_PT_INDEX(va, 0), pa | flags);
}

void fwrun_map_range(struct fwrun_mem *m, uint64_t root, uint64_t va,
		       uint64_t len, bool writable)
{
	fwrun_map_runs(m, root, va, len, writable, FWRUN_PAGE);
}

void fwrun_map_runs(struct fwrun_mem *m, uint64_t root, uint64_t va, uint64_t len,
		    bool writable, uint64_t run)
{
	uint64_t pages = (len + FWRUN_PAGE - 1) / FWRUN_PAGE;
	uint64_t pa = fwrun_mem_alloc(m, pages * FWRUN_PAGE);
	uint64_t flags = QUASAR_PTE_VALID | (writable ? QUASAR_PTE_WRITE : 0);
	uint64_t per = run / FWRUN_PAGE ? run / FWRUN_PAGE : 1;
	uint64_t runs = (pages + per - 1) / per, short_by = runs * per - pages;

	/*
	 * Run r of the range goes where run runs - 1 - r would, so that no two
	 * runs are neighbours; the last one, which may be short, goes first.
	 */
	for (uint64_t i = 0; i < pages; i++) {
		uint64_t r = i / per, at = i % per;

		if (r + 1 < runs)
			at += (runs - 1 - r) * per - short_by;
		fwrun_map(m, root, va + i * FWRUN_PAGE, pa + at * FWRUN_PAGE, flags);
	}
}

uint8_t *fwrun_va_ptr(struct fwrun_mem *m, uint64_t root, uint64_t va)
{
	uint64_t pte = fwrun_mem_get64(m, fwrun_pte_addr(m, root, va, 0));

	return fwrun_mem_ptr(m, (pte & QUASAR_PTE_ADDR_MASK) | (va & (FWRUN_PAGE - 1)), 1);
}

int fwrun_boot(struct fw_device *fw, struct fwrun_mem *m, uint32_t ops)
{
	return fwrun_boot_engine(fw, m, ops, NULL);
}

int fwrun_boot_engine(struct fw_device *fw, struct fwrun_mem *m,
			       uint32_t ops, struct fw_engine *engine)
{
	struct fwrun_image img;

	memset(fw, 0, sizeof(*fw));
	fwrun_hal_init(&fw->hal, m);
	fw_reset(fw);
	fw->engine = engine;
	fwrun_image_make(&img);
	fwrun_image_put32(&img, img.caps_off + offsetof(struct quasar_fw_caps, ops), ops);
	fwrun_image_seal(&img);
	return fw_boot(fw, img.bytes, img.size);
}

void fwrun_ctx_bind(struct fw_device *fw, unsigned int slot, uint64_t root)
{
	fw->ctx[slot].root = root;
	fw->ctx[slot].valid = true;
}
