"""Counting across ``motcua serve --workers N``: prometheus-client's multiprocess mode."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"


@contextlib.contextmanager
def counted_across(workers: int) -> Iterator[None]:
    """With several worker processes, each writes its counters to a file in one directory that
    every process's ``/metrics`` sums, whichever process the scrape reaches. The worker
    processes inherit the variable; it must be set before they import prometheus-client.
    A directory given in ``PROMETHEUS_MULTIPROC_DIR`` is emptied first (counts restart with
    the server, as counters may); otherwise a temporary one is made and removed at the end."""
    if workers <= 1:
        yield
        return
    given = os.environ.get(MULTIPROCESS_DIR)
    if given:
        for stale in Path(given).glob("*.db"):
            stale.unlink()
        yield
        return
    made = tempfile.mkdtemp(prefix="motcua-metrics-")
    os.environ[MULTIPROCESS_DIR] = made
    try:
        yield
    finally:
        os.environ.pop(MULTIPROCESS_DIR, None)
        shutil.rmtree(made, ignore_errors=True)
