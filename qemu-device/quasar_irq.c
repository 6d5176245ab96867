/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Quasar NPU: interrupt causes (IRQ_STATUS / IRQ_MASK), MSI-X and INTx.
 *
 * Causes are level-like bits; MSI-X is an edge, sent when a cause becomes
 * both set and enabled (irq_sent remembers what was sent), so a driver that
 * clears a cause and then reads the rings cannot miss a later completion.
 * Without MSI-X, INTx follows (status & mask) != 0.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/main-loop.h"
#include "hw/pci/msix.h"
#include "quasar.h"
#include "trace.h"

static unsigned int quasar_irq_vector(uint32_t cause_bit)
{
    unsigned int q;

    for (q = 0; q < QUASAR_NUM_QUEUES; q++) {
        if (cause_bit == QUASAR_IRQ_QUEUE(q)) {
            return QUASAR_MSIX_QUEUE(q);
        }
    }
    return QUASAR_MSIX_DEVICE;
}

static void quasar_irq_set_intx(QuasarState *s, int level)
{
    if (level != s->intx_level) {
        trace_quasar_irq_intx(level);
        s->intx_level = level;
    }
    pci_set_irq(PCI_DEVICE(s), level);
}

/* Deliver what changed. Called with the BQL held and s->lock not held. */
void quasar_irq_update(QuasarState *s)
{
    PCIDevice *pdev = PCI_DEVICE(s);
    uint32_t asserted, fresh, vectors = 0;
    bool msix = msix_enabled(pdev);
    unsigned int v;

    /*
     * irq_sent remembers MSI-X edges only: a cause raised while the guest
     * uses INTx (or nothing) must still produce a message once MSI-X is
     * enabled, or it would never be signalled again.
     */
    qemu_mutex_lock(&s->lock);
    asserted = s->irq_status & s->irq_mask;
    fresh = msix ? asserted & ~s->irq_sent : 0;
    s->irq_sent = msix ? asserted : 0;
    qemu_mutex_unlock(&s->lock);

    if (!msix) {
        quasar_irq_set_intx(s, asserted != 0);
        return;
    }
    quasar_irq_set_intx(s, 0);
    while (fresh) {
        uint32_t bit = fresh & -fresh;

        vectors |= 1u << quasar_irq_vector(bit);
        fresh &= ~bit;
    }
    for (v = 0; v < QUASAR_NUM_MSIX; v++) {
        if (vectors & (1u << v)) {
            trace_quasar_irq_msix(v);
            msix_notify(pdev, v);
        }
    }
}

static void quasar_irq_bh(void *opaque)
{
    quasar_irq_update(opaque);
}

/* Set a cause from any thread; delivery happens in the main loop. */
void quasar_irq_raise_locked(QuasarState *s, uint32_t cause)
{
    s->irq_status |= cause;
    if (s->irq_mask & cause) {
        qemu_bh_schedule(s->irq_bh);
    }
}

/*
 * Set a cause from a hardware queue's worker, which delivers it itself
 * (quasar_irq_deliver()) once it has dropped the lock and ended its job.
 * True if the cause is enabled, i.e. there is something to deliver.
 */
bool quasar_irq_raise_direct_locked(QuasarState *s, uint32_t cause)
{
    s->irq_status |= cause;
    return s->irq_mask & cause;
}

/* From a worker thread that holds neither the BQL nor the lock. */
void quasar_irq_deliver(QuasarState *s)
{
    qemu_mutex_lock_iothread();
    quasar_irq_update(s);
    qemu_mutex_unlock_iothread();
}

bool quasar_irq_read_locked(QuasarState *s, hwaddr addr, uint32_t *val)
{
    switch (addr) {
    case QUASAR_REG_IRQ_STATUS:
        *val = s->irq_status;
        return true;
    case QUASAR_REG_IRQ_MASK:
        *val = s->irq_mask;
        return true;
    }
    return false;
}

bool quasar_irq_write_locked(QuasarState *s, hwaddr addr, uint32_t val)
{
    if (addr != QUASAR_REG_IRQ_STATUS && addr != QUASAR_REG_IRQ_MASK) {
        return false;
    }
    if (val & ~QUASAR_IRQ_ALL) {
        QUASAR_GUEST_ERR("reserved bits 0x%x written to 0x%" HWADDR_PRIx,
                         val & ~QUASAR_IRQ_ALL, addr);
    }
    if (addr == QUASAR_REG_IRQ_STATUS) {
        s->irq_status &= ~val;
    } else {
        s->irq_mask = val & QUASAR_IRQ_ALL;
    }
    /*
     * Forget the edges of causes no longer asserted here, under the same
     * lock as the write: quasar_irq_update() runs only after this lock is
     * dropped, and a worker may raise the cause again in between. Had the
     * old edge still been recorded then, the new one would look already
     * sent and the guest would never hear of it (a lost interrupt).
     */
    s->irq_sent &= s->irq_status & s->irq_mask;
    return true;
}

void quasar_irq_reset_locked(QuasarState *s)
{
    s->irq_status = 0;
    s->irq_mask = 0;
    s->irq_sent = 0;
}

bool quasar_irq_init(QuasarState *s, Error **errp)
{
    PCIDevice *pdev = PCI_DEVICE(s);
    unsigned int v;

    if (msix_init_exclusive_bar(pdev, QUASAR_NUM_MSIX, QUASAR_BAR_MSIX,
                                errp)) {
        return false;
    }
    /* Every vector has a fixed cause, so all are in use from the start. */
    for (v = 0; v < QUASAR_NUM_MSIX; v++) {
        msix_vector_use(pdev, v);
    }
    s->irq_bh = qemu_bh_new_guarded(quasar_irq_bh, s,
                                    &DEVICE(s)->mem_reentrancy_guard);
    return true;
}

void quasar_irq_exit(QuasarState *s)
{
    PCIDevice *pdev = PCI_DEVICE(s);

    qemu_bh_delete(s->irq_bh);
    s->irq_bh = NULL;
    msix_unuse_all_vectors(pdev);
    msix_uninit_exclusive_bar(pdev);
}
