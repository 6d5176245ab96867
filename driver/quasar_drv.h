/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Quasar NPU: device and file state shared by every part of the driver.
 */
#ifndef __QUASAR_DRV_H__
#define __QUASAR_DRV_H__

#include <linux/atomic.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#include <drm/drm_device.h>
#include <drm/drm_file.h>
#include <drm/gpu_scheduler.h>

#include "hw/quasar_hw_interface.h"
#include "quasar_hwq.h"
#include "quasar_watchdog.h"

#define QUASAR_DRIVER_NAME	"quasar"
#define QUASAR_DRIVER_DESC	"Quasar inference NPU"
#define QUASAR_DRIVER_DATE	"20250101"
#define QUASAR_DRIVER_MAJOR	0
#define QUASAR_DRIVER_MINOR	2

struct quasar_ctx;

extern unsigned int quasar_watchdog_timeout_ms;
extern unsigned int quasar_boot_timeout_ms;
extern unsigned int quasar_soft_reset_timeout_ms;

/**
 * struct quasar_fw_info - what the booted firmware reported (hw-spec 3.2)
 * @version: major << 16 | minor << 8 | patch
 * @build_id: build id of the image, equal to the device ROM's
 * @abi: firmware ABI, major << 16 | minor
 * @caps: QUASAR_CAP_* enabled by the image
 * @ops: bit n set when opcode n is supported
 * @formats: bit n set when data format n is supported
 */
struct quasar_fw_info {
	u32 version;
	u32 build_id;
	u32 abi;
	u32 caps;
	u32 ops;
	u32 formats;
};

/**
 * struct quasar_irq_vector - one interrupt vector and the causes it serves
 * @qdev: owning device
 * @causes: IRQ_STATUS bits this vector acknowledges and handles
 * @pending: causes acknowledged by the hard handler, not yet handled by
 *	     the thread
 */
struct quasar_irq_vector {
	struct quasar_device *qdev;
	u32 causes;
	atomic_t pending;
};

/**
 * struct quasar_device - one Quasar PCI function
 * @drm: DRM device; the accel minor lives here
 * @pdev: PCI function
 * @regs: BAR0 registers
 * @hw_version: HW_VERSION register, major << 16 | minor
 * @num_hwqs: hardware queues in use (the device's count, capped)
 * @num_ctx: MMU context slots (the device's count, capped)
 * @num_engines: compute engines the hardware queues share (hw-spec 12.1)
 * @fw: firmware image (kept for re-boots after a reset) and boot result
 * @fw.image: DMA-coherent copy of quasar-fw.bin
 * @fw.image_dma: its DMA address
 * @fw.image_size: its size in bytes
 * @fw.info: what the last successful boot reported
 * @irq: interrupt vectors
 * @irq.vec: per-vector state
 * @irq.count: vectors allocated (QUASAR_NUM_MSIX, or 1 without MSI-X)
 * @irq.mask: causes enabled in IRQ_MASK while the device runs
 * @hwqs: hardware queues, each with its scheduler
 * @slot_lock: protects @slot_owner, @slot_hand, every context's slot and
 *	       pins, and the CTX slot registers (quasar_slot.c)
 * @slot_owner: the context bound to each hardware context slot, or NULL
 * @slot_hand: the slot bound last; stealing an idle slot starts after it
 * @ctx_count: live MMU contexts
 * @reset_lock: serialises device reset against itself and against remove
 * @reset_wq: ordered workqueue running the progress watchdog, and with it
 *	      every recovery, so that two resets never overlap
 * @free_wq: runs buffer frees that must wait for jobs still in flight, and
 *	     the release of ended jobs (off the scheduler's workqueue)
 * @reset_count: device resets done since probe (debugfs reset_counters)
 * @flr_count: function-level resets since probe, each the fallback of a
 *	       soft reset that did not complete (debugfs reset_counters)
 * @fw_crash_count: firmware crashes detected since probe; incremented by
 *		    the recovery code, under @reset_lock (debugfs reset_counters)
 * @wedged: the device failed to come back after a reset; jobs fail
 * @pci_reset_awake: quasar_reset_prepare() took a runtime PM reference
 *		     for quasar_reset_done() to drop
 * @watchdog: the progress watchdog and its counters (quasar_watchdog.c)
 * @job_count: jobs allocated and not yet freed
 * @job_wq: woken when @job_count drops to zero
 * @pm: runtime power management (quasar_pm.c)
 * @pm.suspend_count: runtime suspends (device put in D3) since probe
 * @pm.resume_count: runtime resumes (D0, firmware booted again) since probe
 * @pm.sleep_count: system sleeps entered (device drained and powered down)
 * @pm.wake_count: system resumes since probe
 * @fwlog: the firmware log, drained from the device's FIFO (quasar_debugfs.c)
 * @fwlog.lock: protects @fwlog.buf, @fwlog.len and the FWLOG registers
 * @fwlog.buf: the newest QUASAR_FWLOG_KEEP bytes of log text
 * @fwlog.len: bytes in @fwlog.buf
 */
struct quasar_device {
	struct drm_device drm;
	struct pci_dev *pdev;
	void __iomem *regs;
	u32 hw_version;
	u32 num_hwqs;
	u32 num_ctx;
	u32 num_engines;

	struct {
		void *image;
		dma_addr_t image_dma;
		size_t image_size;
		struct quasar_fw_info info;
	} fw;

	struct {
		struct quasar_irq_vector vec[QUASAR_NUM_MSIX];
		unsigned int count;
		u32 mask;
	} irq;

	struct quasar_hwq hwqs[QUASAR_NUM_QUEUES];

	spinlock_t slot_lock;		/* @slot_owner, CTX registers */
	struct quasar_ctx *slot_owner[QUASAR_NUM_CTX];
	u32 slot_hand;
	atomic_t ctx_count;

	struct mutex reset_lock;	/* resets, remove */
	struct workqueue_struct *reset_wq;
	struct workqueue_struct *free_wq;
	unsigned int reset_count;
	unsigned int flr_count;
	unsigned int fw_crash_count;
	bool wedged;
	bool pci_reset_awake;
	struct quasar_watchdog watchdog;

	atomic_t job_count;
	wait_queue_head_t job_wq;

	struct {
		unsigned int suspend_count;
		unsigned int resume_count;
		unsigned int sleep_count;
		unsigned int wake_count;
	} pm;

	struct {
		struct mutex lock;	/* @buf, @len, FWLOG registers */
		char *buf;
		size_t len;
	} fwlog;
};

/**
 * struct quasar_file - per-open-file state
 * @qdev: device
 * @ctx: the file's MMU context (device address space)
 * @hwq_entities: one scheduler entity per hardware queue, for SUBMIT
 *		  with a raw hardware queue index
 * @queue_lock: SUBMIT to a queue of @queues reads, QUEUE_DESTROY writes
 * @queues: the file's queues (QUEUE_CREATE) by id (quasar_queue.c)
 */
struct quasar_file {
	struct quasar_device *qdev;
	struct quasar_ctx *ctx;
	struct drm_sched_entity hwq_entities[QUASAR_NUM_QUEUES];
	struct rw_semaphore queue_lock;	/* @queues entries' lifetime */
	struct xarray queues;
};

static inline struct quasar_device *to_quasar_device(struct drm_device *drm)
{
	return container_of(drm, struct quasar_device, drm);
}

static inline struct quasar_file *to_quasar_file(struct drm_file *file)
{
	return file->driver_priv;
}

#endif /* __QUASAR_DRV_H__ */
