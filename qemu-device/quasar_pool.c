/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Quasar NPU: the host threads of an engine (spec section 12.1,
 * "engine-threads").
 *
 * A hardware queue worker that holds an engine runs its job's kernel calls
 * on engine-threads host threads: itself and engine-threads - 1 helpers of
 * its own, which the firmware reaches through struct fw_engine.par_run.
 * The helpers only ever compute between the worker's SRAM and its kernel
 * scratch: no DMA, no device lock, no RCU, so they can neither see a reset
 * nor delay one beyond the call in progress, which the worker waits for
 * anyway. What they compute and what the job's statistics say do not
 * depend on how many there are (firmware/fw_gemm.c).
 *
 * One call at a time per pool (its worker's), so the pool keeps a single
 * batch: fn(arg, i) for i < n, handed out one index at a time under the
 * pool's lock; batches are few and large (a part is at least a million
 * multiply-adds), so the lock is not contended.
 */
#include "qemu/osdep.h"
#include "qemu/atomic.h"
#include "qemu/processor.h"
#include "qemu/timer.h"
#include "qapi/error.h"
#include "quasar.h"

#define QUASAR_POOL_MAX 64

/* Run batch items until none is left unclaimed; called with the lock. */
static void quasar_pool_work_locked(QuasarPool *p)
{
    while (p->next < p->n) {
        uint32_t i = p->next++;

        qemu_mutex_unlock(&p->lock);
        p->fn(p->arg, i);
        qemu_mutex_lock(&p->lock);
        if (++p->finished == p->n) {
            qemu_cond_signal(&p->done);
        }
    }
}

/*
 * A job's batches come in bursts (a large operand's gathers, then its
 * kernel calls): a helper that has just finished one watches for the next
 * for a few microseconds before it sleeps, as the wake-up of a sleeping
 * thread costs more than that. Bounded, so an idle engine costs nothing.
 */
#define QUASAR_POOL_SPIN_NS 20000

static void quasar_pool_spin(QuasarPool *p, uint64_t seen)
{
    int64_t until = get_clock() + QUASAR_POOL_SPIN_NS;

    while (qatomic_read(&p->batch) == seen && !qatomic_read(&p->stopping) &&
           get_clock() < until) {
        cpu_relax();
    }
}

static void *quasar_pool_thread(void *opaque)
{
    QuasarPool *p = opaque;
    uint64_t seen = 0;

    qemu_mutex_lock(&p->lock);
    for (;;) {
        if (seen && p->batch == seen && !p->stopping) {
            qemu_mutex_unlock(&p->lock);
            quasar_pool_spin(p, seen);
            qemu_mutex_lock(&p->lock);
        }
        while (!p->stopping && p->batch == seen) {
            qemu_cond_wait(&p->work, &p->lock);
        }
        if (p->stopping) {
            break;
        }
        seen = p->batch;
        quasar_pool_work_locked(p);
    }
    qemu_mutex_unlock(&p->lock);
    return NULL;
}

/* struct fw_engine.par_run: the worker works the batch with its helpers. */
static void quasar_pool_run(void *opaque, uint32_t n,
                            void (*fn)(void *arg, uint32_t i), void *arg)
{
    QuasarPool *p = opaque;

    qemu_mutex_lock(&p->lock);
    p->fn = fn;
    p->arg = arg;
    p->n = n;
    p->next = 0;
    p->finished = 0;
    qatomic_set(&p->batch, p->batch + 1);
    p->calls++;
    qemu_cond_broadcast(&p->work);
    quasar_pool_work_locked(p);
    while (p->finished < p->n) {
        qemu_cond_wait(&p->done, &p->lock);
    }
    qemu_mutex_unlock(&p->lock);
}

/* engine-threads 0: one thread per host CPU. */
uint32_t quasar_pool_threads(QuasarState *s)
{
    long cpus;

    if (s->engine_threads) {
        return s->engine_threads;
    }
    cpus = sysconf(_SC_NPROCESSORS_ONLN);
    return cpus < 1 ? 1 : MIN(cpus, QUASAR_POOL_MAX);
}

bool quasar_pool_check(QuasarState *s, Error **errp)
{
    if (s->engine_threads > QUASAR_POOL_MAX) {
        error_setg(errp, "quasar: engine-threads %u must be in 0..%u "
                   "(0: one per host CPU)", s->engine_threads,
                   QUASAR_POOL_MAX);
        return false;
    }
    return true;
}

void quasar_pool_attach(QuasarState *s, QuasarWorker *w)
{
    QuasarPool *p = &w->pool;
    uint32_t i;

    p->helpers = quasar_pool_threads(s) - 1;
    if (!p->helpers) {
        return;
    }
    qemu_mutex_init(&p->lock);
    qemu_cond_init(&p->work);
    qemu_cond_init(&p->done);
    p->threads = g_new0(QemuThread, p->helpers);
    for (i = 0; i < p->helpers; i++) {
        g_autofree char *name = g_strdup_printf("%s-t%u", w->name, i + 1);

        qemu_thread_create(&p->threads[i], name, quasar_pool_thread, p,
                           QEMU_THREAD_JOINABLE);
    }
    w->engine.par_run = quasar_pool_run;
    w->engine.par_opaque = p;
    w->engine.par_threads = p->helpers + 1;
}

/* After the worker has exited: no batch is running. */
void quasar_pool_detach(QuasarWorker *w)
{
    QuasarPool *p = &w->pool;
    uint32_t i;

    if (!p->helpers) {
        return;
    }
    qemu_mutex_lock(&p->lock);
    qatomic_set(&p->stopping, true);
    qemu_cond_broadcast(&p->work);
    qemu_mutex_unlock(&p->lock);
    for (i = 0; i < p->helpers; i++) {
        qemu_thread_join(&p->threads[i]);
    }
    g_free(p->threads);
    qemu_cond_destroy(&p->done);
    qemu_cond_destroy(&p->work);
    qemu_mutex_destroy(&p->lock);
    p->helpers = 0;
}

/* fn(arg, i) for i < n on the worker's engine threads (1 without helpers). */
void quasar_pool_par(QuasarWorker *w, uint32_t n,
                     void (*fn)(void *arg, uint32_t i), void *arg)
{
    uint32_t i;

    if (w->pool.helpers && n > 1) {
        quasar_pool_run(&w->pool, n, fn, arg);
        return;
    }
    for (i = 0; i < n; i++) {
        fn(arg, i);
    }
}
