// SPDX-License-Identifier: MIT
/*
 * qpk_classify: a packed classifier (.qpk, as `accel-eval --save-packed`
 * writes it) on the Quasar NPU. Reads the file with its own small reader of
 * the documented layout (docs/models.md, "Packed checkpoints"), puts each
 * packed layer in a BO as the device reads it, plans the whole MLP over a
 * batch of Fashion-MNIST images as one command stream, runs it as one job,
 * and prints each image's most likely class with the job's cost report.
 *
 *	cc qpk_classify.c $(pkg-config --cflags --libs libaccel) -o qpk_classify
 *	gunzip -k t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz
 *	./qpk_classify -n 8 fmnist-mlp-int8-a8-rtn.qpk t10k-images-idx3-ubyte \
 *		t10k-labels-idx1-ubyte
 *
 * Per layer, as models/mdl_cls_program.c plans it (so the logits are, bit
 * for bit, those of the build's figures): an FP32 input is multiplied by
 * the layer's input factors (AWQ, SmoothQuant; one row for every image)
 * and rounded to BF16; one GEMM adds the bias and the activation (int8
 * activations for A8 layers) and writes BF16, or FP32 for the last layer
 * and before a layer with input factors.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <accel.h>
#include <accel_ops.h>

#define QPK_MAGIC	0x4d4b5051u	/* "QPKM" */
#define QPK_VERSION	2u
#define QPK_CLASSIFIER	2u
#define QPK_HDR		136u		/* header bytes; the FP32 arrays follow */
#define QPK_NAME	32u		/* a layer record's name */
#define QPK_FIXED	(QPK_NAME + 10 * 4 + 4 * 8)	/* a layer record before its buffers */
#define QPK_LAYERS_MAX	10u
#define A_INT8		2u		/* a layer's afmt: int8 activations */
#define PIXELS		784u

static const char *const class_names[10] = {
	"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
	"Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
};

/* One linear layer record: its shape and epilogue, and its buffers in the file. */
struct qpk_layer {
	char name[QPK_NAME + 1];
	uint32_t n, k, act, afmt, ninv;
	struct accel_weights w;		/* pointers into the file's bytes */
	const float *in_inv;		/* k factors or NULL */
	const float *bias;		/* n values */
};

struct qpk_model {
	uint8_t *bytes;
	size_t size;
	char variant[49];
	uint32_t layers, dims[QPK_LAYERS_MAX + 1];
	struct qpk_layer l[QPK_LAYERS_MAX];
};

static uint32_t get32(const uint8_t *p)	/* the file is little-endian */
{
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get64(const uint8_t *p)
{
	return get32(p) | (uint64_t)get32(p + 4) << 32;
}

static uint32_t crc32_of(const uint8_t *p, size_t n)	/* zlib's CRC-32 */
{
	uint32_t c = 0xffffffffu;

	while (n--) {
		c ^= *p++;
		for (int i = 0; i < 8; i++)
			c = c >> 1 ^ (0xedb88320u & -(c & 1));
	}
	return ~c;
}

static uint8_t *read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	uint8_t *b = NULL;
	long n;

	if (f && !fseek(f, 0, SEEK_END) && (n = ftell(f)) >= 0 && !fseek(f, 0, SEEK_SET) &&
	    (b = malloc((size_t)n + 1)) && fread(b, 1, (size_t)n, f) == (size_t)n) {
		*size = (size_t)n;
		fclose(f);
		return b;
	}
	fprintf(stderr, "qpk_classify: %s: %s\n", path, strerror(errno ? errno : EIO));
	free(b);
	if (f)
		fclose(f);
	return NULL;
}

/* A bad file: the field, its offset and what was found. Returns -1. */
static int bad(const char *path, const char *fmt, unsigned long long a, unsigned long long b)
{
	fprintf(stderr, "qpk_classify: %s: ", path);
	fprintf(stderr, fmt, a, b);
	fputc('\n', stderr);
	return -1;
}

