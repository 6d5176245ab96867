// SPDX-License-Identifier: MIT
/*
 * Isolation: two processes (two files, two MMU contexts) cannot reach each
 * other's buffers by device address, and one's fault does not stop the
 * other. The child opens the device itself: an inherited fd would share the
 * parent's context.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest_util.h"
#include "kselftest_harness.h"

#define PAGE 4096ull

/* Child exit codes: 0 is success, the rest say which step went wrong. */
enum iso_child_rc {
	ISO_OK = 0,
	ISO_OPEN = 10,
	ISO_SETUP = 11,
	ISO_OVERLAP = 12,
	ISO_NOT_FAULTED = 13,
	ISO_WRONG_FAULT = 14,
	ISO_NO_COLLISION = 15,
	ISO_DATA = 16,
};

FIXTURE(iso) {
	struct accel_device *dev;
	struct accel_bo *target;	/* the parent's data */
	uint8_t *map;
};

FIXTURE_SETUP(iso)
{
	void *map;
	int err = accel_device_open(NULL, &self->dev);

	ASSERT_EQ(0, err) TH_LOG("no quasar device: %s", accel_strerror(err));
	ASSERT_EQ(0, guest_bo_new(self->dev, 2 * PAGE, &self->target, &map));
	self->map = map;
	memset(self->map, 0xab, 2 * PAGE);
}

FIXTURE_TEARDOWN(iso)
{
	accel_bo_free(self->target);
	accel_device_close(self->dev);
}

static int iso_wait_child(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		return -1;
	if (!WIFEXITED(status))
		return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	return WEXITSTATUS(status);
}

/*
 * In a fresh context, FILLs @addr (which this context has not mapped) and
 * expects the job to fault there. Runs in the child; returns its exit code.
 */
static int iso_child_fill_foreign(uint64_t addr, uint64_t size)
{
	struct accel_device *dev;
	struct accel_cmdbuf *cb;
	struct accel_job_result r;
	struct accel_bo *own;
	int err;

	if (accel_device_open(NULL, &dev))
		return ISO_OPEN;
	if (accel_bo_create(dev, PAGE, &own) || accel_cmdbuf_create(dev, &cb))
		return ISO_SETUP;
	if (addr < accel_bo_addr(own) + accel_bo_size(own) &&
	    accel_bo_addr(own) < addr + size) {
		fprintf(stderr, "# child: own BO 0x%llx covers the target 0x%llx\n",
			(unsigned long long)accel_bo_addr(own),
			(unsigned long long)addr);
		return ISO_OVERLAP;
	}
	if (accel_cmdbuf_fill(cb, addr, size, 0x11111111))
		return ISO_SETUP;
	err = guest_run(cb, 0, &own, 1, &r);
	if (err != -EIO || r.status != DRM_QUASAR_STATUS_MMU_FAULT) {
		fprintf(stderr, "# child: FILL of 0x%llx returned %d, status %s; want -EIO, MMU_FAULT\n",
			(unsigned long long)addr, err, accel_status_name(r.status));
		return ISO_NOT_FAULTED;
	}
	if (r.fault_addr != addr || r.cmd_index != 0) {
		fprintf(stderr, "# child: fault at 0x%llx command %u; want 0x%llx command 0\n",
			(unsigned long long)r.fault_addr, r.cmd_index,
			(unsigned long long)addr);
		return ISO_WRONG_FAULT;
	}
	return ISO_OK;
}

TEST_F(iso, other_process_job_faults_on_this_process_bo_address)
{
	struct accel_bo *spacer, *far;
	uint64_t addr;
	uint8_t *p;
	void *map;
	pid_t pid;

	/* Past the fixture's BO and a spacer: above what the child maps. */
	ASSERT_EQ(0, accel_bo_create(self->dev, 16 * PAGE, &spacer));
	ASSERT_EQ(0, guest_bo_new(self->dev, 2 * PAGE, &far, &map));
	p = map;
	memset(p, 0xab, 2 * PAGE);
	addr = accel_bo_addr(far);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0)
		_exit(iso_child_fill_foreign(addr, 2 * PAGE));
	EXPECT_EQ(ISO_OK, iso_wait_child(pid))
		TH_LOG("child step failed (see its '# child:' line)");
	EXPECT_EQ(0, guest_expect_bytes(p, 2 * PAGE, 0xab,
					"parent's BO after the child's FILL"));
	EXPECT_EQ(0, guest_device_works(self->dev, 0));
	accel_bo_free(far);
	accel_bo_free(spacer);
}

