/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Quasar NPU: firmware image load and the boot handshake (hw-spec 3).
 */
#ifndef __QUASAR_FW_H__
#define __QUASAR_FW_H__

struct quasar_device;

int quasar_fw_load(struct quasar_device *qdev);
int quasar_fw_boot(struct quasar_device *qdev);

#endif /* __QUASAR_FW_H__ */
