/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Quasar NPU: the device's MMU context slots (hw-spec 4), bound to
 * contexts only while they have work.
 */
#ifndef __QUASAR_SLOT_H__
#define __QUASAR_SLOT_H__

#include <linux/types.h>

struct dma_fence;
struct quasar_ctx;
struct quasar_device;

/* &quasar_ctx.slot of a context bound to no hardware slot. */
#define QUASAR_SLOT_NONE	U32_MAX

void quasar_slot_init(struct quasar_device *qdev);
int quasar_slot_pin(struct quasar_ctx *ctx, struct dma_fence **wait);
void quasar_slot_unpin(struct quasar_ctx *ctx);
void quasar_slot_release(struct quasar_ctx *ctx);
void quasar_slot_restore(struct quasar_device *qdev);
unsigned int quasar_slot_bound(struct quasar_device *qdev);

#endif /* __QUASAR_SLOT_H__ */