/* Reads and checks a packed classifier; 0 or -1 with the bad field printed. */
static int qpk_read(const char *path, struct qpk_model *m)
{
	const uint8_t *b;
	size_t at, size;
	uint32_t nlin, i, j;

	memset(m, 0, sizeof(*m));
	m->bytes = read_file(path, &m->size);
	if (!m->bytes)
		return -1;
	b = m->bytes;
	size = m->size;
	if (size < QPK_HDR)
		return bad(path, "%llu bytes: shorter than the %llu-byte header", size, QPK_HDR);
	if (get32(b) != QPK_MAGIC)
		return bad(path, "magic %#llx at offset 0: not a packed checkpoint (%#llx)",
			   get32(b), QPK_MAGIC);
	if (get32(b + 4) != QPK_VERSION)
		return bad(path, "version %llu at offset 4 (this reader: %llu)", get32(b + 4),
			   QPK_VERSION);
	if (get64(b + 16) != size)
		return bad(path, "size %llu at offset 16: the file has %llu bytes", get64(b + 16),
			   size);
	if (get32(b + 8) != crc32_of(b + 12, size - 12))
		return bad(path, "crc %#llx at offset 8: the bytes from offset 12 give %#llx",
			   get32(b + 8), crc32_of(b + 12, size - 12));
	if (get32(b + 12) != QPK_CLASSIFIER)
		return bad(path, "kind %llu at offset 12: not a classifier (%llu)", get32(b + 12),
			   QPK_CLASSIFIER);
	memcpy(m->variant, b + 40, 48);
	m->layers = get32(b + 88);
	nlin = get32(b + 28);
	if (m->layers < 1 || m->layers > QPK_LAYERS_MAX)
		return bad(path, "layers %llu at offset 88 (1..%llu)", m->layers, QPK_LAYERS_MAX);
	if (nlin != m->layers)
		return bad(path, "%llu layer records (offset 28) for %llu layers", nlin, m->layers);
	for (i = 0; i <= m->layers; i++)
		m->dims[i] = get32(b + 92 + 4 * i);
	if (m->dims[0] != PIXELS || m->dims[m->layers] != 10)
		return bad(path, "a classifier of %llu inputs and %llu classes (offset 92): "
			   "Fashion-MNIST's are 784 and 10", m->dims[0], m->dims[m->layers]);
	/* the biases b0 .. b{n-1}: u32 count, then the floats */
	at = QPK_HDR;
	for (i = 0; i < m->layers; i++) {
		if (at + 4 > size || get32(b + at) != m->dims[i + 1] ||
		    at + 4 + 4ull * m->dims[i + 1] > size)
			return bad(path, "bias b%llu at offset %llu: not a count of the layer's "
				   "outputs and its floats", i, at);
		m->l[i].bias = (const float *)(b + at + 4);
		at += 4 + 4ull * m->dims[i + 1];
	}
	for (i = 0; i < m->layers; i++) {
		struct qpk_layer *l = &m->l[i];
		struct accel_wgeom g;
		uint64_t len[4], want[4];
		const void **buf[4] = { &l->w.data, &l->w.scales, &l->w.zeros, &l->w.meta };
		static const char *const what[4] = { "data", "scales", "zeros", "meta" };

		if (at + QPK_FIXED > size)
			return bad(path, "layer %llu: record at offset %llu is cut short", i, at);
		memcpy(l->name, b + at, QPK_NAME);
		l->n = get32(b + at + 32);
		l->k = get32(b + at + 36);
		l->act = get32(b + at + 40);
		l->afmt = get32(b + at + 44);
		/* +48: input group (which layer first reads the same input) */
		l->w = (struct accel_weights){
			.format = get32(b + at + 52), .n = l->n, .k = l->k,
			.group = get32(b + at + 56), .flags = get32(b + at + 60),
		};
		memcpy(&l->w.tensor_scale, b + at + 64, 4);
		if (l->w.format != DRM_QUASAR_FORMAT_W_NVFP4)
			l->w.tensor_scale = 0;	/* 1 in the file; the device wants 0 */
		l->ninv = get32(b + at + 68);
		for (j = 0; j < 4; j++)
			len[j] = get64(b + at + 72 + 8 * j);
		if (l->n != m->dims[i + 1] || l->k != m->dims[i]) {
			fprintf(stderr, "qpk_classify: %s: layer %s (record at %zu): n %u, k %u; "
				"the config's layer %u is %u x %u\n", path, l->name, at, l->n, l->k,
				i, m->dims[i + 1], m->dims[i]);
			return -1;
		}
		if (l->ninv != 0 && l->ninv != l->k)
			return bad(path, "layer record at offset %llu: %llu input factors (0 or k)",
				   at, l->ninv);
		if (accel_weights_geometry(&l->w, &g))
			return bad(path, "layer record at offset %llu: format %llu with this group "
				   "and flags is no packed format", at, l->w.format);
		want[0] = g.data_bytes, want[1] = g.scale_bytes;
		want[2] = g.zero_bytes, want[3] = g.meta_bytes;
		for (j = 0; j < 4; j++)
			if (len[j] != want[j]) {
				fprintf(stderr, "qpk_classify: %s: layer %s: %s of %llu bytes, its "
					"format's geometry has %llu\n", path, l->name, what[j],
					(unsigned long long)len[j], (unsigned long long)want[j]);
				return -1;
			}
		at += QPK_FIXED;
		if (at + 4ull * l->ninv + len[0] + len[1] + len[2] + len[3] > size)
			return bad(path, "layer %llu: buffers past the end of the file (at %llu)", i,
				   at);
		l->in_inv = l->ninv ? (const float *)(b + at) : NULL;
		at += 4ull * l->ninv;
		for (j = 0; j < 4; j++) {
			*buf[j] = len[j] ? b + at : NULL;
			at += len[j];
		}
	}
	if (at != size)
		return bad(path, "%llu bytes after the last layer record (at %llu)", size - at, at);
	return 0;
}

