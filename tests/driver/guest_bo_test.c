// SPDX-License-Identifier: MIT
/* Buffer objects: create, mmap, CPU write/read, info, free. */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "guest_util.h"
#include "kselftest_harness.h"

#define PAGE 4096ull

FIXTURE(bo) {
	struct accel_device *dev;
	int fd;
};

FIXTURE_SETUP(bo)
{
	int err = accel_device_open(NULL, &self->dev);

	ASSERT_EQ(0, err) TH_LOG("no quasar device: %s", accel_strerror(err));
	self->fd = accel_device_fd(self->dev);
}

FIXTURE_TEARDOWN(bo)
{
	accel_device_close(self->dev);
}

TEST_F(bo, create_rounds_size_up_to_whole_pages)
{
	struct drm_quasar_bo_create c = { .size = 1 };
	struct drm_quasar_bo_create d = { .size = PAGE + 1 };

	ASSERT_EQ(0, guest_ioctl(self->fd, DRM_IOCTL_QUASAR_BO_CREATE, &c));
	ASSERT_EQ(0, guest_ioctl(self->fd, DRM_IOCTL_QUASAR_BO_CREATE, &d));
	EXPECT_EQ(PAGE, c.size);
	EXPECT_EQ(2 * PAGE, d.size);
	EXPECT_NE(0, c.handle);
	EXPECT_NE(c.handle, d.handle);
}

TEST_F(bo, device_addresses_are_page_aligned_disjoint_and_in_the_window)
{
	const struct drm_quasar_device_info *i = accel_device_info(self->dev);
	struct accel_bo *a, *b;

	ASSERT_EQ(0, accel_bo_create(self->dev, 3 * PAGE, &a));
	ASSERT_EQ(0, accel_bo_create(self->dev, 5 * PAGE, &b));
	EXPECT_EQ(0, accel_bo_addr(a) % PAGE);
	EXPECT_EQ(0, accel_bo_addr(b) % PAGE);
	EXPECT_GE(accel_bo_addr(a), i->va_start);
	EXPECT_LE(accel_bo_addr(a) + accel_bo_size(a), i->va_end);
	EXPECT_GE(accel_bo_addr(b), i->va_start);
	EXPECT_LE(accel_bo_addr(b) + accel_bo_size(b), i->va_end);
	EXPECT_TRUE(accel_bo_addr(a) + accel_bo_size(a) <= accel_bo_addr(b) ||
		    accel_bo_addr(b) + accel_bo_size(b) <= accel_bo_addr(a))
		TH_LOG("BOs overlap: 0x%llx+%llu and 0x%llx+%llu",
		       (unsigned long long)accel_bo_addr(a),
		       (unsigned long long)accel_bo_size(a),
		       (unsigned long long)accel_bo_addr(b),
		       (unsigned long long)accel_bo_size(b));
	accel_bo_free(a);
	accel_bo_free(b);
}

TEST_F(bo, new_bo_reads_as_zero)
{
	struct accel_bo *bo;
	void *map;

	ASSERT_EQ(0, guest_bo_new(self->dev, 4 * PAGE, &bo, &map));
	EXPECT_EQ(0, guest_expect_bytes(map, 4 * PAGE, 0, "new BO"));
	accel_bo_free(bo);
}

TEST_F(bo, multi_page_write_survives_unmap_and_remap)
{
	uint64_t size = 3 * 1024 * 1024 + 3 * PAGE, i;
	struct accel_bo *bo;
	uint32_t *p;

	ASSERT_EQ(0, accel_bo_create(self->dev, size, &bo));
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd,
		 accel_bo_mmap_offset(bo));
	ASSERT_NE(MAP_FAILED, (void *)p);
	for (i = 0; i < size / 4; i++)
		p[i] = (uint32_t)(i * 2654435761u);
	ASSERT_EQ(0, munmap(p, size));
	p = mmap(NULL, size, PROT_READ, MAP_SHARED, self->fd,
		 accel_bo_mmap_offset(bo));
	ASSERT_NE(MAP_FAILED, (void *)p);
	for (i = 0; i < size / 4; i++) {
		if (p[i] != (uint32_t)(i * 2654435761u))
			break;
	}
	EXPECT_EQ(size / 4, i) TH_LOG("word %llu differs after remap",
				      (unsigned long long)i);
	munmap(p, size);
	accel_bo_free(bo);
}

