// SPDX-License-Identifier: MIT
/*
 * Queues with priorities (QUEUE_CREATE / QUEUE_DESTROY, hw-spec 12.1) and
 * job statistics (JOB_STATS, fdinfo): argument checks, ordering on one
 * queue, four processes on four queues at once, and the order in which the
 * device's engine scheduler starts HIGH, NORMAL and LOW work, read from
 * the device after the engines were held until every job was in its ring.
 */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/capability.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "drm.h"
#include "kselftest_harness.h"
#include "raw_util.h"

#define SEC		1000000000ull
#define BIG		(8ull << 20)	/* copied half to half ... */
#define COPIES		24		/* ... this often: ~0.1 s of device time */
#define JOBS		10

static int q_create(int fd, uint32_t priority, uint32_t *id, uint32_t *hwq)
{
	struct drm_quasar_queue_create c = { .priority = priority };
	int ret = raw_ioctl(fd, DRM_IOCTL_QUASAR_QUEUE_CREATE, &c);

	if (!ret) {
		*id = c.queue_id;
		if (hwq)
			*hwq = c.hw_queue;
	}
	return ret;
}

static int q_destroy(int fd, uint32_t id)
{
	struct drm_quasar_queue_destroy d = { .queue_id = id };

	return raw_ioctl(fd, DRM_IOCTL_QUASAR_QUEUE_DESTROY, &d);
}

static int q_syncobj(int fd, uint32_t *handle)
{
	struct drm_syncobj_create c = { 0 };
	int ret = raw_ioctl(fd, DRM_IOCTL_SYNCOBJ_CREATE, &c);

	*handle = c.handle;
	return ret;
}

static uint64_t q_point(int fd, uint32_t syncobj)
{
	uint64_t point = 0;
	struct drm_syncobj_timeline_array a = {
		.handles = (uintptr_t)&syncobj, .points = (uintptr_t)&point,
		.count_handles = 1,
	};

	if (raw_ioctl(fd, DRM_IOCTL_SYNCOBJ_QUERY, &a))
		return UINT64_MAX;
	return point;
}

static int q_wait(int fd, uint32_t syncobj, uint64_t point)
{
	struct drm_syncobj_timeline_wait w = {
		.handles = (uintptr_t)&syncobj, .points = (uintptr_t)&point,
		.timeout_nsec = raw_deadline(60 * SEC), .count_handles = 1,
		.flags = DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT,
	};

	return raw_ioctl(fd, DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT, &w);
}

/* One job: @size bytes of stream at @off of @cmd, on queue id @queue. */
struct q_job {
	uint32_t queue;
	const struct raw_bo *cmd;
	uint32_t off, size;
	const struct raw_bo *data;
	uint32_t in_sync;	/* binary syncobj; 0 for none */
	uint32_t out_sync;	/* timeline; 0 for none */
	uint64_t out_point;
	uint32_t flags;
};

static int q_submit(int fd, const struct q_job *j)
{
	struct drm_quasar_sync in = { .handle = j->in_sync };
	struct drm_quasar_sync out = { .handle = j->out_sync, .point = j->out_point };
	uint32_t bo = j->data ? j->data->handle : 0;
	struct drm_quasar_submit s = {
		.cmd_handle = j->cmd->handle, .cmd_offset = j->off,
		.cmd_size = j->size, .queue = j->queue,
		.bo_handles = (uintptr_t)&bo, .bo_count = j->data ? 1 : 0,
		.flags = j->flags,
		.in_syncs = (uintptr_t)&in, .in_sync_count = j->in_sync ? 1 : 0,
		.out_syncs = (uintptr_t)&out, .out_sync_count = j->out_sync ? 1 : 0,
	};

	return raw_ioctl(fd, DRM_IOCTL_QUASAR_SUBMIT, &s);
}

static size_t q_put_fill(void *p, uint64_t dst, uint32_t size, uint32_t value)
{
	struct drm_quasar_cmd_fill c = {
		.hdr = { .opcode = DRM_QUASAR_OP_FILL, .length = sizeof(c) },
		.dst = dst, .size = size, .value = value,
	};

	memcpy(p, &c, sizeof(c));
	return sizeof(c);
}

