/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Quasar NPU: the PCIe device (type, realize/exit, reset).
 *
 *   -device quasar
 *
 * See quasar.h for the threading model and docs/hw-spec.md for the device.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/main-loop.h"
#include "qemu/module.h"
#include "migration/vmstate.h"
#include "quasar.h"
#include "hw/pci/pcie.h"
#include "hw/qdev-properties.h"
#include "trace.h"

static bool quasar_workers_busy_locked(QuasarState *s)
{
    unsigned int qi;

    if (s->boot.worker.busy) {
        return true;
    }
    for (qi = 0; qi < QUASAR_NUM_QUEUES; qi++) {
        if (s->hwq[qi].worker.busy) {
            return true;
        }
    }
    return false;
}

static void quasar_abort_all_locked(QuasarState *s)
{
    unsigned int qi;

    quasar_worker_abort_locked(&s->boot.worker);
    for (qi = 0; qi < QUASAR_NUM_QUEUES; qi++) {
        quasar_worker_abort_locked(&s->hwq[qi].worker);
    }
}

/* Registers back to reset values; no worker may be running a job. */
static void quasar_state_reset_locked(QuasarState *s, bool full)
{
    quasar_hwq_reset_locked(s, full);
    if (full) {
        quasar_sched_reset_locked(s);
    }
    quasar_ctx_reset_locked(s, full);
    quasar_boot_reset_locked(s, full);
    quasar_irq_reset_locked(s);
    s->resetting = false;
    if (full) {
        s->scratch = 0;
    }
}

/*
 * A worker finished a job (its result, if still wanted, is published).
 * Wake whoever waits for quiescence, and finish a pending soft reset.
 */
void quasar_worker_done_locked(QuasarState *s, QuasarWorker *w)
{
    w->busy = false;
    qemu_cond_broadcast(&s->idle);
    quasar_soft_reset_poll_locked(s);
}

/*
 * DEV_CTRL.RESET (spec section 7). The jobs in progress run to their end,
 * so the reset completes asynchronously: DEV_STATUS.RESETTING stays set
 * until the last worker is idle. No new job starts meanwhile.
 */
void quasar_soft_reset_request_locked(QuasarState *s)
{
    trace_quasar_reset("soft");
    s->resetting = true;
    quasar_soft_reset_poll_locked(s);
}

void quasar_soft_reset_poll_locked(QuasarState *s)
{
    if (!s->resetting || quasar_workers_busy_locked(s)) {
        return;
    }
    /* DBG_HOLD.RESET: a wedged device, which only a PCI reset recovers. */
    if (s->dbg.hold_reset && !s->power_down) {
        return;
    }
    /* A D3 entry loses everything a PCI reset does (spec 10.1). */
    quasar_state_reset_locked(s, quasar_power_soft_reset_done_locked(s));
    trace_quasar_soft_reset_done();
    /* Causes were cleared: INTx may have to drop. */
    qemu_bh_schedule(s->irq_bh);
}

/*
 * Device reset (system reset, PCI bus reset). Must be complete on return,
 * so jobs in progress are abandoned (their DMA starts failing) and waited
 * for, and no worker may pick up a queued job meanwhile. Waiting under the
 * BQL is safe: a worker takes it only after its job has ended.
 */
static void quasar_reset(DeviceState *dev)
{
    QuasarState *s = QUASAR(dev);

    trace_quasar_reset("device");
    qemu_mutex_lock(&s->lock);
    s->halted = true;
    quasar_abort_all_locked(s);
    while (quasar_workers_busy_locked(s)) {
        qemu_cond_wait(&s->idle, &s->lock);
    }
    quasar_state_reset_locked(s, true);
    quasar_power_reset_locked(s);
    quasar_debug_reset_locked(s);
    s->halted = false;
    qemu_mutex_unlock(&s->lock);
    quasar_irq_update(s);
}

static void quasar_init_state(QuasarState *s)
{
    qemu_mutex_init(&s->lock);
    qemu_cond_init(&s->idle);
    s->stopping = false;
    s->engines_free = s->engines;
    quasar_power_init(s);
    quasar_state_reset_locked(s, true);
    quasar_debug_reset_locked(s);
}

