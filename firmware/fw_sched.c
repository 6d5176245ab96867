// SPDX-License-Identifier: MIT
/*
 * The engine scheduler, hw-spec section 12.1: which of the queues waiting
 * for a compute engine gets the next one that frees up.
 *
 * A job holds its engine from start to completion (the device does not
 * preempt), so priority acts at job boundaries: a high-priority job that
 * arrives behind queued low-priority work runs as soon as any engine
 * frees, ahead of everything queued at a lower level. Within a level the
 * queue served longest ago goes first, so queues of one level share the
 * engines job by job, whatever their ring depth.
 */
#include "fw_api.h"

int fw_sched_pick(const struct fw_sched_queue *q, unsigned int n)
{
	int best = -1;

	for (unsigned int i = 0; i < n; i++) {
		if (!q[i].waiting)
			continue;
		if (best < 0 || q[i].priority > q[best].priority ||
		    (q[i].priority == q[best].priority &&
		     q[i].last_grant < q[best].last_grant))
			best = (int)i;
	}
	return best;
}
