/* SPDX-License-Identifier: MIT */
/*
 * Quasar NPU hardware interface: BAR0 register map, firmware image format,
 * device MMU page-table format, hardware queue descriptors and completion
 * records.
 *
 * This header is the one definition shared by the kernel driver, the QEMU
 * device model and the firmware. docs/hw-spec.md is its prose twin; change
 * both in the same commit. All multi-byte fields are little-endian.
 */
#ifndef QUASAR_HW_INTERFACE_H
#define QUASAR_HW_INTERFACE_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdint.h>
#endif

/* ---------------------------------------------------------------------- */
/* PCI identity                                                            */
/* ---------------------------------------------------------------------- */

#define QUASAR_PCI_VENDOR_ID		0x1af4
#define QUASAR_PCI_DEVICE_ID		0x10f0
#define QUASAR_PCI_CLASS		0x120000	/* processing accelerator */
#define QUASAR_PCI_REVISION		0x01

#define QUASAR_BAR_REGS			0	/* 64 KiB of 32-bit registers */
#define QUASAR_BAR_MSIX			2	/* exclusive MSI-X BAR */
#define QUASAR_BAR0_SIZE		0x10000

/* ---------------------------------------------------------------------- */
/* Fixed device limits                                                     */
/* ---------------------------------------------------------------------- */

#define QUASAR_NUM_QUEUES		4
#define QUASAR_NUM_CTX			64
#define QUASAR_RING_MIN_ENTRIES		2
#define QUASAR_RING_MAX_ENTRIES		4096
#define QUASAR_FW_MAX_SIZE		(1u << 20)
#define QUASAR_CMD_STREAM_MAX_SIZE	(4u << 20)

/* MSI-X vectors: vector 0 for device events, vector 1 + q for hardware queue q. */
#define QUASAR_MSIX_DEVICE		0
#define QUASAR_MSIX_QUEUE(q)		(1 + (q))
#define QUASAR_NUM_MSIX			(1 + QUASAR_NUM_QUEUES)

/* ---------------------------------------------------------------------- */
/* BAR0 register map (all registers 32 bits wide, 32-bit accesses only)     */
/* ---------------------------------------------------------------------- */

#define QUASAR_REG_ID			0x0000	/* RO: QUASAR_ID_VALUE */
#define QUASAR_ID_VALUE			0x52534151	/* "QASR" */
#define QUASAR_REG_HW_VERSION		0x0004	/* RO: major << 16 | minor */
#define QUASAR_HW_VERSION_VALUE		0x00000001	/* v0.1 */
#define QUASAR_REG_NUM_QUEUES		0x0008	/* RO */
#define QUASAR_REG_NUM_CTX		0x000c	/* RO */
#define QUASAR_REG_DEV_CTRL		0x0010	/* WO */
#define   QUASAR_DEV_CTRL_RESET		(1u << 0)	/* soft reset, see spec */
#define QUASAR_REG_DEV_STATUS		0x0014	/* RO */
#define   QUASAR_DEV_STATUS_RESETTING	(1u << 0)
#define QUASAR_REG_SCRATCH		0x0018	/* RW, no side effects */
#define QUASAR_REG_NUM_ENGINES		0x001c	/* RO: compute engines (12.1) */

/* Power state and firmware log (hw-spec 10), always on: usable in D3 */
#define QUASAR_REG_POWER_CTRL		0x0030	/* RW: requested state */
#define   QUASAR_POWER_D0		0x0	/* running */
#define   QUASAR_POWER_D3		0x3	/* off: volatile state lost */
#define QUASAR_REG_POWER_STATUS		0x0034	/* RO */
#define   QUASAR_POWER_STATUS_STATE	0x3u		/* current D state */
#define   QUASAR_POWER_STATUS_BUSY	(1u << 8)	/* entering D3 */
#define QUASAR_REG_FWLOG_DATA		0x0038	/* RO: pops up to 4 log bytes */
#define QUASAR_REG_FWLOG_STATUS		0x003c	/* RO */
#define   QUASAR_FWLOG_STATUS_BYTES	0xffffu		/* bytes to read */
#define   QUASAR_FWLOG_STATUS_DROPPED_SHIFT	16	/* lines lost, saturating */
#define QUASAR_FWLOG_SIZE		4096	/* bytes the device keeps */

