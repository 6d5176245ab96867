/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Quasar NPU: hardware queues, the device's rings Q[0..3] (hw-spec 5):
 * descriptor and completion rings, the doorbell, the fences that
 * completions signal, and each ring's fixed priority. The queues of
 * QUEUE_CREATE (quasar_queue.c) are bound to these.
 */
#ifndef __QUASAR_HWQ_H__
#define __QUASAR_HWQ_H__

#include <linux/dma-fence.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/types.h>

#include <drm/gpu_scheduler.h>

#include "hw/quasar_hw_interface.h"

struct quasar_device;
struct quasar_job;

/* Ring entries per hardware queue; the scheduler keeps one free (credit limit). */
#define QUASAR_HWQ_ENTRIES	256

/**
 * struct quasar_hwq_fence - the hardware fence of one job on a hardware queue
 * @base: fence; its seqno is the descriptor's seqno
 * @hwq: hardware queue index, for the timeline name
 */
struct quasar_hwq_fence {
	struct dma_fence base;
	u32 hwq;
};

/**
 * struct quasar_hwq - one hardware queue and its scheduler
 * @qdev: device
 * @index: hardware queue number (Q[@index] registers, MSI-X vector 1 + @index)
 * @size: entries of both rings, a power of two
 * @name: scheduler and timeline name
 * @sched: its scheduler, credit limit @size - 1
 * @submit_lock: keeps arm and push of one job together, so fence order
 *		 is push order
 * @lock: protects the rings, @head, @tail, @slots, @held, @stopped and
 *	  @error
 * @fence_lock: lock of its hardware fences
 * @fence_context: fence context of the hardware fences
 * @seqno: last seqno handed out
 * @ring: descriptor ring
 * @ring_dma: its DMA address
 * @cpl: completion ring
 * @cpl_dma: its DMA address
 * @stats: job statistics records, one per ring entry
 * @stats_dma: their DMA address
 * @slots: the job whose descriptor is in each ring entry
 * @replay: scratch array for recovery, so that it needs no allocation
 * @held: cancelled jobs whose hardware fences wait for earlier jobs that a
 *	  reset put back on the ring, so that the fences of the hardware
 *	  queue's fence context signal in seqno order; sorted by seqno
 * @held_count: entries of @held
 * @head: next completion to process (free-running)
 * @tail: next descriptor to write (free-running)
 * @stopped: the device is being reset, wedged or gone; no ring access
 * @error: status code its ring error reported, 0 if none
 * @hung: the watchdog found no progress; the next reset blames the job
 *	  at the head
 * @bad_record: the completion at the head carries another seqno; nothing
 *		more is processed until a reset, which fails that job
 * @bound_queues: how many queues (QUEUE_CREATE, quasar_queue.c) are bound
 *		  to this one
 * @last_end_ns: when its previous job completed; the device runs a
 *		 ring's jobs one after another, so a job's device time starts
 *		 at its doorbell or at this, whichever is later
 */
struct quasar_hwq {
	struct quasar_device *qdev;
	u32 index;
	u32 size;
	char name[16];
	struct drm_gpu_scheduler sched;
	struct mutex submit_lock;	/* arm + push */
	struct mutex lock;		/* rings, indices, slots */
	spinlock_t fence_lock;		/* hardware fences */
	u64 fence_context;
	u64 seqno;
	struct quasar_hw_desc *ring;
	dma_addr_t ring_dma;
	struct quasar_hw_cpl *cpl;
	dma_addr_t cpl_dma;
	struct quasar_hw_stats *stats;
	dma_addr_t stats_dma;
	struct quasar_job **slots;
	struct quasar_job **replay;
	struct quasar_job **held;
	u32 held_count;
	u32 head;
	u32 tail;
	bool stopped;
	u32 error;
	bool hung;
	bool bad_record;
	atomic_t bound_queues;
	u64 last_end_ns;
};

int quasar_hwq_init(struct quasar_device *qdev, struct quasar_hwq *q,
		    u32 index);
void quasar_hwq_start(struct quasar_hwq *q);
int quasar_hwq_push(struct quasar_hwq *q, struct quasar_job *job);
void quasar_hwq_process(struct quasar_hwq *q);
void quasar_hwq_check_error(struct quasar_hwq *q);
void quasar_hwq_stop(struct quasar_hwq *q);
void quasar_hwq_restart(struct quasar_hwq *q, int err, int lost);
u32 quasar_hwq_pending(struct quasar_hwq *q, u32 *head);
bool quasar_hwq_needs_reset(struct quasar_hwq *q);
void quasar_hwq_mark_hung(struct quasar_hwq *q);
u32 quasar_hwq_priority(u32 index);

struct quasar_hwq_fence *quasar_hwq_fence_alloc(void);

#endif /* __QUASAR_HWQ_H__ */
