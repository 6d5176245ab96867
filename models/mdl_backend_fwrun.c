// SPDX-License-Identifier: MIT
/*
 * Quasar models: the in-process backend (mdl_backend.h). The firmware runs
 * on host memory through fwrun/, its device VA window sized to the
 * program's regions plus room for the stream; each job is fw_job_run(),
 * as a hardware queue of the device runs it, and its statistics are the
 * firmware's, with the device's default SRAM and cost parameters, or a
 * hardware configuration's (mdl_backend_fwrun_create_hw(): the codesign
 * sweep, codesign/).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fwrun.h"
#include "mdl_backend.h"
#include "mdl_util.h"

/* Room for the stream: far more than a model's forward pass needs. */
#define MDL_FWRUN_STREAM_MAX	(1u << 20)

struct mdl_fwrun_backend {
	struct mdl_backend b;
	struct fwrun r;
	int simd, ready;
	/* the modeled hardware: SRAM bytes, and the cost parameters (with_cost) */
	uint64_t sram_size;
	struct fw_cost_params cost;
	int with_cost;
	bool time_transfers;
	uint64_t base[MDL_REGIONS], size[MDL_REGIONS];
	uint64_t stream_va;
	uint64_t seqno;
};

static struct mdl_fwrun_backend *mdl_fwrun(struct mdl_backend *b)
{
	return (struct mdl_fwrun_backend *)b;
}

static int mdl_fwrun_map(struct mdl_backend *b, const uint64_t size[MDL_REGIONS],
			 uint64_t base[MDL_REGIONS])
{
	struct mdl_fwrun_backend *f = mdl_fwrun(b);
	/*
	 * The window in 2 MiB physical runs, as the device backend's regions
	 * lie in the guest (2 MiB folios, mdl_backend_accel.c): the firmware
	 * reads weights and KV cache rows in place on both, with the same
	 * results and statistics as a copy.
	 */
	struct fwrun_config cfg = { .sram_size = f->sram_size, .simd = f->simd,
				    .contig = 2ull << 20 };
	uint64_t va = FWRUN_PAGE + MDL_FWRUN_STREAM_MAX;
	uint32_t i;

	if (f->ready)
		return mdl_err(b->err, sizeof(b->err), -EBUSY, "fwrun: regions already mapped");
	for (i = 0; i < MDL_REGIONS; i++)
		va += (size[i] + FWRUN_PAGE) & ~(FWRUN_PAGE - 1);
	cfg.va_size = va;
	if (va > FWRUN_VA_MAX || fwrun_init_config(&f->r, &cfg))
		return mdl_err(b->err, sizeof(b->err), -ENOMEM,
			       "fwrun: no firmware with a %llu-byte device window",
			       (unsigned long long)va);
	f->ready = 1;
	if (f->with_cost)
		f->r.eng.cost = f->cost;
	f->r.eng.time_transfers = f->time_transfers;
	for (i = 0; i < MDL_REGIONS; i++) {
		/* an empty region still gets an address of its own */
		f->size[i] = size[i];
		f->base[i] = base[i] = fwrun_alloc(&f->r, size[i] ? size[i] : 64);
	}
	f->stream_va = fwrun_alloc(&f->r, MDL_FWRUN_STREAM_MAX);
	return 0;
}

static int mdl_fwrun_range(struct mdl_fwrun_backend *f, uint32_t region, uint64_t off,
			   uint64_t len)
{
	if (!f->ready || region >= MDL_REGIONS || off > f->size[region] ||
	    len > f->size[region] - off)
		return mdl_err(f->b.err, sizeof(f->b.err), -EINVAL,
			       "fwrun: %llu bytes at %llu of region %u are outside it",
			       (unsigned long long)len, (unsigned long long)off, region);
	return 0;
}

static int mdl_fwrun_write(struct mdl_backend *b, uint32_t region, uint64_t off,
			   const void *src, uint64_t len)
{
	struct mdl_fwrun_backend *f = mdl_fwrun(b);
	int ret = mdl_fwrun_range(f, region, off, len);

	if (!ret)
		fwrun_write(&f->r, f->base[region] + off, src, len);
	return ret;
}

