"""Where the PWA and the schemas are: inside the installed package, or beside it in a checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def resource_dir(name: str) -> Path:
    """``pwa`` or ``schemas``: shipped in the wheel as ``motcua/<name>``, at the repo root in a checkout."""
    for candidate in (_PACKAGE / name, _PACKAGE.parent.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"motcua resource directory {name!r} is missing from {_PACKAGE}")
