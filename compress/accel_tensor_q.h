/* SPDX-License-Identifier: MIT */
/*
 * libaccel_compress -> device: a quantized tensor uploaded as a libaccel
 * packed weight tensor. Lives in libaccel_compress.a beside the
 * quantizers, so libaccel.so keeps its dependencies (libdrm, libc); a
 * program that calls it links libaccel_compress.a, the datapath objects
 * the quantizers need, and libaccel.
 */
#ifndef ACCEL_TENSOR_Q_H
#define ACCEL_TENSOR_Q_H

#include "accel_compress.h"

struct accel_device;
struct accel_tensor;
struct accel_weights;

/*
 * Describes @qt's packed buffers as libaccel weights (accel_ops.h): the
 * uapi format, group, flags and tensor scale, pointing into @qt. -EINVAL
 * for a NULL @qt.
 */
int accel_weights_from_qtensor(const struct accel_qtensor *qt, struct accel_weights *w);

/*
 * A packed weight tensor {1, 1, N, K} on @dev holding @qt's element codes,
 * scales, zero points and 2:4 index codes in the device layout (one BO),
 * with @qt's format, group and tensor scale in its descriptor. Errors as
 * accel_tensor_create_weights() (accel_ops.h).
 */
int accel_tensor_from_qtensor(struct accel_device *dev, const struct accel_qtensor *qt,
			      struct accel_tensor **out);

#endif /* ACCEL_TENSOR_Q_H */
