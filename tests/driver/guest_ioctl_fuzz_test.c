// SPDX-License-Identifier: MIT
/*
 * ioctl fuzzer (docs/fuzzing.md): at least QUASAR_FUZZ_IOCTLS (default
 * 100000) ioctls with random and structure-aware arguments on every Quasar
 * ioctl and the generic DRM ones a client reaches (GEM_CLOSE, syncobjs,
 * PRIME), with random command streams submitted as real jobs; then a
 * smoke test from a fresh open must still run verified FILL and COPY jobs.
 *
 * The seed is printed and can be replayed: QUASAR_FUZZ_SEED=<n>.
 *
 * What is random is bounded where a legitimate request would hurt the
 * guest rather than find a bug: user pointers point into a scratch buffer,
 * a PROT_NONE region, NULL or kernel space (never at this program's own
 * memory); BOs a context may map stay small (the driver pins them, and a
 * BO of most of RAM is an OOM, not a bug); every wait has a deadline at
 * most QFZ_WAIT_NS away; generic syncobj array counts stay below 4096
 * (see docs/fuzzing.md, "Limits").
 *
 * Oracles beyond "the kernel survives": well-formed calls must succeed
 * (BO_CREATE of a small BO, BO_INFO of a live handle, a NOP job on an
 * unbanned context), and every failed call must fail with an errno from
 * the set its ioctl documents.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <unistd.h>

#include "guest_util.h"
#include "kselftest_harness.h"

#define QFZ_PAGE		4096u
#define QFZ_DEFAULT_SEED	0x5eed2025ull
#define QFZ_DEFAULT_IOCTLS	100000ul
#define QFZ_MAX_BOS		24
#define QFZ_MAX_SYNCS		16
#define QFZ_CMD_BO_SIZE		(16 * QFZ_PAGE)
#define QFZ_SCRATCH		8192
#define QFZ_WAIT_NS		2000000ll	/* 2 ms */
#define QFZ_REOPEN_EVERY	5000	/* ioctls; also on a ban */

struct qfz_bo {
	uint32_t handle;
	uint64_t size, addr;
};

struct qfz {
	uint64_t rng;
	char path[64];
	int fd;
	uint32_t num_queues;
	struct qfz_bo cmd;
	uint8_t *cmd_map;
	struct qfz_bo bos[QFZ_MAX_BOS];
	unsigned int nbos;
	uint32_t syncs[QFZ_MAX_SYNCS];
	unsigned int nsyncs;
	uint8_t *scratch;
	uint8_t *noaccess;	/* PROT_NONE: faults in copy_{from,to}_user */
	uint32_t queues[8];	/* ids from QUEUE_CREATE */
	unsigned int nqueues;
	unsigned long ioctls, since_open, reopens, jobs, jobs_ok, banned;
	unsigned long oracle_failures;
	unsigned long per_op[32];
};

/* xorshift64*: small, fast and the same on every libc. */
static uint64_t qfz_next(struct qfz *z)
{
	z->rng ^= z->rng >> 12;
	z->rng ^= z->rng << 25;
	z->rng ^= z->rng >> 27;
	return z->rng * 0x2545f4914f6cdd1dull;
}

static uint32_t qfz_below(struct qfz *z, uint32_t n)
{
	return n ? (uint32_t)(qfz_next(z) % n) : 0;
}

static bool qfz_chance(struct qfz *z, unsigned int percent)
{
	return qfz_below(z, 100) < percent;
}

static void qfz_fill(struct qfz *z, void *p, size_t n)
{
	uint8_t *b = p;

	while (n--)
		*b++ = (uint8_t)qfz_next(z);
}

/* An interesting 64-bit value: edges, small numbers, or noise. */
static uint64_t qfz_u64(struct qfz *z)
{
	static const uint64_t edges[] = {
		0, 1, 4, 7, 8, 4095, 4096, 4097, 0x7fffffff, 0x80000000,
		0xffffffff, 0x100000000ull, 0x7fffffffffffffffull,
		0x8000000000000000ull, ~0ull, ~0ull - 7, 1ull << 40, 1ull << 48,
	};

	switch (qfz_below(z, 4)) {
	case 0:
		return edges[qfz_below(z, sizeof(edges) / sizeof(edges[0]))];
	case 1:
		return qfz_below(z, 64);
	case 2:
		return 1ull << qfz_below(z, 64);
	default:
		return qfz_next(z);
	}
}

/* A user pointer the kernel may read or write without hurting us. */
static uint64_t qfz_uptr(struct qfz *z, size_t need)
{
	switch (qfz_below(z, 8)) {
	case 0:
		return 0;
	case 1:
		return (uint64_t)(uintptr_t)z->noaccess + qfz_below(z, QFZ_PAGE);
	case 2:
		return 0xffff888000000000ull + qfz_below(z, 1u << 20);
	case 3:	/* runs off the end of the scratch into the PROT_NONE page */
		return (uint64_t)(uintptr_t)z->scratch + QFZ_SCRATCH - qfz_below(z, 64);
	default:
		return (uint64_t)(uintptr_t)z->scratch +
		       qfz_below(z, need < QFZ_SCRATCH ? QFZ_SCRATCH - (uint32_t)need : 1);
	}
}

