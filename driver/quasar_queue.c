// SPDX-License-Identifier: GPL-2.0
/*
 * Quasar NPU: queues of QUEUE_CREATE.
 *
 * Each hardware queue has a fixed priority, programmed into its
 * Q.PRIORITY register, and the device's engine scheduler arbitrates
 * between hardware queues (hw-spec 12.1). A queue of QUEUE_CREATE is a
 * scheduler entity bound, for its whole life, to the hardware queue of
 * its priority that has the fewest queues bound to it: binding once keeps
 * the queue's jobs in order on one ring without cross-ring fences, and
 * spreading by count keeps queues of one level apart, so that the device
 * shares its engines between them.
 *
 * SUBMIT looks a queue up and keeps the file's queue lock for reading
 * until the job is pushed, so QUEUE_DESTROY (which takes it for writing)
 * never tears down an entity under a submit.
 */
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/xarray.h>

#include <drm/drm_file.h>

#include "drm/quasar_accel.h"
#include "quasar_drv.h"
#include "quasar_hwq.h"
#include "quasar_live.h"
#include "quasar_queue.h"

void quasar_uqueue_open(struct quasar_file *qfile)
{
	init_rwsem(&qfile->uqueue_lock);
	xa_init_flags(&qfile->uqueues, XA_FLAGS_ALLOC1);
}

static void quasar_uqueue_free(struct quasar_uqueue *uq)
{
	/* Jobs already pushed still run; destroy waits for them to be sent. */
	drm_sched_entity_destroy(&uq->entity);
	atomic_dec(&uq->hwq->uqueues);
	kfree(uq);
	quasar_live_dec(QUASAR_LIVE_UQUEUE);
}

void quasar_uqueue_close(struct quasar_file *qfile)
{
	struct quasar_uqueue *uq;
	unsigned long id;

	xa_for_each(&qfile->uqueues, id, uq)
		quasar_uqueue_free(uq);
	xa_destroy(&qfile->uqueues);
}

/* On success the caller holds the queue lock until quasar_uqueue_put(). */
struct quasar_uqueue *quasar_uqueue_get(struct quasar_file *qfile, u32 id)
{
	struct quasar_uqueue *uq;

	down_read(&qfile->uqueue_lock);
	uq = xa_load(&qfile->uqueues, id);
	if (!uq)
		up_read(&qfile->uqueue_lock);
	return uq;
}

void quasar_uqueue_put(struct quasar_file *qfile)
{
	up_read(&qfile->uqueue_lock);
}

/* Pick and count as one step, so that concurrent creates spread out. */
static DEFINE_MUTEX(quasar_uqueue_bind_lock);

static struct quasar_hwq *quasar_uqueue_bind(struct quasar_device *qdev,
					     u32 priority)
{
	struct quasar_hwq *best = NULL;
	u32 i;

	guard(mutex)(&quasar_uqueue_bind_lock);

	for (i = 0; i < qdev->num_hwqs; i++) {
		struct quasar_hwq *q = &qdev->hwqs[i];

		if (quasar_hwq_priority(i) != priority)
			continue;
		if (!best || atomic_read(&q->uqueues) < atomic_read(&best->uqueues))
			best = q;
	}
	if (best)
		atomic_inc(&best->uqueues);
	return best;
}

int quasar_ioctl_queue_create(struct drm_device *drm, void *data,
			      struct drm_file *file)
{
	struct quasar_device *qdev = to_quasar_device(drm);
	struct quasar_file *qfile = to_quasar_file(file);
	struct drm_quasar_queue_create *args = data;
	struct drm_gpu_scheduler *sched;
	struct quasar_uqueue *uq;
	u32 id;
	int ret;

	if (args->flags || args->priority > DRM_QUASAR_PRIORITY_HIGH)
		return -EINVAL;
	uq = kzalloc(sizeof(*uq), GFP_KERNEL);
	if (!uq)
		return -ENOMEM;
	uq->priority = args->priority;
	uq->hwq = quasar_uqueue_bind(qdev, args->priority);
	if (!uq->hwq) {
		kfree(uq);
		return -EINVAL;
	}
	sched = &uq->hwq->sched;
	ret = drm_sched_entity_init(&uq->entity, DRM_SCHED_PRIORITY_NORMAL,
				    &sched, 1, NULL);
	if (ret) {
		atomic_dec(&uq->hwq->uqueues);
		kfree(uq);
		return ret;
	}
	quasar_live_inc(QUASAR_LIVE_UQUEUE);

	scoped_guard(rwsem_write, &qfile->uqueue_lock)
		ret = xa_alloc(&qfile->uqueues, &id, uq,
			       XA_LIMIT(1, QUASAR_UQUEUES_PER_FILE), GFP_KERNEL);
	if (ret) {
		quasar_uqueue_free(uq);
		return ret == -EBUSY ? -ENOSPC : ret;
	}
	args->queue_id = id;
	args->hw_queue = uq->hwq->index;
	return 0;
}

int quasar_ioctl_queue_destroy(struct drm_device *drm, void *data,
			       struct drm_file *file)
{
	struct quasar_file *qfile = to_quasar_file(file);
	struct drm_quasar_queue_destroy *args = data;
	struct quasar_uqueue *uq;

	if (args->pad)
		return -EINVAL;
	scoped_guard(rwsem_write, &qfile->uqueue_lock)
		uq = xa_erase(&qfile->uqueues, args->queue_id);
	if (!uq)
		return -ENOENT;
	quasar_uqueue_free(uq);
	return 0;
}
