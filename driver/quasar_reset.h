/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Quasar NPU: device reset and recovery (hw-spec 7).
 */
#ifndef __QUASAR_RESET_H__
#define __QUASAR_RESET_H__

struct quasar_device;

int quasar_reset_flr(struct quasar_device *qdev);
void quasar_reset_recover(struct quasar_device *qdev, int lost);
void quasar_reset_unplug(struct quasar_device *qdev);
void quasar_reset_prepare(struct quasar_device *qdev);
void quasar_reset_done(struct quasar_device *qdev);

#endif /* __QUASAR_RESET_H__ */
