"""What every libaccel object a Device owns has in common (internal)."""

import errno

from .errors import QuasarError


class Handle:
    """A C object owned by ``self.dev``: ``ptr()`` while it lives; a subclass
    sets ``_gone`` (the error text once it is released) and ``release()``."""

    _gone = "the object is released"

    def __del__(self):
        if getattr(self, "_ptr", None) is not None and not self.dev.closed:
            self.release()

    def ptr(self, call):
        if self._ptr is None or self.dev.closed:
            raise QuasarError(errno.EBADF, call, self._gone)
        return self._ptr
