/* SPDX-License-Identifier: MIT */
/*
 * Compression library: the dense linear algebra GPTQ and SparseGPT need
 * (compress_linalg.c), in double, row-major n x n, private to compress/.
 */
#ifndef COMPRESS_LINALG_H
#define COMPRESS_LINALG_H

#include <stdint.h>

/* In place: a = L with a = L L^T (upper triangle zeroed); -EDOM if not SPD. */
int compress_linalg_chol(double *a, uint32_t n);
/* In place inverse of a lower-triangular matrix with a non-zero diagonal. */
int compress_linalg_trinv_lower(double *l, uint32_t n);
/* In place: SPD h becomes U, upper triangular with U^T U = h^-1; -EDOM if not SPD. */
int compress_linalg_inv_chol_upper(double *h, uint32_t n);

#endif /* COMPRESS_LINALG_H */
