// SPDX-License-Identifier: MIT
/*
 * The models on the device (runs in the guest): each packed classifier of
 * the guest image (every .qpk in /usr/share/quasar, with the Fashion-MNIST
 * test images; one of them mixed precision, a format per layer) runs as a
 * device program (models/mdl_cls_program.h) through /dev/accel/accel0, in
 * the batches the host used, and must give what the host computed for the same file on the firmware in process at
 * build time (its .figures, written by mdl-cls-fwrun): the same stream
 * when built at the host's region addresses, the same top-1 over the
 * 10,000 images, the same digest of every logit bit, and every job's
 * statistics equal (bytes by class, MACs, vector elements, tiles, cycles,
 * energy). So the comparison is guest against host, not guest against
 * guest.
 *
 * Each packed language model likewise (models/mdl_lm_program.h, figures
 * by mdl-lm-fwrun; one of them mixed precision, a format per layer): the token ids of its figures fed as the host fed them,
 * a prefill job then one decode job per token, every job's stream rebuilt
 * at the host's addresses equal to the host's, then every logit (a digest
 * per job and overall), the top-1 and every job's statistics equal.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kselftest_harness.h"

#include "mdl_backend.h"
#include "mdl_cls_program.h"
#include "mdl_lm_program.h"
#include "mdl_packed.h"

#define GMT_DIR "/usr/share/quasar"

static double gmt_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/*
 * Runs the model of the host's figures @want (in GMT_DIR) on the device.
 * Returns 0 when everything matches, else 1 with what differed printed.
 */
static int gmt_model(const struct mdl_dev_figures *want, const struct mdl_images *im)
{
	struct mdl_dev_figures got = { 0 };
	struct mdl_program p = { 0 };
	struct mdl_packed pk = { 0 };
	struct mdl_loaded l = { 0 };
	struct mdl_backend *b = NULL;
	struct accel_stream *s = NULL;
	char path[512], err[512], why[512];
	double t0 = gmt_now(), cyc, uj, bytes;
	uint64_t digest;
	int ret, bad = 1;

	snprintf(path, sizeof(path), "%s/%s", GMT_DIR, want->model);
	ret = mdl_packed_load(path, &pk, err, sizeof(err));
	if (!ret)
		ret = mdl_cls_program(pk.cls, &pk.ls, want->batch, &p, err, sizeof(err));
	if (!ret && (ret = mdl_backend_accel_create(NULL, &b)))
		snprintf(err, sizeof(err), "no device: %s", strerror(-ret));
	if (!ret)
		ret = mdl_program_load(&p, b, &l, err, sizeof(err));
	if (!ret)
		ret = mdl_dev_figures_init(&got, path, pk.variant, b->name, err, sizeof(err));
	if (!ret)
		ret = accel_stream_create(&s);
	/* the stream this machine builds, placed where the host placed its regions */
	if (!ret)
		ret = mdl_program_stream(&p, want->stream_base, want->batch, s, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "# %s: %s\n", want->model, err);
		goto out;
	}
	digest = mdl_fnv64(MDL_FNV64_INIT, accel_stream_data(s), accel_stream_size(s));
	if (accel_stream_size(s) != want->stream_bytes || digest != want->stream_fnv64) {
		fprintf(stderr, "# %s: the stream at the host's addresses is %u bytes, digest "
			"0x%016llx; the host's: %u bytes, 0x%016llx\n", want->model,
			accel_stream_size(s), (unsigned long long)digest, want->stream_bytes,
			(unsigned long long)want->stream_fnv64);
		goto out;
	}
	ret = mdl_cls_device_run(&l, im, want->items, &got, NULL, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "# %s: %s\n", want->model, err);
		goto out;
	}
	if (mdl_dev_figures_compare(want, &got, why, sizeof(why))) {
		fprintf(stderr, "# %s (%s) on %s differs from the host's %s: %s\n", want->model,
			want->variant, b->name, want->backend, why);
		goto out;
	}
	mdl_dev_figures_per_item(&got, &cyc, &uj, &bytes);
	fprintf(stderr, "# %s (%s): top-1 %u/%u, %u jobs of %u, stream %u bytes, logits "
		"0x%016llx, per image %.0f cycles %.4f uJ %.0f DRAM bytes: the host's, in "
		"%.1f s\n", want->model, want->variant, got.correct, got.items, got.jobs,
		got.batch, accel_stream_size(s), (unsigned long long)got.outputs_fnv64, cyc, uj,
		bytes, gmt_now() - t0);
	bad = 0;
out:
	accel_stream_destroy(s);
	mdl_dev_figures_free(&got);
	mdl_program_unload(&l);
	mdl_backend_destroy(b);
	mdl_program_free(&p);
	mdl_packed_free(&pk);
	return bad;
}

