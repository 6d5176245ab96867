// SPDX-License-Identifier: MIT
/*
 * What outlives what in the driver, and how much of it one client may
 * keep: the pages of a freed buffer and the jobs still on the device that
 * may touch it; the jobs a client has queued; the device's 64 context
 * slots, shared by any number of open files. The device's engine hold
 * (debugfs engine_hold) and a vgem gate fence make every order here
 * deterministic; no check depends on timing.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "drm.h"
#include "guest_gate.h"
#include "kselftest_harness.h"
#include "obs_util.h"
#include "raw_util.h"

#define SEC	1000000000ull

static int lt_syncobj(int fd, uint32_t *handle)
{
	struct drm_syncobj_create c = { 0 };
	int ret = raw_ioctl(fd, DRM_IOCTL_SYNCOBJ_CREATE, &c);

	*handle = c.handle;
	return ret;
}

/* Waits for binary syncobj @h for at most @ns; 0, -ETIME or -errno. */
static int lt_wait(int fd, uint32_t h, uint64_t ns)
{
	struct drm_syncobj_wait w = {
		.handles = (uintptr_t)&h, .count_handles = 1,
		.timeout_nsec = raw_deadline(ns),
		.flags = DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT,
	};

	return raw_ioctl(fd, DRM_IOCTL_SYNCOBJ_WAIT, &w);
}

static int lt_queue_create(int fd, uint32_t priority, uint32_t *id,
			   uint32_t *hwq)
{
	struct drm_quasar_queue_create c = { .priority = priority };
	int ret = raw_ioctl(fd, DRM_IOCTL_QUASAR_QUEUE_CREATE, &c);

	*id = c.queue_id;
	*hwq = c.hw_queue;
	return ret;
}

/*
 * One job: a WRITE_VALUE of @value at @addr, from the first bytes of
 * @cmd, on @queue (a hardware queue index, or with DRM_QUASAR_SUBMIT_QUEUE_ID
 * in @flags a queue id); waits for @in, signals @out (0: none).
 */
static int lt_submit_write(int fd, const struct raw_bo *cmd, uint32_t queue,
			   uint32_t flags, uint64_t addr, uint64_t value,
			   uint32_t in, uint32_t out)
{
	struct drm_quasar_sync in_sync = { .handle = in };
	struct drm_quasar_sync out_sync = { .handle = out };
	struct drm_quasar_submit s = {
		.cmd_handle = cmd->handle, .queue = queue, .flags = flags,
		.in_syncs = (uintptr_t)&in_sync, .in_sync_count = !!in,
		.out_syncs = (uintptr_t)&out_sync, .out_sync_count = !!out,
	};

	s.cmd_size = (uint32_t)raw_put_write_value(cmd->map, addr, value);
	return raw_ioctl(fd, DRM_IOCTL_QUASAR_SUBMIT, &s);
}

static int lt_engine_hold(int held)
{
	char dir[256], path[300];

	if (obs_debugfs_dir(dir, sizeof(dir)))
		return -ENOENT;
	snprintf(path, sizeof(path), "%s/engine_hold", dir);
	return obs_write(path, held ? "1" : "0");
}

/* Field @key of the "hw_queue @hwq:" line of debugfs file @file; -1 if absent. */
static long long lt_hwq_field(const char *file, uint32_t hwq, const char *key)
{
	char *text = obs_debugfs(file), head[32], *line, *end;
	long long v = -1;

	if (!text)
		return -1;
	snprintf(head, sizeof(head), "hw_queue %u:", hwq);
	line = strstr(text, head);
	if (line) {
		end = strchr(line, '\n');
		if (end)
			*end = '\0';
		v = obs_field(line, key);
	}
	free(text);
	return v;
}

/* Live buffer objects of the module (debugfs hw_queues, "live ... bos="). */
static long long lt_live_bos(void)
{
	char *text = obs_debugfs("hw_queues");
	long long v = text ? obs_field(text, "bos") : -1;

	free(text);
	return v;
}

/*
 * Polls until the device's ring of @hwq holds @want jobs. While the
 * engines are held the count only grows towards @want; the bound only
 * stops a broken device from hanging the test.
 */
static int lt_wait_queued(uint32_t hwq, long long want)
{
	for (int i = 0; i < 60000; i++) {
		if (lt_hwq_field("engine_grants", hwq, "queued") == want)
			return 0;
		usleep(1000);
	}
	return -ETIMEDOUT;
}

/* Polls until the module's live BO count is @want (deferred frees run on a workqueue). */
static int lt_wait_live_bos(long long want)
{
	for (int i = 0; i < 30000; i++) {
		if (lt_live_bos() == want)
			return 0;
		usleep(1000);
	}
	return -ETIMEDOUT;
}

FIXTURE(lifetime) {
	int fd;
	struct guest_gate gate;
};

