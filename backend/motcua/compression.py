"""Gzip for answers that are text (the sync pull above all), never twice and never for bytes that
are compressed already: the PWA's pre-gzipped assets, photos, PDFs and spreadsheets."""

from __future__ import annotations

from litestar.config.compression import CompressionConfig
from litestar.datastructures import MutableScopeHeaders
from litestar.enums import CompressionEncoding
from litestar.middleware.compression import CompressionMiddleware
from litestar.types import HTTPResponseStartEvent, Message, Scope, Send

# Smaller answers gain nothing worth the CPU: headers alone are a few hundred bytes.
MINIMUM_SIZE = 500
# Level 6 (zlib's own default) is within a few percent of 9 on JSON at about half the CPU.
LEVEL = 6
# Formats that are compressed already; gzip would cost CPU and win nothing.
COMPRESSED_TYPES = (
    "image/png",
    "image/jpeg",
    "image/webp",
    "image/gif",
    "application/pdf",
    "application/zip",
    "application/gzip",
    "application/octet-stream",
    "application/vnd.openxmlformats",
    "font/woff",
    "audio/",
    "video/",
)
# Attachments go up and come down as photos and PDFs: never through the compressor.
EXCLUDE = ["^/api/attachments"]


def _already_compressed(message: HTTPResponseStartEvent) -> bool:
    headers = MutableScopeHeaders(message)
    if headers.get("content-encoding"):
        return True  # e.g. a PWA asset served from its own .gz
    return (headers.get("content-type") or "").lower().startswith(COMPRESSED_TYPES)


class SelectiveCompression(CompressionMiddleware):
    """Litestar's compression, except for answers that carry a Content-Encoding already or a
    compressed format: those pass through untouched."""

    def create_compression_send_wrapper(
        self, send: Send, compression_encoding: CompressionEncoding | str, scope: Scope
    ) -> Send:
        compress = super().create_compression_send_wrapper(send, compression_encoding, scope)
        passing = False

        async def send_wrapper(message: Message) -> None:
            nonlocal passing
            if message["type"] == "http.response.start":
                passing = _already_compressed(message)
            await (send if passing else compress)(message)

        return send_wrapper


def compression_config() -> CompressionConfig:
    """Gzip only: brotli would need a native package the project does not carry, and gzip
    already takes JSON to a fifth or less of its size."""
    return CompressionConfig(
        backend="gzip",
        minimum_size=MINIMUM_SIZE,
        gzip_compress_level=LEVEL,
        exclude=EXCLUDE,
        middleware_class=SelectiveCompression,
    )
