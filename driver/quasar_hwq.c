// SPDX-License-Identifier: GPL-2.0
/*
 * Quasar NPU: hardware queues.
 *
 * The device runs a ring's jobs in ring order and writes completion i for
 * the descriptor in entry i, so fences signal in seqno order and a record
 * is matched to its job by position, then checked by seqno. The scheduler's
 * credit limit (entries - 1) guarantees every run_job a free entry, so TAIL
 * never runs more than SIZE ahead of HEAD, which would stop the ring.
 *
 * Descriptors are rebuilt from the job, not copied from the ring, so that
 * recovery can hand unfinished jobs to a freshly enabled ring in any slot.
 *
 * Every function here that signals fences under q->lock opens a fence
 * signalling section before it takes the lock, whoever calls it: the
 * interrupt thread takes q->lock inside a section, so a caller outside one
 * (the watchdog taking a lost interrupt's completions, a reset from outside
 * the driver, unplug) would otherwise teach lockdep the reverse order,
 * q->lock before dma_fence_map, a circular dependency. Sections nest.
 */
#include <linux/dma-fence.h>
#include <linux/dma-mapping.h>
#include <linux/log2.h>
#include <linux/slab.h>

#include <drm/drm_managed.h>
#include <drm/drm_print.h>

#include "drm/quasar_accel.h"
#include "quasar_drv.h"
#include "quasar_gem.h"
#include "quasar_hw.h"
#include "quasar_hwq.h"
#include "quasar_job.h"
#include "quasar_mmu.h"
#include "quasar_trace.h"
#include "quasar_watchdog.h"

/* The shared ring structs are in host byte order; the device is little-endian. */
#if defined(__BIG_ENDIAN)
#error "quasar: big-endian hosts need little-endian views of the ring structs"
#endif

static_assert(sizeof(struct quasar_hw_desc) == 64);
static_assert(sizeof(struct quasar_hw_cpl) == 32);

/*
 * Each hardware queue has a fixed priority, programmed into its Q.PRIORITY
 * at every enable; the device's engine scheduler arbitrates between them
 * (hw-spec 12.1). Two NORMAL (the default for raw hardware queue indices 0
 * and 1, which most clients use), one HIGH and one LOW.
 */
static const u32 quasar_hwq_priorities[QUASAR_NUM_QUEUES] = {
	DRM_QUASAR_PRIORITY_NORMAL, DRM_QUASAR_PRIORITY_NORMAL,
	DRM_QUASAR_PRIORITY_HIGH, DRM_QUASAR_PRIORITY_LOW,
};

/* &enum drm_quasar_priority of hardware queue @index. */
u32 quasar_hwq_priority(u32 index)
{
	return quasar_hwq_priorities[index];
}

static const char *quasar_hwq_fence_get_driver_name(struct dma_fence *fence)
{
	return QUASAR_DRIVER_NAME;
}

/* Static names: a fence may outlive the device that signalled it. */
static const char *quasar_hwq_fence_get_timeline_name(struct dma_fence *fence)
{
	static const char * const names[] = {
		"quasar-q0", "quasar-q1", "quasar-q2", "quasar-q3",
	};
	u32 q = container_of(fence, struct quasar_hwq_fence, base)->hwq;

	BUILD_BUG_ON(ARRAY_SIZE(names) != QUASAR_NUM_QUEUES);
	return q < ARRAY_SIZE(names) ? names[q] : "quasar-q";
}

static const struct dma_fence_ops quasar_hwq_fence_ops = {
	.get_driver_name = quasar_hwq_fence_get_driver_name,
	.get_timeline_name = quasar_hwq_fence_get_timeline_name,
};

/*
 * Allocated at submit, charged to the submitter: run_job is in the fence
 * signalling path and must not allocate.
 */
struct quasar_hwq_fence *quasar_hwq_fence_alloc(void)
{
	return kzalloc(sizeof(struct quasar_hwq_fence), GFP_KERNEL_ACCOUNT);
}

