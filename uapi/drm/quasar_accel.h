/* SPDX-License-Identifier: MIT */
/*
 * Quasar NPU user-space interface: the ioctls of /dev/accel/accel*. The
 * command-stream ISA they carry (job status codes, commands, formats) is
 * drm/quasar_isa.h, included here.
 *
 * Rules that keep this header stable: ioctl numbers and enum values are only
 * ever appended; every pad and reserved field must be zero on input and the
 * kernel rejects the call with -EINVAL otherwise; structs grow only at the
 * end, and growable query results are size-negotiated.
 */
#ifndef _QUASAR_ACCEL_H_
#define _QUASAR_ACCEL_H_

#include "drm.h"
#include "quasar_isa.h"

#if defined(__cplusplus)
extern "C" {
#endif

/**
 * enum drm_quasar_ioctl_id - Quasar ioctl numbers, relative to DRM_COMMAND_BASE
 *
 * Place new ioctls at the end; never reorder.
 */
enum drm_quasar_ioctl_id {
	/** @DRM_QUASAR_DEV_QUERY: query device information */
	DRM_QUASAR_DEV_QUERY = 0,
	/** @DRM_QUASAR_BO_CREATE: create a buffer object mapped for the device */
	DRM_QUASAR_BO_CREATE,
	/** @DRM_QUASAR_BO_INFO: look up a buffer object's addresses */
	DRM_QUASAR_BO_INFO,
	/** @DRM_QUASAR_SUBMIT: submit a command stream */
	DRM_QUASAR_SUBMIT,
	/** @DRM_QUASAR_BO_WAIT: wait for the jobs using a buffer object */
	DRM_QUASAR_BO_WAIT,
	/** @DRM_QUASAR_JOB_STATS: cost report of the last job of a command BO */
	DRM_QUASAR_JOB_STATS,
	/** @DRM_QUASAR_QUEUE_CREATE: create a queue with a priority */
	DRM_QUASAR_QUEUE_CREATE,
	/** @DRM_QUASAR_QUEUE_DESTROY: destroy a queue */
	DRM_QUASAR_QUEUE_DESTROY,
};

/**
 * enum drm_quasar_query_type - what &struct drm_quasar_dev_query asks for
 */
enum drm_quasar_query_type {
	/** @DRM_QUASAR_QUERY_DEVICE_INFO: &struct drm_quasar_device_info */
	DRM_QUASAR_QUERY_DEVICE_INFO = 0,
};

/**
 * struct drm_quasar_dev_query - arguments of DRM_IOCTL_QUASAR_DEV_QUERY
 *
 * Size negotiation: with @pointer 0 the kernel writes the size of the full
 * result to @size and returns 0. Otherwise it copies min(@size, full size)
 * bytes to @pointer and writes the full size to @size; a caller built
 * against an older header thus gets the prefix it knows.
 */
struct drm_quasar_dev_query {
	/** @type: one of &enum drm_quasar_query_type */
	__u32 type;
	/** @size: in: bytes at @pointer; out: bytes of the full result */
	__u32 size;
	/** @pointer: user pointer to the result buffer, or 0 */
	__u64 pointer;
};

/**
 * struct drm_quasar_device_info - result of DRM_QUASAR_QUERY_DEVICE_INFO
 */
struct drm_quasar_device_info {
	/** @pci_vendor: PCI vendor id (0x1af4) */
	__u16 pci_vendor;
	/** @pci_device: PCI device id (0x10f0) */
	__u16 pci_device;
	/** @hw_version: hardware version, major << 16 | minor */
	__u32 hw_version;
	/** @fw_version: booted firmware version, major << 16 | minor << 8 | patch */
	__u32 fw_version;
	/** @fw_build_id: build id of the booted firmware */
	__u32 fw_build_id;
	/** @fw_abi: firmware ABI, major << 16 | minor */
	__u32 fw_abi;
	/** @caps: QUASAR_CAP_* bits from the firmware */
	__u32 caps;
	/** @ops: bit n set when opcode n is supported */
	__u32 ops;
	/** @formats: bit n set when data format n is supported */
	__u32 formats;
	/** @num_queues: hardware queues */
	__u32 num_queues;
	/**
	 * @num_contexts: hardware MMU context slots. Open files share them:
	 * a file's address space holds one only while it has jobs on the
	 * device, so this bounds the files running at once, not those open
	 */
	__u32 num_contexts;
	/** @va_start: first device virtual address handed to buffer objects */
	__u64 va_start;
	/** @va_end: end (exclusive) of the device virtual address window */
	__u64 va_end;
	/** @page_size: device MMU page size in bytes */
	__u32 page_size;
	/** @max_cmd_size: largest command stream in bytes */
	__u32 max_cmd_size;
	/**
	 * @num_engines: compute engines the hardware queues share; a job
	 * holds one from start to end
	 */
	__u32 num_engines;
	/**
	 * @queue_priorities: bit p set when some hardware queue has
	 * &enum drm_quasar_priority p, so that QUEUE_CREATE accepts p
	 */
	__u32 queue_priorities;
};

/*
 * BO_CREATE flag: the device may read the buffer but not write it. Its
 * pages are mapped without the write bit: a job that writes them ends with
 * DRM_QUASAR_STATUS_MMU_PERM and the address in
 * &drm_quasar_bo_wait.fault_addr, and its context takes no more jobs, as
 * after any MMU fault. The CPU mapping stays writable.
 */
#define DRM_QUASAR_BO_READ_ONLY		(1u << 0)

/**
 * struct drm_quasar_bo_create - arguments of DRM_IOCTL_QUASAR_BO_CREATE
 *
 * Creates a zero-filled buffer object, maps it into the calling file's
 * device address space and returns its device address and mmap offset.
 * The size is rounded up to whole pages.
 *
 * Sharing: a BO is exported with DRM_IOCTL_PRIME_HANDLE_TO_FD. Another
 * file imports the dma-buf (this driver's or another driver's, such as
 * vgem's or udmabuf's) with DRM_IOCTL_PRIME_FD_TO_HANDLE: the same pages
 * are then mapped, writable, into the importing file's device address
 * space too, at the address DRM_IOCTL_QUASAR_BO_INFO returns there. The
 * pages stay until every file has closed its handle and every job that
 * may use them has ended. Importing into the exporting file gives back
 * the exporter's handle.
 *
 * Errors: -EINVAL for size 0 or an unknown flag; -E2BIG when the size does
 * not fit the device address window (or overflows page rounding);
 * -ENOMEM when memory or address space runs out.
 */
struct drm_quasar_bo_create {
	/** @size: in: requested bytes (> 0); out: allocated bytes */
	__u64 size;
	/** @flags: 0 or DRM_QUASAR_BO_READ_ONLY */
	__u32 flags;
	/** @handle: out: GEM handle */
	__u32 handle;
	/** @device_addr: out: device virtual address in this file's context */
	__u64 device_addr;
	/** @mmap_offset: out: offset to pass to mmap() on the device file */
	__u64 mmap_offset;
};

/**
 * struct drm_quasar_bo_info - arguments of DRM_IOCTL_QUASAR_BO_INFO
 */
struct drm_quasar_bo_info {
	/** @handle: in: GEM handle */
	__u32 handle;
	/** @pad: must be 0 */
	__u32 pad;
	/** @size: out: bytes */
	__u64 size;
	/** @device_addr: out: device virtual address */
	__u64 device_addr;
	/** @mmap_offset: out: offset to pass to mmap() */
	__u64 mmap_offset;
};

/**
 * struct drm_quasar_sync - one syncobj wait or signal
 */
struct drm_quasar_sync {
	/** @handle: syncobj handle */
	__u32 handle;
	/** @flags: must be 0 */
	__u32 flags;
	/** @point: timeline point; 0 for a binary syncobj */
	__u64 point;
};

/**
 * enum drm_quasar_priority - scheduling priority of a queue
 *
 * The device's engine scheduler gives a free compute engine to the
 * waiting hardware queue of highest priority, and within a level to the
 * one served longest ago; jobs are not preempted, so a high-priority job
 * overtakes queued lower-priority work at the next job boundary.
 */
enum drm_quasar_priority {
	/** @DRM_QUASAR_PRIORITY_LOW: background work */
	DRM_QUASAR_PRIORITY_LOW = 0,
	/** @DRM_QUASAR_PRIORITY_NORMAL: the default */
	DRM_QUASAR_PRIORITY_NORMAL = 1,
	/** @DRM_QUASAR_PRIORITY_HIGH: latency-sensitive work */
	DRM_QUASAR_PRIORITY_HIGH = 2,
};

/**
 * struct drm_quasar_queue_create - arguments of DRM_IOCTL_QUASAR_QUEUE_CREATE
 *
 * Creates a queue of the calling file: an ordered stream of jobs at
 * @priority, bound for its whole life to one hardware queue of that
 * priority (the one with the fewest queues bound to it). Jobs submitted
 * to it with DRM_QUASAR_SUBMIT_QUEUE_ID run in submission order once
 * their dependencies are met; queues of one file are independent.
 *
 * DRM_QUASAR_PRIORITY_HIGH takes CAP_SYS_NICE or the DRM master: engines
 * do not preempt, so HIGH work can starve every other client.
 *
 * Errors: -EINVAL for an unknown priority or a non-zero @flags or @pad;
 * -EACCES for HIGH without CAP_SYS_NICE or the DRM master; -ENOSPC when
 * the file already has 64 queues; -ENOMEM.
 */
struct drm_quasar_queue_create {
	/** @priority: in: &enum drm_quasar_priority */
	__u32 priority;
	/** @flags: in: must be 0 */
	__u32 flags;
	/** @queue_id: out: id for SUBMIT and QUEUE_DESTROY, never 0 */
	__u32 queue_id;
	/** @hw_queue: out: the hardware queue it is bound to */
	__u32 hw_queue;
};

/**
 * struct drm_quasar_queue_destroy - arguments of DRM_IOCTL_QUASAR_QUEUE_DESTROY
 *
 * Destroys a queue of the calling file. Jobs already submitted to it
 * still run, and their fences signal; closing the file destroys its
 * remaining queues the same way.
 *
 * Errors: -EINVAL for a non-zero @pad; -ENOENT for an unknown id.
 */
struct drm_quasar_queue_destroy {
	/** @queue_id: in: id from QUEUE_CREATE */
	__u32 queue_id;
	/** @pad: must be 0 */
	__u32 pad;
};

/* SUBMIT flag: &drm_quasar_submit.queue is a QUEUE_CREATE id. */
#define DRM_QUASAR_SUBMIT_QUEUE_ID	(1u << 0)

/*
 * Jobs one file may have submitted and not yet ended: SUBMIT past it
 * returns -EAGAIN (see &struct drm_quasar_submit).
 */
#define DRM_QUASAR_MAX_QUEUED_JOBS	1024

/* JOB_STATS flag: report job &drm_quasar_job_stats.job_id, not the BO's last. */
#define DRM_QUASAR_JOB_STATS_JOB_ID	(1u << 0)

/* Results of a file's newest jobs that JOB_STATS can still report by id. */
#define DRM_QUASAR_JOB_RESULTS_KEPT	4096

/**
 * struct drm_quasar_submit - arguments of DRM_IOCTL_QUASAR_SUBMIT
 *
 * Queues one job: the device runs the command stream at
 * @cmd_offset..@cmd_offset + @cmd_size of the BO @cmd_handle, in the
 * calling file's MMU context, once every fence in @in_syncs has signalled.
 * The job holds a reference to the command BO and to every BO of
 * @bo_handles until it ends; BO_WAIT on any of them waits for it. Each
 * syncobj of @out_syncs receives the job's fence; a job that fails signals
 * it with an error and records its &enum drm_quasar_status, readable
 * through DRM_IOCTL_QUASAR_BO_WAIT on the command BO. Fence errors: -EIO
 * for a failed command stream, a firmware crash that lost the job, or a
 * device error (a completion record with the wrong seqno, a ring error);
 * -ETIMEDOUT for a job that made no progress for the driver's
 * tdr_timeout_ms (the device is reset and the job's context banned);
 * -ECANCELED for a job of a banned context that had not run yet; -ENODEV
 * when the device went away. Jobs of other contexts that were queued
 * behind a hung job run again after the reset, keeping their fences.
 *
 * Errors: -EINVAL for an unknown flag or a non-zero pad, a misaligned or
 * out-of-BO command range, a bad hardware queue index or too many BOs or
 * syncs; -EACCES for a hardware queue of HIGH priority without
 * CAP_SYS_NICE or the DRM master (as QUEUE_CREATE); -ENOENT for an unknown
 * BO, syncobj or queue id; -EBADFD once a job of this file has hit an
 * MMU fault or hung (the context is banned: open a new file); -EIO when
 * the device could not be recovered; -ENODEV after the device is gone;
 * -EAGAIN when the file already has DRM_QUASAR_MAX_QUEUED_JOBS jobs that
 * have not ended (a job counts from its SUBMIT until the kernel has freed
 * it, shortly after its fence signals): nothing was queued, retry once
 * some have ended. The memory of a job is charged to the submitter's
 * memory cgroup, as are buffer objects, queues and page tables.
 */
struct drm_quasar_submit {
	/** @cmd_handle: GEM handle of the BO that holds the command stream */
	__u32 cmd_handle;
	/** @cmd_offset: byte offset of the stream in that BO, multiple of 8 */
	__u32 cmd_offset;
	/** @cmd_size: bytes of the stream, multiple of 8, > 0 */
	__u32 cmd_size;
	/**
	 * @queue: with DRM_QUASAR_SUBMIT_QUEUE_ID in @flags, a queue id from
	 * QUEUE_CREATE; otherwise a hardware queue index, < num_queues
	 */
	__u32 queue;
	/** @bo_handles: user pointer to an array of __u32 GEM handles */
	__u64 bo_handles;
	/** @bo_count: entries of @bo_handles, at most 256 */
	__u32 bo_count;
	/** @flags: 0 or DRM_QUASAR_SUBMIT_QUEUE_ID */
	__u32 flags;
	/** @in_syncs: user pointer to an array of &struct drm_quasar_sync */
	__u64 in_syncs;
	/** @in_sync_count: entries of @in_syncs, at most 64 */
	__u32 in_sync_count;
	/** @out_sync_count: entries of @out_syncs, at most 64 */
	__u32 out_sync_count;
	/** @out_syncs: user pointer to an array of &struct drm_quasar_sync */
	__u64 out_syncs;
	/**
	 * @job_id: out: the job's id in this file, never 0, increasing with
	 * each SUBMIT; JOB_STATS with DRM_QUASAR_JOB_STATS_JOB_ID asks for
	 * this job's own result. Appended in driver 0.2: a caller built
	 * against an older header passes a shorter struct and gets no id.
	 */
	__u64 job_id;
};

/**
 * struct drm_quasar_bo_wait - arguments of DRM_IOCTL_QUASAR_BO_WAIT
 *
 * Waits until every job using the BO has ended, or until @timeout_ns.
 * Returns -ETIME on timeout. When the BO was the command BO of a job, the
 * outputs describe the last such job that ended, and @job_id names it;
 * otherwise @job_id is 0 and the other outputs are 0 and mean nothing.
 * Jobs sharing a command BO overwrite each other's result here: ask
 * JOB_STATS for one job's own.
 */
struct drm_quasar_bo_wait {
	/** @handle: in: GEM handle */
	__u32 handle;
	/** @flags: must be 0 */
	__u32 flags;
	/** @timeout_ns: in: absolute CLOCK_MONOTONIC deadline in ns */
	__s64 timeout_ns;
	/** @job_status: out: &enum drm_quasar_status of the last job */
	__u32 job_status;
	/** @job_cmd_index: out: failing command index, or commands run */
	__u32 job_cmd_index;
	/** @fault_addr: out: faulting device address for MMU faults */
	__u64 fault_addr;
	/**
	 * @job_id: out: the SUBMIT id of the job the outputs describe, 0 when
	 * no job has ended with this BO as its command buffer
	 */
	__u64 job_id;
};

/**
 * struct drm_quasar_job_stats - arguments of DRM_IOCTL_QUASAR_JOB_STATS
 *
 * The cost report of one job, as the device's cost model computed it
 * (docs/cost-model.md): with DRM_QUASAR_JOB_STATS_JOB_ID in @flags, the
 * job of this file whose SUBMIT returned @job_id (each job has its own
 * result, whichever command BO it shares); otherwise the last job that
 * ended using BO @handle as its command buffer (the same job BO_WAIT
 * describes). Call it after the job's fence signalled. The driver keeps
 * the results of a file's newest DRM_QUASAR_JOB_RESULTS_KEPT jobs. Jobs that ran only ISA v0 or control commands report zero
 * bytes, MACs and cycles. A job the device never completed (aborted by a
 * reset, cancelled, lost) reports zeros with its status.
 *
 * Errors: -EINVAL for an unknown flag, a non-zero @pad or @pad2, or a
 * non-zero @job_id without DRM_QUASAR_JOB_STATS_JOB_ID; -ENOENT for an
 * unknown handle, or a @job_id this file never returned or whose result
 * is no longer kept; -ENODATA when no job has ended with this command BO
 * yet, or job @job_id has not ended yet.
 */
struct drm_quasar_job_stats {
	/** @handle: in: GEM handle of the job's command BO; out: unchanged */
	__u32 handle;
	/** @flags: in: 0 or DRM_QUASAR_JOB_STATS_JOB_ID */
	__u32 flags;
	/** @status: out: &enum drm_quasar_status of the job */
	__u32 status;
	/** @cmd_index: out: failing command index, or commands run */
	__u32 cmd_index;
	/** @seqno: out: the job's sequence number on its hardware queue */
	__u64 seqno;
	/** @queue: out: hardware queue the job ran on */
	__u32 queue;
	/** @pad: in: must be 0; out: zero */
	__u32 pad;
	/** @device_ns: out: device time, from start to completion interrupt */
	__u64 device_ns;
	/** @rd_weight_bytes: out: packed weight element codes read */
	__u64 rd_weight_bytes;
	/** @rd_meta_bytes: out: scales, zero points and 2:4 metadata read */
	__u64 rd_meta_bytes;
	/** @rd_act_bytes: out: activations and every other input read */
	__u64 rd_act_bytes;
	/** @wr_bytes: out: bytes written */
	__u64 wr_bytes;
	/** @sram_bytes: out: SRAM traffic, both directions */
	__u64 sram_bytes;
	/** @macs_dense: out: dense-equivalent multiply-accumulates */
	__u64 macs_dense;
	/** @macs_exec: out: executed multiply-accumulates (2:4: half) */
	__u64 macs_exec;
	/** @vec_elems: out: vector-unit element operations */
	__u64 vec_elems;
	/** @tiles: out: tiles the job was split into */
	__u64 tiles;
	/** @cycles_compute: out: sum over tiles of the compute-bound cycles */
	__u64 cycles_compute;
	/** @cycles_memory: out: sum over tiles of the memory-bound cycles */
	__u64 cycles_memory;
	/** @cycles: out: modeled cycles, sum over tiles of the larger bound */
	__u64 cycles;
	/** @energy_fj: out: modeled energy in femtojoules */
	__u64 energy_fj;
	/** @clock_mhz: out: modeled clock, to turn @cycles into time */
	__u32 clock_mhz;
	/** @pad2: in: must be 0; out: zero */
	__u32 pad2;
	/**
	 * @job_id: in: with DRM_QUASAR_JOB_STATS_JOB_ID, the job's SUBMIT id
	 * (else 0); out: the id of the job reported
	 */
	__u64 job_id;
};

#define DRM_IOCTL_QUASAR_DEV_QUERY \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_QUASAR_DEV_QUERY, struct drm_quasar_dev_query)
#define DRM_IOCTL_QUASAR_BO_CREATE \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_QUASAR_BO_CREATE, struct drm_quasar_bo_create)
#define DRM_IOCTL_QUASAR_BO_INFO \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_QUASAR_BO_INFO, struct drm_quasar_bo_info)
#define DRM_IOCTL_QUASAR_SUBMIT \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_QUASAR_SUBMIT, struct drm_quasar_submit)
#define DRM_IOCTL_QUASAR_BO_WAIT \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_QUASAR_BO_WAIT, struct drm_quasar_bo_wait)
#define DRM_IOCTL_QUASAR_JOB_STATS \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_QUASAR_JOB_STATS, struct drm_quasar_job_stats)
#define DRM_IOCTL_QUASAR_QUEUE_CREATE \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_QUASAR_QUEUE_CREATE, struct drm_quasar_queue_create)
#define DRM_IOCTL_QUASAR_QUEUE_DESTROY \
	DRM_IOW(DRM_COMMAND_BASE + DRM_QUASAR_QUEUE_DESTROY, struct drm_quasar_queue_destroy)

#if defined(__cplusplus)
}
#endif

#endif /* _QUASAR_ACCEL_H_ */
