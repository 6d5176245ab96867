/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Quasar NPU: a cache of guest RAM translations for the workers' DMA.
 *
 * The firmware moves a job's operands as thousands of DMAs (a page of
 * weights, an activation row, a page-table line), and translating each
 * through the bus master address space cost as much as copying it. Each
 * worker keeps up to QUASAR_XLAT_ENTRIES MemoryRegionCaches, one per 2 MiB
 * window of guest-physical addresses and direction, as virtio keeps its
 * rings': a DMA inside one is a memcpy, and a write marks the RAM dirty
 * (and drops translated code) as address_space_write() would.
 *
 * What the cache maps only changes with the memory map: Bus Master Enable,
 * BARs, RAM hot-plug and IOMMU regions all change it through a memory
 * transaction, and the listener below bumps QuasarState.xlat_gen at the
 * start of every one (begin) and again at its end (commit). An entry made
 * under another generation is never used, and the caller's RCU read
 * section, entered before the generation is read, keeps what an entry
 * made under the current one points to until the section ends. Entries
 * hold a reference to their RAM, given up when the worker next sees the
 * generation move, and at unplug, and dropped by the RCU thread. An
 * address the cache cannot map as RAM (an IOMMU in the path, MMIO, a
 * hole) goes the slow way (quasar_hal.c), which checks and reports it as
 * before. The device's own MMU (the
 * firmware's TLB, emptied per job, hw-spec section 4) is above all this:
 * a guest page-table change is seen by the next job whatever this caches.
 */
#include "qemu/osdep.h"
#include "qemu/atomic.h"
#include "qemu/rcu.h"
#include "exec/memory.h"
#include "sysemu/dma.h"
#include "quasar.h"

#define QUASAR_XLAT_WINDOW  (1ull << QUASAR_XLAT_SHIFT)
#define QUASAR_XLAT_PAGE_MASK (~(uint64_t)(QUASAR_PAGE_SIZE - 1))

static void quasar_xlat_bump(MemoryListener *listener)
{
    QuasarState *s = container_of(listener, QuasarState, xlat_listener);

    qatomic_inc(&s->xlat_gen);
}

void quasar_xlat_init(QuasarState *s)
{
    s->xlat_listener = (MemoryListener) {
        .name = "quasar-xlat",
        .begin = quasar_xlat_bump,
        .commit = quasar_xlat_bump,
    };
    memory_listener_register(&s->xlat_listener,
                             pci_get_address_space(PCI_DEVICE(s)));
}

void quasar_xlat_exit(QuasarState *s)
{
    memory_listener_unregister(&s->xlat_listener);
}

void quasar_xlat_attach(QuasarWorker *w)
{
    w->xlat.e = g_new0(QuasarXlatEntry, QUASAR_XLAT_ENTRIES);
}

/* After the worker thread has exited. */
void quasar_xlat_detach(QuasarWorker *w)
{
    quasar_xlat_drop(w);
    g_free(w->xlat.e);
    w->xlat.e = NULL;
}

/*
 * A cache given up: its references are dropped by the RCU thread, which
 * holds the BQL, as the last reference to a RAM region (a DIMM unplugged
 * meanwhile) may finalize it, and the workers never take the BQL.
 */
typedef struct QuasarXlatDead {
    struct rcu_head rcu;
    MemoryRegionCache cache;
} QuasarXlatDead;

static void quasar_xlat_free_dead(QuasarXlatDead *d)
{
    address_space_cache_destroy(&d->cache);
    g_free(d);
}

static void quasar_xlat_forget(QuasarXlatEntry *e)
{
    QuasarXlatDead *d = g_new(QuasarXlatDead, 1);

    d->cache = e->cache;
    call_rcu(d, quasar_xlat_free_dead, rcu);
    e->valid = false;
}

/* Forget every entry (the worker's own thread, or after it exited). */
void quasar_xlat_drop(QuasarWorker *w)
{
    unsigned int i;

    for (i = 0; i < QUASAR_XLAT_ENTRIES; i++) {
        if (w->xlat.e[i].valid) {
            quasar_xlat_forget(&w->xlat.e[i]);
        }
    }
}

/*
 * The entry that maps addr for this direction under generation gen, made
 * if need be; NULL if addr is not RAM that can be accessed directly.
 */