static size_t q_put_copy(void *p, uint64_t dst, uint64_t src, uint64_t size)
{
	struct drm_quasar_cmd_copy c = {
		.hdr = { .opcode = DRM_QUASAR_OP_COPY, .length = sizeof(c) },
		.dst = dst, .src = src, .size = size,
	};

	memcpy(p, &c, sizeof(c));
	return sizeof(c);
}

static int q_info(int fd, struct drm_quasar_device_info *info)
{
	struct drm_quasar_dev_query q = {
		.type = DRM_QUASAR_QUERY_DEVICE_INFO, .size = sizeof(*info),
		.pointer = (uintptr_t)info,
	};

	memset(info, 0, sizeof(*info));
	return raw_ioctl(fd, DRM_IOCTL_QUASAR_DEV_QUERY, &q);
}

FIXTURE(queue) {
	int fd;
	struct raw_bo cmd;
	struct raw_bo data;
};

FIXTURE_SETUP(queue)
{
	self->fd = raw_open();
	ASSERT_LE(0, self->fd) TH_LOG("no quasar device: %s", strerror(errno));
	ASSERT_EQ(0, raw_bo_new(self->fd, 1 << 20, &self->cmd));
	ASSERT_EQ(0, raw_bo_new(self->fd, 1 << 20, &self->data));
}

FIXTURE_TEARDOWN(queue)
{
	raw_bo_del(self->fd, &self->data);
	raw_bo_del(self->fd, &self->cmd);
	close(self->fd);
}

TEST_F(queue, device_reports_engines_and_three_priorities)
{
	struct drm_quasar_device_info info;

	ASSERT_EQ(0, q_info(self->fd, &info));
	EXPECT_LE(1u, info.num_engines);
	EXPECT_GE(info.num_queues, info.num_engines);
	EXPECT_EQ(0x7u, info.queue_priorities);
}

TEST_F(queue, create_every_priority_and_destroy)
{
	uint32_t id[3], hwq[3];

	for (uint32_t p = 0; p < 3; p++) {
		ASSERT_EQ(0, q_create(self->fd, p, &id[p], &hwq[p]));
		EXPECT_NE(0u, id[p]);
		EXPECT_GT(4u, hwq[p]);
	}
	/* One hardware queue has one priority. */
	EXPECT_NE(hwq[0], hwq[1]);
	EXPECT_NE(hwq[0], hwq[2]);
	EXPECT_NE(hwq[1], hwq[2]);
	for (uint32_t p = 0; p < 3; p++)
		EXPECT_EQ(0, q_destroy(self->fd, id[p]));
	EXPECT_EQ(-ENOENT, q_destroy(self->fd, id[0]));
}

TEST_F(queue, bad_arguments_are_rejected)
{
	struct drm_quasar_queue_create c = { .priority = 3 };
	struct drm_quasar_queue_destroy d = { .queue_id = 1, .pad = 1 };
	uint32_t id;

	EXPECT_EQ(-EINVAL, raw_ioctl(self->fd, DRM_IOCTL_QUASAR_QUEUE_CREATE, &c));
	c.priority = DRM_QUASAR_PRIORITY_LOW;
	c.flags = 1;
	EXPECT_EQ(-EINVAL, raw_ioctl(self->fd, DRM_IOCTL_QUASAR_QUEUE_CREATE, &c));
	ASSERT_EQ(0, q_create(self->fd, DRM_QUASAR_PRIORITY_NORMAL, &id, NULL));
	d.queue_id = id;
	EXPECT_EQ(-EINVAL, raw_ioctl(self->fd, DRM_IOCTL_QUASAR_QUEUE_DESTROY, &d));
	EXPECT_EQ(-ENOENT, q_destroy(self->fd, 0));
	EXPECT_EQ(-ENOENT, q_destroy(self->fd, id + 1000));
	EXPECT_EQ(0, q_destroy(self->fd, id));
}

TEST_F(queue, a_file_has_at_most_64_queues)
{
	uint32_t id[64], extra;

	for (int i = 0; i < 64; i++)
		ASSERT_EQ(0, q_create(self->fd, i % 3, &id[i], NULL));
	EXPECT_EQ(-ENOSPC, q_create(self->fd, 0, &extra, NULL));
	EXPECT_EQ(0, q_destroy(self->fd, id[5]));
	EXPECT_EQ(0, q_create(self->fd, 0, &extra, NULL));
	/* Closing the file (teardown) destroys the rest. */
}

