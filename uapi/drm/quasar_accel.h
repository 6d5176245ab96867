/* SPDX-License-Identifier: MIT */
/*
 * Quasar NPU user-space interface: ioctls, job status codes and the
 * command-stream ISA.
 *
 * Rules that keep this header stable: ioctl numbers and enum values are only
 * ever appended; every pad and reserved field must be zero on input and the
 * kernel rejects the call with -EINVAL otherwise; structs grow only at the
 * end, and growable query results are size-negotiated.
 */
#ifndef _QUASAR_ACCEL_H_
#define _QUASAR_ACCEL_H_

#include "drm.h"

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
	/** @num_contexts: hardware MMU context slots */
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

/**
 * struct drm_quasar_bo_create - arguments of DRM_IOCTL_QUASAR_BO_CREATE
 *
 * Creates a zero-filled buffer object, maps it into the calling file's
 * device address space and returns its device address and mmap offset.
 * The size is rounded up to whole pages.
 *
 * Errors: -EINVAL for size 0 or any flag; -E2BIG when the size does not fit
 * the device address window (or overflows page rounding); -ENOMEM when
 * memory or address space runs out.
 */
struct drm_quasar_bo_create {
	/** @size: in: requested bytes (> 0); out: allocated bytes */
	__u64 size;
	/** @flags: must be 0 */
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
 * Errors: -EINVAL for an unknown priority or a non-zero @flags or @pad;
 * -ENOSPC when the file already has 64 queues; -ENOMEM.
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
 * syncs; -ENOENT for an unknown BO, syncobj or queue id; -EBADFD once a job of this file has hit an
 * MMU fault or hung (the context is banned: open a new file); -EIO when
 * the device could not be recovered; -ENODEV after the device is gone.
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
};

/**
 * struct drm_quasar_bo_wait - arguments of DRM_IOCTL_QUASAR_BO_WAIT
 *
 * Waits until every job using the BO has ended, or until @timeout_ns.
 * Returns -ETIME on timeout. When the BO was the command BO of a job, the
 * outputs describe the last such job that ended.
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
};

/**
 * struct drm_quasar_job_stats - arguments of DRM_IOCTL_QUASAR_JOB_STATS
 *
 * The cost report of the last job that ended using BO @handle as its
 * command buffer (the same job BO_WAIT describes), as the device's cost
 * model computed it (docs/cost-model.md). Call it after the job's fence
 * signalled. Jobs that ran only ISA v0 or control commands report zero
 * bytes, MACs and cycles. A job the device never completed (aborted by a
 * reset, cancelled, lost) reports zeros with its status.
 *
 * Errors: -EINVAL for a non-zero @flags or @pad; -ENOENT for an unknown
 * handle; -ENODATA when no job has ended with this command BO yet.
 */
struct drm_quasar_job_stats {
	/** @handle: in: GEM handle of the job's command BO */
	__u32 handle;
	/** @flags: in: must be 0 */
	__u32 flags;
	/** @status: out: &enum drm_quasar_status of the job */
	__u32 status;
	/** @cmd_index: out: failing command index, or commands run */
	__u32 cmd_index;
	/** @seqno: out: the job's sequence number on its hardware queue */
	__u64 seqno;
	/** @queue: out: hardware queue the job ran on */
	__u32 queue;
	/** @pad: out: zero */
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
	/** @pad2: out: zero */
	__u32 pad2;
};

/**
 * enum drm_quasar_status - how a job ended, as reported by the device
 */
