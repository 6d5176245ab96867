/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Quasar NPU: the compute engine of each hardware queue worker (spec
 * section 12).
 *
 * Every hardware queue worker owns an emulated SRAM, through which the
 * firmware stages every tile of ISA v1's compute commands, and a copy of
 * the cost parameters; both come from device properties, so a user can
 * model another NPU (a bigger SRAM, faster DRAM, a wider int4 array)
 * without touching the firmware. The boot worker gets an engine too, with
 * no SRAM to speak of: the firmware advertises the compute opcodes and
 * formats only when it boots with an engine attached, and the boot worker
 * never runs a command. A job's kernel calls run on the engine's
 * engine-threads host threads (quasar_pool.c).
 */
#include "qemu/osdep.h"
#include "qemu/memalign.h"
#include "qapi/error.h"
#include "quasar.h"

#define QUASAR_SRAM_MIN     (64 * KiB)
#define QUASAR_SRAM_MAX     (256 * MiB)

bool quasar_engine_check(QuasarState *s, Error **errp)
{
    const struct fw_cost_params *c = &s->cost;

    if (s->sram_size < QUASAR_SRAM_MIN || s->sram_size > QUASAR_SRAM_MAX ||
        s->sram_size % 64) {
        error_setg(errp, "quasar: sram-size %" PRIu64 " must be a multiple "
                   "of 64 in %" PRIu64 "..%" PRIu64, s->sram_size,
                   (uint64_t)QUASAR_SRAM_MIN, (uint64_t)QUASAR_SRAM_MAX);
        return false;
    }
    if (s->engines < 1 || s->engines > QUASAR_NUM_QUEUES) {
        error_setg(errp, "quasar: engines %u must be in 1..%u", s->engines,
                   QUASAR_NUM_QUEUES);
        return false;
    }
    if (!quasar_pool_check(s, errp)) {
        return false;
    }
    /* The rest may be 0 ("not modeled"), except what turns cycles to time. */
    if (!c->clock_mhz) {
        error_setg(errp, "quasar: clock-mhz must be at least 1");
        return false;
    }
    return true;
}

void quasar_engine_attach(QuasarState *s, QuasarWorker *w, bool runs_jobs)
{
    uint64_t size = runs_jobs ? s->sram_size : 64;

    w->sram = qemu_memalign(64, size);
    if (fw_engine_init(&w->engine, w->sram, size)) {
        /* Aligned and at least 64 bytes: fw_engine_init cannot refuse. */
        g_assert_not_reached();
    }
    w->engine.cost = s->cost;
    w->engine.stage_copy = s->stage_copy;
    if (runs_jobs) {
        uint64_t ws_size = fw_engine_ws_size(size);

        /* Host scratch for the SIMD GEMM kernels; not modeled memory. */
        w->ws = qemu_memalign(64, ws_size);
        fw_engine_use_simd(&w->engine, w->ws, ws_size);
        quasar_pool_attach(s, w);
    }
}

/* After the worker thread has exited. */
void quasar_engine_detach(QuasarWorker *w)
{
    quasar_pool_detach(w);
    quasar_xlat_detach(w);
    qemu_vfree(w->sram);
    qemu_vfree(w->ws);
    w->sram = NULL;
    w->ws = NULL;
}

/* After every fw_reset(), which clears fw->engine with the rest. */
void quasar_engine_bind(QuasarWorker *w)
{
    w->fw.engine = &w->engine;
}
