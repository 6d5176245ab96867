/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Quasar NPU: jobs: SUBMIT, the scheduler backend, syncobjs and timeouts.
 */
#ifndef __QUASAR_JOB_H__
#define __QUASAR_JOB_H__

#include <linux/types.h>
#include <linux/workqueue.h>

#include <drm/gpu_scheduler.h>

struct drm_device;
struct drm_file;
struct drm_gem_object;
struct quasar_bo;
struct quasar_ctx;
struct quasar_device;
struct quasar_file;
struct quasar_hwq;
struct quasar_hwq_fence;
struct quasar_job_record;
struct quasar_job_result;

/* Bounds of one SUBMIT, as documented in the uapi header. */
#define QUASAR_SUBMIT_MAX_BOS		256
#define QUASAR_SUBMIT_MAX_SYNCS		64

/**
 * struct quasar_job - one command stream on its way through a hardware queue
 * @base: scheduler job
 * @qdev: device
 * @hwq: hardware queue it runs on
 * @ctx: MMU context it runs in (reference held)
 * @cmd_bo: the command buffer, also @bos[0]; receives the job's result
 * @cmd_addr: device VA of the command stream
 * @cmd_size: bytes of the command stream
 * @bos: every BO the job uses, command buffer first (references held)
 * @bo_count: entries of @bos
 * @hw_fence: signalled when the device completes the job; initialised by
 *	      run_job, allocated at submit
 * @seqno: descriptor seqno, equal to @hw_fence's
 * @run_ns: when its doorbell rang (ktime_get_ns()), for engine busy time
 * @free_work: releases it off the scheduler's workqueue (free_job)
 * @id: its SUBMIT id in its context
 * @record: its own result (quasar_result.c; reference held)
 * @pinned: it holds a pin of @ctx's hardware slot (quasar_slot.c), from
 *	    prepare_job until its completion
 */
struct quasar_job {
	struct drm_sched_job base;
	struct quasar_device *qdev;
	struct quasar_hwq *hwq;
	struct quasar_ctx *ctx;
	struct quasar_bo *cmd_bo;
	u64 cmd_addr;
	u32 cmd_size;
	struct drm_gem_object **bos;
	u32 bo_count;
	struct quasar_hwq_fence *hw_fence;
	u64 seqno;
	u64 run_ns;
	struct work_struct free_work;
	u64 id;
	struct quasar_job_record *record;
	bool pinned;
};

static inline struct quasar_job *to_quasar_job(struct drm_sched_job *job)
{
	return container_of(job, struct quasar_job, base);
}

void quasar_job_unpin(struct quasar_job *job);
void quasar_job_set_result(struct quasar_job *job,
			   struct quasar_job_result *res);
int quasar_job_sched_init(struct quasar_device *qdev);
int quasar_job_open(struct quasar_file *qfile);
void quasar_job_close(struct quasar_file *qfile);
int quasar_ioctl_submit(struct drm_device *drm, void *data,
			struct drm_file *file);

#endif /* __QUASAR_JOB_H__ */