/* Firmware boot */
#define QUASAR_REG_FW_ADDR_LO		0x0100	/* RW: DMA address of the image */
#define QUASAR_REG_FW_ADDR_HI		0x0104
#define QUASAR_REG_FW_SIZE		0x0108	/* RW: image size in bytes */
#define QUASAR_REG_FW_BOOT		0x010c	/* WO: write QUASAR_FW_BOOT_GO */
#define   QUASAR_FW_BOOT_GO		0x00000001
#define QUASAR_REG_FW_STATUS		0x0110	/* RO: enum quasar_fw_state */
#define QUASAR_REG_FW_ERROR		0x0114	/* RO: enum quasar_fw_error */
#define QUASAR_REG_FW_VERSION		0x0118	/* RO: valid when READY */
#define QUASAR_REG_FW_BUILD_ID		0x011c	/* RO: valid when READY */
#define QUASAR_REG_FW_ABI		0x0120	/* RO: major << 16 | minor */
#define QUASAR_REG_FW_CAPS		0x0124	/* RO: QUASAR_CAP_* when READY */
#define QUASAR_REG_FW_OPS		0x0128	/* RO: 1 << opcode, when READY */
#define QUASAR_REG_FW_FORMATS		0x012c	/* RO: 1 << format, when READY */

enum quasar_fw_state {
	QUASAR_FW_STATE_OFF = 0,
	QUASAR_FW_STATE_BOOTING = 1,
	QUASAR_FW_STATE_READY = 2,
	QUASAR_FW_STATE_ERROR = 3,
};

enum quasar_fw_error {
	QUASAR_FW_OK = 0,
	QUASAR_FW_ERR_DMA = 1,		/* image could not be read */
	QUASAR_FW_ERR_SIZE = 2,		/* size too small, too big, or != header */
	QUASAR_FW_ERR_MAGIC = 3,
	QUASAR_FW_ERR_ABI = 4,		/* ABI major differs or minor too new */
	QUASAR_FW_ERR_HEADER = 5,	/* header_size, flags or reserved bad */
	QUASAR_FW_ERR_CRC = 6,
	QUASAR_FW_ERR_BUILD_ID = 7,	/* image does not match the device ROM */
	QUASAR_FW_ERR_SECTION = 8,	/* section table malformed */
	QUASAR_FW_ERR_CAPS = 9,		/* image enables what the ROM lacks */
	QUASAR_FW_ERR_STATE = 10,	/* boot requested while not OFF */
};

/* Interrupt status (write 1 to clear) and mask (1 = enabled) */
#define QUASAR_REG_IRQ_STATUS		0x0200
#define QUASAR_REG_IRQ_MASK		0x0204
#define   QUASAR_IRQ_QUEUE(q)		(1u << (q))
#define   QUASAR_IRQ_FW_BOOT		(1u << 16)
#define   QUASAR_IRQ_ERROR		(1u << 17)

/*
 * Debug and health block, 0x0300-0x03ff (hw-spec section 11): one-shot
 * fault injection for recovery tests, and the per-hardware-queue progress
 * counters that a hang watchdog compares. Only a PCI or system reset resets
 * it.
 */
#define QUASAR_REG_DBG_INJECT		0x0300	/* RW: arm QUASAR_DBG_* (read: armed) */
#define   QUASAR_DBG_HANG		(1u << 0)	/* next job never ends */
#define   QUASAR_DBG_MMU_FAULT		(1u << 1)	/* next job faults at DBG_FAULT_VA */
#define   QUASAR_DBG_FW_CRASH		(1u << 2)	/* firmware crashes at next job */
#define   QUASAR_DBG_LOST_IRQ		(1u << 3)	/* next completion raises no cause */
#define   QUASAR_DBG_CORRUPT_CPL	(1u << 4)	/* next record has a wrong seqno */
#define   QUASAR_DBG_SLOW		(1u << 5)	/* next job waits DBG_PACE_US a unit */
#define   QUASAR_DBG_ALL		0x3fu
#define   QUASAR_DBG_CLEAR		(1u << 31)	/* write: disarm all first */
#define QUASAR_REG_DBG_QUEUES		0x0304	/* RW: hardware queues the faults fire on */
#define QUASAR_REG_DBG_FAULT_VA_LO	0x0308	/* RW: VA of an injected MMU fault */
#define QUASAR_REG_DBG_FAULT_VA_HI	0x030c
#define QUASAR_REG_DBG_FIRED		0x0310	/* RO: faults fired since device reset */
#define QUASAR_REG_DBG_HOLD		0x0314	/* RW: QUASAR_DBG_HOLD_* */
#define   QUASAR_DBG_HOLD_ENGINES	(1u << 0)	/* no engine is granted while set */
#define   QUASAR_DBG_HOLD_RESET		(1u << 1)	/* a soft reset never completes */
#define QUASAR_REG_DBG_GRANTS		0x0318	/* RO: engine grants since power-on */
#define QUASAR_REG_DBG_D3_ACCESSES	0x031c	/* RO: accesses that reached a device in D3 */
/* RO: operand bytes the kernels read in place, not copied to SRAM (not modeled) */
#define QUASAR_REG_DBG_INPLACE_LO	0x0320
#define QUASAR_REG_DBG_INPLACE_HI	0x0324
#define QUASAR_REG_DBG_PACE_US		0x0328	/* RW: a SLOW job's wait per unit of work */
#define   QUASAR_DBG_PACE_MAX_US	100000u
#define QUASAR_REG_Q_PROGRESS(q)	(0x0340 + 4 * (q))	/* RO: work units done */
#define QUASAR_CPL_CORRUPT_SEQNO	0xbad0c0de5eed0000ull	/* XORed into seqno */
/* FW_STATUS / FW_ERROR after a firmware crash (appended to the enums above). */
#define QUASAR_FW_STATE_CRASHED		4
#define QUASAR_FW_ERR_CRASH		11

