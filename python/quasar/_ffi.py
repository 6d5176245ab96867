# SPDX-License-Identifier: MIT
"""libaccel.so.1 through cffi in ABI mode: the C declarations this binding
uses, copied from libaccel/include/accel.h, accel_ops.h and the uapi headers
(uapi/drm/quasar_accel.h, quasar_isa.h). Nothing is compiled: the library is
dlopen()ed, so a Debian python3-cffi is all the binding needs.

A declaration here must stay what the header says: the ABI baseline
(libaccel/abi/) keeps the library's side fixed for a given major version,
and python/tests/test_version.py checks the library is the one this file was
written for.
"""
import os

import cffi

# The library version this binding was written for (accel.h ACCEL_VERSION_*).
ACCEL_VERSION_MAJOR = 1
ACCEL_VERSION_MINOR = 1
ACCEL_VERSION_PATCH = 0

CDEF = """
/* ---- uapi/drm/quasar_accel.h, quasar_isa.h ---- */
struct drm_quasar_device_info {
	uint16_t pci_vendor;
	uint16_t pci_device;
	uint32_t hw_version;
	uint32_t fw_version;
	uint32_t fw_build_id;
	uint32_t fw_abi;
	uint32_t caps;
	uint32_t ops;
	uint32_t formats;
	uint32_t num_queues;
	uint32_t num_contexts;
	uint64_t va_start;
	uint64_t va_end;
	uint32_t page_size;
	uint32_t max_cmd_size;
	uint32_t num_engines;
	uint32_t queue_priorities;
};

struct drm_quasar_tensor {
	uint64_t addr;
	uint32_t dims[4];
	uint32_t strides[4];
	uint32_t format;
	uint32_t flags;
};

struct drm_quasar_wparams {
	uint64_t scales;
	uint64_t zeros;
	uint64_t meta;
	uint32_t group;
	uint32_t tensor_scale;
};

/* ---- accel.h ---- */
uint32_t accel_version(const char **str);

struct accel_device;
struct accel_bo;
struct accel_cmdbuf;
struct accel_syncobj;
struct accel_queue;

int accel_device_open(const char *path, struct accel_device **out);
void accel_device_close(struct accel_device *dev);
int accel_device_fd(const struct accel_device *dev);
const char *accel_device_path(const struct accel_device *dev);
const struct drm_quasar_device_info *accel_device_info(const struct accel_device *dev);

struct accel_driver_version {
	char name[32];
	char date[32];
	char desc[96];
	int major, minor, patch;
};
const struct accel_driver_version *accel_device_driver(const struct accel_device *dev);
void accel_device_last_error(struct accel_device *dev, char *buf, size_t len);

const char *accel_strerror(int err);
const char *accel_status_name(uint32_t status);
const char *accel_status_message(uint32_t status);
const char *accel_cap_name(uint32_t bit);
const char *accel_op_name(uint32_t op);
const char *accel_format_name(uint32_t format);
const char *accel_priority_name(uint32_t priority);
int accel_priority_parse(const char *name, uint32_t *priority);

struct accel_job_result {
	uint32_t status;
	uint32_t cmd_index;
	uint64_t fault_addr;
};

int accel_bo_create(struct accel_device *dev, uint64_t size, struct accel_bo **out);
void accel_bo_free(struct accel_bo *bo);
int accel_bo_map(struct accel_bo *bo, void **ptr);
uint32_t accel_bo_handle(const struct accel_bo *bo);
uint64_t accel_bo_size(const struct accel_bo *bo);
uint64_t accel_bo_addr(const struct accel_bo *bo);
int accel_bo_wait(struct accel_bo *bo, int64_t timeout_ns, struct accel_job_result *result);

int accel_queue_create(struct accel_device *dev, uint32_t priority, struct accel_queue **out);
void accel_queue_destroy(struct accel_queue *q);
uint32_t accel_queue_hw_index(const struct accel_queue *q);
uint32_t accel_queue_priority(const struct accel_queue *q);

int accel_cmdbuf_create(struct accel_device *dev, struct accel_cmdbuf **out);
void accel_cmdbuf_destroy(struct accel_cmdbuf *cb);
int accel_cmdbuf_reset(struct accel_cmdbuf *cb);
int accel_cmdbuf_nop(struct accel_cmdbuf *cb);
int accel_cmdbuf_fill(struct accel_cmdbuf *cb, uint64_t dst, uint32_t size, uint32_t value);
int accel_cmdbuf_copy(struct accel_cmdbuf *cb, uint64_t dst, uint64_t src, uint64_t size);
int accel_cmdbuf_write_value(struct accel_cmdbuf *cb, uint64_t addr, uint64_t value);
uint32_t accel_cmdbuf_size(const struct accel_cmdbuf *cb);
uint32_t accel_cmdbuf_count(const struct accel_cmdbuf *cb);
struct accel_bo *accel_cmdbuf_bo(const struct accel_cmdbuf *cb);

struct accel_sync {
	struct accel_syncobj *syncobj;
	uint64_t point;
};
struct accel_submit {
	uint32_t queue;
	struct accel_bo *const *bos;
	uint32_t bo_count;
	const struct accel_sync *in;
	uint32_t in_count;
	const struct accel_sync *out;
	uint32_t out_count;
	const struct accel_queue *uqueue;
};
int accel_cmdbuf_submit(struct accel_cmdbuf *cb, const struct accel_submit *args);
int accel_cmdbuf_wait(struct accel_cmdbuf *cb, int64_t timeout_ns,
		      struct accel_job_result *result);

/* ---- accel_ops.h ---- */
struct accel_tensor;
struct accel_graph;

uint32_t accel_format_elem_size(uint32_t format);
int accel_format_is_packed(uint32_t format);

struct accel_weights {
	uint32_t format;
	uint32_t n, k;
	uint32_t group;
	uint32_t flags;
	float tensor_scale;
	const void *data;
	const void *scales;
	const void *zeros;
	const void *meta;
};
struct accel_wgeom {
	uint64_t data_bytes, scale_bytes, zero_bytes, meta_bytes;
	uint32_t panels;
	uint32_t kpad;
	uint32_t blocks;
};
int accel_weights_geometry(const struct accel_weights *w, struct accel_wgeom *g);

int accel_tensor_create(struct accel_device *dev, uint32_t format, uint32_t ndim,
			const uint32_t *dims, struct accel_tensor **out);
int accel_tensor_create_weights(struct accel_device *dev, const struct accel_weights *w,
				struct accel_tensor **out);
int accel_tensor_view(const struct accel_tensor *base, uint64_t offset, uint32_t ndim,
		      const uint32_t *dims, const uint32_t *strides, struct accel_tensor **out);
void accel_tensor_free(struct accel_tensor *t);
const struct drm_quasar_tensor *accel_tensor_desc(const struct accel_tensor *t);
const struct drm_quasar_wparams *accel_tensor_wparams(const struct accel_tensor *t);
struct accel_bo *accel_tensor_bo(const struct accel_tensor *t);
uint64_t accel_tensor_elems(const struct accel_tensor *t);
int accel_tensor_map(struct accel_tensor *t, void **ptr);
int accel_tensor_write(struct accel_tensor *t, const void *src, uint64_t count);
int accel_tensor_read(struct accel_tensor *t, void *dst, uint64_t count);
int accel_tensor_write_f32(struct accel_tensor *t, const float *src, uint64_t count);
int accel_tensor_read_f32(struct accel_tensor *t, float *dst, uint64_t count);

struct accel_epilogue {
	float alpha;
	uint32_t act;
	uint32_t flags;
	const struct accel_tensor *bias;
	const struct accel_tensor *residual;
};
struct accel_conv2d {
	uint32_t kh, kw;
	uint32_t stride;
	uint32_t pad;
};

int accel_op_gemm(struct accel_cmdbuf *cb, const struct accel_tensor *y,
		  const struct accel_tensor *x, const struct accel_tensor *w,
		  const struct accel_epilogue *epi);
int accel_op_conv2d(struct accel_cmdbuf *cb, const struct accel_tensor *y,
		    const struct accel_tensor *x, const struct accel_tensor *w,
		    const struct accel_conv2d *geom, const struct accel_epilogue *epi);
int accel_op_rmsnorm(struct accel_cmdbuf *cb, const struct accel_tensor *y,
		     const struct accel_tensor *x, const struct accel_tensor *gain, float eps);
int accel_op_layernorm(struct accel_cmdbuf *cb, const struct accel_tensor *y,
		       const struct accel_tensor *x, const struct accel_tensor *gain,
		       const struct accel_tensor *bias, float eps);
int accel_op_softmax(struct accel_cmdbuf *cb, const struct accel_tensor *y,
		     const struct accel_tensor *x);
int accel_op_rope(struct accel_cmdbuf *cb, const struct accel_tensor *y,
		  const struct accel_tensor *x, const struct accel_tensor *cos,
		  const struct accel_tensor *sin);
int accel_op_add(struct accel_cmdbuf *cb, const struct accel_tensor *y,
		 const struct accel_tensor *a, const struct accel_tensor *b);
int accel_op_mul(struct accel_cmdbuf *cb, const struct accel_tensor *y,
		 const struct accel_tensor *a, const struct accel_tensor *b);
int accel_op_gather(struct accel_cmdbuf *cb, const struct accel_tensor *y,
		    const struct accel_tensor *table, const struct accel_tensor *ids);
int accel_op_convert(struct accel_cmdbuf *cb, const struct accel_tensor *dst,
		     const struct accel_tensor *src);
int accel_op_barrier(struct accel_cmdbuf *cb);
int accel_op_matmul(struct accel_cmdbuf *cb, const struct accel_tensor *y,
		    const struct accel_tensor *a, const struct accel_tensor *b,
		    float alpha, uint32_t flags, uint32_t causal_offset);
int accel_op_softmax_causal(struct accel_cmdbuf *cb, const struct accel_tensor *y,
			    const struct accel_tensor *x, uint32_t causal_offset);
int accel_op_add_row(struct accel_cmdbuf *cb, const struct accel_tensor *y,
		     const struct accel_tensor *a, const struct accel_tensor *b);
int accel_op_mul_row(struct accel_cmdbuf *cb, const struct accel_tensor *y,
		     const struct accel_tensor *a, const struct accel_tensor *b);

struct accel_job_stats {
	uint32_t status;
	uint32_t cmd_index;
	uint64_t seqno;
	uint32_t queue;
	uint32_t clock_mhz;
	uint64_t device_ns;
	uint64_t rd_weight_bytes;
	uint64_t rd_meta_bytes;
	uint64_t rd_act_bytes;
	uint64_t wr_bytes;
	uint64_t sram_bytes;
	uint64_t macs_dense;
	uint64_t macs_exec;
	uint64_t vec_elems;
	uint64_t tiles;
	uint64_t cycles_compute;
	uint64_t cycles_memory;
	uint64_t cycles;
	uint64_t energy_fj;
};
int accel_job_stats(struct accel_bo *cmd_bo, struct accel_job_stats *out);
int accel_cmdbuf_stats(struct accel_cmdbuf *cb, struct accel_job_stats *out);

struct accel_job_cost {
	uint64_t dram_bytes;
	double time_us;
	double energy_uj;
	double pj_per_mac;
	double ops_per_byte;
	double tops;
	int memory_bound;
};
void accel_job_cost(const struct accel_job_stats *s, struct accel_job_cost *c);
int accel_job_report(const struct accel_job_stats *s, const char *title, char *buf,
		     size_t len);

int accel_graph_create(struct accel_device *dev, struct accel_graph **out);
void accel_graph_destroy(struct accel_graph *g);
int accel_graph_add(struct accel_graph *g, struct accel_cmdbuf *cb, uint32_t queue,
		    const uint32_t *deps, uint32_t ndeps, uint32_t *id);
int accel_graph_add_priority(struct accel_graph *g, struct accel_cmdbuf *cb,
			     uint32_t priority, const uint32_t *deps, uint32_t ndeps,
			     uint32_t *id);
uint32_t accel_graph_count(const struct accel_graph *g);
int accel_graph_run(struct accel_graph *g, int64_t timeout_ns);
struct accel_graph_node {
	struct accel_job_result result;
	int stats_err;
	struct accel_job_stats stats;
	uint64_t point;
	int dep_failed;
	const struct accel_queue *queue;
};
int accel_graph_node(const struct accel_graph *g, uint32_t id, struct accel_graph_node *out);
"""

ffi = cffi.FFI()
ffi.cdef(CDEF)

# $QUASAR_LIBACCEL names the library file (a build tree's, an installed
# prefix's); otherwise the dynamic loader finds the soname as for a C program.
LIBRARY = os.environ.get("QUASAR_LIBACCEL", "libaccel.so.1")
lib = ffi.dlopen(LIBRARY)
