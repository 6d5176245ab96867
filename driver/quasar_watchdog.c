// SPDX-License-Identifier: GPL-2.0
/*
 * Quasar NPU: the progress watchdog.
 *
 * A job is not hung because it is long: amdxdna and ivpu time out on a
 * lack of progress, and so does this. While a hardware queue has jobs on
 * its ring, the watchdog compares the device's HEAD and the ring's
 * Q_PROGRESS counter (bumped per job, command and page, hw-spec 11) with
 * what it saw before; only when neither moved for the module parameter
 * tdr_timeout_ms is the hardware queue hung.
 * The scheduler's own timeout is off (MAX_SCHEDULE_TIMEOUT).
 *
 * The same work notices what interrupts failed to say: a HEAD that moved
 * a whole period ago with nothing signalled (a lost interrupt: the jobs
 * are completed, no reset), a firmware that left READY (a crash: reboot,
 * jobs on the rings fail with -EIO), and rings that asked for a reset (a
 * ring error, a completion record with the wrong seqno). It runs on the
 * ordered reset workqueue, so it never overlaps another recovery, and the
 * error interrupt runs it at once.
 */
#include <linux/jiffies.h>

#include <drm/drm_drv.h>
#include <drm/drm_managed.h>
#include <drm/drm_print.h>

#include "quasar_drv.h"
#include "quasar_hw.h"
#include "quasar_hwq.h"
#include "quasar_reset.h"
#include "quasar_watchdog.h"

/* Checks per timeout period: a hang is declared 1 to 1.25 periods late. */
#define QUASAR_WATCHDOG_CHECKS	4
#define QUASAR_WATCHDOG_MIN_MS	10

static unsigned long quasar_watchdog_period(void)
{
	unsigned int ms = READ_ONCE(quasar_watchdog_timeout_ms) /
			  QUASAR_WATCHDOG_CHECKS;

	return msecs_to_jiffies(max_t(unsigned int, ms, QUASAR_WATCHDOG_MIN_MS));
}

/* Submit path: make sure a check is coming. */
void quasar_watchdog_kick(struct quasar_device *qdev)
{
	if (READ_ONCE(quasar_watchdog_timeout_ms))
		queue_delayed_work(qdev->reset_wq, &qdev->watchdog.work,
				   quasar_watchdog_period());
}

/* Error interrupt: check now. */
void quasar_watchdog_now(struct quasar_device *qdev)
{
	atomic_set(&qdev->watchdog.error, 1);
	mod_delayed_work(qdev->reset_wq, &qdev->watchdog.work, 0);
}

static bool quasar_watchdog_fw_crashed(struct quasar_device *qdev)
{
	u32 state = quasar_read(qdev, QUASAR_REG_FW_STATUS);

	if (state == QUASAR_FW_STATE_READY || state == U32_MAX)
		return false;
	drm_err(&qdev->drm, "firmware stopped (FW_STATUS %u, FW_ERROR %u); rebooting it\n",
		state, quasar_read(qdev, QUASAR_REG_FW_ERROR));
	qdev->fw_crash_count++;
	return true;
}

/*
 * One hardware queue's check. Returns true when it is hung; completes the
 * jobs of a lost interrupt. *busy tells whether it still has work to watch.
 */
static bool quasar_watchdog_check_hwq(struct quasar_device *qdev,
				      struct quasar_hwq *q, bool *busy)
{
	struct quasar_watchdog *wd = &qdev->watchdog;
	unsigned int timeout_ms = READ_ONCE(quasar_watchdog_timeout_ms);
	u32 i = q->index, hw_head, progress, head, pending;

	pending = quasar_hwq_pending(q, &head);
	if (!pending) {
		wd->watched[i] = false;
		wd->seen_head[i] = head;
		return false;
	}
	*busy = true;
	if (!wd->watched[i]) {
		/* Work arrived since the last check: its time starts now. */
		wd->watched[i] = true;
		wd->stamp[i] = jiffies;
	}
	hw_head = quasar_read(qdev, QUASAR_REG_QUEUE(i, QUASAR_Q_HEAD));
	progress = quasar_read(qdev, QUASAR_REG_Q_PROGRESS(i));
	/*
	 * Waiting for a compute engine that other rings' jobs hold is not a
	 * hang of this one; if one of those hangs, its own ring says so.
	 */
	if (quasar_read(qdev, QUASAR_REG_QUEUE(i, QUASAR_Q_STATUS)) &
	    QUASAR_Q_STATUS_WAITING)
		wd->stamp[i] = jiffies;

