/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Quasar NPU: debug and health block (spec section 11).
 *
 * One-shot fault injection for the driver's recovery paths, armed through
 * DBG_INJECT or, for the power-on state, through device properties:
 *
 *   -device quasar,fault-hang=on,fault-queues=0x1
 *   -device quasar,fault-mmu=on,fault-va=0x100002000
 *   -device quasar,fault-fw-crash=on | fault-lost-irq=on | fault-corrupt-cpl=on
 *
 * A fault fires at the start of the next job on a hardware queue selected
 * by DBG_QUEUES. The device carries out hangs, crashes and lost interrupts;
 * MMU faults and corrupt records are decisions about the job, so they go to
 * the firmware (struct fw_inject). A soft reset leaves the block alone, so
 * a driver's reset at probe does not disarm what the properties armed.
 *
 * The per-hardware-queue progress counters count units of work (a job
 * start, a command, a page of a bulk command): they are bumped where the
 * firmware polls whether its job must stop, without the lock.
 *
 * A SLOW job waits DBG_PACE_US at each unit of progress (quasar_hwq.c), so
 * that a test can have a job outlast a watchdog's timeout while it keeps
 * making progress, however fast the host runs the firmware.
 *
 * DBG_HOLD.ENGINES holds the engine scheduler (quasar_sched.c): no job
 * starts while it is set, so a test can fill the rings first and then see
 * the order the scheduler grants engines in (DBG_GRANTS, Q.START_SEQ),
 * whatever the speed of the host. DBG_HOLD.RESET wedges the device: a soft
 * reset never completes, and only a PCI reset (FLR) brings it back, which
 * is what a driver's last-resort recovery needs to be tested against.
 * DBG_INPLACE counts the operand bytes the engines' kernels read where they
 * lie in guest RAM instead of from the SRAM copy the model describes
 * (quasar_hal.c dma_map, firmware/fw_wplace.c); the stage-copy property
 * turns that off, so that a test can compare the two.
 * DBG_D3_ACCESSES counts the register accesses that reached a powered-down
 * device (quasar_power.c), so a test can prove a driver never does that.
 */
#include "qemu/osdep.h"
#include "qemu/atomic.h"
#include "qemu/bitops.h"
#include "quasar.h"
#include "trace.h"

#define QUASAR_DBG_QMASK    ((1u << QUASAR_NUM_QUEUES) - 1)

/* Power-on state: what the properties armed, and the engines not held. */
void quasar_debug_reset_locked(QuasarState *s)
{
    QuasarDebug *d = &s->dbg;
    unsigned int q;

    d->armed = (d->prop_hang ? QUASAR_DBG_HANG : 0) |
               (d->prop_mmu ? QUASAR_DBG_MMU_FAULT : 0) |
               (d->prop_fw_crash ? QUASAR_DBG_FW_CRASH : 0) |
               (d->prop_lost_irq ? QUASAR_DBG_LOST_IRQ : 0) |
               (d->prop_corrupt_cpl ? QUASAR_DBG_CORRUPT_CPL : 0) |
               (d->prop_slow ? QUASAR_DBG_SLOW : 0);
    d->pace_us = MIN(d->prop_pace_us, QUASAR_DBG_PACE_MAX_US);
    d->queues = d->prop_queues & QUASAR_DBG_QMASK;
    d->fault_va = d->prop_va;
    d->fired = 0;
    d->hold_reset = false;
    d->d3_accesses = 0;
    d->inplace_bytes = 0;
    quasar_sched_hold_locked(s, false);
    for (q = 0; q < QUASAR_NUM_QUEUES; q++) {
        qatomic_set(&d->progress[q], 0);
    }
}

/* The faults armed for a job starting on hardware queue @q; they are spent. */
uint32_t quasar_debug_take_locked(QuasarState *s, unsigned int q)
{
    QuasarDebug *d = &s->dbg;
    uint32_t faults;

    if (!(d->queues & (1u << q)) || !d->armed) {
        return 0;
    }
    faults = d->armed;
    d->armed = 0;
    d->fired += ctpop32(faults);
    trace_quasar_debug_fire(q, faults);
    return faults;
}

/*
 * Only queue q's worker writes progress[q] while a job runs (the resets
 * that zero it wait for the workers to be idle), so a plain store will
 * do: it is bumped per command and page, where a locked increment of a
 * line the vCPU threads also write showed in profiles (5 % of a token).
 */
void quasar_debug_progress(QuasarState *s, unsigned int q)
{
    qatomic_set(&s->dbg.progress[q], qatomic_read(&s->dbg.progress[q]) + 1);
}

/*
 * The firmware stops: FW_STATUS CRASHED with FW_ERROR CRASH, every running
 * job is abandoned without a completion, no hardware queue runs until a
 * reset and a new boot, and the ERROR cause tells the driver.
 */
void quasar_debug_crash_locked(QuasarState *s)
{
    unsigned int q;

    s->boot.state = QUASAR_FW_STATE_CRASHED;
    s->boot.error = QUASAR_FW_ERR_CRASH;
    memset(&s->boot.info, 0, sizeof(s->boot.info));
    for (q = 0; q < QUASAR_NUM_QUEUES; q++) {
        quasar_worker_abort_locked(&s->hwq[q].worker);
    }
    trace_quasar_boot_done(s->boot.state, s->boot.error);
    quasar_irq_raise_locked(s, QUASAR_IRQ_ERROR);
}

