"""Attachment bytes, named by SHA-256, on local disk or in S3-compatible object storage.

Both stores answer the same four calls (exists, put, get as a stream, delete); which one a
process uses follows ``MOTCUA_OBJECT_STORE_URL`` (empty: the data directory's disk). Every
call runs its blocking I/O in a worker thread, so a 5 MB upload or download never holds the
event loop. The media type is told here by content, and the rules of who may read which bytes
live in the database (models.AttachmentPlace), never in the store.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import AsyncIterator
from functools import lru_cache
from pathlib import Path
from typing import Any, BinaryIO, Protocol
from urllib.parse import urlsplit

import anyio.to_thread

from motcua.settings import Settings

# Magic numbers: the name and the Content-Type header a phone sends prove nothing.
ACCEPTED_TYPES = ("image/jpeg", "image/png", "image/webp", "application/pdf")
MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
CHUNK_BYTES = 256 * 1024


class MissingAttachment(LookupError):
    """The store has no bytes under this hash (the database may still name them)."""


class StoreUnavailable(RuntimeError):
    """The object store cannot be used as configured; the message is one line to act on."""


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


class AttachmentStore(Protocol):
    """Where the bytes live. ``put`` of bytes already there is harmless; ``delete`` of bytes
    not there too (data retention calls it for photos and signatures past their time)."""

    async def exists(self, sha256: str) -> bool: ...

    async def put(self, sha256: str, data: bytes) -> None: ...

    async def get(self, sha256: str) -> AsyncIterator[bytes]:
        """Open the bytes (MissingAttachment if absent) and give them back in chunks; the
        error comes before the first chunk, so an answer never starts for nothing."""
        ...

    async def delete(self, sha256: str) -> None: ...


def attachment_path(settings: Settings, sha256: str) -> Path:
    """Where the disk store keeps these bytes."""
    return settings.data_dir / "attachments" / sha256[:2] / sha256


async def _chunks(read: Any, close: Any) -> AsyncIterator[bytes]:
    """Read a blocking file-like object chunk by chunk in a worker thread, then close it."""
    try:
        while chunk := await anyio.to_thread.run_sync(read, CHUNK_BYTES):
            yield chunk
    finally:
        await anyio.to_thread.run_sync(close)


class DiskStore:
    """``<data dir>/attachments/ab/abcd…``, written once through a temporary file."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def _path(self, sha256: str) -> Path:
        return attachment_path(self.settings, sha256)

    async def exists(self, sha256: str) -> bool:
        return await anyio.to_thread.run_sync(self._path(sha256).exists)

    async def put(self, sha256: str, data: bytes) -> None:
        await anyio.to_thread.run_sync(self._write, self._path(sha256), data)

    @staticmethod
    def _write(path: Path, data: bytes) -> None:
        """A temporary file renamed into place, so a crash leaves no half file."""
        if path.exists():
            return
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

    async def get(self, sha256: str) -> AsyncIterator[bytes]:
        try:
            handle: BinaryIO = await anyio.to_thread.run_sync(self._path(sha256).open, "rb")
        except FileNotFoundError as missing:
            raise MissingAttachment(sha256) from missing
        return _chunks(handle.read, handle.close)

    async def delete(self, sha256: str) -> None:
        await anyio.to_thread.run_sync(lambda: self._path(sha256).unlink(missing_ok=True))


class S3Store:
    """``s3://bucket/prefix``: the object ``prefix/ab/abcd…`` (the disk's layout) in any
    S3-compatible service. The endpoint is ``MOTCUA_OBJECT_STORE_ENDPOINT`` (else AWS's, or
    ``AWS_ENDPOINT_URL``); credentials and region come from the standard AWS_* variables,
    a profile or an instance role, as boto3 finds them."""

    def __init__(self, url: str, endpoint: str = "") -> None:
        import boto3  # only processes that use object storage pay for importing it
        from botocore.config import Config

        parts = urlsplit(url)
        self.bucket = parts.netloc
        self.prefix = parts.path.strip("/")
        self.client: Any = boto3.session.Session().client(
            "s3",
            endpoint_url=endpoint or None,
            # Path-style addressing works with MinIO and the like as well as with AWS; botocore's
            # own pool (10) is raised so concurrent uploads of one process do not queue for it.
            config=Config(
                s3={"addressing_style": "path"},
                max_pool_connections=32,
                retries={"max_attempts": 3, "mode": "standard"},
            ),
        )

    def check(self) -> None:
        """Make sure, once at start (blocking), that the bucket is there and ours to use, so that
        a wrong setting stops ``motcua serve`` with one line instead of failing each upload."""
        from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

        where = f"{self.client.meta.endpoint_url} (MOTCUA_OBJECT_STORE_ENDPOINT)"
        try:
            self.client.head_bucket(Bucket=self.bucket)
        except NoCredentialsError:
            raise StoreUnavailable(
                "no credentials for object storage: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
            ) from None
        except ClientError as error:
            status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            if self._is_missing(error) or status == 404:
                raise StoreUnavailable(
                    f"there is no bucket {self.bucket!r} at {where}: create it, or fix MOTCUA_OBJECT_STORE_URL"
                ) from None
            raise StoreUnavailable(
                f"object storage at {where} refused bucket {self.bucket!r} ({status}): "
                "check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY and the key's rights"
            ) from None
        except BotoCoreError as error:
            raise StoreUnavailable(f"object storage at {where} is unreachable: {error}") from None

    def key(self, sha256: str) -> str:
        name = f"{sha256[:2]}/{sha256}"
        return f"{self.prefix}/{name}" if self.prefix else name

    def _is_missing(self, error: Exception) -> bool:
        code = str(getattr(error, "response", {}).get("Error", {}).get("Code", ""))
        return code in {"404", "NoSuchKey", "NotFound"}

    async def exists(self, sha256: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            await anyio.to_thread.run_sync(
                lambda: self.client.head_object(Bucket=self.bucket, Key=self.key(sha256))
            )
        except ClientError as error:
            if self._is_missing(error):
                return False
            raise
        return True

    async def put(self, sha256: str, data: bytes) -> None:
        # Content addressing makes a second put of the same key write the same bytes; the
        # checksum lets the store refuse bytes damaged on the way.
        await anyio.to_thread.run_sync(
            lambda: self.client.put_object(
                Bucket=self.bucket,
                Key=self.key(sha256),
                Body=data,
                ContentType="application/octet-stream",
                ChecksumAlgorithm="SHA256",
            )
        )

    async def get(self, sha256: str) -> AsyncIterator[bytes]:
        from botocore.exceptions import ClientError

        try:
            answer = await anyio.to_thread.run_sync(
                lambda: self.client.get_object(Bucket=self.bucket, Key=self.key(sha256))
            )
        except ClientError as error:
            if self._is_missing(error):
                raise MissingAttachment(sha256) from error
            raise
        body = answer["Body"]
        return _chunks(body.read, body.close)

    async def delete(self, sha256: str) -> None:
        await anyio.to_thread.run_sync(
            lambda: self.client.delete_object(Bucket=self.bucket, Key=self.key(sha256))
        )


def check_store(settings: Settings) -> None:
    """Stop with StoreUnavailable if the configured object store cannot be used (disk: nothing
    to check; its directory is made on the first upload)."""
    store = attachment_store(settings)
    if isinstance(store, S3Store):
        store.check()


@lru_cache(maxsize=8)
def attachment_store(settings: Settings) -> AttachmentStore:
    """The store these settings name, made once per process (an S3 client keeps its pool)."""
    if settings.object_store_url:
        return S3Store(settings.object_store_url, settings.object_store_endpoint)
    return DiskStore(settings)
