"""The resident's status page at ``/ho-so/{code}?k={secret}``, its notifications and its rating form.

Public: no sign-in, made for a small phone, one language at a time (Vietnamese unless the
``lang`` cookie says English; the header's link switches). ``/ho-so`` itself is where a
resident or a relative types the code and the secret printed on the receipt.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter, URLEncodedBody
from litestar.response import Redirect, Template
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from motcua.accounts.api import client_address
from motcua.accounts.models import User
from motcua.catalogue.service import get_version
from motcua.db.base import utcnow
from motcua.dossiers.lifecycle import FINISHED, NEEDS_REASON
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.errors import ApiError
from motcua.places.models import Commune
from motcua.push.subscriptions import (
    BrowserSubscription,
    check_subscription,
    follow,
    following,
    save_subscription,
    unfollow,
)
from motcua.push.vapid import vapid_keys
from motcua.residents.models import Resident
from motcua.settings import Settings
from motcua.status.access import (
    WINDOW,
    TooManyGuesses,
    dossier_cookie,
    open_with_cookie,
    open_with_secret,
    resident_cookie,
)
from motcua.status.models import SCORES, Rating, StatusView
from motcua.status.ratings import SCORE_WORDS, rate, rating_of
from motcua.words import STATUS, Said, day_with_weekday, desk_of, honorific, status_sentence
from motcua.worktime.service import desk_hours_of

_STATUS_SW = Path(__file__).resolve().parent.parent / "static" / "status-sw.js"
_NO_STORE = {"cache-control": "no-store", "x-robots-tag": "noindex"}
WEEKDAYS: tuple[tuple[str, Said], ...] = (
    ("mon", Said("Thứ Hai", "Monday")),
    ("tue", Said("Thứ Ba", "Tuesday")),
    ("wed", Said("Thứ Tư", "Wednesday")),
    ("thu", Said("Thứ Năm", "Thursday")),
    ("fri", Said("Thứ Sáu", "Friday")),
    ("sat", Said("Thứ Bảy", "Saturday")),
    ("sun", Said("Chủ Nhật", "Sunday")),
)


@dataclass(frozen=True)
class Step:
    at: datetime
    said: Said
    reason: str


@dataclass(frozen=True)
class StatusPage:
    """Everything the page shows, and nothing more: no ID number, no birth date."""

    dossier: Dossier
    procedure: Said
    headline: Said
    you: str
    resident_name: str
    steps: list[Step]
    supplement: str | None
    # While a supplement is awaited: when the desk asked, when the volunteer sent it from the
    # phone, and when it was complete (the new promised day counts from then).
    supplement_asked_at: datetime | None
    supplement_sent_at: datetime | None
    supplemented_at: datetime | None
    reason: str | None
    desk: Said
    hours: list[Said]
    volunteer_name: str
    volunteer_phone: str
    rating: Rating | None
    # The day the result is promised for, from acceptance on (``Thứ Ba, 24/11/2026``); while a
    # supplement is awaited the date is to be set again, from when the papers are complete.
    promised: Said | None
    promised_again: bool
    # Delivered, rejected or withdrawn: no more news, so no notifications box.
    finished: bool


# The states in which the promised day still means something to the resident.
PROMISED_IN = ("accepted", "in_progress", "ready", "delivered")


def opening_hours(hours: dict[str, Any]) -> list[Said]:
    """``{"mon": [["07:00", "11:30"], …], …}`` as lines: ``Thứ Hai – Thứ Sáu: 07:00–11:30, 13:30–17:00``."""
    lines: list[Said] = []
    run: list[tuple[str, Said]] = []

    def close() -> None:
        if not run:
            return
        spans = ", ".join(f"{start}–{end}" for start, end in hours[run[0][0]])
        first, last = run[0][1], run[-1][1]
        days = (
            Said(first.vi, first.en)
            if len(run) == 1
            else Said(f"{first.vi} – {last.vi}", f"{first.en} – {last.en}")
        )
        lines.append(Said(f"{days.vi}: {spans}", f"{days.en}: {spans}"))
        run.clear()

    for key, name in WEEKDAYS:
        if not hours.get(key):
            close()
        elif run and hours[run[-1][0]] != hours[key]:
            close()
            run.append((key, name))
        else:
            run.append((key, name))
    close()
    return lines


async def status_page(db: AsyncSession, dossier: Dossier) -> StatusPage:
    resident = await db.get(Resident, dossier.resident_id)
    commune = await db.get(Commune, dossier.commune_code)
    volunteer = await db.get(User, dossier.volunteer_id)
    version = await get_version(db, dossier.procedure_code, dossier.procedure_version)
    name = (
        version.content["name"] if version else {"vi": dossier.procedure_code, "en": dossier.procedure_code}
    )
    events = list(
        await db.scalars(
            select(DossierEvent)
            .where(DossierEvent.dossier_id == dossier.id)
            .order_by(DossierEvent.created_at)
        )
    )
    steps = []
    if dossier.received_at is not None:
        steps.append(Step(dossier.received_at, STATUS["received"], ""))
    for event in events:
        said = STATUS.get(event.to_status, Said(event.to_status, event.to_status))
        shows_reason = event.to_status in NEEDS_REASON
        steps.append(Step(event.created_at, said, event.reason if shows_reason else ""))
    sex = resident.sex if resident else None
    commune_name = commune.name if commune else ""
    last_reason = events[-1].reason if events and events[-1].to_status == dossier.status else ""
    waiting = dossier.status == "needs_supplement"
    asked = [event.created_at for event in events if event.to_status == "needs_supplement"]
    headline = status_sentence(dossier.status, sex=sex, commune_name=commune_name)
    if waiting and dossier.supplemented_at is not None:
        you = honorific(sex)
        headline = Said(
            f"Cán bộ xã đã có đủ giấy tờ bổ sung của {you} và sẽ giải quyết tiếp.",
            "The commune has all the added papers and will go on with your dossier.",
        )
    return StatusPage(
        dossier=dossier,
        procedure=Said(str(name["vi"]), str(name["en"])),
        # The promised day has a line of its own on the page (the notification says it in the sentence).
        headline=headline,
        you=honorific(sex),
        resident_name=resident.full_name if resident else "",
        steps=list(reversed(steps)),
        supplement=dossier.supplement_needed if waiting else None,
        supplement_asked_at=asked[-1] if waiting and asked else None,
        supplement_sent_at=dossier.supplement_sent_at if waiting else None,
        supplemented_at=dossier.supplemented_at if waiting else None,
        reason=(last_reason or None) if dossier.status in ("rejected", "withdrawn") else None,
        desk=desk_of(commune_name),
        hours=opening_hours(await desk_hours_of(db, dossier.commune_code)),
        volunteer_name=volunteer.full_name if volunteer else "",
        volunteer_phone=volunteer.phone if volunteer else "",
        rating=await rating_of(db, dossier),
        promised=(
            day_with_weekday(dossier.deadline_at)
            if dossier.deadline_at is not None and dossier.status in PROMISED_IN
            else None
        ),
        promised_again=dossier.status == "needs_supplement",
        finished=dossier.status in FINISHED,
    )


async def _note_view(db: AsyncSession, dossier: Dossier) -> None:
    """The resident has seen the page: its news reached them (the coordinators' reach view)."""
    seen = await db.get(StatusView, dossier.id)
    if seen is not None:
        seen.viewed_at = utcnow()
        return
    try:
        async with db.begin_nested():
            db.add(StatusView(dossier_id=dossier.id, viewed_at=utcnow()))
    except IntegrityError:
        pass  # the same page opened twice at once: the other request noted it


# The receipt's whole link, pasted into either box: ``…/ho-so/K7QM-12?k=SECRET``.
_RECEIPT_LINK = re.compile(r"/ho-so/([A-Za-z0-9]{2,8}-[0-9]{1,8})\?(?:[^#]*&)?k=([A-Za-z0-9_-]+)")
MAX_SECRET = 128


def typed_code_and_secret(code: str, secret: str) -> tuple[str, str]:
    """What was typed into the look-up form, forgiving spaces, small letters and a pasted link."""
    for text in (secret, code):
        if found := _RECEIPT_LINK.search(text):
            return found.group(1).upper(), found.group(2)
    code = "".join(code.split()).upper()
    secret = "".join(secret.split())
    if "k=" in secret:  # the end of the link only
        secret = secret.rsplit("k=", 1)[1].split("&")[0].split("#")[0]
    return code[:20], secret[:MAX_SECRET]


def _lookup(code: str = "", error: str | None = None, status_code: int = 200) -> Template:
    return Template(
        "status/lookup.html",
        context={"code": code, "error": error},
        status_code=status_code,
        headers=_NO_STORE,
    )


def _limited() -> Template:
    return Template(
        "status/limited.html",
        context={"lang_next": "/ho-so"},
        status_code=429,
        headers={**_NO_STORE, "retry-after": str(int(WINDOW.total_seconds()))},
    )


def _not_found() -> Template:
    return Template(
        "status/not_found.html", context={"lang_next": "/ho-so"}, status_code=404, headers=_NO_STORE
    )


def _not_open() -> ApiError:
    return ApiError(
        404,
        "dossier.not_found",
        "Không tìm thấy hồ sơ. Hãy quét lại mã QR trên phiếu hẹn.",
        "No such dossier. Scan the QR code on the receipt again.",
    )


class SubscribeIn(msgspec.Struct, frozen=True):
    subscription: BrowserSubscription
    everything: bool = False


class EndpointIn(msgspec.Struct, frozen=True):
    endpoint: str


class FollowingOut(msgspec.Struct, frozen=True):
    following: bool
    everything: bool


class StatusPages(Controller):
    path = "/ho-so"
    include_in_schema = False

    @get("/sw.js")
    async def service_worker(self) -> Response[bytes]:
        """The residents' service worker: it only shows notifications and opens their page.

        Its own scope (``/ho-so/``), so a resident never downloads the volunteers' app.
        """
        return Response(
            _STATUS_SW.read_bytes(),
            media_type="text/javascript",
            headers={"cache-control": "no-cache", "service-worker-allowed": "/ho-so/"},
        )

    @get("/")
    async def lookup(self) -> Template:
        """Where a resident or a relative types the code and the secret printed on the receipt."""
        return _lookup()

    @post("/", status_code=303)
    async def look_up(
        self,
        request: Request[Any, Any, Any],
        data: URLEncodedBody[dict[str, str]],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
    ) -> Response[Any]:
        """The typed code and secret open the status page as the QR code does, by a POST, so the
        secret is in no address, history or log; a wrong one answers as an unknown code does."""
        code, secret = typed_code_and_secret(data.get("ma", ""), data.get("k", ""))
        if not code or not secret:
            return _lookup(code, "missing", 400)
        dossier = await open_with_cookie(db_session, settings, code, request.cookies)
        cookies: list[Cookie] = []
        if dossier is None:
            try:
                dossier = await open_with_secret(db_session, code, secret, client_address(request))
            except TooManyGuesses:
                return _limited()
            if dossier is None:
                return _lookup(code, "not_found", 404)
            cookies.append(dossier_cookie(settings, dossier))
        return Redirect(
            f"/ho-so/{dossier.tracking_code}", status_code=303, cookies=cookies, headers=_NO_STORE
        )

    @get("/{code:str}")
    async def page(
        self,
        request: Request[Any, Any, Any],
        code: FromPath[str],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
        secret: Annotated[str | None, QueryParameter(name="k", max_length=128)] = None,
    ) -> Template:
        cookies: list[Cookie] = []
        # A browser that was here before is let in by its cookie, even while someone else
        # is guessing at this code (the receipt's QR carries the secret every time).
        dossier = await open_with_cookie(db_session, settings, code, request.cookies)
        if dossier is None and secret is not None:
            try:
                dossier = await open_with_secret(db_session, code, secret, client_address(request))
            except TooManyGuesses:
                return _limited()
            if dossier is not None:
                cookies.append(dossier_cookie(settings, dossier))
        if dossier is None:
            return _not_found()
        await _note_view(db_session, dossier)
        return Template(
            "status/page.html",
            context={
                "v": await status_page(db_session, dossier),
                "public_key": vapid_keys(settings).public_key,
                "scores": [(score, SCORE_WORDS[score]) for score in SCORES],
                "score_words": SCORE_WORDS,
            },
            headers=_NO_STORE,
            cookies=cookies,
        )

    async def _opened(
        self, request: Request[Any, Any, Any], db: AsyncSession, settings: Settings, code: str
    ) -> Dossier:
        dossier = await open_with_cookie(db, settings, code, request.cookies)
        if dossier is None:
            raise _not_open()
        return dossier

    @post("/{code:str}/push", status_code=200)
    async def subscribe(
        self,
        request: Request[Any, Any, Any],
        code: FromPath[str],
        data: JSONBody[SubscribeIn],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
    ) -> Response[FollowingOut]:
        """Follow this dossier (or, with ``everything``, every dossier of its resident)."""
        dossier = await self._opened(request, db_session, settings, code)
        check_subscription(settings, data.subscription)
        subscription = await save_subscription(db_session, data.subscription)
        await follow(db_session, subscription, dossier_id=dossier.id)
        cookies = []
        if data.everything:
            await follow(db_session, subscription, resident_id=dossier.resident_id)
            # Its notifications will name the resident's other dossiers: let this browser open them.
            cookies.append(resident_cookie(settings, dossier))
        return Response(FollowingOut(True, data.everything), cookies=cookies, headers=_NO_STORE)

    @post("/{code:str}/push/state", status_code=200)
    async def subscription_state(
        self,
        request: Request[Any, Any, Any],
        code: FromPath[str],
        data: JSONBody[EndpointIn],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
    ) -> FollowingOut:
        """Whether this browser's subscription follows the dossier (the page asks on load)."""
        dossier = await self._opened(request, db_session, settings, code)
        return FollowingOut(*await following(db_session, data.endpoint, dossier.id, dossier.resident_id))

    @post("/{code:str}/push/remove", status_code=200)
    async def unsubscribe(
        self,
        request: Request[Any, Any, Any],
        code: FromPath[str],
        data: JSONBody[EndpointIn],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
    ) -> dict[str, bool]:
        """Stop notifications of this dossier (and of the resident's others) to this browser."""
        dossier = await self._opened(request, db_session, settings, code)
        removed = await unfollow(db_session, data.endpoint, dossier.id, dossier.resident_id)
        return {"following": False, "subscription_removed": removed}

    @post("/{code:str}/rating", status_code=303)
    async def rating(
        self,
        request: Request[Any, Any, Any],
        code: FromPath[str],
        data: URLEncodedBody[dict[str, str]],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
    ) -> Redirect:
        dossier = await self._opened(request, db_session, settings, code)
        await rate(db_session, dossier, data.get("score", ""), data.get("comment", ""))
        return Redirect(f"/ho-so/{dossier.tracking_code}#danh-gia", status_code=303)
