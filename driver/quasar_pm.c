// SPDX-License-Identifier: GPL-2.0
/*
 * Quasar NPU: runtime power management with autosuspend.
 *
 * Every job holds a runtime PM reference from SUBMIT until it is freed, so
 * the device is never powered down under a job, and a submit to a suspended
 * device wakes it before the job can reach the ring. Anything else that
 * needs the device running (not the always-on power and log registers)
 * takes quasar_pm_get()/quasar_pm_put() around it.
 *
 * D3 loses the device's volatile state (hw-spec 10.1): the firmware is OFF,
 * context slots and hardware queues are cleared. Resume is therefore a cold
 * start without the reset: boot the kept firmware image, reprogram every
 * live context, re-enable the (empty) hardware queues and the interrupt
 * causes. It runs
 * under the reset lock, so it never overlaps a recovery.
 *
 * System sleep reuses both: suspend stops the schedulers feeding the
 * rings, waits for the jobs already on them to end, and powers the device
 * down with the runtime suspend (pm_runtime_force_suspend()); resume powers
 * it up the same way, if a job is waiting for it, and starts the
 * schedulers again, so the jobs queued before the sleep run after it. A
 * sleep that cut the device's power (S3: QEMU resets every device on
 * wake-up) looks to the resume like D3: everything is programmed again.
 */
#include <linux/iopoll.h>
#include <linux/module.h>
#include <linux/pm_runtime.h>

#include <drm/drm_print.h>

#include "quasar_drv.h"
#include "quasar_fw.h"
#include "quasar_hw.h"
#include "quasar_hwq.h"
#include "quasar_mmu.h"
#include "quasar_slot.h"
#include "quasar_pm.h"

static int quasar_autosuspend_ms = 1000;
module_param_named(autosuspend_ms, quasar_autosuspend_ms, int, 0444);
MODULE_PARM_DESC(autosuspend_ms,
		 "Idle time before the device is powered down, in ms (-1: never)");

static int quasar_pm_wait_state(struct quasar_device *qdev, u32 want)
{
	u32 status;
	int ret;

	ret = readl_poll_timeout(qdev->regs + QUASAR_REG_POWER_STATUS, status,
				 (status & (QUASAR_POWER_STATUS_STATE |
					    QUASAR_POWER_STATUS_BUSY)) == want,
				 100, quasar_boot_timeout_ms * USEC_PER_MSEC);
	if (ret)
		drm_err(&qdev->drm, "device not in D%u after %u ms (POWER_STATUS 0x%08x)\n",
			want, quasar_boot_timeout_ms, status);
	return ret;
}

/* D0 and a booted firmware, with every context and hardware queue as before. */
static int quasar_pm_power_up(struct quasar_device *qdev)
{
	unsigned int i;
	int ret;

	if (!quasar_hw_alive(qdev))
		return -ENODEV;
	quasar_write(qdev, QUASAR_REG_POWER_CTRL, QUASAR_POWER_D0);
	ret = quasar_pm_wait_state(qdev, QUASAR_POWER_D0);
	if (!ret)
		ret = quasar_fw_boot(qdev);
	if (ret)
		return ret;
	quasar_slot_restore(qdev);
	for (i = 0; i < qdev->num_hwqs; i++)
		quasar_hwq_start(&qdev->hwqs[i]);
	quasar_hw_irq_enable(qdev);
	return 0;
}

static int quasar_pm_runtime_suspend(struct device *dev)
{
	struct quasar_device *qdev = pci_get_drvdata(to_pci_dev(dev));
	unsigned int i;
	int ret;

	guard(mutex)(&qdev->reset_lock);
	if (READ_ONCE(qdev->wedged))
		return 0;
	/* No job holds a reference: the rings are empty, only stop them. */
	for (i = 0; i < qdev->num_hwqs; i++)
		quasar_hwq_stop(&qdev->hwqs[i]);
	quasar_hw_irq_disable(qdev);
	quasar_write(qdev, QUASAR_REG_POWER_CTRL, QUASAR_POWER_D3);
	ret = quasar_pm_wait_state(qdev, QUASAR_POWER_D3);
	if (ret) {
		/* Stay active, as the PM core will think we are. */
		if (quasar_pm_power_up(qdev))
			WRITE_ONCE(qdev->wedged, true);
		return -EBUSY;
	}
	qdev->pm.suspend_count++;
	drm_dbg_driver(&qdev->drm, "runtime suspend %u: device in D3\n",
		       qdev->pm.suspend_count);
	return 0;
}

static int quasar_pm_runtime_resume(struct device *dev)
{
	struct quasar_device *qdev = pci_get_drvdata(to_pci_dev(dev));
	int ret;

	guard(mutex)(&qdev->reset_lock);
	if (READ_ONCE(qdev->wedged))
		return 0;
	ret = quasar_pm_power_up(qdev);
	if (ret) {
		drm_err(&qdev->drm, "runtime resume failed (%d); failing jobs until the driver is reloaded\n",
			ret);
		WRITE_ONCE(qdev->wedged, true);
		/* The PM core keeps a failed device suspended; submits see -EIO. */
		return 0;
	}
	qdev->pm.resume_count++;
	drm_dbg_driver(&qdev->drm, "runtime resume %u: firmware booted again\n",
		       qdev->pm.resume_count);
	return 0;
}

