/* SPDX-License-Identifier: MIT */
/*
 * Byte-level helpers for the firmware.
 *
 * Everything the firmware reads from guest memory or from an image is a
 * byte buffer whose layout the shared headers define as little-endian; the
 * helpers assemble fields byte by byte so that neither the host's byte order
 * nor the buffer's alignment matters. No libc: the firmware is freestanding.
 */
#ifndef FW_BYTES_H
#define FW_BYTES_H

#include <stddef.h>
#include <stdint.h>

#define FW_ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static inline uint16_t fw_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static inline uint32_t fw_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) |
	       ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static inline uint64_t fw_le64(const uint8_t *p)
{
	return (uint64_t)fw_le32(p) | ((uint64_t)fw_le32(p + 4) << 32);
}

static inline void fw_put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static inline void fw_put_le64(uint8_t *p, uint64_t v)
{
	fw_put_le32(p, (uint32_t)v);
	fw_put_le32(p + 4, (uint32_t)(v >> 32));
}

static inline void fw_memset(void *dst, uint8_t c, size_t n)
{
	uint8_t *d = dst;

	while (n--)
		*d++ = c;
}

/*
 * The compiler's block copy: freestanding code may call memcpy, which the
 * firmware's hosts (the QEMU device, fwrun) link; bulk staging needs its
 * speed, where a byte loop would be the slowest part of a tile.
 */
static inline void fw_memcpy(void *dst, const void *src, size_t n)
{
	__builtin_memcpy(dst, src, n);
}

static inline uint64_t fw_min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/*
 * True when [a, a + size) with size > 0 ends past 2^64, i.e. its last byte
 * is not addressable. A range ending exactly at 2^64 is fine.
 */
static inline int fw_range_wraps(uint64_t a, uint64_t size)
{
	return size - 1 > UINT64_MAX - a;
}

#endif /* FW_BYTES_H */
