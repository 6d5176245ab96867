/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Quasar NPU: queues (the uapi's QUEUE_CREATE), each a scheduler entity
 * bound to a hardware queue of its priority.
 */
#ifndef __QUASAR_QUEUE_H__
#define __QUASAR_QUEUE_H__

#include <linux/types.h>

#include <drm/gpu_scheduler.h>

struct drm_device;
struct drm_file;
struct quasar_device;
struct quasar_file;
struct quasar_hwq;

/* Queues one file may have at once (the uapi documents it). */
#define QUASAR_QUEUES_PER_FILE	64

/**
 * struct quasar_queue - a queue, created by QUEUE_CREATE
 * @entity: its jobs, in submission order
 * @hwq: the hardware queue it is bound to
 * @priority: &enum drm_quasar_priority, that of @hwq
 */
struct quasar_queue {
	struct drm_sched_entity entity;
	struct quasar_hwq *hwq;
	u32 priority;
};

int quasar_queue_priority_permitted(struct drm_file *file, u32 priority);
void quasar_queue_open(struct quasar_file *qfile);
void quasar_queue_close(struct quasar_file *qfile);
struct quasar_queue *quasar_queue_get(struct quasar_file *qfile, u32 id);
void quasar_queue_put(struct quasar_file *qfile);
int quasar_ioctl_queue_create(struct drm_device *drm, void *data,
			      struct drm_file *file);
int quasar_ioctl_queue_destroy(struct drm_device *drm, void *data,
			       struct drm_file *file);

#endif /* __QUASAR_QUEUE_H__ */
