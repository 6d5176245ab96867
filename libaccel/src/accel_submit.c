// SPDX-License-Identifier: MIT
/* Job submission: translate the library's objects into SUBMIT's arrays. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "accel_internal.h"

/* SUBMIT's limits (uapi); larger arrays are refused before allocating. */
#define ACCEL_MAX_BOS 256
#define ACCEL_MAX_SYNCS 64

static struct drm_quasar_sync *accel_syncs_pack(const struct accel_sync *in,
						uint32_t n)
{
	struct drm_quasar_sync *out = calloc(n ? n : 1, sizeof(*out));
	uint32_t i;

	if (!out)
		return NULL;
	for (i = 0; i < n; i++) {
		out[i].handle = in[i].syncobj->handle;
		out[i].point = in[i].point;
	}
	return out;
}

const char *accel_submit_where(const struct accel_submit *args, char *buf, size_t len)
{
	if (args->uqueue)
		snprintf(buf, len, "%s queue %u on hardware queue %u",
			 accel_priority_name(args->uqueue->priority), args->uqueue->id,
			 args->uqueue->hw_queue);
	else
		snprintf(buf, len, "hardware queue %u", args->queue);
	return buf;
}

/*
 * A queue of QUEUE_CREATE goes in @queue with the flag that says so; a
 * job naming both a queue and a hardware index is a caller's mistake that
 * the kernel could not see (the index would just be ignored).
 */
static int accel_submit_queue(struct accel_device *dev, const struct accel_submit *args,
			      struct drm_quasar_submit *s)
{
	if (!args->uqueue) {
		s->queue = args->queue;
		return 0;
	}
	if (args->queue)
		return accel_fail(dev, -EINVAL,
				  "submit names both hardware queue %u and %s queue %u: set one",
				  args->queue, accel_priority_name(args->uqueue->priority),
				  args->uqueue->id);
	if (args->uqueue->dev != dev)
		return accel_fail(dev, -EINVAL,
				  "submit to a queue of another device handle (%s) than the command BO's: queue ids are per open file",
				  accel_device_path(args->uqueue->dev));
	s->queue = args->uqueue->id;
	s->flags = DRM_QUASAR_SUBMIT_QUEUE_ID;
	return 0;
}

int accel_job_submit(struct accel_bo *cmd_bo, uint32_t offset, uint32_t size,
		     const struct accel_submit *args)
{
	static const struct accel_submit none;
	struct accel_device *dev = cmd_bo->dev;
	struct drm_quasar_submit s = {
		.cmd_handle = cmd_bo->handle,
		.cmd_offset = offset,
		.cmd_size = size,
	};
	struct drm_quasar_sync *in = NULL, *out = NULL;
	uint32_t *handles = NULL, i;
	char where[64];
	int err;

	if (!args)
		args = &none;
	err = accel_submit_queue(dev, args, &s);
	if (err)
		return err;
	if (args->bo_count > ACCEL_MAX_BOS || args->in_count > ACCEL_MAX_SYNCS ||
	    args->out_count > ACCEL_MAX_SYNCS)
		return accel_fail(dev, -E2BIG, "submit with %u BOs, %u+%u syncs",
				  args->bo_count, args->in_count,
				  args->out_count);
	handles = calloc(args->bo_count ? args->bo_count : 1, sizeof(*handles));
	in = accel_syncs_pack(args->in, args->in_count);
	out = accel_syncs_pack(args->out, args->out_count);
	if (!handles || !in || !out) {
		err = accel_fail(dev, -ENOMEM, "submit arrays");
		goto out;
	}
	for (i = 0; i < args->bo_count; i++)
		handles[i] = args->bos[i]->handle;
	s.bo_handles = (uintptr_t)handles;
	s.bo_count = args->bo_count;
	s.in_syncs = (uintptr_t)in;
	s.in_sync_count = args->in_count;
	s.out_syncs = (uintptr_t)out;
	s.out_sync_count = args->out_count;
	err = accel_ioctl(dev->fd, DRM_IOCTL_QUASAR_SUBMIT, &s);
	if (err)
		err = accel_fail(dev, err,
				 "SUBMIT(cmd BO %u [%u, +%u), %s, %u BOs)",
				 cmd_bo->handle, offset, size,
				 accel_submit_where(args, where, sizeof(where)),
				 args->bo_count);
out:
	free(handles);
	free(in);
	free(out);
	return err;
}