int quasar_hwq_init(struct quasar_device *qdev, struct quasar_hwq *q,
		    u32 index)
{
	struct device *dev = qdev->drm.dev;
	int ret;

	BUILD_BUG_ON(!is_power_of_2(QUASAR_HWQ_ENTRIES));
	BUILD_BUG_ON(clamp(QUASAR_HWQ_ENTRIES, QUASAR_RING_MIN_ENTRIES,
			   QUASAR_RING_MAX_ENTRIES) != QUASAR_HWQ_ENTRIES);

	q->qdev = qdev;
	q->index = index;
	q->size = QUASAR_HWQ_ENTRIES;
	q->stopped = true;
	snprintf(q->name, sizeof(q->name), "quasar-q%u", index);
	spin_lock_init(&q->fence_lock);
	q->fence_context = dma_fence_context_alloc(1);

	ret = drmm_mutex_init(&qdev->drm, &q->submit_lock);
	if (ret)
		return ret;
	ret = drmm_mutex_init(&qdev->drm, &q->lock);
	if (ret)
		return ret;

	/* Coherent memory is page aligned, beyond the 64/32 bytes required. */
	q->ring = dmam_alloc_coherent(dev, q->size * sizeof(*q->ring),
				      &q->ring_dma, GFP_KERNEL);
	q->cpl = dmam_alloc_coherent(dev, q->size * sizeof(*q->cpl),
				     &q->cpl_dma, GFP_KERNEL);
	q->stats = dmam_alloc_coherent(dev, q->size * sizeof(*q->stats),
				       &q->stats_dma, GFP_KERNEL);
	q->slots = drmm_kcalloc(&qdev->drm, q->size, sizeof(*q->slots),
				GFP_KERNEL);
	q->replay = drmm_kcalloc(&qdev->drm, q->size, sizeof(*q->replay),
				 GFP_KERNEL);
	/* Held and on the ring together: at most the scheduler's credits. */
	q->held = drmm_kcalloc(&qdev->drm, q->size, sizeof(*q->held),
			       GFP_KERNEL);
	if (!q->ring || !q->cpl || !q->stats || !q->slots || !q->replay ||
	    !q->held)
		return -ENOMEM;
	return 0;
}

/* Enabling after disabling sets the device's HEAD and TAIL to 0. */
static void quasar_hwq_enable(struct quasar_hwq *q)
{
	struct quasar_device *qdev = q->qdev;
	u32 i = q->index;

	lockdep_assert_held(&q->lock);
	quasar_write(qdev, QUASAR_REG_QUEUE(i, QUASAR_Q_CTRL), 0);
	quasar_write64(qdev, QUASAR_REG_QUEUE(i, QUASAR_Q_RING_LO), q->ring_dma);
	quasar_write64(qdev, QUASAR_REG_QUEUE(i, QUASAR_Q_CPL_LO), q->cpl_dma);
	quasar_write(qdev, QUASAR_REG_QUEUE(i, QUASAR_Q_SIZE), q->size);
	quasar_write(qdev, QUASAR_REG_QUEUE(i, QUASAR_Q_PRIORITY),
		     quasar_hwq_priority(i));
	quasar_write(qdev, QUASAR_REG_QUEUE(i, QUASAR_Q_CTRL),
		     QUASAR_Q_CTRL_ENABLE);
	q->stopped = false;
}

void quasar_hwq_start(struct quasar_hwq *q)
{
	guard(mutex)(&q->lock);
	q->head = 0;
	q->tail = 0;
	q->hung = false;
	q->bad_record = false;
	quasar_hwq_enable(q);
}

static void quasar_hwq_write_desc(struct quasar_hwq *q,
				  struct quasar_job *job)
{
	u32 idx = q->tail & (q->size - 1);
	struct quasar_hw_desc *desc = &q->ring[idx];

