// SPDX-License-Identifier: GPL-2.0
/*
 * Quasar NPU: MMU contexts, their page tables and device VA allocation.
 *
 * Tables are allocated on first use and kept until the context dies, so an
 * unmap never frees a table that a queued job of the context may still walk;
 * only leaf entries change. Every buffer is followed by an unmapped guard
 * page, so a command that runs past its buffer faults instead of silently
 * landing in the next one.
 */
#include <linux/dma-fence.h>
#include <linux/dma-mapping.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>

#include <drm/drm_drv.h>
#include <drm/drm_print.h>

#include "quasar_drv.h"
#include "quasar_hw.h"
#include "quasar_mmu.h"
#include "quasar_objcount.h"
#include "quasar_result.h"
#include "quasar_slot.h"

#define QUASAR_PT_TOP		(QUASAR_PT_LEVELS - 1)
#define QUASAR_VA_GUARD		QUASAR_PAGE_SIZE

static struct quasar_pt *quasar_pt_alloc(struct quasar_device *qdev,
					 unsigned int level)
{
	struct quasar_pt *pt;

	/*
	 * Charged to the caller's memory cgroup, but for the table page
	 * itself: coherent DMA memory takes no __GFP_ACCOUNT.
	 */
	pt = kzalloc(sizeof(*pt), GFP_KERNEL_ACCOUNT);
	if (!pt)
		return NULL;
	/* Coherent allocations are page aligned, as table addresses must be. */
	pt->entries = dma_alloc_coherent(qdev->drm.dev, QUASAR_PAGE_SIZE,
					 &pt->dma, GFP_KERNEL);
	if (!pt->entries)
		goto err_free;
	if (level) {
		pt->next = kcalloc(QUASAR_PT_ENTRIES, sizeof(*pt->next),
				   GFP_KERNEL_ACCOUNT);
		if (!pt->next)
			goto err_free_entries;
	}
	return pt;

err_free_entries:
	dma_free_coherent(qdev->drm.dev, QUASAR_PAGE_SIZE, pt->entries, pt->dma);
err_free:
	kfree(pt);
	return NULL;
}

static void quasar_pt_free(struct quasar_device *qdev, struct quasar_pt *pt,
			   unsigned int level)
{
	unsigned int i;

	if (!pt)
		return;
	if (level) {
		for (i = 0; i < QUASAR_PT_ENTRIES; i++)
			quasar_pt_free(qdev, pt->next[i], level - 1);
		kfree(pt->next);
	}
	dma_free_coherent(qdev->drm.dev, QUASAR_PAGE_SIZE, pt->entries, pt->dma);
	kfree(pt);
}

/* The level-0 entry for @va; NULL (or with @alloc, ERR_PTR) when absent. */
static __le64 *quasar_pt_leaf(struct quasar_ctx *ctx, u64 va, bool alloc)
{
	struct quasar_pt *pt = ctx->root;
	unsigned int level;

	for (level = QUASAR_PT_TOP; level > 0; level--) {
		unsigned int i = QUASAR_PT_INDEX(va, level);
		struct quasar_pt *child = pt->next[i];

		if (!child) {
			if (!alloc)
				return NULL;
			child = quasar_pt_alloc(ctx->qdev, level - 1);
			if (!child)
				return ERR_PTR(-ENOMEM);
			pt->next[i] = child;
			WRITE_ONCE(pt->entries[i],
				   cpu_to_le64(child->dma | QUASAR_PTE_VALID));
		}
		pt = child;
	}
	return &pt->entries[QUASAR_PT_INDEX(va, 0)];
}

static void quasar_mmu_clear(struct quasar_ctx *ctx, u64 start, u64 end)
{
	u64 va;

	for (va = start; va < end; va += QUASAR_PAGE_SIZE) {
		__le64 *pte = quasar_pt_leaf(ctx, va, false);

		if (pte)
			WRITE_ONCE(*pte, 0);
	}
}

/*
 * Allocate @size bytes of device VA (plus the guard page) in @node and map
 * the DMA segments of @sgt there, writable unless @read_only: the device
 * ends a job that writes a page without QUASAR_PTE_WRITE with MMU_PERM.
 */
int quasar_mmu_map(struct quasar_ctx *ctx, struct drm_mm_node *node,
		   struct sg_table *sgt, u64 size, bool read_only)
{
	u64 flags = QUASAR_PTE_VALID | (read_only ? 0 : QUASAR_PTE_WRITE);
	struct scatterlist *sg;
	unsigned int i;
	u64 va;
	int ret;

	guard(mutex)(&ctx->lock);
	ret = drm_mm_insert_node_generic(&ctx->mm, node, size + QUASAR_VA_GUARD,
					 QUASAR_PAGE_SIZE, 0, DRM_MM_INSERT_BEST);
	if (ret)
		return ret;