FIXTURE_SETUP(lifetime)
{
	self->gate.vgem_fd = -1;
	self->fd = raw_open();
	ASSERT_LE(0, self->fd) TH_LOG("no quasar device: %s", strerror(errno));
	ASSERT_EQ(0, lt_engine_hold(0)) TH_LOG("no debugfs engine_hold under /sys/kernel/debug/accel/*/");
}

/* Runs after a failed ASSERT too: a held device would stall every test after. */
FIXTURE_TEARDOWN(lifetime)
{
	lt_engine_hold(0);
	guest_gate_close(&self->gate);
	close(self->fd);
}

/*
 * A job may touch any BO of its context without listing it, so a freed
 * BO's pages must stay until no job that may have translated its
 * addresses is left on the device. J1 goes to the file's own entity of a
 * hardware queue first, held back by a gate; J2 goes later to a queue
 * (QUEUE_CREATE) bound to the same hardware queue and ends. Then J1
 * reaches the ring (the engines held, so it sits there, not started) and
 * a BO of the context is freed: its pages must outlive J1. Tracking the
 * context's newest job in arm order (J2, already signalled) freed them at
 * once: the module's live BO count dropped at GEM_CLOSE with J1 still in
 * the ring.
 */
TEST_F(lifetime, freed_bo_pages_outlive_a_job_armed_earlier_on_another_entity)
{
	const int fd = self->fd;
	struct raw_bo cmd1, cmd2, out, victim;
	uint32_t queue, hwq, in, done1, done2;
	long long live;

	ASSERT_EQ(0, lt_queue_create(fd, DRM_QUASAR_PRIORITY_NORMAL, &queue, &hwq));
	ASSERT_EQ(0, raw_bo_new(fd, 4096, &cmd1));
	ASSERT_EQ(0, raw_bo_new(fd, 4096, &cmd2));
	ASSERT_EQ(0, raw_bo_new(fd, 4096, &out));
	ASSERT_EQ(0, raw_bo_new(fd, 4096, &victim));
	ASSERT_EQ(0, lt_syncobj(fd, &in));
	ASSERT_EQ(0, lt_syncobj(fd, &done1));
	ASSERT_EQ(0, lt_syncobj(fd, &done2));
	ASSERT_EQ(0, guest_gate_open(&self->gate))
		TH_LOG("vgem gate unavailable (needs %s in the guest)", GUEST_VGEM_KO);
	ASSERT_EQ(0, guest_gate_arm(&self->gate, fd, in));

	/* J1: armed first, on the file's entity of hardware queue @hwq. */
	ASSERT_EQ(0, lt_submit_write(fd, &cmd1, hwq, 0, out.addr, 0x11, in, done1));
	/* J2: armed second, on the queue's entity of the same hardware queue. */
	ASSERT_EQ(0, lt_submit_write(fd, &cmd2, queue, DRM_QUASAR_SUBMIT_QUEUE_ID,
				     out.addr + 8, 0x22, 0, done2));
	ASSERT_EQ(0, lt_wait(fd, done2, 60 * SEC)) TH_LOG("J2 did not end");
	ASSERT_EQ(-ETIME, lt_wait(fd, done1, 0)) TH_LOG("J1 ran before its gate opened");

	/* J1 to the ring, where the held engines keep it. */
	ASSERT_EQ(0, lt_engine_hold(1));
	ASSERT_EQ(0, guest_gate_release(&self->gate));
	ASSERT_EQ(0, lt_wait_queued(hwq, 1))
		TH_LOG("J1 never reached hardware queue %u's ring", hwq);

	live = lt_live_bos();
	ASSERT_LE(4, live);
	raw_bo_del(fd, &victim);
	EXPECT_EQ(live, lt_live_bos())
		TH_LOG("the freed BO's pages went while J1 was in the ring");

	ASSERT_EQ(0, lt_engine_hold(0));
	ASSERT_EQ(0, lt_wait(fd, done1, 60 * SEC)) TH_LOG("J1 did not end");
	EXPECT_EQ(0x11u, ((uint64_t *)out.map)[0]);
	EXPECT_EQ(0x22u, ((uint64_t *)out.map)[1]);
	EXPECT_EQ(0, lt_wait_live_bos(live - 1))
		TH_LOG("the freed BO was never released after J1 ended (live %lld)",
		       lt_live_bos());
	raw_bo_del(fd, &out);
	raw_bo_del(fd, &cmd2);
	raw_bo_del(fd, &cmd1);
}

