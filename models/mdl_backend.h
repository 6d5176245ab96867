/* SPDX-License-Identifier: MIT */
/*
 * Quasar models: where a device program (mdl_program.h) runs. A backend
 * places the program's memory regions at device addresses, moves bytes
 * in and out of them, and runs a command stream as one job, reporting the
 * job's status and statistics as JOB_STATS does (struct accel_job_stats).
 *
 * - mdl_backend_fwrun_create() (mdl_backend_fwrun.c): the firmware in
 *   process on host memory (fwrun/), no VM; one window of device VA, the
 *   regions bump-allocated in it.
 * - mdl_backend_accel_create() (mdl_backend_accel.c): the device through
 *   libaccel, /dev/accel/accel0 in the guest: one BO per region, the
 *   stream copied into a BO of its own, accel_job_submit(),
 *   accel_bo_wait(), accel_job_stats().
 *
 * Both run the firmware's own code on the same SRAM size and cost
 * parameters (the device's defaults), so that a stream's results and
 * statistics are the same on both. A backend holds one program's regions;
 * it is used by one thread at a time.
 */
#ifndef MDL_BACKEND_H
#define MDL_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <accel_ops.h>

#include "mdl_program.h"

struct mdl_backend;

/*
 * Where the last job's time went on the host running the firmware, by
 * phase (the firmware's struct fw_job_time, docs/cost-model.md "Where a
 * token's time goes"): wall-clock nanoseconds, for benchmarks only.
 */
struct mdl_job_time {
	uint64_t seqno;
	uint64_t job_ns;	/* the whole job in the firmware */
	uint64_t mmu_ns;	/* page-table walks */
	uint64_t dma_ns;	/* stream and operand DMA */
	uint64_t kernel_ns;	/* datapath kernels */
	uint64_t cpl_ns;	/* statistics and completion records */
	/*
	 * The caller's side of the job (the device backend, CLOCK_MONOTONIC
	 * around its calls; 0 on fwrun): the stream copied into the command
	 * BO and SUBMIT, BO_WAIT (SUBMIT's return to the fence seen), and
	 * JOB_STATS; and when SUBMIT was entered and BO_WAIT returned, to
	 * match the job with the driver's tracepoints (trace_clock mono).
	 */
	uint64_t submit_ns, wait_ns, stats_ns;
	uint64_t submit_at_ns, waited_at_ns;
};

struct mdl_backend_ops {
	/* Places regions of @size bytes (0: none) and says where, once. */
	int (*map)(struct mdl_backend *b, const uint64_t size[MDL_REGIONS],
		   uint64_t base[MDL_REGIONS]);
	int (*write)(struct mdl_backend *b, uint32_t region, uint64_t off, const void *src,
		     uint64_t len);
	int (*read)(struct mdl_backend *b, uint32_t region, uint64_t off, void *dst,
		    uint64_t len);
	/*
	 * Runs @len bytes of commands as one job. 0 when the job ran, whatever
	 * its status (in @st with its statistics); -errno when it could not.
	 */
	int (*run)(struct mdl_backend *b, const void *stream, uint32_t len,
		   struct accel_job_stats *st);
	/*
	 * The last job's time by phase; the firmware's phases are 0 where its
	 * clock is out of reach (the device: its QEMU trace event
	 * quasar_hwq_job_phases).
	 */
	void (*job_time)(struct mdl_backend *b, struct mdl_job_time *t);
	void (*destroy)(struct mdl_backend *b);
};

struct mdl_backend {
	const struct mdl_backend_ops *ops;
	char name[48];		/* "fwrun", "/dev/accel/accel0" */
	char err[256];		/* the last failure */
};

/* fwrun's SRAM: the device's default sram-size (docs/hw-spec.md). */
#define MDL_FWRUN_SRAM		(4ull << 20)
/* The device's sram-size range (a multiple of 64 within it). */
#define MDL_FWRUN_SRAM_MIN	(64ull << 10)
#define MDL_FWRUN_SRAM_MAX	(256ull << 20)

struct fw_cost_params;

/* The firmware in process; @simd: the SIMD GEMM kernels, as the device runs. */
int mdl_backend_fwrun_create(int simd, struct mdl_backend **out);
/*
 * The same on other modeled hardware: @sram_size bytes of SRAM (as the
 * device's sram-size, -EINVAL outside it) and @cost (NULL: the defaults),
 * as a device created with those properties (the codesign sweep).
 */
int mdl_backend_fwrun_create_hw(int simd, uint64_t sram_size, const struct fw_cost_params *cost,
				struct mdl_backend **out);
/*
 * Whether an fwrun backend's jobs also time their page walks and DMA
 * (struct mdl_job_time mmu_ns, dma_ns; fw_engine.time_transfers): off by
 * default, as those hundreds of clock reads a job cost outside the kernels.
 */
void mdl_backend_fwrun_time_transfers(struct mdl_backend *b, bool on);
/* The device at @path (NULL: discovery, accel_device_open()). */
int mdl_backend_accel_create(const char *path, struct mdl_backend **out);
void mdl_backend_destroy(struct mdl_backend *b);

/* The statistics a device models (no seqno, queue or emulation time); 1 if equal. */
int mdl_job_stats_equal(const struct accel_job_stats *a, const struct accel_job_stats *b);
/* Adds @s's modeled figures to @sum (the clock is @s's; status and cmd_index are not summed). */
void mdl_job_stats_add(struct accel_job_stats *sum, const struct accel_job_stats *s);

#endif /* MDL_BACKEND_H */
