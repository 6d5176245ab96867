// SPDX-License-Identifier: MIT
/* Test HAL: guest memory as a byte array, page-table builders. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "fw_test_hal.h"
#include "fw_test_image.h"

static bool fw_test_dma_ok(const struct fw_test_mem *m, uint64_t addr, uint32_t len)
{
	if (addr < FW_TEST_MEM_BASE || addr - FW_TEST_MEM_BASE > FW_TEST_MEM_SIZE ||
	    len > FW_TEST_MEM_SIZE - (addr - FW_TEST_MEM_BASE))
		return false;
	if (m->fail_hi > m->fail_lo && addr < m->fail_hi && addr + len > m->fail_lo)
		return false;
	return true;
}

static int fw_test_dma_read(void *opaque, uint64_t addr, void *buf, uint32_t len)
{
	struct fw_test_mem *m = opaque;

	if (!fw_test_dma_ok(m, addr, len))
		return -1;
	memcpy(buf, m->bytes + (addr - FW_TEST_MEM_BASE), len);
	return 0;
}

static int fw_test_dma_write(void *opaque, uint64_t addr, const void *buf, uint32_t len)
{
	struct fw_test_mem *m = opaque;

	if (!fw_test_dma_ok(m, addr, len))
		return -1;
	memcpy(m->bytes + (addr - FW_TEST_MEM_BASE), buf, len);
	return 0;
}

static uint32_t fw_test_crc32(uint32_t crc, const void *buf, size_t len)
{
	return (uint32_t)crc32(crc, buf, (uInt)len);
}

static void fw_test_log(void *opaque, const char *msg)
{
	struct fw_test_mem *m = opaque;

	m->log_count++;
	snprintf(m->last_log, sizeof(m->last_log), "%s", msg);
}

int fw_test_mem_init(struct fw_test_mem *m)
{
	memset(m, 0, sizeof(*m));
	m->bytes = calloc(1, FW_TEST_MEM_SIZE);
	m->next = FW_TEST_MEM_BASE;
	return m->bytes ? 0 : -1;
}

void fw_test_mem_fini(struct fw_test_mem *m)
{
	free(m->bytes);
	m->bytes = NULL;
}

void fw_test_hal_init(struct fw_hal *hal, struct fw_test_mem *m)
{
	hal->dma_read = fw_test_dma_read;
	hal->dma_write = fw_test_dma_write;
	hal->crc32 = fw_test_crc32;
	hal->log = fw_test_log;
	hal->opaque = m;
}

uint64_t fw_test_alloc(struct fw_test_mem *m, uint64_t size)
{
	uint64_t addr = m->next;

	size = (size + FW_TEST_PAGE - 1) & ~(FW_TEST_PAGE - 1);
	if (size > FW_TEST_MEM_BASE + FW_TEST_MEM_SIZE - addr) {
		fprintf(stderr, "fw_test_alloc: guest memory exhausted\n");
		abort();
	}
	m->next += size;
	memset(m->bytes + (addr - FW_TEST_MEM_BASE), 0, size);
	return addr;
}

uint8_t *fw_test_ptr(struct fw_test_mem *m, uint64_t addr, uint64_t len)
{
	if (addr < FW_TEST_MEM_BASE || addr - FW_TEST_MEM_BASE > FW_TEST_MEM_SIZE ||
	    len > FW_TEST_MEM_SIZE - (addr - FW_TEST_MEM_BASE)) {
		fprintf(stderr, "fw_test_ptr: 0x%llx+0x%llx outside guest memory\n",
			(unsigned long long)addr, (unsigned long long)len);
		abort();
	}
	return m->bytes + (addr - FW_TEST_MEM_BASE);
}

static uint64_t fw_test_get64(struct fw_test_mem *m, uint64_t addr)
{
	uint8_t *p = fw_test_ptr(m, addr, 8);
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static void fw_test_put64(struct fw_test_mem *m, uint64_t addr, uint64_t v)
{
	uint8_t *p = fw_test_ptr(m, addr, 8);

	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

uint64_t fw_test_new_root(struct fw_test_mem *m)
{
	return fw_test_alloc(m, FW_TEST_PAGE);
}

uint64_t fw_test_pte_addr(struct fw_test_mem *m, uint64_t root, uint64_t va,
			  int level)
{
	uint64_t table = root;

	for (int l = QUASAR_PT_LEVELS - 1; l > level; l--) {
		uint64_t pte = fw_test_get64(m, table + 8 * QUASAR_PT_INDEX(va, l));

		if (!(pte & QUASAR_PTE_VALID)) {
			fprintf(stderr, "fw_test_pte_addr: level %d not mapped\n", l);
			abort();
		}
		table = pte & QUASAR_PTE_ADDR_MASK;
	}
	return table + 8 * QUASAR_PT_INDEX(va, level);
}

void fw_test_map(struct fw_test_mem *m, uint64_t root, uint64_t va, uint64_t pa,
		 uint64_t flags)
{
	uint64_t table = root;

	for (int l = QUASAR_PT_LEVELS - 1; l > 0; l--) {
		uint64_t at = table + 8 * QUASAR_PT_INDEX(va, l);
		uint64_t pte = fw_test_get64(m, at);

		if (!(pte & QUASAR_PTE_VALID)) {
			pte = fw_test_alloc(m, FW_TEST_PAGE) | QUASAR_PTE_VALID;
			fw_test_put64(m, at, pte);
		}
		table = pte & QUASAR_PTE_ADDR_MASK;
	}
	fw_test_put64(m, table + 8 * QUASAR_PT_INDEX(va, 0), pa | flags);
}

void fw_test_map_range(struct fw_test_mem *m, uint64_t root, uint64_t va,
		       uint64_t len, bool writable)
{
	uint64_t pages = (len + FW_TEST_PAGE - 1) / FW_TEST_PAGE;
	uint64_t pa = fw_test_alloc(m, pages * FW_TEST_PAGE);
	uint64_t flags = QUASAR_PTE_VALID | (writable ? QUASAR_PTE_WRITE : 0);

	for (uint64_t i = 0; i < pages; i++)
		fw_test_map(m, root, va + i * FW_TEST_PAGE,
			    pa + (pages - 1 - i) * FW_TEST_PAGE, flags);
}

uint8_t *fw_test_va_ptr(struct fw_test_mem *m, uint64_t root, uint64_t va)
{
	uint64_t pte = fw_test_get64(m, fw_test_pte_addr(m, root, va, 0));

	return fw_test_ptr(m, (pte & QUASAR_PTE_ADDR_MASK) | (va & (FW_TEST_PAGE - 1)), 1);
}

int fw_test_device_boot(struct fw_device *fw, struct fw_test_mem *m, uint32_t ops)
{
	return fw_test_device_boot_engine(fw, m, ops, NULL);
}

int fw_test_device_boot_engine(struct fw_device *fw, struct fw_test_mem *m,
			       uint32_t ops, struct fw_engine *engine)
{
	struct fw_test_image img;

	memset(fw, 0, sizeof(*fw));
	fw_test_hal_init(&fw->hal, m);
	fw_reset(fw);
	fw->engine = engine;
	fw_test_image_make(&img);
	fw_test_put32(&img, img.caps_off + offsetof(struct quasar_fw_caps, ops), ops);
	fw_test_image_seal(&img);
	return fw_boot(fw, img.bytes, img.size);
}

void fw_test_ctx(struct fw_device *fw, unsigned int slot, uint64_t root)
{
	fw->ctx[slot].root = root;
	fw->ctx[slot].valid = true;
}
