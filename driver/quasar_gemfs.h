/* SPDX-License-Identifier: GPL-2.0 */
#ifndef QUASAR_GEMFS_H
#define QUASAR_GEMFS_H

struct drm_gem_object;

void quasar_gemfs_init(void);
void quasar_gemfs_fini(void);
void quasar_gemfs_adopt(struct drm_gem_object *obj);

#endif /* QUASAR_GEMFS_H */
