/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Quasar NPU: QEMU device model, shared state.
 *
 * The device is the hardware: registers, MSI-X, DMA, worker threads and
 * reset. The firmware (firmware/, linked in) makes every decision about
 * images, page tables, descriptors and commands, through the HAL of
 * quasar_hal.c. docs/hw-spec.md is the programmer's model.
 *
 * Locking. QuasarState.lock guards every register and every field below
 * that is not marked otherwise. The MMIO handlers take it under the BQL;
 * the worker threads (one per hardware queue, one for firmware boot) take
 * it without the BQL. Nobody holds it across guest DMA, and a worker
 * never takes the BQL while it runs a job: the boot worker asks for its
 * interrupts through irq_bh, and their DMA is restricted to RAM
 * (quasar_hal.c), which needs no BQL. So a thread holding the BQL can
 * always wait for a worker to finish its job, which is what device reset
 * does. A hardware queue's worker sends its completion interrupt itself,
 * under the BQL but after the job has ended (not busy, lock dropped): the
 * main loop's bottom half would put one more host thread between a job's
 * end and the guest, and that hand-off was a large part of a decode
 * token's time (docs/cost-model.md section 7). Order: BQL, then lock.
 * Unplug, which holds the BQL, waits for those workers with the BQL
 * released (hwq_gone), since one may be about to take it.
 *
 * A worker's engine computes on helper threads of its own (QuasarPool,
 * quasar_pool.c) that take no device lock and do no DMA of their own.
 *
 * Jobs run on a private copy of the firmware state (QuasarWorker.fw),
 * loaded from the registers when the job starts, as the spec says the
 * device samples them; results go back to the registers only if the
 * worker's epoch did not move meanwhile (a reset, hardware queue disable or
 * a second FW_BOOT bumps it, and the same bump makes the job's further DMA
 * fail, so an abandoned job stops quickly).
 */
#ifndef HW_MISC_QUASAR_H
#define HW_MISC_QUASAR_H

#include "hw/pci/pci.h"
#include "qemu/log.h"
#include "qemu/units.h"
#include "qemu/thread.h"
#include "hw/quasar_hw_interface.h"
#include "drm/quasar_isa.h"
#include "fw_api.h"

#define TYPE_QUASAR "quasar"
OBJECT_DECLARE_SIMPLE_TYPE(QuasarState, QUASAR)

