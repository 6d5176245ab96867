/* SPDX-License-Identifier: MIT */
/*
 * Quasar codesign: hardware configurations. A configuration is the modeled
 * device's cost properties, written with the QEMU device's own property
 * names (docs/hw-spec.md section 12), so that one file means the same to
 * the sweep (on fwrun) and to `-device quasar,...`:
 *
 *	# an edge NPU
 *	clock-mhz = 1000
 *	sram-size = 4M
 *	macs-a8-int4 = 4096
 *
 * A file starts from the device's defaults (fw_cost_defaults(), 4 MiB of
 * SRAM, 2 engines) and each line sets one property; '#' starts a comment.
 * An unknown property, a bad value or a property set twice is an error
 * naming the file, line, property and value.
 *
 * A grid file names configurations derived from named ones, a line each:
 *
 *	NAME  BASE  [CHANGE ...]      CHANGE: property=value or property=xFACTOR
 *
 * BASE is a named configuration (BASE.conf in the configurations folder);
 * a property ending in "-*" is every property with that prefix
 * ("macs-*": every MAC rate); xFACTOR scales the base's value (rounded to
 * the nearest integer; the SRAM to a multiple of 64). A line whose NAME
 * is its BASE, without changes, lists the named configuration itself.
 */
#ifndef CDS_CONFIG_H
#define CDS_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "fw_api.h"

#define CDS_NAME_MAX	64

struct cds_config {
	char name[CDS_NAME_MAX];
	char base[CDS_NAME_MAX];	/* the named configuration it derives from */
	int named;			/* a named configuration itself (not a grid point) */
	uint64_t sram_size;		/* sram-size */
	uint32_t engines;		/* engines (no effect on one job's cost) */
	struct fw_cost_params cost;
};

/* The device's defaults (the edge NPU of docs/cost-model.md section 2). */
void cds_config_defaults(struct cds_config *c);
/*
 * Sets @prop to @value ("4M", "2048"); 0, or -EINVAL with @err naming
 * the property and the value (or saying the property is unknown).
 */
int cds_config_set(struct cds_config *c, const char *prop, const char *value, char *err,
		   size_t errlen);
/* A property's value; 0, or -ENOENT for an unknown name. */
int cds_config_get(const struct cds_config *c, const char *prop, uint64_t *value);
/* Reads FILE (named after its base name without ".conf"); errors name FILE:LINE. */
int cds_config_load(const char *path, struct cds_config *c, char *err, size_t errlen);
/* Writes every property, one "property = value" line each (a complete file). */
void cds_config_write(FILE *f, const struct cds_config *c);
/* Every property name in the order cds_config_write() writes them (NULL ends). */
const char *cds_config_prop_at(uint32_t i);
/* 1 if @name is a usable configuration name ([A-Za-z0-9._-]+, shorter than CDS_NAME_MAX). */
int cds_config_name_ok(const char *name);

/*
 * Reads the grid file @path: each line's configuration, its BASE loaded
 * from @dir/BASE.conf. *@out (malloc'd, *@n entries) lists each named
 * configuration a line uses first (in the order they first appear), then
 * the grid points in file order. Errors name the file, line and the bad
 * word; a name used twice is an error.
 */
int cds_grid_load(const char *path, const char *dir, struct cds_config **out, uint32_t *n,
		  char *err, size_t errlen);

#endif /* CDS_CONFIG_H */
