/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the in-guest tests. They return 0 or a negative errno
 * (or 1 for a data mismatch, after printing what differed), so that each
 * test asserts on them and its failure message stays in the test.
 */
#ifndef GUEST_UTIL_H
#define GUEST_UTIL_H

#include <stdint.h>

#include <accel.h>

/* Long enough for TCG on a loaded 2-core host, short of the harness's. */
#define GUEST_JOB_TIMEOUT_NS (20ll * 1000000000)

/* CLOCK_MONOTONIC now, in ns (BO_WAIT deadlines are absolute). */
int64_t guest_now_ns(void);

/* ioctl() that returns 0 or -errno, for tests of the raw interface. */
int guest_ioctl(int fd, unsigned long request, void *arg);

/*
 * Proof that @dev still runs jobs on @queue: FILLs two fresh pages with a
 * value unique to this call, waits, and checks every byte from the CPU.
 */
int guest_device_works(struct accel_device *dev, uint32_t queue);

/* Checks that @len bytes at @p all equal @byte; prints the first miss. */
int guest_expect_bytes(const void *p, uint64_t len, uint8_t byte,
		       const char *what);

/* Checks that @len bytes at @p hold the 32-bit little-endian @value. */
int guest_expect_u32(const void *p, uint64_t len, uint32_t value,
		     const char *what);

/* Creates and maps a BO in one step. */
int guest_bo_new(struct accel_device *dev, uint64_t size, struct accel_bo **bo,
		 void **map);

/*
 * Builds a one-job stream with @cb's builder already filled in by the
 * caller, submits it on @queue using @bos, and waits for it; @result gets
 * the device's status. Returns what accel_cmdbuf_wait() returns.
 */
int guest_run(struct accel_cmdbuf *cb, uint32_t queue, struct accel_bo *const *bos,
	      uint32_t bo_count, struct accel_job_result *result);

/*
 * A counter of the driver's debugfs "recovery" file (resets, hangs,
 * fw_crashes, lost_irqs, ...), or -1 when there is no such file or line.
 */
long guest_recovery_counter(const char *name);

#endif /* GUEST_UTIL_H */
