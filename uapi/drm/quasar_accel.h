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
 * struct drm_quasar_submit - arguments of DRM_IOCTL_QUASAR_SUBMIT
 *
 * Queues one job: the device runs the command stream at
 * @cmd_offset..@cmd_offset + @cmd_size of the BO @cmd_handle, in the
 * calling file's MMU context, once every fence in @in_syncs has signalled.
 * The job holds a reference to the command BO and to every BO of
 * @bo_handles until it ends; BO_WAIT on any of them waits for it. Each
 * syncobj of @out_syncs receives the job's fence; a job that fails signals
 * it with an error (-EIO) and records its &enum drm_quasar_status, readable
 * through DRM_IOCTL_QUASAR_BO_WAIT on the command BO.
 *
 * Errors: -EINVAL for a non-zero flag or pad, a misaligned or out-of-BO
 * command range, a bad queue index or too many BOs or syncs; -ENOENT for an
 * unknown BO or syncobj handle; -EBADFD once a job of this file has hit an
 * MMU fault (the context is banned: open a new file); -EIO when the device
 * could not be recovered; -ENODEV after the device is gone.
 */
struct drm_quasar_submit {
	/** @cmd_handle: GEM handle of the BO that holds the command stream */
	__u32 cmd_handle;
	/** @cmd_offset: byte offset of the stream in that BO, multiple of 8 */
	__u32 cmd_offset;
	/** @cmd_size: bytes of the stream, multiple of 8, > 0 */
	__u32 cmd_size;
	/** @queue: hardware queue index, < num_queues */
	__u32 queue;
	/** @bo_handles: user pointer to an array of __u32 GEM handles */
	__u64 bo_handles;
	/** @bo_count: entries of @bo_handles, at most 256 */
	__u32 bo_count;
	/** @flags: must be 0 */
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

#if defined(__cplusplus)
}
#endif

#endif /* _QUASAR_ACCEL_H_ */