/* Guest mistakes are logged, never fatal (-d guest_errors shows them). */
#define QUASAR_GUEST_ERR(fmt, ...) \
    qemu_log_mask(LOG_GUEST_ERROR, "quasar: %s: " fmt "\n", __func__, \
                  ## __VA_ARGS__)

/* IRQ_STATUS bits that exist. */
#define QUASAR_IRQ_ALL \
    (QUASAR_IRQ_QUEUE(0) | QUASAR_IRQ_QUEUE(1) | QUASAR_IRQ_QUEUE(2) | \
     QUASAR_IRQ_QUEUE(3) | QUASAR_IRQ_FW_BOOT | QUASAR_IRQ_ERROR)

/* An engine's helper threads (quasar_pool.c); its own lock. */
typedef struct QuasarPool {
    uint32_t helpers;           /* threads besides the worker; 0: no pool */
    QemuThread *threads;
    QemuMutex lock;
    QemuCond work;              /* a batch started, or stopping */
    QemuCond done;              /* the batch's last item finished */
    bool stopping;              /* atomic reads outside the lock */
    uint64_t batch;             /* batches started; the same */
    uint64_t calls;             /* the worker's, for the trace of a job */
    void (*fn)(void *arg, uint32_t i);
    void *arg;
    uint32_t n, next, finished;
} QuasarPool;

/*
 * The worker's cache of guest RAM translations (quasar_xlat.c): worker-
 * private, checked against QuasarState.xlat_gen on every use.
 */
#define QUASAR_XLAT_ENTRIES 1024    /* 1 GiB of guest RAM each way */
#define QUASAR_XLAT_SHIFT   21  /* one entry maps at most 2 MiB */
#define QUASAR_XLAT_GATHER_MAX 256

typedef struct QuasarXlatEntry {
    MemoryRegionCache cache;
    uint64_t base;              /* guest-physical start of what it maps */
    uint64_t len;               /* bytes from base the cache maps as RAM */
    uint32_t gen;               /* xlat_gen when made */
    bool valid;
    bool is_write;
} QuasarXlatEntry;

typedef struct QuasarXlat {
    QuasarXlatEntry *e;         /* QUASAR_XLAT_ENTRIES of them */
    uint32_t gen_seen;          /* xlat_gen at the last DMA */
    uint64_t hits, misses;      /* for the trace of a job */
} QuasarXlat;

/* A device thread that runs firmware code, and its HAL context. */
typedef struct QuasarWorker {
    QuasarState *dev;
    PCIDevice *pdev;            /* dev, cast once: DMA is a hot path */
    AddressSpace *dma_as;       /* its bus-master address space */
    char name[16];              /* for logs and the thread name */
    QemuThread thread;
    QemuCond wake;              /* work arrived, or stopping */
    bool busy;                  /* running a job: registers not sampled */
    uint32_t epoch;             /* written under lock, read atomically */
    uint32_t job_epoch;         /* epoch when the current job started */
    struct fw_device fw;        /* worker-private while busy */
    struct fw_engine engine;    /* worker-private; quasar_engine.c */
    void *sram;                 /* the engine's emulated SRAM */
    void *ws;                   /* the engine's SIMD kernel scratch */
    QuasarPool pool;            /* the engine's other host threads */
    QuasarXlat xlat;            /* worker-private */
    uint32_t pace_us;           /* DBG SLOW: this job's wait per unit */
} QuasarWorker;

typedef struct QuasarCtx {
    uint64_t root;
    uint32_t ctrl;
    uint32_t fault_status;
    uint64_t fault_addr;
} QuasarCtx;

/* A hardware queue: the Q[index].* registers and the worker that runs it. */
typedef struct QuasarHwQueue {
    unsigned int index;
    uint64_t ring;
    uint64_t cpl;
    uint32_t size;
    bool enabled;
    uint32_t tail;
    uint32_t head;
    bool error;
    uint32_t error_status;      /* enum drm_quasar_status */
    uint32_t priority;          /* QUASAR_Q_PRIORITY_* */
    bool waiting;               /* job ready, asking for an engine */
    bool granted;               /* holds an engine (quasar_sched.c) */
    uint64_t last_grant;        /* QuasarState.grant_seq at the grant */
    int64_t doorbell_ns;        /* host clock at the last doorbell (timing) */
    QuasarWorker worker;
} QuasarHwQueue;

typedef struct QuasarBoot {
    uint64_t addr;
    uint32_t size;
    uint32_t state;             /* enum quasar_fw_state */
    uint32_t error;             /* enum quasar_fw_error */
    struct fw_boot_info info;   /* valid when READY */
    bool pending;               /* FW_BOOT written, worker not started */
    QuasarWorker worker;
} QuasarBoot;

/*
 * The firmware log FIFO (spec 10.2): its own lock, taken by HAL log calls
 * from the workers (which hold no other lock) and under QuasarState.lock
 * by MMIO reads.
 */
typedef struct QuasarFwLog {
    QemuMutex lock;
    char buf[QUASAR_FWLOG_SIZE];
    uint32_t rd;                /* free-running byte indices */
    uint32_t wr;
    uint32_t dropped;           /* lines, saturating at 0xffff */
} QuasarFwLog;

/* Debug and health block (quasar_debug.c, spec section 11). */
typedef struct QuasarDebug {
    /* Properties: the faults armed at every device reset. */
    bool prop_hang;
    bool prop_mmu;
    bool prop_fw_crash;
    bool prop_lost_irq;
    bool prop_corrupt_cpl;
    bool prop_slow;
    uint32_t prop_pace_us;      /* fault-pace-us: DBG_PACE_US at reset */
    uint32_t prop_queues;       /* fault-queues: DBG_QUEUES at reset */
    uint64_t prop_va;

    uint32_t armed;             /* DBG_INJECT */
    uint32_t queues;            /* DBG_QUEUES: hardware queues to fire on */
    uint64_t fault_va;          /* DBG_FAULT_VA */
    uint32_t pace_us;           /* DBG_PACE_US */
    uint32_t fired;             /* DBG_FIRED */
    bool hold_reset;            /* DBG_HOLD.RESET: soft resets never end */
    uint32_t d3_accesses;       /* DBG_D3_ACCESSES */
    uint64_t inplace_bytes;     /* DBG_INPLACE */
    uint32_t progress[QUASAR_NUM_QUEUES];   /* atomic, not under the lock */
} QuasarDebug;

struct QuasarState {
    PCIDevice parent_obj;

    MemoryRegion mmio;
    QEMUBH *irq_bh;             /* BQL side of interrupt delivery */

    QemuMutex lock;
    QemuCond idle;              /* some worker finished a job */
    bool stopping;              /* unrealize: workers exit */
    QemuCond hwq_gone;          /* with the BQL: a queue worker exited */
    unsigned int hwq_live;      /* under the BQL: queue workers running */
    bool halted;                /* device reset: no job may start */
    bool resetting;             /* DEV_STATUS.RESETTING: soft reset pending */

    uint32_t scratch;
    uint32_t irq_status;
    uint32_t irq_mask;
    uint32_t irq_sent;          /* asserted causes already sent by MSI-X */
    int intx_level;             /* under the BQL only */

    QuasarCtx ctx[QUASAR_NUM_CTX];
    QuasarHwQueue hwq[QUASAR_NUM_QUEUES];
    QuasarBoot boot;

    uint32_t power;             /* QUASAR_POWER_D0 or QUASAR_POWER_D3 */
    bool power_down;            /* D3 entry waits for the workers */
    QuasarFwLog fwlog;
    QuasarDebug dbg;

    /* Properties: the modeled hardware (spec section 12), fixed at realize. */
    uint64_t sram_size;
    struct fw_cost_params cost;
    uint32_t engines;
    uint32_t engine_threads;    /* per engine; 0: one per host CPU */
    bool stage_copy;            /* copy every operand, none read in place */

    /* Bumped when the memory map may change (quasar_xlat.c); atomic. */
    MemoryListener xlat_listener;
    uint32_t xlat_gen;

    uint32_t engines_free;      /* quasar_sched.c */
    uint64_t grant_seq;         /* engine grants since power-on */
    bool engines_held;          /* DBG_HOLD.ENGINES: no grant while set */
};

/* quasar.c */
void quasar_soft_reset_request_locked(QuasarState *s);
void quasar_soft_reset_poll_locked(QuasarState *s);
void quasar_worker_done_locked(QuasarState *s, QuasarWorker *w);

/* quasar_mmio.c */
extern const MemoryRegionOps quasar_mmio_ops;

/* quasar_irq.c */
bool quasar_irq_init(QuasarState *s, Error **errp);
void quasar_irq_exit(QuasarState *s);
void quasar_irq_raise_locked(QuasarState *s, uint32_t cause);
bool quasar_irq_raise_direct_locked(QuasarState *s, uint32_t cause);
void quasar_irq_deliver(QuasarState *s);
void quasar_irq_update(QuasarState *s);
bool quasar_irq_read_locked(QuasarState *s, hwaddr addr, uint32_t *val);
bool quasar_irq_write_locked(QuasarState *s, hwaddr addr, uint32_t val);
void quasar_irq_reset_locked(QuasarState *s);

/* quasar_hal.c */
void quasar_hal_init(QuasarState *s, QuasarWorker *w, const char *name);
void quasar_worker_abort_locked(QuasarWorker *w);

/* quasar_ctx.c */
bool quasar_ctx_read_locked(QuasarState *s, hwaddr addr, uint32_t *val);
bool quasar_ctx_write_locked(QuasarState *s, hwaddr addr, uint32_t val);
void quasar_ctx_reset_locked(QuasarState *s, bool full);

/* quasar_boot.c */
bool quasar_boot_read_locked(QuasarState *s, hwaddr addr, uint32_t *val);
bool quasar_boot_write_locked(QuasarState *s, hwaddr addr, uint32_t val);
void quasar_boot_reset_locked(QuasarState *s, bool full);
void quasar_boot_start_worker(QuasarState *s);

/* quasar_power.c */
void quasar_power_init(QuasarState *s);
void quasar_power_exit(QuasarState *s);
bool quasar_power_read_locked(QuasarState *s, hwaddr addr, uint32_t *val);
bool quasar_power_write_locked(QuasarState *s, hwaddr addr, uint32_t val);
bool quasar_power_blocks_write_locked(QuasarState *s, hwaddr addr,
                                      uint32_t val);
bool quasar_power_soft_reset_done_locked(QuasarState *s);
void quasar_power_reset_locked(QuasarState *s);
void quasar_power_check_access_locked(QuasarState *s, hwaddr addr,
                                      bool write);
void quasar_fwlog_append(QuasarState *s, const char *who, const char *msg);

/* quasar_debug.c */
void quasar_debug_reset_locked(QuasarState *s);
uint32_t quasar_debug_take_locked(QuasarState *s, unsigned int q);
void quasar_debug_progress(QuasarState *s, unsigned int q);
void quasar_debug_crash_locked(QuasarState *s);
bool quasar_debug_read_locked(QuasarState *s, hwaddr addr, uint32_t *val);
bool quasar_debug_write_locked(QuasarState *s, hwaddr addr, uint32_t val);

/* quasar_engine.c */
bool quasar_engine_check(QuasarState *s, Error **errp);
void quasar_engine_attach(QuasarState *s, QuasarWorker *w, bool runs_jobs);
void quasar_engine_detach(QuasarWorker *w);
void quasar_engine_bind(QuasarWorker *w);

/* quasar_pool.c */
bool quasar_pool_check(QuasarState *s, Error **errp);
uint32_t quasar_pool_threads(QuasarState *s);
void quasar_pool_attach(QuasarState *s, QuasarWorker *w);
void quasar_pool_detach(QuasarWorker *w);
void quasar_pool_par(QuasarWorker *w, uint32_t n,
                     void (*fn)(void *arg, uint32_t i), void *arg);

/* quasar_xlat.c */
void quasar_xlat_init(QuasarState *s);
void quasar_xlat_exit(QuasarState *s);
int quasar_xlat_rw(QuasarWorker *w, uint64_t addr, void *buf, uint32_t len,
                   bool is_write);
int quasar_xlat_readv(QuasarWorker *w, const struct fw_dma_seg *segs,
                      uint32_t n);
void quasar_xlat_drop(QuasarWorker *w);
void quasar_xlat_attach(QuasarWorker *w);
void quasar_xlat_detach(QuasarWorker *w);

/* quasar_sched.c */
bool quasar_sched_acquire_locked(QuasarState *s, QuasarHwQueue *q);
void quasar_sched_release_locked(QuasarState *s, QuasarHwQueue *q);
void quasar_sched_reset_locked(QuasarState *s);
void quasar_sched_hold_locked(QuasarState *s, bool hold);

/* quasar_hwq.c */
bool quasar_hwq_runnable_locked(QuasarState *s, QuasarHwQueue *q);
bool quasar_hwq_read_locked(QuasarState *s, hwaddr addr, uint32_t *val);
bool quasar_hwq_write_locked(QuasarState *s, hwaddr addr, uint32_t val);
void quasar_hwq_reset_locked(QuasarState *s, bool full);
void quasar_hwq_kick_all_locked(QuasarState *s);
void quasar_hwq_start_workers(QuasarState *s);

#endif /* HW_MISC_QUASAR_H */