TEST_F(queue, submit_to_unknown_or_destroyed_queue_is_enoent)
{
	struct q_job j = {
		.cmd = &self->cmd, .size = raw_put_write_value(self->cmd.map,
							       self->data.addr, 1),
		.data = &self->data, .flags = DRM_QUASAR_SUBMIT_QUEUE_ID,
	};
	uint32_t id;

	j.queue = 77;
	EXPECT_EQ(-ENOENT, q_submit(self->fd, &j));
	ASSERT_EQ(0, q_create(self->fd, DRM_QUASAR_PRIORITY_HIGH, &id, NULL));
	j.queue = id;
	EXPECT_EQ(0, q_submit(self->fd, &j));
	EXPECT_EQ(0, q_destroy(self->fd, id));
	EXPECT_EQ(-ENOENT, q_submit(self->fd, &j));
	j.flags = 2;
	EXPECT_EQ(-EINVAL, q_submit(self->fd, &j));
}

/* Drops CAP_SYS_NICE from this process's effective set; 0 or -errno. */
static int q_drop_cap_sys_nice(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];

	if (syscall(SYS_capget, &h, d))
		return -errno;
	d[CAP_TO_INDEX(CAP_SYS_NICE)].effective &= ~CAP_TO_MASK(CAP_SYS_NICE);
	return syscall(SYS_capset, &h, d) ? -errno : 0;
}

/*
 * HIGH work is never preempted, so it takes CAP_SYS_NICE (an accel node
 * has no DRM master): QUEUE_CREATE(HIGH) and a raw SUBMIT to the HIGH
 * hardware queue are EACCES without it, every other priority is not. The
 * harness runs each test in a process of its own, so the drop stays here.
 */
TEST_F(queue, high_priority_takes_cap_sys_nice)
{
	struct q_job j = {
		.cmd = &self->cmd, .size = raw_put_write_value(self->cmd.map,
							       self->data.addr, 1),
		.data = &self->data,
	};
	uint32_t id, high_hwq, normal_hwq, low_hwq;
	struct drm_quasar_bo_wait w;

	/* Which hardware queues carry HIGH and NORMAL, asked while allowed. */
	ASSERT_EQ(0, q_create(self->fd, DRM_QUASAR_PRIORITY_HIGH, &id, &high_hwq));
	ASSERT_EQ(0, q_destroy(self->fd, id));
	ASSERT_EQ(0, q_create(self->fd, DRM_QUASAR_PRIORITY_NORMAL, &id, &normal_hwq));
	ASSERT_EQ(0, q_destroy(self->fd, id));

	ASSERT_EQ(0, q_drop_cap_sys_nice());
	EXPECT_EQ(-EACCES, q_create(self->fd, DRM_QUASAR_PRIORITY_HIGH, &id, NULL));
	j.queue = high_hwq;
	EXPECT_EQ(-EACCES, q_submit(self->fd, &j));

	ASSERT_EQ(0, q_create(self->fd, DRM_QUASAR_PRIORITY_LOW, &id, &low_hwq));
	j.queue = id;
	j.flags = DRM_QUASAR_SUBMIT_QUEUE_ID;
	EXPECT_EQ(0, q_submit(self->fd, &j));
	ASSERT_EQ(0, raw_bo_wait(self->fd, &self->cmd, 30 * SEC, &w));
	EXPECT_EQ(0, q_destroy(self->fd, id));
	j.queue = normal_hwq;
	j.flags = 0;
	EXPECT_EQ(0, q_submit(self->fd, &j));
	ASSERT_EQ(0, raw_bo_wait(self->fd, &self->cmd, 30 * SEC, &w));
	EXPECT_EQ(DRM_QUASAR_STATUS_OK, w.job_status);
}

