// SPDX-License-Identifier: GPL-2.0
/*
 * Quasar NPU: jobs.
 *
 * SUBMIT turns a command stream into a job on a scheduler entity: that of
 * the queue it names (QUEUE_CREATE, quasar_queue.c) or the file's own for
 * a raw hardware queue index. The scheduler of the hardware queue behind
 * the entity runs it once its in-syncs and the implicit
 * fences of its BOs have signalled; run_job writes its descriptor and rings
 * the doorbell; the interrupt thread signals its hardware fence.
 *
 * The scheduler's own timeout is off: the progress watchdog
 * (quasar_watchdog.c) finds hung hardware queues and recovers, on the
 * ordered reset workqueue, so two resets never overlap.
 */
#include <linux/dma-fence-chain.h>
#include <linux/dma-resv.h>
#include <linux/slab.h>
#include <linux/string.h>

#include <drm/drm_drv.h>
#include <drm/drm_exec.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_managed.h>
#include <drm/drm_print.h>
#include <drm/drm_syncobj.h>

#include "drm/quasar_accel.h"
#include "quasar_drv.h"
#include "quasar_gem.h"
#include "quasar_hwq.h"
#include "quasar_job.h"
#include "quasar_mmu.h"
#include "quasar_objcount.h"
#include "quasar_pm.h"
#include "quasar_queue.h"
#include "quasar_reset.h"
#include "quasar_result.h"
#include "quasar_slot.h"
#include "quasar_trace.h"

/* How long teardown waits for jobs of closed files to be freed. */
#define QUASAR_JOB_DRAIN_MS	30000

/**
 * struct quasar_out_sync - a syncobj that receives a job's fence
 * @syncobj: the syncobj (reference held)
 * @chain: preallocated timeline node when @point is not 0
 * @point: timeline point, 0 for a binary syncobj
 */
struct quasar_out_sync {
	struct drm_syncobj *syncobj;
	struct dma_fence_chain *chain;
	u64 point;
};

/*
 * The job's context needs a hardware slot before its descriptor can name
 * one: pin it, or wait for a job of a context holding one to end.
 */
static struct dma_fence *quasar_job_prepare(struct drm_sched_job *sched_job,
					    struct drm_sched_entity *entity)
{
	struct quasar_job *job = to_quasar_job(sched_job);
	struct dma_fence *wait;

	if (job->pinned || !quasar_slot_pin(job->ctx, &wait)) {
		job->pinned = true;
		return NULL;
	}
	/* NULL: run_job tries once more, and fails the job if it must. */
	return wait;
}

/* How @job ended, for its command BO and for its id (JOB_STATS). */
void quasar_job_set_result(struct quasar_job *job,
			   struct quasar_job_result *res)
{
	res->job_id = job->id;
	quasar_bo_set_result(job->cmd_bo, res);
	quasar_result_set(job->ctx, job->record, res);
}

/* Its completion was processed, or it never reached a ring. */
void quasar_job_unpin(struct quasar_job *job)
{
	if (job->pinned) {
		job->pinned = false;
		quasar_slot_unpin(job->ctx);
	}
}

static struct dma_fence *quasar_job_start(struct quasar_job *job)
{
	struct drm_sched_job *sched_job = &job->base;
	struct quasar_job_result aborted = {
		.status = DRM_QUASAR_STATUS_ABORTED,
	};
	struct dma_fence *wait;
	int idx, ret = -ENODEV;

	/* Resubmitted by a reset, which already requeued or ended it. */
	if (job->seqno)
		return dma_fence_get(&job->hw_fence->base);

	if (unlikely(sched_job->s_fence->finished.error)) {
		quasar_job_unpin(job);
		return NULL;
	}

