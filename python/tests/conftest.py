# SPDX-License-Identifier: MIT
"""Fixtures of the quasar binding's tests: they run in the guest
(tests/python/vm_python_test.sh), where /dev/accel/accel0 is a Quasar NPU."""
import pytest

import quasar


@pytest.fixture
def dev():
    with quasar.Device() as d:
        yield d
