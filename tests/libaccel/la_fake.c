// SPDX-License-Identifier: MIT
/*
 * The fake kernel of la_fake.h. Jobs complete at SUBMIT, so every wait
 * succeeds at once; what the tests look at is what libaccel asked for.
 * Argument checks are the uapi's, so that a library bug that the real
 * driver would refuse is refused here too rather than recorded.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "accel_internal.h"
#include "la_fake.h"

struct la_fake la_fake;

static int la_fake_bo_create(struct drm_quasar_bo_create *a)
{
	uint64_t size = (a->size + 4095) & ~4095ull;

	if (!a->size || a->flags)
		return -EINVAL;
	if (la_fake.next_handle + 1 >= sizeof(la_fake.hw_of_handle) / sizeof(uint32_t))
		return -ENOMEM;
	if (ftruncate(la_fake.fd, (off_t)(la_fake.next_offset + size)))
		return -ENOMEM;
	a->size = size;
	a->handle = ++la_fake.next_handle;
	a->device_addr = 0x100000 + la_fake.next_offset;
	a->mmap_offset = la_fake.next_offset;
	la_fake.next_offset += size;
	return 0;
}

/* The driver's binding: the hardware queue of the priority with fewest queues. */
static int la_fake_queue_create(struct drm_quasar_queue_create *a)
{
	uint32_t best = LA_FAKE_HWQ, id;

	la_fake.create_calls++;
	la_fake.last_create = *a;
	if (a->flags || a->priority > DRM_QUASAR_PRIORITY_HIGH)
		return -EINVAL;
	for (uint32_t i = 0; i < LA_FAKE_HWQ; i++)
		if (la_fake.hwq_priority[i] == a->priority &&
		    (best == LA_FAKE_HWQ || la_fake.hwq_bound[i] < la_fake.hwq_bound[best]))
			best = i;
	if (best == LA_FAKE_HWQ)
		return -EINVAL;
	for (id = 1; id <= LA_FAKE_MAX_QUEUES && la_fake.queue_hw[id]; id++)
		;
	if (id > LA_FAKE_MAX_QUEUES)
		return -ENOSPC;
	la_fake.queue_hw[id] = best + 1;
	la_fake.hwq_bound[best]++;
	a->queue_id = id;
	a->hw_queue = la_fake.bogus_hw_queue ? la_fake.bogus_hw_queue : best;
	return 0;
}

static int la_fake_queue_destroy(struct drm_quasar_queue_destroy *a)
{
	uint32_t id = a->queue_id;

	la_fake.destroy_calls++;
	if (a->pad)
		return -EINVAL;
	if (!id || id > LA_FAKE_MAX_QUEUES || !la_fake.queue_hw[id])
		return -ENOENT;
	la_fake.hwq_bound[la_fake.queue_hw[id] - 1]--;
	la_fake.queue_hw[id] = 0;
	la_fake.last_destroyed = id;
	return 0;
}

static int la_fake_submit(struct drm_quasar_submit *a)
{
	uint32_t hw;

	la_fake.submits_seen++;
	if (a->flags & ~DRM_QUASAR_SUBMIT_QUEUE_ID || !a->cmd_handle ||
	    a->cmd_handle > la_fake.next_handle)
		return -EINVAL;
	if (a->flags & DRM_QUASAR_SUBMIT_QUEUE_ID) {
		if (!a->queue || a->queue > LA_FAKE_MAX_QUEUES || !la_fake.queue_hw[a->queue])
			return -ENOENT;
		hw = la_fake.queue_hw[a->queue] - 1;
	} else {
		if (a->queue >= LA_FAKE_HWQ)
			return -EINVAL;
		hw = a->queue;
	}
	if (la_fake.nsubmit < LA_FAKE_LOG)
		la_fake.submit[la_fake.nsubmit++] = (struct la_fake_submit){
			.cmd_handle = a->cmd_handle, .flags = a->flags, .queue = a->queue,
			.hw_queue = hw,
		};
	la_fake.hw_of_handle[a->cmd_handle] = hw;
	return 0;
}

static uint32_t la_fake_status(uint32_t handle)
{
	return handle == la_fake.fail_handle ? la_fake.fail_status : DRM_QUASAR_STATUS_OK;
}

static int la_fake_call(unsigned long req, void *arg)
{
	switch (req) {
	case DRM_IOCTL_QUASAR_BO_CREATE:
		return la_fake_bo_create(arg);
	case DRM_IOCTL_QUASAR_QUEUE_CREATE:
		return la_fake_queue_create(arg);
	case DRM_IOCTL_QUASAR_QUEUE_DESTROY:
		return la_fake_queue_destroy(arg);
	case DRM_IOCTL_QUASAR_SUBMIT:
		return la_fake_submit(arg);
	case DRM_IOCTL_QUASAR_BO_WAIT: {
		struct drm_quasar_bo_wait *w = arg;

		w->job_status = la_fake_status(w->handle);
		w->job_cmd_index = 1;
		return 0;
	}
	case DRM_IOCTL_QUASAR_JOB_STATS: {
		struct drm_quasar_job_stats *s = arg;
		uint32_t h = s->handle;

		if (!h || h > la_fake.next_handle)
			return -ENOENT;
		*s = (struct drm_quasar_job_stats){
			.handle = h, .status = la_fake_status(h), .cmd_index = 1,
			.queue = la_fake.hw_of_handle[h], .clock_mhz = 1000,
		};
		return 0;
	}
	case DRM_IOCTL_SYNCOBJ_CREATE: {
		struct drm_syncobj_create *c = arg;

		c->handle = ++la_fake.next_handle;
		return 0;
	}
	case DRM_IOCTL_GEM_CLOSE:
	case DRM_IOCTL_SYNCOBJ_DESTROY:
	case DRM_IOCTL_SYNCOBJ_WAIT:
	case DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT:
		return 0;
	}
	return -ENOTTY;
}

/* Replaces libc's for the whole program, libdrm.so included. */
int ioctl(int fd, unsigned long req, ...)
{
	va_list ap;
	void *arg;
	int ret;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (fd != la_fake.fd || fd < 0)
		return (int)syscall(SYS_ioctl, fd, req, arg);
	ret = la_fake_call(req, arg);
	if (ret) {
		errno = -ret;
		return -1;
	}
	return 0;
}

struct accel_device *la_fake_open(void)
{
	static const uint32_t prio[LA_FAKE_HWQ] = {
		DRM_QUASAR_PRIORITY_NORMAL, DRM_QUASAR_PRIORITY_NORMAL,
		DRM_QUASAR_PRIORITY_HIGH, DRM_QUASAR_PRIORITY_LOW,
	};
	struct accel_device *dev = calloc(1, sizeof(*dev));

	memset(&la_fake, 0, sizeof(la_fake));
	la_fake.fd = -1;
	if (!dev)
		return NULL;
	la_fake.fd = memfd_create("la-fake-quasar", MFD_CLOEXEC);
	if (la_fake.fd < 0) {
		free(dev);
		return NULL;
	}
	memcpy(la_fake.hwq_priority, prio, sizeof(prio));
	dev->fd = la_fake.fd;
	strcpy(dev->path, "fake");
	pthread_mutex_init(&dev->lock, NULL);
	dev->info = (struct drm_quasar_device_info){
		.num_queues = LA_FAKE_HWQ, .num_contexts = 16, .page_size = 4096,
		.max_cmd_size = 1u << 20, .va_start = 0x100000, .va_end = 1ull << 32,
		.num_engines = 2, .queue_priorities = 0x7,
	};
	return dev;
}