	/* A job of a banned context that had not reached the device yet. */
	if (READ_ONCE(job->ctx->banned)) {
		ret = -ECANCELED;
		goto err_abort;
	}
	if (!job->pinned) {
		/*
		 * Every slot pinned by contexts with no job on a ring yet:
		 * more hardware queues than slots, which no device has.
		 */
		if (quasar_slot_pin(job->ctx, &wait)) {
			dma_fence_put(wait);
			drm_err_ratelimited(&job->qdev->drm, "no context slot for a job\n");
			ret = -EBUSY;
			goto err_abort;
		}
		job->pinned = true;
	}
	if (drm_dev_enter(&job->qdev->drm, &idx)) {
		ret = quasar_hwq_push(job->hwq, job);
		if (!ret)
			quasar_watchdog_kick(job->qdev);
		drm_dev_exit(idx);
	}
	if (ret)
		goto err_abort;
	/* One reference for the scheduler; the job keeps its own. */
	return dma_fence_get(&job->hw_fence->base);

err_abort:
	quasar_job_unpin(job);
	quasar_job_set_result(job, &aborted);
	return ERR_PTR(ret);
}

/* The fences of the jobs behind this one wait for it: no allocation, no blocking lock. */
static struct dma_fence *quasar_job_run(struct drm_sched_job *sched_job)
{
	bool fence_cookie = dma_fence_begin_signalling();
	struct dma_fence *fence = quasar_job_start(to_quasar_job(sched_job));

	dma_fence_end_signalling(fence_cookie);
	return fence;
}

static void quasar_job_release(struct quasar_job *job)
{
	struct quasar_device *qdev = job->qdev;
	u32 i;

	/* A job the scheduler killed before it ran still holds its pin. */
	quasar_job_unpin(job);
	atomic_dec(&job->ctx->queued_jobs);
	for (i = 0; i < job->bo_count; i++)
		drm_gem_object_put(job->bos[i]);
	kvfree(job->bos);
	quasar_result_put(job->record);
	if (job->hw_fence->base.ops)
		dma_fence_put(&job->hw_fence->base);
	else
		kfree(job->hw_fence);
	quasar_ctx_put(job->ctx);
	kfree(job);
	quasar_objcount_dec(QUASAR_OBJ_JOB);
	/* The job's wake-up reference of quasar_job_alloc(). */
	quasar_pm_put(qdev);

	if (atomic_dec_and_test(&qdev->job_count))
		wake_up_all(&qdev->job_wq);
}

static void quasar_job_free_work(struct work_struct *work)
{
	quasar_job_release(container_of(work, struct quasar_job, free_work));
}

/*
 * free_job runs on the scheduler's workqueue, beside run_job. Dropping the
 * job's references may free a BO (its pages go under its reservation
 * lock, its mapping under the context's lock, which is held over page-table
 * allocation) or a context: none of that belongs there, so the release
 * runs on the free workqueue.
 */
static void quasar_job_free(struct drm_sched_job *sched_job)
{
	struct quasar_job *job = to_quasar_job(sched_job);

	drm_sched_job_cleanup(sched_job);
	INIT_WORK(&job->free_work, quasar_job_free_work);
	queue_work(job->qdev->free_wq, &job->free_work);
}

static const struct drm_sched_backend_ops quasar_sched_ops = {
	.prepare_job = quasar_job_prepare,
	.run_job = quasar_job_run,
	.free_job = quasar_job_free,
};

static void quasar_job_destroy_wq(struct drm_device *drm, void *wq)
{
	destroy_workqueue(wq);
}

static void quasar_job_sched_fini(struct drm_device *drm, void *sched)
{
	drm_sched_fini(sched);
}

/* Jobs of closed files may still be on their way to free_job. */
static void quasar_job_drain(struct drm_device *drm, void *arg)
{
	struct quasar_device *qdev = arg;

	if (!wait_event_timeout(qdev->job_wq, !atomic_read(&qdev->job_count),
				msecs_to_jiffies(QUASAR_JOB_DRAIN_MS)))
		drm_err(drm, "%d jobs still alive at teardown\n",
			atomic_read(&qdev->job_count));
}

