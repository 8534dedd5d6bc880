"""Account phone numbers, kept in the domestic form 0XXXXXXXXX."""

from __future__ import annotations

import re

_MOBILE = re.compile(r"0(3[2-9]|8[1-9]|7[06-9]|9[0-46-9]|5[689])\d{7}")


def normalise_phone(text: str) -> str | None:
    digits = re.sub(r"[\s.\-()]", "", text)
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    return digits if _MOBILE.fullmatch(digits) else None
