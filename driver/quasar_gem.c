// SPDX-License-Identifier: GPL-2.0
/*
 * Quasar NPU: buffer objects and their ioctls.
 *
 * A BO is mapped into its creator's context when it is created and stays
 * there for its whole life, so the device address BO_CREATE returns never
 * changes; another file cannot open it, having no address for it. Another
 * file shares its pages through PRIME: the import is a second object over
 * the same pages, mapped into the importer's context (quasar_prime.c).
 *
 * When a BO dies its pages may still be in use by a job that did not list
 * it (a user bug the kernel must survive): the mapping goes at once, the
 * pages only once every job of the context that was on a ring then has
 * ended (quasar_ctx_busy_fences()).
 */
#include <linux/dma-fence.h>
#include <linux/dma-resv.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_utils.h>
#include <drm/drm_vma_manager.h>

#include "drm/quasar_accel.h"
#include "quasar_drv.h"
#include "quasar_gem.h"
#include "quasar_gemfs.h"
#include "quasar_mmu.h"
#include "quasar_objcount.h"
#include "quasar_result.h"

static void quasar_gem_free_now(struct quasar_bo *bo)
{
	struct quasar_ctx *ctx = bo->ctx;

	drm_gem_shmem_free(&bo->base);
	quasar_ctx_put(ctx);
	quasar_objcount_dec(QUASAR_OBJ_BO);
}

static void quasar_gem_free_work(struct work_struct *work)
{
	struct quasar_bo *bo = container_of(work, struct quasar_bo, free_work);
	unsigned int i;

	for (i = 0; i < bo->free_fence_count; i++) {
		dma_fence_wait(bo->free_fences[i], false);
		dma_fence_put(bo->free_fences[i]);
	}
	quasar_gem_free_now(bo);
}

static void quasar_gem_free(struct drm_gem_object *obj)
{
	struct quasar_device *qdev = to_quasar_device(obj->dev);
	struct quasar_bo *bo = to_quasar_bo(obj);

	if (drm_mm_node_allocated(&bo->node)) {
		quasar_mmu_unmap(bo->ctx, &bo->node);
		bo->free_fence_count = quasar_ctx_busy_fences(bo->ctx,
							      bo->free_fences);
		if (bo->free_fence_count) {
			INIT_WORK(&bo->free_work, quasar_gem_free_work);
			queue_work(qdev->free_wq, &bo->free_work);
			return;
		}
	}
	quasar_gem_free_now(bo);
}

/* Maps @bo's pages into @ctx; the mapping holds a context reference. */
static int quasar_gem_map(struct quasar_bo *bo, struct quasar_ctx *ctx,
			  struct sg_table *sgt, bool read_only)
{
	int ret;

	ret = quasar_mmu_map(ctx, &bo->node, sgt, bo->base.base.size,
			     read_only);
	if (ret)
		return ret;
	bo->ctx = quasar_ctx_get(ctx);
	return 0;
}

static int quasar_gem_open(struct drm_gem_object *obj, struct drm_file *file)
{
	struct quasar_ctx *ctx = to_quasar_file(file)->ctx;
	struct quasar_bo *bo = to_quasar_bo(obj);

	/*
	 * Every import is an object of its own, opened by the one file that
	 * imported it (quasar_prime.c): map it there.
	 */
	if (obj->import_attach && !bo->ctx)
		return quasar_gem_map(bo, ctx, bo->base.sgt, false);
	if (bo->ctx != ctx)
		return -EALREADY;
	return 0;
}

static const struct drm_gem_object_funcs quasar_gem_funcs = {
	.free = quasar_gem_free,
	.open = quasar_gem_open,
	.print_info = drm_gem_shmem_object_print_info,
	.pin = drm_gem_shmem_object_pin,
	.unpin = drm_gem_shmem_object_unpin,
	.get_sg_table = drm_gem_shmem_object_get_sg_table,
	.vmap = drm_gem_shmem_object_vmap,
	.vunmap = drm_gem_shmem_object_vunmap,
	.mmap = drm_gem_shmem_object_mmap,
	.vm_ops = &drm_gem_shmem_vm_ops,
};

struct drm_gem_object *quasar_gem_create_object(struct drm_device *drm,
						size_t size)
{
	struct quasar_bo *bo;

	bo = kzalloc(sizeof(*bo), GFP_KERNEL_ACCOUNT);
	if (!bo)
		return ERR_PTR(-ENOMEM);
	quasar_objcount_inc(QUASAR_OBJ_BO);
	spin_lock_init(&bo->result_lock);
	bo->base.base.funcs = &quasar_gem_funcs;
	return &bo->base.base;
}

void quasar_bo_set_result(struct quasar_bo *bo,
			  const struct quasar_job_result *result)
{
	spin_lock(&bo->result_lock);
	bo->result = *result;
	bo->result.ended = true;
	spin_unlock(&bo->result_lock);
}

int quasar_ioctl_bo_create(struct drm_device *drm, void *data,
			   struct drm_file *file)
{
	struct quasar_file *qfile = to_quasar_file(file);
	struct drm_quasar_bo_create *args = data;
	struct drm_gem_shmem_object *shmem;
	struct drm_gem_object *obj;
	struct quasar_bo *bo;
	struct sg_table *sgt;
	u32 handle;
	u64 size;
	int ret;