static QuasarXlatEntry *quasar_xlat_find(QuasarWorker *w, uint64_t addr,
                                         bool is_write, uint32_t gen)
{
    uint64_t base = addr & ~(QUASAR_XLAT_WINDOW - 1), start;
    unsigned int i = ((addr >> QUASAR_XLAT_SHIFT) * 2 + is_write) %
                     QUASAR_XLAT_ENTRIES;
    QuasarXlatEntry *e = &w->xlat.e[i];
    AddressSpace *as;
    int64_t len;

    if (e->valid && e->gen == gen && e->is_write == is_write &&
        addr >= e->base && addr - e->base < e->len) {
        w->xlat.hits++;
        return e;
    }
    w->xlat.misses++;
    as = w->dma_as;
    if (e->valid) {
        quasar_xlat_forget(e);
    }
    /* From the window's start if it is RAM there, else from addr's page. */
    for (start = base; ; start = addr & QUASAR_XLAT_PAGE_MASK) {
        len = address_space_cache_init(&e->cache, as, start,
                                       base + QUASAR_XLAT_WINDOW - start,
                                       is_write);
        if (len > 0 && e->cache.ptr && addr - start < (uint64_t)len) {
            break;
        }
        /* Never valid: its references go the same way. */
        quasar_xlat_forget(e);
        if (start != base || (addr & QUASAR_XLAT_PAGE_MASK) == base) {
            return NULL;
        }
    }
    e->base = start;
    e->len = len;
    e->gen = gen;
    e->is_write = is_write;
    e->valid = true;
    return e;
}

/*
 * The transfer through the cache: 0 if done, -1 if some of it is not
 * cacheable RAM (nothing reported: the caller's slow path redoes the whole
 * transfer, checks it and reports). Caller holds the RCU read lock.
 */
int quasar_xlat_rw(QuasarWorker *w, uint64_t addr, void *buf, uint32_t len,
                   bool is_write)
{
    uint32_t gen = qatomic_read(&w->dev->xlat_gen);
    uint8_t *p = buf;

    if (gen != w->xlat.gen_seen) {
        quasar_xlat_drop(w);
        w->xlat.gen_seen = gen;
    }
    /* What pci_dma_rw() orders before the access (dma_barrier()). */
    smp_mb();
    while (len) {
        QuasarXlatEntry *e = quasar_xlat_find(w, addr, is_write, gen);
        uint64_t off, n;

        if (!e) {
            return -1;
        }
        off = addr - e->base;
        n = MIN(len, e->len - off);
        if (is_write) {
            address_space_write_cached(&e->cache, off, p, n);
            address_space_cache_invalidate(&e->cache, off, n);
        } else {
            address_space_read_cached(&e->cache, off, p, n);
        }
        addr += n;
        p += n;
        len -= n;
    }
    return 0;
}

/*
 * A gathered read (struct fw_hal.dma_readv) copied by the engine's
 * threads: each takes a share of the pieces. The pointers are found here,
 * on the worker, within its RCU read section, which lasts until every
 * thread has copied.
 */
typedef struct QuasarXlatGather {
    const struct fw_dma_seg *segs;
    const uint8_t **src;
    uint32_t n, parts;
} QuasarXlatGather;

static void quasar_xlat_gather_part(void *arg, uint32_t part)
{
    QuasarXlatGather *g = arg;
    uint32_t i, end = (uint64_t)g->n * (part + 1) / g->parts;

    for (i = (uint64_t)g->n * part / g->parts; i < end; i++) {
        memcpy(g->segs[i].buf, g->src[i], g->segs[i].len);
    }
}

/*
 * 0 if done; -1, with nothing reported, if a piece is not in RAM the
 * cache maps (the caller then reads piece by piece the slow way).
 */
int quasar_xlat_readv(QuasarWorker *w, const struct fw_dma_seg *segs,
                      uint32_t n)
{
    const uint8_t *src[QUASAR_XLAT_GATHER_MAX];
    QuasarXlatGather g = {
        .segs = segs, .src = src, .n = n,
        .parts = MIN(w->pool.helpers + 1, n),
    };
    uint32_t gen, i;

    if (n > QUASAR_XLAT_GATHER_MAX) {
        return -1;
    }
    RCU_READ_LOCK_GUARD();
    gen = qatomic_read(&w->dev->xlat_gen);
    if (gen != w->xlat.gen_seen) {
        quasar_xlat_drop(w);
        w->xlat.gen_seen = gen;
    }
    for (i = 0; i < n; i++) {
        QuasarXlatEntry *e = quasar_xlat_find(w, segs[i].addr, false, gen);

        if (!e || segs[i].addr + segs[i].len - 1 < segs[i].addr ||
            segs[i].addr + segs[i].len > e->base + e->len) {
            return -1;
        }
        src[i] = (const uint8_t *)e->cache.ptr + (segs[i].addr - e->base);
    }
    /* What pci_dma_rw() orders before the access (dma_barrier()). */
    smp_mb();
    quasar_pool_par(w, g.parts, quasar_xlat_gather_part, &g);
    return 0;
}
