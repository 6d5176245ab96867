/* SPDX-License-Identifier: MIT */
/*
 * Quasar models: what a device program did over a data set, as a text
 * file that one machine writes and another compares with its own run.
 * The host writes them for a packed model at build time (the firmware in
 * process, mdl-cls-fwrun); the guest computes them again through
 * /dev/accel/accel0 and must find the same: the top-1 count, a digest of
 * every output bit, the stream (rebuilt at the host's region addresses:
 * the same bytes) and every job's modeled statistics.
 *
 * File: "key value" lines, then one "job" line per job, e.g.
 *
 *	quasar-device-figures 1
 *	model fmnist-mlp-int8-a8-rtn.qpk
 *	variant int8/a8/rtn
 *	qpk_crc 0x5a1c33e0
 *	qpk_size 241456
 *	backend fwrun
 *	batch 1000
 *	items 10000
 *	correct 9012
 *	outputs_fnv64 0x8d0c1f6e2b2c6a11
 *	stream_bytes 1064
 *	stream_fnv64 0x...
 *	stream_base 0x100001000 0x100040000 0x100340000 0x100500000
 *	jobs 10
 *	job 0 rows 1000 status 0 cmd_index 8 clock_mhz 1000 rd_weight_bytes ...
 *
 * and for a language model's run also "prompt P" and "tokens N id id ...".
 *
 * Digests are 64-bit FNV-1a over the little-endian bytes.
 */
#ifndef MDL_DEVICE_FIGURES_H
#define MDL_DEVICE_FIGURES_H

#include <stddef.h>
#include <stdint.h>

#include <accel_ops.h>

#include "mdl_program.h"

#define MDL_FNV64_INIT	0xcbf29ce484222325ull
#define MDL_FIGURES_NAME 64

uint64_t mdl_fnv64(uint64_t h, const void *p, size_t n);

struct mdl_job_figures {
	uint32_t rows;
	uint64_t outputs_fnv64;		/* of this job's outputs */
	struct accel_job_stats st;	/* seqno, queue and device_ns are not kept */
};

struct mdl_dev_figures {
	char model[MDL_FIGURES_NAME];	/* the packed file's base name */
	char variant[MDL_FIGURES_NAME];
	uint32_t qpk_crc;		/* zlib CRC-32 of the whole packed file */
	uint64_t qpk_size;
	char backend[MDL_FIGURES_NAME];
	uint32_t batch;
	uint32_t items, correct;
	uint64_t outputs_fnv64;		/* every output, in item order */
	uint32_t stream_bytes;		/* the full-batch stream at stream_base */
	uint64_t stream_fnv64;
	uint64_t stream_base[MDL_REGIONS];
	uint32_t jobs, cap_jobs;
	struct mdl_job_figures *job;
	/*
	 * A language model's run (mdl_lm_program.h): the tokens fed, the
	 * first @prompt of them as one job, then one job each; the stream
	 * digest is then over every job's stream. 0 and NULL otherwise (and
	 * then the file has no such lines).
	 */
	uint32_t prompt, ntokens;
	uint32_t *tokens;
};

/*
 * Fresh figures of the packed model in file @qpk (its base name, CRC-32 and
 * size), variant @variant, run on @backend.
 */
int mdl_dev_figures_init(struct mdl_dev_figures *f, const char *qpk, const char *variant,
			 const char *backend, char *err, size_t errlen);
void mdl_dev_figures_free(struct mdl_dev_figures *f);
/* Appends a job; 0 or -ENOMEM. */
int mdl_dev_figures_add_job(struct mdl_dev_figures *f, const struct mdl_job_figures *j);
/* The full-batch stream of @l at its own bases, into f->stream_*. */
int mdl_dev_figures_stream(struct mdl_dev_figures *f, const struct mdl_loaded *l, char *err,
			   size_t errlen);

int mdl_dev_figures_write(const char *path, const struct mdl_dev_figures *f, char *err,
			  size_t errlen);
int mdl_dev_figures_read(const char *path, struct mdl_dev_figures *f, char *err,
			 size_t errlen);

/*
 * 0 when @got (a run elsewhere) equals @want in everything a run decides:
 * the file, batch, items, top-1, the outputs' digest, every job's rows,
 * digest and modeled statistics. Otherwise -1 and @why names the first
 * difference. The stream and the backend are not compared here (the
 * stream needs rebuilding at @want's bases: mdl_program_stream()).
 */
int mdl_dev_figures_compare(const struct mdl_dev_figures *want,
			    const struct mdl_dev_figures *got, char *why, size_t whylen);

/* Per-item means over every job: modeled cycles, energy (uJ) and DRAM bytes. */
void mdl_dev_figures_per_item(const struct mdl_dev_figures *f, double *cycles,
			      double *energy_uj, double *dram_bytes);

#endif /* MDL_DEVICE_FIGURES_H */
