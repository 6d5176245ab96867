/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Quasar NPU: hardware queues, the rings of jobs behind the Q[q].* registers
 * (spec section 5).
 *
 * One worker thread per hardware queue, woken by the doorbell. It runs one
 * job at a time through fw_queue_process() on its private firmware state,
 * without the BQL and without the device lock, then publishes HEAD, the
 * context fault records and the interrupt under the lock. Running one job
 * per call lets every job see the registers as they were when it started,
 * and lets HEAD and the interrupt follow each completion record, as the
 * spec says.
 */
#include "qemu/osdep.h"
#include "qemu/bitops.h"
#include "qemu/main-loop.h"
#include "qemu/rcu.h"
#include "qemu/timer.h"
#include "quasar.h"
#include "trace.h"

#define QUASAR_DESC_SIZE    sizeof(struct quasar_hw_desc)
#define QUASAR_CPL_SIZE     sizeof(struct quasar_hw_cpl)

static bool quasar_hwq_decode(hwaddr addr, unsigned int *q, hwaddr *reg)
{
    if (addr < QUASAR_REG_QUEUE_BASE ||
        addr >= QUASAR_REG_QUEUE(QUASAR_NUM_QUEUES, 0)) {
        return false;
    }
    *q = (addr - QUASAR_REG_QUEUE_BASE) / QUASAR_REG_QUEUE_STRIDE;
    *reg = (addr - QUASAR_REG_QUEUE_BASE) % QUASAR_REG_QUEUE_STRIDE;
    return true;
}

/* A ring error: it runs nothing until disabled and enabled again. */
static void quasar_hwq_fail_locked(QuasarState *s, QuasarHwQueue *q,
                                     uint32_t status)
{
    q->error = true;
    q->error_status = status;
    trace_quasar_hwq_error(q->index, status);
    quasar_irq_raise_locked(s, QUASAR_IRQ_ERROR);
}

bool quasar_hwq_runnable_locked(QuasarState *s, QuasarHwQueue *q)
{
    return !s->halted && !s->resetting &&
           s->boot.state == QUASAR_FW_STATE_READY &&
           q->enabled && !q->error && q->head != q->tail;
}

/* Sample the registers into the worker's firmware state (spec: job start). */
static void quasar_hwq_load_locked(QuasarState *s, QuasarHwQueue *q)
{
    QuasarWorker *w = &q->worker;
    struct fw_device *fw = &w->fw;
    unsigned int slot;

    fw_reset(fw);
    quasar_engine_bind(w);
    fw->booted = true;
    fw->info = s->boot.info;
    for (slot = 0; slot < QUASAR_NUM_CTX; slot++) {
        fw->ctx[slot].root = s->ctx[slot].root;
        fw->ctx[slot].valid = s->ctx[slot].ctrl & QUASAR_CTX_CTRL_VALID;
    }
    fw->queue[q->index] = (struct fw_queue) {
        .ring = q->ring,
        .cpl = q->cpl,
        .size = q->size,
        .head = q->head,
        .enabled = true,
    };
    w->busy = true;
    w->job_epoch = w->epoch;
}

/*
 * HEAD, the fault records and the completion cause, as the job left them.
 * True if the worker has an interrupt to deliver (quasar_irq_deliver()).
 */
