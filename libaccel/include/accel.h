/* SPDX-License-Identifier: MIT */
/*
 * libaccel: user-space access to the Quasar NPU through its DRM accel node.
 *
 * A program reads like the work it does:
 *
 *	accel_device_open(NULL, &dev);            find /dev/accel/accelN of "quasar"
 *	accel_bo_create(dev, size, &bo);          device memory, mapped for the CPU
 *	accel_cmdbuf_create(dev, &cb);            command-stream builder
 *	accel_cmdbuf_fill(cb, accel_bo_addr(bo), size, 0x5a5a5a5a);
 *	accel_cmdbuf_submit(cb, &(struct accel_submit){ .bos = &bo, .bo_count = 1 });
 *	accel_cmdbuf_wait(cb, ACCEL_TIMEOUT_INFINITE, &result);
 *
 * Tensors, one builder call per ISA v1 op, graphs of jobs and cost
 * reports are in accel_ops.h.
 *
 * Errors: every function that can fail returns 0 or a negative errno.
 * accel_strerror() describes a code; accel_device_last_error() gives the
 * text of the last failure on a device, with the call and its arguments.
 * A job that the device failed makes the wait return -EIO and fills
 * &struct accel_job_result with the device's status (accel_status_name()).
 *
 * Thread-safety, per object:
 *  - struct accel_device: every function may be called from any thread at
 *    once; the last-error text is shared by the threads (the last failure
 *    of any thread wins).
 *  - struct accel_bo, struct accel_syncobj: immutable after creation except
 *    for the CPU mapping, which accel_bo_map() sets up under the device's
 *    lock; waits may run concurrently. Freeing needs exclusive use.
 *  - struct accel_cmdbuf: one thread at a time.
 *  - struct accel_queue: immutable after creation; jobs may be submitted
 *    to it from several threads at once. Destroying needs exclusive use.
 * No function keeps global state; several devices may be open at once.
 */
#ifndef ACCEL_H
#define ACCEL_H

#include <stddef.h>
#include <stdint.h>

#include <drm/quasar_accel.h>