	desc->cmd_addr = job->cmd_addr;
	desc->cmd_size = job->cmd_size;
	desc->ctx_slot = job->ctx->slot;
	desc->flags = 0;
	desc->seqno = job->seqno;
	desc->stats_addr = q->stats_dma + idx * sizeof(*q->stats);
	memset(desc->reserved, 0, sizeof(desc->reserved));
	q->slots[idx] = job;
	q->tail++;
}

static void quasar_hwq_doorbell(struct quasar_hwq *q)
{
	/* writel() orders the descriptor stores before the doorbell. */
	quasar_write(q->qdev, QUASAR_REG_QUEUE(q->index, QUASAR_Q_TAIL), q->tail);
}

/* Called from run_job, inside drm_dev_enter(). */
int quasar_hwq_push(struct quasar_hwq *q, struct quasar_job *job)
{
	guard(mutex)(&q->lock);
	if (q->stopped)
		return -EIO;
	if (drm_WARN_ON(&q->qdev->drm, q->tail - q->head >= q->size))
		return -ENOSPC;

	job->seqno = ++q->seqno;
	job->hw_fence->hwq = q->index;
	dma_fence_init(&job->hw_fence->base, &quasar_hwq_fence_ops, &q->fence_lock,
		       q->fence_context, job->seqno);
	quasar_ctx_set_ring_fence(job->ctx, q->index, &job->hw_fence->base);
	quasar_hwq_write_desc(q, job);
	job->run_ns = ktime_get_ns();
	trace_quasar_job_run(q->index, job->ctx->slot, job->base.id, job->seqno);
	quasar_hwq_doorbell(q);
	return 0;
}

/* Device time of @job, which just ended: the engine busy time of fdinfo. */
static u64 quasar_hwq_account(struct quasar_hwq *q, struct quasar_job *job)
{
	u64 now = ktime_get_ns();
	u64 start = max(job->run_ns, q->last_end_ns);
	u64 busy = now > start ? now - start : 0;

	q->last_end_ns = now;
	atomic64_add(busy, &job->ctx->busy_ns[q->index]);
	return busy;
}

/* The cost model's figures of @job, for the file's fdinfo. */
static void quasar_hwq_account_cost(struct quasar_hwq *q,
				    struct quasar_job *job,
				      const struct quasar_hw_stats *st)
{
	struct quasar_ctx *ctx = job->ctx;

	atomic64_add(st->cycles, &ctx->cycles[q->index]);
	atomic64_add(st->macs_exec, &ctx->macs);
	atomic64_add(st->rd_weights + st->rd_wmeta + st->rd_act, &ctx->rd_bytes);
	atomic64_add(st->wr_bytes, &ctx->wr_bytes);
	atomic64_add(st->energy_fj, &ctx->energy_fj);
}

static void quasar_hwq_complete(struct quasar_hwq *q,
				struct quasar_job *job,
				  struct quasar_job_result *res, int err)
{
	struct dma_fence *fence = &job->hw_fence->base;
	u64 busy = quasar_hwq_account(q, job);

	res->hwq = q->index;
	res->seqno = job->seqno;
	res->device_ns = busy;
	quasar_hwq_account_cost(q, job, &res->stats);
	quasar_job_set_result(job, res);
	trace_quasar_job_complete(q->index, job->ctx->slot, job->seqno,
				  res->status, res->cmd_index, err, busy);
	if (res->status == DRM_QUASAR_STATUS_MMU_FAULT ||
	    res->status == DRM_QUASAR_STATUS_MMU_PERM) {
		trace_quasar_job_fault(q->index, job->ctx->slot, job->seqno,
				       res->status, res->fault_addr);
		/* Its address space is not what its owner thinks: stop it. */
		WRITE_ONCE(job->ctx->banned, true);
		dev_info_ratelimited(q->qdev->drm.dev,
				     "hw queue %u job %llu: MMU %s at device address 0x%llx (context %u, command %u)\n",
				     q->index, job->seqno,
				     res->status == DRM_QUASAR_STATUS_MMU_PERM ?
				     "write to read-only page" : "fault",
				     res->fault_addr, job->ctx->slot,
				     res->cmd_index);
	} else if (res->status) {
		drm_dbg_driver(&q->qdev->drm, "hw queue %u job %llu: status %u at command %u\n",
			       q->index, job->seqno, res->status,
			       res->cmd_index);
	}

