/* SPDX-License-Identifier: MIT */
/*
 * Compression library -> libaccel: a quantized tensor uploaded as a
 * libaccel packed weight tensor. The only part of libquasar_compress.a that
 * calls libaccel; it lives here, beside the quantizers, so libaccel.so keeps
 * its dependencies (libdrm, libc). A program that calls it links
 * libquasar_compress.a, the datapath objects the quantizers need, and
 * libaccel.
 */
#ifndef COMPRESS_LIBACCEL_H
#define COMPRESS_LIBACCEL_H

#include "compress.h"

struct accel_device;
struct accel_tensor;
struct accel_weights;

/*
 * Describes @qt's packed buffers as libaccel weights (accel_ops.h): the
 * uapi format, group, flags and tensor scale, pointing into @qt. -EINVAL
 * for a NULL @qt.
 */
int compress_weights_from_qtensor(const struct compress_qtensor *qt, struct accel_weights *w);

/*
 * A packed weight tensor {1, 1, N, K} on @dev holding @qt's element codes,
 * scales, zero points and 2:4 index codes in the device layout (one BO),
 * with @qt's format, group and tensor scale in its descriptor. Errors as
 * accel_tensor_create_weights() (accel_ops.h).
 */
int compress_tensor_from_qtensor(struct accel_device *dev, const struct compress_qtensor *qt,
				 struct accel_tensor **out);

#endif /* COMPRESS_LIBACCEL_H */
