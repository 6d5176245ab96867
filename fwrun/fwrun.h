/* SPDX-License-Identifier: MIT */
/*
 * The in-process firmware runner: the device firmware (firmware/) booted
 * and run on the host, with no VM and no QEMU, exactly as the QEMU device
 * runs it but with host memory behind its HAL.
 *
 * Three layers, each usable alone:
 *
 * - Guest memory (fwrun_mem.c): one plain byte array at a non-zero base
 *   address (FWRUN_MEM_SIZE, or a size of the caller's); any DMA that is
 *   not entirely inside it, or that touches the
 *   injected failure window, fails, just as a bad PCI DMA does in the
 *   device. Helpers build real page tables in it (docs/hw-spec.md section
 *   4) and boot the firmware with this memory as its HAL.
 * - Boot images (fwrun_image.c): a valid image built field by field from
 *   the hardware interface, independently of firmware/tools/fwimage.c (two
 *   writers agreeing with one reader is the check that the format is what
 *   docs/hw-spec.md section 3.1 says).
 * - Jobs (fwrun_job.c): a booted firmware with a compute engine over a
 *   caller-sized SRAM, one context with a writable device VA window of
 *   physically scattered pages (FWRUN_VA_SIZE, or a size of the caller's,
 *   struct fwrun_config), a command stream, and jobs run through
 *   fw_job_run() exactly as a hardware queue runs them. Its results and
 *   per-job statistics are the device's, bit for bit, on the golden
 *   model's kernels or (fwrun_config.simd) the SIMD ones the QEMU device
 *   uses, which are bit-exact with them.
 *
 * Users: the firmware's host tests, libaccel's host tests, the fuzzers,
 * the cost sweep (bench/), the models' device programs on the host
 * (models/mdl_backend_fwrun.c). Not thread-safe: one struct fwrun per thread.
 * Memory exhaustion and addresses outside the memory abort (a caller bug,
 * not a device condition).
 */
#ifndef FWRUN_H
#define FWRUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "drm/quasar_isa.h"
#include "dp_format.h"
#include "dp_quant.h"
#include "fw_api.h"

/* ---- guest memory and page tables (fwrun_mem.c) ---- */

#define FWRUN_MEM_BASE	0x40000000ull
#define FWRUN_MEM_SIZE	(8ull << 20)	/* the default size */
#define FWRUN_PAGE	4096ull

struct fwrun_mem {
	uint8_t *bytes;
	uint64_t size;		/* bytes from FWRUN_MEM_BASE */
	uint64_t next;		/* bump allocator, page granular */
	uint64_t fail_lo;	/* DMA touching [fail_lo, fail_hi) fails */
	uint64_t fail_hi;
	unsigned int log_count;
	char last_log[256];
};

/* Allocates FWRUN_MEM_SIZE bytes of memory (zeroed); returns 0 or -1. */
int fwrun_mem_init(struct fwrun_mem *m);
/* The same with @size bytes (a multiple of FWRUN_PAGE, at least one page). */
int fwrun_mem_init_size(struct fwrun_mem *m, uint64_t size);
void fwrun_mem_fini(struct fwrun_mem *m);
void fwrun_hal_init(struct fw_hal *hal, struct fwrun_mem *m);

/* Zeroed, page-aligned, contiguous guest memory; aborts when exhausted. */
uint64_t fwrun_mem_alloc(struct fwrun_mem *m, uint64_t size);
/* Host pointer for a guest address range; aborts if outside memory. */
uint8_t *fwrun_mem_ptr(struct fwrun_mem *m, uint64_t addr, uint64_t len);

/* A fresh level-2 table, for CTX.ROOT. */
uint64_t fwrun_new_root(struct fwrun_mem *m);
/* Map one page va -> pa (both page aligned) with QUASAR_PTE_* @flags. */
void fwrun_map(struct fwrun_mem *m, uint64_t root, uint64_t va, uint64_t pa,
	       uint64_t flags);
/* Guest address of the level-@level entry for @va (tables must exist). */
uint64_t fwrun_pte_addr(struct fwrun_mem *m, uint64_t root, uint64_t va, int level);
/*
 * Back [va, va + len) (va page aligned) with freshly allocated pages, mapped
 * in reverse physical order so that neighbouring VA pages are never
 * physically contiguous: page-crossing code is really exercised.
 */
void fwrun_map_range(struct fwrun_mem *m, uint64_t root, uint64_t va, uint64_t len,
		     bool writable);
/*
 * The same in runs of @run bytes (page multiples) that are each physically
 * contiguous, the runs in reverse physical order: a @run of one page is
 * fwrun_map_range(), one of @len or more maps the range contiguously.
 */
void fwrun_map_runs(struct fwrun_mem *m, uint64_t root, uint64_t va, uint64_t len,
		    bool writable, uint64_t run);
/* Host pointer to the byte behind @va, by walking the tables. */
uint8_t *fwrun_va_ptr(struct fwrun_mem *m, uint64_t root, uint64_t va);

/* fw_reset with this memory as the HAL, then boot a valid image enabling @ops. */
int fwrun_boot(struct fw_device *fw, struct fwrun_mem *m, uint32_t ops);
/* The same, with a compute engine wired in before the boot (as the device does). */
int fwrun_boot_engine(struct fw_device *fw, struct fwrun_mem *m, uint32_t ops,
		      struct fw_engine *engine);

/* Point context @slot at @root and mark it valid. */
void fwrun_ctx_bind(struct fw_device *fw, unsigned int slot, uint64_t root);

/* ---- boot images (fwrun_image.c) ---- */

#define FWRUN_IMAGE_MAX		4096
#define FWRUN_IMAGE_INFO	"quasar host test image"

