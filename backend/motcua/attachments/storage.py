"""Attachment bytes on disk, named by SHA-256, written atomically; types told by content."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from motcua.settings import Settings

# Magic numbers: the name and the Content-Type header a phone sends prove nothing.
ACCEPTED_TYPES = ("image/jpeg", "image/png", "image/webp", "application/pdf")
MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024


def sniff(data: bytes) -> str | None:
    """The media type of ``data`` by its first bytes, if it is one motcua accepts."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    return None


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def attachment_path(settings: Settings, sha256: str) -> Path:
    return settings.data_dir / "attachments" / sha256[:2] / sha256


def store(settings: Settings, sha256: str, data: bytes) -> Path:
    """Write once: a temporary file renamed into place, so a crash leaves no half file."""
    path = attachment_path(settings, sha256)
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def delete(settings: Settings, sha256: str) -> bool:
    """Remove stored bytes (whether they were there). The caller decides that nothing still
    names them (privacy/retention.py): the same bytes may serve several dossiers and communes."""
    path = attachment_path(settings, sha256)
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    return True
