"""msgspec types of the catalogue API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec


class Names(msgspec.Struct, frozen=True):
    vi: str
    en: str


class VersionOut(msgspec.Struct, frozen=True):
    version: int
    content_hash: str
    closed_at: datetime | None


class ProcedureEntry(msgspec.Struct, frozen=True):
    code: str
    name: Names
    current_version: int | None
    versions: list[VersionOut]


class CatalogueIndex(msgspec.Struct, frozen=True):
    """Every procedure with every published version; phones keep the versions their queue needs."""

    etag: str
    procedures: list[ProcedureEntry]


class DeclarationCheckIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    data: dict[str, Any]
    written_at: datetime | None = None


class DeclarationCheckOut(msgspec.Struct, frozen=True):
    code: str
    version: int
    valid: bool