/* One NOP job of @cmd on hardware queue 0, signalling @out (0: none); 0 or -errno, no retry. */
static int lt_submit_nop(int fd, const struct raw_bo *cmd, uint32_t out)
{
	struct drm_quasar_sync out_sync = { .handle = out };
	struct drm_quasar_submit s = {
		.cmd_handle = cmd->handle, .cmd_size = 8, .queue = 0,
		.out_syncs = (uintptr_t)&out_sync, .out_sync_count = !!out,
	};

	return ioctl(fd, DRM_IOCTL_QUASAR_SUBMIT, &s) ? -errno : 0;
}

/* "key: N kB" of /proc/meminfo, in KiB; -1 if absent. */
static long long lt_meminfo_kb(const char *key)
{
	char *text = obs_read("/proc/meminfo");
	long long v = text ? obs_field(text, key) : -1;

	free(text);
	return v;
}

/* The one open file's jobs not yet freed (debugfs contexts, "queued_jobs="). */
static long long lt_queued_jobs(void)
{
	char *text = obs_debugfs("contexts");
	long long v = text ? obs_field(text, "queued_jobs") : -1;

	free(text);
	return v;
}

/* Jobs the driver has alive, device-wide (debugfs recovery, "jobs:"). */
static long long lt_live_jobs(void)
{
	char *text = obs_debugfs("recovery");
	long long v = text ? obs_field(text, "jobs") : -1;

	free(text);
	return v;
}

#define LT_NOPS		1000000

/*
 * The NOPs of the test below: QUASAR_LIFETIME_NOPS, a million by default.
 * The debug-kernel lane asks for fewer (its kernel is many times slower);
 * it still has to be well past the bound for the bound to be the thing
 * that holds.
 */
static long lt_nops(void)
{
	const char *v = getenv("QUASAR_LIFETIME_NOPS");
	long n = v && *v ? strtol(v, NULL, 0) : LT_NOPS;

	return n > 4 * DRM_QUASAR_MAX_QUEUED_JOBS ? n : 4 * DRM_QUASAR_MAX_QUEUED_JOBS;
}

/*
 * A client that submits and never waits. With the engines held nothing
 * ends, so exactly DRM_QUASAR_MAX_QUEUED_JOBS submits succeed and the next
 * is refused with EAGAIN. Then a million NOPs (lt_nops()) go in as fast as
 * the kernel takes them (backing off only on EAGAIN): the file never has
 * more than the bound queued, every job ends, and the guest's memory comes
 * back. Without the bound the held submits all succeeded (the kernel kept
 * taking jobs it could not run).
 */
TEST_F_TIMEOUT(lifetime, a_million_nops_without_waiting_stay_bounded, 1200)
{
	const int fd = self->fd;
	const struct drm_quasar_cmd_header nop = {
		.opcode = DRM_QUASAR_OP_NOP, .length = 8,
	};
	const long nops = lt_nops();
	long long mem0, mem1, live, most = 0;
	unsigned long long eagain = 0;
	struct raw_bo cmd;
	uint32_t done;
	int ret = 0, i;

	ASSERT_EQ(0, raw_bo_new(fd, 4096, &cmd));
	memcpy(cmd.map, &nop, sizeof(nop));
	ASSERT_EQ(0, lt_syncobj(fd, &done));
	mem0 = lt_meminfo_kb("MemAvailable");
	ASSERT_LT(0, mem0);

	ASSERT_EQ(0, lt_engine_hold(1));
	for (i = 0; i < DRM_QUASAR_MAX_QUEUED_JOBS; i++) {
		ret = lt_submit_nop(fd, &cmd, 0);
		if (ret)
			break;
	}
	EXPECT_EQ(0, ret) TH_LOG("submit %d of %d refused while under the bound", i,
				 DRM_QUASAR_MAX_QUEUED_JOBS);
	/* Without the bound the million below would fill the guest's memory. */
	ASSERT_EQ(-EAGAIN, lt_submit_nop(fd, &cmd, 0))
		TH_LOG("a submit past %d queued jobs was not refused",
		       DRM_QUASAR_MAX_QUEUED_JOBS);
	EXPECT_EQ(DRM_QUASAR_MAX_QUEUED_JOBS, lt_queued_jobs());
	EXPECT_EQ(DRM_QUASAR_MAX_QUEUED_JOBS, lt_live_jobs());
	ASSERT_EQ(0, lt_engine_hold(0));

	for (i = 0; i < nops; ) {
		ret = lt_submit_nop(fd, &cmd, i == nops - 1 ? done : 0);
		if (!ret) {
			i++;
			continue;
		}
		ASSERT_EQ(-EAGAIN, ret) TH_LOG("NOP %d: %s", i, strerror(-ret));
		if (eagain++ % 256 == 0) {
			live = lt_queued_jobs();
			if (live > most)
				most = live;
		}
		sched_yield();
	}
	ASSERT_EQ(0, lt_wait(fd, done, 600 * SEC)) TH_LOG("the last NOP never ended");
	ksft_print_msg("%ld NOPs: %llu EAGAIN, at most %lld queued when refused\n",
		       nops, eagain, most);
	EXPECT_GE(DRM_QUASAR_MAX_QUEUED_JOBS, most);

	/* free_job runs after the fence: the count drains to zero. */
	for (i = 0; i < 30000 && lt_live_jobs() > 0; i++)
		usleep(1000);
	EXPECT_EQ(0, lt_live_jobs());
	mem1 = lt_meminfo_kb("MemAvailable");
	ksft_print_msg("MemAvailable %lld kB before, %lld kB after\n", mem0, mem1);
	/* Jobs are gone; what is left is page cache and slab noise. */
	EXPECT_LT(mem0 - mem1, 32 * 1024);
	raw_bo_del(fd, &cmd);
}