/* Offsets of header and section-table fields. */
#define FWRUN_IMAGE_HDR(f)	offsetof(struct quasar_fw_header, f)
#define FWRUN_IMAGE_SEC(i, f)	(sizeof(struct quasar_fw_header) + \
				 (i) * sizeof(struct quasar_fw_section) + \
				 offsetof(struct quasar_fw_section, f))

struct fwrun_image {
	uint8_t bytes[FWRUN_IMAGE_MAX];
	uint32_t size;
	uint32_t info_off;	/* section 0: INFO */
	uint32_t caps_off;	/* section 1: CAPS, the ROM's full masks */
};

/* A valid, sealed image: header, INFO, CAPS. */
void fwrun_image_make(struct fwrun_image *img);
/* Recompute the CRC after editing. */
void fwrun_image_seal(struct fwrun_image *img);
void fwrun_image_put32(struct fwrun_image *img, uint32_t off, uint32_t v);
void fwrun_image_put16(struct fwrun_image *img, uint32_t off, uint16_t v);
uint32_t fwrun_image_get32(const struct fwrun_image *img, uint32_t off);

/* ---- jobs on a booted firmware with a compute engine (fwrun_job.c) ---- */

#define FWRUN_SLOT	3			/* the context jobs run in */
#define FWRUN_VA	0x100000000ull		/* its writable window; page 0: the stream */
#define FWRUN_VA_SIZE	(3ull << 20)		/* the default window */
#define FWRUN_VA_MAX	(1ull << 32)		/* the largest window (below FWRUN_RO_VA) */
#define FWRUN_RO_VA	0x200000000ull		/* one read-only page */
#define FWRUN_HOLE_VA	0x300000000ull		/* never mapped */
#define FWRUN_STREAM_MAX	4096

/* What fwrun_init_config() builds; zero fields take the defaults. */
struct fwrun_config {
	uint64_t sram_size;	/* bytes of SRAM (the device's default: 4 MiB) */
	uint64_t va_size;	/* the writable window, FWRUN_PAGE..FWRUN_VA_MAX (FWRUN_VA_SIZE) */
	/* guest memory (FWRUN_MEM_SIZE, or enough for the window and its tables) */
	uint64_t mem_size;
	bool simd;		/* run GEMM tiles on the SIMD kernels, as the device does */
	/*
	 * Bytes of the window that are physically contiguous, run by run
	 * (fwrun_map_runs()); 0: one page, so that no two neighbouring pages
	 * are. Larger runs let the firmware read weights in place (struct
	 * fw_hal.dma_map), as the device does with a guest's huge pages.
	 */
	uint64_t contig;
};

struct fwrun {
	struct fwrun_mem mem;
	struct fw_device fw;
	struct fw_engine eng;
	void *sram;
	void *ws;		/* the SIMD kernels' scratch (config.simd) */
	uint64_t root;
	uint64_t va_size;	/* the writable window's size */
	uint64_t next;		/* VA bump allocator */
	uint8_t stream[FWRUN_STREAM_MAX];
	uint32_t len;
	struct fw_job_result res;	/* of the last fwrun_run() or fwrun_run_at() */
};

/* Boots the firmware with every op and a @sram_size-byte SRAM; 0 or -1. */
int fwrun_init(struct fwrun *r, uint64_t sram_size);
/* The same with the sizes of @cfg (NULL: every default). */
int fwrun_init_config(struct fwrun *r, const struct fwrun_config *cfg);
void fwrun_fini(struct fwrun *r);
/* A fresh device VA range, 64-byte aligned; aborts when the window is full. */
uint64_t fwrun_alloc(struct fwrun *r, uint64_t size);
void fwrun_write(struct fwrun *r, uint64_t va, const void *src, uint64_t len);
void fwrun_read(struct fwrun *r, uint64_t va, void *dst, uint64_t len);
/* fwrun_alloc() then fwrun_write(); returns the VA. */
uint64_t fwrun_upload(struct fwrun *r, const void *src, uint64_t len);
/* Appends @n bytes of commands to the stream; aborts past FWRUN_STREAM_MAX. */
void fwrun_emit(struct fwrun *r, const void *cmd, size_t n);
void fwrun_emit_isa_version(struct fwrun *r, uint32_t version);
/* Runs the stream as one job (fetched through the MMU) into r->res, then clears it. */
void fwrun_run(struct fwrun *r);
/*
 * Runs @len bytes of commands already at @va (e.g. fwrun_upload()ed: any
 * length a hardware descriptor takes) as one job into r->res.
 */
void fwrun_run_at(struct fwrun *r, uint64_t va, uint32_t len);
/* A plain tensor with dense strides. */
struct drm_quasar_tensor fwrun_tensor(uint64_t addr, uint32_t fmt, uint32_t d0, uint32_t d1,
				      uint32_t d2, uint32_t d3);

/* Packed weights: the host copy (for the golden model) and the device copy. */
struct fwrun_weights {
	struct dp_wt w;
	struct dp_geom g;
	struct dp_wt_buf buf;
	struct drm_quasar_tensor t;
	struct drm_quasar_wparams wp;
};

/*
 * Quantizes @src (N x K FP32, row stride K) into @fmt (an ISA W_* format)
 * with the datapath's quantizer, INT4 groups of 32, and uploads every
 * buffer. Returns 0, or -1 for a format/shape the datapath refuses.
 */
int fwrun_weights_quantize(struct fwrun *r, struct fwrun_weights *w, uint32_t fmt,
			   uint32_t n, uint32_t k, const float *src, bool zeros);
void fwrun_weights_free(struct fwrun_weights *w);

#endif /* FWRUN_H */