	if ((args->flags & ~DRM_QUASAR_BO_READ_ONLY) || !args->size)
		return -EINVAL;
	/* A size no context can map is a bad argument; one RAM cannot hold is not. */
	if (args->size > QUASAR_BO_MAX_SIZE)
		return -E2BIG;
	if (args->size > (u64)totalram_pages() << PAGE_SHIFT)
		return -ENOMEM;
	size = PAGE_ALIGN(args->size);

	shmem = drm_gem_shmem_create(drm, size);
	if (IS_ERR(shmem))
		return PTR_ERR(shmem);
	obj = &shmem->base;
	bo = to_quasar_bo(obj);
	quasar_gemfs_adopt(obj);

	sgt = drm_gem_shmem_get_pages_sgt(shmem);
	if (IS_ERR(sgt)) {
		ret = PTR_ERR(sgt);
		goto out_put;
	}
	ret = quasar_gem_map(bo, qfile->ctx, sgt,
			     args->flags & DRM_QUASAR_BO_READ_ONLY);
	if (ret)
		goto out_put;

	ret = drm_gem_create_mmap_offset(obj);
	if (ret)
		goto out_put;
	ret = drm_gem_handle_create(file, obj, &handle);
	if (ret)
		goto out_put;

	args->size = size;
	args->handle = handle;
	args->device_addr = quasar_bo_device_addr(bo);
	args->mmap_offset = drm_vma_node_offset_addr(&obj->vma_node);
out_put:
	/* On success the handle holds the object; on failure this frees it. */
	drm_gem_object_put(obj);
	return ret;
}

int quasar_ioctl_bo_info(struct drm_device *drm, void *data,
			 struct drm_file *file)
{
	struct drm_quasar_bo_info *args = data;
	struct drm_gem_object *obj;
	int ret;

	if (args->pad)
		return -EINVAL;
	obj = drm_gem_object_lookup(file, args->handle);
	if (!obj)
		return -ENOENT;

	ret = drm_gem_create_mmap_offset(obj);
	if (!ret) {
		args->size = obj->size;
		args->device_addr = quasar_bo_device_addr(to_quasar_bo(obj));
		args->mmap_offset = drm_vma_node_offset_addr(&obj->vma_node);
	}
	drm_gem_object_put(obj);
	return ret;
}

int quasar_ioctl_bo_wait(struct drm_device *drm, void *data,
			 struct drm_file *file)
{
	struct drm_quasar_bo_wait *args = data;
	struct drm_gem_object *obj;
	struct quasar_bo *bo;
	long ret;

	if (args->flags)
		return -EINVAL;
	obj = drm_gem_object_lookup(file, args->handle);
	if (!obj)
		return -ENOENT;
	bo = to_quasar_bo(obj);

	/* Jobs add their fences as writers; READ usage waits for all of them. */
	ret = dma_resv_wait_timeout(obj->resv, DMA_RESV_USAGE_READ, true,
				    drm_timeout_abs_to_jiffies(args->timeout_ns));
	if (ret == 0) {
		ret = -ETIME;
	} else if (ret > 0) {
		scoped_guard(spinlock, &bo->result_lock) {
			args->job_status = bo->result.status;
			args->job_cmd_index = bo->result.cmd_index;
			args->fault_addr = bo->result.fault_addr;
			args->job_id = bo->result.ended ? bo->result.job_id : 0;
		}
		ret = 0;
	}
	drm_gem_object_put(obj);
	return ret;
}

int quasar_ioctl_job_stats(struct drm_device *drm, void *data,
			   struct drm_file *file)
{
	struct drm_quasar_job_stats *args = data;
	const struct quasar_hw_stats *st;
	struct quasar_job_result res;
	struct drm_gem_object *obj;
	struct quasar_bo *bo;
	int ret;

	if ((args->flags & ~DRM_QUASAR_JOB_STATS_JOB_ID) || args->pad || args->pad2)
		return -EINVAL;
	if (args->flags & DRM_QUASAR_JOB_STATS_JOB_ID) {
		ret = quasar_result_get(to_quasar_file(file)->ctx, args->job_id,
					&res);
		if (ret)
			return ret;
	} else {
		if (args->job_id)
			return -EINVAL;
		obj = drm_gem_object_lookup(file, args->handle);
		if (!obj)
			return -ENOENT;
		bo = to_quasar_bo(obj);
		scoped_guard(spinlock, &bo->result_lock)
			res = bo->result;
		drm_gem_object_put(obj);
		if (!res.ended)
			return -ENODATA;
	}

	st = &res.stats;
	*args = (struct drm_quasar_job_stats) {
		.handle = args->handle,
		.status = res.status,
		.cmd_index = res.cmd_index,
		.seqno = res.seqno,
		.queue = res.hwq,
		.device_ns = res.device_ns,
		.rd_weight_bytes = st->rd_weights,
		.rd_meta_bytes = st->rd_wmeta,
		.rd_act_bytes = st->rd_act,
		.wr_bytes = st->wr_bytes,
		.sram_bytes = st->sram_bytes,
		.macs_dense = st->macs_dense,
		.macs_exec = st->macs_exec,
		.vec_elems = st->vec_elems,
		.tiles = st->tiles,
		.cycles_compute = st->cycles_compute,
		.cycles_memory = st->cycles_memory,
		.cycles = st->cycles,
		.energy_fj = st->energy_fj,
		.clock_mhz = st->clock_mhz,
		.job_id = res.job_id,
	};
	return 0;
}
