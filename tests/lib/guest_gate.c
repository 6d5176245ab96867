// SPDX-License-Identifier: MIT
/* Gates from vgem fences; see guest_gate.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/dma-buf.h>
#include <xf86drm.h>

#include "guest_gate.h"

/*
 * vgem's uapi (include/uapi/drm/vgem_drm.h, MIT), which libdrm does not
 * ship; the kernel's copy cannot be included beside libdrm's drm.h.
 */
struct drm_vgem_fence_attach {
	__u32 handle;
	__u32 flags;
#define VGEM_FENCE_WRITE 0x1
	__u32 out_fence;
	__u32 pad;
};

struct drm_vgem_fence_signal {
	__u32 fence;
	__u32 flags;
};

#define DRM_IOCTL_VGEM_FENCE_ATTACH \
	DRM_IOWR(DRM_COMMAND_BASE + 0x1, struct drm_vgem_fence_attach)
#define DRM_IOCTL_VGEM_FENCE_SIGNAL \
	DRM_IOW(DRM_COMMAND_BASE + 0x2, struct drm_vgem_fence_signal)

static int guest_vgem_load(void)
{
	int fd = open(GUEST_VGEM_KO, O_RDONLY | O_CLOEXEC);
	int err = 0;

	if (fd < 0) {
		fprintf(stderr, "# gate: cannot open %s: %s\n", GUEST_VGEM_KO,
			strerror(errno));
		return -errno;
	}
	if (syscall(SYS_finit_module, fd, "", 0) && errno != EEXIST) {
		err = -errno;
		fprintf(stderr, "# gate: loading vgem failed: %s\n", strerror(errno));
	}
	close(fd);
	return err;
}

/* The first /dev/dri/card* whose driver is vgem, or -ENODEV. */
static int guest_vgem_find(void)
{
	struct dirent *de;
	DIR *d = opendir("/dev/dri");
	int found = -ENODEV;

	if (!d)
		return -ENODEV;
	while (found < 0 && (de = readdir(d))) {
		char path[280];
		drmVersionPtr v;
		int fd;

		if (strncmp(de->d_name, "card", 4))
			continue;
		snprintf(path, sizeof(path), "/dev/dri/%s", de->d_name);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		v = drmGetVersion(fd);
		if (v && !strcmp(v->name, "vgem"))
			found = fd;
		else
			close(fd);
		drmFreeVersion(v);
	}
	closedir(d);
	return found;
}

int guest_vgem_open(void)
{
	int fd = guest_vgem_find(), err;

	if (fd >= 0)
		return fd;
	err = guest_vgem_load();
	if (err)
		return err;
	fd = guest_vgem_find();
	if (fd < 0)
		fprintf(stderr, "# gate: vgem loaded but no /dev/dri/card* is vgem\n");
	return fd;
}

int guest_gate_open(struct guest_gate *g)
{
	struct drm_mode_create_dumb dumb = { .width = 1024, .height = 1, .bpp = 32 };
	struct drm_vgem_fence_attach attach = { .flags = VGEM_FENCE_WRITE };
	int fd;

	memset(g, 0, sizeof(*g));
	g->vgem_fd = -1;
	fd = guest_vgem_open();
	if (fd < 0)
		return fd;
	g->vgem_fd = fd;
	if (ioctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, &dumb))
		return -errno;
	g->bo = dumb.handle;
	attach.handle = g->bo;
	if (ioctl(fd, DRM_IOCTL_VGEM_FENCE_ATTACH, &attach))
		return -errno;
	g->fence = attach.out_fence;
	g->attached = 1;
	return 0;
}

int guest_gate_arm(struct guest_gate *g, int fd, uint32_t syncobj)
{
	struct dma_buf_export_sync_file exp = { .flags = DMA_BUF_SYNC_WRITE, .fd = -1 };
	int dmabuf = -1, err = 0;

	if (drmPrimeHandleToFD(g->vgem_fd, g->bo, DRM_CLOEXEC, &dmabuf))
		return -errno;
	if (ioctl(dmabuf, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, &exp))
		err = -errno;
	else if (drmSyncobjImportSyncFile(fd, syncobj, exp.fd))
		err = -errno;
	if (exp.fd >= 0)
		close(exp.fd);
	close(dmabuf);
	return err;
}

int guest_gate_release(struct guest_gate *g)
{
	struct drm_vgem_fence_signal sig = { .fence = g->fence };

	if (g->released)
		return 0;
	if (ioctl(g->vgem_fd, DRM_IOCTL_VGEM_FENCE_SIGNAL, &sig))
		return -errno;
	g->released = 1;
	return 0;
}

void guest_gate_close(struct guest_gate *g)
{
	struct drm_gem_close cl = { .handle = g->bo };

	if (g->vgem_fd < 0)
		return;
	if (g->attached)
		guest_gate_release(g);
	if (g->bo)
		ioctl(g->vgem_fd, DRM_IOCTL_GEM_CLOSE, &cl);
	close(g->vgem_fd);
	g->vgem_fd = -1;
}
