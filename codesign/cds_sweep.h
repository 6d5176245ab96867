/* SPDX-License-Identifier: MIT */
/*
 * Quasar codesign: a sweep's folder (the contract with scripts/sweep.sh,
 * docs/codesign.md):
 *
 *   DIR/configs.list     a configuration a line: NAME<TAB>named|grid<TAB>BASE
 *   DIR/configs/NAME.conf  each one with every property (a complete file)
 *   DIR/tasks.tsv        a task a line: ID<TAB>COMMAND (one variant each,
 *                        `accel-codesign --point ID ...`)
 *   DIR/points/ID.csv    what a task writes: its variant's rows, one per
 *                        configuration (renamed into place when complete)
 *   DIR/work/ID/         a task's scratch (accel-eval's output, the packed model)
 */
#ifndef CDS_SWEEP_H
#define CDS_SWEEP_H

#include <stddef.h>
#include <stdint.h>

#include "cds_config.h"

/* Writes DIR/configs.list and DIR/configs/ for @cfg. */
int cds_sweep_write_configs(const char *dir, const struct cds_config *cfg, uint32_t n,
			    char *err, size_t errlen);
/* Reads them back (each file through cds_config_load()). */
int cds_sweep_read_configs(const char *dir, struct cds_config **cfg, uint32_t *n, char *err,
			   size_t errlen);
/* The IDs of DIR/tasks.tsv, in order (malloc'd array of malloc'd strings). */
int cds_sweep_read_ids(const char *dir, char ***ids, uint32_t *n, char *err, size_t errlen);
void cds_sweep_free_ids(char **ids, uint32_t n);
/* A task ID from a model and variant: "lm-int4-g32-a16-gptq". */
void cds_task_id(const char *model, const char *variant, char *id, size_t len);

#endif /* CDS_SWEEP_H */
