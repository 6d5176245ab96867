// SPDX-License-Identifier: MIT
/*
 * Hazards between the commands of one stream: the byte ranges read and
 * written since the last barrier. docs/isa.md 6.2 lets a device overlap
 * commands between barriers, so a command that reads what an earlier one
 * wrote (RAW), writes it again (WAW), or overwrites what an earlier one
 * still reads (WAR) needs a barrier in between. Ranges are byte spans, so
 * two strided tensors that interleave count as overlapping: an extra
 * barrier costs nothing on a device that runs commands in order.
 */
#include <errno.h>
#include <stdlib.h>

#include "accel_enc.h"

static bool accel_overlaps(const struct accel_range *a, uint32_t na,
			   const struct accel_range *b, uint32_t nb)
{
	for (uint32_t i = 0; i < na; i++)
		for (uint32_t j = 0; j < nb; j++)
			if (a[i].lo < b[j].hi && b[j].lo < a[i].hi)
				return true;
	return false;
}

bool accel_hazard_conflicts(const struct accel_hazard *h, const struct accel_range *rd,
			    uint32_t nrd, const struct accel_range *wr, uint32_t nwr)
{
	return accel_overlaps(rd, nrd, h->wr, h->nwr) ||
	       accel_overlaps(wr, nwr, h->wr, h->nwr) ||
	       accel_overlaps(wr, nwr, h->rd, h->nrd);
}

/* Makes room for @more entries in @v (of @n, capacity @cap). */
static int accel_ranges_grow(struct accel_range **v, uint32_t n, uint32_t *cap,
			     uint32_t more)
{
	struct accel_range *nv;
	uint32_t c = *cap ? *cap : 16;

	if (n + more <= *cap)
		return 0;
	while (c < n + more)
		c *= 2;
	nv = realloc(*v, c * sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	*v = nv;
	*cap = c;
	return 0;
}

int accel_hazard_add(struct accel_hazard *h, const struct accel_range *rd, uint32_t nrd,
		     const struct accel_range *wr, uint32_t nwr)
{
	uint32_t i;

	if (accel_ranges_grow(&h->rd, h->nrd, &h->cap_rd, nrd) ||
	    accel_ranges_grow(&h->wr, h->nwr, &h->cap_wr, nwr))
		return -ENOMEM;
	for (i = 0; i < nrd; i++)
		h->rd[h->nrd++] = rd[i];
	for (i = 0; i < nwr; i++)
		h->wr[h->nwr++] = wr[i];
	return 0;
}

void accel_hazard_clear(struct accel_hazard *h)
{
	h->nrd = 0;
	h->nwr = 0;
}

void accel_hazard_free(struct accel_hazard *h)
{
	free(h->rd);
	free(h->wr);
	*h = (struct accel_hazard){ 0 };
}
