"""Loads provinces and communes from the maintained ``vietnam-provinces`` dataset."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from vietnam_provinces import Province as DatasetProvince
from vietnam_provinces import Ward as DatasetWard

from motcua.places.models import Commune, Province

PlaceT = TypeVar("PlaceT", Province, Commune)


def _name(text: str) -> str:
    return " ".join(text.split())  # the dataset has doubled spaces in some names


def dataset_provinces() -> list[dict[str, Any]]:
    return [
        {
            "code": int(p.code),
            "name": _name(p.name),
            "division_type": p.division_type.value,
            "codename": p.codename,
        }
        for p in DatasetProvince.iter_all()
    ]


def dataset_communes() -> list[dict[str, Any]]:
    return [
        {
            "code": int(w.code),
            "province_code": int(w.province_code),
            "name": _name(w.name),
            "division_type": w.division_type.value,
            "codename": w.codename,
        }
        for w in DatasetWard.iter_all()
    ]


async def _upsert(db: AsyncSession, model: type[PlaceT], rows: list[dict[str, Any]]) -> int:
    existing = {row.code: row for row in await db.scalars(select(model))}
    changed = 0
    for values in rows:
        row = existing.get(values["code"])
        if row is None:
            db.add(model(**values))
        elif any(getattr(row, key) != value for key, value in values.items()):
            for key, value in values.items():
                setattr(row, key, value)
        else:
            continue
        changed += 1
    await db.flush()
    return changed


async def load_places(db: AsyncSession) -> tuple[int, int]:
    """Insert or update every province and commune; safe to run again. Returns what changed."""
    return await _upsert(db, Province, dataset_provinces()), await _upsert(db, Commune, dataset_communes())
