/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Quasar NPU: MMU contexts (hw-spec 4): one hardware slot, one three-level
 * page table and one device VA allocator per open file.
 */
#ifndef __QUASAR_MMU_H__
#define __QUASAR_MMU_H__

#include <linux/kref.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/xarray.h>

#include <drm/drm_mm.h>

#include "hw/quasar_hw_interface.h"

struct dma_fence;
struct sg_table;
struct quasar_device;

/**
 * struct quasar_pt - one page-table page
 * @entries: the 512 little-endian entries the device reads
 * @dma: DMA address of @entries
 * @next: CPU pointers to the child tables (levels 2 and 1 only)
 */
struct quasar_pt {
	__le64 *entries;
	dma_addr_t dma;
	struct quasar_pt **next;
};

/**
 * struct quasar_ctx - a device address space, bound to a hardware slot
 *	while it has work (quasar_slot.c)
 * @ref: held by the file, by every buffer mapped here and by every job
 * @qdev: device
 * @slot: hardware context slot (CTX[@slot] registers), QUASAR_SLOT_NONE
 *	  when unbound; stable while @pins is not 0 (qdev->slot_lock)
 * @pins: jobs between prepare_job and their completion (qdev->slot_lock)
 * @lock: protects @mm and the page tables
 * @mm: device VA allocator over [QUASAR_VA_START, QUASAR_VA_END)
 * @root: level-2 table, the one CTX.ROOT points to
 * @banned: a job of this context faulted; it takes no more jobs
 * @queued_jobs: jobs of this context submitted and not yet freed, at most
 *		 DRM_QUASAR_MAX_QUEUED_JOBS
 * @fence_lock: protects @ring_fence
 * @ring_fence: per hardware queue, the hardware fence of the context's
 *		newest job written to that ring. A ring's fences signal in
 *		ring order, so once these have signalled no job that could
 *		have translated an address of the context before an unmap
 *		is still on the device; a buffer's pages outlive its mapping
 *		until then. Jobs not yet on a ring translate after the
 *		unmap and fault.
 * @busy_ns: per hardware queue, device time spent on this context's jobs
 *	     (fdinfo)
 * @cycles: per hardware queue, modeled device cycles of its completed jobs
 *	    (fdinfo)
 * @macs: executed multiply-accumulates of its completed jobs (fdinfo)
 * @rd_bytes: bytes its completed jobs read from memory (fdinfo)
 * @wr_bytes: bytes its completed jobs wrote (fdinfo)
 * @energy_fj: modeled energy of its completed jobs, femtojoules (fdinfo)
 * @next_job_id: the last id SUBMIT returned (quasar_result.c)
 * @results: the newest jobs' &struct quasar_job_record by id
 * @result_lock: protects the contents of the records in @results
 */
struct quasar_ctx {
	struct kref ref;
	struct quasar_device *qdev;
	u32 slot;
	u32 pins;
	struct mutex lock;		/* @mm, page tables */
	struct drm_mm mm;
	struct quasar_pt *root;
	bool banned;
	atomic_t queued_jobs;
	spinlock_t fence_lock;		/* @ring_fence */
	struct dma_fence *ring_fence[QUASAR_NUM_QUEUES];
	atomic64_t busy_ns[QUASAR_NUM_QUEUES];
	atomic64_t cycles[QUASAR_NUM_QUEUES];
	atomic64_t macs;
	atomic64_t rd_bytes;
	atomic64_t wr_bytes;
	atomic64_t energy_fj;
	atomic64_t next_job_id;
	struct xarray results;
	spinlock_t result_lock;		/* records' contents */
};

struct quasar_ctx *quasar_ctx_create(struct quasar_device *qdev);
struct quasar_ctx *quasar_ctx_get(struct quasar_ctx *ctx);
void quasar_ctx_put(struct quasar_ctx *ctx);
void quasar_ctx_set_ring_fence(struct quasar_ctx *ctx, unsigned int hwq,
			       struct dma_fence *fence);
unsigned int quasar_ctx_busy_fences(struct quasar_ctx *ctx,
				    struct dma_fence **fences);
struct dma_fence *quasar_ctx_ring_fence_get(struct quasar_ctx *ctx);

int quasar_mmu_map(struct quasar_ctx *ctx, struct drm_mm_node *node,
		   struct sg_table *sgt, u64 size, bool read_only);
void quasar_mmu_unmap(struct quasar_ctx *ctx, struct drm_mm_node *node);

#endif /* __QUASAR_MMU_H__ */