static bool quasar_hwq_publish_locked(QuasarState *s, QuasarHwQueue *q,
                                        int done, uint32_t ring_error,
                                        bool lose_irq)
{
    struct fw_device *fw = &q->worker.fw;
    unsigned int slot;

    if (done < 0) {
        QUASAR_GUEST_ERR("hw queue %u: ring or completion DMA failed at "
                         "head %u", q->index, q->head);
        quasar_hwq_fail_locked(s, q, ring_error);
        return false;
    }
    if (done == 0) {
        /* Only should_stop may end a call early, and it did not fire. */
        QUASAR_GUEST_ERR("hw queue %u: firmware made no progress at head %u",
                         q->index, q->head);
        quasar_hwq_fail_locked(s, q, DRM_QUASAR_STATUS_BAD_DESC);
        return false;
    }
    for (slot = 0; slot < QUASAR_NUM_CTX; slot++) {
        if (fw->ctx[slot].fault_status) {
            s->ctx[slot].fault_status = fw->ctx[slot].fault_status;
            s->ctx[slot].fault_addr = fw->ctx[slot].fault_addr;
        }
    }
    q->head += done;
    if (lose_irq) {
        /* Injected (spec 11): HEAD moves, the cause is never set. */
        return false;
    }
    return quasar_irq_raise_direct_locked(s, QUASAR_IRQ_QUEUE(q->index));
}

/*
 * An injected SLOW job waits at each unit, in slices of a millisecond so
 * that an abandon (reset, disable, unplug) ends it as promptly as any.
 */
static void quasar_hwq_pace(QuasarWorker *w)
{
    int64_t deadline = get_clock() + (int64_t)w->pace_us * SCALE_US;
    int64_t left;

    while ((left = deadline - get_clock()) > 0 &&
           qatomic_read(&w->epoch) == w->job_epoch) {
        g_usleep(MIN(left / SCALE_US + 1, 1000));
    }
}

/* Polled per job, command and page: each poll is a unit of progress. */
static bool quasar_hwq_should_stop(void *opaque)
{
    QuasarWorker *w = opaque;
    QuasarHwQueue *q = container_of(w, QuasarHwQueue, worker);

    if (unlikely(w->pace_us)) {
        quasar_hwq_pace(w);
    }
    quasar_debug_progress(w->dev, q->index);
    return qatomic_read(&w->epoch) != w->job_epoch;
}

/*
 * An injected hang: the job makes no progress and writes nothing until it
 * is abandoned (reset, hardware queue disable, firmware crash, unplug) or a
 * soft reset ends it. Polled, since those do not all signal the worker.
 */
static void quasar_hwq_hang_locked(QuasarState *s, QuasarWorker *w)
{
    while (!s->stopping && !s->resetting &&
           qatomic_read(&w->epoch) == w->job_epoch) {
        qemu_cond_timedwait(&w->wake, &s->lock, 10);
    }
}

