// SPDX-License-Identifier: GPL-2.0
/*
 * Quasar NPU: register access, soft reset and interrupts.
 *
 * Interrupt causes share one IRQ_STATUS register. With MSI-X each vector
 * owns a disjoint set of causes (vector 0: device events, 1 + q: hardware
 * queue q),
 * so a hard handler acknowledges only its own bits and never steals a cause
 * from another vector's thread. Without MSI-X one vector owns them all.
 */
#include <linux/dma-fence.h>
#include <linux/dma-mapping.h>
#include <linux/interrupt.h>
#include <linux/iopoll.h>

#include <drm/drm_drv.h>
#include <drm/drm_print.h>

#include "quasar_hw.h"
#include "quasar_hwq.h"

/* Device register pattern used as the link check of hw-spec 9. */
#define QUASAR_SCRATCH_PATTERN	0x5a5a5a5a

/* Page-table entries hold DMA address bits 51..12 (hw-spec 4). */
#define QUASAR_DMA_BITS		52

/*
 * Maps the registers and checks that this is a device the driver speaks to.
 * Only that: a device a previous driver instance left in a soft reset that
 * never ended ignores register writes until probe has reset it.
 */
int quasar_hw_map(struct quasar_device *qdev)
{
	struct pci_dev *pdev = qdev->pdev;
	u32 id, version;

	if (pci_resource_len(pdev, QUASAR_BAR_REGS) < QUASAR_BAR0_SIZE) {
		drm_err(&qdev->drm, "BAR%d is %llu bytes, expected at least %u\n",
			QUASAR_BAR_REGS,
			(u64)pci_resource_len(pdev, QUASAR_BAR_REGS),
			QUASAR_BAR0_SIZE);
		return -ENODEV;
	}
	qdev->regs = pcim_iomap_region(pdev, QUASAR_BAR_REGS, QUASAR_DRIVER_NAME);
	if (IS_ERR(qdev->regs))
		return dev_err_probe(&pdev->dev, PTR_ERR(qdev->regs),
				     "cannot map BAR%d\n", QUASAR_BAR_REGS);

	id = quasar_read(qdev, QUASAR_REG_ID);
	if (id != QUASAR_ID_VALUE) {
		drm_err(&qdev->drm, "ID register reads 0x%08x, expected 0x%08x\n",
			id, QUASAR_ID_VALUE);
		return -ENODEV;
	}
	version = quasar_read(qdev, QUASAR_REG_HW_VERSION);
	qdev->hw_version = version;
	if (version >> 16 != QUASAR_HW_VERSION_VALUE >> 16) {
		drm_err(&qdev->drm, "hardware version %u.%u not supported (driver speaks %u.x)\n",
			version >> 16, version & 0xffff,
			QUASAR_HW_VERSION_VALUE >> 16);
		return -ENODEV;
	}
	return 0;
}

/* After quasar_hw_map() and the reset: the link check, the device's sizes, DMA. */
int quasar_hw_init(struct quasar_device *qdev)
{
	struct pci_dev *pdev = qdev->pdev;
	u32 nq, nctx;
	int ret;

	quasar_write(qdev, QUASAR_REG_SCRATCH, QUASAR_SCRATCH_PATTERN);
	if (quasar_read(qdev, QUASAR_REG_SCRATCH) != QUASAR_SCRATCH_PATTERN) {
		drm_err(&qdev->drm, "SCRATCH register does not hold a written value\n");
		return -EIO;
	}

	nq = quasar_read(qdev, QUASAR_REG_NUM_QUEUES);
	nctx = quasar_read(qdev, QUASAR_REG_NUM_CTX);
	if (!nq || !nctx) {
		drm_err(&qdev->drm, "device reports %u hardware queues and %u contexts\n",
			nq, nctx);
		return -ENODEV;
	}
	/* A newer device may offer more; use what this driver knows. */
	qdev->num_hwqs = min_t(u32, nq, QUASAR_NUM_QUEUES);
	qdev->num_ctx = min_t(u32, nctx, QUASAR_NUM_CTX);
	qdev->num_engines = quasar_read(qdev, QUASAR_REG_NUM_ENGINES);

	ret = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(QUASAR_DMA_BITS));
	if (ret)
		return dev_err_probe(&pdev->dev, ret, "no usable DMA mask\n");
	/*
	 * The device reaches memory through its page tables, a PTE per page,
	 * so a DMA segment may be any length; the PCI default is 64 KiB, and
	 * shmem's tables of contiguous pages have longer segments.
	 */
	dma_set_max_seg_size(&pdev->dev, UINT_MAX);

	return 0;
}

/* A removed or dead PCI function reads all ones. */
bool quasar_hw_alive(struct quasar_device *qdev)
{
	return quasar_read(qdev, QUASAR_REG_ID) == QUASAR_ID_VALUE;
}

