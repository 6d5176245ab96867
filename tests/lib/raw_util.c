// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "drm.h"
#include "raw_util.h"

int raw_ioctl(int fd, unsigned long req, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, req, arg);
	} while (ret == -1 && (errno == EINTR || errno == EAGAIN));
	return ret == -1 ? -errno : 0;
}

int raw_open(void)
{
	return open("/dev/accel/accel0", O_RDWR | O_CLOEXEC);
}

int64_t raw_deadline(uint64_t ns)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec + (int64_t)ns;
}

int raw_bo_new(int fd, uint64_t size, struct raw_bo *bo)
{
	struct drm_quasar_bo_create c = { .size = size };
	int ret = raw_ioctl(fd, DRM_IOCTL_QUASAR_BO_CREATE, &c);

	if (ret)
		return ret;
	bo->handle = c.handle;
	bo->size = c.size;
	bo->addr = c.device_addr;
	bo->map = mmap(NULL, c.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		       c.mmap_offset);
	return bo->map == MAP_FAILED ? -errno : 0;
}

void raw_bo_del(int fd, struct raw_bo *bo)
{
	struct drm_gem_close cl = { .handle = bo->handle };

	munmap(bo->map, bo->size);
	raw_ioctl(fd, DRM_IOCTL_GEM_CLOSE, &cl);
}

int raw_bo_wait(int fd, const struct raw_bo *bo, uint64_t ns,
		struct drm_quasar_bo_wait *w)
{
	memset(w, 0, sizeof(*w));
	w->handle = bo->handle;
	w->timeout_ns = raw_deadline(ns);
	return raw_ioctl(fd, DRM_IOCTL_QUASAR_BO_WAIT, w);
}

size_t raw_put_write_value(void *p, uint64_t addr, uint64_t value)
{
	struct drm_quasar_cmd_write_value c = {
		.hdr = { .opcode = DRM_QUASAR_OP_WRITE_VALUE, .length = sizeof(c) },
		.addr = addr, .value = value,
	};

	memcpy(p, &c, sizeof(c));
	return sizeof(c);
}

size_t raw_put_copy_stream(void *p, const struct raw_bo *bo, int copies,
			   uint64_t mark_addr, uint64_t mark)
{
	size_t n = 0;
	int i;

	for (i = 0; i < copies; i++) {
		struct drm_quasar_cmd_copy c = {
			.hdr = { .opcode = DRM_QUASAR_OP_COPY, .length = sizeof(c) },
			.dst = bo->addr + (i % 2 ? 0 : bo->size / 2),
			.src = bo->addr + (i % 2 ? bo->size / 2 : 0),
			.size = bo->size / 2,
		};

		memcpy((uint8_t *)p + n, &c, sizeof(c));
		n += sizeof(c);
	}
	return n + raw_put_write_value((uint8_t *)p + n, mark_addr, mark);
}