enum drm_quasar_status {
	/** @DRM_QUASAR_STATUS_OK: every command completed */
	DRM_QUASAR_STATUS_OK = 0,
	/** @DRM_QUASAR_STATUS_BAD_OPCODE: unknown or unsupported opcode */
	DRM_QUASAR_STATUS_BAD_OPCODE = 1,
	/** @DRM_QUASAR_STATUS_BAD_LENGTH: command length wrong or past the stream */
	DRM_QUASAR_STATUS_BAD_LENGTH = 2,
	/** @DRM_QUASAR_STATUS_BAD_ALIGN: address or size misaligned */
	DRM_QUASAR_STATUS_BAD_ALIGN = 3,
	/** @DRM_QUASAR_STATUS_BAD_RANGE: zero size or address arithmetic overflow */
	DRM_QUASAR_STATUS_BAD_RANGE = 4,
	/** @DRM_QUASAR_STATUS_MMU_FAULT: an address is not mapped in the context */
	DRM_QUASAR_STATUS_MMU_FAULT = 5,
	/** @DRM_QUASAR_STATUS_MMU_PERM: write to a read-only mapping */
	DRM_QUASAR_STATUS_MMU_PERM = 6,
	/** @DRM_QUASAR_STATUS_BAD_FLAGS: reserved flag or field not zero */
	DRM_QUASAR_STATUS_BAD_FLAGS = 7,
	/** @DRM_QUASAR_STATUS_OVERLAP: COPY source and destination overlap */
	DRM_QUASAR_STATUS_OVERLAP = 8,
	/** @DRM_QUASAR_STATUS_DMA_ERROR: host memory access failed */
	DRM_QUASAR_STATUS_DMA_ERROR = 9,
	/** @DRM_QUASAR_STATUS_BAD_CONTEXT: descriptor names an invalid context */
	DRM_QUASAR_STATUS_BAD_CONTEXT = 10,
	/** @DRM_QUASAR_STATUS_BAD_DESC: descriptor fields invalid */
	DRM_QUASAR_STATUS_BAD_DESC = 11,
	/** @DRM_QUASAR_STATUS_ABORTED: job aborted by a reset */
	DRM_QUASAR_STATUS_ABORTED = 12,
	/** @DRM_QUASAR_STATUS_BAD_VERSION: ISA_VERSION newer than the firmware's */
	DRM_QUASAR_STATUS_BAD_VERSION = 13,
	/** @DRM_QUASAR_STATUS_BAD_SHAPE: tensor dims/strides invalid or mismatched */
	DRM_QUASAR_STATUS_BAD_SHAPE = 14,
	/** @DRM_QUASAR_STATUS_BAD_FORMAT: format unknown or unsupported by the op */
	DRM_QUASAR_STATUS_BAD_FORMAT = 15,
	/** @DRM_QUASAR_STATUS_BAD_OPERAND: an op parameter or operand address invalid */
	DRM_QUASAR_STATUS_BAD_OPERAND = 16,
	/** @DRM_QUASAR_STATUS_BAD_INDEX: an embedding id not below the table's rows */
	DRM_QUASAR_STATUS_BAD_INDEX = 17,
	/** @DRM_QUASAR_STATUS_TOO_LARGE: the op's smallest tile does not fit the SRAM */
	DRM_QUASAR_STATUS_TOO_LARGE = 18,
};

/*
 * Command-stream ISA, version 0 (bring-up subset).
 *
 * A stream is a sequence of commands, each starting with a
 * &struct drm_quasar_cmd_header, packed back to back, 8-byte aligned. The
 * device runs them in order; a failing command ends the job with its index.
 */

/**
 * enum drm_quasar_opcode - command opcodes
 */
enum drm_quasar_opcode {
	/** @DRM_QUASAR_OP_NOP: do nothing; header only */
	DRM_QUASAR_OP_NOP = 0,
	/** @DRM_QUASAR_OP_FILL: &struct drm_quasar_cmd_fill */
	DRM_QUASAR_OP_FILL = 1,
	/** @DRM_QUASAR_OP_COPY: &struct drm_quasar_cmd_copy */
	DRM_QUASAR_OP_COPY = 2,
	/** @DRM_QUASAR_OP_WRITE_VALUE: &struct drm_quasar_cmd_write_value */
	DRM_QUASAR_OP_WRITE_VALUE = 3,
	/** @DRM_QUASAR_OP_ISA_VERSION: &struct drm_quasar_cmd_isa_version (v1) */
	DRM_QUASAR_OP_ISA_VERSION = 4,
	/** @DRM_QUASAR_OP_BARRIER: header only; orders the commands around it (v1) */
	DRM_QUASAR_OP_BARRIER = 5,
	/** @DRM_QUASAR_OP_GEMM: &struct drm_quasar_cmd_gemm (v1) */
	DRM_QUASAR_OP_GEMM = 6,
	/** @DRM_QUASAR_OP_RMSNORM: &struct drm_quasar_cmd_norm (v1) */
	DRM_QUASAR_OP_RMSNORM = 7,
	/** @DRM_QUASAR_OP_LAYERNORM: &struct drm_quasar_cmd_norm (v1) */
	DRM_QUASAR_OP_LAYERNORM = 8,
	/** @DRM_QUASAR_OP_SOFTMAX: &struct drm_quasar_cmd_softmax (v1) */
	DRM_QUASAR_OP_SOFTMAX = 9,
	/** @DRM_QUASAR_OP_ROPE: &struct drm_quasar_cmd_rope (v1) */
	DRM_QUASAR_OP_ROPE = 10,
	/** @DRM_QUASAR_OP_ADD: &struct drm_quasar_cmd_eltwise, y = a + b (v1) */
	DRM_QUASAR_OP_ADD = 11,
	/** @DRM_QUASAR_OP_MUL: &struct drm_quasar_cmd_eltwise, y = a * b (v1) */
	DRM_QUASAR_OP_MUL = 12,
	/** @DRM_QUASAR_OP_GATHER: &struct drm_quasar_cmd_gather (v1) */
	DRM_QUASAR_OP_GATHER = 13,
	/** @DRM_QUASAR_OP_CONVERT: &struct drm_quasar_cmd_convert (v1) */
	DRM_QUASAR_OP_CONVERT = 14,
	/** @DRM_QUASAR_OP_CONV2D: &struct drm_quasar_cmd_conv2d (v1) */
	DRM_QUASAR_OP_CONV2D = 15,
};

