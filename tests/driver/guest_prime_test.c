// SPDX-License-Identifier: MIT
/*
 * Buffers shared through PRIME and buffers the device may only read.
 *
 * A BO exported by one open file is imported by another, whose job writes
 * the shared pages; the exporter then reads what the job wrote. The same
 * with dma-bufs of other drivers: vgem (a DRM driver's GEM BO) and udmabuf
 * (memfd pages). A read-only BO is read by a job, and a job that writes
 * it ends with MMU_PERM at the address it wrote, while another file's
 * jobs keep running. Then the same through libaccel's entry points.
 */
#define _GNU_SOURCE	/* memfd_create() */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/udmabuf.h>
#include <xf86drm.h>

#include "accel.h"
#include "drm.h"
#include "guest_gate.h"
#include "kselftest_harness.h"
#include "raw_util.h"

#define PAGE	4096u
#define SEC	1000000000ull

/* BO_INFO of @handle in @fd: its device address there, and its size. */
static int pr_bo_info(int fd, uint32_t handle, uint64_t *addr, uint64_t *size)
{
	struct drm_quasar_bo_info i = { .handle = handle };
	int ret = raw_ioctl(fd, DRM_IOCTL_QUASAR_BO_INFO, &i);

	*addr = i.device_addr;
	*size = i.size;
	return ret;
}

/* PRIME_FD_TO_HANDLE of dma-buf @dmabuf into @fd. */
static int pr_import(int fd, int dmabuf, uint32_t *handle)
{
	struct drm_prime_handle p = { .fd = dmabuf };
	int ret = raw_ioctl(fd, DRM_IOCTL_PRIME_FD_TO_HANDLE, &p);

	*handle = p.handle;
	return ret;
}

/*
 * Submits the @len bytes of commands already in @cmd on hardware queue 0,
 * listing @bo (0: none), and waits for the job; its status in *@w.
 */
static int pr_run(int fd, const struct raw_bo *cmd, size_t len, uint32_t bo,
		  struct drm_quasar_bo_wait *w)
{
	struct drm_quasar_submit s = {
		.cmd_handle = cmd->handle, .cmd_size = (uint32_t)len,
		.bo_handles = (uintptr_t)&bo, .bo_count = !!bo,
	};
	int ret = raw_ioctl(fd, DRM_IOCTL_QUASAR_SUBMIT, &s);

	return ret ? ret : raw_bo_wait(fd, cmd, 30 * SEC, w);
}

static size_t pr_put_copy(void *p, uint64_t dst, uint64_t src, uint64_t size)
{
	struct drm_quasar_cmd_copy c = {
		.hdr = { .opcode = DRM_QUASAR_OP_COPY, .length = sizeof(c) },
		.dst = dst, .src = src, .size = size,
	};

	memcpy(p, &c, sizeof(c));
	return sizeof(c);
}

/*
 * In @fd, where @handle is a BO at @addr of two pages or more: a job that
 * copies page 0 to page 1 and writes @mark at the end of page 1.
 */
static int pr_copy_and_mark(int fd, const struct raw_bo *cmd, uint32_t handle,
			    uint64_t addr, uint64_t mark,
			    struct drm_quasar_bo_wait *w)
{
	size_t n = pr_put_copy(cmd->map, addr + PAGE, addr, PAGE - 8);

	n += raw_put_write_value((uint8_t *)cmd->map + n, addr + 2 * PAGE - 8, mark);
	return pr_run(fd, cmd, n, handle, w);
}

static void pr_fill(uint8_t *p, size_t n, unsigned int seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(i * 31 + seed);
}

FIXTURE(prime) {
	int exp_fd;		/* the exporting file */
	int imp_fd;		/* the importing file */
	struct raw_bo cmd;	/* the importer's command BO */
};

FIXTURE_SETUP(prime)
{
	self->exp_fd = raw_open();
	ASSERT_LE(0, self->exp_fd) TH_LOG("open /dev/accel/accel0: %s", strerror(errno));
	self->imp_fd = raw_open();
	ASSERT_LE(0, self->imp_fd);
	ASSERT_EQ(0, raw_bo_new(self->imp_fd, PAGE, &self->cmd));
}

