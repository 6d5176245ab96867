// SPDX-License-Identifier: GPL-2.0
/*
 * Quasar NPU: queues, the uapi's DRM_IOCTL_QUASAR_QUEUE_CREATE and
 * QUEUE_DESTROY.
 *
 * Each hardware queue has a fixed priority (quasar_hwq.c), and the
 * device's engine scheduler arbitrates between hardware queues (hw-spec
 * 12.1). A queue is a scheduler entity bound, for its whole life, to the
 * hardware queue of its priority that has the fewest queues bound to it:
 * binding once keeps the queue's jobs in order on one ring without
 * cross-ring fences, and spreading by count keeps queues of one level
 * apart, so that the device shares its engines between them.
 *
 * SUBMIT looks a queue up and keeps the file's queue lock for reading
 * until the job is pushed, so QUEUE_DESTROY (which takes it for writing)
 * never tears down an entity under a submit.
 */
#include <linux/capability.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/xarray.h>

#include <drm/drm_auth.h>
#include <drm/drm_file.h>

#include "drm/quasar_accel.h"
#include "quasar_drv.h"
#include "quasar_hwq.h"
#include "quasar_objcount.h"
#include "quasar_queue.h"

void quasar_queue_open(struct quasar_file *qfile)
{
	init_rwsem(&qfile->queue_lock);
	xa_init_flags(&qfile->queues, XA_FLAGS_ALLOC1);
}

static void quasar_queue_free(struct quasar_queue *queue)
{
	/* Jobs already pushed still run; destroy waits for them to be sent. */
	drm_sched_entity_destroy(&queue->entity);
	atomic_dec(&queue->hwq->bound_queues);
	kfree(queue);
	quasar_objcount_dec(QUASAR_OBJ_QUEUE);
}

void quasar_queue_close(struct quasar_file *qfile)
{
	struct quasar_queue *queue;
	unsigned long id;

	xa_for_each(&qfile->queues, id, queue)
		quasar_queue_free(queue);
	xa_destroy(&qfile->queues);
}

/* On success the caller holds the queue lock until quasar_queue_put(). */
struct quasar_queue *quasar_queue_get(struct quasar_file *qfile, u32 id)
{
	struct quasar_queue *queue;

	down_read(&qfile->queue_lock);
	queue = xa_load(&qfile->queues, id);
	if (!queue)
		up_read(&qfile->queue_lock);
	return queue;
}

void quasar_queue_put(struct quasar_file *qfile)
{
	up_read(&qfile->queue_lock);
}

/* Pick and count as one step, so that concurrent creates spread out. */
static DEFINE_MUTEX(quasar_queue_bind_lock);

static struct quasar_hwq *quasar_queue_bind(struct quasar_device *qdev,
					    u32 priority)
{
	struct quasar_hwq *best = NULL;
	u32 i;

	guard(mutex)(&quasar_queue_bind_lock);

	for (i = 0; i < qdev->num_hwqs; i++) {
		struct quasar_hwq *hwq = &qdev->hwqs[i];

		if (quasar_hwq_priority(i) != priority)
			continue;
		if (!best || atomic_read(&hwq->bound_queues) <
			     atomic_read(&best->bound_queues))
			best = hwq;
	}
	if (best)
		atomic_inc(&best->bound_queues);
	return best;
}

/*
 * Engines do not preempt, so a stream of HIGH jobs starves every other
 * client: HIGH takes CAP_SYS_NICE or the DRM master, as other DRM drivers
 * ask for a raised priority.
 */
int quasar_queue_priority_permitted(struct drm_file *file, u32 priority)
{
	if (priority < DRM_QUASAR_PRIORITY_HIGH)
		return 0;
	if (capable(CAP_SYS_NICE) || drm_is_current_master(file))
		return 0;
	return -EACCES;
}

int quasar_ioctl_queue_create(struct drm_device *drm, void *data,
			      struct drm_file *file)
{
	struct quasar_device *qdev = to_quasar_device(drm);
	struct quasar_file *qfile = to_quasar_file(file);
	struct drm_quasar_queue_create *args = data;
	struct drm_gpu_scheduler *sched;
	struct quasar_queue *queue;
	u32 id;
	int ret;

	if (args->flags || args->priority > DRM_QUASAR_PRIORITY_HIGH)
		return -EINVAL;
	ret = quasar_queue_priority_permitted(file, args->priority);
	if (ret)
		return ret;
	queue = kzalloc(sizeof(*queue), GFP_KERNEL_ACCOUNT);
	if (!queue)
		return -ENOMEM;
	queue->priority = args->priority;
	queue->hwq = quasar_queue_bind(qdev, args->priority);
	if (!queue->hwq) {
		kfree(queue);
		return -EINVAL;
	}
	sched = &queue->hwq->sched;
	ret = drm_sched_entity_init(&queue->entity, DRM_SCHED_PRIORITY_NORMAL,
				    &sched, 1, NULL);
	if (ret) {
		atomic_dec(&queue->hwq->bound_queues);
		kfree(queue);
		return ret;
	}
	quasar_objcount_inc(QUASAR_OBJ_QUEUE);

	scoped_guard(rwsem_write, &qfile->queue_lock)
		ret = xa_alloc(&qfile->queues, &id, queue,
			       XA_LIMIT(1, QUASAR_QUEUES_PER_FILE),
			       GFP_KERNEL_ACCOUNT);
	if (ret) {
		quasar_queue_free(queue);
		return ret == -EBUSY ? -ENOSPC : ret;
	}
	args->queue_id = id;
	args->hw_queue = queue->hwq->index;
	return 0;
}

int quasar_ioctl_queue_destroy(struct drm_device *drm, void *data,
			       struct drm_file *file)
{
	struct quasar_file *qfile = to_quasar_file(file);
	struct drm_quasar_queue_destroy *args = data;
	struct quasar_queue *queue;

	if (args->pad)
		return -EINVAL;
	scoped_guard(rwsem_write, &qfile->queue_lock)
		queue = xa_erase(&qfile->queues, args->queue_id);
	if (!queue)
		return -ENOENT;
	quasar_queue_free(queue);
	return 0;
}