	/* Before the signal: a job waiting for a slot may take this one. */
	quasar_job_unpin(job);
	if (err)
		dma_fence_set_error(fence, err);
	dma_fence_signal(fence);
}

static void quasar_hwq_abort(struct quasar_hwq *q, struct quasar_job *job,
			     u32 status, int err)
{
	struct quasar_job_result res = { .status = status };

	quasar_hwq_complete(q, job, &res, err);
}

/*
 * A reset cancels the jobs of banned contexts, but one that follows a
 * replayed job on the ring must not signal before it: fences of one
 * context signal in seqno order (a waiter may take a later fence as proof
 * of the earlier ones). It waits in @held, in seqno order, until every job
 * on the ring before it has ended.
 */
static void quasar_hwq_hold(struct quasar_hwq *q, struct quasar_job *job)
{
	u32 i = q->held_count++;

	for (; i && q->held[i - 1]->seqno > job->seqno; i--)
		q->held[i] = q->held[i - 1];
	q->held[i] = job;
}

/* Cancels the held jobs with a seqno below @below, in order. */
static void quasar_hwq_release_held(struct quasar_hwq *q, u64 below)
{
	u32 n = 0;

	while (n < q->held_count && q->held[n]->seqno < below)
		quasar_hwq_abort(q, q->held[n++], DRM_QUASAR_STATUS_ABORTED,
				 -ECANCELED);
	q->held_count -= n;
	memmove(q->held, q->held + n, q->held_count * sizeof(*q->held));
}

/* The held jobs no job on the ring comes before. */
static void quasar_hwq_release_held_ready(struct quasar_hwq *q)
{
	if (!q->held_count)
		return;
	quasar_hwq_release_held(q, q->head == q->tail ? U64_MAX :
				q->slots[q->head & (q->size - 1)]->seqno);
}

static void quasar_hwq_complete_record(struct quasar_hwq *q,
				       struct quasar_job *job,
					 const struct quasar_hw_cpl *cpl,
					 const struct quasar_hw_stats *stats)
{
	/* One snapshot of the records the device wrote. */
	const struct quasar_hw_cpl rec = *cpl;
	struct quasar_job_result res = {
		.status = rec.status,
		.cmd_index = rec.cmd_index,
		.fault_addr = rec.fault_addr,
		.stats = *stats,
	};

	if (rec.seqno != job->seqno) {
		drm_err_ratelimited(&q->qdev->drm, "hw queue %u: completion carries seqno %llu, expected %llu\n",
				    q->index, rec.seqno, job->seqno);
		quasar_hwq_abort(q, job, DRM_QUASAR_STATUS_ABORTED, -EIO);
		return;
	}
	quasar_hwq_complete(q, job, &res, res.status ? -EIO : 0);
}