/**
 * struct drm_quasar_cmd_header - first 8 bytes of every command
 */
struct drm_quasar_cmd_header {
	/** @opcode: &enum drm_quasar_opcode */
	__u16 opcode;
	/** @length: bytes of the whole command, header included; multiple of 8 */
	__u16 length;
	/** @flags: must be 0 */
	__u32 flags;
};

/**
 * struct drm_quasar_cmd_fill - fill @size bytes at @dst with a 32-bit pattern
 *
 * @dst and @size must be multiples of 4.
 */
struct drm_quasar_cmd_fill {
	/** @hdr: opcode DRM_QUASAR_OP_FILL, length 24 */
	struct drm_quasar_cmd_header hdr;
	/** @dst: device address */
	__u64 dst;
	/** @size: bytes, > 0 */
	__u32 size;
	/** @value: pattern, stored little-endian at every 4-byte step */
	__u32 value;
};

/**
 * struct drm_quasar_cmd_copy - copy @size bytes from @src to @dst
 *
 * The ranges must not overlap.
 */
struct drm_quasar_cmd_copy {
	/** @hdr: opcode DRM_QUASAR_OP_COPY, length 32 */
	struct drm_quasar_cmd_header hdr;
	/** @dst: device address */
	__u64 dst;
	/** @src: device address */
	__u64 src;
	/** @size: bytes, > 0 */
	__u64 size;
};

/**
 * struct drm_quasar_cmd_write_value - store a 64-bit value (a memory fence)
 *
 * Runs after every earlier command of the stream has completed; @addr must
 * be a multiple of 8.
 */
struct drm_quasar_cmd_write_value {
	/** @hdr: opcode DRM_QUASAR_OP_WRITE_VALUE, length 24 */
	struct drm_quasar_cmd_header hdr;
	/** @addr: device address */
	__u64 addr;
	/** @value: the value stored */
	__u64 value;
};

/**
 * enum drm_quasar_format - tensor data formats (bit numbers of @formats)
 */
enum drm_quasar_format {
	/** @DRM_QUASAR_FORMAT_U8: raw bytes (DMA commands) */
	DRM_QUASAR_FORMAT_U8 = 0,
	/** @DRM_QUASAR_FORMAT_FP32: IEEE binary32, plain */
	DRM_QUASAR_FORMAT_FP32 = 1,
	/** @DRM_QUASAR_FORMAT_BF16: bfloat16, plain */
	DRM_QUASAR_FORMAT_BF16 = 2,
	/** @DRM_QUASAR_FORMAT_U32: 32-bit unsigned integers (embedding ids) */
	DRM_QUASAR_FORMAT_U32 = 3,
	/*
	 * Packed weight formats (docs/numerics.md sections 2 and 7): an N x K
	 * matrix in the device's panel layout, with the buffers of
	 * &struct drm_quasar_wparams. Values 4..13 are the datapath's
	 * enum dp_wfmt plus 3.
	 */
	/** @DRM_QUASAR_FORMAT_W_BF16: dense BF16 weights */
	DRM_QUASAR_FORMAT_W_BF16 = 4,
	/** @DRM_QUASAR_FORMAT_W_INT8: int8, FP32 scale per output channel */
	DRM_QUASAR_FORMAT_W_INT8 = 5,
	/** @DRM_QUASAR_FORMAT_W_INT4: 4-bit, BF16 scale per group, optional zeros */
	DRM_QUASAR_FORMAT_W_INT4 = 6,
	/** @DRM_QUASAR_FORMAT_W_MXINT8: OCP MXINT8 */
	DRM_QUASAR_FORMAT_W_MXINT8 = 7,
	/** @DRM_QUASAR_FORMAT_W_MXFP8: OCP MXFP8 (E4M3) */
	DRM_QUASAR_FORMAT_W_MXFP8 = 8,
	/** @DRM_QUASAR_FORMAT_W_MXFP4: OCP MXFP4 (E2M1) */
	DRM_QUASAR_FORMAT_W_MXFP4 = 9,
	/** @DRM_QUASAR_FORMAT_W_NVFP4: NVFP4, E4M3 scale per 16 and a tensor scale */
	DRM_QUASAR_FORMAT_W_NVFP4 = 10,
	/** @DRM_QUASAR_FORMAT_W_SP_BF16: 2:4 sparse BF16 */
	DRM_QUASAR_FORMAT_W_SP_BF16 = 11,
	/** @DRM_QUASAR_FORMAT_W_SP_INT8: 2:4 sparse int8 */
	DRM_QUASAR_FORMAT_W_SP_INT8 = 12,
	/** @DRM_QUASAR_FORMAT_W_SP_INT4: 2:4 sparse 4-bit */
	DRM_QUASAR_FORMAT_W_SP_INT4 = 13,
};

