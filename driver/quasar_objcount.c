// SPDX-License-Identifier: GPL-2.0
/*
 * Quasar NPU: live object counts (quasar_objcount.h).
 *
 * Module-wide rather than per device: a BO or context can outlive its
 * device after hot-unplug, and what matters is that nothing outlives the
 * module.
 */
#include <linux/atomic.h>
#include <linux/bug.h>
#include <linux/printk.h>

#include "quasar_objcount.h"

static atomic_t quasar_live[QUASAR_LIVE_KINDS];

static const char *const quasar_live_names[QUASAR_LIVE_KINDS] = {
	[QUASAR_LIVE_CTX] = "contexts",
	[QUASAR_LIVE_BO] = "buffer objects",
	[QUASAR_LIVE_JOB] = "jobs",
	[QUASAR_LIVE_QUEUE] = "queues",
};

void quasar_live_inc(enum quasar_live_kind kind)
{
	atomic_inc(&quasar_live[kind]);
}

void quasar_live_dec(enum quasar_live_kind kind)
{
	WARN_ON_ONCE(atomic_dec_return(&quasar_live[kind]) < 0);
}

int quasar_live_read(enum quasar_live_kind kind)
{
	return atomic_read(&quasar_live[kind]);
}

/* At module unload: every object must be gone by now. */
void quasar_live_check(void)
{
	int kind, left;

	for (kind = 0; kind < QUASAR_LIVE_KINDS; kind++) {
		left = atomic_read(&quasar_live[kind]);
		WARN(left, "quasar: %d %s leaked at module unload\n", left,
		     quasar_live_names[kind]);
	}
}
