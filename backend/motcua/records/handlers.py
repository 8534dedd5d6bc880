"""What every record handler gets and gives back, and the helpers they share."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar
from uuid import UUID

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from motcua.auth.principal import Principal
from motcua.errors import FieldError
from motcua.i18n import VIETNAM_TIME
from motcua.records.facts import BatchFacts
from motcua.records.outcomes import Held, Refused, waiting_for_record
from motcua.records.schemas import RecordIn
from motcua.records.writes import BatchWrites
from motcua.residents.models import Resident

BodyT = TypeVar("BodyT")


@dataclass
class Incoming:
    """One record being applied, with who sent it."""

    db: AsyncSession
    facts: BatchFacts
    writes: BatchWrites  # rows written with the rest of the batch
    record: RecordIn
    content_hash: str
    principal: Principal
    # (resident id, purpose) of every consent given in the same batch: a resident and the
    # consents signed at registration travel together and are judged together.
    batch_consents: frozenset[tuple[str, str]] = frozenset()

    @property
    def is_new(self) -> bool:
        return self.record.revision == 1

    async def may_act_in(self, commune_code: int) -> bool:
        commune = await self.facts.commune(commune_code)
        return commune is not None and self.principal.may_act_in(commune)

    @property
    def written_on(self) -> date:
        """The day, in Vietnam, when the volunteer wrote the record: dates are judged against it."""
        return self.record.written_time.astimezone(VIETNAM_TIME).date()


@dataclass
class Applied:
    """What applying a record did."""

    commune_code: int
    owner_id: UUID
    merged_into: UUID | None = None
    missing_attachments: list[str] = field(default_factory=list)
    changes: list[tuple[str, str]] = field(default_factory=list)  # extra (kind, id) for the change log
    resident_id: UUID | None = None  # the resident the record (and the extra changes) belong to


def decode_body(record: RecordIn, body_type: type[BodyT]) -> BodyT:
    """The body as its kind's type, or a refusal naming the field."""
    try:
        return msgspec.convert(record.body, body_type)
    except msgspec.ValidationError as error:
        text = str(error)
        path = text.split("at `$.", 1)[1].rstrip("`") if "at `$." in text else "body"
        raise Refused(
            "record.invalid",
            "Bản ghi không đúng định dạng.",
            "The record is not in the expected format.",
            [FieldError(path, "invalid", "Giá trị không hợp lệ.", text)],
        ) from None


# Control characters other than tab and line feed: a NUL cannot even be stored by PostgreSQL.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def control_characters(value: Any, path: str = "") -> list[FieldError]:
    """A field error for every string of a body that holds a control character."""
    if isinstance(value, str):
        if _CONTROL.search(value) is None:
            return []
        return [
            FieldError(
                path or "body",
                "text.control_character",
                "Có ký tự điều khiển không hợp lệ.",
                "Holds a control character that is not allowed.",
            )
        ]
    if isinstance(value, dict):
        items: Any = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return []
    problems = []
    for key, item in items:
        problems += control_characters(item, f"{path}.{key}" if path else str(key))
    return problems


def refuse_fields(problems: list[FieldError]) -> None:
    if problems:
        raise Refused(
            "record.invalid",
            "Bản ghi còn mục chưa đúng.",
            "Some fields of the record are not right.",
            problems,
        )


async def ensure_in_scope(incoming: Incoming, commune_code: int) -> None:
    if not await incoming.may_act_in(commune_code):
        raise Refused(
            "scope.outside",
            "Nơi này nằm ngoài địa bàn của tài khoản.",
            "This place is outside your account's places.",
        )


async def resident_for_child(incoming: Incoming, resident_id: UUID) -> Resident:
    """The parent resident of a consent, checklist step or dossier, in scope, or hold the record."""
    resident = await incoming.facts.resident(resident_id)
    if resident is None:
        raise Held(waiting_for_record(resident_id))
    await ensure_in_scope(incoming, resident.commune_code)
    return resident


SHA256_PATTERN = "^[0-9a-f]{64}$"