	/*
	 * HEAD was already past our head one check ago and we still have not
	 * seen those completions: their interrupt never came.
	 */
	if (wd->seen_head[i] - head - 1 < pending && hw_head != head) {
		drm_err_ratelimited(&qdev->drm, "hw queue %u: completions up to %u without an interrupt; taking them\n",
				    i, hw_head);
		atomic_inc(&wd->lost_irqs);
		/*
		 * Ack the cause as the interrupt handler would: a cause left
		 * set is never signalled again (the device sends on a 0->1
		 * edge), so one lost message would silence the ring for good.
		 * Ack before reading HEAD, so a later completion re-raises.
		 */
		quasar_write(qdev, QUASAR_REG_IRQ_STATUS, QUASAR_IRQ_QUEUE(i));
		quasar_hwq_process(q);
	}
	if (hw_head != wd->seen_head[i] || progress != wd->progress[i])
		wd->stamp[i] = jiffies;
	wd->seen_head[i] = hw_head;
	wd->progress[i] = progress;

	if (!timeout_ms ||
	    time_before(jiffies, wd->stamp[i] + msecs_to_jiffies(timeout_ms)))
		return false;
	drm_err(&qdev->drm, "hw queue %u: no progress for %u ms (HEAD %u, progress %u); resetting the device\n",
		i, timeout_ms, hw_head, progress);
	atomic_inc(&wd->hangs);
	return true;
}

/* After a reset every hardware queue starts again at HEAD 0. */
void quasar_watchdog_forget(struct quasar_device *qdev)
{
	unsigned int i;

	for (i = 0; i < QUASAR_NUM_QUEUES; i++) {
		qdev->watchdog.seen_head[i] = 0;
		qdev->watchdog.watched[i] = false;
	}
}

static void quasar_watchdog_work(struct work_struct *work)
{
	struct quasar_device *qdev = container_of(to_delayed_work(work),
						  struct quasar_device, watchdog.work);
	bool busy = false, reset = false;
	unsigned int i;
	int idx;

	if (!drm_dev_enter(&qdev->drm, &idx))
		return;
	mutex_lock(&qdev->reset_lock);
	if (READ_ONCE(qdev->wedged))
		goto out_unlock;
	/* An idle device may be powered down: leave its registers alone. */
	for (i = 0; i < qdev->num_hwqs; i++)
		if (quasar_hwq_pending(&qdev->hwqs[i], NULL))
			busy = true;
	if (!atomic_xchg(&qdev->watchdog.error, 0) && !busy)
		goto out_unlock;
	busy = false;

	if (quasar_watchdog_fw_crashed(qdev)) {
		quasar_reset_recover(qdev, -EIO);
		quasar_watchdog_forget(qdev);
		busy = true;
		goto out_unlock;
	}
	for (i = 0; i < qdev->num_hwqs; i++) {
		struct quasar_hwq *q = &qdev->hwqs[i];

		if (quasar_hwq_needs_reset(q)) {
			reset = true;
			busy = true;
		} else if (quasar_watchdog_check_hwq(qdev, q, &busy)) {
			quasar_hwq_mark_hung(q);
			reset = true;
		}
	}
	if (reset) {
		quasar_reset_recover(qdev, 0);
		quasar_watchdog_forget(qdev);
	}

out_unlock:
	mutex_unlock(&qdev->reset_lock);
	/* Replayed jobs are watched afresh; an idle device is left alone. */
	if (busy)
		quasar_watchdog_kick(qdev);
	drm_dev_exit(idx);
}

static void quasar_watchdog_fini(struct drm_device *drm, void *arg)
{
	quasar_watchdog_stop(arg);
}

/* After quasar_job_sched_init(): it uses the reset workqueue. */
int quasar_watchdog_init(struct quasar_device *qdev)
{
	INIT_DELAYED_WORK(&qdev->watchdog.work, quasar_watchdog_work);
	return drmm_add_action_or_reset(&qdev->drm, quasar_watchdog_fini, qdev);
}

/* After drm_dev_unplug(): nothing re-arms it once it has been cancelled. */
void quasar_watchdog_stop(struct quasar_device *qdev)
{
	cancel_delayed_work_sync(&qdev->watchdog.work);
}