#define LT_FILES	500

/* Field @key of debugfs recovery ("key: N"); -1 if absent. */
static long long lt_recovery(const char *key)
{
	char *text = obs_debugfs("recovery");
	long long v = text ? obs_field(text, key) : -1;

	free(text);
	return v;
}

/*
 * Far more open files than the device has context slots (64), each with a
 * job. A context takes a slot only while it has work, so every open()
 * succeeds; with the engines held, exactly as many jobs reach the rings
 * as there are slots (the rest wait in the driver for a slot), and once
 * released all of them run, each in its own address space. Before, every
 * open() took a slot for the file's life and the 64th open() (the
 * fixture holds one) failed with EBUSY.
 */
TEST_F_TIMEOUT(lifetime, five_hundred_open_files_each_run_a_job, 600)
{
	struct drm_quasar_dev_query q = { .type = DRM_QUASAR_QUERY_DEVICE_INFO };
	struct drm_quasar_device_info info = { 0 };
	static struct raw_bo cmd[LT_FILES], out[LT_FILES];
	static int fds[LT_FILES];
	struct rlimit nofile;
	long long queued = 0;
	int i, n = 0;

	q.size = sizeof(info);
	q.pointer = (uintptr_t)&info;
	ASSERT_EQ(0, raw_ioctl(self->fd, DRM_IOCTL_QUASAR_DEV_QUERY, &q));
	ASSERT_LT(info.num_contexts + 1, LT_FILES);
	ASSERT_EQ(0, getrlimit(RLIMIT_NOFILE, &nofile));
	if (nofile.rlim_cur < 2 * LT_FILES) {
		nofile.rlim_cur = nofile.rlim_max < 2 * LT_FILES ? nofile.rlim_max : 2 * LT_FILES;
		ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &nofile));
	}

	for (n = 0; n < LT_FILES; n++) {
		fds[n] = raw_open();
		if (fds[n] < 0)
			break;
	}
	ASSERT_EQ(LT_FILES, n) TH_LOG("open() %d of %d failed: %s", n + 1, LT_FILES,
				      strerror(errno));
	for (i = 0; i < LT_FILES; i++) {
		ASSERT_EQ(0, raw_bo_new(fds[i], 4096, &cmd[i]));
		ASSERT_EQ(0, raw_bo_new(fds[i], 4096, &out[i]));
	}

	ASSERT_EQ(0, lt_engine_hold(1));
	for (i = 0; i < LT_FILES; i++)
		ASSERT_EQ(0, lt_submit_write(fds[i], &cmd[i], i % 2, 0, out[i].addr,
					     0x1000 + i, 0, 0));
	/* Only contexts with a slot reach a ring: one job each, held there. */
	for (int tries = 0; tries < 60000; tries++) {
		queued = lt_hwq_field("engine_grants", 0, "queued") +
			 lt_hwq_field("engine_grants", 1, "queued");
		if (queued >= info.num_contexts)
			break;
		usleep(1000);
	}
	EXPECT_EQ(info.num_contexts, queued);
	EXPECT_EQ(info.num_contexts, lt_recovery("bound_slots"));
	EXPECT_EQ(LT_FILES + 1, lt_recovery("contexts"));
	ASSERT_EQ(0, lt_engine_hold(0));

	for (i = 0; i < LT_FILES; i++) {
		struct drm_quasar_bo_wait w;

		ASSERT_EQ(0, raw_bo_wait(fds[i], &cmd[i], 60 * SEC, &w)) TH_LOG("file %d", i);
		EXPECT_EQ(DRM_QUASAR_STATUS_OK, w.job_status) TH_LOG("file %d", i);
		EXPECT_EQ(0x1000u + i, ((uint64_t *)out[i].map)[0]) TH_LOG("file %d", i);
	}
	EXPECT_GE(info.num_contexts, lt_recovery("bound_slots"));
	for (i = 0; i < LT_FILES; i++) {
		raw_bo_del(fds[i], &out[i]);
		raw_bo_del(fds[i], &cmd[i]);
		close(fds[i]);
	}
}

TEST_HARNESS_MAIN
