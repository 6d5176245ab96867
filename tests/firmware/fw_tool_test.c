// SPDX-License-Identifier: MIT
/*
 * firmware/tools/fwimage against the firmware that will check its output:
 * the built quasar-fw.bin boots, and each --corrupt variant fails boot with
 * exactly the error it promises.
 */
#define _GNU_SOURCE	/* memmem */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"

#include "fw_build_id.h"
#include "fwrun.h"

/* Reads a whole file; returns its size, or -1. */
static long read_file(const char *path, uint8_t **out)
{
	FILE *f = fopen(path, "rb");
	long n;

	if (!f)
		return -1;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	*out = malloc(n > 0 ? (size_t)n : 1);
	if (!*out || fread(*out, 1, (size_t)n, f) != (size_t)n)
		n = -1;
	fclose(f);
	return n;
}

/* Runs fwimage with @args; returns its exit status, or -1. */
static int run_tool(const char *args)
{
	char cmd[1024];
	int st;

	snprintf(cmd, sizeof(cmd), "%s %s 2>/dev/null", FW_TEST_FWIMAGE, args);
	st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

FIXTURE(tool) {
	struct fwrun_mem mem;
	struct fw_hal hal;
	struct fw_boot_info info;
	char dir[64];
	char path[128];
};

FIXTURE_SETUP(tool)
{
	ASSERT_EQ(0, fwrun_mem_init(&self->mem));
	fwrun_hal_init(&self->hal, &self->mem);
	snprintf(self->dir, sizeof(self->dir), "/tmp/fwimage-test.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	snprintf(self->path, sizeof(self->path), "%s/fw.bin", self->dir);
}

FIXTURE_TEARDOWN(tool)
{
	unlink(self->path);
	rmdir(self->dir);
	fwrun_mem_fini(&self->mem);
}

static int validate_file(FIXTURE_DATA(tool) *self, const char *path)
{
	uint8_t *img = NULL;
	long n = read_file(path, &img);
	int err;

	if (n < 0) {
		free(img);
		return -1;
	}
	err = fw_image_validate(&self->hal, img, (uint32_t)n, &self->info);
	free(img);
	return err;
}

TEST_F(tool, built_image_boots_with_rom_identity)
{
	ASSERT_EQ(QUASAR_FW_OK, validate_file(self, FW_TEST_IMAGE)) {
		TH_LOG("%s: %s", FW_TEST_IMAGE, self->mem.last_log);
	}
	EXPECT_EQ(FW_BUILD_ID, self->info.build_id);
	EXPECT_EQ((uint32_t)FW_VERSION, self->info.fw_version);
	EXPECT_EQ(FW_ROM_CAPS, self->info.caps);
	EXPECT_EQ(FW_ROM_OPS, self->info.ops);
	EXPECT_EQ(FW_ROM_FORMATS, self->info.formats);
}

TEST_F(tool, info_section_names_version_and_build_id)
{
	uint8_t *img = NULL;
	char id[64], version[64];
	long n = read_file(FW_TEST_IMAGE, &img);

	ASSERT_GT(n, 64);
	snprintf(id, sizeof(id), "build id 0x%08x", FW_BUILD_ID);
	snprintf(version, sizeof(version), "firmware %u.%u.%u,", FW_VERSION_MAJOR,
		 FW_VERSION_MINOR, FW_VERSION_PATCH);
	EXPECT_NE(NULL, memmem(img, (size_t)n, id, strlen(id)));
	EXPECT_NE(NULL, memmem(img, (size_t)n, version, strlen(version)));
	free(img);
}

/* The image is date-free: two runs give the same bytes. */
TEST_F(tool, output_is_reproducible)
{
	uint8_t *a = NULL, *b = NULL;
	char args[256];
	long na, nb;

	snprintf(args, sizeof(args), "-o %s", self->path);
	ASSERT_EQ(0, run_tool(args));
	na = read_file(self->path, &a);
	nb = read_file(FW_TEST_IMAGE, &b);
	ASSERT_GT(na, 0);
	ASSERT_EQ(na, nb);
	EXPECT_EQ(0, memcmp(a, b, (size_t)na));
	free(a);
	free(b);
}

TEST_F(tool, missing_output_option_is_usage_error)
{
	EXPECT_EQ(2, run_tool(""));
}

TEST_F(tool, unknown_corruption_is_usage_error)
{
	char args[256];

	snprintf(args, sizeof(args), "-o %s --corrupt=everything", self->path);
	EXPECT_EQ(2, run_tool(args));
	EXPECT_NE(0, access(self->path, F_OK));
}

FIXTURE(corrupt) {
	struct fwrun_mem mem;
	struct fw_hal hal;
	char dir[64];
	char path[128];
};

FIXTURE_VARIANT(corrupt) {
	const char *kind;
	int error;
};

FIXTURE_VARIANT_ADD(corrupt, crc) { "crc", QUASAR_FW_ERR_CRC };
FIXTURE_VARIANT_ADD(corrupt, magic) { "magic", QUASAR_FW_ERR_MAGIC };
FIXTURE_VARIANT_ADD(corrupt, abi) { "abi", QUASAR_FW_ERR_ABI };
FIXTURE_VARIANT_ADD(corrupt, header) { "header", QUASAR_FW_ERR_HEADER };
FIXTURE_VARIANT_ADD(corrupt, size) { "size", QUASAR_FW_ERR_SIZE };
FIXTURE_VARIANT_ADD(corrupt, build_id) { "build-id", QUASAR_FW_ERR_BUILD_ID };
FIXTURE_VARIANT_ADD(corrupt, section) { "section", QUASAR_FW_ERR_SECTION };
FIXTURE_VARIANT_ADD(corrupt, caps) { "caps", QUASAR_FW_ERR_CAPS };

FIXTURE_SETUP(corrupt)
{
	ASSERT_EQ(0, fwrun_mem_init(&self->mem));
	fwrun_hal_init(&self->hal, &self->mem);
	snprintf(self->dir, sizeof(self->dir), "/tmp/fwimage-test.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	snprintf(self->path, sizeof(self->path), "%s/fw.bin", self->dir);
}

FIXTURE_TEARDOWN(corrupt)
{
	unlink(self->path);
	rmdir(self->dir);
	fwrun_mem_fini(&self->mem);
}

TEST_F(corrupt, variant_fails_boot_with_its_error)
{
	struct fw_boot_info info;
	uint8_t *img = NULL;
	char args[256];
	long n;

	snprintf(args, sizeof(args), "-o %s --corrupt=%s", self->path, variant->kind);
	ASSERT_EQ(0, run_tool(args));
	n = read_file(self->path, &img);
	ASSERT_GT(n, 0);
	EXPECT_EQ(variant->error, fw_image_validate(&self->hal, img, (uint32_t)n, &info)) {
		TH_LOG("--corrupt=%s: firmware said: %s", variant->kind, self->mem.last_log);
	}
	free(img);
}

TEST_HARNESS_MAIN