TEST_F(queue, jobs_on_one_queue_run_in_submission_order)
{
	uint64_t *word = self->data.map;
	uint32_t id, tl;
	size_t off = 0;

	ASSERT_EQ(0, q_create(self->fd, DRM_QUASAR_PRIORITY_LOW, &id, NULL));
	ASSERT_EQ(0, q_syncobj(self->fd, &tl));
	for (uint64_t i = 1; i <= 16; i++) {
		struct q_job j = {
			.queue = id, .cmd = &self->cmd, .off = (uint32_t)off,
			.data = &self->data, .out_sync = tl, .out_point = i,
			.flags = DRM_QUASAR_SUBMIT_QUEUE_ID,
		};
		/* Each job overwrites the word, then appends its number. */
		size_t n = raw_put_write_value((char *)self->cmd.map + off,
					       self->data.addr, i);

		n += raw_put_write_value((char *)self->cmd.map + off + n,
					 self->data.addr + 8 * i, i);
		j.size = (uint32_t)n;
		off += n;
		ASSERT_EQ(0, q_submit(self->fd, &j));
	}
	ASSERT_EQ(0, q_wait(self->fd, tl, 16));
	EXPECT_EQ(16u, word[0]);
	for (uint64_t i = 1; i <= 16; i++)
		EXPECT_EQ(i, word[i]);
}

/*
 * Four processes, each with its own file and its own queue (one per
 * hardware queue: LOW, two NORMAL, HIGH), submitting at once; each
 * checks every byte its jobs wrote.
 */
static int q_child(uint32_t priority, uint32_t salt, uint32_t *hwq_out,
		   int *created)
{
	struct raw_bo cmd, data;
	uint32_t id, tl, *w;
	size_t off = 0;
	int fd = raw_open();

	if (fd < 0 || raw_bo_new(fd, 64 << 10, &cmd) ||
	    raw_bo_new(fd, 1 << 20, &data) || q_syncobj(fd, &tl) ||
	    q_create(fd, priority, &id, hwq_out))
		return 10;
	/*
	 * Queues spread by how many are bound to each hardware queue now:
	 * all four exist before any process may finish and close its own.
	 */
	__atomic_add_fetch(created, 1, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(created, __ATOMIC_SEQ_CST) < 4)
		usleep(1000);
	for (uint32_t i = 0; i < 32; i++) {
		struct q_job j = {
			.queue = id, .cmd = &cmd, .off = (uint32_t)off,
			.data = &data, .out_sync = tl, .out_point = i + 1,
			.flags = DRM_QUASAR_SUBMIT_QUEUE_ID,
		};

		j.size = (uint32_t)q_put_fill((char *)cmd.map + off,
					      data.addr + i * 32768, 32768,
					      salt ^ (i * 0x01010101u));
		off += j.size;
		if (q_submit(fd, &j))
			return 11;
	}
	if (q_wait(fd, tl, 32))
		return 12;
	w = data.map;
	for (uint32_t i = 0; i < 32; i++)
		for (uint32_t k = 0; k < 32768 / 4; k++)
			if (w[i * 8192 + k] != (salt ^ (i * 0x01010101u)))
				return 13;
	close(fd);
	return 0;
}

TEST(four_processes_on_four_queues_verify_their_results)
{
	static const uint32_t prio[4] = {
		DRM_QUASAR_PRIORITY_LOW, DRM_QUASAR_PRIORITY_NORMAL,
		DRM_QUASAR_PRIORITY_NORMAL, DRM_QUASAR_PRIORITY_HIGH,
	};
	uint32_t *hwq = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int *created = (int *)(hwq + 8);
	pid_t pid[4];
	int status, a, b, c;

	ASSERT_NE(MAP_FAILED, hwq);
	for (c = 0; c < 4; c++) {
		hwq[c] = 99;
		pid[c] = fork();
		ASSERT_LE(0, pid[c]);
		if (!pid[c])
			_exit(q_child(prio[c], 0x5a000000u + (uint32_t)c, &hwq[c],
				      created));
	}
	for (c = 0; c < 4; c++) {
		ASSERT_EQ(pid[c], waitpid(pid[c], &status, 0));
		EXPECT_TRUE(WIFEXITED(status));
		EXPECT_EQ(0, WEXITSTATUS(status)) TH_LOG("process %d", c);
	}
	/* Queues of one level spread over that level's hardware queues. */
	ksft_print_msg("hardware queues: %u %u %u %u\n", hwq[0], hwq[1], hwq[2],
		       hwq[3]);
	for (a = 0; a < 4; a++)
		for (b = a + 1; b < 4; b++)
			EXPECT_NE(hwq[a], hwq[b]);
	munmap(hwq, 4096);
}

