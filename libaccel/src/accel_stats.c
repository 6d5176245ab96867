// SPDX-License-Identifier: MIT
/* Job statistics: DRM_IOCTL_QUASAR_JOB_STATS on a job's command BO. */
#include <errno.h>

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
