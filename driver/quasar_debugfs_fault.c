// SPDX-License-Identifier: GPL-2.0
/*
 * Quasar NPU: test knobs (fault injection, the engine scheduler's hold) and
 * recovery counters in debugfs (accel/<pci name>/), over the device's debug
 * block (hw-spec 11).
 *
 *   fault_inject     write names to arm one-shot faults for the next job:
 *                    "hang", "mmu", "fw_crash", "lost_irq", "corrupt_cpl",
 *                    "slow"; "clear" disarms; reads back what is still armed
 *   fault_hw_queues  hardware queues the faults fire on (bit mask, hex)
 *   fault_va         device address an injected MMU fault reports
 *   fault_pace_us    microseconds a "slow" job waits at each unit of work,
 *                    so it outlasts a timeout while making progress
 *   engine_hold      1 holds the device's engine scheduler: no job starts,
 *                    jobs pile up in the rings; 0 releases it
 *   reset_hold       1 wedges the device: a soft reset never completes,
 *                    until a function-level reset (which clears the knob)
 *   engine_grants    the scheduler as the device shows it: held or not,
 *                    the grant count, and per hardware queue the jobs in
 *                    its ring, whether it waits for an engine and the
 *                    grant number of its latest job
 *   recovery         what the watchdog and the fault paths counted, and
 *                    the live contexts and jobs (for leak checks)
 *
 * The registers are written inside drm_dev_enter() and with the device
 * awake: a suspended device ignores writes.
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include <drm/drm_drv.h>

#include "quasar_debugfs.h"
#include "quasar_drv.h"
#include "quasar_hw.h"
#include "quasar_pm.h"
#include "quasar_slot.h"

static const char * const quasar_fault_names[] = {
	"hang", "mmu", "fw_crash", "lost_irq", "corrupt_cpl", "slow",
};

static_assert(QUASAR_DBG_HANG == 1u << 0 && QUASAR_DBG_MMU_FAULT == 1u << 1 &&
	      QUASAR_DBG_FW_CRASH == 1u << 2 && QUASAR_DBG_LOST_IRQ == 1u << 3 &&
	      QUASAR_DBG_CORRUPT_CPL == 1u << 4 && QUASAR_DBG_SLOW == 1u << 5);

static int quasar_fault_reg_read(struct quasar_device *qdev, u32 reg, u32 *val)
{
	int idx, ret;

	if (!drm_dev_enter(&qdev->drm, &idx))
		return -ENODEV;
	ret = quasar_pm_get(qdev);
	if (!ret) {
		*val = quasar_read(qdev, reg);
		quasar_pm_put(qdev);
	}
	drm_dev_exit(idx);
	return ret;
}

static int quasar_fault_reg_write(struct quasar_device *qdev, u32 reg, u32 val)
{
	int idx, ret;

	if (!drm_dev_enter(&qdev->drm, &idx))
		return -ENODEV;
	ret = quasar_pm_get(qdev);
	if (!ret) {
		quasar_write(qdev, reg, val);
		quasar_pm_put(qdev);
	}
	drm_dev_exit(idx);
	return ret;
}

static int quasar_fault_inject_show(struct seq_file *m, void *data)
{
	struct quasar_device *qdev = m->private;
	u32 armed, i;
	int ret;

	ret = quasar_fault_reg_read(qdev, QUASAR_REG_DBG_INJECT, &armed);
	if (ret)
		return ret;
	for (i = 0; i < ARRAY_SIZE(quasar_fault_names); i++)
		if (armed & BIT(i))
			seq_printf(m, "%s ", quasar_fault_names[i]);
	seq_puts(m, "\n");
	return 0;
}

static int quasar_fault_inject_open(struct inode *inode, struct file *file)
{
	return single_open(file, quasar_fault_inject_show, inode->i_private);
}

static ssize_t quasar_fault_inject_write(struct file *file,
					 const char __user *ubuf, size_t len,
					 loff_t *off)
{
	struct quasar_device *qdev = file_inode(file)->i_private;
	char buf[96], *p = buf, *word;
	u32 val = 0, i;
	int ret;

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = 0;
	while ((word = strsep(&p, " \t\n"))) {
		if (!*word)
			continue;
		if (!strcmp(word, "clear")) {
			val |= QUASAR_DBG_CLEAR;
			continue;
		}
		i = match_string(quasar_fault_names,
				 ARRAY_SIZE(quasar_fault_names), word);
		if ((int)i < 0)
			return -EINVAL;
		val |= BIT(i);
	}
	if (!val)
		return -EINVAL;
	ret = quasar_fault_reg_write(qdev, QUASAR_REG_DBG_INJECT, val);
	return ret ?: len;
}

static const struct file_operations quasar_fault_inject_fops = {
	.owner = THIS_MODULE,
	.open = quasar_fault_inject_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = single_release,
	.write = quasar_fault_inject_write,
};

/* One register as a debugfs attribute's value. */
static int quasar_fault_reg_get(struct quasar_device *qdev, u32 reg, u64 *val)
{
	u32 v = 0;
	int ret = quasar_fault_reg_read(qdev, reg, &v);

	*val = v;
	return ret;
}