/*
 * Command-stream ISA, version 1 (docs/isa.md): tensor operations through
 * the datapath. Version 0 streams run unchanged; a stream using v1 should
 * begin with ISA_VERSION so that an older firmware refuses it up front.
 */

/** DRM_QUASAR_ISA_VERSION: the ISA version this header describes */
#define DRM_QUASAR_ISA_VERSION		1

/** DRM_QUASAR_TENSOR_DIMS: dimensions of &struct drm_quasar_tensor */
#define DRM_QUASAR_TENSOR_DIMS		4

/** DRM_QUASAR_DIM_MAX: largest extent of any tensor dimension */
#define DRM_QUASAR_DIM_MAX		65536u

/** DRM_QUASAR_TENSOR_ZERO_POINTS: packed INT4/SP_INT4 weights carry zeros */
#define DRM_QUASAR_TENSOR_ZERO_POINTS	(1u << 0)

/** DRM_QUASAR_GEMM_A8: quantize activations to int8 per row (W8A8, W4A8) */
#define DRM_QUASAR_GEMM_A8		(1u << 0)

/**
 * enum drm_quasar_act - activation of a GEMM or CONV2D epilogue
 */
enum drm_quasar_act {
	/** @DRM_QUASAR_ACT_NONE: identity */
	DRM_QUASAR_ACT_NONE = 0,
	/** @DRM_QUASAR_ACT_RELU: max(x, +0) */
	DRM_QUASAR_ACT_RELU = 1,
	/** @DRM_QUASAR_ACT_GELU: GELU, tanh form */
	DRM_QUASAR_ACT_GELU = 2,
	/** @DRM_QUASAR_ACT_SILU: x * sigmoid(x) */
	DRM_QUASAR_ACT_SILU = 3,
};

/**
 * struct drm_quasar_tensor - a tensor operand (48 bytes)
 *
 * A plain tensor (FP32, BF16, U32) is a 4-D array: element (i0, i1, i2, i3)
 * lives at @addr + (i0 * strides[0] + i1 * strides[1] + i2 * strides[2] +
 * i3) * element size. A tensor of fewer dimensions sets the leading dims to
 * 1. Ops see it as rows = dims[0] * dims[1] * dims[2] rows of dims[3]
 * elements (CONV2D reads dims as N, H, W, C).
 *
 * A packed weight tensor (formats W_*) is an N x K matrix with dims
 * {1, 1, N, K}, strides all 0 (its layout is fixed), @addr pointing at the
 * element codes, and its other buffers in a &struct drm_quasar_wparams.
 */
struct drm_quasar_tensor {
	/** @addr: device address of element 0, aligned to the element size */
	__u64 addr;
	/** @dims: extents, outermost first, each 1..DRM_QUASAR_DIM_MAX */
	__u32 dims[DRM_QUASAR_TENSOR_DIMS];
	/**
	 * @strides: in elements, for dims 0..2; strides[3] must be 1 (rows
	 * are contiguous). strides[i] >= dims[i + 1] * strides[i + 1] when
	 * dims[i] > 1, so no two elements share an address.
	 */
	__u32 strides[DRM_QUASAR_TENSOR_DIMS];
	/** @format: &enum drm_quasar_format */
	__u32 format;
	/** @flags: DRM_QUASAR_TENSOR_ZERO_POINTS for packed INT4 formats, else 0 */
	__u32 flags;
};