TEST_F(bo, two_mappings_of_one_bo_share_memory)
{
	struct accel_bo *bo;
	uint8_t *a, *b;
	void *map;

	ASSERT_EQ(0, guest_bo_new(self->dev, 2 * PAGE, &bo, &map));
	a = map;
	b = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd,
		 accel_bo_mmap_offset(bo));
	ASSERT_NE(MAP_FAILED, (void *)b);
	a[PAGE + 5] = 0x5a;
	b[17] = 0xa5;
	EXPECT_EQ(0x5a, b[PAGE + 5]);
	EXPECT_EQ(0xa5, a[17]);
	munmap(b, 2 * PAGE);
	accel_bo_free(bo);
}

TEST_F(bo, info_matches_create)
{
	struct drm_quasar_bo_create c = { .size = 7 * PAGE };
	struct drm_quasar_bo_info i = { 0 };

	ASSERT_EQ(0, guest_ioctl(self->fd, DRM_IOCTL_QUASAR_BO_CREATE, &c));
	i.handle = c.handle;
	ASSERT_EQ(0, guest_ioctl(self->fd, DRM_IOCTL_QUASAR_BO_INFO, &i));
	EXPECT_EQ(c.size, i.size);
	EXPECT_EQ(c.device_addr, i.device_addr);
	EXPECT_EQ(c.mmap_offset, i.mmap_offset);
}

TEST_F(bo, closed_handle_is_gone)
{
	struct drm_quasar_bo_create c = { .size = PAGE };
	struct drm_quasar_bo_info i = { 0 };
	struct drm_gem_close cl = { 0 };

	ASSERT_EQ(0, guest_ioctl(self->fd, DRM_IOCTL_QUASAR_BO_CREATE, &c));
	cl.handle = c.handle;
	ASSERT_EQ(0, guest_ioctl(self->fd, DRM_IOCTL_GEM_CLOSE, &cl));
	i.handle = c.handle;
	EXPECT_EQ(-ENOENT, guest_ioctl(self->fd, DRM_IOCTL_QUASAR_BO_INFO, &i));
	EXPECT_EQ(-EINVAL, guest_ioctl(self->fd, DRM_IOCTL_GEM_CLOSE, &cl))
		TH_LOG("a second GEM_CLOSE of the same handle");
}

TEST_F(bo, mapping_outlives_gem_close)
{
	struct drm_quasar_bo_create c = { .size = 2 * PAGE };
	struct drm_gem_close cl = { 0 };
	uint8_t *p;

	ASSERT_EQ(0, guest_ioctl(self->fd, DRM_IOCTL_QUASAR_BO_CREATE, &c));
	p = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd,
		 c.mmap_offset);
	ASSERT_NE(MAP_FAILED, (void *)p);
	p[0] = 0x11;
	cl.handle = c.handle;
	ASSERT_EQ(0, guest_ioctl(self->fd, DRM_IOCTL_GEM_CLOSE, &cl));
	p[2 * PAGE - 1] = 0x22;
	EXPECT_EQ(0x11, p[0]);
	EXPECT_EQ(0x22, p[2 * PAGE - 1]);
	munmap(p, 2 * PAGE);
}

/* 256 MiB through the MMU: on the debug kernel (KASAN, DMA-API debug) under TCG
 * this takes longer than the harness's default 30 s. */
TEST_F_TIMEOUT(bo, freed_device_address_range_can_be_reused, 300)
{
	struct accel_bo *bo;
	int i;

	/* 64 rounds of 4 MiB: leaking the VA or the pages would show. */
	for (i = 0; i < 64; i++) {
		ASSERT_EQ(0, accel_bo_create(self->dev, 4 << 20, &bo))
			TH_LOG("round %d", i);
		accel_bo_free(bo);
	}
}

TEST_F(bo, mmap_past_the_bo_end_is_refused)
{
	struct accel_bo *bo;
	void *map;

	ASSERT_EQ(0, accel_bo_create(self->dev, PAGE, &bo));
	map = mmap(NULL, 2 * PAGE, PROT_READ, MAP_SHARED, self->fd,
		   accel_bo_mmap_offset(bo));
	EXPECT_EQ(MAP_FAILED, map);
	if (map != MAP_FAILED)
		munmap(map, 2 * PAGE);
	accel_bo_free(bo);
}

TEST_HARNESS_MAIN