static int qfz_ioctl(struct qfz *z, unsigned int op, unsigned long req, void *arg)
{
	z->ioctls++;
	z->since_open++;
	z->per_op[op]++;
	return guest_ioctl(z->fd, req, arg);
}

static void qfz_oracle(struct qfz *z, bool ok, const char *what, int ret)
{
	if (ok)
		return;
	z->oracle_failures++;
	fprintf(stderr, "# oracle: %s returned %d (%s) after %lu ioctls\n", what, ret,
		strerror(-ret), z->ioctls);
}

/* Documented errnos of the Quasar ioctls (uapi/drm/quasar_accel.h). */
static bool qfz_errno_ok(int ret)
{
	switch (ret) {
	case 0: case -EINVAL: case -EFAULT: case -ENOENT: case -E2BIG:
	case -ENOMEM: case -EBADFD: case -ETIME: case -ETIMEDOUT: case -EINTR:
	case -ENOTTY: case -ENOSPC: case -EBUSY: case -EOPNOTSUPP:
	case -EPERM: case -EACCES: case -EBADF: case -ENODATA:
		return true;
	default:
		return false;
	}
}

static void qfz_check_errno(struct qfz *z, const char *what, int ret)
{
	qfz_oracle(z, qfz_errno_ok(ret), what, ret);
}

/* ---- the fuzzed file: open, its pools, reopen ---- */

static int qfz_bo_create(struct qfz *z, uint64_t size, struct qfz_bo *bo)
{
	struct drm_quasar_bo_create a = { .size = size };
	int ret = qfz_ioctl(z, 0, DRM_IOCTL_QUASAR_BO_CREATE, &a);

	if (!ret) {
		bo->handle = a.handle;
		bo->size = a.size;
		bo->addr = a.device_addr;
	}
	return ret;
}

static void qfz_close(struct qfz *z)
{
	if (z->cmd_map)
		munmap(z->cmd_map, QFZ_CMD_BO_SIZE);
	z->cmd_map = NULL;
	/* Jobs may still run: closing must free everything anyway. */
	if (z->fd >= 0)
		close(z->fd);
	z->fd = -1;
	z->nbos = z->nsyncs = z->nqueues = 0;
}

static int qfz_open(struct qfz *z)
{
	struct drm_quasar_device_info info = { 0 };
	struct drm_quasar_dev_query q = {
		.type = DRM_QUASAR_QUERY_DEVICE_INFO, .size = sizeof(info),
		.pointer = (uint64_t)(uintptr_t)&info,
	};
	struct drm_quasar_bo_info bi;
	int ret;

	qfz_close(z);
	z->fd = open(z->path, O_RDWR | O_CLOEXEC);
	if (z->fd < 0)
		return -errno;
	z->since_open = 0;
	z->reopens++;
	ret = qfz_ioctl(z, 1, DRM_IOCTL_QUASAR_DEV_QUERY, &q);
	if (ret)
		return ret;
	z->num_queues = info.num_queues;
	ret = qfz_bo_create(z, QFZ_CMD_BO_SIZE, &z->cmd);
	if (ret)
		return ret;
	bi = (struct drm_quasar_bo_info){ .handle = z->cmd.handle };
	ret = qfz_ioctl(z, 3, DRM_IOCTL_QUASAR_BO_INFO, &bi);
	if (ret)
		return ret;
	z->cmd_map = mmap(NULL, QFZ_CMD_BO_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
			  z->fd, (off_t)bi.mmap_offset);
	if (z->cmd_map == MAP_FAILED) {
		z->cmd_map = NULL;
		return -errno;
	}
	return 0;
}

static struct qfz_bo *qfz_some_bo(struct qfz *z)
{
	return z->nbos ? &z->bos[qfz_below(z, z->nbos)] : &z->cmd;
}

/* Mostly a handle we own; sometimes a stale or made-up one. */
static uint32_t qfz_handle(struct qfz *z)
{
	if (qfz_chance(z, 85))
		return qfz_some_bo(z)->handle;
	return (uint32_t)qfz_u64(z);
}

static uint32_t qfz_sync(struct qfz *z)
{
	if (z->nsyncs && qfz_chance(z, 85))
		return z->syncs[qfz_below(z, z->nsyncs)];
	return (uint32_t)qfz_u64(z);
}

/* A device address: inside one of our BOs, near one, or anywhere. */
static uint64_t qfz_dev_addr(struct qfz *z, unsigned int align)
{
	struct qfz_bo *bo = qfz_some_bo(z);
	uint64_t a;

	switch (qfz_below(z, 6)) {
	case 0:
		a = qfz_u64(z);
		break;
	case 1:
		a = bo->addr + bo->size - qfz_below(z, 64);
		break;
	default:
		a = bo->addr + qfz_below(z, (uint32_t)bo->size);
		break;
	}
	if (qfz_chance(z, 90))
		a &= ~(uint64_t)(align - 1);
	return a;
}

