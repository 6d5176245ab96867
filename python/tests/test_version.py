# SPDX-License-Identifier: MIT
"""The library version check (accel_version() against the binding's ACCEL_VERSION)."""
import errno

import pytest

import quasar


def test_loaded_library_is_the_one_the_binding_was_written_for():
    encoded, text = quasar.library_version()
    assert text == quasar.__version__
    assert encoded == quasar.VERSION
    assert quasar.check_version() == encoded


@pytest.mark.parametrize("found", [0x020000, 0x000900])
def test_other_major_is_refused(found):
    with pytest.raises(quasar.QuasarError) as e:
        quasar.check_version(found, wanted=0x010000)
    assert e.value.errno == errno.ENOTSUP
    assert f"libaccel {found >> 16}." in str(e.value) and "needs 1.x" in str(e.value)


def test_older_minor_is_refused_newer_accepted():
    with pytest.raises(quasar.QuasarError) as e:
        quasar.check_version(0x010100, wanted=0x010200)
    assert "libaccel 1.1.0 loaded" in str(e.value) and "x >= 2" in str(e.value)
    assert quasar.check_version(0x010305, wanted=0x010200) == 0x010305
