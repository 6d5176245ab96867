// SPDX-License-Identifier: MIT
/* Syncobjs, binary (point 0) and timeline, over libdrm's drmSyncobj*. */
#include <errno.h>
#include <stdlib.h>

#include <xf86drm.h>

#include "accel_internal.h"

/* libdrm returns -1/errno from some calls and -errno from others. */
static int accel_drm_err(int ret)
{
	if (ret == 0)
		return 0;
	return ret == -1 ? -errno : ret;
}

int accel_syncobj_create(struct accel_device *dev, int signaled,
			 struct accel_syncobj **out)
{
	struct accel_syncobj *s;
	int err;

	*out = NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return accel_fail(dev, -ENOMEM, "syncobj");
	err = accel_drm_err(drmSyncobjCreate(dev->fd,
					     signaled ? DRM_SYNCOBJ_CREATE_SIGNALED : 0,
					     &s->handle));
	if (err) {
		free(s);
		return accel_fail(dev, err, "SYNCOBJ_CREATE");
	}
	s->dev = dev;
	*out = s;
	return 0;
}

void accel_syncobj_destroy(struct accel_syncobj *s)
{
	if (!s)
		return;
	drmSyncobjDestroy(s->dev->fd, s->handle);
	free(s);
}

uint32_t accel_syncobj_handle(const struct accel_syncobj *s)
{
	return s->handle;
}

int accel_syncobj_wait(struct accel_syncobj *s, uint64_t point,
		       int64_t timeout_ns)
{
	/* A job's fence appears at submit; waiting earlier must not fail. */
	uint32_t flags = DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT;
	int64_t deadline = accel_deadline(timeout_ns);
	int err;

	if (point)
		err = drmSyncobjTimelineWait(s->dev->fd, &s->handle, &point, 1,
					     deadline, flags, NULL);
	else
		err = drmSyncobjWait(s->dev->fd, &s->handle, 1, deadline,
				     flags, NULL);
	err = accel_drm_err(err);
	if (err)
		return accel_fail(s->dev, err, "syncobj %u wait for point %llu",
				  s->handle, (unsigned long long)point);
	return 0;
}

int accel_syncobj_signal(struct accel_syncobj *s, uint64_t point)
{
	int err;

	if (point)
		err = drmSyncobjTimelineSignal(s->dev->fd, &s->handle, &point, 1);
	else
		err = drmSyncobjSignal(s->dev->fd, &s->handle, 1);
	err = accel_drm_err(err);
	if (err)
		return accel_fail(s->dev, err, "syncobj %u signal point %llu",
				  s->handle, (unsigned long long)point);
	return 0;
}

int accel_syncobj_query(struct accel_syncobj *s, uint64_t *point)
{
	int err = accel_drm_err(drmSyncobjQuery(s->dev->fd, &s->handle, point, 1));

	if (err)
		return accel_fail(s->dev, err, "syncobj %u query", s->handle);
	return 0;
}

int accel_syncobj_reset(struct accel_syncobj *s)
{
	int err = accel_drm_err(drmSyncobjReset(s->dev->fd, &s->handle, 1));

	if (err)
		return accel_fail(s->dev, err, "syncobj %u reset", s->handle);
	return 0;
}