int quasar_job_sched_init(struct quasar_device *qdev)
{
	struct drm_device *drm = &qdev->drm;
	struct drm_sched_init_args args = {
		.ops = &quasar_sched_ops,
		.num_rqs = DRM_SCHED_PRIORITY_COUNT,
		.credit_limit = QUASAR_HWQ_ENTRIES - 1,
		/* The progress watchdog (quasar_watchdog.c) replaces it. */
		.timeout = MAX_SCHEDULE_TIMEOUT,
		.dev = drm->dev,
	};
	struct workqueue_struct *submit_wq;
	unsigned int i;
	int ret;

	atomic_set(&qdev->job_count, 0);
	init_waitqueue_head(&qdev->job_wq);

	qdev->reset_wq = alloc_ordered_workqueue("quasar-reset", 0);
	if (!qdev->reset_wq)
		return -ENOMEM;
	ret = drmm_add_action_or_reset(drm, quasar_job_destroy_wq, qdev->reset_wq);
	if (ret)
		return ret;
	qdev->free_wq = alloc_workqueue("quasar-free", WQ_UNBOUND, 0);
	if (!qdev->free_wq)
		return -ENOMEM;
	ret = drmm_add_action_or_reset(drm, quasar_job_destroy_wq, qdev->free_wq);
	if (ret)
		return ret;

	/*
	 * run_job runs on a per-CPU high-priority workqueue, not on the
	 * ordered (unbound) queue drm_sched would make: the work item then
	 * runs on the CPU whose SUBMIT queued it, in a worker that preempts
	 * the submitter, instead of waiting for a worker woken elsewhere
	 * (an idle vCPU under TCG, scheduled by the host: 1.5-4 ms of a 4.7
	 * ms decode token, docs/cost-model.md section 7). drm_sched allows
	 * a submit_wq that is not ordered (panthor's and powervr's are not).
	 */
	submit_wq = alloc_workqueue("quasar-submit", WQ_HIGHPRI | WQ_MEM_RECLAIM, 0);
	if (!submit_wq)
		return -ENOMEM;
	ret = drmm_add_action_or_reset(drm, quasar_job_destroy_wq, submit_wq);
	if (ret)
		return ret;

	args.submit_wq = submit_wq;
	args.timeout_wq = qdev->reset_wq;
	for (i = 0; i < qdev->num_hwqs; i++) {
		struct quasar_hwq *q = &qdev->hwqs[i];

		ret = quasar_hwq_init(qdev, q, i);
		if (ret)
			return ret;
		args.name = q->name;
		ret = drm_sched_init(&q->sched, &args);
		if (ret) {
			drm_err(drm, "cannot create scheduler %s: %d\n",
				q->name, ret);
			return ret;
		}
		ret = drmm_add_action_or_reset(drm, quasar_job_sched_fini,
					       &q->sched);
		if (ret)
			return ret;
	}
	/* Registered last, so it runs before the schedulers go. */
	return drmm_add_action_or_reset(drm, quasar_job_drain, qdev);
}

int quasar_job_open(struct quasar_file *qfile)
{
	struct quasar_device *qdev = qfile->qdev;
	unsigned int i;
	int ret;

	for (i = 0; i < qdev->num_hwqs; i++) {
		struct drm_gpu_scheduler *sched = &qdev->hwqs[i].sched;

		ret = drm_sched_entity_init(&qfile->hwq_entities[i],
					    DRM_SCHED_PRIORITY_NORMAL, &sched,
					    1, NULL);
		if (ret) {
			while (i--)
				drm_sched_entity_destroy(&qfile->hwq_entities[i]);
			return ret;
		}
	}
	return 0;
}

void quasar_job_close(struct quasar_file *qfile)
{
	unsigned int i;

	for (i = 0; i < qfile->qdev->num_hwqs; i++)
		drm_sched_entity_destroy(&qfile->hwq_entities[i]);
}

static int quasar_submit_check(struct quasar_device *qdev,
			       const struct drm_quasar_submit *args)
{
	if (args->flags & ~DRM_QUASAR_SUBMIT_QUEUE_ID)
		return -EINVAL;
	if (!(args->flags & DRM_QUASAR_SUBMIT_QUEUE_ID) &&
	    args->queue >= qdev->num_hwqs)
		return -EINVAL;
	if (!args->cmd_size || !IS_ALIGNED(args->cmd_size, 8) ||
	    args->cmd_size > QUASAR_CMD_STREAM_MAX_SIZE ||
	    !IS_ALIGNED(args->cmd_offset, 8))
		return -EINVAL;
	if (args->bo_count > QUASAR_SUBMIT_MAX_BOS ||
	    args->in_sync_count > QUASAR_SUBMIT_MAX_SYNCS ||
	    args->out_sync_count > QUASAR_SUBMIT_MAX_SYNCS)
		return -EINVAL;
	return 0;
}

