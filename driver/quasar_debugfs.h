/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Quasar NPU: debugfs (accel/<pci name>/) and the firmware log.
 */
#ifndef __QUASAR_DEBUGFS_H__
#define __QUASAR_DEBUGFS_H__

struct dentry;
struct quasar_device;

/* Bytes of firmware log text the driver keeps (the device keeps 4 KiB). */
#define QUASAR_FWLOG_KEEP	16384

int quasar_debugfs_init(struct quasar_device *qdev);
void quasar_fwlog_drain(struct quasar_device *qdev);

/* Test knobs and recovery counters (quasar_debugfs_fault.c). */
void quasar_debugfs_fault_init(struct quasar_device *qdev, struct dentry *dir);

#endif /* __QUASAR_DEBUGFS_H__ */
