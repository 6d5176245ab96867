/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Quasar NPU: the HAL the firmware runs on (struct fw_hal), over PCI DMA.
 *
 * Every worker has its own HAL context (its QuasarWorker), so the firmware
 * never shares mutable state between threads. DMA is bus-mastered
 * (pci_dma_*), so it fails while Bus Master Enable is clear or when an
 * IOMMU refuses it, and every MemTxResult is checked.
 *
 * DMA may only target RAM. A DMA to MMIO would take the BQL inside the
 * memory core (prepare_mmio_access); the workers must never need the BQL,
 * or device reset and unplug, which wait for them under the BQL, could
 * deadlock. A guest pointing the device at MMIO gets a DMA error instead.
 *
 * Most DMA is to RAM the worker's translation cache maps (quasar_xlat.c):
 * one lookup, a memcpy, and for a write the dirty marking. The rest (the
 * first access to a window, an IOMMU in the path, MMIO) goes the slow way
 * below, which checks and reports it.
 */
#include "qemu/osdep.h"
#include "qemu/atomic.h"
#include "qemu/rcu.h"
#include "qemu/cutils.h"
#include "qemu/timer.h"
#include "exec/memory.h"
#include "sysemu/dma.h"
#include <zlib.h>
#include "quasar.h"
#include "trace.h"

/* True if [addr, addr + len) is RAM all along; caller holds the RCU lock. */
static bool quasar_dma_is_ram(AddressSpace *as, dma_addr_t addr,
                              dma_addr_t len, bool is_write)
{
    while (len) {
        hwaddr xlat, chunk = len;
        MemoryRegion *mr;

        mr = address_space_translate(as, addr, &xlat, &chunk, is_write,
                                     MEMTXATTRS_UNSPECIFIED);
        if (!chunk || !memory_access_is_direct(mr, is_write)) {
            return false;
        }
        addr += chunk;
        len -= chunk;
    }
    return true;
}

/*
 * A read copied straight out of the RAM each translation finds, instead of
 * checking the range and then translating it again in pci_dma_rw(): the
 * firmware's reads are many and small (operand rows, page-table lines),
 * and the second walk of the memory map was half of each one's cost. False
 * when a piece is not RAM; @buf may then hold part of the range. Caller
 * holds the RCU lock, which keeps the RAM where the pointers point.
 */
static bool quasar_dma_read_ram(AddressSpace *as, dma_addr_t addr,
                                uint8_t *buf, dma_addr_t len)
{
    /* What pci_dma_rw() orders before a read (dma_barrier()). */
    smp_mb();
    while (len) {
        hwaddr xlat, chunk = len;
        MemoryRegion *mr;

        mr = address_space_translate(as, addr, &xlat, &chunk, false,
                                     MEMTXATTRS_UNSPECIFIED);
        if (!chunk || !memory_access_is_direct(mr, false)) {
            return false;
        }
        memcpy(buf, (uint8_t *)memory_region_get_ram_ptr(mr) + xlat, chunk);
        addr += chunk;
        buf += chunk;
        len -= chunk;
    }
    return true;
}

static int quasar_dma_rw(QuasarWorker *w, uint64_t addr, void *buf,
                         uint32_t len, bool is_write)
{
    PCIDevice *pdev = w->pdev;
    AddressSpace *as = w->dma_as;
    const char *why = NULL;
    MemTxResult res;

    if (!len) {
        return 0;
    }
    if (qatomic_read(&w->epoch) != w->job_epoch) {
        why = "job abandoned";
    } else if (addr + len - 1 < addr) {
        why = "address range wraps";
    }
    if (why) {
        trace_quasar_dma_fail(addr, len, is_write, why);
        return -1;
    }

    /* One RCU section, so the map checked is the map accessed. */
    WITH_RCU_READ_LOCK_GUARD() {
        if (!quasar_xlat_rw(w, addr, buf, len, is_write)) {
            /* RAM the worker's translation cache maps: done. */
        } else if (!is_write) {
            if (!quasar_dma_read_ram(as, addr, buf, len)) {
                why = "not RAM, or bus mastering disabled";
            }
        } else if (!quasar_dma_is_ram(as, addr, len, is_write)) {
            why = "not RAM, or bus mastering disabled";
        } else {
            res = pci_dma_rw(pdev, addr, buf, len,
                             is_write ? DMA_DIRECTION_FROM_DEVICE
                                      : DMA_DIRECTION_TO_DEVICE,
                             MEMTXATTRS_UNSPECIFIED);
            if (res != MEMTX_OK) {
                why = "transaction failed";
            }
        }
    }
    if (why) {
        trace_quasar_dma_fail(addr, len, is_write, why);
        QUASAR_GUEST_ERR("%s DMA of %u bytes at 0x%" PRIx64 " failed: %s",
                         w->name, len, addr, why);
        return -1;
    }
    return 0;
}

static int quasar_hal_dma_read(void *opaque, uint64_t addr, void *buf,
                               uint32_t len)
{
    return quasar_dma_rw(opaque, addr, buf, len, false);
}