/* MMU context slots: QUASAR_NUM_CTX slots, 0x20 bytes apart */
#define QUASAR_REG_CTX_BASE		0x1000
#define QUASAR_REG_CTX_STRIDE		0x20
#define QUASAR_REG_CTX(slot, reg)	(QUASAR_REG_CTX_BASE + \
					 (slot) * QUASAR_REG_CTX_STRIDE + (reg))
#define QUASAR_CTX_ROOT_LO		0x00	/* RW: DMA address of level-2 table */
#define QUASAR_CTX_ROOT_HI		0x04
#define QUASAR_CTX_CTRL			0x08	/* RW */
#define   QUASAR_CTX_CTRL_VALID		(1u << 0)
#define QUASAR_CTX_FAULT_STATUS		0x0c	/* RO status; write bit 31 to clear */
#define QUASAR_CTX_FAULT_ADDR_LO	0x10	/* RO: device VA of the last fault */
#define QUASAR_CTX_FAULT_ADDR_HI	0x14

/* Hardware queues (hw-spec 5): QUASAR_NUM_QUEUES of them, 0x40 bytes apart */
#define QUASAR_REG_QUEUE_BASE		0x2000
#define QUASAR_REG_QUEUE_STRIDE		0x40
#define QUASAR_REG_QUEUE(q, reg)	(QUASAR_REG_QUEUE_BASE + \
					 (q) * QUASAR_REG_QUEUE_STRIDE + (reg))
#define QUASAR_Q_RING_LO		0x00	/* RW: DMA address of descriptor ring */
#define QUASAR_Q_RING_HI		0x04
#define QUASAR_Q_CPL_LO			0x08	/* RW: DMA address of completion ring */
#define QUASAR_Q_CPL_HI			0x0c
#define QUASAR_Q_SIZE			0x10	/* RW: entries, power of two */
#define QUASAR_Q_CTRL			0x14	/* RW */
#define   QUASAR_Q_CTRL_ENABLE		(1u << 0)
#define QUASAR_Q_TAIL			0x18	/* RW: doorbell, producer index */
#define QUASAR_Q_HEAD			0x1c	/* RO: consumer index */
#define QUASAR_Q_STATUS			0x20	/* RO */
#define   QUASAR_Q_STATUS_ENABLED	(1u << 0)
#define   QUASAR_Q_STATUS_BUSY		(1u << 1)
#define   QUASAR_Q_STATUS_ERROR		(1u << 2)	/* bad ring config */
#define   QUASAR_Q_STATUS_WAITING	(1u << 3)	/* job ready, no engine yet */
#define QUASAR_Q_ERROR			0x24	/* RO: enum quasar_status of ring error */
#define QUASAR_Q_PRIORITY		0x28	/* RW: QUASAR_Q_PRIORITY_* (12.1) */
#define   QUASAR_Q_PRIORITY_LOW		0
#define   QUASAR_Q_PRIORITY_NORMAL	1
#define   QUASAR_Q_PRIORITY_HIGH	2
#define QUASAR_Q_START_SEQ		0x2c	/* RO: engine grant of the latest job */

/* ---------------------------------------------------------------------- */
/* Device MMU: per-context 3-level page tables, 4 KiB pages, 39-bit VA      */
/* ---------------------------------------------------------------------- */

#define QUASAR_PAGE_SHIFT		12
#define QUASAR_PAGE_SIZE		(1ull << QUASAR_PAGE_SHIFT)
#define QUASAR_PT_ENTRIES		512
#define QUASAR_PT_LEVELS		3
#define QUASAR_VA_BITS			39
#define QUASAR_PT_SHIFT(level)		(QUASAR_PAGE_SHIFT + 9 * (level))
#define QUASAR_PT_INDEX(va, level)	(((va) >> QUASAR_PT_SHIFT(level)) & 511)
#define QUASAR_PTE_VALID		(1ull << 0)
#define QUASAR_PTE_WRITE		(1ull << 1)	/* leaf only */
#define QUASAR_PTE_ADDR_MASK		0x000ffffffffff000ull

