/* SPDX-License-Identifier: MIT */
/*
 * A fake Quasar kernel driver for libaccel's host tests: the program
 * defines ioctl(), which libaccel.a and libdrm.so then call, and answers
 * the calls made on one memfd (whose pages back the BOs' CPU mappings)
 * the way docs/driver.md and the uapi say the driver does, recording
 * what it was asked. Every other fd goes to the real system call.
 */
#ifndef LA_FAKE_H
#define LA_FAKE_H

#include <stdint.h>

#include <accel.h>

#define LA_FAKE_HWQ		4
#define LA_FAKE_MAX_QUEUES	64
#define LA_FAKE_LOG		64

/* One SUBMIT as the fake kernel saw it. */
struct la_fake_submit {
	uint32_t cmd_handle;
	uint32_t flags;
	uint32_t queue;		/* as passed: an id or a hardware index */
	uint32_t hw_queue;	/* where the fake ran it */
};

struct la_fake {
	int fd;
	/* Hardware queue priorities, like the driver's quasar_uqueue.c. */
	uint32_t hwq_priority[LA_FAKE_HWQ];
	uint32_t hwq_bound[LA_FAKE_HWQ];
	/* Queue id i is live when queue_hw[i] is its hardware queue + 1. */
	uint32_t queue_hw[LA_FAKE_MAX_QUEUES + 1];
	/* Calls made, refused ones included. */
	uint32_t create_calls, destroy_calls, submits_seen;
	struct drm_quasar_queue_create last_create;
	uint32_t last_destroyed;
	struct la_fake_submit submit[LA_FAKE_LOG];
	uint32_t nsubmit;
	/* Job status BO_WAIT reports for command BO @fail_handle (0: none). */
	uint32_t fail_handle, fail_status;
	/* QUEUE_CREATE answers this hardware queue instead (0: honestly). */
	uint32_t bogus_hw_queue;
	uint32_t next_handle;
	uint64_t next_offset;
	uint32_t hw_of_handle[256];	/* last hw queue a command BO ran on */
};

extern struct la_fake la_fake;

/*
 * A device over a fresh fake: four hardware queues (0, 1 NORMAL, 2 HIGH,
 * 3 LOW), every priority. NULL when the memfd cannot be made.
 */
struct accel_device *la_fake_open(void);

#endif /* LA_FAKE_H */
