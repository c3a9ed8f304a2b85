"""One Jupyter Book build at a time in this repository.

The strict HTML build (tests/test_book_build.py) and the PDF build (tests/test_book_pdf.py)
share the execution cache ``_build/.jupyter_cache``. Under pytest-xdist they may run on two
workers at once; on a cold cache both would execute every notebook and write the same
cache. Each build holds this lock, so whichever comes second finds the notebooks executed
and only reads them.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

BUILD = Path(__file__).resolve().parent.parent / "_build"


@contextmanager
def book_build_lock() -> Iterator[None]:
    """Wait until no other book build of this repository runs, then hold the lock."""
    BUILD.mkdir(exist_ok=True)
    with open(BUILD / ".book-build.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