/**
 * struct drm_quasar_wparams - the other buffers of a packed weight tensor
 *
 * Each address is required exactly when the format has that buffer
 * (docs/isa.md, "Packed weights"), and must be 0 otherwise.
 */
struct drm_quasar_wparams {
	/** @scales: device address of the block factors */
	__u64 scales;
	/** @zeros: device address of the 4-bit zero points */
	__u64 zeros;
	/** @meta: device address of the 2:4 index codes */
	__u64 meta;
	/** @group: INT4/SP_INT4: 32, 64 or 128; MX*: 0 or 32; NVFP4: 0 or 16; else 0 */
	__u32 group;
	/** @tensor_scale: NVFP4 tensor scale as binary32 bits; 0 elsewhere */
	__u32 tensor_scale;
};

/**
 * struct drm_quasar_cmd_isa_version - declares the ISA version a stream needs
 */
struct drm_quasar_cmd_isa_version {
	/** @hdr: opcode DRM_QUASAR_OP_ISA_VERSION, length 16 */
	struct drm_quasar_cmd_header hdr;
	/** @version: ISA version, 0..DRM_QUASAR_ISA_VERSION */
	__u32 version;
	/** @reserved: must be 0 */
	__u32 reserved;
};

/**
 * struct drm_quasar_cmd_gemm - Y = epilogue(X * W^T)
 *
 * X is M x K (BF16 rows), W packed N x K, Y M x N (FP32 or BF16). The
 * epilogue is y = act(acc * alpha + bias[n]) + residual[m][n]
 * (docs/numerics.md section 4).
 */
struct drm_quasar_cmd_gemm {
	/** @hdr: opcode DRM_QUASAR_OP_GEMM, length 216 */
	struct drm_quasar_cmd_header hdr;
	/** @x: activations, BF16, rows = M, dims[3] = K */
	struct drm_quasar_tensor x;
	/** @w: packed weights {1, 1, N, K} */
	struct drm_quasar_tensor w;
	/** @wp: the weights' other buffers */
	struct drm_quasar_wparams wp;
	/** @y: output, FP32 or BF16, rows = M, dims[3] = N */
	struct drm_quasar_tensor y;
	/** @bias: device address of N FP32 values, or 0 */
	__u64 bias;
	/** @residual: device address of a tensor shaped and strided like @y, or 0 */
	__u64 residual;
	/** @alpha: output scale as binary32 bits */
	__u32 alpha;
	/** @act: &enum drm_quasar_act */
	__u32 act;
	/** @flags: DRM_QUASAR_GEMM_A8 or 0 */
	__u32 flags;
	/** @reserved: must be 0 */
	__u32 reserved;
};

/**
 * struct drm_quasar_cmd_norm - RMSNorm or LayerNorm of every row
 */
struct drm_quasar_cmd_norm {
	/** @hdr: opcode RMSNORM or LAYERNORM, length 128 */
	struct drm_quasar_cmd_header hdr;
	/** @x: input, FP32 */
	struct drm_quasar_tensor x;
	/** @y: output, FP32, same dims as @x */
	struct drm_quasar_tensor y;
	/** @gain: device address of dims[3] FP32 gains */
	__u64 gain;
	/** @bias: LayerNorm: dims[3] FP32 biases; RMSNorm: must be 0 */
	__u64 bias;
	/** @eps: binary32 bits */
	__u32 eps;
	/** @reserved: must be 0 */
	__u32 reserved;
};

/**
 * struct drm_quasar_cmd_softmax - softmax of every row
 */
struct drm_quasar_cmd_softmax {
	/** @hdr: opcode DRM_QUASAR_OP_SOFTMAX, length 104 */
	struct drm_quasar_cmd_header hdr;
	/** @x: input, FP32 */
	struct drm_quasar_tensor x;
	/** @y: output, FP32, same dims as @x */
	struct drm_quasar_tensor y;
};

/**
 * struct drm_quasar_cmd_rope - rotary embedding of adjacent pairs
 *
 * Row r of @x is rotated with the dims[3] / 2 cosines at @cos +
 * r * dims[3] / 2 * 4 and the sines likewise at @sin (dense FP32 tables).
 */