#if defined(__cplusplus)
extern "C" {
#endif

#define ACCEL_API __attribute__((visibility("default")))

/*
 * The library's version: the header a program was built with. The major
 * number is the soname's (libaccel.so.1): it moves with every incompatible
 * change of the ABI (tests/libaccel/libaccel_abi_test.sh checks the ABI
 * against libaccel/abi/libaccel.abi). The minor number moves when
 * functions are added, the patch number for fixes.
 */
#define ACCEL_VERSION_MAJOR 1
#define ACCEL_VERSION_MINOR 1
#define ACCEL_VERSION_PATCH 0
#define ACCEL_VERSION_ENCODE(major, minor, patch) \
	((uint32_t)(major) << 16 | (uint32_t)(minor) << 8 | (uint32_t)(patch))
#define ACCEL_VERSION \
	ACCEL_VERSION_ENCODE(ACCEL_VERSION_MAJOR, ACCEL_VERSION_MINOR, ACCEL_VERSION_PATCH)

/*
 * The version of the library the program runs with, ACCEL_VERSION_ENCODE()'d:
 * compare with ACCEL_VERSION (the header's) to detect a library older than
 * the program was built for. @str (optional) gets "1.1.0".
 */
ACCEL_API uint32_t accel_version(const char **str);

/* Waits take a relative timeout in ns; this one never expires. */
#define ACCEL_TIMEOUT_INFINITE INT64_MAX

/* Environment variable naming the device node, overriding discovery. */
#define ACCEL_DEVICE_ENV "ACCEL_DEVICE"
/* DRM driver name that discovery looks for. */
#define ACCEL_DRIVER_NAME "quasar"

struct accel_device;
struct accel_bo;
struct accel_cmdbuf;
struct accel_syncobj;
struct accel_queue;

/* ---- device ---------------------------------------------------------- */

/*
 * Opens the Quasar device. @path NULL: the node named by $ACCEL_DEVICE, or
 * else the first /dev/accel/accel* whose DRM driver is "quasar". Fails with
 * -ENODEV when none is found, -ENOTTY when @path is not a Quasar node. The
 * device information is queried once here (size-negotiated).
 */
ACCEL_API int accel_device_open(const char *path, struct accel_device **out);
ACCEL_API void accel_device_close(struct accel_device *dev);

ACCEL_API int accel_device_fd(const struct accel_device *dev);
ACCEL_API const char *accel_device_path(const struct accel_device *dev);
ACCEL_API const struct drm_quasar_device_info *
accel_device_info(const struct accel_device *dev);

/* DRM driver identity from DRM_IOCTL_VERSION. */
struct accel_driver_version {
	char name[32];
	char date[32];
	char desc[96];
	int major, minor, patch;
};
ACCEL_API const struct accel_driver_version *
accel_device_driver(const struct accel_device *dev);

/*
 * Raw size-negotiated DEV_QUERY: copies min(@size, full size) bytes of the
 * result of @type into @buf and stores the full size in *@full_size (either
 * may be NULL/0 to only learn the size).
 */
ACCEL_API int accel_device_query(struct accel_device *dev, uint32_t type,
				 void *buf, uint32_t size, uint32_t *full_size);

/* Copies the text of the last failure on @dev into @buf (NUL-terminated). */
ACCEL_API void accel_device_last_error(struct accel_device *dev, char *buf,
				       size_t len);

/* ---- errors and job status --------------------------------------------- */

/* Description of a negative errno returned by this library. */
ACCEL_API const char *accel_strerror(int err);
/* "OK", "MMU_FAULT", ...; "UNKNOWN" for codes this library does not know. */
ACCEL_API const char *accel_status_name(uint32_t status);
/* One sentence on what the status means. */
ACCEL_API const char *accel_status_message(uint32_t status);

/*
 * Names of the bits of &struct drm_quasar_device_info: capability bit @bit
 * of @caps, opcode @op (bit of @ops), data format @format (bit of
 * @formats). NULL for values this library does not know.
 */
ACCEL_API const char *accel_cap_name(uint32_t bit);
ACCEL_API const char *accel_op_name(uint32_t op);
ACCEL_API const char *accel_format_name(uint32_t format);
/*
 * "LOW", "NORMAL", "HIGH" for &enum drm_quasar_priority (the bits of
 * @queue_priorities); NULL for values this library does not know.
 */
ACCEL_API const char *accel_priority_name(uint32_t priority);
/*
 * The priority named @name, in any case ("low", "NORMAL", ...) or as its
 * number; -EINVAL for anything else.
 */
ACCEL_API int accel_priority_parse(const char *name, uint32_t *priority);

/* How the last job that used a command BO ended (from BO_WAIT). */
struct accel_job_result {
	uint32_t status;	/* enum drm_quasar_status */
	uint32_t cmd_index;	/* failing command, or commands run */
	uint64_t fault_addr;	/* device VA of an MMU fault, else 0 */
};

/* ---- buffer objects ---------------------------------------------------- */

/* Zero-filled, page-rounded, mapped into the device address space. */
ACCEL_API int accel_bo_create(struct accel_device *dev, uint64_t size,
			      struct accel_bo **out);
/* accel_bo_create_flags() flag: jobs may read the BO, not write it. */
#define ACCEL_BO_READ_ONLY	DRM_QUASAR_BO_READ_ONLY
/*
 * accel_bo_create() with @flags: 0 or ACCEL_BO_READ_ONLY, which maps it for
 * the device without the write permission: a job that writes it ends with
 * MMU_PERM at the address it wrote (and the device takes no more jobs
 * from this accel_device, as after any MMU fault). The CPU may write it.
 * Since 1.1.
 */
ACCEL_API int accel_bo_create_flags(struct accel_device *dev, uint64_t size,
				    uint32_t flags, struct accel_bo **out);
/*
 * A dma-buf of @bo's pages (PRIME, read-write, close-on-exec) in
 * *@dmabuf_fd, for another accel_device, another driver or another process;
 * the caller closes it. Since 1.1.
 */
ACCEL_API int accel_bo_export(struct accel_bo *bo, int *dmabuf_fd);
/*
 * The pages of dma-buf @dmabuf_fd (from accel_bo_export() on another
 * accel_device, or another driver's: vgem, udmabuf, ...) as a BO of @dev,
 * mapped into @dev's device address space (accel_bo_addr()) and for the CPU
 * (accel_bo_map()). Jobs of @dev read and write the exporter's pages. @dev
 * keeps no reference to @dmabuf_fd, which the caller may close. Imported
 * into the accel_device that exported it, the new accel_bo has the
 * exporter's GEM handle, which closes once: free only one of the two.
 * Since 1.1.
 */
ACCEL_API int accel_bo_import(struct accel_device *dev, int dmabuf_fd,
			      struct accel_bo **out);
/* Unmaps from the CPU and closes the GEM handle; jobs keep their reference. */
ACCEL_API void accel_bo_free(struct accel_bo *bo);
/* Maps for the CPU (once; later calls return the same pointer). */
ACCEL_API int accel_bo_map(struct accel_bo *bo, void **ptr);

ACCEL_API uint32_t accel_bo_handle(const struct accel_bo *bo);
ACCEL_API uint64_t accel_bo_size(const struct accel_bo *bo);
ACCEL_API uint64_t accel_bo_addr(const struct accel_bo *bo);
ACCEL_API uint64_t accel_bo_mmap_offset(const struct accel_bo *bo);

/*
 * Waits until every job using @bo has ended. Returns 0 when the last job
 * that used @bo as its command BO ended OK (or there was none), -EIO when
 * it failed (see @result, which may be NULL), -ETIME on timeout.
 */
ACCEL_API int accel_bo_wait(struct accel_bo *bo, int64_t timeout_ns,
			    struct accel_job_result *result);

/* ---- syncobjs ------------------------------------------------------------ */

/* A DRM syncobj, used either as a binary fence (point 0) or a timeline. */
ACCEL_API int accel_syncobj_create(struct accel_device *dev, int signaled,
				   struct accel_syncobj **out);
ACCEL_API void accel_syncobj_destroy(struct accel_syncobj *s);
ACCEL_API uint32_t accel_syncobj_handle(const struct accel_syncobj *s);

/*
 * Waits for @point (0: the binary fence) to signal, also waiting for it to be
 * submitted. -ETIME on timeout; the fence's error, if any, is not reported
 * here (use the job's command BO).
 */
ACCEL_API int accel_syncobj_wait(struct accel_syncobj *s, uint64_t point,
				 int64_t timeout_ns);
/* Signals @point (0: the binary fence) from the CPU. */
ACCEL_API int accel_syncobj_signal(struct accel_syncobj *s, uint64_t point);
/* Latest signalled timeline point. */
ACCEL_API int accel_syncobj_query(struct accel_syncobj *s, uint64_t *point);
/* Drops the binary fence, so it can be waited on for a new job. */
ACCEL_API int accel_syncobj_reset(struct accel_syncobj *s);

/* ---- queues -------------------------------------------------------------- */

/*
 * A queue of the device file at @priority (&enum drm_quasar_priority;
 * docs/driver.md "Queues and priorities"): an ordered stream of jobs,
 * bound for its life to one hardware queue of that priority, which the
 * device's engine scheduler serves ahead of lower priorities (a HIGH job
 * overtakes queued NORMAL and LOW work at the next job boundary; there is
 * no preemption). Jobs go to it through &struct accel_submit's @uqueue.
 *
 * Errors: -EINVAL for a priority that is unknown or that no hardware
 * queue of the device has (@queue_priorities of the device info);
 * -ENOTTY when the kernel driver has no queues (an older driver);
 * -ENOSPC when the file already has the driver's 64 queues.
 */
ACCEL_API int accel_queue_create(struct accel_device *dev, uint32_t priority,
				 struct accel_queue **out);
/*
 * Destroys the queue; jobs already submitted to it still run and signal
 * their fences. NULL is a no-op. Destroy every queue before closing its
 * device (closing the file would destroy the kernel's side only).
 */
ACCEL_API void accel_queue_destroy(struct accel_queue *q);
/* The hardware queue the kernel bound @q to (as JOB_STATS reports it). */
ACCEL_API uint32_t accel_queue_hw_index(const struct accel_queue *q);
ACCEL_API uint32_t accel_queue_priority(const struct accel_queue *q);

/* ---- command buffers ------------------------------------------------------ */

/*
 * A command stream builder writing straight into a BO, which it replaces
 * with a larger one as the stream grows (up to the device's max_cmd_size;
 * -E2BIG past it).
 */
ACCEL_API int accel_cmdbuf_create(struct accel_device *dev,
				  struct accel_cmdbuf **out);
ACCEL_API void accel_cmdbuf_destroy(struct accel_cmdbuf *cb);
/* Empties the stream; first waits for the jobs still reading it. */
ACCEL_API int accel_cmdbuf_reset(struct accel_cmdbuf *cb);

ACCEL_API int accel_cmdbuf_nop(struct accel_cmdbuf *cb);
ACCEL_API int accel_cmdbuf_fill(struct accel_cmdbuf *cb, uint64_t dst,
				uint32_t size, uint32_t value);
ACCEL_API int accel_cmdbuf_copy(struct accel_cmdbuf *cb, uint64_t dst,
				uint64_t src, uint64_t size);
ACCEL_API int accel_cmdbuf_write_value(struct accel_cmdbuf *cb, uint64_t addr,
				       uint64_t value);
/*
 * Appends @len bytes as they are (a multiple of 8), for commands this
 * library does not know yet, and for tests of the device's validator.
 */
ACCEL_API int accel_cmdbuf_emit(struct accel_cmdbuf *cb, const void *cmd,
				size_t len);

ACCEL_API uint32_t accel_cmdbuf_size(const struct accel_cmdbuf *cb);
ACCEL_API uint32_t accel_cmdbuf_count(const struct accel_cmdbuf *cb);
/* The BO holding the stream; valid until the next append or destroy. */
ACCEL_API struct accel_bo *accel_cmdbuf_bo(const struct accel_cmdbuf *cb);

/* ---- submission ----------------------------------------------------------- */

/* A syncobj and point: point 0 for a binary syncobj. */
struct accel_sync {
	struct accel_syncobj *syncobj;
	uint64_t point;
};

/*
 * What a job uses besides its command stream, and where it runs: on the
 * queue @uqueue when it is set (then @queue must be 0), else on hardware
 * queue @queue, at the priority the driver gave that hardware queue
 * (docs/driver.md "Queues and priorities").
 */
struct accel_submit {
	uint32_t queue;			/* hardware queue, < num_queues */
	struct accel_bo *const *bos;	/* every BO the job touches */
	uint32_t bo_count;
	const struct accel_sync *in;	/* waited for before the job runs */
	uint32_t in_count;
	const struct accel_sync *out;	/* signalled when the job ends */
	uint32_t out_count;
	const struct accel_queue *uqueue; /* from accel_queue_create(), or NULL */
};

/*
 * Submits the whole stream of @cb as one job. @args may be NULL (queue 0,
 * no syncs). The BOs that accel_ops.h's builder calls named are added to
 * @args' list, so a stream built only from those needs no list of its own.
 * -EINVAL when @args sets both @queue and @uqueue, or @uqueue is another
 * device's.
 */
ACCEL_API int accel_cmdbuf_submit(struct accel_cmdbuf *cb,
				  const struct accel_submit *args);
/* accel_bo_wait() on the stream's BO. */
ACCEL_API int accel_cmdbuf_wait(struct accel_cmdbuf *cb, int64_t timeout_ns,
				struct accel_job_result *result);

/* Submits @size bytes at @offset of @cmd_bo as one job. */
ACCEL_API int accel_job_submit(struct accel_bo *cmd_bo, uint32_t offset,
			       uint32_t size, const struct accel_submit *args);

#undef ACCEL_API

#if defined(__cplusplus)
}
#endif

#endif /* ACCEL_H */
