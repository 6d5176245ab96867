// SPDX-License-Identifier: GPL-2.0
/*
 * Quasar NPU: counts of live driver objects (quasar_objcount.h).
 *
 * Module-wide rather than per device: a BO or context can outlive its
 * device after hot-unplug, and what matters is that nothing outlives the
 * module.
 */
#include <linux/atomic.h>
#include <linux/bug.h>
#include <linux/printk.h>

#include "quasar_objcount.h"

static atomic_t quasar_objcount[QUASAR_OBJ_KINDS];

static const char *const quasar_objcount_names[QUASAR_OBJ_KINDS] = {
	[QUASAR_OBJ_CTX] = "contexts",
	[QUASAR_OBJ_BO] = "buffer objects",
	[QUASAR_OBJ_JOB] = "jobs",
	[QUASAR_OBJ_QUEUE] = "queues",
};

void quasar_objcount_inc(enum quasar_obj_kind kind)
{
	atomic_inc(&quasar_objcount[kind]);
}

void quasar_objcount_dec(enum quasar_obj_kind kind)
{
	WARN_ON_ONCE(atomic_dec_return(&quasar_objcount[kind]) < 0);
}

int quasar_objcount_read(enum quasar_obj_kind kind)
{
	return atomic_read(&quasar_objcount[kind]);
}

/* At module unload: every object must be gone by now. */
void quasar_objcount_check(void)
{
	int kind, left;

	for (kind = 0; kind < QUASAR_OBJ_KINDS; kind++) {
		left = atomic_read(&quasar_objcount[kind]);
		WARN(left, "quasar: %d %s leaked at module unload\n", left,
		     quasar_objcount_names[kind]);
	}
}
