/* SPDX-License-Identifier: MIT */
/*
 * A gate: an unsignalled fence that the test releases when it chooses, put
 * into a syncobj so that a job waits for it. The kernel accepts only
 * existing fences as a job's in-syncs and this kernel has no sw_sync, so the
 * fence comes from vgem (FENCE_ATTACH on a vgem BO, exported through its
 * dma-buf as a sync_file). vgem signals it by itself after 10 s, so a test
 * holds a job back for less than that.
 */
#ifndef GUEST_GATE_H
#define GUEST_GATE_H

#include <stdint.h>

struct guest_gate {
	int vgem_fd;
	uint32_t bo;
	uint32_t fence;
	int attached;
	int released;
};

/*
 * A read-write file of vgem's DRM device, loading vgem first if needed
 * (module at GUEST_VGEM_KO); -errno on failure.
 */
int guest_vgem_open(void);
/* Opens vgem (guest_vgem_open()) and attaches a fence to a BO of it. */
int guest_gate_open(struct guest_gate *g);
/* Replaces the fence of binary syncobj @syncobj (on @fd) with the gate's. */
int guest_gate_arm(struct guest_gate *g, int fd, uint32_t syncobj);
/* Signals the gate's fence. */
int guest_gate_release(struct guest_gate *g);
/* Releases (if still closed) and frees everything. */
void guest_gate_close(struct guest_gate *g);

/* Where the guest image carries vgem.ko (see tests/driver/driver_tests.mk). */
#define GUEST_VGEM_KO "/usr/lib/vgem.ko"

#endif /* GUEST_GATE_H */