static bool quasar_init_pci(QuasarState *s, PCIDevice *pdev, Error **errp)
{
    pdev->config[PCI_INTERRUPT_PIN] = 1;
    if (pcie_endpoint_cap_init(pdev, 0x80) < 0) {
        error_setg(errp, "quasar: cannot add the PCI Express capability");
        return false;
    }
    /* Function-level reset: quasar_reset(), the device's power-on state. */
    pcie_cap_flr_init(pdev);
    memory_region_init_io(&s->mmio, OBJECT(s), &quasar_mmio_ops, s,
                          "quasar-regs", QUASAR_BAR0_SIZE);
    pci_register_bar(pdev, QUASAR_BAR_REGS,
                     PCI_BASE_ADDRESS_SPACE_MEMORY |
                     PCI_BASE_ADDRESS_MEM_TYPE_64, &s->mmio);
    return quasar_irq_init(s, errp);
}

/* A write of DEVCTL.BCR_FLR resets the function (pcie_cap_flr_init()). */
static void quasar_config_write(PCIDevice *pdev, uint32_t addr, uint32_t val,
                                int len)
{
    pci_default_write_config(pdev, addr, val, len);
    pcie_cap_flr_write_config(pdev, addr, val, len);
}

static void quasar_realize(PCIDevice *pdev, Error **errp)
{
    QuasarState *s = QUASAR(pdev);

    if (!quasar_engine_check(s, errp)) {
        return;
    }
    quasar_init_state(s);
    if (!quasar_init_pci(s, pdev, errp)) {
        quasar_power_exit(s);
        qemu_cond_destroy(&s->idle);
        qemu_mutex_destroy(&s->lock);
        return;
    }
    quasar_xlat_init(s);
    quasar_boot_start_worker(s);
    quasar_hwq_start_workers(s);
}

static void quasar_exit(PCIDevice *pdev)
{
    QuasarState *s = QUASAR(pdev);
    unsigned int qi;

    qemu_mutex_lock(&s->lock);
    s->stopping = true;
    quasar_abort_all_locked(s);
    qemu_cond_signal(&s->boot.worker.wake);
    quasar_hwq_kick_all_locked(s);
    qemu_mutex_unlock(&s->lock);

    /*
     * A queue worker delivers its last interrupt under the BQL, which we
     * hold: wait for them with it released, or one about to take it would
     * never get to exit.
     */
    while (s->hwq_live) {
        qemu_cond_wait_iothread(&s->hwq_gone);
    }
    qemu_thread_join(&s->boot.worker.thread);
    qemu_cond_destroy(&s->boot.worker.wake);
    quasar_engine_detach(&s->boot.worker);
    for (qi = 0; qi < QUASAR_NUM_QUEUES; qi++) {
        qemu_thread_join(&s->hwq[qi].worker.thread);
        qemu_cond_destroy(&s->hwq[qi].worker.wake);
        quasar_engine_detach(&s->hwq[qi].worker);
    }
    quasar_xlat_exit(s);
    quasar_irq_exit(s);
    quasar_power_exit(s);
    qemu_cond_destroy(&s->hwq_gone);
    qemu_cond_destroy(&s->idle);
    qemu_mutex_destroy(&s->lock);
}

