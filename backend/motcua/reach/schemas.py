"""What the reach API takes and answers."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec


class ToTell(msgspec.Struct, frozen=True):
    dossier_id: UUID
    tracking_code: str
    status: str
    news_vi: str
    news_en: str
    reason: str
    changed_at: datetime
    resident_id: UUID
    resident_name: str
    resident_phone: str | None
    village: str
    subscribed: bool
    state: str


class TellIn(msgspec.Struct, frozen=True):
    method: str


class Told(msgspec.Struct, frozen=True):
    dossier_id: UUID
    method: str
    told_at: datetime