static void *quasar_hwq_thread(void *opaque)
{
    QuasarHwQueue *q = opaque;
    QuasarWorker *w = &q->worker;
    QuasarState *s = w->dev;

    rcu_register_thread();
    qemu_mutex_lock(&s->lock);
    for (;;) {
        uint32_t head, ring_error = DRM_QUASAR_STATUS_DMA_ERROR, faults;
        struct fw_job_time t;
        int64_t start_ns, end_ns;
        bool deliver = false;
        int done;

        while (!s->stopping && !quasar_hwq_runnable_locked(s, q)) {
            qemu_cond_wait(&w->wake, &s->lock);
        }
        if (s->stopping) {
            break;
        }
        if (!quasar_sched_acquire_locked(s, q)) {
            continue;
        }
        quasar_hwq_load_locked(s, q);
        head = q->head;
        faults = quasar_debug_take_locked(s, q->index);
        if (faults & QUASAR_DBG_FW_CRASH) {
            quasar_debug_crash_locked(s);
        } else if (faults & QUASAR_DBG_HANG) {
            quasar_hwq_hang_locked(s, w);
        }
        if (faults & (QUASAR_DBG_FW_CRASH | QUASAR_DBG_HANG)) {
            quasar_sched_release_locked(s, q);
            quasar_worker_done_locked(s, w);
            continue;
        }
        w->pace_us = faults & QUASAR_DBG_SLOW ? s->dbg.pace_us : 0;
        w->fw.inject = (struct fw_inject) {
            .flags = faults & (QUASAR_DBG_MMU_FAULT | QUASAR_DBG_CORRUPT_CPL),
            .fault_va = s->dbg.fault_va,
        };
        qemu_mutex_unlock(&s->lock);

        trace_quasar_hwq_job_start(q->index, head);
        w->pool.calls = 0;
        w->xlat.hits = 0;
        w->xlat.misses = 0;
        /* Hundreds of clock reads a job: only when somebody asked. */
        w->engine.time_transfers =
            trace_event_get_state_backends(TRACE_QUASAR_HWQ_JOB_TRANSFERS);
        start_ns = get_clock();
        /*
         * One RCU read section for the whole job: the DMAs' own sections
         * nest in it and cost a counter each instead of the two full
         * barriers of an outermost one (QEMU builds without membarrier),
         * hundreds of times a token. Nothing the job waits for waits for
         * an RCU grace period, and the BQL is taken only after it.
         */
        rcu_read_lock();
        done = fw_queue_process(&w->fw, q->index, head + 1,
                                quasar_hwq_should_stop, w, &ring_error);
        rcu_read_unlock();
        end_ns = get_clock();
        trace_quasar_hwq_job_end(q->index, head, done);

        qemu_mutex_lock(&s->lock);
        if (w->job_epoch == w->epoch) {
            deliver = quasar_hwq_publish_locked(s, q, done, ring_error,
                                                faults & QUASAR_DBG_LOST_IRQ);
        }
        t = w->engine.time;
        if (done > 0) {
            s->dbg.inplace_bytes += t.inplace_bytes;
            /* Doorbell to start includes any wait for an engine. */
            start_ns -= q->doorbell_ns;
        }
        quasar_sched_release_locked(s, q);
        quasar_worker_done_locked(s, w);
        qemu_mutex_unlock(&s->lock);

        if (deliver) {
            quasar_irq_deliver(s);
        }
        if (done > 0) {
            trace_quasar_hwq_job_phases(q->index, t.seqno, start_ns,
                                        t.job_ns, t.mmu_ns, t.dma_ns,
                                        t.kernel_ns, t.cpl_ns,
                                        get_clock() - end_ns);
            if (w->engine.time_transfers) {
                trace_quasar_hwq_job_transfers(q->index, t.seqno, t.mmu_ns,
                                               t.dma_ns);
            }
            trace_quasar_hwq_job_engine(q->index, t.seqno,
                                        MAX(w->engine.par_threads, 1),
                                        w->pool.calls, w->xlat.hits,
                                        w->xlat.misses, t.inplace_bytes);
        }
        qemu_mutex_lock(&s->lock);
    }
    qemu_mutex_unlock(&s->lock);

    /* Unplug waits for this with the BQL released (quasar_exit()). */
    qemu_mutex_lock_iothread();
    s->hwq_live--;
    qemu_cond_broadcast(&s->hwq_gone);
    qemu_mutex_unlock_iothread();
    rcu_unregister_thread();
    return NULL;
}

static bool quasar_hwq_config_ok(QuasarHwQueue *q)
{
    if (q->size < QUASAR_RING_MIN_ENTRIES ||
        q->size > QUASAR_RING_MAX_ENTRIES || !is_power_of_2(q->size)) {
        QUASAR_GUEST_ERR("hw queue %u: SIZE %u is not a power of two in %u..%u",
                         q->index, q->size, QUASAR_RING_MIN_ENTRIES,
                         QUASAR_RING_MAX_ENTRIES);
        return false;
    }
    if (q->ring % QUASAR_DESC_SIZE || q->cpl % QUASAR_CPL_SIZE) {
        QUASAR_GUEST_ERR("hw queue %u: ring 0x%" PRIx64 " or completion ring "
                         "0x%" PRIx64 " misaligned", q->index, q->ring,
                         q->cpl);
        return false;
    }
    return true;
}

