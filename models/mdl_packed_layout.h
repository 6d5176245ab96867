/* SPDX-License-Identifier: MIT */
/*
 * Quasar models: the byte layout of a packed checkpoint, shared by its
 * writer (mdl_packed_save.c) and reader (mdl_packed_load.c). docs/models.md
 * "Packed checkpoints" is the description; this names the offsets.
 */
#ifndef MDL_PACKED_LAYOUT_H
#define MDL_PACKED_LAYOUT_H

#include <stdint.h>
#include <string.h>

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
/* the device buffers are copied as memory images, which are little-endian */
#error "packed checkpoints are written by little-endian hosts only"
#endif

/* Header */
#define MDL_PK_OFF_MAGIC	0	/* u32 */
#define MDL_PK_OFF_VERSION	4	/* u32 */
#define MDL_PK_OFF_CRC		8	/* u32: zlib crc32 of bytes [12, EOF) */
#define MDL_PK_CRC_FROM		12
#define MDL_PK_OFF_KIND		12	/* u32 enum mdl_packed_kind */
#define MDL_PK_OFF_SIZE		16	/* u64 total file bytes */
#define MDL_PK_OFF_SRC_CRC	24	/* u32 crc32 of the FP32 checkpoint file */
#define MDL_PK_OFF_NLIN		28	/* u32 linear layer records */
#define MDL_PK_OFF_SRC_SIZE	32	/* u64 bytes of the FP32 checkpoint file */
#define MDL_PK_OFF_VARIANT	40	/* char[48], NUL-padded */
#define MDL_PK_OFF_CONFIG	88	/* 48 bytes: LM 7 x i32, classifier u32 layers, dims */
#define MDL_PK_CONFIG_BYTES	48
#define MDL_PK_HDR_BYTES	136

/* Linear layer record: fixed part, then in_inv, data, scales, zeros, meta */
#define MDL_PK_LIN_NAME		32
#define MDL_PK_LIN_FIXED	(MDL_PK_LIN_NAME + 10 * 4 + 4 * 8)

static inline void mdl_pk_put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static inline void mdl_pk_put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

static inline uint32_t mdl_pk_get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static inline uint64_t mdl_pk_get64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

#endif /* MDL_PACKED_LAYOUT_H */