static void quasar_hwq_process_locked(struct quasar_hwq *q)
{
	u32 hw_head, done;

	lockdep_assert_held(&q->lock);
	/* readl() orders the record loads below after the HEAD load. */
	hw_head = quasar_read(q->qdev, QUASAR_REG_QUEUE(q->index, QUASAR_Q_HEAD));
	done = hw_head - q->head;
	if (done > q->tail - q->head) {
		drm_err_ratelimited(&q->qdev->drm, "hw queue %u: HEAD %u outside [%u, %u]\n",
				    q->index, hw_head, q->head, q->tail);
		return;
	}
	while (!q->bad_record && done--) {
		u32 idx = q->head & (q->size - 1);
		struct quasar_job *job = q->slots[idx];

		/*
		 * A record for another job means the device's view of the
		 * ring is not ours: nothing it reports can be trusted until
		 * a reset, which fails this job (quasar_hwq_restart()).
		 */
		if (READ_ONCE(q->cpl[idx].seqno) != job->seqno) {
			drm_err_ratelimited(&q->qdev->drm, "hw queue %u: completion %u carries seqno %llu, expected %llu; resetting the device\n",
					    q->index, q->head, q->cpl[idx].seqno,
					    job->seqno);
			q->bad_record = true;
			atomic_inc(&q->qdev->watchdog.bad_records);
			quasar_watchdog_now(q->qdev);
			return;
		}
		q->slots[idx] = NULL;
		q->head++;
		quasar_hwq_complete_record(q, job, &q->cpl[idx], &q->stats[idx]);
		quasar_hwq_release_held_ready(q);
	}
}

/* Interrupt thread and watchdog: signal the jobs the device reports done. */
void quasar_hwq_process(struct quasar_hwq *q)
{
	bool fence_cookie = dma_fence_begin_signalling();

	scoped_guard(mutex, &q->lock) {
		if (!q->stopped)
			quasar_hwq_process_locked(q);
	}
	dma_fence_end_signalling(fence_cookie);
}

/* Interrupt thread, on the ERROR cause: a stopped ring needs a reset. */
void quasar_hwq_check_error(struct quasar_hwq *q)
{
	u32 code;

	scoped_guard(mutex, &q->lock) {
		if (q->stopped)
			return;
		if (!(quasar_read(q->qdev, QUASAR_REG_QUEUE(q->index, QUASAR_Q_STATUS)) &
		      QUASAR_Q_STATUS_ERROR))
			return;
		code = quasar_read(q->qdev, QUASAR_REG_QUEUE(q->index, QUASAR_Q_ERROR));
	}
	drm_err_ratelimited(&q->qdev->drm, "hw queue %u stopped by a ring error (status %u); resetting\n",
			    q->index, code);
	quasar_watchdog_now(q->qdev);
}

/*
 * For the watchdog: jobs on the ring not yet signalled, and (if @head)
 * the driver's head.
 */
u32 quasar_hwq_pending(struct quasar_hwq *q, u32 *head)
{
	guard(mutex)(&q->lock);
	if (head)
		*head = q->head;
	return q->stopped ? 0 : q->tail - q->head;
}

/* A ring error or a bad completion record: only a reset helps. */
bool quasar_hwq_needs_reset(struct quasar_hwq *q)
{
	u32 status;

	guard(mutex)(&q->lock);
	if (q->stopped)
		return false;
	if (q->bad_record)
		return true;
	status = quasar_read(q->qdev, QUASAR_REG_QUEUE(q->index, QUASAR_Q_STATUS));
	return status != U32_MAX && (status & QUASAR_Q_STATUS_ERROR);
}

/* The watchdog found no progress: the reset blames the running job. */
void quasar_hwq_mark_hung(struct quasar_hwq *q)
{
	guard(mutex)(&q->lock);
	q->hung = true;
}

/*
 * First step of a reset: take the completions the device has reported,
 * note a ring error, and keep the interrupt thread off the rings.
 */
static void quasar_hwq_stop_locked(struct quasar_hwq *q)
{
	u32 status;

	lockdep_assert_held(&q->lock);
	if (q->stopped)
		return;
	quasar_hwq_process_locked(q);
	status = quasar_read(q->qdev, QUASAR_REG_QUEUE(q->index, QUASAR_Q_STATUS));
	if (status != U32_MAX && (status & QUASAR_Q_STATUS_ERROR))
		q->error = quasar_read(q->qdev, QUASAR_REG_QUEUE(q->index, QUASAR_Q_ERROR)) ?:
			   DRM_QUASAR_STATUS_DMA_ERROR;
	q->stopped = true;
}