static void quasar_hwq_set_enable_locked(QuasarState *s, QuasarHwQueue *q,
                                           bool enable)
{
    if (enable == q->enabled) {
        return;
    }
    /* A job still running belongs to the old ring: drop its result. */
    quasar_worker_abort_locked(&q->worker);
    q->enabled = enable;
    q->head = 0;
    q->tail = 0;
    q->error = false;
    q->error_status = 0;
    if (!enable) {
        trace_quasar_hwq_disable(q->index);
        return;
    }
    trace_quasar_hwq_enable(q->index, q->ring, q->cpl, q->size);
    if (!quasar_hwq_config_ok(q)) {
        quasar_hwq_fail_locked(s, q, DRM_QUASAR_STATUS_BAD_DESC);
    }
}

static void quasar_hwq_doorbell_locked(QuasarState *s, QuasarHwQueue *q,
                                         uint32_t tail)
{
    trace_quasar_hwq_doorbell(q->index, tail, q->head);
    if (!q->enabled) {
        QUASAR_GUEST_ERR("hw queue %u: doorbell %u while disabled", q->index,
                         tail);
        return;
    }
    if (q->error) {
        QUASAR_GUEST_ERR("hw queue %u: doorbell %u while in error", q->index,
                         tail);
        return;
    }
    /* Free-running indices: the distance is what must fit the ring. */
    if (tail - q->head > q->size) {
        QUASAR_GUEST_ERR("hw queue %u: TAIL %u is more than SIZE %u ahead of "
                         "HEAD %u", q->index, tail, q->size, q->head);
        quasar_hwq_fail_locked(s, q, DRM_QUASAR_STATUS_BAD_DESC);
        return;
    }
    q->tail = tail;
    q->doorbell_ns = get_clock();
    qemu_cond_signal(&q->worker.wake);
}

bool quasar_hwq_read_locked(QuasarState *s, hwaddr addr, uint32_t *val)
{
    unsigned int qi;
    hwaddr reg;
    QuasarHwQueue *q;

    if (!quasar_hwq_decode(addr, &qi, &reg)) {
        return false;
    }
    q = &s->hwq[qi];
    switch (reg) {
    case QUASAR_Q_RING_LO:
        *val = q->ring;
        return true;
    case QUASAR_Q_RING_HI:
        *val = q->ring >> 32;
        return true;
    case QUASAR_Q_CPL_LO:
        *val = q->cpl;
        return true;
    case QUASAR_Q_CPL_HI:
        *val = q->cpl >> 32;
        return true;
    case QUASAR_Q_SIZE:
        *val = q->size;
        return true;
    case QUASAR_Q_CTRL:
        *val = q->enabled ? QUASAR_Q_CTRL_ENABLE : 0;
        return true;
    case QUASAR_Q_TAIL:
        *val = q->tail;
        return true;
    case QUASAR_Q_HEAD:
        *val = q->head;
        return true;
    case QUASAR_Q_STATUS:
        *val = (q->enabled ? QUASAR_Q_STATUS_ENABLED : 0) |
               (q->worker.busy ? QUASAR_Q_STATUS_BUSY : 0) |
               (q->error ? QUASAR_Q_STATUS_ERROR : 0) |
               (q->waiting ? QUASAR_Q_STATUS_WAITING : 0);
        return true;
    case QUASAR_Q_ERROR:
        *val = q->error_status;
        return true;
    case QUASAR_Q_PRIORITY:
        *val = q->priority;
        return true;
    case QUASAR_Q_START_SEQ:
        *val = q->last_grant;
        return true;
    }
    return false;
}