/*
 * A gather (struct fw_hal.dma_readv) large enough to share: below this,
 * waking the engine's threads costs more than the copy.
 */
#define QUASAR_GATHER_SHARE_MIN (256 * KiB)

static int quasar_hal_dma_readv(void *opaque, const struct fw_dma_seg *segs,
                                uint32_t n)
{
    QuasarWorker *w = opaque;
    uint64_t total = 0;
    uint32_t i;

    for (i = 0; i < n; i++) {
        total += segs[i].len;
    }
    if (w->pool.helpers && total >= QUASAR_GATHER_SHARE_MIN &&
        qatomic_read(&w->epoch) == w->job_epoch &&
        !quasar_xlat_readv(w, segs, n)) {
        return 0;
    }
    /* Piece by piece: the slow way checks and reports each. */
    for (i = 0; i < n; i++) {
        if (quasar_dma_rw(w, segs[i].addr, segs[i].buf, segs[i].len, false)) {
            return -1;
        }
    }
    return 0;
}

/*
 * A read-only pointer into guest RAM for the kernels to read an operand
 * where it lies (struct fw_hal.dma_map): one translation of the whole
 * range, which must be one RAM block that the device may read directly
 * (no IOMMU page boundary, no MMIO, bus mastering on), else NULL and the
 * firmware copies it the slow way, which checks and reports. The RCU read
 * section entered here lasts until quasar_hal_dma_unmap(), on the same
 * worker thread, so the RAM stays where the pointer points even if the
 * memory map changes meanwhile (a DIMM unplugged is freed after it ends),
 * as for a DMA in flight. No dirty marking: nothing is written.
 */
static const void *quasar_hal_dma_map(void *opaque, uint64_t addr,
                                      uint64_t len)
{
    QuasarWorker *w = opaque;
    AddressSpace *as = w->dma_as;
    hwaddr xlat, chunk = len;
    MemoryRegion *mr;

    if (!len || addr + len - 1 < addr ||
        qatomic_read(&w->epoch) != w->job_epoch) {
        return NULL;
    }
    rcu_read_lock();
    mr = address_space_translate(as, addr, &xlat, &chunk, false,
                                 MEMTXATTRS_UNSPECIFIED);
    if (chunk < len || !memory_access_is_direct(mr, false)) {
        rcu_read_unlock();
        return NULL;
    }
    /* What pci_dma_rw() orders before a read (dma_barrier()). */
    smp_mb();
    return (const uint8_t *)memory_region_get_ram_ptr(mr) + xlat;
}

static void quasar_hal_dma_unmap(void *opaque, const void *p)
{
    rcu_read_unlock();
}

static int quasar_hal_dma_write(void *opaque, uint64_t addr, const void *buf,
                                uint32_t len)
{
    /* pci_dma_rw takes a non-const buffer for both directions. */
    return quasar_dma_rw(opaque, addr, (void *)buf, len, true);
}

static uint32_t quasar_hal_crc32(uint32_t crc, const void *buf, size_t len)
{
    const Bytef *p = buf;

    /* zlib counts in uInt; split so a large len cannot be truncated. */
    while (len) {
        uInt n = len > UINT_MAX ? UINT_MAX : len;

        crc = crc32(crc, p, n);
        p += n;
        len -= n;
    }
    return crc;
}

static void quasar_hal_log(void *opaque, const char *msg)
{
    QuasarWorker *w = opaque;

    trace_quasar_fw_log(w->name, msg);
    quasar_fwlog_append(w->dev, w->name, msg);
}

/*
 * The host's monotonic clock for the job times by phase (fw_api.h
 * fw_job_time), only while their trace event is on: each stamp costs tens
 * of nanoseconds (25 here). The page walks and DMA, hundreds a job, are
 * timed only while quasar_hwq_job_transfers is on too (quasar_hwq.c).
 */
static uint64_t quasar_hal_now_ns(void *opaque)
{
    if (!trace_event_get_state_backends(TRACE_QUASAR_HWQ_JOB_PHASES)) {
        return 0;
    }
    return get_clock();
}

void quasar_hal_init(QuasarState *s, QuasarWorker *w, const char *name)
{
    w->dev = s;
    w->pdev = PCI_DEVICE(s);
    w->dma_as = pci_get_address_space(w->pdev);
    pstrcpy(w->name, sizeof(w->name), name);
    quasar_xlat_attach(w);
    w->fw.hal = (struct fw_hal) {
        .dma_read = quasar_hal_dma_read,
        .dma_write = quasar_hal_dma_write,
        .dma_readv = quasar_hal_dma_readv,
        .dma_map = quasar_hal_dma_map,
        .dma_unmap = quasar_hal_dma_unmap,
        .crc32 = quasar_hal_crc32,
        .log = quasar_hal_log,
        .now_ns = quasar_hal_now_ns,
        .opaque = w,
    };
}

/* Make the worker's current job, if any, fail its next DMA and be dropped. */
void quasar_worker_abort_locked(QuasarWorker *w)
{
    qatomic_set(&w->epoch, w->epoch + 1);
}
