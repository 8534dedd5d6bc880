"""How places are written on paper: "xã Buôn Đôn" inside a sentence, "Buôn Đôn" on a date line.

The dataset names a commune with its kind in front ("Xã Buôn Đôn", "Phường Hà Giang 1",
"Đặc khu Cô Tô") and a province without it unless it is a city ("Đắk Lắk", "Thành phố Hà
Nội"). Vietnamese papers write the kind in lower case after an authority's name
("Ủy ban nhân dân xã Buôn Đôn", "Công an tỉnh Đắk Lắk") and leave it out before the date
("Buôn Đôn, ngày 01 tháng 12 năm 2026").
"""

from __future__ import annotations

# The kind as written in a name; "thành phố trung ương" is written "Thành phố".
_WRITTEN_KIND = {"thành phố trung ương": "thành phố"}


def _kind(division_type: str) -> str:
    return _WRITTEN_KIND.get(division_type, division_type)


def short_name(name: str, division_type: str) -> str:
    """The name without its kind: "Xã Buôn Đôn" → "Buôn Đôn", "Thành phố Hà Nội" → "Hà Nội"."""
    kind = _kind(division_type)
    rest = name[len(kind) + 1 :].strip()
    # "Phường 1 Bảo Lộc" keeps its kind: "1 Bảo Lộc" is no name.
    if name.casefold().startswith(kind.casefold() + " ") and rest[:1].isalpha():
        return rest
    return name


def in_sentence(name: str, division_type: str) -> str:
    """The name after an authority's: "Xã Buôn Đôn" → "xã Buôn Đôn", "Đắk Lắk" → "tỉnh Đắk Lắk",
    "Phường 1 Bảo Lộc" → "phường 1 Bảo Lộc"."""
    kind = _kind(division_type)
    short = short_name(name, division_type)
    if short == name and name.casefold().startswith(kind.casefold() + " "):
        short = name[len(kind) + 1 :]
    return f"{kind} {short}"
