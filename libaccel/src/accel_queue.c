// SPDX-License-Identifier: MIT
/*
 * Queues with priorities: DRM_IOCTL_QUASAR_QUEUE_CREATE / QUEUE_DESTROY.
 * The priority is checked against the device info first, so that a
 * refusal can say which priorities the device has rather than the bare
 * -EINVAL the kernel gives for both an unknown and an absent priority.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "accel_internal.h"

/* "LOW NORMAL HIGH": the priorities of @mask, for error texts. */
static void accel_priority_list(uint32_t mask, char *buf, size_t len)
{
	size_t pos = 0;

	buf[0] = '\0';
	for (uint32_t p = 0; p < ACCEL_NUM_PRIORITIES && pos < len; p++)
		if (mask & (1u << p))
			pos += (size_t)snprintf(buf + pos, len - pos, "%s%s", pos ? " " : "",
						accel_priority_name(p));
}

static int accel_priority_check(struct accel_device *dev, uint32_t priority)
{
	uint32_t have = dev->info.queue_priorities;
	char list[32];

	if (!accel_priority_name(priority))
		return accel_fail(dev, -EINVAL,
				  "queue priority %u: not LOW (%u), NORMAL (%u) or HIGH (%u)",
				  priority, DRM_QUASAR_PRIORITY_LOW, DRM_QUASAR_PRIORITY_NORMAL,
				  DRM_QUASAR_PRIORITY_HIGH);
	/* A driver from before QUEUE_CREATE leaves the field zero. */
	if (!have)
		return accel_fail(dev, -ENOTTY,
				  "queue priority %s: this kernel driver has no queues (device info reports no queue priorities)",
				  accel_priority_name(priority));
	if (!(have & (1u << priority))) {
		accel_priority_list(have, list, sizeof(list));
		return accel_fail(dev, -EINVAL,
				  "queue priority %s: no hardware queue of the device has it (it has %s)",
				  accel_priority_name(priority), list);
	}
	return 0;
}

static void accel_queue_release(struct accel_device *dev, uint32_t id)
{
	struct drm_quasar_queue_destroy d = { .queue_id = id };
	int err = accel_ioctl(dev->fd, DRM_IOCTL_QUASAR_QUEUE_DESTROY, &d);

	if (err)
		accel_fail(dev, err, "QUEUE_DESTROY(queue %u)", id);
}

int accel_queue_create(struct accel_device *dev, uint32_t priority,
		       struct accel_queue **out)
{
	struct drm_quasar_queue_create c = { .priority = priority };
	struct accel_queue *q;
	int err;

	*out = NULL;
	err = accel_priority_check(dev, priority);
	if (err)
		return err;
	q = calloc(1, sizeof(*q));
	if (!q)
		return accel_fail(dev, -ENOMEM, "queue");
	err = accel_ioctl(dev->fd, DRM_IOCTL_QUASAR_QUEUE_CREATE, &c);
	if (err) {
		free(q);
		if (err == -ENOSPC)
			return accel_fail(dev, err,
					  "QUEUE_CREATE(priority %s): the device file already has the driver's limit of queues",
					  accel_priority_name(priority));
		return accel_fail(dev, err, "QUEUE_CREATE(priority %s)",
				  accel_priority_name(priority));
	}
	/* The uapi promises a non-zero id and one of the device's hw queues. */
	if (!c.queue_id || c.hw_queue >= dev->info.num_queues) {
		if (c.queue_id)
			accel_queue_release(dev, c.queue_id);
		free(q);
		return accel_fail(dev, -EPROTO,
				  "QUEUE_CREATE(priority %s) answered queue %u on hardware queue %u (of %u)",
				  accel_priority_name(priority), c.queue_id, c.hw_queue,
				  dev->info.num_queues);
	}
	*q = (struct accel_queue){
		.dev = dev, .id = c.queue_id, .hw_queue = c.hw_queue, .priority = priority,
	};
	*out = q;
	return 0;
}

void accel_queue_destroy(struct accel_queue *q)
{
	if (!q)
		return;
	accel_queue_release(q->dev, q->id);
	free(q);
}

uint32_t accel_queue_hw_index(const struct accel_queue *q)
{
	return q->hw_queue;
}

uint32_t accel_queue_priority(const struct accel_queue *q)
{
	return q->priority;
}
