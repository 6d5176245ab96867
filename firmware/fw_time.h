/* SPDX-License-Identifier: MIT */
/*
 * Job times by phase (struct fw_job_time in fw_api.h): a start stamp and
 * an add, both free when the HAL has no clock or the device no engine.
 */
#ifndef FW_TIME_H
#define FW_TIME_H

#include <stdint.h>

#include "fw_api.h"

/* A start stamp; 0 when nothing is timed (fw_time_add() then does nothing). */
static inline uint64_t fw_time_now(const struct fw_device *fw)
{
	return fw->engine && fw->hal.now_ns ? fw->hal.now_ns(fw->hal.opaque) : 0;
}

/* The same for a page walk or a DMA: only while fw_engine.time_transfers is set. */
static inline uint64_t fw_time_now_xfer(const struct fw_device *fw)
{
	return fw->engine && fw->engine->time_transfers ? fw_time_now(fw) : 0;
}

/* Adds the time since @t0 to the phase @field of the engine's job time. */
#define fw_time_add(fw, field, t0)						\
	do {									\
		uint64_t t0_ = (t0);						\
		if (t0_)							\
			(fw)->engine->time.field +=				\
				(fw)->hal.now_ns((fw)->hal.opaque) - t0_;	\
	} while (0)

#endif /* FW_TIME_H */
