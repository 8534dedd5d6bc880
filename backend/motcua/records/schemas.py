"""The wire format of the sync protocol (see docs/sync.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec

from motcua.errors import ErrorBody

Kind = Literal["resident", "consent", "checklist", "dossier"]
OutcomeName = Literal["applied", "duplicate", "conflict", "rejected", "held"]

MAX_BATCH_RECORDS = 200


# An ISO 8601 time with its zone, kept as the phone wrote it: the content hash covers the very
# string sent, so a client can compute it from its own bytes (docs/sync.md, "content hash").
WrittenAt = Annotated[
    str,
    msgspec.Meta(
        pattern=r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$",
        max_length=40,
        extra_json_schema={"format": "date-time"},
    ),
]
Revision = Annotated[int, msgspec.Meta(ge=1, le=1_000_000)]


class RecordIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One record as the phone froze it when it was queued. ``body`` depends on ``kind``."""

    kind: Kind
    id: UUID
    written_at: WrittenAt
    body: dict[str, Any]
    revision: Revision = 1
    base_revision: Revision | None = None

    @property
    def written_time(self) -> datetime:
        """``written_at`` as a time; push refuses a record whose text is no real time."""
        return datetime.fromisoformat(self.written_at)


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
    # On every dossier outcome that is applied or duplicate, [] when nothing is missing.
    missing_attachments: list[str] | None = None


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
    # On an applied dossier: what it still lacks, so a dossier applied after being held tells
    # the phone what to upload.
    missing_attachments: list[str] | None = None


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
    # Residents the phone must delete: a route's window ended (docs/privacy.md). Never the
    # records still in the phone's unsent queue.
    drop: list[UUID] = []


class Limits(msgspec.Struct, frozen=True):
    """What a phone must respect, advertised so it never meets a bare 413."""

    max_batch_records: int
    max_attachment_bytes: int
    attachment_types: list[str]
    pull_page_size: int


class Sender(msgspec.Struct, frozen=True):
    id: UUID
    full_name: str


class Version(msgspec.Struct, frozen=True):
    """One revision the server kept of a record: the one applied, or one refused as a conflict."""

    revision: int
    base_revision: int | None
    state: Literal["applied", "conflict"]
    # None when the body comes without its task-only fields (docs/privacy.md): the hash of the
    # whole record would let a guess of them be checked.
    content_hash: str | None
    written_at: str
    received_at: datetime
    sent_by: Sender
    body: dict[str, Any]


class VersionsOut(msgspec.Struct, frozen=True):
    """Every version the server keeps of one record, oldest first: both sides of a conflict."""

    id: UUID
    kind: str
    server_revision: int
    versions: list[Version]