static uint64_t qfz_len(struct qfz *z, unsigned int align)
{
	uint64_t n = qfz_chance(z, 80) ? 1 + qfz_below(z, 3 * QFZ_PAGE) : qfz_u64(z);

	if (qfz_chance(z, 90))
		n = (n + align - 1) & ~(uint64_t)(align - 1);
	return n;
}

/* ---- command streams ---- */

/* Appends one command, mostly well-formed with random fields; @room bytes. */
static uint32_t qfz_emit(struct qfz *z, uint8_t *p, uint32_t room)
{
	static const uint16_t lengths[] = { 8, 24, 32, 24 };
	struct drm_quasar_cmd_header *h = (void *)p;
	uint16_t op = (uint16_t)qfz_below(z, 4);
	uint32_t len;

	if (qfz_chance(z, 3))
		op = (uint16_t)qfz_u64(z);
	len = op < 4 ? lengths[op] : 8 * qfz_below(z, 6);
	if (qfz_chance(z, 3))
		len = (uint16_t)qfz_u64(z);
	if (len > room || len < 8) {
		qfz_fill(z, p, room < 8 ? room : 8);
		return room < 8 ? room : 8;
	}
	qfz_fill(z, p, len);
	h->opcode = op;
	h->length = (uint16_t)len;
	h->flags = qfz_chance(z, 3) ? (uint32_t)qfz_next(z) : 0;
	switch (op) {
	case DRM_QUASAR_OP_FILL: {
		struct drm_quasar_cmd_fill *c = (void *)p;

		c->dst = qfz_dev_addr(z, 4);
		c->size = (uint32_t)qfz_len(z, 4);
		break;
	}
	case DRM_QUASAR_OP_COPY: {
		struct drm_quasar_cmd_copy *c = (void *)p;

		c->dst = qfz_dev_addr(z, 1);
		c->src = qfz_dev_addr(z, 1);
		c->size = qfz_len(z, 1);
		break;
	}
	case DRM_QUASAR_OP_WRITE_VALUE: {
		struct drm_quasar_cmd_write_value *c = (void *)p;

		c->addr = qfz_dev_addr(z, 8);
		break;
	}
	default:
		break;
	}
	return len;
}

/* Writes a stream at a random offset of the command BO; returns its size. */
static uint32_t qfz_stream(struct qfz *z, uint32_t *offset)
{
	uint32_t off = 8 * qfz_below(z, 64), n = 0, cmds = 1 + qfz_below(z, 8);
	uint32_t room = QFZ_CMD_BO_SIZE - off;

	if (qfz_chance(z, 5)) {	/* pure garbage */
		n = 8 * (1 + qfz_below(z, 32));
		qfz_fill(z, z->cmd_map + off, n);
	} else {
		while (cmds-- && n < room)
			n += qfz_emit(z, z->cmd_map + off + n, room - n);
	}
	*offset = off;
	return n;
}

/* ---- one fuzzing step per Quasar or DRM ioctl ---- */

static void qfz_dev_query(struct qfz *z)
{
	struct drm_quasar_dev_query q = {
		.type = qfz_chance(z, 70) ? 0 : (uint32_t)qfz_u64(z),
		.size = qfz_chance(z, 70) ? sizeof(struct drm_quasar_device_info) :
					    (uint32_t)qfz_u64(z),
	};
	int ret;

	q.pointer = qfz_chance(z, 20) ? 0 : qfz_uptr(z, q.size);
	ret = qfz_ioctl(z, 1, DRM_IOCTL_QUASAR_DEV_QUERY, &q);
	qfz_check_errno(z, "DEV_QUERY", ret);
}

static void qfz_bo_create_step(struct qfz *z)
{
	struct drm_quasar_bo_create a = { 0 };
	struct qfz_bo bo;
	int ret;

	if (qfz_chance(z, 60) && z->nbos < QFZ_MAX_BOS) {
		uint64_t size = 1 + qfz_below(z, 64 * QFZ_PAGE);

		ret = qfz_bo_create(z, size, &bo);
		qfz_oracle(z, !ret, "BO_CREATE of a small BO", ret);
		if (!ret)
			z->bos[z->nbos++] = bo;
		return;
	}
	/* Invalid or out-of-range requests only: never a large valid BO. */
	qfz_fill(z, &a, sizeof(a));
	switch (qfz_below(z, 3)) {
	case 0:
		a.size = 0;
		break;
	case 1:
		a.size = (1ull << 48) + qfz_below(z, 1u << 30);
		break;
	default:
		a.size = qfz_chance(z, 50) ? ~0ull - qfz_below(z, QFZ_PAGE) :
					    1 + qfz_below(z, QFZ_PAGE);
		/* A flag BO_CREATE does not know (READ_ONLY alone is valid). */
		a.flags |= ~(uint32_t)DRM_QUASAR_BO_READ_ONLY &
			   (1u << (1 + qfz_below(z, 31)));
		break;
	}
	ret = qfz_ioctl(z, 2, DRM_IOCTL_QUASAR_BO_CREATE, &a);
	qfz_oracle(z, ret < 0, "BO_CREATE with bad arguments", ret);
	qfz_check_errno(z, "BO_CREATE", ret);
}