static int quasar_fault_hw_queues_get(void *data, u64 *val)
{
	return quasar_fault_reg_get(data, QUASAR_REG_DBG_QUEUES, val);
}

static int quasar_fault_hw_queues_set(void *data, u64 val)
{
	if (val >= BIT(QUASAR_NUM_QUEUES))
		return -EINVAL;
	return quasar_fault_reg_write(data, QUASAR_REG_DBG_QUEUES, val);
}

DEFINE_DEBUGFS_ATTRIBUTE(quasar_fault_hw_queues_fops,
			 quasar_fault_hw_queues_get, quasar_fault_hw_queues_set,
			 "0x%llx\n");

static int quasar_fault_va_get(void *data, u64 *val)
{
	u32 lo = 0, hi = 0;
	int ret;

	ret = quasar_fault_reg_read(data, QUASAR_REG_DBG_FAULT_VA_LO, &lo);
	if (!ret)
		ret = quasar_fault_reg_read(data, QUASAR_REG_DBG_FAULT_VA_HI, &hi);
	*val = (u64)hi << 32 | lo;
	return ret;
}

static int quasar_fault_va_set(void *data, u64 val)
{
	int ret;

	ret = quasar_fault_reg_write(data, QUASAR_REG_DBG_FAULT_VA_LO,
				     lower_32_bits(val));
	if (!ret)
		ret = quasar_fault_reg_write(data, QUASAR_REG_DBG_FAULT_VA_HI,
					     upper_32_bits(val));
	return ret;
}

DEFINE_DEBUGFS_ATTRIBUTE(quasar_fault_va_fops, quasar_fault_va_get,
			 quasar_fault_va_set, "0x%llx\n");

static int quasar_fault_pace_get(void *data, u64 *val)
{
	return quasar_fault_reg_get(data, QUASAR_REG_DBG_PACE_US, val);
}

static int quasar_fault_pace_set(void *data, u64 val)
{
	if (val > QUASAR_DBG_PACE_MAX_US)
		return -EINVAL;
	return quasar_fault_reg_write(data, QUASAR_REG_DBG_PACE_US, val);
}

DEFINE_DEBUGFS_ATTRIBUTE(quasar_fault_pace_fops, quasar_fault_pace_get,
			 quasar_fault_pace_set, "%llu\n");

/* DBG_HOLD holds two things; each knob changes its own bit. */
static int quasar_hold_get(struct quasar_device *qdev, u32 bit, u64 *val)
{
	u32 v;
	int ret = quasar_fault_reg_read(qdev, QUASAR_REG_DBG_HOLD, &v);

	*val = !!(v & bit);
	return ret;
}

static int quasar_hold_set(struct quasar_device *qdev, u32 bit, u64 val)
{
	u32 v;
	int ret;

	if (val > 1)
		return -EINVAL;
	ret = quasar_fault_reg_read(qdev, QUASAR_REG_DBG_HOLD, &v);
	if (ret)
		return ret;
	v = val ? v | bit : v & ~bit;
	return quasar_fault_reg_write(qdev, QUASAR_REG_DBG_HOLD, v);
}

static int quasar_engine_hold_get(void *data, u64 *val)
{
	return quasar_hold_get(data, QUASAR_DBG_HOLD_ENGINES, val);
}

static int quasar_engine_hold_set(void *data, u64 val)
{
	return quasar_hold_set(data, QUASAR_DBG_HOLD_ENGINES, val);
}

