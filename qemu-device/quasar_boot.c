/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Quasar NPU: firmware boot (FW_* registers, spec section 3).
 *
 * FW_BOOT only records the request; the boot worker reads the image by DMA
 * and has the firmware validate it, so a vCPU never waits for either.
 */
#include "qemu/osdep.h"
#include "qemu/bitops.h"
#include "qemu/rcu.h"
#include "quasar.h"
#include "trace.h"

#define QUASAR_ROM_ABI  ((QUASAR_FW_ABI_MAJOR << 16) | QUASAR_FW_ABI_MINOR)

/* Fetch and check the image; returns enum quasar_fw_error. */
static uint32_t quasar_boot_run(QuasarWorker *w, uint64_t addr, uint32_t size)
{
    g_autofree uint8_t *image = NULL;
    uint32_t err;

    /* Bound the DMA before doing it: FW_SIZE is guest-controlled. */
    if (size < sizeof(struct quasar_fw_header) || size > QUASAR_FW_MAX_SIZE) {
        QUASAR_GUEST_ERR("FW_SIZE %u outside %zu..%u", size,
                         sizeof(struct quasar_fw_header), QUASAR_FW_MAX_SIZE);
        return QUASAR_FW_ERR_SIZE;
    }
    image = g_malloc(size);
    if (w->fw.hal.dma_read(w->fw.hal.opaque, addr, image, size)) {
        return QUASAR_FW_ERR_DMA;
    }
    fw_reset(&w->fw);
    quasar_engine_bind(w);
    err = fw_boot(&w->fw, image, size);
    if (err) {
        QUASAR_GUEST_ERR("firmware image at 0x%" PRIx64 " rejected: "
                         "FW_ERROR %u", addr, err);
    }
    return err;
}

static void quasar_boot_finish_locked(QuasarState *s, uint32_t err)
{
    QuasarBoot *b = &s->boot;

    b->error = err;
    if (err) {
        b->state = QUASAR_FW_STATE_ERROR;
    } else {
        b->state = QUASAR_FW_STATE_READY;
        b->info = b->worker.fw.info;
        quasar_hwq_kick_all_locked(s);
    }
    trace_quasar_boot_done(b->state, b->error);
    quasar_irq_raise_locked(s, QUASAR_IRQ_FW_BOOT);
}

static void *quasar_boot_thread(void *opaque)
{
    QuasarState *s = opaque;
    QuasarBoot *b = &s->boot;
    QuasarWorker *w = &b->worker;

    rcu_register_thread();
    qemu_mutex_lock(&s->lock);
    for (;;) {
        uint64_t addr;
        uint32_t size, err;

        while (!s->stopping &&
               !(b->pending && !s->halted && !s->resetting)) {
            qemu_cond_wait(&w->wake, &s->lock);
        }
        if (s->stopping) {
            break;
        }
        b->pending = false;
        w->busy = true;
        w->job_epoch = w->epoch;
        addr = b->addr;
        size = b->size;
        qemu_mutex_unlock(&s->lock);

        trace_quasar_boot_start(addr, size);
        err = quasar_boot_run(w, addr, size);

        qemu_mutex_lock(&s->lock);
        if (w->job_epoch == w->epoch) {
            quasar_boot_finish_locked(s, err);
        }
        quasar_worker_done_locked(s, w);
    }
    qemu_mutex_unlock(&s->lock);
    rcu_unregister_thread();
    return NULL;
}

static void quasar_boot_request_locked(QuasarState *s, uint32_t val)
{
    QuasarBoot *b = &s->boot;

    if (val != QUASAR_FW_BOOT_GO) {
        QUASAR_GUEST_ERR("FW_BOOT written with 0x%x, not 0x%x", val,
                         QUASAR_FW_BOOT_GO);
        return;
    }
    memset(&b->info, 0, sizeof(b->info));
    if (b->state == QUASAR_FW_STATE_BOOTING ||
        b->state == QUASAR_FW_STATE_READY) {
        QUASAR_GUEST_ERR("FW_BOOT while the firmware is %s",
                         b->state == QUASAR_FW_STATE_READY ? "ready"
                                                           : "booting");
        /* A boot in flight is abandoned: its verdict must not land later. */
        quasar_worker_abort_locked(&b->worker);
        b->pending = false;
        b->state = QUASAR_FW_STATE_ERROR;
        b->error = QUASAR_FW_ERR_STATE;
        trace_quasar_boot_done(b->state, b->error);
        quasar_irq_raise_locked(s, QUASAR_IRQ_FW_BOOT);
        return;
    }
    b->state = QUASAR_FW_STATE_BOOTING;
    b->error = QUASAR_FW_OK;
    b->pending = true;
    qemu_cond_signal(&b->worker.wake);
}

