// SPDX-License-Identifier: MIT
/*
 * mdl-lm-fwrun: a packed language model's forward pass as a device
 * program (models/mdl_lm_program.h), run on the firmware in process
 * (fwrun/, no VM) over a fixed stretch of the held-out text: a prefill job
 * of the first --prompt bytes, then one decode job per byte (no sampling:
 * each step feeds the text's next byte). Prints the top-1 (the text's next
 * byte predicted) and what each token costs on the modeled device;
 * --figures writes what a run through /dev/accel/accel0 must match
 * (models/mdl_device_figures.h): the build writes them next to the .qpk
 * files of the guest image.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mdl_backend.h"
#include "mdl_data.h"
#include "mdl_lm_program.h"
#include "mdl_packed.h"
#include "tool_cli.h"

#ifndef MDL_MOBY_DIR
#define MDL_MOBY_DIR "/var/cache/quasar/data/moby-dick-0.2.3/data"
#endif

static void mdl_usage(FILE *f)
{
	fprintf(f,
		"Usage: mdl-lm-fwrun [options] FILE.qpk\n"
		"Runs a packed language model's device program on the firmware in process.\n\n"
		"It feeds held-out Moby Dick bytes to the program on fwrun, a prefill and then\n"
		"one decode job per byte, and prints its top-1 and what it cost the modeled\n"
		"device.\n\n"
		"Options:\n"
		"  --data DIR      Moby Dick data/ (default %s)\n"
		"  --offset N      the first byte of the held-out text fed (default 0)\n"
		"  --tokens N      bytes fed (default: the context, 256)\n"
		"  --prompt N      of them in the first job, a prefill (default 64); then one\n"
		"                  decode job per byte\n"
		"  --golden        the golden model's kernels (slow; the SIMD ones the device\n"
		"                  uses are bit-exact with them)\n"
		"  --figures FILE  write the run's figures (tokens, top-1, logits digests,\n"
		"                  every job's stream and statistics) for a guest run to compare\n",
		MDL_MOBY_DIR);
}

int main(int argc, char **argv)
{
	struct tool_cli cli = { .name = "mdl-lm-fwrun", .usage = mdl_usage };
	static const struct option opts[] = {
		{ "data", 1, 0, 'd' }, { "offset", 1, 0, 'o' }, { "tokens", 1, 0, 'n' },
		{ "prompt", 1, 0, 'p' }, { "golden", 0, 0, 'G' }, { "figures", 1, 0, 'f' },
		{ 0, 0, 0, 0 }
	};
	const char *data = MDL_MOBY_DIR, *figures = NULL;
	uint32_t offset = 0, n = 0, prompt = 64, *tok = NULL, i;
	struct mdl_dev_figures f = { 0 };
	struct mdl_text held = { 0 };
	struct mdl_packed pk = { 0 };
	struct mdl_program p = { 0 };
	struct mdl_loaded l = { 0 };
	struct mdl_backend *b = NULL;
	double cyc, uj, bytes;
	int c, golden = 0, ret;
	char err[512];

	while ((c = tool_cli_getopt(&cli, argc, argv, "", opts)) != -1) {
		switch (c) {
		case 'd': data = optarg; break;
		case 'o': offset = tool_cli_u32("--offset", optarg, 0, UINT32_MAX); break;
		case 'n': n = tool_cli_u32("--tokens", optarg, 1, UINT32_MAX); break;
		case 'p': prompt = tool_cli_u32("--prompt", optarg, 1, UINT32_MAX); break;
		case 'G': golden = 1; break;
		case 'f': figures = optarg; break;
		}
	}
	if (optind == argc)
		tool_cli_usage_error("the packed model FILE.qpk is needed");
	if (optind + 1 != argc)
		tool_cli_usage_error("one packed model only, not '%s'", argv[optind + 1]);
	ret = mdl_packed_load(argv[optind], &pk, err, sizeof(err));
	if (!ret && pk.kind != MDL_PACKED_LM)
		ret = -snprintf(err, sizeof(err), "%s: not a packed language model", argv[optind]);
	if (!ret)
		ret = mdl_moby_heldout(data, &held, err, sizeof(err));
	if (!ret) {
		n = n ? n : pk.lm->seq_len;
		if ((uint64_t)offset + n > held.len || !(tok = malloc(sizeof(uint32_t) * n)))
			ret = -snprintf(err, sizeof(err), "%u bytes at %u of a held-out text of %zu",
					n, offset, held.len);
	}
	for (i = 0; !ret && i < n; i++)
		tok[i] = held.bytes[offset + i];
	if (!ret)	/* one sequence, steps up to the prompt */
		ret = mdl_lm_program(pk.lm, &pk.ls, prompt ? prompt : 1, 1, &p, err, sizeof(err));
	if (!ret && (ret = mdl_backend_fwrun_create(!golden, &b)))
		snprintf(err, sizeof(err), "fwrun: out of memory");
	if (!ret)
		ret = mdl_program_load(&p, b, &l, err, sizeof(err));
	if (!ret)
		ret = mdl_dev_figures_init(&f, argv[optind], pk.variant, b->name, err, sizeof(err));
	if (!ret)
		ret = mdl_lm_device_run(&l, pk.lm, tok, n, prompt, &f, NULL, err, sizeof(err));
	if (!ret && figures)
		ret = mdl_dev_figures_write(figures, &f, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "mdl-lm-fwrun: %s\n", err);
	} else {
		const struct accel_job_stats *s0 = &f.job[0].st, *s1 = &f.job[f.jobs - 1].st;

		mdl_dev_figures_per_item(&f, &cyc, &uj, &bytes);
		printf("%s (%s) on %s: %u tokens at held-out byte %u, top-1 %u / %u = %.4f; a "
		       "prefill job of %u, then %u decode jobs; streams %u bytes in all\n"
		       "regions: weights %llu, activations %llu (KV caches included), output "
		       "%llu bytes\nper token: %.0f cycles, %.4f uJ, %.0f DRAM bytes\n"
		       "prefill (%u tokens): %u commands, %llu cycles, %.3f uJ\n"
		       "last decode step (position %u): %u commands, %llu cycles, %.3f uJ\n",
		       f.model, f.variant, b->name, n, offset, f.correct, n - 1,
		       (double)f.correct / (n - 1), prompt, f.jobs - 1, f.stream_bytes,
		       (unsigned long long)p.size[MDL_REGION_WEIGHTS],
		       (unsigned long long)p.size[MDL_REGION_ACT],
		       (unsigned long long)p.size[MDL_REGION_OUTPUT], cyc, uj, bytes, prompt,
		       s0->cmd_index, (unsigned long long)s0->cycles, s0->energy_fj * 1e-9,
		       n - 1, s1->cmd_index, (unsigned long long)s1->cycles,
		       s1->energy_fj * 1e-9);
	}
	mdl_dev_figures_free(&f);
	mdl_program_unload(&l);
	mdl_backend_destroy(b);
	mdl_program_free(&p);
	free(tok);
	mdl_text_free(&held);
	mdl_packed_free(&pk);
	return ret ? 1 : 0;
}
