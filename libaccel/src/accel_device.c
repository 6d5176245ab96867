// SPDX-License-Identifier: MIT
/*
 * The device: discovery by DRM driver name, the device query, the
 * last-error text, and the ioctl and wait-deadline helpers every object
 * of the device uses.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <xf86drm.h>

#include "accel_internal.h"

#define ACCEL_DEV_DIR "/dev/accel"
#define ACCEL_MAX_NODES 64

int accel_fail(struct accel_device *dev, int err, const char *fmt, ...)
{
	char what[320];
	va_list ap;

	if (!dev)
		return err;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&dev->lock);
	snprintf(dev->last_error, sizeof(dev->last_error), "%s: %s", what,
		 accel_strerror(err));
	pthread_mutex_unlock(&dev->lock);
	return err;
}

void accel_device_last_error(struct accel_device *dev, char *buf, size_t len)
{
	if (!len)
		return;
	pthread_mutex_lock(&dev->lock);
	snprintf(buf, len, "%s", dev->last_error[0] ? dev->last_error : "no error");
	pthread_mutex_unlock(&dev->lock);
}

int accel_ioctl(int fd, unsigned long request, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, request, arg);
	} while (ret == -1 && (errno == EINTR || errno == EAGAIN));
	return ret == -1 ? -errno : 0;
}

int64_t accel_deadline(int64_t timeout_ns)
{
	struct timespec ts;
	int64_t now;

	if (timeout_ns < 0)
		timeout_ns = 0;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
	if (timeout_ns > INT64_MAX - now)
		return INT64_MAX;
	return now + timeout_ns;
}

/* Fills @drv from DRM_IOCTL_VERSION; -ENOTTY when @fd is not a DRM node. */
static int accel_driver_read(int fd, struct accel_driver_version *drv)
{
	drmVersionPtr v = drmGetVersion(fd);

	if (!v)
		return errno == ENOMEM ? -ENOMEM : -ENOTTY;
	snprintf(drv->name, sizeof(drv->name), "%.*s", v->name_len, v->name);
	snprintf(drv->date, sizeof(drv->date), "%.*s", v->date_len, v->date);
	snprintf(drv->desc, sizeof(drv->desc), "%.*s", v->desc_len, v->desc);
	drv->major = v->version_major;
	drv->minor = v->version_minor;
	drv->patch = v->version_patchlevel;
	drmFreeVersion(v);
	return 0;
}

/*
 * Opens @path and checks that it is driven by quasar. Returns the fd, or
 * -ENOTTY for another driver's node, or the open error.
 */
static int accel_node_open(const char *path, struct accel_driver_version *drv)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);
	int err;

	if (fd < 0)
		return -errno;
	err = accel_driver_read(fd, drv);
	if (!err && strcmp(drv->name, ACCEL_DRIVER_NAME) != 0)
		err = -ENOTTY;
	if (err) {
		close(fd);
		return err;
	}
	return fd;
}

static int accel_node_cmp(const void *a, const void *b)
{
	unsigned int x = *(const unsigned int *)a, y = *(const unsigned int *)b;

	return x < y ? -1 : x > y;
}

/*
 * Tries /dev/accel/accel* in minor order; the first quasar node wins. An
 * open failure (say EACCES) is reported only if no node matched, since the
 * node might belong to another driver anyway.
 */
static int accel_node_find(char *path, size_t len,
			   struct accel_driver_version *drv)
{
	unsigned int minors[ACCEL_MAX_NODES];
	size_t n = 0, i;
	struct dirent *de;
	int first_err = -ENODEV;
	DIR *d = opendir(ACCEL_DEV_DIR);

	if (!d)
		return -ENODEV;
	while ((de = readdir(d)) && n < ACCEL_MAX_NODES) {
		unsigned int minor;
		char tail;

		if (sscanf(de->d_name, "accel%u%c", &minor, &tail) == 1)
			minors[n++] = minor;
	}
	closedir(d);
	qsort(minors, n, sizeof(minors[0]), accel_node_cmp);
	for (i = 0; i < n; i++) {
		int fd;

		snprintf(path, len, ACCEL_DEV_DIR "/accel%u", minors[i]);
		fd = accel_node_open(path, drv);
		if (fd >= 0)
			return fd;
		if (fd != -ENOTTY && first_err == -ENODEV)
			first_err = fd;
	}
	return first_err;
}

int accel_device_query(struct accel_device *dev, uint32_t type, void *buf,
		       uint32_t size, uint32_t *full_size)
{
	struct drm_quasar_dev_query q = {
		.type = type,
		.size = buf ? size : 0,
		.pointer = buf && size ? (uintptr_t)buf : 0,
	};
	int err = accel_ioctl(dev->fd, DRM_IOCTL_QUASAR_DEV_QUERY, &q);

	if (err)
		return accel_fail(dev, err, "DEV_QUERY(type %u, size %u)",
				  type, size);
	if (full_size)
		*full_size = q.size;
	return 0;
}

/* Negotiates the size: a shorter kernel result leaves the tail zero. */
static int accel_device_info_read(struct accel_device *dev)
{
	uint32_t full = 0;
	int err;

	err = accel_device_query(dev, DRM_QUASAR_QUERY_DEVICE_INFO, NULL, 0,
				 &full);
	if (err)
		return err;
	if (full == 0)
		return accel_fail(dev, -EPROTO, "DEV_QUERY reported size 0");
	memset(&dev->info, 0, sizeof(dev->info));
	return accel_device_query(dev, DRM_QUASAR_QUERY_DEVICE_INFO, &dev->info,
				  sizeof(dev->info), &full);
}

int accel_device_open(const char *path, struct accel_device **out)
{
	struct accel_device *dev;
	int fd, err;

	*out = NULL;
	dev = calloc(1, sizeof(*dev));
	if (!dev)
		return -ENOMEM;
	if (!path || !*path)
		path = getenv(ACCEL_DEVICE_ENV);
	if (path && *path) {
		snprintf(dev->path, sizeof(dev->path), "%s", path);
		fd = accel_node_open(path, &dev->driver);
	} else {
		fd = accel_node_find(dev->path, sizeof(dev->path), &dev->driver);
	}
	if (fd < 0) {
		free(dev);
		return fd;
	}
	dev->fd = fd;
	pthread_mutex_init(&dev->lock, NULL);
	err = accel_device_info_read(dev);
	if (err) {
		accel_device_close(dev);
		return err;
	}
	*out = dev;
	return 0;
}

void accel_device_close(struct accel_device *dev)
{
	if (!dev)
		return;
	close(dev->fd);
	pthread_mutex_destroy(&dev->lock);
	free(dev);
}

int accel_device_fd(const struct accel_device *dev)
{
	return dev->fd;
}

const char *accel_device_path(const struct accel_device *dev)
{
	return dev->path;
}

const struct drm_quasar_device_info *
accel_device_info(const struct accel_device *dev)
{
	return &dev->info;
}

const struct accel_driver_version *
accel_device_driver(const struct accel_device *dev)
{
	return &dev->driver;
}