/* In a fresh context, FILLs its own BO that sits at @addr. */
static int iso_child_fill_same_address(uint64_t addr)
{
	struct accel_bo *bos[64];
	struct accel_device *dev;
	struct accel_cmdbuf *cb;
	struct accel_job_result r;
	struct accel_bo *hit = NULL;
	void *map;
	int n;

	if (accel_device_open(NULL, &dev))
		return ISO_OPEN;
	for (n = 0; n < 64 && !hit; n++) {
		if (accel_bo_create(dev, PAGE, &bos[n]))
			return ISO_SETUP;
		if (accel_bo_addr(bos[n]) == addr)
			hit = bos[n];
	}
	if (!hit) {
		fprintf(stderr, "# child: no BO at 0x%llx in 64 tries\n",
			(unsigned long long)addr);
		return ISO_NO_COLLISION;
	}
	if (accel_bo_map(hit, &map) || accel_cmdbuf_create(dev, &cb) ||
	    accel_cmdbuf_fill(cb, addr, PAGE, 0x22222222))
		return ISO_SETUP;
	if (guest_run(cb, 0, &hit, 1, &r)) {
		fprintf(stderr, "# child: FILL of its own BO ended %s\n",
			accel_status_name(r.status));
		return ISO_NOT_FAULTED;
	}
	if (guest_expect_u32(map, PAGE, 0x22222222, "child's own BO"))
		return ISO_DATA;
	return ISO_OK;
}

TEST_F(iso, same_device_address_in_two_processes_is_different_memory)
{
	uint64_t addr = accel_bo_addr(self->target);
	pid_t pid = fork();

	ASSERT_GE(pid, 0);
	if (pid == 0)
		_exit(iso_child_fill_same_address(addr));
	EXPECT_EQ(ISO_OK, iso_wait_child(pid))
		TH_LOG("child step failed (see its '# child:' line)");
	EXPECT_EQ(0, guest_expect_bytes(self->map, 2 * PAGE, 0xab,
					"parent's BO at the same device address"));
}

TEST_F(iso, fault_in_one_process_leaves_the_other_running)
{
	uint64_t unmapped = accel_device_info(self->dev)->va_end - 16 * PAGE;
	pid_t pid;

	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0)
		_exit(iso_child_fill_foreign(unmapped, PAGE));
	EXPECT_EQ(ISO_OK, iso_wait_child(pid));
	EXPECT_EQ(0, guest_device_works(self->dev, 0));
	EXPECT_EQ(0, guest_device_works(self->dev, 1 % accel_device_info(self->dev)->num_queues));
}

TEST_F(iso, inherited_fd_in_a_child_shares_the_parent_context)
{
	struct accel_cmdbuf *cb;
	struct accel_job_result r;
	pid_t pid;

	ASSERT_EQ(0, accel_cmdbuf_create(self->dev, &cb));
	ASSERT_EQ(0, accel_cmdbuf_fill(cb, accel_bo_addr(self->target), PAGE, 0x33333333));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0)
		_exit(guest_run(cb, 0, &self->target, 1, &r) ? ISO_NOT_FAULTED : ISO_OK);
	EXPECT_EQ(ISO_OK, iso_wait_child(pid));
	EXPECT_EQ(0, guest_expect_u32(self->map, PAGE, 0x33333333,
				      "parent's BO written through the shared fd"));
	accel_cmdbuf_destroy(cb);
}

TEST_HARNESS_MAIN