FIXTURE_TEARDOWN(prime)
{
	raw_bo_del(self->imp_fd, &self->cmd);
	close(self->imp_fd);
	close(self->exp_fd);
}

TEST_F(prime, a_job_of_the_importing_file_writes_pages_the_exporter_reads)
{
	struct drm_quasar_bo_wait w;
	struct raw_bo data;
	uint64_t addr, size, mark = 0x1badc0ffee0ddf00ull;
	uint32_t handle;
	unsigned int i;
	uint8_t *p;
	int dmabuf;

	ASSERT_EQ(0, raw_bo_new(self->exp_fd, 3 * PAGE, &data));
	p = data.map;
	pr_fill(p, PAGE, 7);
	ASSERT_EQ(0, drmPrimeHandleToFD(self->exp_fd, data.handle,
					DRM_CLOEXEC | DRM_RDWR, &dmabuf));
	ASSERT_EQ(0, pr_import(self->imp_fd, dmabuf, &handle))
		TH_LOG("PRIME import of the other file's BO failed");
	close(dmabuf);
	ASSERT_EQ(0, pr_bo_info(self->imp_fd, handle, &addr, &size));
	EXPECT_EQ(3 * PAGE, size);
	EXPECT_NE(0, addr);

	ASSERT_EQ(0, pr_copy_and_mark(self->imp_fd, &self->cmd, handle, addr,
				      mark, &w));
	EXPECT_EQ(DRM_QUASAR_STATUS_OK, w.job_status)
		TH_LOG("importer's job: status %u at command %u, fault 0x%llx",
		       w.job_status, w.job_cmd_index, (unsigned long long)w.fault_addr);
	/* The exporter's wait sees the importer's job: one reservation object. */
	ASSERT_EQ(0, raw_bo_wait(self->exp_fd, &data, 30 * SEC, &w));
	EXPECT_EQ(0, memcmp(p + PAGE, p, PAGE - 8))
		TH_LOG("page 1 of the exporter's BO is not the copy of page 0");
	EXPECT_EQ(mark, *(uint64_t *)(p + 2 * PAGE - 8));
	for (i = 2 * PAGE; i < 3 * PAGE; i++)
		ASSERT_EQ(0, p[i]) TH_LOG("byte %u of page 2 was written", i);
	raw_bo_del(self->exp_fd, &data);
}

TEST_F(prime, an_import_outlives_the_exporting_file)
{
	struct drm_quasar_bo_wait w;
	uint64_t addr, size, mark = 0x5eed;
	struct raw_bo data;
	uint32_t handle;
	unsigned int i;
	uint8_t *p;
	int dmabuf;

	ASSERT_EQ(0, raw_bo_new(self->exp_fd, 2 * PAGE, &data));
	pr_fill(data.map, PAGE, 3);
	ASSERT_EQ(0, drmPrimeHandleToFD(self->exp_fd, data.handle,
					DRM_CLOEXEC | DRM_RDWR, &dmabuf));
	raw_bo_del(self->exp_fd, &data);
	close(self->exp_fd);
	self->exp_fd = -1;

	ASSERT_EQ(0, pr_import(self->imp_fd, dmabuf, &handle));
	ASSERT_EQ(0, pr_bo_info(self->imp_fd, handle, &addr, &size));
	ASSERT_EQ(0, pr_copy_and_mark(self->imp_fd, &self->cmd, handle, addr,
				      mark, &w));
	EXPECT_EQ(DRM_QUASAR_STATUS_OK, w.job_status);
	/* The pages are the dma-buf's: read them through it. */
	p = mmap(NULL, 2 * PAGE, PROT_READ, MAP_SHARED, dmabuf, 0);
	ASSERT_NE(MAP_FAILED, p);
	for (i = 0; i < PAGE - 8; i++)
		ASSERT_EQ((uint8_t)(i * 31 + 3), p[PAGE + i]) TH_LOG("byte %u", i);
	EXPECT_EQ(mark, *(uint64_t *)(p + 2 * PAGE - 8));
	munmap(p, 2 * PAGE);
	close(dmabuf);
}

