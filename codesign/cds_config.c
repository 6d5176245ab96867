// SPDX-License-Identifier: MIT
/*
 * Quasar codesign: hardware configurations (cds_config.h), the device's
 * cost properties under the QEMU device's names (qemu-device/quasar.c's
 * property list, docs/hw-spec.md section 12) and its limits.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cds_config.h"
#include "drm/quasar_isa.h"

/* The device's limits (qemu-device/quasar_engine.c, quasar.c) */
#define CDS_SRAM_MIN	(64ull << 10)
#define CDS_SRAM_MAX	(256ull << 20)
#define CDS_ENGINES_MAX	4

enum cds_prop_kind { CDS_PROP_SIZE, CDS_PROP_U32 };

struct cds_prop {
	const char *name;
	enum cds_prop_kind kind;
	size_t off;		/* of the uint32_t (or uint64_t sram_size) in struct cds_config */
	uint32_t min;
};

#define CDS_COST(f)	(offsetof(struct cds_config, cost) + offsetof(struct fw_cost_params, f))
#define CDS_FMT(arr, fmt)	(CDS_COST(arr) + sizeof(uint32_t) * DRM_QUASAR_FORMAT_W_##fmt)
#define CDS_FMT_PROPS(s, fmt) \
	{ "macs-a16-" s, CDS_PROP_U32, CDS_FMT(macs_a16, fmt), 0 }, \
	{ "macs-a8-" s, CDS_PROP_U32, CDS_FMT(macs_a8, fmt), 0 }, \
	{ "fj-mac-a16-" s, CDS_PROP_U32, CDS_FMT(fj_mac_a16, fmt), 0 }, \
	{ "fj-mac-a8-" s, CDS_PROP_U32, CDS_FMT(fj_mac_a8, fmt), 0 }

static const struct cds_prop cds_props[] = {
	{ "engines", CDS_PROP_U32, offsetof(struct cds_config, engines), 1 },
	{ "sram-size", CDS_PROP_SIZE, offsetof(struct cds_config, sram_size), 0 },
	{ "clock-mhz", CDS_PROP_U32, CDS_COST(clock_mhz), 1 },
	{ "dram-bytes-per-cycle", CDS_PROP_U32, CDS_COST(dram_bpc), 0 },
	{ "sram-bytes-per-cycle", CDS_PROP_U32, CDS_COST(sram_bpc), 0 },
	{ "vector-elems-per-cycle", CDS_PROP_U32, CDS_COST(vec_per_cycle), 0 },
	{ "fj-vector-elem", CDS_PROP_U32, CDS_COST(fj_vec), 0 },
	{ "fj-dram-byte", CDS_PROP_U32, CDS_COST(fj_dram_byte), 0 },
	{ "fj-sram-byte", CDS_PROP_U32, CDS_COST(fj_sram_byte), 0 },
	CDS_FMT_PROPS("bf16", BF16),
	CDS_FMT_PROPS("int8", INT8),
	CDS_FMT_PROPS("int4", INT4),
	CDS_FMT_PROPS("mxint8", MXINT8),
	CDS_FMT_PROPS("mxfp8", MXFP8),
	CDS_FMT_PROPS("mxfp4", MXFP4),
	CDS_FMT_PROPS("nvfp4", NVFP4),
	CDS_FMT_PROPS("sp-bf16", SP_BF16),
	CDS_FMT_PROPS("sp-int8", SP_INT8),
	CDS_FMT_PROPS("sp-int4", SP_INT4),
};

#define CDS_NPROPS	(sizeof(cds_props) / sizeof(cds_props[0]))

static int cds_err(char *err, size_t errlen, int ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return ret;
}

const char *cds_config_prop_at(uint32_t i)
{
	return i < CDS_NPROPS ? cds_props[i].name : NULL;
}

static const struct cds_prop *cds_prop_find(const char *name)
{
	for (size_t i = 0; i < CDS_NPROPS; i++)
		if (!strcmp(cds_props[i].name, name))
			return &cds_props[i];
	return NULL;
}

