# SPDX-License-Identifier: MIT
"""Errors: libaccel's negative errno and its last-error text, as an OSError."""
import errno as _errno

from ._ffi import ffi, lib


class QuasarError(OSError):
    """A libaccel call failed.

    ``errno`` is the positive errno the C function returned (EINVAL, EIO...),
    ``strerror`` libaccel's description of it, ``call`` the C function, and
    ``detail`` the device's last-error text (the rule, the field and the
    value), when the call had a device to report it. A failed job (EIO)
    also carries its ``result`` (a :class:`quasar.JobResult`).
    """

    def __init__(self, err, call, detail="", result=None):
        super().__init__(err, ffi.string(lib.accel_strerror(-err)).decode())
        self.call = call
        self.detail = detail
        self.result = result

    def __str__(self):
        text = f"[Errno {self.errno}] {self.call}: {self.strerror}"
        return f"{text}: {self.detail}" if self.detail else text


def last_error(dev_ptr):
    """The text of the last failure on a device (its C pointer)."""
    if dev_ptr is None or dev_ptr == ffi.NULL:
        return ""
    buf = ffi.new("char[]", 512)
    lib.accel_device_last_error(dev_ptr, buf, len(buf))
    return ffi.string(buf).decode(errors="replace")


def check(rc, call, dev_ptr=None):
    """Raises QuasarError for a negative return code; returns rc otherwise."""
    if rc < 0:
        raise QuasarError(-rc, call, last_error(dev_ptr))
    return rc


def invalid(call, detail, err=_errno.EINVAL):
    """A QuasarError for an argument the binding refuses before calling C."""
    return QuasarError(err, call, detail)
