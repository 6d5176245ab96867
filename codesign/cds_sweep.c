// SPDX-License-Identifier: MIT
/*
 * Quasar codesign: a sweep's folder, its configurations and task IDs
 * (cds_sweep.h).
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cds_sweep.h"

static int cds_serr(char *err, size_t errlen, int ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return ret;
}

void cds_task_id(const char *model, const char *variant, char *id, size_t len)
{
	size_t n = (size_t)snprintf(id, len, "%s-%s", model, variant);

	for (size_t i = 0; i < n && i < len; i++)
		if (!isalnum((unsigned char)id[i]) && id[i] != '.' && id[i] != '-')
			id[i] = '-';
}

int cds_sweep_write_configs(const char *dir, const struct cds_config *cfg, uint32_t n,
			    char *err, size_t errlen)
{
	char path[4096];
	FILE *list, *f;

	snprintf(path, sizeof(path), "%s/configs", dir);
	if (mkdir(path, 0777) && errno != EEXIST)
		return cds_serr(err, errlen, -errno, "%s: %s", path, strerror(errno));
	snprintf(path, sizeof(path), "%s/configs.list", dir);
	list = fopen(path, "w");
	if (!list)
		return cds_serr(err, errlen, -errno, "%s: %s", path, strerror(errno));
	for (uint32_t i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/configs/%s.conf", dir, cfg[i].name);
		f = fopen(path, "w");
		if (!f) {
			fclose(list);
			return cds_serr(err, errlen, -errno, "%s: %s", path, strerror(errno));
		}
		fprintf(f, "# %s: %s (every property of the device, docs/hw-spec.md 12)\n",
			cfg[i].name, cfg[i].named ? "a named configuration" : "a grid point");
		if (!cfg[i].named)
			fprintf(f, "# derived from %s (codesign/configs/grid.tsv)\n", cfg[i].base);
		cds_config_write(f, &cfg[i]);
		if (fclose(f)) {
			fclose(list);
			return cds_serr(err, errlen, -EIO, "%s: write failed", path);
		}
		fprintf(list, "%s\t%s\t%s\n", cfg[i].name, cfg[i].named ? "named" : "grid",
			cfg[i].base);
	}
	if (fclose(list))
		return cds_serr(err, errlen, -EIO, "%s/configs.list: write failed", dir);
	return 0;
}

int cds_sweep_read_configs(const char *dir, struct cds_config **cfg, uint32_t *n, char *err,
			   size_t errlen)
{
	char path[4096], line[512], msg[512], *name, *kind, *base, *save;
	struct cds_config *v = NULL, *t;
	uint32_t cnt = 0, ln = 0;
	FILE *list;
	int ret = 0;

	*cfg = NULL;
	*n = 0;
	snprintf(path, sizeof(path), "%s/configs.list", dir);
	list = fopen(path, "r");
	if (!list)
		return cds_serr(err, errlen, -errno, "%s: %s", path, strerror(errno));
	while (!ret && fgets(line, sizeof(line), list)) {
		ln++;
		name = strtok_r(line, "\t\n", &save);
		kind = name ? strtok_r(NULL, "\t\n", &save) : NULL;
		base = kind ? strtok_r(NULL, "\t\n", &save) : NULL;
		if (!base || (strcmp(kind, "named") && strcmp(kind, "grid"))) {
			ret = cds_serr(err, errlen, -EINVAL, "%s:%u: not NAME<TAB>named|grid<TAB>BASE",
				       path, ln);
			break;
		}
		t = realloc(v, sizeof(*v) * (cnt + 1));
		if (!t) {
			ret = cds_serr(err, errlen, -ENOMEM, "out of memory");
			break;
		}
		v = t;
		snprintf(path, sizeof(path), "%s/configs/%s.conf", dir, name);
		if (cds_config_load(path, &v[cnt], msg, sizeof(msg))) {
			ret = cds_serr(err, errlen, -EINVAL, "%s", msg);
			break;
		}
		v[cnt].named = !strcmp(kind, "named");
		snprintf(v[cnt].base, sizeof(v[cnt].base), "%s", base);
		cnt++;
		snprintf(path, sizeof(path), "%s/configs.list", dir);
	}
	fclose(list);
	if (!ret && !cnt)
		ret = cds_serr(err, errlen, -EINVAL, "%s: no configuration", path);
	if (ret) {
		free(v);
		return ret;
	}
	*cfg = v;
	*n = cnt;
	return 0;
}

void cds_sweep_free_ids(char **ids, uint32_t n)
{
	for (uint32_t i = 0; ids && i < n; i++)
		free(ids[i]);
	free(ids);
}

int cds_sweep_read_ids(const char *dir, char ***ids, uint32_t *n, char *err, size_t errlen)
{
	char path[4096], line[8192];
	char **v = NULL, **t;
	uint32_t cnt = 0, ln = 0;
	FILE *f;
	int ret = 0;

	*ids = NULL;
	*n = 0;
	snprintf(path, sizeof(path), "%s/tasks.tsv", dir);
	f = fopen(path, "r");
	if (!f)
		return cds_serr(err, errlen, -errno, "%s: %s", path, strerror(errno));
	while (!ret && fgets(line, sizeof(line), f)) {
		char *tab = strchr(line, '\t');

		ln++;
		if (line[0] == '\n' || line[0] == '#')	/* as the runner skips them */
			continue;
		if (!tab || tab == line) {
			ret = cds_serr(err, errlen, -EINVAL, "%s:%u: not ID<TAB>COMMAND", path, ln);
			break;
		}
		*tab = 0;
		t = realloc(v, sizeof(*v) * (cnt + 1));
		if (!t || !(t[cnt] = strdup(line))) {
			if (t)
				v = t;
			ret = cds_serr(err, errlen, -ENOMEM, "out of memory");
			break;
		}
		v = t;
		cnt++;
	}
	fclose(f);
	if (ret) {
		cds_sweep_free_ids(v, cnt);
		return ret;
	}
	*ids = v;
	*n = cnt;
	return 0;
}
