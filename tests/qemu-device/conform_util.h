/* SPDX-License-Identifier: MIT */
/*
 * Helpers of the guest conformance suite (guest_conform_test): one job's worth
 * of device buffers, tensors laid out through their strides, a job run
 * through /dev/accel/accel0, and a bit-for-bit comparison that names the
 * first difference. Packed weights: conform_wt.h.
 *
 * The expected outputs come from the datapath's scalar reference
 * (firmware/datapath/dp_*_ref.c) linked into the test, fed with the same
 * bytes the device gets; see conform.mk for why in-process.
 *
 * Functions return 0, a negative errno (set-up failures, with a "# " line
 * on stderr), or 1 for a wrong result (after printing what differed).
 */
#ifndef CONFORM_UTIL_H
#define CONFORM_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <accel.h>

#include "dp_format.h"

#define CF_MAX_BOS	64

/* Everything one job uses; cf_release() frees it for the next case. */
struct cf_env {
	struct accel_device *dev;
	struct accel_cmdbuf *cb;
	struct accel_bo *bos[CF_MAX_BOS];
	uint32_t nbos;
	uint32_t ncmds;			/* commands emitted since the last run */
	struct accel_job_result res;	/* of the last cf_run() */
	int err;			/* first failed allocation or emit */
};

int cf_open(struct cf_env *e);
void cf_close(struct cf_env *e);
/* Frees the case's BOs and empties the stream (waits for its job first). */
void cf_release(struct cf_env *e);
/* Empties the stream for another job over the same BOs. */
int cf_next(struct cf_env *e);

/*
 * A zero-filled BO of @size bytes (its own, so that its guard page follows
 * it); returns the CPU mapping and stores the device address in *@addr.
 * NULL on failure, which cf_run() then reports.
 */
void *cf_alloc(struct cf_env *e, uint64_t size, uint64_t *addr);
/* A BO holding a copy of @src; its device address, or 0 on failure. */
uint64_t cf_upload(struct cf_env *e, const void *src, uint64_t len);

/* Appends a command (counted, for the cmd_index checks). */
void cf_emit(struct cf_env *e, const void *cmd, size_t len);
void cf_emit_version(struct cf_env *e, uint32_t version);
void cf_emit_barrier(struct cf_env *e);

/*
 * Submits the stream on @queue with every BO of the case and waits.
 * Returns 0 when the job ended OK, -EIO when the device failed it (see
 * e->res), another -errno when it could not be submitted.
 */
int cf_run(struct cf_env *e, uint32_t queue);
/* cf_run() that must end OK after every emitted command ran. */
int cf_run_ok(struct cf_env *e, uint32_t queue);
/* The last job ended with @status at command @index; 1 (printed) if not. */
int cf_expect_status(const struct cf_env *e, uint32_t status, uint32_t index);

/* Tiles the last job ran (DRM_IOCTL_QUASAR_JOB_STATS); -errno if unknown. */
int cf_job_tiles(struct cf_env *e, uint64_t *tiles);
/*
 * The last job ran as at least @min tiles (what its shape was sized for
 * with the default 4 MiB SRAM); 0 when @min < 2. 1 (printed) if fewer.
 */
int cf_expect_tiles(struct cf_env *e, uint32_t min, const char *what);

/*
 * The device must advertise opcode @op and every format bit of @formats
 * (conformance: a missing one is a failure, not a skip).
 */
int cf_require(struct cf_env *e, uint32_t op, uint32_t formats);

/* ---- plain tensors ---- */

/* A plain tensor in its own BO, with its CPU view. */
struct cf_tensor {
	struct drm_quasar_tensor t;
	uint8_t *map;
	uint64_t bytes;		/* the BO's usable size: span plus slack */
	uint32_t esize;
	uint64_t rows;
	uint32_t d;		/* dims[3]: elements per row */
};

/* Byte every tensor BO starts with: a write outside its rows shows. */
#define CF_POISON	0xa5

/*
 * Allocates a tensor of @dims (outermost first) whose strides leave
 * @pad[i] spare elements after each level-i+1 block (pad NULL: dense),
 * fills its BO with CF_POISON, and returns 0 or -errno.
 */
int cf_tensor_new(struct cf_env *e, struct cf_tensor *ct, uint32_t fmt,
		  const uint32_t dims[4], const uint32_t *pad);
/* Copies rows between a dense host array (rows x d) and the tensor. */
void cf_tensor_put(const struct cf_tensor *ct, const void *dense);
void cf_tensor_get(const struct cf_tensor *ct, void *dense);
/* Address of row @r in the CPU view. */
uint8_t *cf_tensor_row(const struct cf_tensor *ct, uint64_t r);
/* Every byte outside the rows (holes and the slack past the span) is poison. */
int cf_tensor_untouched_outside(const struct cf_tensor *ct, const char *what);

/* ---- comparison and data ---- */

/*
 * Compares @n elements of @esize bytes (4: FP32/U32, 2: BF16) bit for bit;
 * on a difference prints the count and the first one with its row and
 * column (@row_len elements per row) and both values. 0 when equal.
 */
int cf_same(const void *got, const void *want, size_t n, uint32_t esize,
	    uint32_t row_len, const char *what);

/* Deterministic values in [-1, 1) from the state *@s. */
float cf_rand(uint32_t *s);
void cf_rand_f32(float *x, size_t n, uint32_t seed, float scale);
void cf_rand_bf16(uint16_t *x, size_t n, uint32_t seed, float scale);
uint32_t cf_f2u(float f);

#endif /* CONFORM_UTIL_H */
