/* SPDX-License-Identifier: MIT */
/*
 * Quasar codesign: one sweep point, a variant on every configuration of
 * the sweep. Its accuracy comes once from accel-eval --device (the whole
 * model's device program on fwrun, read from its --json objects by field
 * name), which also packs the variant (--save-packed); its cost from that
 * packed model's device program on each configuration (cds_cost.h).
 */
#ifndef CDS_POINT_H
#define CDS_POINT_H

#include <stddef.h>
#include <stdint.h>

#include "cds_config.h"

struct cds_point {
	const char *id, *dir;		/* the task's ID and the sweep's folder */
	const char *model;		/* "lm", "cls" */
	const char *variant;		/* FORMAT/ACT[/ALGO] */
	const char *ckpt, *ref, *tag;	/* the checkpoint; QAT/KD: the FP32 one, the name */
	const char *data;		/* Moby Dick data/ or Fashion-MNIST */
	const char *eval;		/* the accel-eval program */
	uint32_t windows;		/* LM: held-out windows for accuracy (0: all) */
	uint32_t limit;			/* classifier: test images for accuracy (0: all) */
	uint32_t decode;		/* LM: decode jobs per configuration */
};

/* Runs @pt on @cfg (@nc of them) and writes DIR/points/ID.csv; 0, or -errno. */
int cds_point_run(const struct cds_point *pt, const struct cds_config *cfg, uint32_t nc,
		  char *err, size_t errlen);

#endif /* CDS_POINT_H */