/* ---- the device's engine scheduler, held and released ---- */

/*
 * The device's debugfs knobs (docs/driver.md): engine_hold holds the
 * engine scheduler, engine_grants shows it as the device does.
 */
static int q_debugfs_path(const char *name, char *path, size_t len)
{
	glob_t g;
	int ret = -ENOENT;

	if (glob("/sys/kernel/debug/accel/*/engine_hold", 0, NULL, &g))
		return ret;
	if (g.gl_pathc == 1) {
		snprintf(path, len, "%.*s%s",
			 (int)(strrchr(g.gl_pathv[0], '/') + 1 - g.gl_pathv[0]),
			 g.gl_pathv[0], name);
		ret = 0;
	}
	globfree(&g);
	return ret;
}

static int q_hold(int held)
{
	char path[256];
	int fd, ok;

	if (q_debugfs_path("engine_hold", path, sizeof(path)))
		return -ENOENT;
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	ok = write(fd, held ? "1" : "0", 1) == 1;
	close(fd);
	return ok ? 0 : -EIO;
}

/* The text of engine_grants, NUL-terminated in @buf; 0 or -errno. */
static int q_grants_text(char *buf, size_t len)
{
	char path[256];
	ssize_t n;
	int fd;

	if (q_debugfs_path("engine_grants", path, sizeof(path)))
		return -ENOENT;
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -EIO;
	buf[n] = 0;
	return 0;
}

/* "key=N" or "key: N" on the line of @text that starts with @line. */
static long long q_field(const char *text, const char *line, const char *key)
{
	const char *l = strstr(text, line), *end, *k;
	size_t klen = strlen(key);

	if (!l)
		return -1;
	end = strchr(l, '\n');
	for (k = strstr(l, key); k && (!end || k < end); k = strstr(k + 1, key))
		if ((k == l || k[-1] == ' ') && (k[klen] == '=' || k[klen] == ':'))
			return strtoll(k + klen + 1, NULL, 10);
	return -1;
}

static long long q_hwq_field(const char *text, uint32_t hwq, const char *key)
{
	char line[32];

	snprintf(line, sizeof(line), "hw_queue %u:", hwq);
	return q_field(text, line, key);
}

/*
 * Waits until the device's ring of each hardware queue hwq[i] holds
 * want[i] jobs (engine_grants' queued=, Q.TAIL - Q.HEAD) and, with
 * @waiting, its thread has asked for an engine. Polls a state that only
 * moves towards the goal while the engines are held; the deadline only
 * bounds a broken device. Leaves the last snapshot in @text.
 */
static int q_wait_queued(const uint32_t *hwq, const uint32_t *want, int n,
			 int waiting, char *text, size_t len)
{
	for (int tries = 0; tries < 60000; tries++) {
		int done = !q_grants_text(text, len);

		for (int i = 0; done && i < n; i++)
			done = q_hwq_field(text, hwq[i], "queued") == want[i] &&
			       (!waiting || q_hwq_field(text, hwq[i], "waiting") == 1);
		if (done)
			return 0;
		usleep(1000);
	}
	return -ETIMEDOUT;
}

FIXTURE(hold) {
	int fd;
	struct drm_quasar_device_info info;
};

FIXTURE_SETUP(hold)
{
	self->fd = raw_open();
	ASSERT_LE(0, self->fd) TH_LOG("no quasar device: %s", strerror(errno));
	ASSERT_EQ(0, q_info(self->fd, &self->info));
	ASSERT_EQ(0, q_hold(0)) TH_LOG("no debugfs engine_hold under /sys/kernel/debug/accel/*/");
}

/* Runs after a failed ASSERT too: a held device would stall every test after. */
FIXTURE_TEARDOWN(hold)
{
	q_hold(0);
	close(self->fd);
}

/*
 * While the engines are held, jobs reach the ring and wait there: none
 * starts, none ends, the grant count stands still. The release runs them.
 */