/* Copy a sync array in and check its reserved fields; NULL when empty. */
static struct drm_quasar_sync *quasar_syncs_copy(u64 ptr, u32 count)
{
	struct drm_quasar_sync *syncs;
	u32 i;

	if (!count)
		return NULL;
	syncs = memdup_array_user(u64_to_user_ptr(ptr), count, sizeof(*syncs));
	if (IS_ERR(syncs))
		return syncs;
	for (i = 0; i < count; i++) {
		if (syncs[i].flags) {
			kfree(syncs);
			return ERR_PTR(-EINVAL);
		}
	}
	return syncs;
}

static void quasar_out_syncs_put(struct quasar_out_sync *outs, u32 count)
{
	u32 i;

	if (!outs)
		return;
	for (i = 0; i < count; i++) {
		if (outs[i].syncobj)
			drm_syncobj_put(outs[i].syncobj);
		dma_fence_chain_free(outs[i].chain);
	}
	kfree(outs);
}

/* Everything that can fail about the out-syncs happens before arming. */
static struct quasar_out_sync *quasar_out_syncs_get(struct drm_file *file,
						    const struct drm_quasar_sync *syncs,
						    u32 count)
{
	struct quasar_out_sync *outs;
	u32 i;
	int ret;

	if (!count)
		return NULL;
	outs = kcalloc(count, sizeof(*outs), GFP_KERNEL_ACCOUNT);
	if (!outs)
		return ERR_PTR(-ENOMEM);
	for (i = 0; i < count; i++) {
		outs[i].syncobj = drm_syncobj_find(file, syncs[i].handle);
		if (!outs[i].syncobj) {
			ret = -ENOENT;
			goto err;
		}
		outs[i].point = syncs[i].point;
		if (outs[i].point) {
			outs[i].chain = dma_fence_chain_alloc();
			if (!outs[i].chain) {
				ret = -ENOMEM;
				goto err;
			}
		}
	}
	return outs;

err:
	quasar_out_syncs_put(outs, count);
	return ERR_PTR(ret);
}

static void quasar_out_syncs_signal(struct quasar_out_sync *outs, u32 count,
				    struct dma_fence *fence)
{
	u32 i;

	for (i = 0; i < count; i++) {
		if (outs[i].chain) {
			drm_syncobj_add_point(outs[i].syncobj, outs[i].chain,
					      fence, outs[i].point);
			outs[i].chain = NULL;
		} else {
			drm_syncobj_replace_fence(outs[i].syncobj, fence);
		}
	}
}

