/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Quasar NPU: the progress watchdog (timeout detection and recovery).
 */
#ifndef __QUASAR_WATCHDOG_H__
#define __QUASAR_WATCHDOG_H__

#include <linux/atomic.h>
#include <linux/types.h>
#include <linux/workqueue.h>

#include "hw/quasar_hw_interface.h"

struct quasar_device;

/**
 * struct quasar_tdr - watchdog state; the per-queue fields are only used
 *		       by the watchdog work
 * @work: the watchdog, on the device's ordered reset workqueue
 * @seen_head: per queue, the device's HEAD at the last check
 * @progress: per queue, Q_PROGRESS at the last check
 * @stamp: per queue, jiffies of the last sign of progress (or idleness)
 * @watched: per queue, it had work at the last check
 * @error: the error interrupt asked for a check of an idle device
 * @hangs: queues declared hung
 * @lost_irqs: completions found by the watchdog, not by an interrupt
 * @bad_records: completion records rejected (wrong seqno)
 */
struct quasar_tdr {
	struct delayed_work work;
	u32 seen_head[QUASAR_NUM_QUEUES];
	u32 progress[QUASAR_NUM_QUEUES];
	unsigned long stamp[QUASAR_NUM_QUEUES];
	bool watched[QUASAR_NUM_QUEUES];
	atomic_t error;
	atomic_t hangs;
	atomic_t lost_irqs;
	atomic_t bad_records;
};

int quasar_tdr_init(struct quasar_device *qdev);
void quasar_tdr_kick(struct quasar_device *qdev);
void quasar_tdr_now(struct quasar_device *qdev);
void quasar_tdr_stop(struct quasar_device *qdev);

#endif /* __QUASAR_WATCHDOG_H__ */
