# SPDX-License-Identifier: MIT
"""Opening the device, its information, closing it."""
import errno

import pytest

import quasar


def test_open_finds_the_quasar_node(dev):
    info = dev.info
    assert info.driver == "quasar"
    assert (info.pci_vendor, info.pci_device) == (0x1af4, 0x10f0)
    assert info.path.startswith("/dev/accel/accel")
    assert info.num_queues >= 1 and info.page_size == 4096
    assert {"FP32", "BF16", "W_INT8"} <= set(info.formats), info.formats
    assert "GEMM" in info.ops, info.ops


def test_open_takes_the_node_from_accel_device(monkeypatch):
    with quasar.Device() as first:
        path = first.path
    monkeypatch.setenv("ACCEL_DEVICE", path)
    with quasar.open() as dev:
        assert dev.path == path


def test_open_of_a_missing_node_names_it(monkeypatch):
    monkeypatch.setenv("ACCEL_DEVICE", "/dev/accel/accel97")
    with pytest.raises(quasar.QuasarError) as e:
        quasar.Device()
    assert e.value.errno == errno.ENOENT, e.value
    assert e.value.call == "accel_device_open"
    assert "/dev/accel/accel97" in str(e.value)


def test_closing_frees_what_the_device_made():
    dev = quasar.Device()
    t = dev.tensor((4, 8))
    cb = dev.cmdbuf()
    dev.close()
    assert dev.closed
    for call in (lambda: t.read(), lambda: cb.nop(), lambda: dev.tensor((2, 2))):
        with pytest.raises(quasar.QuasarError) as e:
            call()
        assert e.value.errno == errno.EBADF
        assert "closed" in str(e.value) or "freed" in str(e.value) or "destroyed" in str(e.value)
    dev.close()	# twice is fine


def test_context_manager_closes():
    with quasar.Device() as dev:
        pass
    assert dev.closed
    with pytest.raises(quasar.QuasarError) as e:
        dev.info
    assert e.value.errno == errno.EBADF and "the device is closed" in str(e.value)
