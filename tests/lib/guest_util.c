// SPDX-License-Identifier: MIT
/* Helpers shared by the in-guest tests; see guest_util.h. */
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "guest_util.h"

int64_t guest_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int guest_ioctl(int fd, unsigned long request, void *arg)
{
	return ioctl(fd, request, arg) ? -errno : 0;
}

int guest_expect_bytes(const void *p, uint64_t len, uint8_t byte,
		       const char *what)
{
	const uint8_t *b = p;
	uint64_t i;

	for (i = 0; i < len; i++) {
		if (b[i] != byte) {
			fprintf(stderr, "# %s: byte %llu is 0x%02x, expected 0x%02x\n",
				what, (unsigned long long)i, b[i], byte);
			return 1;
		}
	}
	return 0;
}

int guest_expect_u32(const void *p, uint64_t len, uint32_t value,
		     const char *what)
{
	const uint8_t *b = p;
	uint64_t i;

	for (i = 0; i < len; i++) {
		uint8_t want = value >> (8 * (i % 4));

		if (b[i] != want) {
			fprintf(stderr, "# %s: byte %llu is 0x%02x, expected 0x%02x (pattern 0x%08x)\n",
				what, (unsigned long long)i, b[i], want, value);
			return 1;
		}
	}
	return 0;
}

int guest_bo_new(struct accel_device *dev, uint64_t size, struct accel_bo **bo,
		 void **map)
{
	int err = accel_bo_create(dev, size, bo);

	if (err)
		return err;
	err = accel_bo_map(*bo, map);
	if (err) {
		accel_bo_free(*bo);
		*bo = NULL;
	}
	return err;
}

int guest_run(struct accel_cmdbuf *cb, uint32_t queue, struct accel_bo *const *bos,
	      uint32_t bo_count, struct accel_job_result *result)
{
	struct accel_submit args = {
		.queue = queue, .bos = bos, .bo_count = bo_count,
	};
	int err = accel_cmdbuf_submit(cb, &args);

	if (err)
		return err;
	return accel_cmdbuf_wait(cb, GUEST_JOB_TIMEOUT_NS, result);
}

int guest_device_works(struct accel_device *dev, uint32_t queue)
{
	static uint32_t calls;
	uint32_t value = 0x57a7e000u ^ ((uint32_t)getpid() << 8) ^ ++calls;
	struct accel_job_result r;
	struct accel_cmdbuf *cb = NULL;
	struct accel_bo *bo = NULL;
	void *map;
	char text[256];
	int err;

	err = guest_bo_new(dev, 2 * 4096, &bo, &map);
	if (!err)
		err = accel_cmdbuf_create(dev, &cb);
	if (!err)
		err = accel_cmdbuf_fill(cb, accel_bo_addr(bo), 2 * 4096, value);
	if (!err)
		err = guest_run(cb, queue, &bo, 1, &r);
	if (err) {
		accel_device_last_error(dev, text, sizeof(text));
		fprintf(stderr, "# follow-up job on queue %u failed: %s (%s)\n",
			queue, accel_strerror(err), text);
	} else {
		err = guest_expect_u32(map, 2 * 4096, value, "follow-up FILL");
	}
	accel_cmdbuf_destroy(cb);
	accel_bo_free(bo);
	return err;
}

long guest_recovery_counter(const char *name)
{
	char line[128];
	size_t len = strlen(name);
	long val = -1;
	glob_t g;
	FILE *f;

	if (glob("/sys/kernel/debug/accel/*/recovery", 0, NULL, &g))
		return -1;
	f = g.gl_pathc == 1 ? fopen(g.gl_pathv[0], "r") : NULL;
	globfree(&g);
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, name, len) && line[len] == ':')
			val = strtol(line + len + 1, NULL, 10);
	fclose(f);
	return val;
}
