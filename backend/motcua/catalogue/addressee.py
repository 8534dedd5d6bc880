"""Whom a printed declaration is addressed to ("Kính gửi: …"), read from the procedure's authority.

The catalogue names the authority by its level, with the history and conditions in brackets:
"Công an cấp tỉnh (từ 01/3/2025; trước đó là Sở Tư pháp)", "Ủy ban nhân dân cấp xã nơi cư
trú của cha hoặc mẹ". A paper is addressed to one real office, so the first clause naming a
level ("… cấp xã" or "… cấp tỉnh") is kept and the level is replaced by the dossier's commune
or province: "Công an tỉnh Đắk Lắk", "Ủy ban nhân dân xã Buôn Đôn". Where the authority's
own name has no level ("Cơ quan Công an (Phòng Cảnh sát giao thông Công an cấp tỉnh; …)"),
the first clause in brackets that has one names the office.
"""

from __future__ import annotations

import re

_CLAUSES = re.compile(r"[();,]")
_LEVEL = re.compile(r"^(?P<office>.*?)\s*\bcấp (?P<level>xã|tỉnh)\b")
# When the catalogue says nothing: the commune's People's Committee receives every dossier.
_DEFAULT_OFFICE = "Ủy ban nhân dân"


def addressee(authority_vi: str | None, commune: str, province: str) -> str:
    """ "Kính gửi" for a procedure's authority, given the commune and the province as written in a
    sentence ("xã Buôn Đôn", "tỉnh Đắk Lắk" — see ``places.names.in_sentence``)."""
    for clause in _CLAUSES.split(authority_vi or ""):
        found = _LEVEL.match(clause.strip())
        if found and found["office"]:
            place = commune if found["level"] == "xã" else province
            return f"{found['office']} {place}"
    named = _CLAUSES.split(authority_vi or "", maxsplit=1)[0].strip()
    return named or f"{_DEFAULT_OFFICE} {commune}"
