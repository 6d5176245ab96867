// SPDX-License-Identifier: GPL-2.0
/*
 * Quasar NPU: debugfs, in the accel device's directory
 * (/sys/kernel/debug/accel/<pci name>/); docs/driver.md describes each file.
 *
 * The files show driver state under the locks that guard it, and read
 * registers only inside drm_dev_enter(), so that a file opened before a
 * hot-unplug stays harmless. The registers read here (power state, log
 * FIFO, the debug block's D3 access count) are always on, so reading never
 * wakes a suspended device and never needs to; the files that read other
 * registers (quasar_debugfs_fault.c) hold a runtime PM reference.
 */
#include <linux/debugfs.h>
#include <linux/pid.h>
#include <linux/pm_runtime.h>
#include <linux/sched.h>
#include <linux/seq_file.h>

#include <drm/drm_debugfs.h>
#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_managed.h>

#include "drm/quasar_accel.h"
#include "quasar_debugfs.h"
#include "quasar_drv.h"
#include "quasar_gem.h"
#include "quasar_hw.h"
#include "quasar_hwq.h"
#include "quasar_mmu.h"
#include "quasar_objcount.h"
#include "quasar_pm.h"
#include "quasar_slot.h"
#include "quasar_queue.h"

static struct quasar_device *quasar_debugfs_qdev(struct seq_file *m)
{
	struct drm_debugfs_entry *entry = m->private;

	return to_quasar_device(entry->dev);
}

static const char *quasar_debugfs_priority(u32 priority)
{
	static const char *const names[] = {
		[DRM_QUASAR_PRIORITY_LOW] = "low",
		[DRM_QUASAR_PRIORITY_NORMAL] = "normal",
		[DRM_QUASAR_PRIORITY_HIGH] = "high",
	};

	return priority < ARRAY_SIZE(names) ? names[priority] : "?";
}

static int quasar_debugfs_hw_queues(struct seq_file *m, void *data)
{
	struct quasar_device *qdev = quasar_debugfs_qdev(m);
	unsigned int i;

	for (i = 0; i < qdev->num_hwqs; i++) {
		struct quasar_hwq *q = &qdev->hwqs[i];

		guard(mutex)(&q->lock);
		seq_printf(m, "hw_queue %u: state=%s priority=%s bound_queues=%d head=%u tail=%u in_flight=%u last_seqno=%llu error=%u scheduled=%u\n",
			   q->index, q->stopped ? "stopped" : "running",
			   quasar_debugfs_priority(quasar_hwq_priority(i)),
			   atomic_read(&q->bound_queues), q->head, q->tail,
			   q->tail - q->head, q->seqno, q->error,
			   atomic_read(&q->sched.credit_count));
	}
	seq_printf(m, "engines: %u\n", qdev->num_engines);
	seq_printf(m, "live (module-wide): contexts=%d bos=%d jobs=%d queues=%d\n",
		   quasar_objcount_read(QUASAR_OBJ_CTX),
		   quasar_objcount_read(QUASAR_OBJ_BO),
		   quasar_objcount_read(QUASAR_OBJ_JOB),
		   quasar_objcount_read(QUASAR_OBJ_QUEUE));
	return 0;
}

/* "pid comm" of the process that opened @file. */
static void quasar_debugfs_owner(struct seq_file *m, struct drm_file *file)
{
	struct task_struct *task;
	struct pid *pid;

	rcu_read_lock();	/* file->pid and the task's comm */
	pid = rcu_dereference(file->pid);
	task = pid_task(pid, PIDTYPE_TGID);
	seq_printf(m, "pid=%d comm=%s", pid_vnr(pid),
		   task ? task->comm : "<unknown>");
	rcu_read_unlock();
}

