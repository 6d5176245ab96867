// SPDX-License-Identifier: GPL-2.0
/*
 * Quasar NPU: PCI and DRM glue, ioctl table, probe and remove.
 */
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <drm/drm_accel.h>
#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_ioctl.h>
#include <drm/drm_managed.h>
#include <drm/drm_print.h>

#include "drm/quasar_accel.h"
#include "quasar_debugfs.h"
#include "quasar_drv.h"
#include "quasar_fdinfo.h"
#include "quasar_fw.h"
#include "quasar_gem.h"
#include "quasar_gemfs.h"
#include "quasar_hw.h"
#include "quasar_hwq.h"
#include "quasar_job.h"
#include "quasar_mmu.h"
#include "quasar_objcount.h"
#include "quasar_pm.h"
#include "quasar_prime.h"
#include "quasar_queue.h"
#include "quasar_reset.h"
#include "quasar_slot.h"

/*
 * Generous: TCG runs the device many times slower than hardware would. A
 * hardware queue is hung after this long without progress, however long
 * its job (quasar_watchdog.c); writable, the watchdog reads it at every
 * check. The parameter keeps the name scripts know it by: tdr_timeout_ms
 * (timeout detection and recovery).
 */
unsigned int quasar_watchdog_timeout_ms = 10000;
module_param_named(tdr_timeout_ms, quasar_watchdog_timeout_ms, uint, 0644);
MODULE_PARM_DESC(tdr_timeout_ms, "Time without progress before a hardware queue counts as hung and the device is reset, in ms (0: never)");

unsigned int quasar_boot_timeout_ms = 5000;
module_param_named(boot_timeout_ms, quasar_boot_timeout_ms, uint, 0444);
MODULE_PARM_DESC(boot_timeout_ms, "Firmware boot timeout, in ms");

/*
 * The soft reset waits for the jobs in progress to end, so it may take as
 * long as a firmware boot; one that takes longer is wedged and recovery
 * falls back to a function-level reset (quasar_reset.c). Writable, so that
 * a test of that fallback need not wait the default.
 */
unsigned int quasar_soft_reset_timeout_ms = 5000;
module_param_named(soft_reset_timeout_ms, quasar_soft_reset_timeout_ms, uint, 0644);
MODULE_PARM_DESC(soft_reset_timeout_ms, "Time a soft reset may take before the device counts as wedged, in ms");

static int quasar_ioctl_dev_query(struct drm_device *drm, void *data,
				  struct drm_file *file)
{
	struct quasar_device *qdev = to_quasar_device(drm);
	struct drm_quasar_dev_query *args = data;
	struct drm_quasar_device_info info = {
		.pci_vendor = qdev->pdev->vendor,
		.pci_device = qdev->pdev->device,
		.hw_version = qdev->hw_version,
		.fw_version = qdev->fw.info.version,
		.fw_build_id = qdev->fw.info.build_id,
		.fw_abi = qdev->fw.info.abi,
		.caps = qdev->fw.info.caps,
		.ops = qdev->fw.info.ops,
		.formats = qdev->fw.info.formats,
		.num_queues = qdev->num_hwqs,
		.num_contexts = qdev->num_ctx,
		.va_start = QUASAR_VA_START,
		.va_end = QUASAR_VA_END,
		.page_size = QUASAR_PAGE_SIZE,
		.max_cmd_size = QUASAR_CMD_STREAM_MAX_SIZE,
		.num_engines = qdev->num_engines,
	};
	u32 q;

	for (q = 0; q < qdev->num_hwqs; q++)
		info.queue_priorities |= BIT(quasar_hwq_priority(q));

	if (args->type != DRM_QUASAR_QUERY_DEVICE_INFO)
		return -EINVAL;
	/* Size negotiation: an older caller gets the prefix it knows. */
	if (args->pointer &&
	    copy_to_user(u64_to_user_ptr(args->pointer), &info,
			 min_t(u32, args->size, sizeof(info))))
		return -EFAULT;
	args->size = sizeof(info);
	return 0;
}

