/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Quasar NPU: the progress watchdog, which declares a hardware queue hung
 * when it makes no progress and recovers the device (timeout detection and
 * recovery, TDR).
 */
#ifndef __QUASAR_WATCHDOG_H__
#define __QUASAR_WATCHDOG_H__

#include <linux/atomic.h>
#include <linux/types.h>
#include <linux/workqueue.h>

#include "hw/quasar_hw_interface.h"

struct quasar_device;

/**
 * struct quasar_watchdog - watchdog state; the per-hardware-queue fields are
 *			    only used by the watchdog work
 * @work: the watchdog, on the device's ordered reset workqueue
 * @seen_head: per hardware queue, the device's HEAD at the last check
 * @progress: per hardware queue, Q_PROGRESS at the last check
 * @stamp: per hardware queue, jiffies of the last sign of progress (or
 *	   idleness)
 * @watched: per hardware queue, it had work at the last check
 * @error: the error interrupt asked for a check of an idle device
 * @hangs: hardware queues declared hung
 * @lost_irqs: completions found by the watchdog, not by an interrupt
 * @bad_records: completion records rejected (wrong seqno)
 */
struct quasar_watchdog {
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

int quasar_watchdog_init(struct quasar_device *qdev);
void quasar_watchdog_kick(struct quasar_device *qdev);
void quasar_watchdog_now(struct quasar_device *qdev);
void quasar_watchdog_stop(struct quasar_device *qdev);
void quasar_watchdog_forget(struct quasar_device *qdev);

#endif /* __QUASAR_WATCHDOG_H__ */
