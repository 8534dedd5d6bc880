"""Public procedure guides: one page per procedure for a phone, and an A4 poster with a QR code.

No sign-in: residents open a guide from the QR code of a poster pinned up at a village meeting.
Every text is shown in Vietnamese first and English second, smaller: the pages are read by
residents and volunteers alike, and nobody should have to find a language switch.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from motcua.catalogue import service
from motcua.catalogue.documents import ProcedureDocument
from motcua.errors import ApiError
from motcua.i18n import TEXT
from motcua.qr import qr_svg
from motcua.settings import Settings


@dataclass(frozen=True)
class Bi:
    """One text in both languages."""

    vi: str
    en: str

    @classmethod
    def of(cls, text: dict[str, Any] | None) -> Bi | None:
        return None if text is None else cls(str(text["vi"]), str(text["en"]))


def word(key: str) -> Bi:
    """A page word of :data:`motcua.i18n.TEXT` in both languages (a Jinja helper, ``w``)."""
    return Bi(*TEXT[key])


def _plural(amount: int, noun: str) -> str:
    return f"{amount} {noun}" if amount == 1 else f"{amount} {noun}s"


def duration(amount: int, unit: str) -> Bi:
    """A time limit as people say it: ``Trong 2 giờ làm việc``, ``3 ngày làm việc``."""
    if unit == "immediate":
        return Bi("Giải quyết ngay", "Done at once")
    if unit == "working_hours":
        return Bi(f"Trong {amount} giờ làm việc", f"Within {_plural(amount, 'working hour')}")
    if unit == "working_days":
        return Bi(f"{amount} ngày làm việc", _plural(amount, "working day"))
    if unit == "days":
        return Bi(f"{amount} ngày (kể cả ngày nghỉ)", f"{_plural(amount, 'day')}, days off included")
    raise ValueError(f"unknown time unit {unit!r}")


def cutoff(local_time: str | None) -> Bi | None:
    """The same-day cut-off (``"15:00"``): later dossiers count from the next working day."""
    if local_time is None:
        return None
    hours, minutes = (int(part) for part in local_time.split(":"))
    said = f"{hours} giờ" if minutes == 0 else f"{hours} giờ {minutes:02d}"
    return Bi(
        f"Nộp sau {said} thì tính từ ngày làm việc tiếp theo.",
        f"Filed after {local_time}, it counts from the next working day.",
    )


def money(amount_vnd: int | None) -> Bi:
    """A fee: ``Miễn phí``, ``50.000 đ``, or ``Chưa xác nhận`` when not known."""
    if amount_vnd is None:
        return Bi("Chưa xác nhận", "Not confirmed")
    if amount_vnd == 0:
        return Bi("Miễn phí", "Free")
    return Bi(f"{amount_vnd:,} đ".replace(",", "."), f"{amount_vnd:,} dong")


def day_month_year(iso_date: str) -> str:
    return date.fromisoformat(iso_date).strftime("%d/%m/%Y")


def photos(count: int) -> Bi:
    if count == 0:
        return Bi("Mang bản giấy theo, không cần chụp ảnh", "Bring the paper itself, no photo needed")
    return Bi(f"Tình nguyện viên chụp {count} ảnh", f"The volunteer takes {_plural(count, 'photo')}")


@dataclass(frozen=True)
class Paper:
    name: Bi
    required: bool
    photos: Bi
    note: Bi | None
    unconfirmed: list[Bi]


# Where each part of a document is shown, by the first segment of an ``unconfirmed`` path.
_SECTIONS = {
    "name": "about",
    "summary": "about",
    "authority": "authority",
    "legal_basis": "legal_basis",
    "statutory_time_limit": "time",
    "fast_track_target": "time",
    "fee": "fee",
    "required_papers": "papers",
}


@dataclass(frozen=True)
class Guide:
    """What a guide and a poster show of one procedure document, worded for people."""

    code: str
    version: int
    address: str
    name: Bi
    summary: Bi | None
    authority: Bi
    legal_basis: list[str]
    papers: list[Paper]
    statutory: Bi
    statutory_note: Bi | None
    fast_track: Bi
    fast_track_note: Bi | None
    cutoff: Bi | None
    fee: Bi
    fee_note: Bi | None
    last_checked: str
    last_checked_iso: str
    unconfirmed: dict[str, list[Bi]] = field(default_factory=dict)

    @property
    def required_papers(self) -> list[Paper]:
        return [paper for paper in self.papers if paper.required]

    @property
    def optional_papers(self) -> list[Paper]:
        return [paper for paper in self.papers if not paper.required]

    @property
    def any_unconfirmed(self) -> bool:
        return any(self.unconfirmed.values()) or any(paper.unconfirmed for paper in self.papers)

    def unconfirmed_in(self, section: str) -> list[Bi]:
        return self.unconfirmed.get(section, [])


def guide_of(document: ProcedureDocument, public_url: str) -> Guide:
    content = document.content
    by_section: dict[str, list[Bi]] = {}
    by_paper: dict[int, list[Bi]] = {}
    for item in content["unconfirmed"]:
        note = Bi(item["note"]["vi"], item["note"]["en"])
        parts = item["path"].split("/")[1:]
        if parts[0] == "required_papers" and len(parts) > 1 and parts[1].isdigit():
            by_paper.setdefault(int(parts[1]), []).append(note)
        else:
            by_section.setdefault(_SECTIONS.get(parts[0], "other"), []).append(note)
    statutory, target, fee = content["statutory_time_limit"], content["fast_track_target"], content["fee"]
    return Guide(
        code=document.code,
        version=document.version,
        address=f"{public_url}/thu-tuc/{document.code}",
        name=Bi(document.name_vi, document.name_en),
        summary=Bi.of(content.get("summary")),
        authority=Bi(content["authority"]["vi"], content["authority"]["en"]),
        legal_basis=list(content["legal_basis"]),
        papers=[
            Paper(
                name=Bi(paper["name"]["vi"], paper["name"]["en"]),
                required=paper["required"],
                photos=photos(paper["photos"]),
                note=Bi.of(paper.get("note")),
                unconfirmed=by_paper.get(index, []),
            )
            for index, paper in enumerate(content["required_papers"])
        ],
        statutory=duration(statutory["amount"], statutory["unit"]),
        statutory_note=Bi.of(statutory.get("note")),
        fast_track=duration(target["amount"], target["unit"]),
        fast_track_note=Bi.of(target.get("note")),
        cutoff=cutoff(target["same_day_cutoff"]),
        fee=money(fee["amount_vnd"]),
        fee_note=Bi.of(fee["note"]),
        last_checked=day_month_year(content["last_checked"]),
        last_checked_iso=content["last_checked"],
        unconfirmed=by_section,
    )


def _not_found(code: str) -> ApiError:
    return ApiError(
        404,
        "procedure.not_found",
        f"Không có hướng dẫn cho thủ tục “{code}”.",
        f"There is no guide for procedure “{code}”.",
    )


class GuidesController(Controller):
    """``/thu-tuc``: the public guides. No guard: anyone may read them."""

    path = "/thu-tuc"
    include_in_schema = False

    async def _guide(self, db: AsyncSession, code: str, settings: Settings) -> Guide:
        document = await service.current_document(db, code)
        if document is None:
            raise _not_found(code)
        return guide_of(document, settings.public_url)

    @get("/")
    async def index(self, db_session: NamedDependency[AsyncSession]) -> Template:
        documents = await service.current_documents(db_session)
        procedures = [(d.code, Bi(d.name_vi, d.name_en)) for d in documents]
        return Template("guides/index.html", context={"procedures": procedures, "w": word})

    @get("/{code:str}")
    async def guide(
        self,
        code: FromPath[str],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
    ) -> Template:
        guide = await self._guide(db_session, code, settings)
        return Template("guides/guide.html", context={"guide": guide, "w": word})

    @get("/{code:str}/poster")
    async def poster(
        self,
        code: FromPath[str],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
    ) -> Template:
        guide = await self._guide(db_session, code, settings)
        qr = qr_svg(guide.address, title=f"{guide.name.vi} — {guide.address}")
        return Template("guides/poster.html", context={"guide": guide, "qr": qr, "w": word})
