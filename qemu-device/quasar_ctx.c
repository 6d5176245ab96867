/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Quasar NPU: MMU context slot registers (CTX[s].*).
 *
 * The device only stores them; hardware queue workers copy them into the
 * firmware state when a job starts, and the firmware walks the page tables.
 */
#include "qemu/osdep.h"
#include "qemu/bitops.h"
#include "quasar.h"

/* Writing this bit to FAULT_STATUS clears the slot's fault record. */
#define QUASAR_CTX_FAULT_CLEAR  (1u << 31)

static bool quasar_ctx_decode(hwaddr addr, unsigned int *slot, hwaddr *reg)
{
    if (addr < QUASAR_REG_CTX_BASE ||
        addr >= QUASAR_REG_CTX(QUASAR_NUM_CTX, 0)) {
        return false;
    }
    *slot = (addr - QUASAR_REG_CTX_BASE) / QUASAR_REG_CTX_STRIDE;
    *reg = (addr - QUASAR_REG_CTX_BASE) % QUASAR_REG_CTX_STRIDE;
    return true;
}

bool quasar_ctx_read_locked(QuasarState *s, hwaddr addr, uint32_t *val)
{
    unsigned int slot;
    hwaddr reg;
    QuasarCtx *c;

    if (!quasar_ctx_decode(addr, &slot, &reg)) {
        return false;
    }
    c = &s->ctx[slot];
    switch (reg) {
    case QUASAR_CTX_ROOT_LO:
        *val = c->root;
        return true;
    case QUASAR_CTX_ROOT_HI:
        *val = c->root >> 32;
        return true;
    case QUASAR_CTX_CTRL:
        *val = c->ctrl;
        return true;
    case QUASAR_CTX_FAULT_STATUS:
        *val = c->fault_status;
        return true;
    case QUASAR_CTX_FAULT_ADDR_LO:
        *val = c->fault_addr;
        return true;
    case QUASAR_CTX_FAULT_ADDR_HI:
        *val = c->fault_addr >> 32;
        return true;
    }
    return false;
}

bool quasar_ctx_write_locked(QuasarState *s, hwaddr addr, uint32_t val)
{
    unsigned int slot;
    hwaddr reg;
    QuasarCtx *c;

    if (!quasar_ctx_decode(addr, &slot, &reg)) {
        return false;
    }
    c = &s->ctx[slot];
    switch (reg) {
    case QUASAR_CTX_ROOT_LO:
        if (val & (QUASAR_PAGE_SIZE - 1)) {
            QUASAR_GUEST_ERR("CTX[%u].ROOT_LO 0x%x not 4 KiB aligned; "
                             "low bits dropped", slot, val);
        }
        c->root = deposit64(c->root, 0, 32, val & ~(QUASAR_PAGE_SIZE - 1));
        return true;
    case QUASAR_CTX_ROOT_HI:
        c->root = deposit64(c->root, 32, 32, val);
        return true;
    case QUASAR_CTX_CTRL:
        if (val & ~QUASAR_CTX_CTRL_VALID) {
            QUASAR_GUEST_ERR("CTX[%u].CTRL reserved bits 0x%x", slot,
                             val & ~QUASAR_CTX_CTRL_VALID);
        }
        c->ctrl = val & QUASAR_CTX_CTRL_VALID;
        return true;
    case QUASAR_CTX_FAULT_STATUS:
        if (val & QUASAR_CTX_FAULT_CLEAR) {
            c->fault_status = 0;
            c->fault_addr = 0;
        } else {
            QUASAR_GUEST_ERR("CTX[%u].FAULT_STATUS is read-only "
                             "(bit 31 clears)", slot);
        }
        return true;
    case QUASAR_CTX_FAULT_ADDR_LO:
    case QUASAR_CTX_FAULT_ADDR_HI:
        QUASAR_GUEST_ERR("CTX[%u] fault address is read-only", slot);
        return true;
    }
    return false;
}

/* Soft reset invalidates every slot; device reset also forgets the rest. */
void quasar_ctx_reset_locked(QuasarState *s, bool full)
{
    unsigned int slot;

    for (slot = 0; slot < QUASAR_NUM_CTX; slot++) {
        if (full) {
            s->ctx[slot] = (QuasarCtx) { 0 };
        } else {
            s->ctx[slot].ctrl &= ~QUASAR_CTX_CTRL_VALID;
        }
    }
}
