// SPDX-License-Identifier: GPL-2.0
/*
 * Quasar NPU: a tmpfs mount with huge=within_size for the BOs' pages.
 *
 * The device reads a weight tile where it lies in guest memory when its
 * pages are physically contiguous (docs/cost-model.md, firmware/fw_wplace.c),
 * and copies it otherwise. Pages from the kernel's shmem mount are 4 KiB
 * and scattered; from this mount a BO gets 2 MiB folios wherever its size
 * covers them and memory allows, as v3d and i915 do with their "gemfs".
 * Linux 6.12 has no drm_gem_shmem_create_with_mnt() (6.13 has), so a new
 * BO's still empty shmem file is replaced by one on this mount before its
 * first page is allocated. Without THP, or if the mount fails, BOs keep
 * the default mount: nothing but the speed of the device depends on it.
 */
#include <linux/fs.h>
#include <linux/mount.h>
#include <linux/pagemap.h>
#include <linux/shmem_fs.h>

#include <drm/drm_gem.h>

#include "quasar_gemfs.h"

static struct vfsmount *quasar_gemfs;

void quasar_gemfs_init(void)
{
	struct file_system_type *type = get_fs_type("tmpfs");
	char huge[] = "huge=within_size";
	struct vfsmount *mnt;

	if (!type || !IS_ENABLED(CONFIG_TRANSPARENT_HUGEPAGE))
		return;
	mnt = vfs_kern_mount(type, SB_KERNMOUNT, type->name, huge);
	if (IS_ERR(mnt)) {
		pr_info("quasar: no huge-page tmpfs (%ld), BOs use 4 KiB pages\n",
			PTR_ERR(mnt));
		return;
	}
	quasar_gemfs = mnt;
}

void quasar_gemfs_fini(void)
{
	if (quasar_gemfs)
		kern_unmount(quasar_gemfs);
	quasar_gemfs = NULL;
}

/* Before the BO's first page: its file moves to the huge-page mount. */
void quasar_gemfs_adopt(struct drm_gem_object *obj)
{
	struct file *filp;

	if (!quasar_gemfs)
		return;
	filp = shmem_file_setup_with_mnt(quasar_gemfs, "quasar", obj->size,
					 VM_NORESERVE);
	if (IS_ERR(filp))
		return;
	mapping_set_gfp_mask(filp->f_mapping, mapping_gfp_mask(obj->filp->f_mapping));
	fput(obj->filp);
	obj->filp = filp;
}