static int quasar_open(struct drm_device *drm, struct drm_file *file)
{
	struct quasar_device *qdev = to_quasar_device(drm);
	struct quasar_file *qfile;
	int ret;

	qfile = kzalloc(sizeof(*qfile), GFP_KERNEL_ACCOUNT);
	if (!qfile)
		return -ENOMEM;
	qfile->qdev = qdev;
	qfile->ctx = quasar_ctx_create(qdev);
	if (IS_ERR(qfile->ctx)) {
		ret = PTR_ERR(qfile->ctx);
		goto err_free;
	}
	ret = quasar_job_open(qfile);
	if (ret)
		goto err_put_ctx;
	quasar_queue_open(qfile);
	file->driver_priv = qfile;
	return 0;

err_put_ctx:
	quasar_ctx_put(qfile->ctx);
err_free:
	kfree(qfile);
	return ret;
}

static void quasar_postclose(struct drm_device *drm, struct drm_file *file)
{
	struct quasar_file *qfile = to_quasar_file(file);

	/* Jobs and BOs hold their own context references. */
	quasar_queue_close(qfile);
	quasar_job_close(qfile);
	quasar_ctx_put(qfile->ctx);
	kfree(qfile);
}

#define QUASAR_IOCTL(name, func) \
	DRM_IOCTL_DEF_DRV(QUASAR_##name, quasar_ioctl_##func, 0)

static const struct drm_ioctl_desc quasar_ioctls[] = {
	QUASAR_IOCTL(DEV_QUERY, dev_query),
	QUASAR_IOCTL(BO_CREATE, bo_create),
	QUASAR_IOCTL(BO_INFO, bo_info),
	QUASAR_IOCTL(SUBMIT, submit),
	QUASAR_IOCTL(BO_WAIT, bo_wait),
	QUASAR_IOCTL(JOB_STATS, job_stats),
	QUASAR_IOCTL(QUEUE_CREATE, queue_create),
	QUASAR_IOCTL(QUEUE_DESTROY, queue_destroy),
};

/* DEFINE_DRM_ACCEL_FOPS() plus fdinfo, which 6.12's macro leaves out. */
static const struct file_operations quasar_fops = {
	.owner = THIS_MODULE,
	DRM_ACCEL_FOPS,
	.show_fdinfo = drm_show_fdinfo,
};

static const struct drm_driver quasar_drm_driver = {
	.driver_features = DRIVER_COMPUTE_ACCEL | DRIVER_GEM | DRIVER_SYNCOBJ |
			   DRIVER_SYNCOBJ_TIMELINE,
	.open = quasar_open,
	.postclose = quasar_postclose,
	.show_fdinfo = quasar_show_fdinfo,
	.gem_create_object = quasar_gem_create_object,
	.gem_prime_import = quasar_prime_import,
	.ioctls = quasar_ioctls,
	.num_ioctls = ARRAY_SIZE(quasar_ioctls),
	.fops = &quasar_fops,
	.name = QUASAR_DRIVER_NAME,
	.desc = QUASAR_DRIVER_DESC,
	/* 6.12's DRM_IOCTL_VERSION warns on a NULL date. */
	.date = QUASAR_DRIVER_DATE,
	.major = QUASAR_DRIVER_MAJOR,
	.minor = QUASAR_DRIVER_MINOR,
};

static int quasar_init_state(struct quasar_device *qdev)
{
	quasar_slot_init(qdev);
	atomic_set(&qdev->ctx_count, 0);
	return drmm_mutex_init(&qdev->drm, &qdev->reset_lock);
}

/* Hardware queues, vectors and interrupt causes, once the firmware is up. */
static int quasar_start(struct quasar_device *qdev)
{
	unsigned int i;
	int ret;

	ret = quasar_job_sched_init(qdev);
	if (ret)
		return ret;
	ret = quasar_watchdog_init(qdev);
	if (ret)
		return ret;
	ret = quasar_hw_irq_init(qdev);
	if (ret)
		return ret;
	for (i = 0; i < qdev->num_hwqs; i++)
		quasar_hwq_start(&qdev->hwqs[i]);
	quasar_hw_irq_enable(qdev);
	return 0;
}

static int quasar_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct quasar_device *qdev;
	int ret;

	qdev = devm_drm_dev_alloc(&pdev->dev, &quasar_drm_driver,
				  struct quasar_device, drm);
	if (IS_ERR(qdev))
		return PTR_ERR(qdev);
	qdev->pdev = pdev;
	pci_set_drvdata(pdev, qdev);

	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;
	pci_set_master(pdev);

	ret = quasar_init_state(qdev);
	if (ret)
		return ret;
	ret = quasar_debugfs_init(qdev);
	if (ret)
		return ret;
	ret = quasar_hw_map(qdev);
	if (ret)
		return ret;
	/*
	 * A previous driver instance may have left the firmware running, or
	 * the device wedged: a soft reset that never ends falls back to a
	 * function-level reset, as recovery does.
	 */
	ret = quasar_hw_reset(qdev);
	if (ret == -ETIMEDOUT)
		ret = quasar_reset_flr(qdev);
	if (ret)
		return ret;
	ret = quasar_hw_init(qdev);
	if (ret)
		return ret;
	ret = quasar_fw_load(qdev);
	if (ret)
		return ret;
	ret = quasar_fw_boot(qdev);
	if (ret)
		return ret;

	ret = quasar_start(qdev);
	if (ret)
		goto err_reset;
	ret = drm_dev_register(&qdev->drm, 0);
	if (ret)
		goto err_reset;

	drm_info(&qdev->drm, "firmware %u.%u.%u (build %08x), %u hardware queues, %u contexts\n",
		 qdev->fw.info.version >> 16, (qdev->fw.info.version >> 8) & 0xff,
		 qdev->fw.info.version & 0xff, qdev->fw.info.build_id,
		 qdev->num_hwqs, qdev->num_ctx);
	quasar_pm_enable(qdev);
	return 0;

err_reset:
	/* Stop the rings' DMA before devres frees them. */
	quasar_hw_reset(qdev);
	return ret;
}