static void qfz_bo_info(struct qfz *z)
{
	struct drm_quasar_bo_info a = { .handle = qfz_handle(z) };
	bool sane = qfz_chance(z, 80);
	int ret;

	if (!sane)
		a.pad = (uint32_t)qfz_u64(z);
	ret = qfz_ioctl(z, 3, DRM_IOCTL_QUASAR_BO_INFO, &a);
	qfz_check_errno(z, "BO_INFO", ret);
	if (sane && a.handle == z->cmd.handle)
		qfz_oracle(z, !ret && a.device_addr == z->cmd.addr,
			   "BO_INFO of the live command BO", ret);
}

static void qfz_syncs(struct qfz *z, unsigned int at, __u64 *ptr, uint32_t *count)
{
	struct drm_quasar_sync *s = (void *)(z->scratch + at);
	uint32_t n = qfz_below(z, 4);

	if (qfz_chance(z, 50)) {
		*ptr = 0;
		*count = 0;
		return;
	}
	for (uint32_t i = 0; i < n; i++) {
		s[i].handle = qfz_sync(z);
		s[i].flags = qfz_chance(z, 5) ? (uint32_t)qfz_next(z) : 0;
		s[i].point = qfz_chance(z, 50) ? 0 : qfz_below(z, 8);
	}
	*ptr = (uint64_t)(uintptr_t)s;
	*count = n;
	if (qfz_chance(z, 5)) {
		*ptr = qfz_uptr(z, 16 * 64);
		*count = (uint32_t)qfz_u64(z);
	}
}

static void qfz_submit(struct qfz *z)
{
	struct drm_quasar_submit a = { .cmd_handle = z->cmd.handle };
	uint32_t *handles = (void *)(z->scratch + 4096);
	uint32_t nh = qfz_below(z, 4);
	bool sane = qfz_chance(z, 70);
	int ret;

	a.cmd_size = qfz_stream(z, &a.cmd_offset);
	a.queue = qfz_below(z, z->num_queues);
	if (z->nqueues && qfz_chance(z, 30)) {
		a.flags = DRM_QUASAR_SUBMIT_QUEUE_ID;
		a.queue = z->queues[qfz_below(z, z->nqueues)];
	}
	for (uint32_t i = 0; i < nh; i++)
		handles[i] = qfz_some_bo(z)->handle;
	a.bo_handles = (uint64_t)(uintptr_t)handles;
	a.bo_count = nh;
	if (!sane) {
		switch (qfz_below(z, 8)) {
		case 0: a.cmd_handle = qfz_handle(z); break;
		case 1: a.cmd_offset = (uint32_t)qfz_u64(z); break;
		case 2: a.cmd_size = (uint32_t)qfz_u64(z); break;
		case 3: a.queue = (uint32_t)qfz_u64(z); break;
		case 4: a.flags = (uint32_t)qfz_u64(z); break;
		case 5: a.bo_handles = qfz_uptr(z, 4 * 256); a.bo_count = (uint32_t)qfz_u64(z); break;
		case 6: handles[0] = qfz_handle(z); a.bo_count = nh ? nh : 1; break;
		default: qfz_fill(z, &a, sizeof(a)); break;
		}
		qfz_syncs(z, 0, &a.in_syncs, &a.in_sync_count);
		qfz_syncs(z, 512, &a.out_syncs, &a.out_sync_count);
	} else if (z->nsyncs && qfz_chance(z, 30)) {
		/* A binary out-sync: later syncobj ops see a real job fence. */
		struct drm_quasar_sync *s = (void *)z->scratch;

		s->handle = z->syncs[qfz_below(z, z->nsyncs)];
		s->flags = 0;
		s->point = 0;
		a.out_syncs = (uint64_t)(uintptr_t)s;
		a.out_sync_count = 1;
	}
	ret = qfz_ioctl(z, 4, DRM_IOCTL_QUASAR_SUBMIT, &a);
	qfz_check_errno(z, "SUBMIT", ret);
	if (!ret)
		z->jobs++;
	if (ret == -EBADFD)
		z->banned++;
}

/* A NOP job on a fresh stream: must be accepted unless the context is banned. */
#define QFZ_DRAIN_TIMEOUT_NS (120ll * 1000000000)

static void qfz_submit_nop(struct qfz *z)
{
	struct drm_quasar_cmd_header *h = (void *)(z->cmd_map + QFZ_CMD_BO_SIZE - 8);
	struct drm_quasar_submit a = {
		.cmd_handle = z->cmd.handle, .cmd_offset = QFZ_CMD_BO_SIZE - 8,
		.cmd_size = 8,
	};
	struct drm_quasar_bo_wait w = { .handle = z->cmd.handle };
	int ret;

	*h = (struct drm_quasar_cmd_header){ DRM_QUASAR_OP_NOP, 8, 0 };
	ret = qfz_ioctl(z, 4, DRM_IOCTL_QUASAR_SUBMIT, &a);
	if (ret == -EBADFD) {
		z->banned++;
		return;
	}
	qfz_oracle(z, !ret, "SUBMIT of a NOP job", ret);
	if (ret)
		return;
	z->jobs++;
	/*
	 * Drain this file's queue now and then, so jobs cannot pile up. The
	 * wait covers every job queued on the command BO, and a lost interrupt
	 * is only recovered by the watchdog a period later, so the deadline is
	 * generous: the oracle is that every job ends, not how fast.
	 */
	w.timeout_ns = guest_now_ns() + QFZ_DRAIN_TIMEOUT_NS;
	ret = qfz_ioctl(z, 5, DRM_IOCTL_QUASAR_BO_WAIT, &w);
	qfz_oracle(z, !ret, "BO_WAIT for a NOP job", ret);
	if (!ret && w.job_status == DRM_QUASAR_STATUS_OK)
		z->jobs_ok++;
}

