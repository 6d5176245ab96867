// SPDX-License-Identifier: MIT
/*
 * The cost model (docs/cost-model.md): a job is a sequence of tiles; each
 * tile's staged DMA, SRAM traffic and compute were counted while it ran,
 * and its modeled time is the larger of its compute time and its memory
 * time, as on an accelerator that double-buffers its DMA. Integer
 * arithmetic only, so every number is exact and reproducible.
 */
#include "fw_bytes.h"
#include "fw_exec.h"

/*
 * An edge NPU in the class of a phone SoC's or an embedded accelerator's
 * (docs/cost-model.md section 2 gives the reasoning): 1 GHz; a 512-MAC
 * BF16 array that also runs int8 x int8 at 4x and int4 x int8 at 8x the
 * rate; LPDDR4X-4266 x32 (17 GB/s, 16 B/cycle); 128 B/cycle of SRAM.
 */
void fw_cost_defaults(struct fw_cost_params *p)
{
	static const uint8_t w4[] = {
		DRM_QUASAR_FORMAT_W_INT4, DRM_QUASAR_FORMAT_W_SP_INT4,
		DRM_QUASAR_FORMAT_W_MXFP4, DRM_QUASAR_FORMAT_W_NVFP4,
	};
	static const uint8_t w8[] = {
		DRM_QUASAR_FORMAT_W_INT8, DRM_QUASAR_FORMAT_W_SP_INT8,
		DRM_QUASAR_FORMAT_W_MXINT8,
	};

	fw_memset(p, 0, sizeof(*p));
	p->clock_mhz = FW_COST_CLOCK_MHZ;
	for (uint32_t f = DRM_QUASAR_FORMAT_W_BF16; f < FW_COST_NUM_FMT; f++) {
		p->macs_a16[f] = FW_COST_MACS_A16;
		p->fj_mac_a16[f] = FW_COST_FJ_MAC_A16;
		p->fj_mac_a8[f] = FW_COST_FJ_MAC_A8_W8;
	}
	for (uint32_t i = 0; i < FW_ARRAY_SIZE(w8); i++)
		p->macs_a8[w8[i]] = FW_COST_MACS_A8_W8;
	for (uint32_t i = 0; i < FW_ARRAY_SIZE(w4); i++) {
		p->macs_a8[w4[i]] = FW_COST_MACS_A8_W4;
		p->fj_mac_a8[w4[i]] = FW_COST_FJ_MAC_A8_W4;
	}
	p->vec_per_cycle = FW_COST_VEC_PER_CYCLE;
	p->fj_vec = FW_COST_FJ_VEC;
	p->dram_bpc = FW_COST_DRAM_BPC;
	p->sram_bpc = FW_COST_SRAM_BPC;
	p->fj_dram_byte = FW_COST_FJ_DRAM_BYTE;
	p->fj_sram_byte = FW_COST_FJ_SRAM_BYTE;
}

void fw_cost_macs(struct fw_xctx *x, uint64_t dense, uint64_t exec,
		  uint32_t wfmt, bool a8)
{
	x->e->stats.macs_dense += dense;
	x->e->stats.macs_exec += exec;
	x->t_macs += exec;
	x->t_wfmt = wfmt;
	x->t_a8 = a8;
}

void fw_cost_vec(struct fw_xctx *x, uint64_t elems)
{
	x->e->stats.vec_elems += elems;
	x->t_vec += elems;
}

void fw_cost_operands(struct fw_xctx *x, uint64_t bytes)
{
	x->t_sram += bytes;
}

/* ceil(a / b), with a rate of 0 meaning "not modeled": no cycles. */
static uint64_t fw_cost_div(uint64_t a, uint32_t b)
{
	return b ? (a + b - 1) / b : 0;
}

void fw_cost_tile_end(struct fw_xctx *x)
{
	const struct fw_cost_params *p = &x->e->cost;
	struct fw_job_stats *s = &x->e->stats;
	uint32_t f = x->t_wfmt < FW_COST_NUM_FMT ? x->t_wfmt : 0;
	uint32_t mpc = x->t_a8 ? p->macs_a8[f] : p->macs_a16[f];
	uint32_t fj_mac = x->t_a8 ? p->fj_mac_a8[f] : p->fj_mac_a16[f];
	uint64_t compute, memory, sram;

	compute = fw_cost_div(x->t_macs, mpc) + fw_cost_div(x->t_vec, p->vec_per_cycle);
	memory = fw_cost_div(x->t_dram, p->dram_bpc);
	sram = fw_cost_div(x->t_sram, p->sram_bpc);
	if (sram > memory)
		memory = sram;
	s->tiles++;
	s->cycles_compute += compute;
	s->cycles_memory += memory;
	s->cycles += compute > memory ? compute : memory;
	s->sram_bytes += x->t_sram;
	s->energy_fj += x->t_macs * fj_mac + x->t_vec * p->fj_vec +
			x->t_dram * p->fj_dram_byte + x->t_sram * p->fj_sram_byte;
	x->t_dram = 0;
	x->t_sram = 0;
	x->t_macs = 0;
	x->t_vec = 0;
	x->t_wfmt = 0;
	x->t_a8 = false;
}
