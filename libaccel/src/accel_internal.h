/* SPDX-License-Identifier: MIT */
/* libaccel's private object layouts and helpers; not installed. */
#ifndef ACCEL_INTERNAL_H
#define ACCEL_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>

#include "accel.h"

struct accel_device {
	int fd;
	char path[64];
	struct drm_quasar_device_info info;
	struct accel_driver_version driver;
	/* Guards last_error and the lazy CPU mappings of BOs. */
	pthread_mutex_t lock;
	char last_error[256];
};

struct accel_bo {
	struct accel_device *dev;
	uint32_t handle;
	uint64_t size;
	uint64_t addr;
	uint64_t mmap_offset;
	void *map;
};

struct accel_syncobj {
	struct accel_device *dev;
	uint32_t handle;
};

/*
 * Records "<what>: <errno text>" as @dev's last error and returns @err, so
 * that a failure path is one line: return accel_fail(dev, -errno, ...).
 */
int accel_fail(struct accel_device *dev, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* ioctl() retried on EINTR/EAGAIN; returns 0 or a negative errno. */
int accel_ioctl(int fd, unsigned long request, void *arg);

/* CLOCK_MONOTONIC deadline @timeout_ns from now, saturating. */
int64_t accel_deadline(int64_t timeout_ns);

#endif /* ACCEL_INTERNAL_H */
