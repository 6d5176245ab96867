// SPDX-License-Identifier: MIT
/* Helpers of the observability and power tests; see obs_util.h. */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdbool.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "obs_util.h"

char *obs_read(const char *path)
{
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap);
	ssize_t n;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || !buf) {
		free(buf);
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	for (;;) {
		if (cap - len < 2) {
			char *bigger = realloc(buf, cap * 2);

			if (!bigger)
				break;
			buf = bigger;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n <= 0)
			break;
		len += n;
	}
	close(fd);
	buf[len] = '\0';
	return buf;
}

int obs_write(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, text, strlen(text));
	n = n < 0 ? -errno : 0;
	close(fd);
	return n;
}

int obs_debugfs_dir(char *buf, size_t len)
{
	glob_t g;
	int ret = -ENOENT;

	if (glob("/sys/kernel/debug/accel/*/fw_log", 0, NULL, &g))
		return ret;
	if (g.gl_pathc) {
		snprintf(buf, len, "%s", g.gl_pathv[0]);
		*strrchr(buf, '/') = '\0';
		ret = 0;
	}
	globfree(&g);
	return ret;
}

char *obs_debugfs(const char *name)
{
	char dir[PATH_MAX], path[PATH_MAX + 64];

	if (obs_debugfs_dir(dir, sizeof(dir)))
		return NULL;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return obs_read(path);
}

long long obs_field(const char *text, const char *key)
{
	size_t klen = strlen(key);
	const char *p = text;

	while (p && (p = strstr(p, key))) {
		bool start = p == text || p[-1] == '\n' || p[-1] == ' ' ||
			     p[-1] == '\t';
		const char *v = p + klen;

		if (start && (*v == ':' || *v == '=')) {
			v++;
			while (*v == ' ' || *v == '\t')
				v++;
			return strtoll(v, NULL, 0);
		}
		p += klen;
	}
	return -1;
}

int obs_pci_dir(char *buf, size_t len)
{
	char *real = realpath("/sys/class/accel/accel0/device", NULL);

	if (!real)
		return -errno;
	snprintf(buf, len, "%s", real);
	free(real);
	return 0;
}

static int obs_power_status_is(const char *pci, const char *want)
{
	char path[PATH_MAX + 32], *text;
	int same;

	snprintf(path, sizeof(path), "%s/power/runtime_status", pci);
	text = obs_read(path);
	same = text && !strncmp(text, want, strlen(want));
	free(text);
	return same;
}

int obs_power_wait(const char *pci, const char *want, int seconds)
{
	int i;

	for (i = 0; i < seconds * 10; i++) {
		if (obs_power_status_is(pci, want))
			return 1;
		usleep(100000);
	}
	return 0;
}

int obs_power_cycle(int seconds)
{
	char pci[PATH_MAX], path[PATH_MAX + 32], *old;
	int suspended;

	if (obs_pci_dir(pci, sizeof(pci)))
		return -1;
	snprintf(path, sizeof(path), "%s/power/autosuspend_delay_ms", pci);
	old = obs_read(path);
	if (!old || obs_write(path, "100")) {
		free(old);
		return -1;
	}
	suspended = obs_power_wait(pci, "suspended", seconds);
	obs_write(path, old);
	free(old);
	return suspended ? 0 : -1;
}
