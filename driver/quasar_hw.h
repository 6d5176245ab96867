/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Quasar NPU: register access, soft reset and interrupts (hw-spec 2, 6, 7).
 */
#ifndef __QUASAR_HW_H__
#define __QUASAR_HW_H__

#include <linux/io.h>
#include <linux/kernel.h>

#include "quasar_drv.h"

static inline u32 quasar_read(struct quasar_device *qdev, u32 reg)
{
	return readl(qdev->regs + reg);
}

static inline void quasar_write(struct quasar_device *qdev, u32 reg, u32 val)
{
	writel(val, qdev->regs + reg);
}

/* 64-bit values live in LO/HI register pairs; the device takes 32-bit writes only. */
static inline void quasar_write64(struct quasar_device *qdev, u32 reg_lo, u64 val)
{
	writel(lower_32_bits(val), qdev->regs + reg_lo);
	writel(upper_32_bits(val), qdev->regs + reg_lo + 4);
}

int quasar_hw_map(struct quasar_device *qdev);
int quasar_hw_init(struct quasar_device *qdev);
bool quasar_hw_alive(struct quasar_device *qdev);
int quasar_hw_reset(struct quasar_device *qdev);
int quasar_hw_irq_init(struct quasar_device *qdev);
void quasar_hw_irq_enable(struct quasar_device *qdev);
void quasar_hw_irq_disable(struct quasar_device *qdev);

#endif /* __QUASAR_HW_H__ */
