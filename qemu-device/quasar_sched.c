/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Quasar NPU: compute engines shared by the hardware queues (spec section
 * 12.1).
 *
 * The device has QuasarState.engines compute engines (a property) and one
 * worker thread per hardware queue. A worker with a job ready asks for an
 * engine and sleeps until it gets one; whenever an engine frees, or a
 * hardware queue starts waiting, the firmware's scheduler (fw_sched_pick())
 * chooses which waiting one gets it: highest Q.PRIORITY first, then the one
 * served longest ago. A job keeps its engine until it completes, so
 * priorities act between jobs, as on a device without preemption.
 */
#include "qemu/osdep.h"
#include "quasar.h"
#include "trace.h"

static void quasar_sched_dispatch_locked(QuasarState *s)
{
    while (s->engines_free && !s->engines_held) {
        struct fw_sched_queue view[QUASAR_NUM_QUEUES];
        QuasarHwQueue *q;
        unsigned int qi;
        int pick;

        for (qi = 0; qi < QUASAR_NUM_QUEUES; qi++) {
            view[qi] = (struct fw_sched_queue) {
                /* One disabled while waiting has not withdrawn yet. */
                .waiting = s->hwq[qi].waiting &&
                           quasar_hwq_runnable_locked(s, &s->hwq[qi]),
                .priority = s->hwq[qi].priority,
                .last_grant = s->hwq[qi].last_grant,
            };
        }
        pick = fw_sched_pick(view, QUASAR_NUM_QUEUES);
        if (pick < 0) {
            return;
        }
        q = &s->hwq[pick];
        q->waiting = false;
        q->granted = true;
        q->last_grant = ++s->grant_seq;
        s->engines_free--;
        trace_quasar_sched_grant(q->index, q->priority, q->last_grant,
                                 s->engines_free);
        qemu_cond_signal(&q->worker.wake);
    }
}

/*
 * Wait for an engine for the job at q's head. Returns false, holding no
 * engine, if the hardware queue stopped being runnable (disable, reset, error,
 * power-down) or the device is going away meanwhile.
 */
bool quasar_sched_acquire_locked(QuasarState *s, QuasarHwQueue *q)
{
    if (!q->granted) {
        q->waiting = true;
        quasar_sched_dispatch_locked(s);
    }
    while (!q->granted) {
        if (s->stopping || !quasar_hwq_runnable_locked(s, q)) {
            q->waiting = false;
            return false;
        }
        qemu_cond_wait(&q->worker.wake, &s->lock);
    }
    if (s->stopping || !quasar_hwq_runnable_locked(s, q)) {
        quasar_sched_release_locked(s, q);
        return false;
    }
    return true;
}

void quasar_sched_release_locked(QuasarState *s, QuasarHwQueue *q)
{
    if (!q->granted) {
        return;
    }
    q->granted = false;
    s->engines_free++;
    /*
     * A hardware queue with more jobs competes for the engine it frees: its
     * next job is ready now, and must not lose the engine to a lower
     * priority only because its worker has not come round to ask yet.
     */
    if (quasar_hwq_runnable_locked(s, q)) {
        q->waiting = true;
    }
    quasar_sched_dispatch_locked(s);
}

/*
 * DBG_HOLD.ENGINES (spec section 11): while held, workers that ask for an
 * engine wait, and the jobs their doorbells announce stay in the rings.
 * The release runs the scheduler over every hardware queue with a job
 * ready, including those whose worker has not come round to ask yet: the
 * grants that follow depend only on what the rings hold, not on how far
 * the worker threads got meanwhile.
 */
void quasar_sched_hold_locked(QuasarState *s, bool hold)
{
    unsigned int qi;

    if (hold == s->engines_held) {
        return;
    }
    s->engines_held = hold;
    trace_quasar_sched_hold(hold);
    if (hold) {
        return;
    }
    for (qi = 0; qi < QUASAR_NUM_QUEUES; qi++) {
        QuasarHwQueue *q = &s->hwq[qi];

        if (!q->granted && quasar_hwq_runnable_locked(s, q)) {
            q->waiting = true;
        }
    }
    quasar_sched_dispatch_locked(s);
}

/*
 * Device reset: nothing runs (the caller waited for the workers), so every
 * engine is free; waiting workers find their hardware queue disabled and
 * withdraw.
 */
void quasar_sched_reset_locked(QuasarState *s)
{
    unsigned int qi;

    for (qi = 0; qi < QUASAR_NUM_QUEUES; qi++) {
        s->hwq[qi].priority = QUASAR_Q_PRIORITY_NORMAL;
        s->hwq[qi].last_grant = 0;
    }
}