int quasar_hw_reset(struct quasar_device *qdev)
{
	unsigned int timeout_ms;
	u32 status;
	int ret;

	if (!quasar_hw_alive(qdev)) {
		drm_err(&qdev->drm, "device does not respond; cannot reset\n");
		return -ENODEV;
	}
	quasar_write(qdev, QUASAR_REG_DEV_CTRL, QUASAR_DEV_CTRL_RESET);
	/* The reset waits for running jobs, which on TCG can take a while. */
	timeout_ms = READ_ONCE(quasar_soft_reset_timeout_ms);
	ret = readl_poll_timeout(qdev->regs + QUASAR_REG_DEV_STATUS, status,
				 !(status & QUASAR_DEV_STATUS_RESETTING),
				 100, timeout_ms * USEC_PER_MSEC);
	if (ret)
		drm_err(&qdev->drm, "soft reset not done after %u ms (DEV_STATUS 0x%08x)\n",
			timeout_ms, status);
	return ret;
}

void quasar_hw_irq_enable(struct quasar_device *qdev)
{
	quasar_write(qdev, QUASAR_REG_IRQ_MASK, qdev->irq.mask);
}

void quasar_hw_irq_disable(struct quasar_device *qdev)
{
	quasar_write(qdev, QUASAR_REG_IRQ_MASK, 0);
}

static irqreturn_t quasar_irq_handler(int irq, void *arg)
{
	struct quasar_irq_vector *vec = arg;
	struct quasar_device *qdev = vec->qdev;
	u32 status;

	status = quasar_read(qdev, QUASAR_REG_IRQ_STATUS);
	if (status == U32_MAX)
		return IRQ_NONE;
	status &= vec->causes;
	if (!status)
		return IRQ_NONE;
	/* Ack before the thread reads HEAD: a later completion re-raises. */
	quasar_write(qdev, QUASAR_REG_IRQ_STATUS, status);
	atomic_or(status, &vec->pending);
	return IRQ_WAKE_THREAD;
}

static irqreturn_t quasar_irq_thread(int irq, void *arg)
{
	struct quasar_irq_vector *vec = arg;
	struct quasar_device *qdev = vec->qdev;
	u32 pending = atomic_xchg(&vec->pending, 0);
	bool fence_cookie;
	unsigned int q;
	int idx;

	if (!drm_dev_enter(&qdev->drm, &idx))
		return IRQ_HANDLED;
	/* It signals the completed jobs' fences. */
	fence_cookie = dma_fence_begin_signalling();

	for (q = 0; q < qdev->num_hwqs; q++)
		if (pending & QUASAR_IRQ_QUEUE(q))
			quasar_hwq_process(&qdev->hwqs[q]);

	if (pending & QUASAR_IRQ_ERROR) {
		for (q = 0; q < qdev->num_hwqs; q++)
			quasar_hwq_check_error(&qdev->hwqs[q]);
		/* Or the firmware crashed (hw-spec 11): the watchdog looks. */
		quasar_watchdog_now(qdev);
	}

	dma_fence_end_signalling(fence_cookie);
	drm_dev_exit(idx);
	return IRQ_HANDLED;
}

static u32 quasar_irq_vector_causes(struct quasar_device *qdev,
				    unsigned int v, unsigned int count)
{
	if (count == 1)
		return QUASAR_IRQ_FW_BOOT | QUASAR_IRQ_ERROR |
		       GENMASK(qdev->num_hwqs - 1, 0);
	if (v == QUASAR_MSIX_DEVICE)
		return QUASAR_IRQ_FW_BOOT | QUASAR_IRQ_ERROR;
	if (v - QUASAR_MSIX_QUEUE(0) < qdev->num_hwqs)
		return QUASAR_IRQ_QUEUE(v - QUASAR_MSIX_QUEUE(0));
	return 0;
}

int quasar_hw_irq_init(struct quasar_device *qdev)
{
	struct pci_dev *pdev = qdev->pdev;
	unsigned long flags = 0;
	unsigned int v;
	int nvec, ret;

	nvec = pci_alloc_irq_vectors(pdev, QUASAR_NUM_MSIX, QUASAR_NUM_MSIX,
				     PCI_IRQ_MSIX);
	if (nvec < 0) {
		drm_warn(&qdev->drm, "no MSI-X (%d); using one shared vector\n",
			 nvec);
		nvec = pci_alloc_irq_vectors(pdev, 1, 1, PCI_IRQ_ALL_TYPES);
		if (nvec < 0)
			return dev_err_probe(&pdev->dev, nvec,
					     "cannot allocate an interrupt\n");
		if (!pdev->msi_enabled)
			flags = IRQF_SHARED;
	}
	qdev->irq.count = nvec;

	for (v = 0; v < nvec; v++) {
		struct quasar_irq_vector *vec = &qdev->irq.vec[v];
		const char *name;

		vec->qdev = qdev;
		vec->causes = quasar_irq_vector_causes(qdev, v, nvec);
		atomic_set(&vec->pending, 0);
		if (!vec->causes)
			continue;
		name = devm_kasprintf(&pdev->dev, GFP_KERNEL, "%s-%s%u",
				      QUASAR_DRIVER_NAME, v ? "q" : "dev",
				      v ? v - 1 : 0);
		if (!name)
			return -ENOMEM;
		ret = devm_request_threaded_irq(&pdev->dev, pci_irq_vector(pdev, v),
						quasar_irq_handler,
						quasar_irq_thread, flags, name,
						vec);
		if (ret)
			return dev_err_probe(&pdev->dev, ret,
					     "cannot request vector %u\n", v);
	}

	qdev->irq.mask = QUASAR_IRQ_ERROR | GENMASK(qdev->num_hwqs - 1, 0);
	return 0;
}
