// SPDX-License-Identifier: GPL-2.0
/*
 * Quasar NPU: MMU context slots.
 *
 * The device has 64 slots; a file's context needs one only while a job of
 * it is on a ring, where its descriptor names the slot. A job pins its
 * context from the scheduler's prepare_job until its completion is
 * processed; the first pin binds a slot: a free one, else one whose
 * context has no job pinned (its page-table root is simply replaced; the
 * device caches no translation across jobs, hw-spec 4). When every slot is
 * pinned the job waits for the hardware fence of a pinned context's newest
 * job on some ring, and tries again once it has signalled. So open() never
 * fails for slots and any number of files share the device.
 *
 * Everything here runs in the fence signalling path (prepare_job, the
 * interrupt thread, recovery): no allocation, no sleeping lock.
 */
#include <linux/dma-fence.h>
#include <linux/pm_runtime.h>
#include <linux/spinlock.h>

#include <drm/drm_drv.h>

#include "quasar_drv.h"
#include "quasar_hw.h"
#include "quasar_mmu.h"
#include "quasar_pm.h"
#include "quasar_slot.h"

void quasar_slot_init(struct quasar_device *qdev)
{
	spin_lock_init(&qdev->slot_lock);
	memset(qdev->slot_owner, 0, sizeof(qdev->slot_owner));
	qdev->slot_hand = 0;
}

static void quasar_slot_program(struct quasar_device *qdev, u32 slot,
				struct quasar_ctx *ctx)
{
	int idx;

	lockdep_assert_held(&qdev->slot_lock);
	if (!drm_dev_enter(&qdev->drm, &idx))
		return;
	quasar_write(qdev, QUASAR_REG_CTX(slot, QUASAR_CTX_CTRL), 0);
	quasar_write64(qdev, QUASAR_REG_CTX(slot, QUASAR_CTX_ROOT_LO),
		       ctx ? ctx->root->dma : 0);
	if (ctx)
		quasar_write(qdev, QUASAR_REG_CTX(slot, QUASAR_CTX_CTRL),
			     QUASAR_CTX_CTRL_VALID);
	drm_dev_exit(idx);
}

/*
 * A slot for @ctx: a free one, else the next idle one after the last slot
 * taken (round robin, so that one idle context is not stolen from over
 * and over). QUASAR_SLOT_NONE when every slot is pinned.
 */
static u32 quasar_slot_find(struct quasar_device *qdev)
{
	u32 i, slot;

	lockdep_assert_held(&qdev->slot_lock);
	for (slot = 0; slot < qdev->num_ctx; slot++)
		if (!qdev->slot_owner[slot])
			return slot;
	for (i = 1; i <= qdev->num_ctx; i++) {
		struct quasar_ctx *owner;

		slot = (qdev->slot_hand + i) % qdev->num_ctx;
		owner = qdev->slot_owner[slot];
		if (!owner->pins) {
			owner->slot = QUASAR_SLOT_NONE;
			qdev->slot_owner[slot] = NULL;
			return slot;
		}
	}
	return QUASAR_SLOT_NONE;
}

/* With every slot pinned: an unsignalled ring fence of a pinned context. */
static struct dma_fence *quasar_slot_wait_fence(struct quasar_device *qdev)
{
	struct dma_fence *fence = NULL;
	u32 slot;

	lockdep_assert_held(&qdev->slot_lock);
	for (slot = 0; slot < qdev->num_ctx && !fence; slot++)
		fence = quasar_ctx_ring_fence_get(qdev->slot_owner[slot]);
	return fence;
}

/*
 * Pins @ctx to a hardware slot, binding one if it has none. Returns 0, or
 * -EBUSY when every slot is pinned by other contexts; then *@wait is a
 * fence (reference to the caller) to wait for before trying again, or NULL
 * when no pinned context has a job on a ring yet (they are between
 * prepare_job and run_job, on other hardware queues).
 */
int quasar_slot_pin(struct quasar_ctx *ctx, struct dma_fence **wait)
{
	struct quasar_device *qdev = ctx->qdev;
	u32 slot;

	*wait = NULL;
	spin_lock(&qdev->slot_lock);
	if (ctx->slot == QUASAR_SLOT_NONE) {
		slot = quasar_slot_find(qdev);
		if (slot == QUASAR_SLOT_NONE) {
			*wait = quasar_slot_wait_fence(qdev);
			spin_unlock(&qdev->slot_lock);
			return -EBUSY;
		}
		qdev->slot_owner[slot] = ctx;
		qdev->slot_hand = slot;
		ctx->slot = slot;
		quasar_slot_program(qdev, slot, ctx);
	}
	ctx->pins++;
	spin_unlock(&qdev->slot_lock);
	return 0;
}

void quasar_slot_unpin(struct quasar_ctx *ctx)
{
	spin_lock(&ctx->qdev->slot_lock);
	if (!WARN_ON_ONCE(!ctx->pins))
		ctx->pins--;
	spin_unlock(&ctx->qdev->slot_lock);
}

/*
 * The context dies: its slot goes back, invalid. Only a running device is
 * written to, with a runtime PM reference taken without resuming it: a
 * suspended one lost every slot in D3 and its resume restores only the
 * bound ones, so the software state is all there is to undo, and a
 * register write would reach a powered-down device (hw-spec 10.1). A slot
 * left valid by a release during a transition has no owner: no descriptor
 * names it until it is bound, and binding programs it.
 */
void quasar_slot_release(struct quasar_ctx *ctx)
{
	struct quasar_device *qdev = ctx->qdev;
	bool awake = pm_runtime_get_if_active(qdev->drm.dev) > 0;

	spin_lock(&qdev->slot_lock);
	WARN_ON_ONCE(ctx->pins);
	if (ctx->slot != QUASAR_SLOT_NONE) {
		if (awake)
			quasar_slot_program(qdev, ctx->slot, NULL);
		qdev->slot_owner[ctx->slot] = NULL;
		ctx->slot = QUASAR_SLOT_NONE;
	}
	spin_unlock(&qdev->slot_lock);
	if (awake)
		quasar_pm_put(qdev);
}

/* A soft reset or D3 invalidates every slot; give the bound contexts theirs back. */
void quasar_slot_restore(struct quasar_device *qdev)
{
	u32 slot;

	spin_lock(&qdev->slot_lock);
	for (slot = 0; slot < qdev->num_ctx; slot++)
		if (qdev->slot_owner[slot])
			quasar_slot_program(qdev, slot, qdev->slot_owner[slot]);
	spin_unlock(&qdev->slot_lock);
}

/* Slots bound to a context now (debugfs). */
unsigned int quasar_slot_bound(struct quasar_device *qdev)
{
	unsigned int n = 0;
	u32 slot;

	spin_lock(&qdev->slot_lock);
	for (slot = 0; slot < qdev->num_ctx; slot++)
		n += !!qdev->slot_owner[slot];
	spin_unlock(&qdev->slot_lock);
	return n;
}