static void qfz_bo_wait(struct qfz *z)
{
	struct drm_quasar_bo_wait a = { .handle = qfz_handle(z) };
	int ret;

	a.timeout_ns = guest_now_ns() + (int64_t)qfz_below(z, QFZ_WAIT_NS);
	if (qfz_chance(z, 20))
		a.timeout_ns = -(int64_t)qfz_below(z, 1000);
	if (qfz_chance(z, 10))
		a.flags = (uint32_t)qfz_u64(z);
	ret = qfz_ioctl(z, 5, DRM_IOCTL_QUASAR_BO_WAIT, &a);
	qfz_check_errno(z, "BO_WAIT", ret);
}

static void qfz_gem_close(struct qfz *z)
{
	struct drm_gem_close a = { .handle = qfz_handle(z) };
	int ret;

	/* The command BO stays: the rest of the run needs it. */
	if (a.handle == z->cmd.handle)
		return;
	if (qfz_chance(z, 10))
		a.pad = (uint32_t)qfz_next(z);
	ret = qfz_ioctl(z, 6, DRM_IOCTL_GEM_CLOSE, &a);
	for (unsigned int i = 0; !ret && i < z->nbos; i++) {
		if (z->bos[i].handle == a.handle) {
			z->bos[i] = z->bos[--z->nbos];
			break;
		}
	}
}

static void qfz_syncobj_create_destroy(struct qfz *z)
{
	if (qfz_chance(z, 55) && z->nsyncs < QFZ_MAX_SYNCS) {
		struct drm_syncobj_create a = {
			.flags = qfz_chance(z, 80) ? (qfz_chance(z, 50) ?
				 DRM_SYNCOBJ_CREATE_SIGNALED : 0) : (uint32_t)qfz_u64(z),
		};

		if (!qfz_ioctl(z, 7, DRM_IOCTL_SYNCOBJ_CREATE, &a) &&
		    z->nsyncs < QFZ_MAX_SYNCS)
			z->syncs[z->nsyncs++] = a.handle;
	} else {
		struct drm_syncobj_destroy a = { .handle = qfz_sync(z) };

		if (qfz_chance(z, 10))
			a.pad = (uint32_t)qfz_next(z);
		if (!qfz_ioctl(z, 8, DRM_IOCTL_SYNCOBJ_DESTROY, &a)) {
			for (unsigned int i = 0; i < z->nsyncs; i++) {
				if (z->syncs[i] == a.handle) {
					z->syncs[i] = z->syncs[--z->nsyncs];
					break;
				}
			}
		}
	}
}

/* Handles (and points) for the syncobj array ioctls, in the scratch. */
static uint32_t qfz_sync_array(struct qfz *z, __u64 *handles, __u64 *points)
{
	uint32_t *h = (void *)z->scratch;
	uint64_t *p = (void *)(z->scratch + 1024);
	uint32_t n = 1 + qfz_below(z, 4);

	for (uint32_t i = 0; i < n; i++) {
		h[i] = qfz_sync(z);
		p[i] = qfz_chance(z, 30) ? 0 : qfz_below(z, 6);
	}
	*handles = (uint64_t)(uintptr_t)h;
	if (points)
		*points = (uint64_t)(uintptr_t)p;
	if (qfz_chance(z, 8)) {
		*handles = qfz_uptr(z, 4096);
		n = qfz_below(z, 4096);
	}
	if (points && qfz_chance(z, 8))
		*points = qfz_uptr(z, 8 * 512);
	return n;
}

static uint32_t qfz_wait_flags(struct qfz *z)
{
	uint32_t f = 0;

	if (qfz_chance(z, 40))
		f |= DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL;
	if (qfz_chance(z, 30))
		f |= DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT;
	if (qfz_chance(z, 10))
		f |= DRM_SYNCOBJ_WAIT_FLAGS_WAIT_AVAILABLE;
	if (qfz_chance(z, 5))
		f = (uint32_t)qfz_next(z);
	return f;
}