void cds_config_defaults(struct cds_config *c)
{
	memset(c, 0, sizeof(*c));
	fw_cost_defaults(&c->cost);
	c->sram_size = 4ull << 20;
	c->engines = 2;
}

int cds_config_name_ok(const char *name)
{
	size_t n = strlen(name);

	if (!n || n >= CDS_NAME_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)name[i]) && !strchr("._-", name[i]))
			return 0;
	return 1;
}

/* A size as QEMU's size properties take it: bytes, or K/M/G (binary) after the number. */
static int cds_parse_size(const char *s, uint64_t *v)
{
	char *end;
	unsigned long long n;
	int shift = 0;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	n = strtoull(s, &end, 10);
	if (errno)
		return -1;
	switch (*end) {
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	}
	if (*end || n > (UINT64_MAX >> shift))
		return -1;
	*v = (uint64_t)n << shift;
	return 0;
}

/* Checks @v against @p's limits; NULL, or the reason. */
static const char *cds_prop_check(const struct cds_prop *p, uint64_t v)
{
	if (p->kind == CDS_PROP_SIZE)
		return v < CDS_SRAM_MIN || v > CDS_SRAM_MAX || v % 64 ?
		       "not a multiple of 64 in 64K..256M" : NULL;
	if (v > UINT32_MAX)
		return "more than 4294967295";
	if (v < p->min)
		return p->min == 1 ? "must be at least 1" : "too small";
	if (p->off == offsetof(struct cds_config, engines) && v > CDS_ENGINES_MAX)
		return "not from 1 to 4";
	return NULL;
}

static void cds_prop_store(struct cds_config *c, const struct cds_prop *p, uint64_t v)
{
	uint8_t *base = (uint8_t *)c;

	if (p->kind == CDS_PROP_SIZE)
		memcpy(base + p->off, &v, sizeof(uint64_t));
	else
		*(uint32_t *)(base + p->off) = (uint32_t)v;
}

static uint64_t cds_prop_load(const struct cds_config *c, const struct cds_prop *p)
{
	const uint8_t *base = (const uint8_t *)c;
	uint64_t v;

	if (p->kind == CDS_PROP_SIZE) {
		memcpy(&v, base + p->off, sizeof(v));
		return v;
	}
	return *(const uint32_t *)(base + p->off);
}

int cds_config_set(struct cds_config *c, const char *prop, const char *value, char *err,
		   size_t errlen)
{
	const struct cds_prop *p = cds_prop_find(prop);
	const char *why;
	uint64_t v;

	if (!p)
		return cds_err(err, errlen, -EINVAL, "unknown property '%s' (value '%s')", prop,
			       value);
	if (cds_parse_size(value, &v) || (p->kind == CDS_PROP_U32 && !isdigit(
		(unsigned char)value[strlen(value) - 1])))
		return cds_err(err, errlen, -EINVAL, "property '%s': value '%s' is not %s", prop,
			       value, p->kind == CDS_PROP_SIZE ? "a size (bytes, or with K, M, G)" :
			       "a whole number");
	why = cds_prop_check(p, v);
	if (why)
		return cds_err(err, errlen, -EINVAL, "property '%s': value '%s': %s", prop, value,
			       why);
	cds_prop_store(c, p, v);
	return 0;
}

int cds_config_get(const struct cds_config *c, const char *prop, uint64_t *value)
{
	const struct cds_prop *p = cds_prop_find(prop);

	if (!p)
		return -ENOENT;
	*value = cds_prop_load(c, p);
	return 0;
}

void cds_config_write(FILE *f, const struct cds_config *c)
{
	for (size_t i = 0; i < CDS_NPROPS; i++)
		fprintf(f, "%s = %" PRIu64 "\n", cds_props[i].name, cds_prop_load(c, &cds_props[i]));
}

/* Strips leading and trailing blanks in place. */
static char *cds_trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = 0;
	return s;
}

static void cds_base_name(const char *path, char *name, size_t len)
{
	const char *b = strrchr(path, '/');
	size_t n;

	b = b ? b + 1 : path;
	n = strlen(b);
	if (n > 5 && !strcmp(b + n - 5, ".conf"))
		n -= 5;
	snprintf(name, len, "%.*s", (int)n, b);
}