TEST_F(prime, importing_into_the_exporting_file_gives_its_handle_back)
{
	struct raw_bo data;
	uint32_t handle;
	int dmabuf;

	ASSERT_EQ(0, raw_bo_new(self->exp_fd, PAGE, &data));
	ASSERT_EQ(0, drmPrimeHandleToFD(self->exp_fd, data.handle, DRM_CLOEXEC,
					&dmabuf));
	ASSERT_EQ(0, pr_import(self->exp_fd, dmabuf, &handle));
	EXPECT_EQ(data.handle, handle);
	close(dmabuf);
	raw_bo_del(self->exp_fd, &data);
}

TEST_F(prime, a_job_writes_a_vgem_buffer)
{
	struct drm_mode_create_dumb dumb = { .width = PAGE / 4, .height = 2, .bpp = 32 };
	struct drm_mode_map_dumb map = { 0 };
	struct drm_gem_close cl = { 0 };
	struct drm_quasar_bo_wait w;
	uint64_t addr, size, mark = 0xfeedfacecafebeefull;
	int vgem, dmabuf;
	uint32_t handle;
	uint8_t *p;

	vgem = guest_vgem_open();
	ASSERT_LE(0, vgem) TH_LOG("vgem: %s", strerror(-vgem));
	ASSERT_EQ(0, ioctl(vgem, DRM_IOCTL_MODE_CREATE_DUMB, &dumb));
	map.handle = dumb.handle;
	ASSERT_EQ(0, ioctl(vgem, DRM_IOCTL_MODE_MAP_DUMB, &map));
	p = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, vgem, map.offset);
	ASSERT_NE(MAP_FAILED, p);
	pr_fill(p, PAGE, 11);
	ASSERT_EQ(0, drmPrimeHandleToFD(vgem, dumb.handle, DRM_CLOEXEC | DRM_RDWR,
					&dmabuf));
	ASSERT_EQ(0, pr_import(self->imp_fd, dmabuf, &handle))
		TH_LOG("PRIME import of a vgem BO failed");
	ASSERT_EQ(0, pr_bo_info(self->imp_fd, handle, &addr, &size));
	EXPECT_EQ(2 * PAGE, size);

	ASSERT_EQ(0, pr_copy_and_mark(self->imp_fd, &self->cmd, handle, addr,
				      mark, &w));
	EXPECT_EQ(DRM_QUASAR_STATUS_OK, w.job_status);
	EXPECT_EQ(0, memcmp(p + PAGE, p, PAGE - 8));
	EXPECT_EQ(mark, *(uint64_t *)(p + 2 * PAGE - 8));

	munmap(p, 2 * PAGE);
	close(dmabuf);
	cl.handle = dumb.handle;
	ioctl(vgem, DRM_IOCTL_GEM_CLOSE, &cl);
	close(vgem);
}

