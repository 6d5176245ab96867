/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Quasar NPU: PRIME import of dma-bufs into a file's device address space.
 */
#ifndef __QUASAR_PRIME_H__
#define __QUASAR_PRIME_H__

struct dma_buf;
struct drm_device;
struct drm_gem_object;

struct drm_gem_object *quasar_prime_import(struct drm_device *drm,
					   struct dma_buf *dma_buf);

#endif /* __QUASAR_PRIME_H__ */
