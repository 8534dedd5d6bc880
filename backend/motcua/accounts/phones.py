"""Account phone numbers, kept in the domestic form 0XXXXXXXXX by the shared validator."""

from __future__ import annotations

from motcua.identity.service import check_mobile_phone


def normalise_phone(text: str) -> str | None:
    result = check_mobile_phone(text)
    return result if isinstance(result, str) else None