void quasar_hwq_stop(struct quasar_hwq *q)
{
	bool fence_cookie = dma_fence_begin_signalling();

	scoped_guard(mutex, &q->lock)
		quasar_hwq_stop_locked(q);
	dma_fence_end_signalling(fence_cookie);
}

/*
 * Last step of a reset. The device ended every running job before its
 * reset finished, so a record whose seqno matches is a real completion.
 * With @err == 0 the device is back. The first unfinished job is to blame
 * when the watchdog found the hardware queue hung (it fails with
 * -ETIMEDOUT and its context is banned), or
 * after a ring error or a bad completion record (-EIO). With @lost (the
 * firmware crashed and lost them) the other unfinished jobs fail with
 * @lost; otherwise those of banned contexts are cancelled (-ECANCELED),
 * once the replayed jobs before them have ended (quasar_hwq_hold()), and
 * the rest go to the re-enabled ring in their order, keeping their fences.
 * With @err the device is wedged or gone: every unfinished job fails with
 * @err and the hardware queue stays stopped.
 */
static void quasar_hwq_restart_locked(struct quasar_hwq *q, int err, int lost)
{
	bool blamed = false;
	u32 i, n = 0;

	lockdep_assert_held(&q->lock);
	for (i = q->head; i != q->tail; i++) {
		u32 idx = i & (q->size - 1);
		struct quasar_job *job = q->slots[idx];

		q->slots[idx] = NULL;
		/* Held jobs before this one end first, unless one is replayed. */
		if (!n)
			quasar_hwq_release_held(q, job->seqno);
		if (!q->bad_record && q->cpl[idx].seqno == job->seqno) {
			quasar_hwq_complete_record(q, job, &q->cpl[idx], &q->stats[idx]);
		} else if (err) {
			quasar_hwq_abort(q, job, DRM_QUASAR_STATUS_ABORTED, err);
		} else if (!blamed && q->hung) {
			trace_quasar_job_timeout(q->index, job->ctx->slot, job->seqno);
			WRITE_ONCE(job->ctx->banned, true);
			drm_err(&q->qdev->drm, "hw queue %u: job %llu of context %u hung; context banned\n",
				q->index, job->seqno, job->ctx->slot);
			quasar_hwq_abort(q, job, DRM_QUASAR_STATUS_ABORTED,
					 -ETIMEDOUT);
			blamed = true;
		} else if (!blamed && (q->error || q->bad_record)) {
			quasar_hwq_abort(q, job, q->error ?: DRM_QUASAR_STATUS_ABORTED,
					 -EIO);
			blamed = true;
		} else if (lost) {
			quasar_hwq_abort(q, job, DRM_QUASAR_STATUS_ABORTED, lost);
		} else if (READ_ONCE(job->ctx->banned)) {
			if (n)
				quasar_hwq_hold(q, job);
			else
				quasar_hwq_abort(q, job, DRM_QUASAR_STATUS_ABORTED,
						 -ECANCELED);
		} else {
			q->replay[n++] = job;
		}
		/* Only the first unfinished job can be the bad record's. */
		q->bad_record = false;
	}
	/* Nothing replayed: no held job waits for anything any more. */
	if (!n)
		quasar_hwq_release_held(q, U64_MAX);
	q->head = 0;
	q->tail = 0;
	q->error = 0;
	q->hung = false;
	q->bad_record = false;
	if (err) {
		q->stopped = true;
		return;
	}

	memset(q->cpl, 0, q->size * sizeof(*q->cpl));
	for (i = 0; i < n; i++)
		quasar_hwq_write_desc(q, q->replay[i]);
	quasar_hwq_enable(q);
	if (n)
		quasar_hwq_doorbell(q);
}

void quasar_hwq_restart(struct quasar_hwq *q, int err, int lost)
{
	bool fence_cookie = dma_fence_begin_signalling();

	scoped_guard(mutex, &q->lock)
		quasar_hwq_restart_locked(q, err, lost);
	dma_fence_end_signalling(fence_cookie);
}
