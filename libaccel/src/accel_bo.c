// SPDX-License-Identifier: MIT
/* Buffer objects: create, CPU mapping, wait, free. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>

#include <xf86drm.h>

#include "accel_internal.h"

int accel_bo_create_flags(struct accel_device *dev, uint64_t size,
			  uint32_t flags, struct accel_bo **out)
{
	struct drm_quasar_bo_create args = { .size = size, .flags = flags };
	struct accel_bo *bo;
	int err;

	*out = NULL;
	bo = calloc(1, sizeof(*bo));
	if (!bo)
		return accel_fail(dev, -ENOMEM, "BO of %llu bytes",
				  (unsigned long long)size);
	err = accel_ioctl(dev->fd, DRM_IOCTL_QUASAR_BO_CREATE, &args);
	if (err) {
		free(bo);
		return accel_fail(dev, err, "BO_CREATE(size %llu, flags 0x%x)",
				  (unsigned long long)size, flags);
	}
	bo->dev = dev;
	bo->handle = args.handle;
	bo->size = args.size;
	bo->addr = args.device_addr;
	bo->mmap_offset = args.mmap_offset;
	*out = bo;
	return 0;
}

int accel_bo_create(struct accel_device *dev, uint64_t size,
		    struct accel_bo **out)
{
	return accel_bo_create_flags(dev, size, 0, out);
}

int accel_bo_export(struct accel_bo *bo, int *dmabuf_fd)
{
	if (drmPrimeHandleToFD(bo->dev->fd, bo->handle, DRM_CLOEXEC | DRM_RDWR,
			       dmabuf_fd))
		return accel_fail(bo->dev, -errno, "PRIME export of BO %u",
				  bo->handle);
	return 0;
}

int accel_bo_import(struct accel_device *dev, int dmabuf_fd,
		    struct accel_bo **out)
{
	struct drm_quasar_bo_info info = { 0 };
	struct drm_gem_close close_args;
	struct accel_bo *bo;
	int err;

	*out = NULL;
	bo = calloc(1, sizeof(*bo));
	if (!bo)
		return accel_fail(dev, -ENOMEM, "BO import of dma-buf %d", dmabuf_fd);
	if (drmPrimeFDToHandle(dev->fd, dmabuf_fd, &info.handle)) {
		err = -errno;
		free(bo);
		return accel_fail(dev, err, "PRIME import of dma-buf %d", dmabuf_fd);
	}
	err = accel_ioctl(dev->fd, DRM_IOCTL_QUASAR_BO_INFO, &info);
	if (err) {
		close_args = (struct drm_gem_close){ .handle = info.handle };
		accel_ioctl(dev->fd, DRM_IOCTL_GEM_CLOSE, &close_args);
		free(bo);
		return accel_fail(dev, err, "BO_INFO(BO %u imported from dma-buf %d)",
				  info.handle, dmabuf_fd);
	}
	bo->dev = dev;
	bo->handle = info.handle;
	bo->size = info.size;
	bo->addr = info.device_addr;
	bo->mmap_offset = info.mmap_offset;
	*out = bo;
	return 0;
}

void accel_bo_free(struct accel_bo *bo)
{
	struct drm_gem_close close_args;

	if (!bo)
		return;
	if (bo->map)
		munmap(bo->map, bo->size);
	close_args = (struct drm_gem_close){ .handle = bo->handle };
	accel_ioctl(bo->dev->fd, DRM_IOCTL_GEM_CLOSE, &close_args);
	free(bo);
}

int accel_bo_map(struct accel_bo *bo, void **ptr)
{
	struct accel_device *dev = bo->dev;
	void *map;
	int err = 0;

	pthread_mutex_lock(&dev->lock);
	if (!bo->map) {
		map = mmap(NULL, bo->size, PROT_READ | PROT_WRITE, MAP_SHARED,
			   dev->fd, (off_t)bo->mmap_offset);
		if (map == MAP_FAILED)
			err = -errno;
		else
			bo->map = map;
	}
	*ptr = bo->map;
	pthread_mutex_unlock(&dev->lock);
	if (err)
		return accel_fail(dev, err, "mmap(BO %u, %llu bytes at 0x%llx)",
				  bo->handle, (unsigned long long)bo->size,
				  (unsigned long long)bo->mmap_offset);
	return 0;
}

uint32_t accel_bo_handle(const struct accel_bo *bo)
{
	return bo->handle;
}

uint64_t accel_bo_size(const struct accel_bo *bo)
{
	return bo->size;
}

uint64_t accel_bo_addr(const struct accel_bo *bo)
{
	return bo->addr;
}

uint64_t accel_bo_mmap_offset(const struct accel_bo *bo)
{
	return bo->mmap_offset;
}

int accel_bo_wait(struct accel_bo *bo, int64_t timeout_ns,
		  struct accel_job_result *result)
{
	struct drm_quasar_bo_wait args = {
		.handle = bo->handle,
		.timeout_ns = accel_deadline(timeout_ns),
	};
	int err = accel_ioctl(bo->dev->fd, DRM_IOCTL_QUASAR_BO_WAIT, &args);

	if (err)
		return accel_fail(bo->dev, err, "BO_WAIT(BO %u)", bo->handle);
	if (result) {
		result->status = args.job_status;
		result->cmd_index = args.job_cmd_index;
		result->fault_addr = args.fault_addr;
	}
	if (args.job_status != DRM_QUASAR_STATUS_OK)
		return accel_fail(bo->dev, -EIO,
				  "job of BO %u ended %s at command %u (fault 0x%llx)",
				  bo->handle, accel_status_name(args.job_status),
				  args.job_cmd_index,
				  (unsigned long long)args.fault_addr);
	return 0;
}