static int mdl_fwrun_read(struct mdl_backend *b, uint32_t region, uint64_t off, void *dst,
			  uint64_t len)
{
	struct mdl_fwrun_backend *f = mdl_fwrun(b);
	int ret = mdl_fwrun_range(f, region, off, len);

	if (!ret)
		fwrun_read(&f->r, f->base[region] + off, dst, len);
	return ret;
}

static uint64_t mdl_fwrun_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int mdl_fwrun_run(struct mdl_backend *b, const void *stream, uint32_t len,
			 struct accel_job_stats *st)
{
	struct mdl_fwrun_backend *f = mdl_fwrun(b);
	const struct fw_job_stats *fs = &f->r.res.stats;
	uint64_t t0;

	if (!f->ready || len > MDL_FWRUN_STREAM_MAX)
		return mdl_err(b->err, sizeof(b->err), -E2BIG,
			       "fwrun: a stream of %u bytes (room for %u)", len,
			       MDL_FWRUN_STREAM_MAX);
	fwrun_write(&f->r, f->stream_va, stream, len);
	t0 = mdl_fwrun_ns();
	fwrun_run_at(&f->r, f->stream_va, len);
	*st = (struct accel_job_stats){
		.status = f->r.res.status, .cmd_index = f->r.res.cmd_index,
		.seqno = ++f->seqno, .queue = 0, .clock_mhz = f->r.eng.cost.clock_mhz,
		.device_ns = mdl_fwrun_ns() - t0,
		.rd_weight_bytes = fs->rd_weights, .rd_meta_bytes = fs->rd_wmeta,
		.rd_act_bytes = fs->rd_act, .wr_bytes = fs->wr_bytes,
		.sram_bytes = fs->sram_bytes, .macs_dense = fs->macs_dense,
		.macs_exec = fs->macs_exec, .vec_elems = fs->vec_elems, .tiles = fs->tiles,
		.cycles_compute = fs->cycles_compute, .cycles_memory = fs->cycles_memory,
		.cycles = fs->cycles, .energy_fj = fs->energy_fj,
	};
	return 0;
}

static void mdl_fwrun_job_time(struct mdl_backend *b, struct mdl_job_time *t)
{
	struct mdl_fwrun_backend *f = mdl_fwrun(b);
	const struct fw_job_time *ft = &f->r.eng.time;

	/* fw_job_run() without a queue: no descriptor seqno, no completion. */
	*t = (struct mdl_job_time){
		.seqno = f->seqno, .job_ns = ft->job_ns, .mmu_ns = ft->mmu_ns,
		.dma_ns = ft->dma_ns, .kernel_ns = ft->kernel_ns, .cpl_ns = ft->cpl_ns,
	};
}

static void mdl_fwrun_destroy(struct mdl_backend *b)
{
	struct mdl_fwrun_backend *f = mdl_fwrun(b);

	if (f->ready)
		fwrun_fini(&f->r);
	free(f);
}

static const struct mdl_backend_ops mdl_fwrun_ops = {
	.map = mdl_fwrun_map,
	.write = mdl_fwrun_write,
	.read = mdl_fwrun_read,
	.run = mdl_fwrun_run,
	.job_time = mdl_fwrun_job_time,
	.destroy = mdl_fwrun_destroy,
};

int mdl_backend_fwrun_create_hw(int simd, uint64_t sram_size, const struct fw_cost_params *cost,
				struct mdl_backend **out)
{
	struct mdl_fwrun_backend *f;

	*out = NULL;
	if (sram_size < MDL_FWRUN_SRAM_MIN || sram_size > MDL_FWRUN_SRAM_MAX || sram_size % 64)
		return -EINVAL;
	f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	f->b.ops = &mdl_fwrun_ops;
	strcpy(f->b.name, simd ? "fwrun" : "fwrun (golden kernels)");
	f->simd = simd;
	f->sram_size = sram_size;
	if (cost) {
		f->cost = *cost;
		f->with_cost = 1;
	}
	*out = &f->b;
	return 0;
}

void mdl_backend_fwrun_time_transfers(struct mdl_backend *b, bool on)
{
	struct mdl_fwrun_backend *f = mdl_fwrun(b);

	f->time_transfers = on;
	if (f->ready)
		f->r.eng.time_transfers = on;
}

int mdl_backend_fwrun_create(int simd, struct mdl_backend **out)
{
	return mdl_backend_fwrun_create_hw(simd, MDL_FWRUN_SRAM, NULL, out);
}