int cds_config_load(const char *path, struct cds_config *c, char *err, size_t errlen)
{
	unsigned char seen[CDS_NPROPS] = { 0 };
	char line[512], msg[256], *s, *eq, *prop, *val;
	FILE *f = fopen(path, "r");
	uint32_t ln = 0;
	int ret = 0;

	if (!f)
		return cds_err(err, errlen, -errno, "%s: %s", path, strerror(errno));
	cds_config_defaults(c);
	cds_base_name(path, c->name, sizeof(c->name));
	snprintf(c->base, sizeof(c->base), "%s", c->name);
	c->named = 1;
	if (!cds_config_name_ok(c->name))
		ret = cds_err(err, errlen, -EINVAL, "%s: '%s' is not a configuration name "
			      "([A-Za-z0-9._-], at most %d)", path, c->name, CDS_NAME_MAX - 1);
	while (!ret && fgets(line, sizeof(line), f)) {
		const struct cds_prop *p;

		ln++;
		if ((s = strchr(line, '#')))
			*s = 0;
		s = cds_trim(line);
		if (!*s)
			continue;
		eq = strchr(s, '=');
		if (!eq) {
			ret = cds_err(err, errlen, -EINVAL, "%s:%u: '%s' is not 'property = value'",
				      path, ln, s);
			break;
		}
		*eq = 0;
		prop = cds_trim(s);
		val = cds_trim(eq + 1);
		p = cds_prop_find(prop);
		if (p && seen[p - cds_props]) {
			ret = cds_err(err, errlen, -EINVAL, "%s:%u: property '%s' (value '%s') is "
				      "set twice", path, ln, prop, val);
			break;
		}
		if (cds_config_set(c, prop, val, msg, sizeof(msg))) {
			ret = cds_err(err, errlen, -EINVAL, "%s:%u: %s", path, ln, msg);
			break;
		}
		seen[p - cds_props] = 1;
	}
	fclose(f);
	return ret;
}

/* Applies one grid CHANGE: "prop=value", "prop=xFACTOR", "prefix-*=..." (every "prefix-"). */
static int cds_grid_change(struct cds_config *c, const char *change, char *err, size_t errlen)
{
	char prop[128], val[64], msg[256];
	const char *eq = strchr(change, '=');
	size_t n = eq ? (size_t)(eq - change) : 0, pl;
	uint32_t matched = 0;
	double factor = 0;
	int scale;
	char *end;

	if (!eq || !n || n >= sizeof(prop) || strlen(eq + 1) >= sizeof(val) || !eq[1])
		return cds_err(err, errlen, -EINVAL, "'%s' is not property=value or "
			       "property=xFACTOR", change);
	snprintf(prop, sizeof(prop), "%.*s", (int)n, change);
	snprintf(val, sizeof(val), "%s", eq + 1);
	pl = strlen(prop);
	scale = val[0] == 'x';
	if (scale) {
		factor = strtod(val + 1, &end);
		if (*end || !(factor > 0) || !isfinite(factor))
			return cds_err(err, errlen, -EINVAL, "property '%s': factor '%s' is not x "
				       "and a positive number", prop, val);
	}
	for (size_t i = 0; i < CDS_NPROPS; i++) {
		const struct cds_prop *p = &cds_props[i];
		char v[64];

		if (pl > 1 && prop[pl - 1] == '*' && prop[pl - 2] == '-' ?
		    strncmp(p->name, prop, pl - 1) : strcmp(p->name, prop))
			continue;
		matched++;
		if (scale) {
			double x = (double)cds_prop_load(c, p) * factor;

			if (p->kind == CDS_PROP_SIZE)
				x = floor(x / 64 + 0.5) * 64;
			snprintf(v, sizeof(v), "%.0f", floor(x + 0.5));
		} else {
			snprintf(v, sizeof(v), "%s", val);
		}
		if (cds_config_set(c, p->name, v, msg, sizeof(msg)))
			return cds_err(err, errlen, -EINVAL, "%s (from '%s')", msg, change);
	}
	if (!matched)
		return cds_err(err, errlen, -EINVAL, "unknown property '%s' (value '%s')", prop, val);
	return 0;
}

