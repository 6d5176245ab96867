# SPDX-License-Identifier: MIT
"""Bad input raises QuasarError with the errno and libaccel's text, and
leaves the device usable."""
import errno

import numpy as np
import pytest

import quasar


def _raises(err, fn, *words):
    with pytest.raises(quasar.QuasarError) as e:
        fn()
    assert isinstance(e.value, OSError) and e.value.errno == err, e.value
    for w in words:
        assert w in str(e.value), (w, str(e.value))
    return e.value


def test_tensor_of_a_zero_extent(dev):
    e = _raises(errno.EINVAL, lambda: dev.tensor((4, 0)), "accel_tensor_create")
    assert e.detail, "libaccel's last-error text is carried"


def test_tensor_of_five_dimensions(dev):
    e = _raises(errno.EINVAL, lambda: dev.tensor((1, 1, 1, 2, 2)), "accel_tensor_create")
    assert "5" in e.detail


def test_write_of_the_wrong_count(dev):
    t = dev.tensor((2, 3))
    e = _raises(errno.EINVAL, lambda: t.write(np.zeros(5, np.float32)), "accel_tensor_write_f32")
    assert "5" in e.detail and "6" in e.detail
    assert np.all(t.read() == 0)	# nothing written


def test_gemm_of_mismatched_shapes_names_the_rule(dev):
    x, y = dev.tensor((4, 64), "bf16"), dev.tensor((4, 16))
    w = dev.weights_int8(np.ones((16, 32), np.float32))	# K 32 against x's 64
    cb = dev.cmdbuf()
    e = _raises(errno.EINVAL, lambda: cb.gemm(y, x, w), "accel_op_gemm")
    assert "GEMM x: dims[3] must be the weights' K" in e.detail and "BAD_SHAPE" in e.detail
    assert len(cb) == 0	# nothing appended


def test_packed_buffer_of_the_wrong_size(dev):
    _raises(errno.EINVAL, lambda: dev.weights("w_int8", 16, 32, np.zeros(100, np.uint8)),
            "data: 100 bytes", "512")


def test_unknown_format_and_priority(dev):
    _raises(errno.EINVAL, lambda: dev.tensor((2, 2), "fp64"), "'fp64'")
    _raises(errno.EINVAL, lambda: dev.queue("urgent"), "'urgent'")


def test_job_fault_reports_the_device_status(dev):
    bo = dev.buffer(4096)
    info = dev.info
    cb = dev.cmdbuf().copy(bo, info.va_end - 8192, 4096)	# nothing is mapped there
    e = _raises(errno.EIO, lambda: cb.run(timeout=60), "MMU_FAULT")
    assert e.result.status_name == "MMU_FAULT" and e.result.fault_addr != 0
    # The driver bans a file whose job faulted; a new file gets a new context.
    _raises(errno.EBADFD, lambda: dev.cmdbuf().fill(bo, 4096, 7).submit(), "accel_cmdbuf_submit")
    with quasar.Device() as fresh:
        other = fresh.buffer(4096)
        assert fresh.cmdbuf().fill(other, 4096, 0x07070707).run(timeout=60).ok
        assert np.all(other.array == 7)


def test_bad_weight_geometry_names_the_arguments():
    _raises(errno.EINVAL, lambda: quasar.weights_geometry("w_int4", 20, 40, group=33),
            "accel_weights_geometry", "format W_INT4, n 20, k 40, group 33")