static void quasar_debugfs_context(struct seq_file *m, struct drm_file *file)
{
	struct quasar_file *qfile = to_quasar_file(file);
	struct drm_gem_object *obj;
	unsigned int bos = 0, q;
	u32 slot;
	int id;

	if (!qfile)
		return;
	spin_lock(&file->table_lock);
	idr_for_each_entry(&file->object_idr, obj, id)
		bos++;
	spin_unlock(&file->table_lock);

	slot = READ_ONCE(qfile->ctx->slot);
	if (slot == QUASAR_SLOT_NONE)
		seq_puts(m, "slot=none ");
	else
		seq_printf(m, "slot=%u ", slot);
	quasar_debugfs_owner(m, file);
	seq_printf(m, " bos=%u banned=%d queued_jobs=%d busy_ns=", bos,
		   READ_ONCE(qfile->ctx->banned),
		   atomic_read(&qfile->ctx->queued_jobs));
	for (q = 0; q < qfile->qdev->num_hwqs; q++)
		seq_printf(m, "%s%lld", q ? "," : "",
			   atomic64_read(&qfile->ctx->busy_ns[q]));
	seq_putc(m, '\n');
}

/* One line per open file, oldest first. */
static int quasar_debugfs_contexts(struct seq_file *m, void *data)
{
	struct drm_device *drm = &quasar_debugfs_qdev(m)->drm;
	struct drm_file *file;

	guard(mutex)(&drm->filelist_mutex);
	list_for_each_entry_reverse(file, &drm->filelist, lhead)
		quasar_debugfs_context(m, file);
	return 0;
}

static void quasar_debugfs_file_bos(struct seq_file *m, struct drm_file *file)
{
	struct quasar_file *qfile = to_quasar_file(file);
	struct drm_gem_object *obj;
	int id;

	if (!qfile)
		return;
	spin_lock(&file->table_lock);
	idr_for_each_entry(&file->object_idr, obj, id) {
		struct quasar_bo *bo = to_quasar_bo(obj);

		seq_printf(m, "handle=%d size=%zu addr=0x%llx ctx=%u ", id,
			   obj->size, quasar_bo_device_addr(bo),
			   bo->ctx ? bo->ctx->slot : U32_MAX);
		quasar_debugfs_owner(m, file);
		seq_putc(m, '\n');
	}
	spin_unlock(&file->table_lock);
}

static int quasar_debugfs_bos(struct seq_file *m, void *data)
{
	struct drm_device *drm = &quasar_debugfs_qdev(m)->drm;
	struct drm_file *file;

	guard(mutex)(&drm->filelist_mutex);
	list_for_each_entry_reverse(file, &drm->filelist, lhead)
		quasar_debugfs_file_bos(m, file);
	return 0;
}

/* Keep the newest QUASAR_FWLOG_KEEP bytes; older text is shifted out. */
static void quasar_fwlog_keep(struct quasar_device *qdev, const char *s,
			      size_t n)
{
	size_t over;

	lockdep_assert_held(&qdev->fwlog.lock);
	if (qdev->fwlog.len + n > QUASAR_FWLOG_KEEP) {
		over = qdev->fwlog.len + n - QUASAR_FWLOG_KEEP;
		memmove(qdev->fwlog.buf, qdev->fwlog.buf + over,
			qdev->fwlog.len - over);
		qdev->fwlog.len -= over;
	}
	memcpy(qdev->fwlog.buf + qdev->fwlog.len, s, n);
	qdev->fwlog.len += n;
}

/* Moves the device's log FIFO (hw-spec 10.2) into the driver's copy. */
void quasar_fwlog_drain(struct quasar_device *qdev)
{
	u32 status, avail, word;
	char text[4];
	int idx;

	if (!drm_dev_enter(&qdev->drm, &idx))
		return;
	guard(mutex)(&qdev->fwlog.lock);
	status = quasar_read(qdev, QUASAR_REG_FWLOG_STATUS);
	if (status == U32_MAX)
		goto out;
	/* Bounded by what was there when we looked, not by what keeps coming. */
	avail = min_t(u32, status & QUASAR_FWLOG_STATUS_BYTES, QUASAR_FWLOG_SIZE);
	while (avail) {
		u32 n = min_t(u32, avail, 4), i;

		word = quasar_read(qdev, QUASAR_REG_FWLOG_DATA);
		for (i = 0; i < n; i++)
			text[i] = word >> (8 * i);
		quasar_fwlog_keep(qdev, text, n);
		avail -= n;
	}
out:
	drm_dev_exit(idx);
}