static void qfz_syncobj_ops(struct qfz *z)
{
	int64_t deadline = guest_now_ns() + (int64_t)qfz_below(z, QFZ_WAIT_NS);

	switch (qfz_below(z, 7)) {
	case 0: {
		struct drm_syncobj_wait a = { .timeout_nsec = deadline };

		a.count_handles = qfz_sync_array(z, &a.handles, NULL);
		a.flags = qfz_wait_flags(z);
		qfz_ioctl(z, 9, DRM_IOCTL_SYNCOBJ_WAIT, &a);
		break;
	}
	case 1: {
		struct drm_syncobj_timeline_wait a = { .timeout_nsec = deadline };

		a.count_handles = qfz_sync_array(z, &a.handles, &a.points);
		a.flags = qfz_wait_flags(z);
		qfz_ioctl(z, 10, DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT, &a);
		break;
	}
	case 2: {
		struct drm_syncobj_array a = { 0 };

		a.count_handles = qfz_sync_array(z, &a.handles, NULL);
		qfz_ioctl(z, 11, qfz_chance(z, 50) ? DRM_IOCTL_SYNCOBJ_SIGNAL :
			  DRM_IOCTL_SYNCOBJ_RESET, &a);
		break;
	}
	case 3: {
		struct drm_syncobj_timeline_array a = { 0 };

		a.count_handles = qfz_sync_array(z, &a.handles, &a.points);
		if (qfz_chance(z, 10))
			a.flags = (uint32_t)qfz_next(z);
		qfz_ioctl(z, 12, qfz_chance(z, 50) ? DRM_IOCTL_SYNCOBJ_TIMELINE_SIGNAL :
			  DRM_IOCTL_SYNCOBJ_QUERY, &a);
		break;
	}
	case 4: {
		struct drm_syncobj_transfer a = {
			.src_handle = qfz_sync(z), .dst_handle = qfz_sync(z),
			.src_point = qfz_below(z, 6), .dst_point = qfz_below(z, 6),
			.flags = qfz_chance(z, 80) ? 0 : qfz_wait_flags(z),
		};

		qfz_ioctl(z, 13, DRM_IOCTL_SYNCOBJ_TRANSFER, &a);
		break;
	}
	default: {
		/* Syncobj <-> fd and sync_file round trips. */
		struct drm_syncobj_handle a = { .handle = qfz_sync(z), .fd = -1 };

		if (qfz_chance(z, 50))
			a.flags = DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE;
		if (qfz_chance(z, 5))
			a.flags = (uint32_t)qfz_next(z);
		if (!qfz_ioctl(z, 14, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, &a) && a.fd >= 0) {
			struct drm_syncobj_handle b = { .fd = a.fd };

			if (a.flags) {
				b.flags = DRM_SYNCOBJ_FD_TO_HANDLE_FLAGS_IMPORT_SYNC_FILE;
				b.handle = qfz_sync(z);
			}
			qfz_ioctl(z, 15, DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE, &b);
			if (!a.flags && b.handle && z->nsyncs < QFZ_MAX_SYNCS)
				z->syncs[z->nsyncs++] = b.handle;
			close(a.fd);
		}
		break;
	}
	}
}

static void qfz_prime(struct qfz *z)
{
	struct drm_prime_handle a = { .handle = qfz_handle(z), .fd = -1 };
	int ret;

	a.flags = qfz_chance(z, 80) ? DRM_CLOEXEC | (qfz_chance(z, 50) ? DRM_RDWR : 0) :
				      (uint32_t)qfz_next(z);
	ret = qfz_ioctl(z, 16, DRM_IOCTL_PRIME_HANDLE_TO_FD, &a);
	if (!ret && a.fd >= 0) {
		struct drm_prime_handle b = { .fd = a.fd };

		/* Importing our own export gives the same handle back. */
		ret = qfz_ioctl(z, 17, DRM_IOCTL_PRIME_FD_TO_HANDLE, &b);
		qfz_oracle(z, !ret && b.handle == a.handle, "PRIME re-import", ret);
		close(a.fd);
	} else {
		struct drm_prime_handle b = {
			.fd = qfz_chance(z, 50) ? (int)qfz_below(z, 8) : (int)qfz_next(z),
		};

		qfz_ioctl(z, 17, DRM_IOCTL_PRIME_FD_TO_HANDLE, &b);
	}
}

/* QUEUE_CREATE and QUEUE_DESTROY, sane or not; created ids feed SUBMIT. */
static void qfz_queue_ops(struct qfz *z)
{
	int ret;

	if (qfz_chance(z, 50)) {
		struct drm_quasar_queue_create a = { .priority = qfz_below(z, 3) };

		if (qfz_chance(z, 20))
			a.priority = (uint32_t)qfz_u64(z);
		if (qfz_chance(z, 10))
			a.flags = (uint32_t)qfz_u64(z);
		ret = qfz_ioctl(z, 19, DRM_IOCTL_QUASAR_QUEUE_CREATE, &a);
		qfz_check_errno(z, "QUEUE_CREATE", ret);
		if (!ret && z->nqueues < 8)
			z->queues[z->nqueues++] = a.queue_id;
	} else {
		struct drm_quasar_queue_destroy a = { .queue_id = (uint32_t)qfz_u64(z) };
		unsigned int i = z->nqueues ? qfz_below(z, z->nqueues) : 0;

		if (z->nqueues && qfz_chance(z, 80))
			a.queue_id = z->queues[i];
		if (qfz_chance(z, 10))
			a.pad = (uint32_t)qfz_u64(z);
		ret = qfz_ioctl(z, 19, DRM_IOCTL_QUASAR_QUEUE_DESTROY, &a);
		qfz_check_errno(z, "QUEUE_DESTROY", ret);
		if (!ret && z->nqueues && a.queue_id == z->queues[i])
			z->queues[i] = z->queues[--z->nqueues];
	}
}