TEST_F(prime, a_job_writes_a_udmabuf)
{
	struct udmabuf_create c = { .flags = UDMABUF_FLAGS_CLOEXEC, .size = 2 * PAGE };
	struct drm_quasar_bo_wait w;
	uint64_t addr, size, mark = 0x0123456789abcdefull;
	int memfd, dev, dmabuf;
	uint32_t handle;
	uint8_t *p;

	dev = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, dev) TH_LOG("/dev/udmabuf: %s (CONFIG_UDMABUF)", strerror(errno));
	memfd = memfd_create("quasar-udmabuf", MFD_ALLOW_SEALING | MFD_CLOEXEC);
	ASSERT_LE(0, memfd);
	ASSERT_EQ(0, ftruncate(memfd, 2 * PAGE));
	ASSERT_EQ(0, fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK));
	p = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	ASSERT_NE(MAP_FAILED, p);
	pr_fill(p, PAGE, 5);
	c.memfd = memfd;
	dmabuf = ioctl(dev, UDMABUF_CREATE, &c);
	ASSERT_LE(0, dmabuf) TH_LOG("UDMABUF_CREATE: %s", strerror(errno));

	ASSERT_EQ(0, pr_import(self->imp_fd, dmabuf, &handle))
		TH_LOG("PRIME import of a udmabuf failed");
	ASSERT_EQ(0, pr_bo_info(self->imp_fd, handle, &addr, &size));
	EXPECT_EQ(2 * PAGE, size);
	ASSERT_EQ(0, pr_copy_and_mark(self->imp_fd, &self->cmd, handle, addr,
				      mark, &w));
	EXPECT_EQ(DRM_QUASAR_STATUS_OK, w.job_status);
	EXPECT_EQ(0, memcmp(p + PAGE, p, PAGE - 8));
	EXPECT_EQ(mark, *(uint64_t *)(p + 2 * PAGE - 8));

	munmap(p, 2 * PAGE);
	close(dmabuf);
	close(memfd);
	close(dev);
}

TEST_F(prime, a_read_only_bo_is_read_and_a_write_to_it_faults_at_its_address)
{
	struct drm_quasar_bo_create c = {
		.size = PAGE, .flags = DRM_QUASAR_BO_READ_ONLY,
	};
	struct drm_quasar_bo_wait w;
	struct raw_bo dst, other;
	uint8_t *ro, before[PAGE];
	size_t n;

	/* The importer's file does the faulting here; the exporter's runs on. */
	ASSERT_EQ(0, raw_ioctl(self->imp_fd, DRM_IOCTL_QUASAR_BO_CREATE, &c));
	ro = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, self->imp_fd,
		  c.mmap_offset);
	ASSERT_NE(MAP_FAILED, ro) TH_LOG("the CPU mapping stays writable");
	pr_fill(ro, PAGE, 9);
	memcpy(before, ro, PAGE);
	ASSERT_EQ(0, raw_bo_new(self->imp_fd, PAGE, &dst));

	n = pr_put_copy(self->cmd.map, dst.addr, c.device_addr, PAGE);
	ASSERT_EQ(0, pr_run(self->imp_fd, &self->cmd, n, 0, &w));
	EXPECT_EQ(DRM_QUASAR_STATUS_OK, w.job_status);
	EXPECT_EQ(0, memcmp(dst.map, before, PAGE)) TH_LOG("the job read the BO");

	n = raw_put_write_value(self->cmd.map, c.device_addr + 64, 0xdead);
	ASSERT_EQ(0, pr_run(self->imp_fd, &self->cmd, n, 0, &w));
	EXPECT_EQ(DRM_QUASAR_STATUS_MMU_PERM, w.job_status)
		TH_LOG("status %u, wanted MMU_PERM", w.job_status);
	EXPECT_EQ(c.device_addr + 64, w.fault_addr);
	EXPECT_EQ(0, memcmp(ro, before, PAGE)) TH_LOG("the read-only BO changed");
	EXPECT_EQ(-EBADFD, raw_ioctl(self->imp_fd, DRM_IOCTL_QUASAR_SUBMIT,
				     &(struct drm_quasar_submit){
					     .cmd_handle = self->cmd.handle,
					     .cmd_size = (uint32_t)n }));

	/* Another file's jobs run on. */
	ASSERT_EQ(0, raw_bo_new(self->exp_fd, PAGE, &other));
	n = raw_put_write_value(other.map, other.addr + 8, 42);
	ASSERT_EQ(0, pr_run(self->exp_fd, &other, n, 0, &w));
	EXPECT_EQ(DRM_QUASAR_STATUS_OK, w.job_status);
	EXPECT_EQ(42, ((uint64_t *)other.map)[1]);

	raw_bo_del(self->exp_fd, &other);
	raw_bo_del(self->imp_fd, &dst);
	munmap(ro, PAGE);
}