static int quasar_debugfs_fw_log(struct seq_file *m, void *data)
{
	struct quasar_device *qdev = quasar_debugfs_qdev(m);

	quasar_fwlog_drain(qdev);
	guard(mutex)(&qdev->fwlog.lock);
	seq_write(m, qdev->fwlog.buf, qdev->fwlog.len);
	return 0;
}

static int quasar_debugfs_reset_counters(struct seq_file *m, void *data)
{
	struct quasar_device *qdev = quasar_debugfs_qdev(m);

	guard(mutex)(&qdev->reset_lock);
	seq_printf(m, "reset_count: %u\nflr_count: %u\nfw_crash_count: %u\nwedged: %d\n",
		   qdev->reset_count, qdev->flr_count, qdev->fw_crash_count,
		   qdev->wedged);
	return 0;
}

static int quasar_debugfs_power(struct seq_file *m, void *data)
{
	struct quasar_device *qdev = quasar_debugfs_qdev(m);
	struct device *dev = qdev->drm.dev;
	u32 status = U32_MAX, d3_accesses = 0;
	int idx;

	if (drm_dev_enter(&qdev->drm, &idx)) {
		status = quasar_read(qdev, QUASAR_REG_POWER_STATUS);
		d3_accesses = quasar_read(qdev, QUASAR_REG_DBG_D3_ACCESSES);
		drm_dev_exit(idx);
	}
	seq_printf(m, "runtime_status: %s\n", quasar_pm_state_name(qdev));
	seq_printf(m, "usage_count: %d\n", atomic_read(&dev->power.usage_count));
	seq_printf(m, "autosuspend_delay_ms: %d\n",
		   dev->power.autosuspend_delay);
	if (status == U32_MAX)
		seq_puts(m, "device_state: gone\n");
	else
		seq_printf(m, "device_state: D%u%s\n",
			   status & QUASAR_POWER_STATUS_STATE,
			   status & QUASAR_POWER_STATUS_BUSY ? " (entering D3)" : "");
	/* Register accesses that reached the device in D3: a driver bug. */
	seq_printf(m, "d3_accesses: %u\n", d3_accesses);
	guard(mutex)(&qdev->reset_lock);
	seq_printf(m, "suspend_count: %u\nresume_count: %u\nsleep_count: %u\nwake_count: %u\n",
		   qdev->pm.suspend_count, qdev->pm.resume_count,
		   qdev->pm.sleep_count, qdev->pm.wake_count);
	return 0;
}

static const struct drm_debugfs_info quasar_debugfs_files[] = {
	{ "hw_queues", quasar_debugfs_hw_queues },
	{ "contexts", quasar_debugfs_contexts },
	{ "bos", quasar_debugfs_bos },
	{ "fw_log", quasar_debugfs_fw_log },
	{ "reset_counters", quasar_debugfs_reset_counters },
	{ "power", quasar_debugfs_power },
};

/* Probe, before drm_dev_register(); the directory exists since alloc. */
int quasar_debugfs_init(struct quasar_device *qdev)
{
	struct drm_device *drm = &qdev->drm;
	int ret;

	ret = drmm_mutex_init(drm, &qdev->fwlog.lock);
	if (ret)
		return ret;
	qdev->fwlog.buf = drmm_kzalloc(drm, QUASAR_FWLOG_KEEP, GFP_KERNEL);
	if (!qdev->fwlog.buf)
		return -ENOMEM;
	qdev->fwlog.len = 0;

	drm_debugfs_add_files(drm, quasar_debugfs_files,
			      ARRAY_SIZE(quasar_debugfs_files));
	quasar_debugfs_fault_init(qdev, drm->debugfs_root);
	return 0;
}