static void qfz_job_stats(struct qfz *z)
{
	struct drm_quasar_job_stats a = {
		.handle = qfz_chance(z, 60) ? z->cmd.handle : qfz_handle(z),
	};
	int ret;

	if (qfz_chance(z, 10))
		a.flags = (uint32_t)qfz_u64(z);
	ret = qfz_ioctl(z, 20, DRM_IOCTL_QUASAR_JOB_STATS, &a);
	qfz_check_errno(z, "JOB_STATS", ret);
}

/* Any Quasar ioctl number with a random size, direction and payload. */
static void qfz_raw(struct qfz *z)
{
	static const unsigned int dirs[] = {
		_IOC_NONE, _IOC_READ, _IOC_WRITE, _IOC_READ | _IOC_WRITE,
	};
	unsigned int nr = DRM_COMMAND_BASE + qfz_below(z, 8);
	unsigned int size = qfz_below(z, 96);
	unsigned long req = _IOC(dirs[qfz_below(z, 4)], DRM_IOCTL_BASE, nr, size);
	uint8_t *arg = z->scratch + 2048;
	uint64_t *words = (void *)arg;
	int ret;

	qfz_fill(z, arg, 96);
	/* Pointer-shaped fields get pointers the kernel may use. */
	for (unsigned int i = 0; i < 12; i++)
		if (qfz_chance(z, 30))
			words[i] = qfz_uptr(z, 512);
	ret = qfz_ioctl(z, 18, req, arg);
	qfz_check_errno(z, "raw Quasar ioctl", ret);
}

static void qfz_step(struct qfz *z)
{
	unsigned int r = qfz_below(z, 100);

	if (r < 6)
		qfz_dev_query(z);
	else if (r < 16)
		qfz_bo_create_step(z);
	else if (r < 24)
		qfz_bo_info(z);
	else if (r < 44)
		qfz_submit(z);
	else if (r < 47)
		qfz_submit_nop(z);
	else if (r < 55)
		qfz_bo_wait(z);
	else if (r < 61)
		qfz_gem_close(z);
	else if (r < 69)
		qfz_syncobj_create_destroy(z);
	else if (r < 83)
		qfz_syncobj_ops(z);
	else if (r < 90)
		qfz_prime(z);
	else if (r < 93)
		qfz_queue_ops(z);
	else if (r < 96)
		qfz_job_stats(z);
	else
		qfz_raw(z);
}

static unsigned long qfz_env(const char *name, unsigned long def)
{
	const char *v = getenv(name);

	return v && *v ? strtoul(v, NULL, 0) : def;
}

/* The kernel log holds no WARNING, BUG or Oops (the whole log, so far). */
static int qfz_dmesg_clean(void)
{
	static char buf[1 << 20];
	int n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, sizeof(buf) - 1);

	if (n < 0)
		return -errno;
	buf[n] = 0;
	if (strstr(buf, "WARNING:") || strstr(buf, "BUG:") || strstr(buf, "Oops"))
		return 1;
	return 0;
}

/* The run is long under TCG; the harness's default 30 s is not enough. */
FIXTURE(fuzz) {
	int unused;
};

FIXTURE_SETUP(fuzz)
{
}

FIXTURE_TEARDOWN(fuzz)
{
}

