/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Quasar NPU: counts of live driver objects, checked when the module
 * unloads, so that a leak after hot-unplug, file close or reset shows as
 * a warning instead of passing unseen.
 */
#ifndef __QUASAR_OBJCOUNT_H__
#define __QUASAR_OBJCOUNT_H__

enum quasar_live_kind {
	QUASAR_LIVE_CTX,
	QUASAR_LIVE_BO,
	QUASAR_LIVE_JOB,
	QUASAR_LIVE_QUEUE,
	QUASAR_LIVE_KINDS,
};

void quasar_live_inc(enum quasar_live_kind kind);
void quasar_live_dec(enum quasar_live_kind kind);
int quasar_live_read(enum quasar_live_kind kind);
void quasar_live_check(void);

#endif /* __QUASAR_OBJCOUNT_H__ */
