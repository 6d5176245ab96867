// SPDX-License-Identifier: GPL-2.0
/*
 * Quasar NPU: PRIME import.
 *
 * A BO is mapped into exactly one context, the one of the file that holds
 * it. So an import, even of a dma-buf this device exported itself, is
 * always a new object over the buffer's pages, attached to the dma-buf like
 * any other importer (the attachment keeps the exporter's pages pinned and
 * the exporter alive). drm_gem_prime_import() would instead hand our own
 * exports back as the exporter's object, which another file cannot map.
 * The importing file maps it when it opens it (quasar_gem_open()); the
 * same file importing its own export gets its handle back from the PRIME
 * lookup before this is reached.
 */
#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/module.h>
#include <linux/scatterlist.h>

#include <drm/drm_device.h>
#include <drm/drm_gem.h>
#include <drm/drm_gem_shmem_helper.h>
#include <drm/drm_print.h>

#include "hw/quasar_hw_interface.h"
#include "quasar_gem.h"
#include "quasar_prime.h"

MODULE_IMPORT_NS(DMA_BUF);

/*
 * The device maps whole pages: every DMA segment must start and end on a
 * device page, and the segments must cover the buffer's page-rounded size.
 */
static int quasar_prime_check_sgt(struct drm_device *drm, struct sg_table *sgt,
				  size_t size)
{
	struct scatterlist *sg;
	u64 total = 0;
	unsigned int i;

	for_each_sgtable_dma_sg(sgt, sg, i) {
		if (!IS_ALIGNED(sg_dma_address(sg) | sg_dma_len(sg),
				QUASAR_PAGE_SIZE)) {
			drm_dbg_prime(drm, "segment %u at %pad, %u bytes: not page aligned\n",
				      i, &sg_dma_address(sg), sg_dma_len(sg));
			return -EINVAL;
		}
		total += sg_dma_len(sg);
	}
	if (total != PAGE_ALIGN(size)) {
		drm_dbg_prime(drm, "segments cover %llu bytes of %zu\n", total,
			      size);
		return -EINVAL;
	}
	return 0;
}

struct drm_gem_object *quasar_prime_import(struct drm_device *drm,
					   struct dma_buf *dma_buf)
{
	struct dma_buf_attachment *attach;
	struct drm_gem_object *obj;
	struct sg_table *sgt;
	int ret;

	if (dma_buf->size > QUASAR_BO_MAX_SIZE)
		return ERR_PTR(-E2BIG);

	attach = dma_buf_attach(dma_buf, drm->dev);
	if (IS_ERR(attach))
		return ERR_CAST(attach);
	get_dma_buf(dma_buf);

	sgt = dma_buf_map_attachment_unlocked(attach, DMA_BIDIRECTIONAL);
	if (IS_ERR(sgt)) {
		ret = PTR_ERR(sgt);
		goto err_detach;
	}
	ret = quasar_prime_check_sgt(drm, sgt, dma_buf->size);
	if (ret)
		goto err_unmap;

	obj = drm_gem_shmem_prime_import_sg_table(drm, attach, sgt);
	if (IS_ERR(obj)) {
		ret = PTR_ERR(obj);
		goto err_unmap;
	}
	/* drm_gem_shmem_free() detaches and unmaps from here on. */
	obj->import_attach = attach;
	obj->resv = dma_buf->resv;
	return obj;

err_unmap:
	dma_buf_unmap_attachment_unlocked(attach, sgt, DMA_BIDIRECTIONAL);
err_detach:
	dma_buf_detach(dma_buf, attach);
	dma_buf_put(dma_buf);
	return ERR_PTR(ret);
}
