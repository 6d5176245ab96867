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

/*
 * Fault-injection knobs (issue 5 part A) go into @dir, the device's debugfs
 * directory, from the recovery code's own file. quasar_debugfs.c carries a
 * weak empty default so that the driver links before that file exists.
 */
void quasar_debugfs_fault_init(struct quasar_device *qdev, struct dentry *dir);

#endif /* __QUASAR_DEBUGFS_H__ */