/* The driver hands out device VAs in this window; 0 is never mapped. */
#define QUASAR_VA_START			0x0000000100000000ull
#define QUASAR_VA_END			(1ull << QUASAR_VA_BITS)

/* ---------------------------------------------------------------------- */
/* Hardware queue descriptor and completion record (in guest memory)        */
/* ---------------------------------------------------------------------- */

/* Descriptor: 64 bytes, written by the driver at ring[tail % size]. */
struct quasar_hw_desc {
	uint64_t cmd_addr;	/* device VA of the command stream */
	uint32_t cmd_size;	/* bytes, multiple of 8, <= QUASAR_CMD_STREAM_MAX_SIZE */
	uint16_t ctx_slot;	/* MMU context slot */
	uint16_t flags;		/* must be 0 */
	uint64_t seqno;		/* echoed in the completion record */
	uint64_t stats_addr;	/* DMA address of a quasar_hw_stats, 0: none */
	uint64_t reserved[4];	/* must be 0 */
};

/*
 * Job statistics: 128 bytes, written by the device at the descriptor's
 * stats_addr (8-byte aligned) before the completion record, when
 * stats_addr is not 0. The cost model of docs/cost-model.md.
 */
struct quasar_hw_stats {
	uint64_t rd_weights;	/* packed weight element codes read */
	uint64_t rd_wmeta;	/* scales, zero points, 2:4 index codes read */
	uint64_t rd_act;	/* activations and every other input read */
	uint64_t wr_bytes;	/* outputs written */
	uint64_t sram_bytes;	/* SRAM traffic, both directions */
	uint64_t macs_dense;	/* dense-equivalent multiply-accumulates */
	uint64_t macs_exec;	/* executed (2:4 formats: half) */
	uint64_t vec_elems;	/* vector-unit element operations */
	uint64_t tiles;
	uint64_t cycles_compute;	/* sum over tiles of the compute bound */
	uint64_t cycles_memory;		/* sum over tiles of the memory bound */
	uint64_t cycles;		/* sum over tiles of the larger */
	uint64_t energy_fj;		/* femtojoules */
	uint32_t clock_mhz;		/* the modeled clock */
	uint32_t reserved0;
	uint64_t reserved[2];
};

/* Completion record: 32 bytes, written by the device at cpl[head % size]. */
struct quasar_hw_cpl {
	uint64_t seqno;		/* from the descriptor */
	uint32_t status;	/* enum quasar_status (uapi) */
	uint32_t cmd_index;	/* failing command, or commands executed */
	uint64_t fault_addr;	/* device VA for MMU faults, else 0 */
	uint64_t reserved;
};

/* ---------------------------------------------------------------------- */
/* Firmware image                                                          */
/* ---------------------------------------------------------------------- */

#define QUASAR_FW_MAGIC			0x30574651	/* "QFW0" */
#define QUASAR_FW_ABI_MAJOR		1
#define QUASAR_FW_ABI_MINOR		0
#define QUASAR_FW_MAX_SECTIONS		16

/*
 * Image header, at offset 0. crc32 is the zlib CRC-32 of the whole image
 * with the crc32 field taken as zero.
 */
struct quasar_fw_header {
	uint32_t magic;
	uint16_t abi_major;
	uint16_t abi_minor;
	uint32_t header_size;	/* sizeof(struct quasar_fw_header) */
	uint32_t image_size;	/* whole image, header included */
	uint32_t fw_version;	/* major << 16 | minor << 8 | patch */
	uint32_t build_id;	/* must equal the build id of the device ROM */
	uint32_t num_sections;	/* 1 .. QUASAR_FW_MAX_SECTIONS */
	uint32_t flags;		/* must be 0 */
	uint32_t crc32;
	uint32_t reserved[7];	/* must be 0 */
};

/* Section table entry; the table follows the header. */
struct quasar_fw_section {
	uint32_t type;		/* enum quasar_fw_section_type */
	uint32_t offset;	/* from image start, 8-byte aligned */
	uint32_t size;
	uint32_t reserved;	/* must be 0 */
};

enum quasar_fw_section_type {
	QUASAR_FW_SECTION_INFO = 1,	/* NUL-terminated build description */
	QUASAR_FW_SECTION_CAPS = 2,	/* struct quasar_fw_caps, required */
};

/* What the image enables; each mask must be a subset of the ROM's. */
struct quasar_fw_caps {
	uint32_t caps;		/* QUASAR_CAP_* */
	uint32_t ops;		/* 1 << opcode */
	uint32_t formats;	/* 1 << format */
	uint32_t reserved;	/* must be 0 */
};

#define QUASAR_CAP_MMU			(1u << 0)
#define QUASAR_CAP_FENCE_WRITE		(1u << 1)

#endif /* QUASAR_HW_INTERFACE_H */
