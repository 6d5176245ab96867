/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Quasar NPU: BAR0 register file (spec section 2).
 *
 * Only aligned 32-bit accesses reach a register; anything else reads 0, is
 * dropped and logged, so a guest cannot hit a half-written register. Each
 * access holds the device lock, and interrupts are re-evaluated after
 * every write, outside it.
 */
#include "qemu/osdep.h"
#include "quasar.h"
#include "trace.h"

static uint32_t quasar_reg_read_locked(QuasarState *s, hwaddr addr)
{
    uint32_t val = 0;

    switch (addr) {
    case QUASAR_REG_ID:
        return QUASAR_ID_VALUE;
    case QUASAR_REG_HW_VERSION:
        return QUASAR_HW_VERSION_VALUE;
    case QUASAR_REG_NUM_QUEUES:
        return QUASAR_NUM_QUEUES;
    case QUASAR_REG_NUM_CTX:
        return QUASAR_NUM_CTX;
    case QUASAR_REG_NUM_ENGINES:
        return s->engines;
    case QUASAR_REG_DEV_CTRL:
        return 0;
    case QUASAR_REG_DEV_STATUS:
        return s->resetting ? QUASAR_DEV_STATUS_RESETTING : 0;
    case QUASAR_REG_SCRATCH:
        return s->scratch;
    }
    if (quasar_boot_read_locked(s, addr, &val) ||
        quasar_power_read_locked(s, addr, &val) ||
        quasar_irq_read_locked(s, addr, &val) ||
        quasar_ctx_read_locked(s, addr, &val) ||
        quasar_hwq_read_locked(s, addr, &val) ||
        quasar_debug_read_locked(s, addr, &val)) {
        return val;
    }
    QUASAR_GUEST_ERR("read of unknown register 0x%" HWADDR_PRIx, addr);
    return 0;
}

static void quasar_reg_write_locked(QuasarState *s, hwaddr addr,
                                    uint32_t val)
{
    if (s->resetting) {
        QUASAR_GUEST_ERR("write 0x%x to 0x%" HWADDR_PRIx " during soft "
                         "reset; ignored", val, addr);
        return;
    }
    if (quasar_power_blocks_write_locked(s, addr, val)) {
        return;
    }
    switch (addr) {
    case QUASAR_REG_DEV_CTRL:
        if (val & ~QUASAR_DEV_CTRL_RESET) {
            QUASAR_GUEST_ERR("DEV_CTRL reserved bits 0x%x",
                             val & ~QUASAR_DEV_CTRL_RESET);
        }
        if (val & QUASAR_DEV_CTRL_RESET) {
            quasar_soft_reset_request_locked(s);
            /*
             * The reset drops every queued job: a hold of the engines
             * (spec section 11) goes with them, unlike the faults.
             */
            quasar_sched_hold_locked(s, false);
        }
        return;
    case QUASAR_REG_SCRATCH:
        s->scratch = val;
        return;
    case QUASAR_REG_ID:
    case QUASAR_REG_HW_VERSION:
    case QUASAR_REG_NUM_QUEUES:
    case QUASAR_REG_NUM_CTX:
    case QUASAR_REG_NUM_ENGINES:
    case QUASAR_REG_DEV_STATUS:
        QUASAR_GUEST_ERR("write to read-only register 0x%" HWADDR_PRIx,
                         addr);
        return;
    }
    if (quasar_boot_write_locked(s, addr, val) ||
        quasar_power_write_locked(s, addr, val) ||
        quasar_irq_write_locked(s, addr, val) ||
        quasar_ctx_write_locked(s, addr, val) ||
        quasar_hwq_write_locked(s, addr, val) ||
        quasar_debug_write_locked(s, addr, val)) {
        return;
    }
    QUASAR_GUEST_ERR("write 0x%x to unknown register 0x%" HWADDR_PRIx,
                     val, addr);
}

static bool quasar_mmio_access_ok(hwaddr addr, unsigned size, bool write)
{
    if (size == 4 && !(addr & 3)) {
        return true;
    }
    QUASAR_GUEST_ERR("%u-byte %s at 0x%" HWADDR_PRIx ": registers take "
                     "aligned 32-bit accesses only", size,
                     write ? "write" : "read", addr);
    return false;
}

static uint64_t quasar_mmio_read(void *opaque, hwaddr addr, unsigned size)
{
    QuasarState *s = opaque;
    uint32_t val;

    if (!quasar_mmio_access_ok(addr, size, false)) {
        return 0;
    }
    qemu_mutex_lock(&s->lock);
    quasar_power_check_access_locked(s, addr, false);
    val = quasar_reg_read_locked(s, addr);
    qemu_mutex_unlock(&s->lock);
    trace_quasar_mmio_read(addr, val);
    return val;
}

static void quasar_mmio_write(void *opaque, hwaddr addr, uint64_t val,
                              unsigned size)
{
    QuasarState *s = opaque;

    if (!quasar_mmio_access_ok(addr, size, true)) {
        return;
    }
    trace_quasar_mmio_write(addr, val);
    qemu_mutex_lock(&s->lock);
    quasar_power_check_access_locked(s, addr, true);
    quasar_reg_write_locked(s, addr, val);
    qemu_mutex_unlock(&s->lock);
    quasar_irq_update(s);
}

const MemoryRegionOps quasar_mmio_ops = {
    .read = quasar_mmio_read,
    .write = quasar_mmio_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    /* Let every size through, so bad ones are logged rather than lost. */
    .valid = {
        .min_access_size = 1,
        .max_access_size = 8,
        .unaligned = true,
    },
    .impl = {
        .min_access_size = 1,
        .max_access_size = 8,
        .unaligned = true,
    },
};