TEST_F(prime, bo_create_rejects_flags_beside_read_only)
{
	struct drm_quasar_bo_create c = {
		.size = PAGE, .flags = DRM_QUASAR_BO_READ_ONLY | (1u << 1),
	};

	EXPECT_EQ(-EINVAL, raw_ioctl(self->imp_fd, DRM_IOCTL_QUASAR_BO_CREATE, &c));
}

/* The last failure libaccel reported on @dev. */
static const char *pr_err(struct accel_device *dev)
{
	static char text[256];

	accel_device_last_error(dev, text, sizeof(text));
	return text;
}

/* libaccel: accel_bo_export() / accel_bo_import() / accel_bo_create_flags(). */
FIXTURE(lib) {
	struct accel_device *exp;
	struct accel_device *imp;
};

FIXTURE_SETUP(lib)
{
	ASSERT_EQ(0, accel_device_open(NULL, &self->exp));
	ASSERT_EQ(0, accel_device_open(NULL, &self->imp));
}

FIXTURE_TEARDOWN(lib)
{
	accel_device_close(self->imp);
	accel_device_close(self->exp);
}

TEST_F(lib, an_imported_bo_is_written_by_the_importers_job)
{
	struct accel_job_result res;
	struct accel_bo *bo, *in;
	struct accel_cmdbuf *cb;
	uint64_t *p;
	int fd;

	ASSERT_EQ(0, accel_bo_create(self->exp, 2 * PAGE, &bo));
	ASSERT_EQ(0, accel_bo_map(bo, (void **)&p));
	ASSERT_EQ(0, accel_bo_export(bo, &fd));
	ASSERT_EQ(0, accel_bo_import(self->imp, fd, &in))
		TH_LOG("%s", pr_err(self->imp));
	close(fd);
	EXPECT_EQ(2 * PAGE, accel_bo_size(in));

	ASSERT_EQ(0, accel_cmdbuf_create(self->imp, &cb));
	ASSERT_EQ(0, accel_cmdbuf_write_value(cb, accel_bo_addr(in) + PAGE, 0xabcdef));
	ASSERT_EQ(0, accel_cmdbuf_submit(cb, &(struct accel_submit){
		.bos = &in, .bo_count = 1 }));
	ASSERT_EQ(0, accel_cmdbuf_wait(cb, 30 * SEC, &res))
		TH_LOG("%s", pr_err(self->imp));
	ASSERT_EQ(0, accel_bo_wait(bo, 30 * SEC, NULL));
	EXPECT_EQ(0xabcdef, p[PAGE / 8]);

	accel_cmdbuf_destroy(cb);
	accel_bo_free(in);
	accel_bo_free(bo);
}

TEST_F(lib, a_read_only_bo_ends_a_writing_job_with_mmu_perm)
{
	struct accel_job_result res;
	struct accel_cmdbuf *cb;
	struct accel_bo *bo;

	ASSERT_EQ(0, accel_bo_create_flags(self->imp, PAGE, ACCEL_BO_READ_ONLY, &bo));
	ASSERT_EQ(0, accel_cmdbuf_create(self->imp, &cb));
	ASSERT_EQ(0, accel_cmdbuf_write_value(cb, accel_bo_addr(bo) + 16, 1));
	ASSERT_EQ(0, accel_cmdbuf_submit(cb, NULL));
	EXPECT_EQ(-EIO, accel_cmdbuf_wait(cb, 30 * SEC, &res));
	EXPECT_EQ(DRM_QUASAR_STATUS_MMU_PERM, res.status);
	EXPECT_EQ(accel_bo_addr(bo) + 16, res.fault_addr);
	accel_cmdbuf_destroy(cb);
	accel_bo_free(bo);
}

TEST_F(lib, bo_create_flags_names_an_unknown_flag)
{
	struct accel_bo *bo;

	EXPECT_EQ(-EINVAL, accel_bo_create_flags(self->imp, PAGE, 1u << 5, &bo));
	EXPECT_NE(NULL, strstr(pr_err(self->imp), "flags 0x20"))
		TH_LOG("%s", pr_err(self->imp));
}

TEST_HARNESS_MAIN
