// SPDX-License-Identifier: MIT
/*
 * Job statistics: DRM_IOCTL_QUASAR_JOB_STATS on a job's command BO, and
 * the cost report, the figures derived from the statistics and their text.
 * The report needs no device, so the host tests check the text against
 * hand-worked examples (docs/cost-model.md section 5).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "accel_internal.h"

int accel_job_stats(struct accel_bo *cmd_bo, struct accel_job_stats *out)
{
	struct drm_quasar_job_stats a = { .handle = cmd_bo->handle };
	int err = accel_ioctl(cmd_bo->dev->fd, DRM_IOCTL_QUASAR_JOB_STATS, &a);

	/*
	 * DRM answers an ioctl number past the driver's table with -EINVAL;
	 * this call sets no flag or pad, so -EINVAL means an older driver.
	 */
	if (err == -ENOTTY || err == -EINVAL)
		return accel_fail(cmd_bo->dev, -ENOTTY,
				  "JOB_STATS(BO %u): this kernel driver reports no job statistics",
				  cmd_bo->handle);
	if (err == -ENODATA)
		return accel_fail(cmd_bo->dev, err,
				  "JOB_STATS(BO %u): no job has ended with this command BO yet",
				  cmd_bo->handle);
	if (err)
		return accel_fail(cmd_bo->dev, err, "JOB_STATS(BO %u)", cmd_bo->handle);
	*out = (struct accel_job_stats){
		.status = a.status, .cmd_index = a.cmd_index, .seqno = a.seqno,
		.queue = a.queue, .clock_mhz = a.clock_mhz, .device_ns = a.device_ns,
		.rd_weight_bytes = a.rd_weight_bytes, .rd_meta_bytes = a.rd_meta_bytes,
		.rd_act_bytes = a.rd_act_bytes, .wr_bytes = a.wr_bytes,
		.sram_bytes = a.sram_bytes, .macs_dense = a.macs_dense,
		.macs_exec = a.macs_exec, .vec_elems = a.vec_elems, .tiles = a.tiles,
		.cycles_compute = a.cycles_compute, .cycles_memory = a.cycles_memory,
		.cycles = a.cycles, .energy_fj = a.energy_fj,
	};
	return 0;
}

int accel_cmdbuf_stats(struct accel_cmdbuf *cb, struct accel_job_stats *out)
{
	return accel_job_stats(cb->bo, out);
}

void accel_job_cost(const struct accel_job_stats *s, struct accel_job_cost *c)
{
	/* 2 operations per MAC, the convention TOPS figures use. */
	double ops = 2.0 * (double)s->macs_dense;

	*c = (struct accel_job_cost){ 0 };
	c->dram_bytes = s->rd_weight_bytes + s->rd_meta_bytes + s->rd_act_bytes + s->wr_bytes;
	if (s->clock_mhz)
		c->time_us = (double)s->cycles / s->clock_mhz;
	c->energy_uj = (double)s->energy_fj / 1e9;
	if (s->macs_dense)
		c->pj_per_mac = (double)s->energy_fj / 1e3 / (double)s->macs_dense;
	if (c->dram_bytes)
		c->ops_per_byte = ops / (double)c->dram_bytes;
	if (c->time_us > 0)
		c->tops = ops / (c->time_us * 1e-6) / 1e12;
	c->memory_bound = s->cycles && s->cycles_memory >= s->cycles_compute;
}

/* snprintf that appends at *@pos and keeps counting past the end of @buf. */
static void accel_put(char *buf, size_t len, size_t *pos, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void accel_put(char *buf, size_t len, size_t *pos, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(*pos < len ? buf + *pos : NULL, *pos < len ? len - *pos : 0, fmt, ap);
	va_end(ap);
	if (n > 0)
		*pos += (size_t)n;
}

static double accel_pct(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

int accel_job_report(const struct accel_job_stats *s, const char *title, char *buf,
		     size_t len)
{
	unsigned long long rd = s->rd_weight_bytes + s->rd_meta_bytes + s->rd_act_bytes;
	struct accel_job_cost c;
	size_t pos = 0;

	if (len)
		buf[0] = '\0';
	accel_job_cost(s, &c);
	accel_put(buf, len, &pos, "%s%sstatus %s after %u commands, queue %u, seqno %llu\n",
		  title ? title : "", title ? ": " : "", accel_status_name(s->status),
		  s->cmd_index, s->queue, (unsigned long long)s->seqno);
	accel_put(buf, len, &pos,
		  "  bytes      weights %llu, scales/zeros/meta %llu, activations %llu, written %llu\n"
		  "             DRAM %llu (read %llu), SRAM %llu\n",
		  (unsigned long long)s->rd_weight_bytes, (unsigned long long)s->rd_meta_bytes,
		  (unsigned long long)s->rd_act_bytes, (unsigned long long)s->wr_bytes,
		  (unsigned long long)c.dram_bytes, rd, (unsigned long long)s->sram_bytes);
	accel_put(buf, len, &pos,
		  "  MACs       dense %llu, executed %llu (%.0f%%), vector ops %llu, tiles %llu\n",
		  (unsigned long long)s->macs_dense, (unsigned long long)s->macs_exec,
		  accel_pct(s->macs_exec, s->macs_dense), (unsigned long long)s->vec_elems,
		  (unsigned long long)s->tiles);
	accel_put(buf, len, &pos, "  cycles     compute %llu, memory %llu, total %llu",
		  (unsigned long long)s->cycles_compute, (unsigned long long)s->cycles_memory,
		  (unsigned long long)s->cycles);
	if (!s->cycles)
		accel_put(buf, len, &pos, " (no modeled work)\n");
	else if (c.memory_bound)
		accel_put(buf, len, &pos, " -> memory-bound (compute busy %.0f%%)\n",
			  accel_pct(s->cycles_compute, s->cycles));
	else
		accel_put(buf, len, &pos, " -> compute-bound (memory busy %.0f%%)\n",
			  accel_pct(s->cycles_memory, s->cycles));
	accel_put(buf, len, &pos, "  time       %.3f us at %u MHz (emulated in %.3f ms)\n",
		  c.time_us, s->clock_mhz, (double)s->device_ns / 1e6);
	accel_put(buf, len, &pos, "  energy     %.6f uJ (%.3f pJ per dense MAC)\n", c.energy_uj,
		  c.pj_per_mac);
	accel_put(buf, len, &pos, "  intensity  %.2f ops/byte of DRAM traffic (2 ops per MAC)\n",
		  c.ops_per_byte);
	accel_put(buf, len, &pos, "  throughput %.4f effective TOPS\n", c.tops);
	return pos > INT32_MAX ? INT32_MAX : (int)pos;
}