/* The language model of the host's figures @want: 0 when everything matches, else 1. */
static int gmt_lm(const struct mdl_dev_figures *want)
{
	struct mdl_dev_figures got = { 0 };
	struct mdl_program p = { 0 };
	struct mdl_packed pk = { 0 };
	struct mdl_loaded l = { 0 };
	struct mdl_backend *b = NULL;
	char path[512], err[512], why[512];
	double t0 = gmt_now(), cyc, uj, bytes;
	uint32_t sbytes = 0;
	uint64_t digest = 0;
	int ret, bad = 1;

	snprintf(path, sizeof(path), "%s/%s", GMT_DIR, want->model);
	ret = mdl_packed_load(path, &pk, err, sizeof(err));
	if (!ret && pk.kind != MDL_PACKED_LM)
		ret = -snprintf(err, sizeof(err), "not a packed language model");
	if (!ret)
		ret = mdl_lm_program(pk.lm, &pk.ls, want->batch, 1, &p, err, sizeof(err));
	if (!ret && (ret = mdl_backend_accel_create(NULL, &b)))
		snprintf(err, sizeof(err), "no device: %s", strerror(-ret));
	if (!ret)
		ret = mdl_program_load(&p, b, &l, err, sizeof(err));
	if (!ret)
		ret = mdl_dev_figures_init(&got, path, pk.variant, b->name, err, sizeof(err));
	/* every job's stream this machine builds, placed where the host placed its regions */
	if (!ret)
		ret = mdl_lm_device_streams(&p, want->stream_base, want->tokens, want->ntokens,
					    want->prompt, &sbytes, &digest, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "# %s: %s\n", want->model, err);
		goto out;
	}
	if (sbytes != want->stream_bytes || digest != want->stream_fnv64) {
		fprintf(stderr, "# %s: the streams at the host's addresses are %u bytes, digest "
			"0x%016llx; the host's: %u bytes, 0x%016llx\n", want->model, sbytes,
			(unsigned long long)digest, want->stream_bytes,
			(unsigned long long)want->stream_fnv64);
		goto out;
	}
	ret = mdl_lm_device_run(&l, pk.lm, want->tokens, want->ntokens, want->prompt, &got, NULL,
				err, sizeof(err));
	if (ret) {
		fprintf(stderr, "# %s: %s\n", want->model, err);
		goto out;
	}
	if (mdl_dev_figures_compare(want, &got, why, sizeof(why))) {
		fprintf(stderr, "# %s (%s) on %s differs from the host's %s: %s\n", want->model,
			want->variant, b->name, want->backend, why);
		goto out;
	}
	mdl_dev_figures_per_item(&got, &cyc, &uj, &bytes);
	fprintf(stderr, "# %s (%s): %u tokens, top-1 %u, a prefill of %u and %u decode jobs, "
		"streams %u bytes, logits 0x%016llx, per token %.0f cycles %.3f uJ %.0f DRAM "
		"bytes: the host's, in %.1f s\n", want->model, want->variant, got.items,
		got.correct, want->prompt, got.jobs - 1, got.stream_bytes,
		(unsigned long long)got.outputs_fnv64, cyc, uj, bytes, gmt_now() - t0);
	bad = 0;
out:
	mdl_dev_figures_free(&got);
	mdl_program_unload(&l);
	mdl_backend_destroy(b);
	mdl_program_free(&p);
	mdl_packed_free(&pk);
	return bad;
}

/*
 * Runs @fn on the figures of every .figures file of the image that is a
 * language model's (@lm) or a classifier's; returns the models run and
 * counts the mismatches in *@bad.
 */
static uint32_t gmt_each(int lm, const struct mdl_images *im, uint32_t *bad)
{
	struct dirent *e;
	char path[512], err[512];
	uint32_t models = 0;
	DIR *d = opendir(GMT_DIR);

	if (!d) {
		fprintf(stderr, "# %s: %s\n", GMT_DIR, strerror(errno));
		(*bad)++;
		return 0;
	}
	while ((e = readdir(d))) {
		struct mdl_dev_figures want;
		size_t n = strlen(e->d_name);

		if (n < 9 || strcmp(e->d_name + n - 8, ".figures"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", GMT_DIR, e->d_name);
		if (mdl_dev_figures_read(path, &want, err, sizeof(err))) {
			fprintf(stderr, "# %s\n", err);
			(*bad)++;
			continue;
		}
		if (!want.ntokens != !lm) {
			mdl_dev_figures_free(&want);
			continue;
		}
		if (!lm && im->n != want.items) {
			fprintf(stderr, "# %s: %u images, the test set has %u\n", path, want.items,
				im->n);
			(*bad)++;
		}
		*bad += lm ? gmt_lm(&want) : gmt_model(&want, im);
		models++;
		mdl_dev_figures_free(&want);
	}
	closedir(d);
	return models;
}

FIXTURE(guest) {
	struct mdl_images test;
};

FIXTURE_SETUP(guest)
{
	char err[256];

	ASSERT_EQ(0, mdl_fmnist_load(GMT_DIR, "t10k", &self->test, err, sizeof(err)))
		TH_LOG("%s", err);
}

FIXTURE_TEARDOWN(guest)
{
	mdl_images_free(&self->test);
}

/* Every classifier's .figures file of the image: its model on the device, against the host's. */
TEST_F_TIMEOUT(guest, model_cls_device_matches_host, 600)
{
	uint32_t bad = 0, models = gmt_each(0, &self->test, &bad);

	/* W8A8, W4, an input-factor variant and a mixed-precision model (docs/models.md) */
	EXPECT_LE(4u, models);
	EXPECT_EQ(0u, bad);
}

/*
 * Every language model's: a prefill and decode steps over the host's
 * tokens through /dev/accel/accel0, every logit bit and every job's
 * statistics the host's.
 */
TEST_F_TIMEOUT(guest, model_lm_device_matches_host, 600)
{
	uint32_t bad = 0, models = gmt_each(1, &self->test, &bad);

	/* W4 at A16 and at A8, and a mixed-precision model (docs/models.md) */
	EXPECT_LE(3u, models);
	EXPECT_EQ(0u, bad);
}

TEST_HARNESS_MAIN
