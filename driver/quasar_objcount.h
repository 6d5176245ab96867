/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Quasar NPU: counts of live driver objects, checked when the module
 * unloads, so that a leak after hot-unplug, file close or reset shows as
 * a warning instead of passing unseen.
 */
#ifndef __QUASAR_OBJCOUNT_H__
#define __QUASAR_OBJCOUNT_H__

enum quasar_obj_kind {
	QUASAR_OBJ_CTX,
	QUASAR_OBJ_BO,
	QUASAR_OBJ_JOB,
	QUASAR_OBJ_QUEUE,
	QUASAR_OBJ_KINDS,
};

void quasar_objcount_inc(enum quasar_obj_kind kind);
void quasar_objcount_dec(enum quasar_obj_kind kind);
int quasar_objcount_read(enum quasar_obj_kind kind);
void quasar_objcount_check(void);

#endif /* __QUASAR_OBJCOUNT_H__ */