DEFINE_DEBUGFS_ATTRIBUTE(quasar_engine_hold_fops, quasar_engine_hold_get,
			 quasar_engine_hold_set, "%llu\n");

static int quasar_reset_hold_get(void *data, u64 *val)
{
	return quasar_hold_get(data, QUASAR_DBG_HOLD_RESET, val);
}

static int quasar_reset_hold_set(void *data, u64 val)
{
	return quasar_hold_set(data, QUASAR_DBG_HOLD_RESET, val);
}

DEFINE_DEBUGFS_ATTRIBUTE(quasar_reset_hold_fops, quasar_reset_hold_get,
			 quasar_reset_hold_set, "%llu\n");

/* One snapshot of the scheduler's registers, the device kept awake. */
static int quasar_engine_grants_show(struct seq_file *m, void *data)
{
	struct quasar_device *qdev = m->private;
	u32 hold, grants, i;
	int idx, ret;

	if (!drm_dev_enter(&qdev->drm, &idx))
		return -ENODEV;
	ret = quasar_pm_get(qdev);
	if (ret)
		goto out;
	hold = quasar_read(qdev, QUASAR_REG_DBG_HOLD);
	grants = quasar_read(qdev, QUASAR_REG_DBG_GRANTS);
	seq_printf(m, "held: %d\ngrants: %u\n",
		   !!(hold & QUASAR_DBG_HOLD_ENGINES), grants);
	for (i = 0; i < qdev->num_hwqs; i++) {
		u32 tail = quasar_read(qdev, QUASAR_REG_QUEUE(i, QUASAR_Q_TAIL));
		u32 head = quasar_read(qdev, QUASAR_REG_QUEUE(i, QUASAR_Q_HEAD));
		u32 status = quasar_read(qdev, QUASAR_REG_QUEUE(i, QUASAR_Q_STATUS));

		seq_printf(m, "hw_queue %u: queued=%u waiting=%d start_seq=%u\n",
			   i, tail - head, !!(status & QUASAR_Q_STATUS_WAITING),
			   quasar_read(qdev, QUASAR_REG_QUEUE(i, QUASAR_Q_START_SEQ)));
	}
	quasar_pm_put(qdev);
out:
	drm_dev_exit(idx);
	return ret;
}

DEFINE_SHOW_ATTRIBUTE(quasar_engine_grants);

static int quasar_recovery_show(struct seq_file *m, void *data)
{
	struct quasar_device *qdev = m->private;

	scoped_guard(mutex, &qdev->reset_lock)
		seq_printf(m, "resets: %u\nflrs: %u\nfw_crashes: %u\n",
			   qdev->reset_count, qdev->flr_count,
			   qdev->fw_crash_count);
	seq_printf(m, "hangs: %d\nlost_irqs: %d\nbad_records: %d\ncontexts: %d\nbound_slots: %u\njobs: %d\n",
		   atomic_read(&qdev->watchdog.hangs),
		   atomic_read(&qdev->watchdog.lost_irqs),
		   atomic_read(&qdev->watchdog.bad_records),
		   atomic_read(&qdev->ctx_count), quasar_slot_bound(qdev),
		   atomic_read(&qdev->job_count));
	return 0;
}

DEFINE_SHOW_ATTRIBUTE(quasar_recovery);

void quasar_debugfs_fault_init(struct quasar_device *qdev, struct dentry *dir)
{
	debugfs_create_file("fault_inject", 0600, dir, qdev,
			    &quasar_fault_inject_fops);
	debugfs_create_file_unsafe("fault_hw_queues", 0600, dir, qdev,
				   &quasar_fault_hw_queues_fops);
	debugfs_create_file_unsafe("fault_va", 0600, dir, qdev,
				   &quasar_fault_va_fops);
	debugfs_create_file_unsafe("fault_pace_us", 0600, dir, qdev,
				   &quasar_fault_pace_fops);
	debugfs_create_file_unsafe("engine_hold", 0600, dir, qdev,
				   &quasar_engine_hold_fops);
	debugfs_create_file_unsafe("reset_hold", 0600, dir, qdev,
				   &quasar_reset_hold_fops);
	debugfs_create_file("engine_grants", 0400, dir, qdev,
			    &quasar_engine_grants_fops);
	debugfs_create_file("recovery", 0400, dir, qdev, &quasar_recovery_fops);
}