/* An IDX file of Fashion-MNIST (big-endian header); its items, or NULL. */
static uint8_t *idx_read(const char *path, uint32_t magic, uint32_t item, uint32_t *count)
{
	size_t size, hdr = magic == 0x803 ? 16 : 8;
	uint8_t *b = read_file(path, &size);
	uint32_t n;

	if (!b)
		return NULL;
	n = size >= hdr ? (uint32_t)b[4] << 24 | b[5] << 16 | b[6] << 8 | b[7] : 0;
	if (size < hdr || (uint32_t)(b[2] << 8 | b[3]) != magic)
		fprintf(stderr, "qpk_classify: %s: magic at offset 0 is not IDX %#x\n", path, magic);
	else if (hdr + (size_t)n * item != size)
		fprintf(stderr, "qpk_classify: %s: count %u at offset 4 needs %zu bytes, the file "
			"has %zu\n", path, n, hdr + (size_t)n * item, size);
	else {
		*count = n;
		memmove(b, b + hdr, (size_t)n * item);
		return b;
	}
	free(b);
	return NULL;
}

static int fail(const char *what, int err)
{
	fprintf(stderr, "qpk_classify: %s: %s\n", what, accel_strerror(err));
	return 1;
}

static int new_plain(struct accel_device *dev, uint32_t format, uint32_t rows, uint32_t cols,
		     struct accel_tensor **t)
{
	return accel_tensor_create(dev, format, 2, (uint32_t[]){ rows, cols }, t);
}

