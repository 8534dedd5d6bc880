"""How a record handler says "refuse this" or "hold this until X arrives"."""

from __future__ import annotations

from motcua.errors import ErrorBody, FieldError


class Refused(Exception):
    """The record is quarantined with this reason; the rest of the batch goes on."""

    def __init__(self, code: str, message_vi: str, message_en: str, fields: list[FieldError] | None = None):
        super().__init__(message_en)
        self.body = ErrorBody(code, message_vi, message_en, fields or [])


class Held(Exception):
    """The record waits, kept by the server, until the record ``waiting_for`` names arrives."""

    def __init__(self, waiting_for: str) -> None:
        super().__init__(waiting_for)
        self.waiting_for = waiting_for


def waiting_for_record(record_id: object) -> str:
    return f"record:{record_id}"


def waiting_for_revision(record_id: object, revision: int) -> str:
    return f"revision:{record_id}:{revision}"