TEST_F(hold, jobs_stay_in_the_ring_until_the_engines_are_released)
{
	struct raw_bo cmd, data;
	uint32_t id, hwq, tl, want = 4;
	long long g0;
	char text[1024];
	size_t off = 0;

	ASSERT_EQ(0, raw_bo_new(self->fd, 64 << 10, &cmd));
	ASSERT_EQ(0, raw_bo_new(self->fd, 4096, &data));
	ASSERT_EQ(0, q_syncobj(self->fd, &tl));
	ASSERT_EQ(0, q_create(self->fd, DRM_QUASAR_PRIORITY_NORMAL, &id, &hwq));
	ASSERT_EQ(0, q_hold(1));
	for (uint32_t i = 0; i < want; i++) {
		struct q_job j = {
			.queue = id, .cmd = &cmd, .off = (uint32_t)off,
			.data = &data, .out_sync = tl, .out_point = i + 1,
			.flags = DRM_QUASAR_SUBMIT_QUEUE_ID,
		};

		j.size = (uint32_t)raw_put_write_value((char *)cmd.map + off,
						       data.addr + 8 * i, i + 1);
		off += j.size;
		ASSERT_EQ(0, q_submit(self->fd, &j));
	}
	ASSERT_EQ(0, q_wait_queued(&hwq, &want, 1, 1, text, sizeof(text)))
		TH_LOG("hardware queue %u never showed %u jobs waiting:\n%s", hwq, want, text);
	g0 = q_field(text, "grants", "grants");
	EXPECT_EQ(1, q_field(text, "held", "held")) TH_LOG("%s", text);
	/* Its thread asked and was refused: nothing ran, nothing can end. */
	EXPECT_EQ(0u, q_point(self->fd, tl));
	ASSERT_EQ(0, q_grants_text(text, sizeof(text)));
	EXPECT_EQ(g0, q_field(text, "grants", "grants")) TH_LOG("%s", text);

	ASSERT_EQ(0, q_hold(0));
	ASSERT_EQ(0, q_wait(self->fd, tl, want));
	ASSERT_EQ(0, q_grants_text(text, sizeof(text)));
	EXPECT_EQ(g0 + want, q_field(text, "grants", "grants")) TH_LOG("%s", text);
	EXPECT_EQ(g0 + want, q_hwq_field(text, hwq, "start_seq")) TH_LOG("%s", text);
	for (uint32_t i = 0; i < want; i++)
		EXPECT_EQ((uint64_t)i + 1, ((uint64_t *)data.map)[i]);
	raw_bo_del(self->fd, &data);
	raw_bo_del(self->fd, &cmd);
}

/*
 * The engines held, two NORMAL queues and a LOW queue each get JOBS long
 * jobs (COPIES copies of 4 MiB, then a mark), and a HIGH job is submitted
 * behind all of it. Once the device shows every job in its ring, the hold
 * is released and the device's own record says in which order the engine
 * scheduler (hw-spec 12.1) started them, whatever the host's speed:
 *
 * - the HIGH job got the first engine granted (Q.START_SEQ), ahead of the
 *   3 * JOBS jobs queued before it;
 * - no LOW job started while a NORMAL queue waited for an engine. Each
 *   LOW job first copies the NORMAL jobs' marks into a snapshot of its
 *   own, so the snapshot shows which NORMAL jobs had ended when it
 *   started: a NORMAL queue keeps the engine it frees while it has jobs,
 *   so with E engines and two NORMAL queues, at least 2 - E + 1 of them
 *   had ended all their work (both with one engine, one with two).
 *
 * Checked against a scheduler that serves in turn regardless of priority
 * (fw_sched_pick() changed to ignore it): the LOW jobs started before any
 * NORMAL job had ended, and the HIGH job got the second grant, not the
 * first.
 */
