// SPDX-License-Identifier: GPL-2.0
/*
 * Quasar NPU: device reset and recovery.
 *
 * A soft reset stops every hardware queue, so recovery stops every
 * scheduler, not only the one whose job timed out. Jobs the device finished
 * are completed from their records, the hung job fails, and the unfinished
 * jobs of every hardware queue go back to the device, with the fences their
 * waiters already hold,
 * once the firmware has booted again and the contexts are restored.
 */
#include <linux/dma-fence.h>

#include <drm/drm_drv.h>
#include <drm/drm_print.h>

#include "quasar_drv.h"
#include "quasar_fw.h"
#include "quasar_hw.h"
#include "quasar_hwq.h"
#include "quasar_mmu.h"
#include "quasar_slot.h"
#include "quasar_reset.h"

static void quasar_reset_fail_all(struct quasar_device *qdev, int err)
{
	unsigned int i;

	for (i = 0; i < qdev->num_hwqs; i++)
		quasar_hwq_restart(&qdev->hwqs[i], err, 0);
}

static void quasar_reset_device(struct quasar_device *qdev, int lost)
{
	unsigned int i;
	int ret;

	for (i = 0; i < qdev->num_hwqs; i++)
		quasar_hwq_stop(&qdev->hwqs[i]);

	ret = quasar_hw_reset(qdev);
	if (!ret)
		ret = quasar_fw_boot(qdev);
	if (ret) {
		drm_err(&qdev->drm, "device did not come back (%d); failing jobs until the driver is reloaded\n",
			ret);
		WRITE_ONCE(qdev->wedged, true);
		/* Whatever it still runs must not write pages about to be freed. */
		pci_clear_master(qdev->pdev);
		quasar_reset_fail_all(qdev, -EIO);
		return;
	}

	quasar_slot_restore(qdev);
	quasar_hw_irq_enable(qdev);
	for (i = 0; i < qdev->num_hwqs; i++)
		quasar_hwq_restart(&qdev->hwqs[i], 0, lost);
	qdev->reset_count++;
	drm_info(&qdev->drm, "device reset %u done\n", qdev->reset_count);
}

/*
 * From the watchdog, with the reset lock held; the watchdog marked the hung
 * hardware queues. @lost, when the firmware crashed, is the error of every
 * job it had not finished. In the fence signalling path: jobs on the rings
 * wait for it.
 */
void quasar_reset_recover(struct quasar_device *qdev, int lost)
{
	bool fence_cookie;
	unsigned int i;
	int idx;

	lockdep_assert_held(&qdev->reset_lock);
	fence_cookie = dma_fence_begin_signalling();
	for (i = 0; i < qdev->num_hwqs; i++)
		drm_sched_stop(&qdev->hwqs[i].sched, NULL);

	if (drm_dev_enter(&qdev->drm, &idx)) {
		quasar_reset_device(qdev, lost);
		drm_dev_exit(idx);
	} else {
		quasar_reset_fail_all(qdev, -ENODEV);
	}

	/*
	 * drm_sched_stop() detached every job left on a pending list from
	 * its hardware fence. The fences outlive the reset: the restart put
	 * the unfinished jobs back on their rings with theirs and signalled
	 * the others'. The resubmission hands each job's fence back to its
	 * scheduler (run_job only returns it for a job that was on a ring),
	 * so that drm_sched_start() finishes the ended ones with their own
	 * error and waits for the replayed ones.
	 */
	for (i = 0; i < qdev->num_hwqs; i++)
		drm_sched_resubmit_jobs(&qdev->hwqs[i].sched);
	for (i = 0; i < qdev->num_hwqs; i++)
		drm_sched_start(&qdev->hwqs[i].sched);
	dma_fence_end_signalling(fence_cookie);
}

/*
 * PCI remove, after drm_dev_unplug(): stop the device's DMA and fail what
 * it will never complete. Jobs not yet run fail in run_job.
 */
void quasar_reset_unplug(struct quasar_device *qdev)
{
	unsigned int i;

	guard(mutex)(&qdev->reset_lock);
	for (i = 0; i < qdev->num_hwqs; i++)
		quasar_hwq_stop(&qdev->hwqs[i]);
	if (quasar_hw_alive(qdev)) {
		quasar_hw_irq_disable(qdev);
		quasar_hw_reset(qdev);
	}
	pci_clear_master(qdev->pdev);
	quasar_reset_fail_all(qdev, -ENODEV);
}