struct drm_quasar_cmd_rope {
	/** @hdr: opcode DRM_QUASAR_OP_ROPE, length 120 */
	struct drm_quasar_cmd_header hdr;
	/** @x: input, FP32, dims[3] even */
	struct drm_quasar_tensor x;
	/** @y: output, FP32, same dims as @x */
	struct drm_quasar_tensor y;
	/** @cos: device address of rows x dims[3] / 2 FP32 cosines */
	__u64 cos;
	/** @sin: device address of rows x dims[3] / 2 FP32 sines */
	__u64 sin;
};

/**
 * struct drm_quasar_cmd_eltwise - elementwise ADD or MUL, FP32
 */
struct drm_quasar_cmd_eltwise {
	/** @hdr: opcode ADD or MUL, length 152 */
	struct drm_quasar_cmd_header hdr;
	/** @a: first input */
	struct drm_quasar_tensor a;
	/** @b: second input, same dims */
	struct drm_quasar_tensor b;
	/** @y: output, same dims */
	struct drm_quasar_tensor y;
};

/**
 * struct drm_quasar_cmd_gather - embedding lookup
 *
 * Row i of @y is the dequantized row ids[i] of @table (FP32).
 */
struct drm_quasar_cmd_gather {
	/** @hdr: opcode DRM_QUASAR_OP_GATHER, length 184 */
	struct drm_quasar_cmd_header hdr;
	/** @table: packed weights {1, 1, N, K} */
	struct drm_quasar_tensor table;
	/** @tp: the table's other buffers */
	struct drm_quasar_wparams tp;
	/** @ids: U32, {1, 1, 1, count} */
	struct drm_quasar_tensor ids;
	/** @y: FP32, rows = count, dims[3] = K */
	struct drm_quasar_tensor y;
};

/**
 * struct drm_quasar_cmd_convert - format conversion
 *
 * BF16 -> FP32, FP32 -> BF16 (plain, same dims), or packed weights -> FP32
 * or BF16 (dequantization; @dst rows = N, dims[3] = K).
 */
struct drm_quasar_cmd_convert {
	/** @hdr: opcode DRM_QUASAR_OP_CONVERT, length 136 */
	struct drm_quasar_cmd_header hdr;
	/** @src: input */
	struct drm_quasar_tensor src;
	/** @sp: packed @src's other buffers; all zero for a plain @src */
	struct drm_quasar_wparams sp;
	/** @dst: output */
	struct drm_quasar_tensor dst;
};

/**
 * struct drm_quasar_cmd_conv2d - 2-D convolution, NHWC, through the GEMM
 *
 * @x is {B, H, W, Cin} BF16; @w packed with N = Cout and K = kh * kw * Cin
 * ordered (kh, kw, cin); @y is {B, OH, OW, Cout}, FP32 or BF16, with
 * OH = (H + 2 pad - kh) / stride + 1 and OW likewise.
 */
struct drm_quasar_cmd_conv2d {
	/** @hdr: opcode DRM_QUASAR_OP_CONV2D, length 224 */
	struct drm_quasar_cmd_header hdr;
	/** @x: input, BF16 NHWC */
	struct drm_quasar_tensor x;
	/** @w: packed filter {1, 1, Cout, kh * kw * Cin} */
	struct drm_quasar_tensor w;
	/** @wp: the filter's other buffers */
	struct drm_quasar_wparams wp;
	/** @y: output NHWC */
	struct drm_quasar_tensor y;
	/** @bias: device address of Cout FP32 values, or 0 */
	__u64 bias;
	/** @kh: filter height, >= 1 */
	__u32 kh;
	/** @kw: filter width, >= 1 */
	__u32 kw;
	/** @stride: >= 1, both directions */
	__u32 stride;
	/** @pad: zero padding on every side */
	__u32 pad;
	/** @alpha: output scale as binary32 bits */
	__u32 alpha;
	/** @act: &enum drm_quasar_act */
	__u32 act;
	/** @flags: DRM_QUASAR_GEMM_A8 or 0 */
	__u32 flags;
	/** @reserved: must be 0 */
	__u32 reserved;
};

#define DRM_IOCTL_QUASAR_DEV_QUERY \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_QUASAR_DEV_QUERY, struct drm_quasar_dev_query)
#define DRM_IOCTL_QUASAR_BO_CREATE \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_QUASAR_BO_CREATE, struct drm_quasar_bo_create)
#define DRM_IOCTL_QUASAR_BO_INFO \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_QUASAR_BO_INFO, struct drm_quasar_bo_info)
#define DRM_IOCTL_QUASAR_SUBMIT \
	DRM_IOW(DRM_COMMAND_BASE + DRM_QUASAR_SUBMIT, struct drm_quasar_submit)
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