TEST_F_TIMEOUT(hold, high_priority_job_overtakes_queued_low_work, 300)
{
	static const uint32_t prio[4] = {
		DRM_QUASAR_PRIORITY_NORMAL, DRM_QUASAR_PRIORITY_NORMAL,
		DRM_QUASAR_PRIORITY_LOW, DRM_QUASAR_PRIORITY_HIGH,
	};
	const uint32_t want[4] = { JOBS, JOBS, JOBS, 1 };
	const uint32_t engines = self->info.num_engines;
	const int fd = self->fd;
	struct raw_bo cmd[4], data[3], marks, snaps;
	uint32_t id[4], hwq[4], tl[4];
	uint64_t *mark, *snap;
	long long g0, grants;
	int need = engines <= 2 ? 3 - (int)engines : 0;
	char text[1024];

	ASSERT_LE(1u, engines);
	ASSERT_GE(3u, engines) TH_LOG("needs engines < 4 to contend");
	ASSERT_EQ(0, raw_bo_new(fd, 4096, &marks));
	ASSERT_EQ(0, raw_bo_new(fd, 8 * 2 * JOBS * JOBS, &snaps));
	/*
	 * A command BO per queue: jobs sharing a BO are ordered by its
	 * implicit fences, whichever queue they run on. The marks and
	 * snapshots are not listed as the jobs' BOs, for the same reason.
	 */
	for (int q = 0; q < 4; q++) {
		ASSERT_EQ(0, raw_bo_new(fd, 64 << 10, &cmd[q]));
		ASSERT_EQ(0, q_syncobj(fd, &tl[q]));
		ASSERT_EQ(0, q_create(fd, prio[q], &id[q], &hwq[q]));
	}
	ASSERT_NE(hwq[0], hwq[1]) TH_LOG("the two NORMAL queues share a hardware queue");

	ASSERT_EQ(0, q_hold(1));
	for (int q = 0; q < 3; q++) {
		size_t off = 0;

		ASSERT_EQ(0, raw_bo_new(fd, BIG, &data[q]));
		for (uint32_t i = 0; i < JOBS; i++) {
			struct q_job j = {
				.queue = id[q], .cmd = &cmd[q], .off = (uint32_t)off,
				.data = &data[q], .out_sync = tl[q], .out_point = i + 1,
				.flags = DRM_QUASAR_SUBMIT_QUEUE_ID,
			};
			char *p = (char *)cmd[q].map + off;
			size_t n = 0;

			if (prio[q] == DRM_QUASAR_PRIORITY_LOW)
				n = q_put_copy(p, snaps.addr + 8 * 2 * JOBS * i,
					       marks.addr, 8 * 2 * JOBS);
			n += raw_put_copy_stream(p + n, &data[q], COPIES,
						 marks.addr + 8 * (q * JOBS + i),
						 0x100 * q + i + 1);
			j.size = (uint32_t)n;
			off += n;
			ASSERT_EQ(0, q_submit(fd, &j));
		}
	}
	/* The HIGH job comes last, behind everything already queued. */
	{
		struct q_job j = {
			.queue = id[3], .cmd = &cmd[3],
			.out_sync = tl[3], .out_point = 1,
			.flags = DRM_QUASAR_SUBMIT_QUEUE_ID,
		};

		j.size = (uint32_t)raw_put_write_value(cmd[3].map,
						       marks.addr + 8 * 3 * JOBS, 0x4849);
		ASSERT_EQ(0, q_submit(fd, &j));
	}
	ASSERT_EQ(0, q_wait_queued(hwq, want, 4, 0, text, sizeof(text)))
		TH_LOG("the rings never held every job:\n%s", text);
	g0 = q_field(text, "grants", "grants");
	ASSERT_LE(0, g0) TH_LOG("%s", text);
	ASSERT_EQ(0, q_hold(0));

	for (int q = 0; q < 4; q++)
		ASSERT_EQ(0, q_wait(fd, tl[q], want[q]));
	ASSERT_EQ(0, q_grants_text(text, sizeof(text)));
	grants = q_field(text, "grants", "grants");
	TH_LOG("%u engines; grants %lld..%lld:\n%s", engines, g0 + 1, grants, text);
	/* One grant per job, the HIGH job's first. */
	EXPECT_EQ(g0 + 3 * JOBS + 1, grants);
	EXPECT_EQ(g0 + 1, q_hwq_field(text, hwq[3], "start_seq"))
		TH_LOG("the HIGH job was not the first to get an engine");

	/* When each LOW job started, enough NORMAL queues had run dry. */
	snap = snaps.map;
	for (int i = 0; i < JOBS; i++) {
		int dry = 0;

		for (int q = 0; q < 2; q++) {
			int ended = 0;

			for (int k = 0; k < JOBS; k++)
				ended += snap[2 * JOBS * i + q * JOBS + k] ==
					 (uint64_t)(0x100 * q + k + 1);
			dry += ended == JOBS;
			if (i == 0)
				TH_LOG("NORMAL queue %d had ended %d of %d jobs when the first LOW job started",
				       q, ended, JOBS);
		}
		EXPECT_LE(need, dry) TH_LOG("LOW job %d started while a NORMAL queue waited", i);
	}

	/* Every job ran to its end. */
	mark = marks.map;
	EXPECT_EQ(0x4849u, mark[3 * JOBS]);
	for (int q = 0; q < 3; q++)
		for (int i = 0; i < JOBS; i++)
			EXPECT_EQ((uint64_t)(0x100 * q + i + 1), mark[q * JOBS + i]);
}