/* One rate or energy of one weight format (spec section 12). */
#define QUASAR_PROP_FMT(name, field, fmt, def) \
    DEFINE_PROP_UINT32(name, QuasarState, \
                       cost.field[DRM_QUASAR_FORMAT_##fmt], def)

/*
 * Fault injection at power-on (spec section 11), see quasar_debug.c; the
 * modeled hardware (spec section 12), see quasar_engine.c. The defaults
 * are the firmware's own (fw_cost_defaults()).
 */
static Property quasar_properties[] = {
    DEFINE_PROP_BOOL("fault-hang", QuasarState, dbg.prop_hang, false),
    DEFINE_PROP_BOOL("fault-mmu", QuasarState, dbg.prop_mmu, false),
    DEFINE_PROP_BOOL("fault-fw-crash", QuasarState, dbg.prop_fw_crash, false),
    DEFINE_PROP_BOOL("fault-lost-irq", QuasarState, dbg.prop_lost_irq, false),
    DEFINE_PROP_BOOL("fault-corrupt-cpl", QuasarState, dbg.prop_corrupt_cpl,
                     false),
    DEFINE_PROP_BOOL("fault-slow", QuasarState, dbg.prop_slow, false),
    DEFINE_PROP_UINT32("fault-pace-us", QuasarState, dbg.prop_pace_us, 0),
    DEFINE_PROP_UINT32("fault-queues", QuasarState, dbg.prop_queues,
                       (1u << QUASAR_NUM_QUEUES) - 1),
    DEFINE_PROP_UINT64("fault-va", QuasarState, dbg.prop_va,
                       QUASAR_VA_START),
    DEFINE_PROP_UINT32("engines", QuasarState, engines, 2),
    DEFINE_PROP_UINT32("engine-threads", QuasarState, engine_threads, 0),
    DEFINE_PROP_SIZE("sram-size", QuasarState, sram_size, 4 * MiB),
    DEFINE_PROP_BOOL("stage-copy", QuasarState, stage_copy, false),
    DEFINE_PROP_UINT32("clock-mhz", QuasarState, cost.clock_mhz,
                       FW_COST_CLOCK_MHZ),
    DEFINE_PROP_UINT32("dram-bytes-per-cycle", QuasarState, cost.dram_bpc,
                       FW_COST_DRAM_BPC),
    DEFINE_PROP_UINT32("sram-bytes-per-cycle", QuasarState, cost.sram_bpc,
                       FW_COST_SRAM_BPC),
    DEFINE_PROP_UINT32("vector-elems-per-cycle", QuasarState,
                       cost.vec_per_cycle, FW_COST_VEC_PER_CYCLE),
    DEFINE_PROP_UINT32("fj-vector-elem", QuasarState, cost.fj_vec,
                       FW_COST_FJ_VEC),
    DEFINE_PROP_UINT32("fj-dram-byte", QuasarState, cost.fj_dram_byte,
                       FW_COST_FJ_DRAM_BYTE),
    DEFINE_PROP_UINT32("fj-sram-byte", QuasarState, cost.fj_sram_byte,
                       FW_COST_FJ_SRAM_BYTE),
    /* Per weight format: MACs/cycle and fJ/MAC, BF16 or int8 activations. */
    QUASAR_PROP_FMT("macs-a16-bf16", macs_a16, W_BF16, FW_COST_MACS_A16),
    QUASAR_PROP_FMT("macs-a8-bf16", macs_a8, W_BF16, 0),
    QUASAR_PROP_FMT("fj-mac-a16-bf16", fj_mac_a16, W_BF16, FW_COST_FJ_MAC_A16),
    QUASAR_PROP_FMT("fj-mac-a8-bf16", fj_mac_a8, W_BF16, FW_COST_FJ_MAC_A8_W8),
    QUASAR_PROP_FMT("macs-a16-int8", macs_a16, W_INT8, FW_COST_MACS_A16),
    QUASAR_PROP_FMT("macs-a8-int8", macs_a8, W_INT8, FW_COST_MACS_A8_W8),
    QUASAR_PROP_FMT("fj-mac-a16-int8", fj_mac_a16, W_INT8, FW_COST_FJ_MAC_A16),
    QUASAR_PROP_FMT("fj-mac-a8-int8", fj_mac_a8, W_INT8, FW_COST_FJ_MAC_A8_W8),
    QUASAR_PROP_FMT("macs-a16-int4", macs_a16, W_INT4, FW_COST_MACS_A16),
    QUASAR_PROP_FMT("macs-a8-int4", macs_a8, W_INT4, FW_COST_MACS_A8_W4),
    QUASAR_PROP_FMT("fj-mac-a16-int4", fj_mac_a16, W_INT4, FW_COST_FJ_MAC_A16),
    QUASAR_PROP_FMT("fj-mac-a8-int4", fj_mac_a8, W_INT4, FW_COST_FJ_MAC_A8_W4),
    QUASAR_PROP_FMT("macs-a16-mxint8", macs_a16, W_MXINT8, FW_COST_MACS_A16),
    QUASAR_PROP_FMT("macs-a8-mxint8", macs_a8, W_MXINT8, FW_COST_MACS_A8_W8),
    QUASAR_PROP_FMT("fj-mac-a16-mxint8", fj_mac_a16, W_MXINT8,
                    FW_COST_FJ_MAC_A16),
    QUASAR_PROP_FMT("fj-mac-a8-mxint8", fj_mac_a8, W_MXINT8,
                    FW_COST_FJ_MAC_A8_W8),
    QUASAR_PROP_FMT("macs-a16-mxfp8", macs_a16, W_MXFP8, FW_COST_MACS_A16),
    QUASAR_PROP_FMT("macs-a8-mxfp8", macs_a8, W_MXFP8, 0),
    QUASAR_PROP_FMT("fj-mac-a16-mxfp8", fj_mac_a16, W_MXFP8,
                    FW_COST_FJ_MAC_A16),
    QUASAR_PROP_FMT("fj-mac-a8-mxfp8", fj_mac_a8, W_MXFP8,
                    FW_COST_FJ_MAC_A8_W8),
    QUASAR_PROP_FMT("macs-a16-mxfp4", macs_a16, W_MXFP4, FW_COST_MACS_A16),
    QUASAR_PROP_FMT("macs-a8-mxfp4", macs_a8, W_MXFP4, FW_COST_MACS_A8_W4),
    QUASAR_PROP_FMT("fj-mac-a16-mxfp4", fj_mac_a16, W_MXFP4,
                    FW_COST_FJ_MAC_A16),
    QUASAR_PROP_FMT("fj-mac-a8-mxfp4", fj_mac_a8, W_MXFP4,
                    FW_COST_FJ_MAC_A8_W4),
    QUASAR_PROP_FMT("macs-a16-nvfp4", macs_a16, W_NVFP4, FW_COST_MACS_A16),
    QUASAR_PROP_FMT("macs-a8-nvfp4", macs_a8, W_NVFP4, FW_COST_MACS_A8_W4),
    QUASAR_PROP_FMT("fj-mac-a16-nvfp4", fj_mac_a16, W_NVFP4,
                    FW_COST_FJ_MAC_A16),
    QUASAR_PROP_FMT("fj-mac-a8-nvfp4", fj_mac_a8, W_NVFP4,
                    FW_COST_FJ_MAC_A8_W4),
    QUASAR_PROP_FMT("macs-a16-sp-bf16", macs_a16, W_SP_BF16, FW_COST_MACS_A16),
    QUASAR_PROP_FMT("macs-a8-sp-bf16", macs_a8, W_SP_BF16, 0),
    QUASAR_PROP_FMT("fj-mac-a16-sp-bf16", fj_mac_a16, W_SP_BF16,
                    FW_COST_FJ_MAC_A16),
    QUASAR_PROP_FMT("fj-mac-a8-sp-bf16", fj_mac_a8, W_SP_BF16,
                    FW_COST_FJ_MAC_A8_W8),
    QUASAR_PROP_FMT("macs-a16-sp-int8", macs_a16, W_SP_INT8, FW_COST_MACS_A16),
    QUASAR_PROP_FMT("macs-a8-sp-int8", macs_a8, W_SP_INT8, FW_COST_MACS_A8_W8),
    QUASAR_PROP_FMT("fj-mac-a16-sp-int8", fj_mac_a16, W_SP_INT8,
                    FW_COST_FJ_MAC_A16),
    QUASAR_PROP_FMT("fj-mac-a8-sp-int8", fj_mac_a8, W_SP_INT8,
                    FW_COST_FJ_MAC_A8_W8),
    QUASAR_PROP_FMT("macs-a16-sp-int4", macs_a16, W_SP_INT4, FW_COST_MACS_A16),
    QUASAR_PROP_FMT("macs-a8-sp-int4", macs_a8, W_SP_INT4, FW_COST_MACS_A8_W4),
    QUASAR_PROP_FMT("fj-mac-a16-sp-int4", fj_mac_a16, W_SP_INT4,
                    FW_COST_FJ_MAC_A16),
    QUASAR_PROP_FMT("fj-mac-a8-sp-int4", fj_mac_a8, W_SP_INT4,
                    FW_COST_FJ_MAC_A8_W4),
    DEFINE_PROP_END_OF_LIST(),
};

/* Jobs in flight and guest page tables are not worth migrating (yet). */
static const VMStateDescription quasar_vmstate = {
    .name = "quasar",
    .unmigratable = 1,
};

static void quasar_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);
    PCIDeviceClass *pc = PCI_DEVICE_CLASS(oc);

    pc->realize = quasar_realize;
    pc->exit = quasar_exit;
    pc->config_write = quasar_config_write;
    pc->vendor_id = QUASAR_PCI_VENDOR_ID;
    pc->device_id = QUASAR_PCI_DEVICE_ID;
    pc->revision = QUASAR_PCI_REVISION;
    pc->class_id = QUASAR_PCI_CLASS >> 8;
    dc->desc = "Quasar inference NPU";
    dc->vmsd = &quasar_vmstate;
    dc->reset = quasar_reset;
    device_class_set_props(dc, quasar_properties);
    set_bit(DEVICE_CATEGORY_MISC, dc->categories);
}

static const TypeInfo quasar_info = {
    .name = TYPE_QUASAR,
    .parent = TYPE_PCI_DEVICE,
    .instance_size = sizeof(QuasarState),
    .class_init = quasar_class_init,
    .interfaces = (InterfaceInfo[]) {
        { INTERFACE_PCIE_DEVICE },
        { }
    },
};

static void quasar_register_types(void)
{
    type_register_static(&quasar_info);
}

type_init(quasar_register_types)
