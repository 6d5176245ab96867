# SPDX-License-Identifier: MIT
"""Buffer objects as numpy arrays, and DMA jobs (FILL, COPY) on them."""
import numpy as np

import quasar


def test_buffer_array_round_trip(dev):
    bo = dev.buffer(10000)
    assert bo.size == 12288 and bo.addr % 4096 == 0
    a = bo.array
    assert a.dtype == np.uint8 and a.size == bo.size and not a.any()	# zero-filled
    pattern = (np.arange(bo.size) * 7 % 251).astype(np.uint8)
    a[:] = pattern
    del a
    bo._array = None	# a new mapping view of the same memory
    assert np.array_equal(bo.array, pattern)


def test_fill_then_copy_job(dev):
    src, dst = dev.buffer(3 * 4096), dev.buffer(3 * 4096)
    cb = dev.cmdbuf().fill(src, 2 * 4096, 0x5a5a5a5a, offset=4096)
    cb.copy(dst, src, 8192, dst_offset=0, src_offset=4096)
    assert len(cb) >= 2
    result = cb.run(timeout=60)
    assert result.ok and result.status_name == "OK"
    assert not src.array[:4096].any()
    assert np.all(src.array[4096:] == 0x5a)
    assert np.all(dst.array[:8192] == 0x5a) and not dst.array[8192:].any()


def test_tensor_array_is_a_view_of_the_device_memory(dev):
    t = dev.tensor((3, 5), "fp32")
    t.array[:] = np.arange(15, dtype=np.float32).reshape(3, 5)
    assert np.array_equal(t.read(), np.arange(15, dtype=np.float32).reshape(3, 5))
    t.write(np.full((3, 5), 2.5, np.float32))
    assert np.all(t.array == 2.5)


def test_bf16_tensor_rounds_to_nearest_even(dev):
    x = np.array([1.0, 1.00390625, 1.01171875, -3.5e-3, np.float32(3e38)], np.float32)
    t = dev.tensor_from(x, "bf16")
    assert t.format == quasar.Format.BF16
    assert np.array_equal(t.read(raw=True), quasar.bf16_bits(x))
    assert np.array_equal(t.read(), quasar.bf16_values(quasar.bf16_bits(x)))
    assert t.read()[1] == 1.0 and t.read()[2] == 1.015625	# ties to even, up