/* ---- job statistics ---- */

static int q_stats(int fd, uint32_t handle, struct drm_quasar_job_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->handle = handle;
	return raw_ioctl(fd, DRM_IOCTL_QUASAR_JOB_STATS, st);
}

TEST_F(queue, job_stats_of_a_control_job)
{
	struct drm_quasar_job_stats st;
	struct drm_quasar_bo_wait w;
	uint32_t id, hwq;
	struct q_job j = {
		.cmd = &self->cmd, .data = &self->data,
		.flags = DRM_QUASAR_SUBMIT_QUEUE_ID,
	};

	EXPECT_EQ(-ENODATA, q_stats(self->fd, self->cmd.handle, &st));
	EXPECT_EQ(-ENOENT, q_stats(self->fd, 0xdead, &st));
	memset(&st, 0, sizeof(st));
	st.flags = 2;	/* unknown: 1 is DRM_QUASAR_JOB_STATS_JOB_ID */
	st.handle = self->cmd.handle;
	EXPECT_EQ(-EINVAL, raw_ioctl(self->fd, DRM_IOCTL_QUASAR_JOB_STATS, &st));
	st.flags = 0;
	st.pad = 1;
	EXPECT_EQ(-EINVAL, raw_ioctl(self->fd, DRM_IOCTL_QUASAR_JOB_STATS, &st));
	st.pad = 0;
	st.pad2 = 1;
	EXPECT_EQ(-EINVAL, raw_ioctl(self->fd, DRM_IOCTL_QUASAR_JOB_STATS, &st));

	ASSERT_EQ(0, q_create(self->fd, DRM_QUASAR_PRIORITY_NORMAL, &id, &hwq));
	j.queue = id;
	j.size = (uint32_t)q_put_fill(self->cmd.map, self->data.addr, 65536, 7);
	ASSERT_EQ(0, q_submit(self->fd, &j));
	ASSERT_EQ(0, raw_bo_wait(self->fd, &self->cmd, 30 * SEC, &w));
	ASSERT_EQ(0, q_stats(self->fd, self->cmd.handle, &st));
	EXPECT_EQ(0u, st.status);
	EXPECT_EQ(1u, st.cmd_index);
	EXPECT_EQ(hwq, st.queue);
	EXPECT_NE(0u, st.seqno);
	EXPECT_LT(0u, st.device_ns);
	/* FILL is a DMA command: the cost model does not charge it. */
	EXPECT_EQ(0u, st.macs_dense);
	EXPECT_EQ(0u, st.cycles);
	EXPECT_EQ(0u, st.rd_act_bytes);
	EXPECT_EQ(1000u, st.clock_mhz);
}

TEST_F(queue, fdinfo_has_cycles_and_cost_totals)
{
	char path[64], buf[4096];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", self->fd);
	f = fopen(path, "r");
	ASSERT_NE(NULL, f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	EXPECT_NE(NULL, strstr(buf, "drm-cycles-q0:\t"));
	EXPECT_NE(NULL, strstr(buf, "drm-cycles-q3:\t"));
	EXPECT_NE(NULL, strstr(buf, "quasar-macs:\t"));
	EXPECT_NE(NULL, strstr(buf, "quasar-read-bytes:\t"));
	EXPECT_NE(NULL, strstr(buf, "quasar-write-bytes:\t"));
	EXPECT_NE(NULL, strstr(buf, "quasar-energy-fj:\t"));
}

TEST_HARNESS_MAIN
