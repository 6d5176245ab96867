// SPDX-License-Identifier: MIT
/* Probe and query: the device is found by driver name and reports sane info. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xf86drm.h>

#include <hw/quasar_hw_interface.h>

#include "guest_util.h"
#include "kselftest_harness.h"

FIXTURE(probe) {
	struct accel_device *dev;
	int fd;
};

FIXTURE_SETUP(probe)
{
	int err = accel_device_open(NULL, &self->dev);

	ASSERT_EQ(0, err) TH_LOG("no quasar device: %s; is quasar.ko loaded? (dmesg | grep quasar)",
				 accel_strerror(err));
	self->fd = accel_device_fd(self->dev);
}

FIXTURE_TEARDOWN(probe)
{
	accel_device_close(self->dev);
}

TEST_F(probe, device_found_by_driver_name)
{
	const char *path = accel_device_path(self->dev);
	drmVersionPtr v = drmGetVersion(self->fd);

	ASSERT_NE(NULL, v);
	EXPECT_STREQ("quasar", v->name);
	EXPECT_EQ(0, strncmp(path, "/dev/accel/accel", 16)) TH_LOG("path %s", path);
	EXPECT_STREQ("quasar", accel_device_driver(self->dev)->name);
	drmFreeVersion(v);
}

TEST_F(probe, env_override_opens_the_named_node)
{
	struct accel_device *dev = NULL;
	char path[64];

	snprintf(path, sizeof(path), "%s", accel_device_path(self->dev));
	ASSERT_EQ(0, setenv(ACCEL_DEVICE_ENV, path, 1));
	ASSERT_EQ(0, accel_device_open(NULL, &dev));
	EXPECT_STREQ(path, accel_device_path(dev));
	accel_device_close(dev);
}

TEST_F(probe, env_override_rejects_a_non_quasar_node)
{
	struct accel_device *dev = NULL;

	ASSERT_EQ(0, setenv(ACCEL_DEVICE_ENV, "/dev/null", 1));
	EXPECT_EQ(-ENOTTY, accel_device_open(NULL, &dev));
	EXPECT_EQ(NULL, dev);
}

TEST_F(probe, query_without_pointer_reports_full_size)
{
	struct drm_quasar_dev_query q = { .type = DRM_QUASAR_QUERY_DEVICE_INFO };

	ASSERT_EQ(0, guest_ioctl(self->fd, DRM_IOCTL_QUASAR_DEV_QUERY, &q));
	EXPECT_EQ(sizeof(struct drm_quasar_device_info), q.size);
}

TEST_F(probe, query_with_short_buffer_copies_only_the_prefix)
{
	uint8_t buf[sizeof(struct drm_quasar_device_info)];
	struct drm_quasar_device_info *info = (void *)buf;
	struct drm_quasar_dev_query q = {
		.type = DRM_QUASAR_QUERY_DEVICE_INFO,
		.size = 8,
		.pointer = (uintptr_t)buf,
	};

	memset(buf, 0xff, sizeof(buf));
	ASSERT_EQ(0, guest_ioctl(self->fd, DRM_IOCTL_QUASAR_DEV_QUERY, &q));
	EXPECT_EQ(sizeof(buf), q.size) TH_LOG("size out must be the full size");
	EXPECT_EQ(QUASAR_PCI_VENDOR_ID, info->pci_vendor);
	EXPECT_EQ(QUASAR_PCI_DEVICE_ID, info->pci_device);
	EXPECT_EQ(0, guest_expect_bytes(buf + 8, sizeof(buf) - 8, 0xff,
					"bytes past the 8 asked for"));
}

TEST_F(probe, query_with_long_buffer_leaves_the_excess_untouched)
{
	size_t full = sizeof(struct drm_quasar_device_info);
	uint8_t buf[sizeof(struct drm_quasar_device_info) + 64];
	struct drm_quasar_dev_query q = {
		.type = DRM_QUASAR_QUERY_DEVICE_INFO,
		.size = sizeof(buf),
		.pointer = (uintptr_t)buf,
	};

	memset(buf, 0xff, sizeof(buf));
	ASSERT_EQ(0, guest_ioctl(self->fd, DRM_IOCTL_QUASAR_DEV_QUERY, &q));
	EXPECT_EQ(full, q.size);
	EXPECT_EQ(0, memcmp(buf, accel_device_info(self->dev), full))
		TH_LOG("a second query must return the same info");
	EXPECT_EQ(0, guest_expect_bytes(buf + full, 64, 0xff,
					"bytes past the full result"));
}

TEST_F(probe, query_rejects_unknown_type)
{
	struct drm_quasar_device_info info;
	struct drm_quasar_dev_query q = {
		.type = 0x7fff,
		.size = sizeof(info),
		.pointer = (uintptr_t)&info,
	};

	EXPECT_EQ(-EINVAL, guest_ioctl(self->fd, DRM_IOCTL_QUASAR_DEV_QUERY, &q));
}

TEST_F(probe, query_rejects_unwritable_pointer)
{
	struct drm_quasar_dev_query q = {
		.type = DRM_QUASAR_QUERY_DEVICE_INFO,
		.size = sizeof(struct drm_quasar_device_info),
		.pointer = 8,
	};

	EXPECT_EQ(-EFAULT, guest_ioctl(self->fd, DRM_IOCTL_QUASAR_DEV_QUERY, &q));
}

TEST_F(probe, device_identity_matches_the_hardware)
{
	const struct drm_quasar_device_info *i = accel_device_info(self->dev);

	EXPECT_EQ(QUASAR_PCI_VENDOR_ID, i->pci_vendor);
	EXPECT_EQ(QUASAR_PCI_DEVICE_ID, i->pci_device);
	EXPECT_EQ(QUASAR_HW_VERSION_VALUE, i->hw_version);
	EXPECT_EQ(QUASAR_NUM_QUEUES, i->num_queues);
	EXPECT_EQ(QUASAR_NUM_CTX, i->num_contexts);
}

TEST_F(probe, firmware_fields_report_a_booted_image)
{
	const struct drm_quasar_device_info *i = accel_device_info(self->dev);

	EXPECT_NE(0, i->fw_version) TH_LOG("firmware version 0: not booted?");
	EXPECT_NE(0, i->fw_build_id);
	EXPECT_EQ(QUASAR_FW_ABI_MAJOR, i->fw_abi >> 16);
	EXPECT_LE(i->fw_abi & 0xffff, QUASAR_FW_ABI_MINOR);
	EXPECT_TRUE(i->caps & QUASAR_CAP_MMU) TH_LOG("caps 0x%x", i->caps);
}

TEST_F(probe, isa_v0_ops_and_u8_format_are_supported)
{
	const struct drm_quasar_device_info *i = accel_device_info(self->dev);
	uint32_t v0 = 1u << DRM_QUASAR_OP_NOP | 1u << DRM_QUASAR_OP_FILL |
		      1u << DRM_QUASAR_OP_COPY | 1u << DRM_QUASAR_OP_WRITE_VALUE;

	EXPECT_EQ(v0, i->ops & v0) TH_LOG("ops 0x%x", i->ops);
	EXPECT_TRUE(i->formats & (1u << DRM_QUASAR_FORMAT_U8));
}

TEST_F(probe, va_window_and_limits_match_the_spec)
{
	const struct drm_quasar_device_info *i = accel_device_info(self->dev);

	EXPECT_EQ(QUASAR_VA_START, i->va_start);
	EXPECT_EQ(QUASAR_VA_END, i->va_end);
	EXPECT_EQ(QUASAR_PAGE_SIZE, i->page_size);
	EXPECT_GT(i->max_cmd_size, 0);
	EXPECT_LE(i->max_cmd_size, QUASAR_CMD_STREAM_MAX_SIZE);
	EXPECT_EQ(0, i->max_cmd_size % 8);
}

TEST(open_reports_a_missing_node_named_by_env)
{
	struct accel_device *dev = NULL;

	ASSERT_EQ(0, setenv(ACCEL_DEVICE_ENV, "/nonexistent/accel0", 1));
	EXPECT_EQ(-ENOENT, accel_device_open(NULL, &dev));
	EXPECT_EQ(NULL, dev);
}

TEST_HARNESS_MAIN