static int quasar_job_add_in_syncs(struct quasar_job *job,
				   struct drm_file *file,
				   const struct drm_quasar_sync *syncs,
				   u32 count)
{
	struct dma_fence *fence;
	u32 i;
	int ret;

	for (i = 0; i < count; i++) {
		ret = drm_syncobj_find_fence(file, syncs[i].handle,
					     syncs[i].point, 0, &fence);
		if (ret)
			return ret;
		ret = drm_sched_job_add_dependency(&job->base, fence);
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * Counts a job against its file's bound, from submit until free_job: a
 * client that submits without ever waiting gets -EAGAIN instead of filling
 * the kernel's memory with jobs.
 */
static bool quasar_job_charge(struct quasar_ctx *ctx)
{
	if (atomic_inc_return(&ctx->queued_jobs) <= DRM_QUASAR_MAX_QUEUED_JOBS)
		return true;
	atomic_dec(&ctx->queued_jobs);
	return false;
}

/*
 * A job keeps the device powered from here until it is freed: a submit to
 * a suspended device wakes it (boots the firmware) before the job exists.
 * Its memory is charged to the submitter's memory cgroup.
 */
static struct quasar_job *quasar_job_alloc(struct quasar_device *qdev,
					   struct quasar_file *qfile, u32 hwq)
{
	struct quasar_job *job;
	int ret;

	if (!quasar_job_charge(qfile->ctx))
		return ERR_PTR(-EAGAIN);
	ret = quasar_pm_get(qdev);
	if (ret)
		goto err_uncharge;
	job = kzalloc(sizeof(*job), GFP_KERNEL_ACCOUNT);
	if (job)
		job->hw_fence = quasar_hwq_fence_alloc();
	if (!job || !job->hw_fence) {
		kfree(job);
		quasar_pm_put(qdev);
		ret = -ENOMEM;
		goto err_uncharge;
	}
	quasar_objcount_inc(QUASAR_OBJ_JOB);
	job->qdev = qdev;
	job->hwq = &qdev->hwqs[hwq];
	job->ctx = quasar_ctx_get(qfile->ctx);
	atomic_inc(&qdev->job_count);
	return job;

err_uncharge:
	atomic_dec(&qfile->ctx->queued_jobs);
	return ERR_PTR(ret);
}

/* The command BO first, then the listed ones; references go to the job. */
static int quasar_job_lookup_bos(struct quasar_job *job, struct drm_file *file,
				 const struct drm_quasar_submit *args)
{
	struct drm_gem_object *obj;
	u32 *handles;
	u32 i;
	int ret = 0;

	job->bos = kvcalloc(args->bo_count + 1, sizeof(*job->bos),
			    GFP_KERNEL_ACCOUNT);
	if (!job->bos)
		return -ENOMEM;
	obj = drm_gem_object_lookup(file, args->cmd_handle);
	if (!obj)
		return -ENOENT;
	job->bos[job->bo_count++] = obj;

	if ((u64)args->cmd_offset + args->cmd_size > obj->size)
		return -EINVAL;
	job->cmd_bo = to_quasar_bo(obj);
	job->cmd_addr = quasar_bo_device_addr(job->cmd_bo) + args->cmd_offset;
	job->cmd_size = args->cmd_size;

	if (!args->bo_count)
		return 0;
	handles = memdup_array_user(u64_to_user_ptr(args->bo_handles),
				    args->bo_count, sizeof(*handles));
	if (IS_ERR(handles))
		return PTR_ERR(handles);
	for (i = 0; i < args->bo_count; i++) {
		obj = drm_gem_object_lookup(file, handles[i]);
		if (!obj) {
			ret = -ENOENT;
			break;
		}
		job->bos[job->bo_count++] = obj;
	}
	kfree(handles);
	return ret;
}

/*
 * Lock the BOs, wait for their earlier users, and hand the job to the
 * scheduler. Nothing after drm_sched_job_arm() may fail.
 */
static int quasar_job_push(struct quasar_job *job, struct quasar_out_sync *outs,
			   u32 out_count)
{
	struct quasar_hwq *hwq = job->hwq;
	struct dma_fence *fence;
	struct drm_exec exec;
	u32 i;
	int ret = 0;

	drm_exec_init(&exec, DRM_EXEC_INTERRUPTIBLE_WAIT |
		      DRM_EXEC_IGNORE_DUPLICATES, job->bo_count);
	drm_exec_until_all_locked(&exec) {
		ret = drm_exec_prepare_array(&exec, job->bos, job->bo_count, 1);
		drm_exec_retry_on_contention(&exec);
		if (ret)
			goto out_unlock;
	}

	/* The kernel cannot tell inputs from outputs: every BO is written. */
	for (i = 0; i < job->bo_count; i++) {
		ret = drm_sched_job_add_implicit_dependencies(&job->base,
							      job->bos[i], true);
		if (ret)
			goto out_unlock;
	}

	scoped_guard(mutex, &hwq->submit_lock) {
		drm_sched_job_arm(&job->base);
		fence = &job->base.s_fence->finished;
		for (i = 0; i < job->bo_count; i++)
			dma_resv_add_fence(job->bos[i]->resv, fence,
					   DMA_RESV_USAGE_WRITE);
		quasar_out_syncs_signal(outs, out_count, fence);
		trace_quasar_job_submit(hwq->index, job->ctx->slot, job->base.id,
					job->cmd_addr, job->cmd_size,
					job->bo_count);
		/* From here the scheduler owns the job and may free it. */
		drm_sched_entity_push_job(&job->base);
	}

out_unlock:
	drm_exec_fini(&exec);
	return ret;
}

int quasar_ioctl_submit(struct drm_device *drm, void *data,
			struct drm_file *file)
{
	struct quasar_device *qdev = to_quasar_device(drm);
	struct quasar_file *qfile = to_quasar_file(file);
	struct drm_quasar_submit *args = data;
	struct drm_quasar_sync *in_syncs, *out_syncs = NULL;
	struct quasar_out_sync *outs = NULL;
	struct drm_sched_entity *entity;
	struct quasar_queue *queue = NULL;
	struct quasar_job *job;
	u32 hwq = args->queue;
	int ret;

	ret = quasar_submit_check(qdev, args);
	if (!ret && !(args->flags & DRM_QUASAR_SUBMIT_QUEUE_ID))
		ret = quasar_queue_priority_permitted(file,
						      quasar_hwq_priority(args->queue));
	if (ret)
		return ret;
	if (READ_ONCE(qdev->wedged))
		return -EIO;
	if (READ_ONCE(qfile->ctx->banned))
		return -EBADFD;
	if (args->flags & DRM_QUASAR_SUBMIT_QUEUE_ID) {
		/* Held until the job is pushed: QUEUE_DESTROY waits. */
		queue = quasar_queue_get(qfile, args->queue);
		if (!queue)
			return -ENOENT;
		hwq = queue->hwq->index;
		entity = &queue->entity;
	} else {
		entity = &qfile->hwq_entities[hwq];
	}

	in_syncs = quasar_syncs_copy(args->in_syncs, args->in_sync_count);
	if (IS_ERR(in_syncs)) {
		ret = PTR_ERR(in_syncs);
		in_syncs = NULL;
		goto out_free_syncs;
	}
	out_syncs = quasar_syncs_copy(args->out_syncs, args->out_sync_count);
	if (IS_ERR(out_syncs)) {
		ret = PTR_ERR(out_syncs);
		out_syncs = NULL;
		goto out_free_syncs;
	}

	job = quasar_job_alloc(qdev, qfile, hwq);
	if (IS_ERR(job)) {
		ret = PTR_ERR(job);
		goto out_free_syncs;
	}
	ret = quasar_job_lookup_bos(job, file, args);
	if (ret)
		goto out_release_job;
	job->record = quasar_result_new(qfile->ctx, &job->id);
	if (IS_ERR(job->record)) {
		ret = PTR_ERR(job->record);
		job->record = NULL;
		goto out_release_job;
	}
	outs = quasar_out_syncs_get(file, out_syncs, args->out_sync_count);
	if (IS_ERR(outs)) {
		ret = PTR_ERR(outs);
		outs = NULL;
		goto out_release_job;
	}

	ret = drm_sched_job_init(&job->base, entity, 1, qfile, file->client_id);
	if (ret)
		goto out_release_job;
	ret = quasar_job_add_in_syncs(job, file, in_syncs, args->in_sync_count);
	if (ret)
		goto out_cleanup_job;
	/* Before the push: from there the scheduler may free the job. */
	args->job_id = job->id;
	ret = quasar_job_push(job, outs, args->out_sync_count);
	if (ret)
		goto out_cleanup_job;
	goto out_put_outs;

out_cleanup_job:
	drm_sched_job_cleanup(&job->base);
out_release_job:
	/* The id was never returned: forget it. */
	if (job->record)
		quasar_result_drop(job->ctx, job->id);
	quasar_job_release(job);
out_put_outs:
	quasar_out_syncs_put(outs, args->out_sync_count);
out_free_syncs:
	kfree(in_syncs);
	kfree(out_syncs);
	if (queue)
		quasar_queue_put(qfile);
	return ret;
}
