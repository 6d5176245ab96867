// SPDX-License-Identifier: GPL-2.0
/*
 * Quasar NPU: DRM fdinfo, the per-client usage that tools like gputop read
 * from /proc/<pid>/fdinfo/<fd>: the memory of the file's BOs
 * (drm-total-memory, drm-shared-memory, drm-active-memory) and, per
 * hardware queue, the device time its jobs took (drm-engine-q<N>). There
 * is no drm-cycles: the device does not count cycles per job yet.
 */
#include <drm/drm_file.h>
#include <drm/drm_print.h>

#include "quasar_drv.h"
#include "quasar_fdinfo.h"
#include "quasar_mmu.h"

void quasar_show_fdinfo(struct drm_printer *p, struct drm_file *file)
{
	struct quasar_file *qfile = to_quasar_file(file);
	unsigned int q;

	drm_show_memory_stats(p, file);
	for (q = 0; q < qfile->qdev->num_queues; q++)
		drm_printf(p, "drm-engine-q%u:\t%lld ns\n", q,
			   atomic64_read(&qfile->ctx->busy_ns[q]));
}
