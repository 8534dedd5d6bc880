"""What a batch's records refer to — villages, communes, residents, dossiers, photos — read
once for the whole batch, and kept up to date as the batch applies.

A handler asks these facts instead of the database: a batch of 200 records costs a handful
of queries instead of hundreds, and a record sees what the records before it in the same
batch created (a second registration of the same ID number, a tracking code already used).
Anything not read up front (a record released from hold, say) is read on first use.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar
from uuid import UUID

from sqlalchemy import bindparam, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from motcua.attachments.models import AttachmentPlace
from motcua.dossiers.models import Dossier
from motcua.identity.service import normalise_personal_id
from motcua.places.models import Commune, Village
from motcua.records.schemas import RecordIn
from motcua.residents.models import Resident, ResidentMerge

K = TypeVar("K")

# Built once: constructing a statement with an IN list of literal values cost more than
# running it.
_VILLAGES = select(Village).where(Village.id.in_(bindparam("keys", expanding=True)))
_COMMUNES = select(Commune).where(Commune.code.in_(bindparam("keys", expanding=True)))
_MERGES = select(ResidentMerge.duplicate_id, ResidentMerge.resident_id).where(
    ResidentMerge.duplicate_id.in_(bindparam("keys", expanding=True))
)
_RESIDENTS = select(Resident).where(
    or_(
        Resident.id.in_(bindparam("ids", expanding=True)),
        Resident.personal_id.in_(bindparam("personal_ids", expanding=True)),
    )
)
# Locked until the batch commits, in id order: a desk move locks the dossier too
# (dossiers/lifecycle.py), so an edit and a move never interleave.
_DOSSIERS = (
    select(Dossier)
    .where(
        or_(
            Dossier.id.in_(bindparam("ids", expanding=True)),
            Dossier.tracking_code.in_(bindparam("codes", expanding=True)),
        )
    )
    .order_by(Dossier.id)
    .with_for_update()
)
_PLACED = select(AttachmentPlace.sha256, AttachmentPlace.commune_code).where(
    AttachmentPlace.sha256.in_(bindparam("keys", expanding=True))
)


def _unknown(keys: set[K], known: dict[K, Any]) -> set[K]:
    """The keys not yet in ``known``. (``keys - known.keys()`` hashes every known key: a
    batch of 200 records asked that hundreds of times.)"""
    return {key for key in keys if key not in known}


def _uuids(values: Iterable[Any]) -> set[UUID]:
    """The UUIDs named in a body not yet checked; the handler refuses what this skips."""
    found = set()
    for value in values:
        try:
            found.add(UUID(str(value)))
        except ValueError:
            continue
    return found


def _strings(values: Iterable[Any]) -> set[str]:
    return {value for value in values if isinstance(value, str)}


class BatchFacts:
    """The rows a batch's records name, by key; ``None`` means "the server has none"."""

    def __init__(self, db: AsyncSession) -> None:
        self.db = db
        self.clear()

    def clear(self) -> None:
        """Forget everything (after a savepoint rolled back what some of it described)."""
        self.villages: dict[UUID, Village | None] = {}
        self.communes: dict[int, Commune | None] = {}
        self.residents: dict[UUID, Resident | None] = {}  # by the id a record names, merges followed
        self.by_personal_id: dict[str, Resident | None] = {}
        self.dossiers: dict[UUID, Dossier | None] = {}
        self.tracking_codes: dict[str, UUID | None] = {}
        self.placed: dict[str, set[int]] = {}  # attachment sha256 → the communes it was uploaded for

    async def prefetch(self, records: list[RecordIn]) -> None:
        """Read, in one query per table, every row the batch's records name."""
        villages: set[UUID] = set()
        residents: set[UUID] = set()
        dossiers: set[UUID] = set()
        personal_ids: set[str] = set()
        codes: set[str] = set()
        hashes: set[str] = set()
        for record in records:
            body = record.body
            if record.kind == "resident":
                residents.add(record.id)
                villages |= _uuids([body.get("village_id")])
                personal_ids |= {normalise_personal_id(p) for p in _strings([body.get("personal_id")])}
                continue
            residents |= _uuids([body.get("resident_id")])
            if record.kind == "dossier":
                dossiers.add(record.id)
                codes |= _strings([body.get("tracking_code")])
                hashes |= _strings([body.get("signature_sha256")])
                for paper in body.get("papers") or []:
                    if isinstance(paper, dict) and isinstance(paper.get("photos"), list):
                        hashes |= _strings(paper["photos"])
        await self._read_villages(villages)
        await self._read_residents(residents, personal_ids)
        await self._read_dossiers(dossiers, codes)
        await self._read_arrived(hashes)
        await self._read_communes(
            {v.commune_code for v in self.villages.values() if v}
            | {r.commune_code for r in self.residents.values() if r}
        )

    async def _read_villages(self, ids: set[UUID]) -> None:
        wanted = _unknown(ids, self.villages)
        if wanted:
            found = {v.id: v for v in await self.db.scalars(_VILLAGES, {"keys": list(wanted)})}
            self.villages |= {key: found.get(key) for key in wanted}

    async def _read_communes(self, codes: set[int]) -> None:
        wanted = _unknown(codes, self.communes)
        if wanted:
            found = {c.code: c for c in await self.db.scalars(_COMMUNES, {"keys": list(wanted)})}
            self.communes |= {code: found.get(code) for code in wanted}

    async def _read_residents(self, ids: set[UUID], personal_ids: set[str]) -> None:
        wanted = _unknown(ids, self.residents)
        wanted_ids = _unknown(personal_ids, self.by_personal_id)
        if not wanted and not wanted_ids:
            return
        merged: dict[UUID, UUID] = {}
        if wanted:
            merged = dict((await self.db.execute(_MERGES, {"keys": list(wanted)})).all())
        # One query for both: the residents named by id (merges followed) and by ID number.
        rows = {
            r.id: r
            for r in await self.db.scalars(
                _RESIDENTS,
                {"ids": list(wanted | set(merged.values())), "personal_ids": list(wanted_ids)},
            )
        }
        self.residents |= {key: rows.get(merged.get(key, key)) for key in wanted}
        by_personal_id = {r.personal_id: r for r in rows.values() if r.personal_id}
        self.by_personal_id |= {key: by_personal_id.get(key) for key in wanted_ids} | by_personal_id

    async def _read_dossiers(self, ids: set[UUID], codes: set[str]) -> None:
        wanted = _unknown(ids, self.dossiers)
        wanted_codes = _unknown(codes, self.tracking_codes)
        if not wanted and not wanted_codes:
            return
        # One query for both: the dossiers named by id, and those holding a tracking code.
        found = list(await self.db.scalars(_DOSSIERS, {"ids": list(wanted), "codes": list(wanted_codes)}))
        by_id = {d.id: d for d in found}
        self.dossiers |= {key: by_id.get(key) for key in wanted}
        taken = {d.tracking_code: d.id for d in found}
        self.tracking_codes |= {code: taken.get(code) for code in wanted_codes} | taken

    async def _read_arrived(self, hashes: set[str]) -> None:
        wanted = _unknown(hashes, self.placed)
        if wanted:
            placed: dict[str, set[int]] = {sha: set() for sha in wanted}
            for sha, commune_code in await self.db.execute(_PLACED, {"keys": list(wanted)}):
                placed[sha].add(commune_code)
            self.placed |= placed

    # What handlers ask -----------------------------------------------------------------------

    async def village(self, village_id: UUID) -> Village | None:
        await self._read_villages({village_id})
        return self.villages[village_id]

    async def commune(self, code: int) -> Commune | None:
        await self._read_communes({code})
        return self.communes[code]

    async def resident(self, resident_id: UUID) -> Resident | None:
        """The resident, following a merge when ``resident_id`` was a second registration."""
        await self._read_residents({resident_id}, set())
        return self.residents[resident_id]

    async def resident_with_personal_id(self, personal_id: str) -> Resident | None:
        await self._read_residents(set(), {personal_id})
        return self.by_personal_id[personal_id]

    async def dossier(self, dossier_id: UUID) -> Dossier | None:
        await self._read_dossiers({dossier_id}, set())
        return self.dossiers[dossier_id]

    async def dossier_with_tracking_code(self, code: str) -> UUID | None:
        await self._read_dossiers(set(), {code})
        return self.tracking_codes[code]

    async def not_arrived(self, hashes: Iterable[str], commune_code: int) -> list[str]:
        """Which of ``hashes`` have not been uploaded for ``commune_code`` yet, sorted."""
        wanted = set(hashes)
        await self._read_arrived(wanted)
        return sorted(sha for sha in wanted if commune_code not in self.placed[sha])

    # What the batch adds ---------------------------------------------------------------------

    def added_resident(self, resident: Resident) -> None:
        self.residents[resident.id] = resident
        if resident.personal_id:
            self.by_personal_id[resident.personal_id] = resident

    def merged(self, duplicate_id: UUID, resident: Resident) -> None:
        self.residents[duplicate_id] = resident

    def added_dossier(self, dossier: Dossier) -> None:
        self.dossiers[dossier.id] = dossier
        self.tracking_codes[dossier.tracking_code] = dossier.id
