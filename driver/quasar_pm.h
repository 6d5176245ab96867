/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Quasar NPU: runtime power management (hw-spec 10.1).
 */
#ifndef __QUASAR_PM_H__
#define __QUASAR_PM_H__

#include <linux/pm.h>

struct quasar_device;

extern const struct dev_pm_ops quasar_pm_ops;

void quasar_pm_enable(struct quasar_device *qdev);
void quasar_pm_disable(struct quasar_device *qdev);
int quasar_pm_get(struct quasar_device *qdev);
void quasar_pm_put(struct quasar_device *qdev);
const char *quasar_pm_state_name(struct quasar_device *qdev);

#endif /* __QUASAR_PM_H__ */