bool quasar_boot_read_locked(QuasarState *s, hwaddr addr, uint32_t *val)
{
    QuasarBoot *b = &s->boot;
    bool ready = b->state == QUASAR_FW_STATE_READY;

    switch (addr) {
    case QUASAR_REG_FW_ADDR_LO:
        *val = b->addr;
        return true;
    case QUASAR_REG_FW_ADDR_HI:
        *val = b->addr >> 32;
        return true;
    case QUASAR_REG_FW_SIZE:
        *val = b->size;
        return true;
    case QUASAR_REG_FW_BOOT:
        *val = 0;
        return true;
    case QUASAR_REG_FW_STATUS:
        *val = b->state;
        return true;
    case QUASAR_REG_FW_ERROR:
        *val = b->error;
        return true;
    case QUASAR_REG_FW_VERSION:
        *val = ready ? b->info.fw_version : 0;
        return true;
    case QUASAR_REG_FW_BUILD_ID:
        *val = ready ? b->info.build_id : 0;
        return true;
    case QUASAR_REG_FW_ABI:
        /* Before a boot, the ABI the ROM speaks: drivers check it first. */
        *val = ready ? b->info.abi : QUASAR_ROM_ABI;
        return true;
    case QUASAR_REG_FW_CAPS:
        *val = ready ? b->info.caps : 0;
        return true;
    case QUASAR_REG_FW_OPS:
        *val = ready ? b->info.ops : 0;
        return true;
    case QUASAR_REG_FW_FORMATS:
        *val = ready ? b->info.formats : 0;
        return true;
    }
    return false;
}

bool quasar_boot_write_locked(QuasarState *s, hwaddr addr, uint32_t val)
{
    QuasarBoot *b = &s->boot;

    switch (addr) {
    case QUASAR_REG_FW_ADDR_LO:
        b->addr = deposit64(b->addr, 0, 32, val);
        return true;
    case QUASAR_REG_FW_ADDR_HI:
        b->addr = deposit64(b->addr, 32, 32, val);
        return true;
    case QUASAR_REG_FW_SIZE:
        b->size = val;
        return true;
    case QUASAR_REG_FW_BOOT:
        quasar_boot_request_locked(s, val);
        return true;
    case QUASAR_REG_FW_STATUS:
    case QUASAR_REG_FW_ERROR:
    case QUASAR_REG_FW_VERSION:
    case QUASAR_REG_FW_BUILD_ID:
    case QUASAR_REG_FW_ABI:
    case QUASAR_REG_FW_CAPS:
    case QUASAR_REG_FW_OPS:
    case QUASAR_REG_FW_FORMATS:
        QUASAR_GUEST_ERR("write to read-only register 0x%" HWADDR_PRIx,
                         addr);
        return true;
    }
    return false;
}

/* Firmware back to OFF; the caller made sure the worker is idle. */
void quasar_boot_reset_locked(QuasarState *s, bool full)
{
    QuasarBoot *b = &s->boot;

    quasar_worker_abort_locked(&b->worker);
    b->pending = false;
    b->state = QUASAR_FW_STATE_OFF;
    b->error = QUASAR_FW_OK;
    memset(&b->info, 0, sizeof(b->info));
    if (full) {
        b->addr = 0;
        b->size = 0;
    }
}

void quasar_boot_start_worker(QuasarState *s)
{
    QuasarWorker *w = &s->boot.worker;

    quasar_hal_init(s, w, "quasar-boot");
    quasar_engine_attach(s, w, false);
    qemu_cond_init(&w->wake);
    qemu_thread_create(&w->thread, w->name, quasar_boot_thread, s,
                       QEMU_THREAD_JOINABLE);
}