bool quasar_debug_read_locked(QuasarState *s, hwaddr addr, uint32_t *val)
{
    QuasarDebug *d = &s->dbg;

    switch (addr) {
    case QUASAR_REG_DBG_INJECT:
        *val = d->armed;
        return true;
    case QUASAR_REG_DBG_QUEUES:
        *val = d->queues;
        return true;
    case QUASAR_REG_DBG_FAULT_VA_LO:
        *val = d->fault_va;
        return true;
    case QUASAR_REG_DBG_FAULT_VA_HI:
        *val = d->fault_va >> 32;
        return true;
    case QUASAR_REG_DBG_FIRED:
        *val = d->fired;
        return true;
    case QUASAR_REG_DBG_HOLD:
        *val = (s->engines_held ? QUASAR_DBG_HOLD_ENGINES : 0) |
               (d->hold_reset ? QUASAR_DBG_HOLD_RESET : 0);
        return true;
    case QUASAR_REG_DBG_GRANTS:
        *val = s->grant_seq;
        return true;
    case QUASAR_REG_DBG_D3_ACCESSES:
        *val = d->d3_accesses;
        return true;
    case QUASAR_REG_DBG_INPLACE_LO:
        *val = d->inplace_bytes;
        return true;
    case QUASAR_REG_DBG_INPLACE_HI:
        *val = d->inplace_bytes >> 32;
        return true;
    case QUASAR_REG_DBG_PACE_US:
        *val = d->pace_us;
        return true;
    }
    if (addr >= QUASAR_REG_Q_PROGRESS(0) &&
        addr < QUASAR_REG_Q_PROGRESS(QUASAR_NUM_QUEUES)) {
        unsigned int q = (addr - QUASAR_REG_Q_PROGRESS(0)) / 4;

        *val = qatomic_read(&d->progress[q]);
        return true;
    }
    return false;
}

bool quasar_debug_write_locked(QuasarState *s, hwaddr addr, uint32_t val)
{
    QuasarDebug *d = &s->dbg;

    switch (addr) {
    case QUASAR_REG_DBG_INJECT:
        if (val & ~(QUASAR_DBG_ALL | QUASAR_DBG_CLEAR)) {
            QUASAR_GUEST_ERR("DBG_INJECT reserved bits 0x%x",
                             val & ~(QUASAR_DBG_ALL | QUASAR_DBG_CLEAR));
        }
        if (val & QUASAR_DBG_CLEAR) {
            d->armed = 0;
        }
        d->armed |= val & QUASAR_DBG_ALL;
        trace_quasar_debug_arm(d->armed, d->queues);
        return true;
    case QUASAR_REG_DBG_QUEUES:
        if (val & ~QUASAR_DBG_QMASK) {
            QUASAR_GUEST_ERR("DBG_QUEUES 0x%x names queues that do not exist",
                             val);
        }
        d->queues = val & QUASAR_DBG_QMASK;
        return true;
    case QUASAR_REG_DBG_FAULT_VA_LO:
        d->fault_va = deposit64(d->fault_va, 0, 32, val);
        return true;
    case QUASAR_REG_DBG_FAULT_VA_HI:
        d->fault_va = deposit64(d->fault_va, 32, 32, val);
        return true;
    case QUASAR_REG_DBG_FIRED:
        QUASAR_GUEST_ERR("DBG_FIRED is read-only");
        return true;
    case QUASAR_REG_DBG_HOLD:
        if (val & ~(QUASAR_DBG_HOLD_ENGINES | QUASAR_DBG_HOLD_RESET)) {
            QUASAR_GUEST_ERR("DBG_HOLD reserved bits 0x%x",
                             val & ~(QUASAR_DBG_HOLD_ENGINES |
                                     QUASAR_DBG_HOLD_RESET));
        }
        d->hold_reset = val & QUASAR_DBG_HOLD_RESET;
        quasar_sched_hold_locked(s, val & QUASAR_DBG_HOLD_ENGINES);
        return true;
    case QUASAR_REG_DBG_GRANTS:
        QUASAR_GUEST_ERR("DBG_GRANTS is read-only");
        return true;
    case QUASAR_REG_DBG_D3_ACCESSES:
        QUASAR_GUEST_ERR("DBG_D3_ACCESSES is read-only");
        return true;
    case QUASAR_REG_DBG_INPLACE_LO:
    case QUASAR_REG_DBG_INPLACE_HI:
        QUASAR_GUEST_ERR("DBG_INPLACE is read-only");
        return true;
    case QUASAR_REG_DBG_PACE_US:
        if (val > QUASAR_DBG_PACE_MAX_US) {
            QUASAR_GUEST_ERR("DBG_PACE_US %u is above %u: clamped", val,
                             QUASAR_DBG_PACE_MAX_US);
        }
        d->pace_us = MIN(val, QUASAR_DBG_PACE_MAX_US);
        return true;
    }
    if (addr >= QUASAR_REG_Q_PROGRESS(0) &&
        addr < QUASAR_REG_Q_PROGRESS(QUASAR_NUM_QUEUES)) {
        QUASAR_GUEST_ERR("Q_PROGRESS is read-only");
        return true;
    }
    return false;
}
