/* SPDX-License-Identifier: MIT */
/* libaccel's private object layouts and helpers; not installed. */
#ifndef ACCEL_INTERNAL_H
#define ACCEL_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>

#include "accel.h"
#include "accel_enc.h"
#include "accel_ops.h"

struct accel_device {
	int fd;
	char path[64];
	struct drm_quasar_device_info info;
	struct accel_driver_version driver;
	/* Guards last_error and the lazy CPU mappings of BOs. */
	pthread_mutex_t lock;
	char last_error[384];
};

struct accel_bo {
	struct accel_device *dev;
	uint32_t handle;
	uint64_t size;
	uint64_t addr;
	uint64_t mmap_offset;
	void *map;
};

struct accel_syncobj {
	struct accel_device *dev;
	uint32_t handle;
};

/* enum drm_quasar_priority runs 0..HIGH. */
#define ACCEL_NUM_PRIORITIES (DRM_QUASAR_PRIORITY_HIGH + 1)

/* A queue of QUEUE_CREATE: its id for SUBMIT and where the kernel bound it. */
struct accel_queue {
	struct accel_device *dev;
	uint32_t id;
	uint32_t hw_queue;
	uint32_t priority;
};

/*
 * A command buffer: the stream in a mapped BO, and what its rules need
 * (accel_cmdbuf.c): the BOs its commands name, and the stream's rules
 * (struct accel_rules: the ISA version declared and where, the ranges
 * touched since the last barrier).
 */
struct accel_cmdbuf {
	struct accel_device *dev;
	struct accel_bo *bo;
	uint8_t *map;
	uint32_t used;
	uint32_t count;
	bool submitted;
	struct accel_bo **bos;
	uint32_t nbos, cap_bos;
	struct accel_rules rules;
};

/*
 * A tensor: its descriptor as commands carry it, and the BO holding it.
 * @offset is where element 0 (or a packed tensor's element codes) lies in
 * the BO; a view shares its base's BO and does not own it.
 */
struct accel_tensor {
	struct accel_device *dev;
	struct accel_bo *bo;
	bool owns_bo;
	uint64_t offset;
	struct accel_operand op;
};

/*
 * Records "<what>: <errno text>" as @dev's last error and returns @err, so
 * that a failure path is one line: return accel_fail(dev, -errno, ...).
 */
int accel_fail(struct accel_device *dev, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* ioctl() retried on EINTR/EAGAIN; returns 0 or a negative errno. */
int accel_ioctl(int fd, unsigned long request, void *arg);

/* CLOCK_MONOTONIC deadline @timeout_ns from now, saturating. */
int64_t accel_deadline(int64_t timeout_ns);

/*
 * "HIGH queue 3 on hardware queue 2" or "hardware queue 1": where a job of
 * @args goes, for error texts.
 */
const char *accel_submit_where(const struct accel_submit *args, char *buf, size_t len);

/* Inputs of one command at most (GEMM: x, w, bias, residual). */
#define ACCEL_OP_MAX_IN 6

/*
 * Appends the ISA v1 or v2 command @cmd of @len bytes, encoded and checked
 * by the op builder, which reads the tensors @in (@nin of them, NULL entries
 * skipped, at most ACCEL_OP_MAX_IN) and writes @out: after ISA_VERSION 1
 * if the stream has not declared a version, with the declaration raised to
 * 2 in place for a v2 command, and after a BARRIER if the command
 * reads or writes what an earlier one since the last barrier wrote, or
 * writes what one read. Their BOs go to the submit's list. A submitted
 * stream (-EBUSY) or one the three would take past max_cmd_size (-E2BIG)
 * is refused before anything is recorded.
 */
int accel_cmdbuf_append_op(struct accel_cmdbuf *cb, const void *cmd, size_t len,
			   const struct accel_tensor *const *in, uint32_t nin,
			   const struct accel_tensor *out);

#endif /* ACCEL_INTERNAL_H */
