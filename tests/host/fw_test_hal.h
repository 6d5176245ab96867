/* SPDX-License-Identifier: MIT */
/*
 * Test HAL for the firmware's host unit tests.
 *
 * "Guest memory" is one plain byte array at a non-zero base address; any
 * DMA that is not entirely inside it, or that touches the injected failure
 * window, fails, just as a bad PCI DMA does in the device. Helpers build
 * real page tables in that memory with the hw-spec section 4 format.
 */
#ifndef FW_TEST_HAL_H
#define FW_TEST_HAL_H

#include <stdbool.h>
#include <stdint.h>

#include "quasar_fw.h"

#define FW_TEST_MEM_BASE	0x40000000ull
#define FW_TEST_MEM_SIZE	(8ull << 20)
#define FW_TEST_PAGE		4096ull

struct fw_test_mem {
	uint8_t *bytes;
	uint64_t next;		/* bump allocator, page granular */
	uint64_t fail_lo;	/* DMA touching [fail_lo, fail_hi) fails */
	uint64_t fail_hi;
	unsigned int log_count;
	char last_log[256];
};

/* Allocates the memory (zeroed); returns 0 or -1. */
int fw_test_mem_init(struct fw_test_mem *m);
void fw_test_mem_fini(struct fw_test_mem *m);
void fw_test_hal_init(struct fw_hal *hal, struct fw_test_mem *m);

/* Zeroed, page-aligned, contiguous guest memory; aborts when exhausted. */
uint64_t fw_test_alloc(struct fw_test_mem *m, uint64_t size);
/* Host pointer for a guest address range; aborts if outside memory. */
uint8_t *fw_test_ptr(struct fw_test_mem *m, uint64_t addr, uint64_t len);

/* A fresh level-2 table, for CTX.ROOT. */
uint64_t fw_test_new_root(struct fw_test_mem *m);
/* Map one page va -> pa (both page aligned) with QUASAR_PTE_* @flags. */
void fw_test_map(struct fw_test_mem *m, uint64_t root, uint64_t va, uint64_t pa,
		 uint64_t flags);
/* Guest address of the level-@level entry for @va (tables must exist). */
uint64_t fw_test_pte_addr(struct fw_test_mem *m, uint64_t root, uint64_t va,
			  int level);
/*
 * Back [va, va + len) (va page aligned) with freshly allocated pages, mapped
 * in reverse physical order so that neighbouring VA pages are never
 * physically contiguous: page-crossing code is really exercised.
 */
void fw_test_map_range(struct fw_test_mem *m, uint64_t root, uint64_t va,
		       uint64_t len, bool writable);
/* Host pointer to the byte behind @va, by walking the tables. */
uint8_t *fw_test_va_ptr(struct fw_test_mem *m, uint64_t root, uint64_t va);

/* fw_reset with the test HAL, then boot a valid image enabling @ops. */
int fw_test_device_boot(struct fw_device *fw, struct fw_test_mem *m, uint32_t ops);
/* The same, with a compute engine wired in before the boot (as the device does). */
int fw_test_device_boot_engine(struct fw_device *fw, struct fw_test_mem *m,
			       uint32_t ops, struct fw_engine *engine);

/* Point context @slot at @root and mark it valid. */
void fw_test_ctx(struct fw_device *fw, unsigned int slot, uint64_t root);

#endif /* FW_TEST_HAL_H */
