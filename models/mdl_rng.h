/* SPDX-License-Identifier: MIT */
/*
 * Quasar models: a small seeded generator (splitmix64 seeding xoshiro256**)
 * so that initialisation, shuffles and batch sampling repeat exactly.
 */
#ifndef MDL_RNG_H
#define MDL_RNG_H

#include <math.h>
#include <stdint.h>

struct mdl_rng {
	uint64_t s[4];
};

static inline uint64_t mdl_splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static inline void mdl_rng_seed(struct mdl_rng *r, uint64_t seed)
{
	int i;

	for (i = 0; i < 4; i++)
		r->s[i] = mdl_splitmix64(&seed);
}

static inline uint64_t mdl_rng_u64(struct mdl_rng *r)
{
	uint64_t *s = r->s;
	uint64_t x = s[1] * 5, res = ((x << 7) | (x >> 57)) * 9, t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = (s[3] << 45) | (s[3] >> 19);
	return res;
}

/* Uniform integer in [0, n) (n > 0); the modulo bias is below 2^-32. */
static inline uint32_t mdl_rng_below(struct mdl_rng *r, uint32_t n)
{
	return (uint32_t)(mdl_rng_u64(r) % n);
}

/* Uniform double in [0, 1), 53 bits. */
static inline double mdl_rng_unif(struct mdl_rng *r)
{
	return (double)(mdl_rng_u64(r) >> 11) * 0x1p-53;
}

/* Standard normal (Box-Muller, one value per call). */
static inline float mdl_rng_normal(struct mdl_rng *r)
{
	double u1 = 1.0 - mdl_rng_unif(r), u2 = mdl_rng_unif(r);

	return (float)(sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2));
}

#endif /* MDL_RNG_H */
