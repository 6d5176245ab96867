/* SPDX-License-Identifier: MIT */
/*
 * Raw-ioctl helpers for the guest tests that exercise the Quasar ioctls
 * themselves, without libaccel in between.
 */
#ifndef RAW_UTIL_H
#define RAW_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "drm/quasar_accel.h"

/* A BO with its device address and a CPU mapping. */
struct raw_bo {
	uint32_t handle;
	uint64_t size;
	uint64_t addr;
	void *map;
};

/* ioctl() retried on EINTR/EAGAIN; 0 or -errno. */
int raw_ioctl(int fd, unsigned long req, void *arg);
/* The first accel node, read-write; -1 with errno on failure. */
int raw_open(void);
/* CLOCK_MONOTONIC now + @ns, as BO_WAIT and syncobj waits take it. */
int64_t raw_deadline(uint64_t ns);
/* BO_CREATE of @size bytes, then mmap; 0 or -errno. */
int raw_bo_new(int fd, uint64_t size, struct raw_bo *bo);
/* munmap and GEM_CLOSE. */
void raw_bo_del(int fd, struct raw_bo *bo);
/* BO_WAIT on @bo for at most @ns; *w holds the job status outputs. */
int raw_bo_wait(int fd, const struct raw_bo *bo, uint64_t ns,
		struct drm_quasar_bo_wait *w);

/* Command writers: store the command at @p and return its length. */
size_t raw_put_write_value(void *p, uint64_t addr, uint64_t value);
/*
 * @copies COPY commands alternating between the two halves of @bo (a long
 * job that keeps making progress), then a WRITE_VALUE of @mark at
 * @mark_addr that tells whether the job ran to its end.
 */
size_t raw_put_copy_stream(void *p, const struct raw_bo *bo, int copies,
			   uint64_t mark_addr, uint64_t mark);

#endif /* RAW_UTIL_H */
