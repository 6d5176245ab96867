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
 *
 * A soft reset waits for the device to finish its jobs in progress; a
 * wedged device never does. After soft_reset_timeout_ms recovery falls
 * back to a function-level reset, which returns the device to its
 * power-on state at once, and carries on as after a soft reset: the
 * firmware boots from the kept image, contexts and rings are programmed
 * again, jobs are replayed or failed the same way.
 *
 * A function-level reset from outside the driver (sysfs "reset", the PCI
 * core's error recovery) goes through pci_reset_function(), which calls
 * quasar_reset_prepare() before and quasar_reset_done() after: the same
 * recovery, split around a reset that someone else does.
 */
#include <linux/dma-fence.h>
#include <linux/pci.h>
#include <linux/pm_runtime.h>

#include <drm/drm_drv.h>
#include <drm/drm_print.h>

#include "quasar_drv.h"
#include "quasar_fw.h"
#include "quasar_hw.h"
#include "quasar_hwq.h"
#include "quasar_mmu.h"
#include "quasar_pm.h"
#include "quasar_slot.h"
#include "quasar_reset.h"

static void quasar_reset_fail_all(struct quasar_device *qdev, int err)
{
	unsigned int i;

	for (i = 0; i < qdev->num_hwqs; i++)
		quasar_hwq_restart(&qdev->hwqs[i], err, 0);
}

/*
 * The function-level reset after a soft reset timed out, done here rather
 * than by pci_reset_function(): that takes the device lock, which remove
 * holds while it waits for the watchdog (this path) and probe holds too,
 * and would call back into the driver. Nothing else touches the function's
 * config space meanwhile: the reset lock keeps runtime PM and the other
 * recoveries out, and probe has not enabled them yet. pcie_flr() waits for
 * the function to answer again; the config space saved before is put back,
 * as the PCI core's own resets do.
 */
int quasar_reset_flr(struct quasar_device *qdev)
{
	struct pci_dev *pdev = qdev->pdev;
	int ret;

	ret = pcie_reset_flr(pdev, PCI_RESET_PROBE);
	if (ret) {
		drm_err(&qdev->drm, "soft reset timed out and the function has no FLR (%d)\n",
			ret);
		return ret;
	}
	drm_warn(&qdev->drm, "soft reset timed out; function-level reset\n");
	pci_save_state(pdev);
	ret = pcie_flr(pdev);
	pci_restore_state(pdev);
	if (ret)
		return ret;
	qdev->flr_count++;
	return quasar_hw_alive(qdev) ? 0 : -ENODEV;
}

/* The device was reset (@ret 0) or not: boot it and give the jobs back. */
static void quasar_reset_come_back(struct quasar_device *qdev, int ret, int lost)
{
	unsigned int i;

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

static void quasar_reset_device(struct quasar_device *qdev, int lost)
{
	unsigned int i;
	int ret;

	for (i = 0; i < qdev->num_hwqs; i++)
		quasar_hwq_stop(&qdev->hwqs[i]);

	ret = quasar_hw_reset(qdev);
	if (ret == -ETIMEDOUT)
		ret = quasar_reset_flr(qdev);
	quasar_reset_come_back(qdev, ret, lost);
}

static void quasar_reset_sched_stop(struct quasar_device *qdev)
{
	unsigned int i;

	for (i = 0; i < qdev->num_hwqs; i++)
		drm_sched_stop(&qdev->hwqs[i].sched, NULL);
}

/*
 * drm_sched_stop() detached every job left on a pending list from its
 * hardware fence. The fences outlive the reset: the restart put the
 * unfinished jobs back on their rings with theirs and signalled the
 * others'. The resubmission hands each job's fence back to its scheduler
 * (run_job only returns it for a job that was on a ring), so that
 * drm_sched_start() finishes the ended ones with their own error and
 * waits for the replayed ones.
 */
static void quasar_reset_sched_start(struct quasar_device *qdev)
{
	unsigned int i;

	for (i = 0; i < qdev->num_hwqs; i++)
		drm_sched_resubmit_jobs(&qdev->hwqs[i].sched);
	for (i = 0; i < qdev->num_hwqs; i++)
		drm_sched_start(&qdev->hwqs[i].sched);
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
	int idx;

	lockdep_assert_held(&qdev->reset_lock);
	/*
	 * The schedulers stop before the signalling section opens: stopping
	 * one waits for its run_job work, which is itself a signalling section
	 * (quasar_job_run()), and waiting for one from inside another is the
	 * cycle lockdep reports (a reset while a run_job work was in flight).
	 */
	quasar_reset_sched_stop(qdev);
	fence_cookie = dma_fence_begin_signalling();

	if (drm_dev_enter(&qdev->drm, &idx)) {
		quasar_reset_device(qdev, lost);
		drm_dev_exit(idx);
	} else {
		quasar_reset_fail_all(qdev, -ENODEV);
	}

	quasar_reset_sched_start(qdev);
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

/*
 * pci_reset_function() is about to reset the function, with the device
 * lock held: keep the device awake for quasar_reset_done() to program it,
 * stop the schedulers and the hardware queues, and hold the reset lock
 * until done, as a recovery would.
 */
void quasar_reset_prepare(struct quasar_device *qdev)
{
	unsigned int i;

	qdev->pci_reset_awake = !pm_runtime_resume_and_get(qdev->drm.dev);
	mutex_lock(&qdev->reset_lock);
	quasar_reset_sched_stop(qdev);
	for (i = 0; i < qdev->num_hwqs; i++)
		quasar_hwq_stop(&qdev->hwqs[i]);
}

/*
 * The function is back in its power-on state: the recovery after a soft
 * reset, the jobs it ended replayed (a reset nobody blamed on them). A
 * wedged device gets another chance: this reset is what it waited for.
 */
void quasar_reset_done(struct quasar_device *qdev)
{
	bool fence_cookie = dma_fence_begin_signalling();

	drm_info(&qdev->drm, "function reset from outside the driver\n");
	qdev->flr_count++;
	if (READ_ONCE(qdev->wedged)) {
		/* Wedging stopped its DMA; the saved config space kept that. */
		pci_set_master(qdev->pdev);
		WRITE_ONCE(qdev->wedged, false);
	}
	quasar_reset_come_back(qdev, quasar_hw_alive(qdev) ? 0 : -ENODEV, 0);
	quasar_watchdog_forget(qdev);
	quasar_reset_sched_start(qdev);
	dma_fence_end_signalling(fence_cookie);
	mutex_unlock(&qdev->reset_lock);
	if (qdev->pci_reset_awake)
		quasar_pm_put(qdev);
	quasar_watchdog_kick(qdev);
}
