// SPDX-License-Identifier: GPL-2.0
/*
 * Quasar NPU: DRM fdinfo, the per-client usage that tools like gputop read
 * from /proc/<pid>/fdinfo/<fd>: the memory of the file's BOs
 * (drm-total-memory, drm-shared-memory, drm-active-memory) and, per
 * hardware queue, the device time its jobs took (drm-engine-q<N>) and the
 * cycles the device's cost model charged them (drm-cycles-q<N>), which,
 * unlike the emulator's wall time, are what the modeled NPU would take.
 * Driver-specific keys (quasar-*) carry the rest of the cost model's
 * totals: executed MACs, bytes read and written, energy in femtojoules.
 */
#include <drm/drm_file.h>
#include <drm/drm_print.h>

#include "quasar_drv.h"
#include "quasar_fdinfo.h"
#include "quasar_mmu.h"

void quasar_show_fdinfo(struct drm_printer *p, struct drm_file *file)
{
	struct quasar_file *qfile = to_quasar_file(file);
	struct quasar_ctx *ctx = qfile->ctx;
	unsigned int q;

	drm_show_memory_stats(p, file);
	for (q = 0; q < qfile->qdev->num_hwqs; q++)
		drm_printf(p, "drm-engine-q%u:\t%lld ns\n", q,
			   atomic64_read(&ctx->busy_ns[q]));
	for (q = 0; q < qfile->qdev->num_hwqs; q++)
		drm_printf(p, "drm-cycles-q%u:\t%lld\n", q,
			   atomic64_read(&ctx->cycles[q]));
	drm_printf(p, "quasar-macs:\t%lld\n", atomic64_read(&ctx->macs));
	drm_printf(p, "quasar-read-bytes:\t%lld\n", atomic64_read(&ctx->rd_bytes));
	drm_printf(p, "quasar-write-bytes:\t%lld\n", atomic64_read(&ctx->wr_bytes));
	drm_printf(p, "quasar-energy-fj:\t%lld\n", atomic64_read(&ctx->energy_fj));
}
