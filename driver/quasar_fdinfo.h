/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Quasar NPU: DRM fdinfo (Documentation/gpu/drm-usage-stats.rst).
 */
#ifndef __QUASAR_FDINFO_H__
#define __QUASAR_FDINFO_H__

struct drm_file;
struct drm_printer;

void quasar_show_fdinfo(struct drm_printer *p, struct drm_file *file);

#endif /* __QUASAR_FDINFO_H__ */
