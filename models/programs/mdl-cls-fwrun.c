// SPDX-License-Identifier: MIT
/*
 * mdl-cls-fwrun: a packed classifier's forward pass as a device program
 * (models/mdl_cls_program.h), run on the firmware in process (fwrun/, no
 * VM) over the Fashion-MNIST test images. Prints the top-1 and what each
 * image costs on the modeled device; --figures writes what a run through
 * /dev/accel/accel0 must match (models/mdl_device_figures.h): the build
 * writes them next to the .qpk files of the guest image.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mdl_backend.h"
#include "mdl_cls_program.h"
#include "mdl_packed.h"
#include "tool_cli.h"

#ifndef MDL_FMNIST_DIR
#define MDL_FMNIST_DIR "/usr/share/datasets/fashion-mnist"
#endif

static void mdl_usage(FILE *f)
{
	fprintf(f,
		"Usage: mdl-cls-fwrun [options] FILE.qpk\n"
		"Runs a packed classifier's device program on the firmware in process.\n\n"
		"It runs the forward pass as one command stream per batch on fwrun over the\n"
		"Fashion-MNIST test images, and prints its top-1 and what it cost the modeled\n"
		"device.\n\n"
		"Options:\n"
		"  --data DIR      Fashion-MNIST (default %s)\n"
		"  --batch N       images per job (default %u)\n"
		"  --limit N       the first N test images only (default all)\n"
		"  --golden        the golden model's GEMM kernels (slow; the SIMD ones the\n"
		"                  device uses are bit-exact with them)\n"
		"  --figures FILE  write the run's figures (top-1, output digest, stream,\n"
		"                  every job's statistics) for a guest run to compare\n",
		MDL_FMNIST_DIR, MDL_CLS_DEVICE_BATCH);
}

int main(int argc, char **argv)
{
	struct tool_cli cli = { .name = "mdl-cls-fwrun", .usage = mdl_usage };
	static const struct option opts[] = {
		{ "data", 1, 0, 'd' }, { "batch", 1, 0, 'b' }, { "limit", 1, 0, 'n' },
		{ "golden", 0, 0, 'G' }, { "figures", 1, 0, 'f' }, { "help", 0, 0, 'h' },
		{ 0, 0, 0, 0 }
	};
	const char *data = MDL_FMNIST_DIR, *figures = NULL;
	uint32_t batch = MDL_CLS_DEVICE_BATCH, limit = 0;
	struct mdl_dev_figures f = { 0 };
	struct mdl_images im = { 0 };
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
		case 'b': batch = tool_cli_u32("--batch", optarg, 1, 10000); break;
		case 'n': limit = tool_cli_u32("--limit", optarg, 0, UINT32_MAX); break;
		case 'G': golden = 1; break;
		case 'f': figures = optarg; break;
		}
	}
	if (optind == argc)
		tool_cli_usage_error("the packed model FILE.qpk is needed");
	if (optind + 1 != argc)
		tool_cli_usage_error("one packed model only, not '%s'", argv[optind + 1]);
	ret = mdl_packed_load(argv[optind], &pk, err, sizeof(err));
	if (!ret && pk.kind != MDL_PACKED_CLS)
		ret = -snprintf(err, sizeof(err), "%s: not a packed classifier", argv[optind]);
	if (!ret)
		ret = mdl_fmnist_load(data, "t10k", &im, err, sizeof(err));
	if (!ret)
		ret = mdl_cls_program(pk.cls, &pk.ls, batch, &p, err, sizeof(err));
	if (!ret && (ret = mdl_backend_fwrun_create(!golden, &b)))
		snprintf(err, sizeof(err), "fwrun: out of memory");
	if (!ret)
		ret = mdl_program_load(&p, b, &l, err, sizeof(err));
	if (!ret)
		ret = mdl_dev_figures_init(&f, argv[optind], pk.variant, b->name, err, sizeof(err));
	if (!ret)
		ret = mdl_dev_figures_stream(&f, &l, err, sizeof(err));
	if (!ret)
		ret = mdl_cls_device_run(&l, &im, limit, &f, NULL, err, sizeof(err));
	if (!ret && figures)
		ret = mdl_dev_figures_write(figures, &f, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "mdl-cls-fwrun: %s\n", err);
	} else {
		mdl_dev_figures_per_item(&f, &cyc, &uj, &bytes);
		printf("%s (%s) on %s: top-1 %u / %u = %.4f; %u jobs of %u images, a stream "
		       "of %u bytes\nregions: weights %llu, input %llu, activations %llu, "
		       "output %llu bytes\nper image: %.0f cycles, %.4f uJ, %.0f DRAM bytes\n",
		       f.model, f.variant, b->name, f.correct, f.items,
		       (double)f.correct / f.items, f.jobs, f.batch, f.stream_bytes,
		       (unsigned long long)p.size[MDL_REGION_WEIGHTS],
		       (unsigned long long)p.size[MDL_REGION_INPUT],
		       (unsigned long long)p.size[MDL_REGION_ACT],
		       (unsigned long long)p.size[MDL_REGION_OUTPUT], cyc, uj, bytes);
	}
	mdl_dev_figures_free(&f);
	mdl_program_unload(&l);
	mdl_backend_destroy(b);
	mdl_program_free(&p);
	mdl_images_free(&im);
	mdl_packed_free(&pk);
	return ret ? 1 : 0;
}
