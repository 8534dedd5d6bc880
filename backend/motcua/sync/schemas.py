"""The wire format of the sync protocol (see docs/sync.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

import msgspec

from motcua.errors import ErrorBody

Kind = Literal["resident", "consent", "checklist", "dossier"]
OutcomeName = Literal["applied", "duplicate", "conflict", "rejected", "held"]

MAX_BATCH_RECORDS = 200
MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024


class RecordIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One record as the phone froze it when it was queued. ``body`` depends on ``kind``."""

    kind: Kind
    id: UUID
    written_at: datetime
    body: dict[str, Any]
    revision: int = 1
    base_revision: int | None = None


class PushIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    records: list[RecordIn]


class Outcome(msgspec.Struct, frozen=True, omit_defaults=True):
    """What became of one record. Only ``applied``, ``duplicate`` and ``held`` let the phone
    stop sending it; ``conflict`` and ``rejected`` carry the server's reason."""

    id: UUID
    kind: str
    revision: int
    outcome: OutcomeName
    reason: ErrorBody | None = None
    server_revision: int | None = None
    merged_into: UUID | None = None
    missing_attachments: list[str] = []


class PushOut(msgspec.Struct, frozen=True):
    outcomes: list[Outcome]


class HoldingsIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    ids: list[UUID]


class Holding(msgspec.Struct, frozen=True, omit_defaults=True):
    id: UUID
    state: Literal["applied", "held", "merged", "rejected"]
    kind: str
    revision: int | None = None
    content_hash: str | None = None
    merged_into: UUID | None = None


class HoldingsOut(msgspec.Struct, frozen=True):
    """Which of the asked ids the server holds; the phone re-sends every id in ``missing``."""

    holdings: list[Holding]
    missing: list[UUID]


class ChangeOut(msgspec.Struct, frozen=True, omit_defaults=True):
    seq: int
    kind: str
    id: str
    revision: int | None = None
    body: dict[str, Any] | None = None
    server: dict[str, Any] | None = None


class PullOut(msgspec.Struct, frozen=True):
    changes: list[ChangeOut]
    cursor: str
    more: bool


class Limits(msgspec.Struct, frozen=True):
    """What a phone must respect, advertised so it never meets a bare 413."""

    max_batch_records: int
    max_attachment_bytes: int
    attachment_types: list[str]
    pull_page_size: int
