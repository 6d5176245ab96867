/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Quasar NPU: buffer objects, mapped into their file's device address space.
 */
#ifndef __QUASAR_GEM_H__
#define __QUASAR_GEM_H__

#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/workqueue.h>

#include <drm/drm_gem_shmem_helper.h>
#include <drm/drm_mm.h>

#include "hw/quasar_hw_interface.h"

/* The whole VA window, less the guard page that follows every BO. */
#define QUASAR_BO_MAX_SIZE	(QUASAR_VA_END - QUASAR_VA_START - QUASAR_PAGE_SIZE)

struct drm_device;
struct drm_file;
struct quasar_ctx;

/**
 * struct quasar_job_result - how the last job using a BO as command buffer ended
 * @status: &enum drm_quasar_status
 * @cmd_index: failing command, or commands run
 * @fault_addr: device VA of an MMU fault, else 0
 * @ended: a job has ended with this command buffer (JOB_STATS has data)
 * @hwq: hardware queue of the job
 * @seqno: its descriptor seqno, 0 if it never reached the ring
 * @device_ns: device time, doorbell (or previous completion) to completion
 * @stats: the device's cost record; zero when the device did not complete it
 * @job_id: the job's SUBMIT id
 */
struct quasar_job_result {
	u32 status;
	u32 cmd_index;
	u64 fault_addr;
	bool ended;
	u32 hwq;
	u64 seqno;
	u64 device_ns;
	struct quasar_hw_stats stats;
	u64 job_id;
};

/**
 * struct quasar_bo - a GEM shmem buffer mapped for the device
 * @base: shmem object; first, because drm_gem_shmem_free() kfree()s it
 * @ctx: the context the buffer is mapped in (reference held)
 * @node: the buffer's device VA range, guard page included
 * @result_lock: protects @result
 * @result: outcome of the last job that used this BO as command buffer
 * @free_work: frees the pages once @free_fences have signalled
 * @free_fences: jobs of @ctx still in flight when the BO died
 * @free_fence_count: entries of @free_fences
 */
struct quasar_bo {
	struct drm_gem_shmem_object base;
	struct quasar_ctx *ctx;
	struct drm_mm_node node;
	spinlock_t result_lock;		/* @result */
	struct quasar_job_result result;
	struct work_struct free_work;
	struct dma_fence *free_fences[QUASAR_NUM_QUEUES];
	unsigned int free_fence_count;
};

static inline struct quasar_bo *to_quasar_bo(struct drm_gem_object *obj)
{
	return container_of(to_drm_gem_shmem_obj(obj), struct quasar_bo, base);
}

static inline u64 quasar_bo_device_addr(struct quasar_bo *bo)
{
	return bo->node.start;
}

struct drm_gem_object *quasar_gem_create_object(struct drm_device *drm,
						size_t size);
void quasar_bo_set_result(struct quasar_bo *bo,
			  const struct quasar_job_result *result);

int quasar_ioctl_bo_create(struct drm_device *drm, void *data,
			   struct drm_file *file);
int quasar_ioctl_bo_info(struct drm_device *drm, void *data,
			 struct drm_file *file);
int quasar_ioctl_bo_wait(struct drm_device *drm, void *data,
			 struct drm_file *file);
int quasar_ioctl_job_stats(struct drm_device *drm, void *data,
			   struct drm_file *file);

#endif /* __QUASAR_GEM_H__ */