TEST_F(fuzz, ioctl_fuzz)	/* time limit: qfz_scale_time_limit */
{
	static const char *const ops[] = {
		"BO_CREATE", "DEV_QUERY", "BO_CREATE(bad)", "BO_INFO", "SUBMIT",
		"BO_WAIT", "GEM_CLOSE", "SYNCOBJ_CREATE", "SYNCOBJ_DESTROY",
		"SYNCOBJ_WAIT", "SYNCOBJ_TIMELINE_WAIT", "SYNCOBJ_SIGNAL/RESET",
		"SYNCOBJ_TIMELINE_SIGNAL/QUERY", "SYNCOBJ_TRANSFER",
		"SYNCOBJ_HANDLE_TO_FD", "SYNCOBJ_FD_TO_HANDLE",
		"PRIME_HANDLE_TO_FD", "PRIME_FD_TO_HANDLE", "raw",
		"QUEUE_CREATE/DESTROY", "JOB_STATS",
	};
	unsigned long want = qfz_env("QUASAR_FUZZ_IOCTLS", QFZ_DEFAULT_IOCTLS);
	struct accel_device *dev;
	struct qfz *z = calloc(1, sizeof(*z));
	int64_t t0 = guest_now_ns();
	long lost_irqs = guest_recovery_counter("lost_irqs");
	uint8_t *region;

	ASSERT_NE(NULL, z);
	z->rng = qfz_env("QUASAR_FUZZ_SEED", QFZ_DEFAULT_SEED);
	ksft_print_msg("seed %#llx (replay: QUASAR_FUZZ_SEED=%#llx), %lu ioctls\n",
		       (unsigned long long)z->rng, (unsigned long long)z->rng, want);
	if (!z->rng)
		z->rng = 1;	/* xorshift's one fixed point */
	ASSERT_EQ(0, accel_device_open(NULL, &dev));
	snprintf(z->path, sizeof(z->path), "%s", accel_device_path(dev));
	accel_device_close(dev);

	/* Scratch, then a PROT_NONE page right after it. */
	region = mmap(NULL, QFZ_SCRATCH + QFZ_PAGE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, region);
	ASSERT_EQ(0, mprotect(region + QFZ_SCRATCH, QFZ_PAGE, PROT_NONE));
	z->scratch = region;
	z->noaccess = region + QFZ_SCRATCH;
	z->fd = -1;
	ASSERT_EQ(0, qfz_open(z));

	while (z->ioctls < want) {
		qfz_step(z);
		if (z->since_open >= QFZ_REOPEN_EVERY || (z->banned && qfz_chance(z, 20))) {
			z->banned = 0;
			ASSERT_EQ(0, qfz_open(z)) TH_LOG("reopen %s", z->path);
		}
	}
	qfz_close(z);

	for (unsigned int i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		ksft_print_msg("%-30s %lu\n", ops[i], z->per_op[i]);
	ksft_print_msg("%lu ioctls in %.1f s, %lu files, %lu jobs submitted, %lu NOP jobs verified\n",
		       z->ioctls, (guest_now_ns() - t0) / 1e9, z->reopens, z->jobs, z->jobs_ok);
	EXPECT_GE(z->ioctls, want);
	EXPECT_EQ(0, z->oracle_failures) TH_LOG("see the '# oracle:' lines above");
	EXPECT_LT(0, z->jobs_ok) TH_LOG("no well-formed job ever completed");
	EXPECT_EQ(0, qfz_dmesg_clean()) TH_LOG("dmesg has a WARNING, BUG or Oops");
	/*
	 * No interrupt may go missing under this load (none is injected
	 * here): the watchdog would recover it, but it is a device or driver
	 * bug all the same.
	 */
	ksft_print_msg("interrupts the watchdog had to recover: %ld\n",
		       guest_recovery_counter("lost_irqs") - lost_irqs);
	EXPECT_LE(0, lost_irqs) TH_LOG("no recovery file in debugfs");
	EXPECT_EQ(lost_irqs, guest_recovery_counter("lost_irqs"));
	munmap(region, QFZ_SCRATCH + QFZ_PAGE);
	free(z);
}

/*
 * ioctl_fuzz's time limit is a hang guard, so it grows with the ioctls
 * asked for: 600 s plus 10 ms an ioctl, a tenth of the rate under TCG on
 * an idle host (a million in about 15 min), so that a loaded machine is
 * no failure. It runs after the harness registered the test (its
 * constructor has the lower priority) and before any test starts.
 */
static void __attribute__((constructor(KSELFTEST_PRIO_XFAIL))) qfz_scale_time_limit(void)
{
	unsigned long limit = 600 + qfz_env("QUASAR_FUZZ_IOCTLS", QFZ_DEFAULT_IOCTLS) / 100;

	_fuzz_ioctl_fuzz_object->timeout = limit > INT_MAX ? INT_MAX : (int)limit;
}

/* After the fuzzing, from a fresh open: FILL then COPY, checked by the CPU. */
TEST_F(fuzz, ioctl_fuzz_smoke_fill_copy_after_fuzzing)
{
	struct accel_job_result r;
	struct accel_device *dev;
	struct accel_cmdbuf *cb;
	struct accel_bo *bo;
	uint8_t *p;
	void *map;

	ASSERT_EQ(0, accel_device_open(NULL, &dev));
	ASSERT_EQ(0, accel_cmdbuf_create(dev, &cb));
	ASSERT_EQ(0, guest_bo_new(dev, 4 * QFZ_PAGE, &bo, &map));
	p = map;
	memset(p, 0xee, 4 * QFZ_PAGE);
	ASSERT_EQ(0, accel_cmdbuf_fill(cb, accel_bo_addr(bo), 2 * QFZ_PAGE, 0xc0ffee11));
	ASSERT_EQ(0, accel_cmdbuf_copy(cb, accel_bo_addr(bo) + 2 * QFZ_PAGE,
				       accel_bo_addr(bo) + 8, 2 * QFZ_PAGE - 8));
	ASSERT_EQ(0, guest_run(cb, 0, &bo, 1, &r));
	EXPECT_EQ(DRM_QUASAR_STATUS_OK, r.status);
	EXPECT_EQ(2, r.cmd_index);
	EXPECT_EQ(0, guest_expect_u32(p, 2 * QFZ_PAGE, 0xc0ffee11, "FILL"));
	EXPECT_EQ(0, guest_expect_u32(p + 2 * QFZ_PAGE, 2 * QFZ_PAGE - 8, 0xc0ffee11,
				      "COPY"));
	EXPECT_EQ(0, guest_expect_bytes(p + 4 * QFZ_PAGE - 8, 8, 0xee, "past the COPY"));
	EXPECT_EQ(0, guest_device_works(dev, 0));
	accel_bo_free(bo);
	accel_cmdbuf_destroy(cb);
	accel_device_close(dev);
}

TEST_HARNESS_MAIN
