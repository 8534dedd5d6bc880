"""Who may open a dossier's status page: the holder of the receipt's secret, guessing slowed down.

The QR code on the receipt carries the tracking code and a secret the phone made; the server
keeps only the secret's SHA-256. A right secret opens the page and leaves a cookie (an HMAC
of the dossier, scoped to ``/ho-so/``) so the same browser can come back — from a
notification, say — without the secret in the address. A wrong secret and an unknown code
get the same answer. Failed guesses are counted in the database, so the limit holds across
processes; the secret itself is never logged or kept. They are counted per client address
(many codes tried from one place) and per tracking code *from that address*: guesses at a
code from elsewhere never shut the real resident out. Guessing a secret from many addresses
gets nowhere either, the secret being 128 random bits.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
from collections.abc import Mapping
from datetime import timedelta

from litestar.datastructures import Cookie
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from motcua.db.base import utcnow
from motcua.db.tidy import forget_older
from motcua.dossiers.models import Dossier
from motcua.settings import Settings
from motcua.status.models import StatusGuess

log = logging.getLogger("motcua.status")

WINDOW = timedelta(minutes=15)
MAX_GUESSES_PER_CLIENT = 20
MAX_GUESSES_PER_CODE = 10  # from one client address
KEEP_GUESSES = timedelta(days=1)
COOKIE_PATH = "/ho-so/"
COOKIE_MAX_AGE = 365 * 24 * 3600
_DOSSIER_COOKIE = "hoso_"
_RESIDENT_COOKIE = "hoso_r_"
TRACKING_CODE = re.compile(r"^[A-Z0-9]{2,8}-[0-9]{1,8}$")
_NO_SUCH_SECRET = "0" * 64


class TooManyGuesses(Exception):
    """Too many wrong codes or secrets lately from this client (at any code, or at this one)."""


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _token(settings: Settings, subject: str) -> str:
    return hmac.new(
        settings.secret_key.encode(), f"status-page:{subject}".encode(), hashlib.sha256
    ).hexdigest()[:40]


def _dossier_subject(dossier: Dossier) -> str:
    # The secret's hash is part of it: a dossier given a new receipt shuts out the old one.
    return f"dossier:{dossier.id}:{dossier.receipt_secret_hash}"


def _cookie(settings: Settings, name: str, value: str) -> Cookie:
    return Cookie(
        key=name,
        value=value,
        max_age=COOKIE_MAX_AGE,
        path=COOKIE_PATH,
        httponly=True,
        secure=settings.secure_cookies,
        samesite="lax",
    )


def dossier_cookie(settings: Settings, dossier: Dossier) -> Cookie:
    """Lets this browser open the dossier's page again without the secret."""
    return _cookie(
        settings, f"{_DOSSIER_COOKIE}{dossier.tracking_code}", _token(settings, _dossier_subject(dossier))
    )


def resident_cookie(settings: Settings, dossier: Dossier) -> Cookie:
    """Lets this browser open every dossier of the resident (given when it follows them all)."""
    return _cookie(
        settings,
        f"{_RESIDENT_COOKIE}{dossier.resident_id.hex}",
        _token(settings, f"resident:{dossier.resident_id}"),
    )


def cookie_opens(settings: Settings, cookies: Mapping[str, str], dossier: Dossier) -> bool:
    for name, expected in (
        (f"{_DOSSIER_COOKIE}{dossier.tracking_code}", _token(settings, _dossier_subject(dossier))),
        (f"{_RESIDENT_COOKIE}{dossier.resident_id.hex}", _token(settings, f"resident:{dossier.resident_id}")),
    ):
        given = cookies.get(name)
        if given and hmac.compare_digest(given, expected):
            return True
    return False


async def _recent_guesses(db: AsyncSession, *conditions: object) -> int:
    count = await db.scalar(
        select(func.count())
        .select_from(StatusGuess)
        .where(StatusGuess.created_at > utcnow() - WINDOW, *conditions)  # type: ignore[arg-type]
    )
    return int(count or 0)


async def open_with_secret(db: AsyncSession, tracking_code: str, secret: str, client: str) -> Dossier | None:
    """The dossier if ``secret`` is its receipt's; None otherwise (a guess, counted and logged).

    Raises :class:`TooManyGuesses` before looking when this client guessed wrong too often
    lately, at any code or at this one, so a right guess after the limit tells nothing either.
    """
    code = tracking_code.upper()[:20]
    await forget_older(db, StatusGuess.created_at, KEEP_GUESSES)
    if (
        await _recent_guesses(db, StatusGuess.client == client[:64]) >= MAX_GUESSES_PER_CLIENT
        or await _recent_guesses(db, StatusGuess.tracking_code == code, StatusGuess.client == client[:64])
        >= MAX_GUESSES_PER_CODE
    ):
        log.warning("status page guesses limited", extra={"client": client, "tracking_code": code})
        raise TooManyGuesses
    dossier = (
        await db.scalar(select(Dossier).where(Dossier.tracking_code == code))
        if TRACKING_CODE.match(code)
        else None
    )
    # Compare even when there is no dossier, so an unknown code takes as long as a wrong secret.
    matches = hmac.compare_digest(
        secret_hash(secret), dossier.receipt_secret_hash if dossier else _NO_SUCH_SECRET
    )
    if dossier is not None and matches:
        return dossier
    db.add(StatusGuess(client=client[:64], tracking_code=code))
    await db.commit()  # kept although the answer is a 404 (which rolls the request back)
    log.warning("status page wrong code or secret", extra={"client": client, "tracking_code": code})
    return None


async def open_with_cookie(
    db: AsyncSession, settings: Settings, tracking_code: str, cookies: Mapping[str, str]
) -> Dossier | None:
    code = tracking_code.upper()[:20]
    if not TRACKING_CODE.match(code):
        return None
    dossier = await db.scalar(select(Dossier).where(Dossier.tracking_code == code))
    return dossier if dossier is not None and cookie_opens(settings, cookies, dossier) else None