bool quasar_hwq_write_locked(QuasarState *s, hwaddr addr, uint32_t val)
{
    unsigned int qi;
    hwaddr reg;
    QuasarHwQueue *q;

    if (!quasar_hwq_decode(addr, &qi, &reg)) {
        return false;
    }
    q = &s->hwq[qi];
    switch (reg) {
    case QUASAR_Q_RING_LO:
    case QUASAR_Q_RING_HI:
    case QUASAR_Q_CPL_LO:
    case QUASAR_Q_CPL_HI:
    case QUASAR_Q_SIZE:
        if (q->enabled) {
            QUASAR_GUEST_ERR("hw queue %u: ring register 0x%" HWADDR_PRIx
                             " written while enabled; ignored", qi, reg);
            return true;
        }
        break;
    }
    switch (reg) {
    case QUASAR_Q_RING_LO:
        q->ring = deposit64(q->ring, 0, 32, val);
        return true;
    case QUASAR_Q_RING_HI:
        q->ring = deposit64(q->ring, 32, 32, val);
        return true;
    case QUASAR_Q_CPL_LO:
        q->cpl = deposit64(q->cpl, 0, 32, val);
        return true;
    case QUASAR_Q_CPL_HI:
        q->cpl = deposit64(q->cpl, 32, 32, val);
        return true;
    case QUASAR_Q_SIZE:
        q->size = val;
        return true;
    case QUASAR_Q_CTRL:
        if (val & ~QUASAR_Q_CTRL_ENABLE) {
            QUASAR_GUEST_ERR("hw queue %u: CTRL reserved bits 0x%x", qi,
                             val & ~QUASAR_Q_CTRL_ENABLE);
        }
        quasar_hwq_set_enable_locked(s, q, val & QUASAR_Q_CTRL_ENABLE);
        return true;
    case QUASAR_Q_TAIL:
        quasar_hwq_doorbell_locked(s, q, val);
        return true;
    case QUASAR_Q_PRIORITY:
        if (val > QUASAR_Q_PRIORITY_HIGH) {
            QUASAR_GUEST_ERR("hw queue %u: PRIORITY %u above %u; ignored", qi,
                             val, QUASAR_Q_PRIORITY_HIGH);
            return true;
        }
        /* Takes effect at the next engine grant. */
        q->priority = val;
        return true;
    case QUASAR_Q_HEAD:
    case QUASAR_Q_STATUS:
    case QUASAR_Q_ERROR:
    case QUASAR_Q_START_SEQ:
        QUASAR_GUEST_ERR("hw queue %u: write to read-only register 0x%"
                         HWADDR_PRIx, qi, reg);
        return true;
    }
    return false;
}

/*
 * Every hardware queue disabled with HEAD = TAIL = 0; device reset clears
 * the rest.
 */
void quasar_hwq_reset_locked(QuasarState *s, bool full)
{
    unsigned int qi;

    for (qi = 0; qi < QUASAR_NUM_QUEUES; qi++) {
        QuasarHwQueue *q = &s->hwq[qi];

        quasar_worker_abort_locked(&q->worker);
        q->enabled = false;
        q->head = 0;
        q->tail = 0;
        q->error = false;
        q->error_status = 0;
        if (full) {
            q->ring = 0;
            q->cpl = 0;
            q->size = 0;
        }
    }
}

void quasar_hwq_kick_all_locked(QuasarState *s)
{
    unsigned int qi;

    for (qi = 0; qi < QUASAR_NUM_QUEUES; qi++) {
        qemu_cond_signal(&s->hwq[qi].worker.wake);
    }
}

void quasar_hwq_start_workers(QuasarState *s)
{
    unsigned int qi;

    qemu_cond_init(&s->hwq_gone);
    s->hwq_live = QUASAR_NUM_QUEUES;

    for (qi = 0; qi < QUASAR_NUM_QUEUES; qi++) {
        QuasarHwQueue *q = &s->hwq[qi];
        char name[16];

        q->index = qi;
        snprintf(name, sizeof(name), "quasar-q%u", qi);
        quasar_hal_init(s, &q->worker, name);
        quasar_engine_attach(s, &q->worker, true);
        qemu_cond_init(&q->worker.wake);
        qemu_thread_create(&q->worker.thread, q->worker.name,
                           quasar_hwq_thread, q, QEMU_THREAD_JOINABLE);
    }
}
