"""What a batch's records refer to — villages, communes, residents, dossiers, photos — read
once for the whole batch, and kept up to date as the batch applies.

A handler asks these facts instead of the database: a batch of 200 records costs a handful
of queries instead of hundreds, and a record sees what the records before it in the same
batch created (a second registration of the same ID number, a tracking code already used).
Anything not read up front (a record released from hold, say) is read on first use.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from motcua.attachments.models import Attachment
from motcua.dossiers.models import Dossier
from motcua.places.models import Commune, Village
from motcua.residents.models import Resident, ResidentMerge
from motcua.sync.schemas import RecordIn


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
        self.arrived: dict[str, bool] = {}  # attachment sha256 → stored

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
                personal_ids |= _strings([body.get("personal_id")])
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
        wanted = ids - self.villages.keys()
        if wanted:
            found = {v.id: v for v in await self.db.scalars(select(Village).where(Village.id.in_(wanted)))}
            self.villages |= {key: found.get(key) for key in wanted}

    async def _read_communes(self, codes: set[int]) -> None:
        wanted = codes - self.communes.keys()
        if wanted:
            found = {
                c.code: c for c in await self.db.scalars(select(Commune).where(Commune.code.in_(wanted)))
            }
            self.communes |= {code: found.get(code) for code in wanted}

    async def _read_residents(self, ids: set[UUID], personal_ids: set[str]) -> None:
        wanted = ids - self.residents.keys()
        if wanted:
            merges = select(ResidentMerge.duplicate_id, ResidentMerge.resident_id).where(
                ResidentMerge.duplicate_id.in_(wanted)
            )
            merged: dict[UUID, UUID] = dict((await self.db.execute(merges)).all())
            rows = {
                r.id: r
                for r in await self.db.scalars(
                    select(Resident).where(Resident.id.in_(wanted | set(merged.values())))
                )
            }
            self.residents |= {key: rows.get(merged.get(key, key)) for key in wanted}
            self.by_personal_id |= {r.personal_id: r for r in rows.values() if r.personal_id}
        wanted_ids = personal_ids - self.by_personal_id.keys()
        if wanted_ids:
            found = {
                r.personal_id: r
                for r in await self.db.scalars(select(Resident).where(Resident.personal_id.in_(wanted_ids)))
            }
            self.by_personal_id |= {key: found.get(key) for key in wanted_ids}

    async def _read_dossiers(self, ids: set[UUID], codes: set[str]) -> None:
        wanted = ids - self.dossiers.keys()
        if wanted:
            found = {d.id: d for d in await self.db.scalars(select(Dossier).where(Dossier.id.in_(wanted)))}
            self.dossiers |= {key: found.get(key) for key in wanted}
            self.tracking_codes |= {d.tracking_code: d.id for d in found.values()}
        wanted_codes = codes - self.tracking_codes.keys()
        if wanted_codes:
            used = select(Dossier.tracking_code, Dossier.id).where(Dossier.tracking_code.in_(wanted_codes))
            taken: dict[str, UUID] = dict((await self.db.execute(used)).all())
            self.tracking_codes |= {code: taken.get(code) for code in wanted_codes}

    async def _read_arrived(self, hashes: set[str]) -> None:
        wanted = hashes - self.arrived.keys()
        if wanted:
            stored = set(
                await self.db.scalars(select(Attachment.sha256).where(Attachment.sha256.in_(wanted)))
            )
            self.arrived |= {sha: sha in stored for sha in wanted}

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

    async def not_arrived(self, hashes: Iterable[str]) -> list[str]:
        """Which of ``hashes`` name attachments the server does not hold yet, sorted."""
        wanted = set(hashes)
        await self._read_arrived(wanted)
        return sorted(sha for sha in wanted if not self.arrived[sha])

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