static void quasar_remove(struct pci_dev *pdev)
{
	struct quasar_device *qdev = pci_get_drvdata(pdev);

	quasar_pm_disable(qdev);
	drm_dev_unplug(&qdev->drm);
	quasar_watchdog_stop(qdev);
	quasar_reset_unplug(qdev);
}

static void quasar_pci_reset_prepare(struct pci_dev *pdev)
{
	quasar_reset_prepare(pci_get_drvdata(pdev));
}

static void quasar_pci_reset_done(struct pci_dev *pdev)
{
	quasar_reset_done(pci_get_drvdata(pdev));
}

/* A function reset from outside the driver (sysfs, error recovery). */
static const struct pci_error_handlers quasar_pci_err_handlers = {
	.reset_prepare = quasar_pci_reset_prepare,
	.reset_done = quasar_pci_reset_done,
};

static const struct pci_device_id quasar_pci_ids[] = {
	{ PCI_DEVICE(QUASAR_PCI_VENDOR_ID, QUASAR_PCI_DEVICE_ID) },
	{ }
};
MODULE_DEVICE_TABLE(pci, quasar_pci_ids);

static struct pci_driver quasar_pci_driver = {
	.name = QUASAR_DRIVER_NAME,
	.id_table = quasar_pci_ids,
	.probe = quasar_probe,
	.remove = quasar_remove,
	.err_handler = &quasar_pci_err_handlers,
	.driver.pm = pm_ptr(&quasar_pm_ops),
};

static int __init quasar_init(void)
{
	int ret;

	quasar_gemfs_init();
	ret = pci_register_driver(&quasar_pci_driver);
	if (ret)
		quasar_gemfs_fini();
	return ret;
}

static void __exit quasar_exit(void)
{
	pci_unregister_driver(&quasar_pci_driver);
	quasar_gemfs_fini();
	quasar_objcount_check();
}

module_init(quasar_init);
module_exit(quasar_exit);

MODULE_DESCRIPTION(QUASAR_DRIVER_DESC);
MODULE_LICENSE("GPL");