static int cds_grid_find(const struct cds_config *v, uint32_t n, const char *name)
{
	for (uint32_t i = 0; i < n; i++)
		if (!strcmp(v[i].name, name))
			return (int)i;
	return -1;
}

int cds_grid_load(const char *path, const char *dir, struct cds_config **out, uint32_t *n,
		  char *err, size_t errlen)
{
	struct cds_config *named = NULL, *grid = NULL, *all;
	uint32_t nn = 0, ng = 0, ln = 0;
	char line[1024], msg[512], *s, *save, *name, *base, *w;
	FILE *f = fopen(path, "r");
	int ret = 0;

	*out = NULL;
	*n = 0;
	if (!f)
		return cds_err(err, errlen, -errno, "%s: %s", path, strerror(errno));
	while (!ret && fgets(line, sizeof(line), f)) {
		struct cds_config c;
		int b;

		ln++;
		if ((s = strchr(line, '#')))
			*s = 0;
		name = strtok_r(line, " \t\r\n", &save);
		if (!name)
			continue;
		base = strtok_r(NULL, " \t\r\n", &save);
		if (!cds_config_name_ok(name) || !base) {
			ret = cds_err(err, errlen, -EINVAL, "%s:%u: '%s' %s", path, ln, name,
				      !base ? "has no BASE configuration" :
				      "is not a configuration name ([A-Za-z0-9._-])");
			break;
		}
		b = cds_grid_find(named, nn, base);
		if (b < 0) {
			char conf[4096];
			struct cds_config *t;

			if (!cds_config_name_ok(base)) {
				ret = cds_err(err, errlen, -EINVAL, "%s:%u: unknown configuration '%s'",
					      path, ln, base);
				break;
			}
			snprintf(conf, sizeof(conf), "%s/%s.conf", dir, base);
			t = realloc(named, sizeof(*named) * (nn + 1));
			if (!t) {
				ret = cds_err(err, errlen, -ENOMEM, "out of memory");
				break;
			}
			named = t;
			if (cds_config_load(conf, &named[nn], msg, sizeof(msg))) {
				ret = cds_err(err, errlen, -EINVAL, "%s:%u: configuration '%s': %s",
					      path, ln, base, msg);
				break;
			}
			b = (int)nn++;
		}
		c = named[b];
		snprintf(c.name, sizeof(c.name), "%s", name);
		c.named = !strcmp(name, base);
		while (!ret && (w = strtok_r(NULL, " \t\r\n", &save)))
			if (cds_grid_change(&c, w, msg, sizeof(msg)))
				ret = cds_err(err, errlen, -EINVAL, "%s:%u: %s: %s", path, ln, name,
					      msg);
		if (ret)
			break;
		if (c.named)
			continue;	/* the named one itself: listed with the named */
		if (cds_grid_find(grid, ng, name) >= 0 || cds_grid_find(named, nn, name) >= 0) {
			ret = cds_err(err, errlen, -EINVAL, "%s:%u: configuration '%s' named twice",
				      path, ln, name);
			break;
		}
		all = realloc(grid, sizeof(*grid) * (ng + 1));
		if (!all) {
			ret = cds_err(err, errlen, -ENOMEM, "out of memory");
			break;
		}
		grid = all;
		grid[ng++] = c;
	}
	fclose(f);
	for (uint32_t i = 0; !ret && i < ng; i++)
		if (cds_grid_find(named, nn, grid[i].name) >= 0)
			ret = cds_err(err, errlen, -EINVAL, "%s: configuration '%s' named twice", path,
				      grid[i].name);
	if (!ret && !(all = malloc(sizeof(*all) * (nn + ng + 1))))
		ret = cds_err(err, errlen, -ENOMEM, "out of memory");
	if (!ret) {
		memcpy(all, named, sizeof(*all) * nn);
		memcpy(all + nn, grid, sizeof(*all) * ng);
		*out = all;
		*n = nn + ng;
	}
	free(named);
	free(grid);
	return ret;
}
