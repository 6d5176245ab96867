/* SPDX-License-Identifier: MIT */
/*
 * Helpers of the observability and power tests: sysfs/debugfs/tracefs text
 * files, and the device's debugfs directory.
 */
#ifndef OBS_UTIL_H
#define OBS_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* Reads a whole text file into a malloc'd, NUL-terminated string, or NULL. */
char *obs_read(const char *path);
/* Writes @text to @path; 0 or -errno. */
int obs_write(const char *path, const char *text);
/* The quasar device's debugfs directory, e.g. /sys/kernel/debug/accel/0000:01:00.0. */
int obs_debugfs_dir(char *buf, size_t len);
/* Reads debugfs file @name of the device, or NULL. */
char *obs_debugfs(const char *name);
/* Value of "key: N" (or "key=N") in @text; -1 if absent. */
long long obs_field(const char *text, const char *key);
/* The accel0 PCI function's sysfs directory (…/devices/…/0000:01:00.0). */
int obs_pci_dir(char *buf, size_t len);
/* Poll @pci's power/runtime_status for up to @seconds until it reads @want. */
int obs_power_wait(const char *pci, const char *want, int seconds);
/*
 * Let the idle device runtime-suspend (autosuspend delay shortened for the
 * wait), so that the next job resumes it and the firmware boots again.
 * Returns 0 once suspended.
 */
int obs_power_cycle(int seconds);

#endif /* OBS_UTIL_H */