int main(int argc, char **argv)
{
	struct accel_tensor *t[8 * QPK_LAYERS_MAX + 1] = { 0 }, *x, *y;
	struct accel_device *dev = NULL;
	struct accel_cmdbuf *cb = NULL;
	struct accel_job_result res;
	struct accel_job_stats st;
	struct qpk_model m;
	uint8_t *pixels, *labels = NULL;
	uint32_t count = 8, images, nlabels = 0, nt = 0, correct = 0, i, c;
	uint64_t fnv = 0xcbf29ce484222325ull;
	float *in, *logits;
	char report[2048];
	int err, a = 1;

	if (argc > 2 && !strcmp(argv[1], "-n")) {
		count = (uint32_t)strtoul(argv[2], NULL, 10);
		a = 3;
	}
	if (argc - a < 2 || argc - a > 3 || count == 0 || count > 10000) {
		fprintf(stderr, "usage: qpk_classify [-n COUNT (1..10000, default 8)] MODEL.qpk "
			"IMAGES-idx3 [LABELS-idx1]\n");
		return 2;
	}
	if (qpk_read(argv[a], &m))
		return 1;
	pixels = idx_read(argv[a + 1], 0x803, PIXELS, &images);
	if (!pixels || (argc - a == 3 && !(labels = idx_read(argv[a + 2], 0x801, 1, &nlabels))))
		return 1;
	if (count > images || (labels && nlabels < count)) {
		fprintf(stderr, "qpk_classify: -n %u: the files hold %u images, %u labels\n", count,
			images, labels ? nlabels : images);
		return 2;
	}
	printf("%s: %s, %u layers, %u images as one job\n", argv[a], m.variant, m.layers, count);

	if ((err = accel_device_open(NULL, &dev)))	/* $ACCEL_DEVICE, else the first quasar node */
		return fail("open", err);
	/* the input: pixels / 255 in FP32, as the models' evaluation feeds them */
	in = malloc(sizeof(float) * count * PIXELS);
	logits = malloc(sizeof(float) * count * 10);
	if (!in || !logits)
		return fail("input", -ENOMEM);
	for (i = 0; i < count * PIXELS; i++)
		in[i] = (float)pixels[i] / 255.0f;
	if ((err = new_plain(dev, DRM_QUASAR_FORMAT_FP32, count, PIXELS, &t[nt])) ||
	    (err = accel_tensor_write_f32(t[nt], in, (uint64_t)count * PIXELS)))
		return fail("input tensor", err);
	x = t[nt++];

	if ((err = accel_cmdbuf_create(dev, &cb)))
		return fail("command buffer", err);
	for (i = 0; i < m.layers; i++) {
		const struct qpk_layer *l = &m.l[i];
		struct accel_epilogue epi = ACCEL_EPILOGUE_INIT;
		struct accel_tensor *w, *bias, *xs, *inv, *xb;
		int last = i + 1 == m.layers, next_scaled = !last && m.l[i + 1].in_inv;

		if (accel_tensor_desc(x)->format == DRM_QUASAR_FORMAT_FP32) {
			if (l->in_inv) {	/* x * (1/s): one row for every image */
				if ((err = new_plain(dev, DRM_QUASAR_FORMAT_FP32, 1, l->k, &inv)) ||
				    (err = accel_tensor_write_f32(inv, l->in_inv, l->k)) ||
				    (err = new_plain(dev, DRM_QUASAR_FORMAT_FP32, count, l->k, &xs)) ||
				    (err = count > 1 ? accel_op_mul_row(cb, xs, x, inv) :
						       accel_op_mul(cb, xs, x, inv)))
					return fail(l->name, err);
				t[nt++] = inv;
				t[nt++] = x = xs;
			}
			if ((err = new_plain(dev, DRM_QUASAR_FORMAT_BF16, count, l->k, &xb)) ||
			    (err = accel_op_convert(cb, xb, x)))	/* the GEMM reads BF16 */
				return fail(l->name, err);
			t[nt++] = x = xb;
		}
		/* the packed layer in its BO, exactly the file's bytes */
		if ((err = accel_tensor_create_weights(dev, &l->w, &w)))
			return fail(l->name, err);
		t[nt++] = w;
		if ((err = new_plain(dev, DRM_QUASAR_FORMAT_FP32, 1, l->n, &bias)) ||
		    (err = accel_tensor_write_f32(bias, l->bias, l->n)))
			return fail(l->name, err);
		t[nt++] = bias;
		if ((err = new_plain(dev, last || next_scaled ? DRM_QUASAR_FORMAT_FP32 :
				     DRM_QUASAR_FORMAT_BF16, count, l->n, &y)))
			return fail(l->name, err);
		t[nt++] = y;
		epi.act = l->act;
		epi.flags = l->afmt == A_INT8 ? DRM_QUASAR_GEMM_A8 : 0;
		epi.bias = bias;
		if ((err = accel_op_gemm(cb, y, x, w, &epi)))
			return fail(l->name, err);
		x = y;
	}

	if ((err = accel_cmdbuf_submit(cb, NULL)) ||
	    (err = accel_cmdbuf_wait(cb, ACCEL_TIMEOUT_INFINITE, &res)))
		return fail("job", err);
	if ((err = accel_tensor_read_f32(x, logits, (uint64_t)count * 10)) ||
	    (err = accel_cmdbuf_stats(cb, &st)))
		return fail("read back", err);

	printf(labels ? "image  top-1         label\n" : "image  top-1\n");
	for (i = 0; i < count; i++) {
		uint32_t best = 0;

		for (c = 1; c < 10; c++)
			if (logits[i * 10 + c] > logits[i * 10 + best])
				best = c;
		correct += labels && labels[i] == best;
		if (i < 16 && labels)
			printf("%5u  %-12s  %s\n", i, class_names[best], class_names[labels[i] % 10]);
		else if (i < 16)
			printf("%5u  %s\n", i, class_names[best]);
	}
	if (count > 16)
		printf("  ...  (%u more)\n", count - 16);
	if (labels)
		printf("correct: %u of %u\n", correct, count);
	/* FNV-1a of the logits' bytes: the build's .figures hold the same digest */
	for (i = 0; i < count * 10 * sizeof(float); i++)
		fnv = (fnv ^ ((const uint8_t *)logits)[i]) * 0x100000001b3ull;
	printf("logits fnv1a64: %#018llx\n", (unsigned long long)fnv);
	accel_job_report(&st, "the classifier, one job", report, sizeof(report));
	printf("%s", report);

	accel_cmdbuf_destroy(cb);
	while (nt)
		accel_tensor_free(t[--nt]);
	accel_device_close(dev);
	free(in);
	free(logits);
	free(pixels);
	free(labels);
	free(m.bytes);
	return 0;
}