	va = node->start;
	for_each_sgtable_dma_sg(sgt, sg, i) {
		dma_addr_t addr = sg_dma_address(sg);
		u64 len = sg_dma_len(sg);

		if (WARN_ON(!IS_ALIGNED(addr | len, QUASAR_PAGE_SIZE) ||
			    va + len > node->start + size)) {
			ret = -EINVAL;
			goto err_clear;
		}
		for (; len; len -= QUASAR_PAGE_SIZE, addr += QUASAR_PAGE_SIZE,
		     va += QUASAR_PAGE_SIZE) {
			__le64 *pte = quasar_pt_leaf(ctx, va, true);

			if (IS_ERR(pte)) {
				ret = PTR_ERR(pte);
				goto err_clear;
			}
			WRITE_ONCE(*pte, cpu_to_le64((addr & QUASAR_PTE_ADDR_MASK) |
						     flags));
		}
	}
	if (WARN_ON(va != node->start + size)) {
		ret = -EINVAL;
		goto err_clear;
	}
	return 0;

err_clear:
	quasar_mmu_clear(ctx, node->start, va);
	drm_mm_remove_node(node);
	return ret;
}

void quasar_mmu_unmap(struct quasar_ctx *ctx, struct drm_mm_node *node)
{
	guard(mutex)(&ctx->lock);
	quasar_mmu_clear(ctx, node->start,
			 node->start + node->size - QUASAR_VA_GUARD);
	drm_mm_remove_node(node);
}

static void quasar_ctx_free(struct quasar_ctx *ctx)
{
	unsigned int q;

	for (q = 0; q < QUASAR_NUM_QUEUES; q++)
		dma_fence_put(ctx->ring_fence[q]);
	quasar_result_fini(ctx);
	quasar_pt_free(ctx->qdev, ctx->root, QUASAR_PT_TOP);
	drm_mm_takedown(&ctx->mm);
	mutex_destroy(&ctx->lock);
	kfree(ctx);
	quasar_objcount_dec(QUASAR_OBJ_CTX);
}

struct quasar_ctx *quasar_ctx_create(struct quasar_device *qdev)
{
	struct quasar_ctx *ctx;

	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL_ACCOUNT);
	if (!ctx)
		return ERR_PTR(-ENOMEM);
	quasar_objcount_inc(QUASAR_OBJ_CTX);
	kref_init(&ctx->ref);
	ctx->qdev = qdev;
	ctx->slot = QUASAR_SLOT_NONE;
	quasar_result_init(ctx);
	mutex_init(&ctx->lock);
	spin_lock_init(&ctx->fence_lock);
	drm_mm_init(&ctx->mm, QUASAR_VA_START, QUASAR_VA_END - QUASAR_VA_START);

	/* No hardware slot yet: the first job binds one (quasar_slot.c). */
	ctx->root = quasar_pt_alloc(qdev, QUASAR_PT_TOP);
	if (!ctx->root) {
		quasar_ctx_free(ctx);
		return ERR_PTR(-ENOMEM);
	}
	atomic_inc(&qdev->ctx_count);
	return ctx;
}

struct quasar_ctx *quasar_ctx_get(struct quasar_ctx *ctx)
{
	kref_get(&ctx->ref);
	return ctx;
}

static void quasar_ctx_release(struct kref *ref)
{
	struct quasar_ctx *ctx = container_of(ref, struct quasar_ctx, ref);
	struct quasar_device *qdev = ctx->qdev;

	quasar_slot_release(ctx);
	atomic_dec(&qdev->ctx_count);
	quasar_ctx_free(ctx);
}

void quasar_ctx_put(struct quasar_ctx *ctx)
{
	if (ctx)
		kref_put(&ctx->ref, quasar_ctx_release);
}

/*
 * Called as a job's descriptor goes to ring @hwq, before its doorbell: from
 * then on the device may translate the context's addresses for it. Order
 * on the ring, not the scheduler's arm order: jobs of different entities
 * bound to one hardware queue reach the ring in the order their
 * dependencies resolve.
 */
void quasar_ctx_set_ring_fence(struct quasar_ctx *ctx, unsigned int hwq,
			       struct dma_fence *fence)
{
	struct dma_fence *old;

	scoped_guard(spinlock, &ctx->fence_lock) {
		old = ctx->ring_fence[hwq];
		ctx->ring_fence[hwq] = dma_fence_get(fence);
	}
	dma_fence_put(old);
}

/*
 * Take references on the hardware fences of the context's newest job on
 * each ring that has not signalled, into @fences (QUASAR_NUM_QUEUES
 * entries); returns how many. Called after the unmap cleared the entries:
 * a job written to a ring later translates without them.
 */
unsigned int quasar_ctx_busy_fences(struct quasar_ctx *ctx,
				    struct dma_fence **fences)
{
	unsigned int q, n = 0;

	spin_lock(&ctx->fence_lock);
	for (q = 0; q < QUASAR_NUM_QUEUES; q++) {
		struct dma_fence *f = ctx->ring_fence[q];

		if (f && !dma_fence_is_signaled(f))
			fences[n++] = dma_fence_get(f);
	}
	spin_unlock(&ctx->fence_lock);
	return n;
}

/* A reference to one of the context's ring fences that has not signalled, or NULL. */
struct dma_fence *quasar_ctx_ring_fence_get(struct quasar_ctx *ctx)
{
	struct dma_fence *fence = NULL;
	unsigned int q;

	spin_lock(&ctx->fence_lock);
	for (q = 0; q < QUASAR_NUM_QUEUES && !fence; q++)
		if (ctx->ring_fence[q] && !dma_fence_is_signaled(ctx->ring_fence[q]))
			fence = dma_fence_get(ctx->ring_fence[q]);
	spin_unlock(&ctx->fence_lock);
	return fence;
}