static void quasar_pm_sched_stop(struct quasar_device *qdev)
{
	unsigned int i;

	for (i = 0; i < qdev->num_hwqs; i++)
		drm_sched_wqueue_stop(&qdev->hwqs[i].sched);
}

static void quasar_pm_sched_start(struct quasar_device *qdev)
{
	unsigned int i;

	for (i = 0; i < qdev->num_hwqs; i++)
		drm_sched_wqueue_start(&qdev->hwqs[i].sched);
}

static bool quasar_pm_rings_empty(struct quasar_device *qdev)
{
	unsigned int i;

	for (i = 0; i < qdev->num_hwqs; i++)
		if (quasar_hwq_pending(&qdev->hwqs[i], NULL))
			return false;
	return true;
}

/*
 * A job on a ring either ends or hangs, and the watchdog (whose workqueue
 * is not frozen) ends a hung one within its timeout; so wait that long,
 * and the soft reset's and boot's on top, before refusing the sleep.
 */
static unsigned int quasar_pm_drain_timeout_ms(void)
{
	return READ_ONCE(quasar_watchdog_timeout_ms) +
	       READ_ONCE(quasar_soft_reset_timeout_ms) + quasar_boot_timeout_ms;
}

static int quasar_pm_suspend(struct device *dev)
{
	struct quasar_device *qdev = pci_get_drvdata(to_pci_dev(dev));
	unsigned int timeout_ms = quasar_pm_drain_timeout_ms();
	bool empty;
	int ret;

	quasar_pm_sched_stop(qdev);
	ret = read_poll_timeout(quasar_pm_rings_empty, empty, empty,
				USEC_PER_MSEC, timeout_ms * USEC_PER_MSEC, false,
				qdev);
	if (ret) {
		drm_err(&qdev->drm, "jobs still on the rings after %u ms; refusing to sleep\n",
			timeout_ms);
		quasar_pm_sched_start(qdev);
		return -EBUSY;
	}
	ret = pm_runtime_force_suspend(dev);
	if (ret) {
		quasar_pm_sched_start(qdev);
		return ret;
	}
	scoped_guard(mutex, &qdev->reset_lock)
		qdev->pm.sleep_count++;
	return 0;
}

static int quasar_pm_resume(struct device *dev)
{
	struct quasar_device *qdev = pci_get_drvdata(to_pci_dev(dev));
	int ret;

	ret = pm_runtime_force_resume(dev);
	scoped_guard(mutex, &qdev->reset_lock)
		qdev->pm.wake_count++;
	/* A failed power-up wedged the device: the jobs fail rather than wait. */
	quasar_pm_sched_start(qdev);
	return ret;
}

const struct dev_pm_ops quasar_pm_ops = {
	SYSTEM_SLEEP_PM_OPS(quasar_pm_suspend, quasar_pm_resume)
	RUNTIME_PM_OPS(quasar_pm_runtime_suspend, quasar_pm_runtime_resume, NULL)
};

/*
 * End of probe. The PCI core holds a usage reference over probe and
 * forbids runtime PM for PCI functions; a driver that supports it allows
 * it and drops the probe's reference.
 */
void quasar_pm_enable(struct quasar_device *qdev)
{
	struct device *dev = qdev->drm.dev;

	pm_runtime_set_autosuspend_delay(dev, quasar_autosuspend_ms);
	pm_runtime_use_autosuspend(dev);
	pm_runtime_mark_last_busy(dev);
	pm_runtime_allow(dev);
	pm_runtime_put_autosuspend(dev);
}

/* Start of remove (the PCI core resumed the device): undo quasar_pm_enable(). */
void quasar_pm_disable(struct quasar_device *qdev)
{
	struct device *dev = qdev->drm.dev;

	pm_runtime_get_noresume(dev);
	pm_runtime_forbid(dev);
	pm_runtime_dont_use_autosuspend(dev);
}

int quasar_pm_get(struct quasar_device *qdev)
{
	int ret = pm_runtime_resume_and_get(qdev->drm.dev);

	if (ret)
		return ret;
	if (READ_ONCE(qdev->wedged)) {
		quasar_pm_put(qdev);
		return -EIO;
	}
	return 0;
}

void quasar_pm_put(struct quasar_device *qdev)
{
	pm_runtime_mark_last_busy(qdev->drm.dev);
	pm_runtime_put_autosuspend(qdev->drm.dev);
}

const char *quasar_pm_state_name(struct quasar_device *qdev)
{
	struct device *dev = qdev->drm.dev;

	if (pm_runtime_suspended(dev))
		return "suspended";
	if (pm_runtime_active(dev))
		return "active";
	return "transitioning";
}
