"""Saving and removing browsers' push subscriptions, and what each one follows."""

from __future__ import annotations

import hashlib
import ipaddress
from urllib.parse import urlsplit
from uuid import UUID

import msgspec
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from motcua.errors import ApiError, FieldError
from motcua.push.models import PushFollow, PushOutbox, PushSubscription
from motcua.push.vapid import b64url_decode
from motcua.settings import Settings

# One resident's family may follow a dossier from several phones; more is abuse.
MAX_FOLLOWERS = 10
MAX_DEVICES_PER_USER = 10


class SubscriptionKeys(msgspec.Struct, frozen=True):
    p256dh: str
    auth: str


class BrowserSubscription(msgspec.Struct, frozen=True):
    """``PushSubscription.toJSON()`` as the browser gives it (``expirationTime`` is ignored)."""

    endpoint: str
    keys: SubscriptionKeys


def _refuse(field: str, vi: str, en: str) -> ApiError:
    return ApiError(
        400,
        "push.subscription_invalid",
        "Không đăng ký nhận thông báo được trên máy này.",
        "This browser's push subscription cannot be used.",
        [FieldError(field, "invalid", vi, en)],
    )


def _private_host(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return not address.is_global


def check_subscription(settings: Settings, given: BrowserSubscription) -> None:
    """Refuse what no browser would make, and endpoints the worker must never be sent to.

    On an https deployment an endpoint must be https on a public host: a subscription is
    an address our worker will POST to, and it must not reach into our own network.
    """
    parts = urlsplit(given.endpoint)
    schemes = ("https",) if settings.secure_cookies else ("https", "http")
    if len(given.endpoint) > 1000 or parts.scheme not in schemes or not parts.hostname:
        raise _refuse("endpoint", "Địa chỉ nhận thông báo không hợp lệ.", "The endpoint is not valid.")
    if settings.secure_cookies and _private_host(parts.hostname):
        raise _refuse(
            "endpoint", "Địa chỉ nhận thông báo không hợp lệ.", "The endpoint is not a public address."
        )
    try:
        point = b64url_decode(given.keys.p256dh)
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
        auth = b64url_decode(given.keys.auth)
    except ValueError:
        raise _refuse("keys", "Khóa mã hóa không hợp lệ.", "The encryption keys are not valid.") from None
    if len(point) != 65 or len(auth) != 16:
        raise _refuse("keys", "Khóa mã hóa không hợp lệ.", "The encryption keys are not valid.")


def endpoint_hash(endpoint: str) -> str:
    return hashlib.sha256(endpoint.encode()).hexdigest()


async def find_subscription(db: AsyncSession, endpoint: str) -> PushSubscription | None:
    found: PushSubscription | None = await db.scalar(
        select(PushSubscription).where(PushSubscription.endpoint_hash == endpoint_hash(endpoint))
    )
    return found


async def save_subscription(
    db: AsyncSession, given: BrowserSubscription, user_id: UUID | None = None
) -> PushSubscription:
    """The subscription for this endpoint, made or refreshed with the browser's current keys."""
    found = await find_subscription(db, given.endpoint)
    if found is None:
        try:
            async with db.begin_nested():
                found = PushSubscription(
                    endpoint=given.endpoint,
                    endpoint_hash=endpoint_hash(given.endpoint),
                    p256dh=given.keys.p256dh,
                    auth=given.keys.auth,
                    user_id=user_id,
                )
                db.add(found)
        except IntegrityError:
            # The same browser asked twice at once; the other request made it.
            found = await find_subscription(db, given.endpoint)
            if found is None:
                raise
    found.p256dh, found.auth = given.keys.p256dh, given.keys.auth
    if user_id is not None:
        found.user_id = user_id
        newest_first = list(
            await db.scalars(
                select(PushSubscription.id)
                .where(PushSubscription.user_id == user_id)
                .order_by(PushSubscription.created_at.desc())
            )
        )
        if len(newest_first) > MAX_DEVICES_PER_USER:
            stale = newest_first[MAX_DEVICES_PER_USER:]
            await db.execute(delete(PushSubscription).where(PushSubscription.id.in_(stale)))
    await db.flush()
    return found


async def follow(
    db: AsyncSession,
    subscription: PushSubscription,
    *,
    dossier_id: UUID | None = None,
    resident_id: UUID | None = None,
) -> None:
    """Let the subscription hear of one dossier, or of every dossier of one resident."""
    target = PushFollow.dossier_id == dossier_id if dossier_id else PushFollow.resident_id == resident_id
    exists = await db.scalar(
        select(PushFollow.id).where(PushFollow.subscription_id == subscription.id, target)
    )
    if exists is None:
        db.add(PushFollow(subscription_id=subscription.id, dossier_id=dossier_id, resident_id=resident_id))
        await db.flush()
    newest_first = list(
        await db.scalars(select(PushFollow.id).where(target).order_by(PushFollow.created_at.desc()))
    )
    if len(newest_first) > MAX_FOLLOWERS:
        await db.execute(delete(PushFollow).where(PushFollow.id.in_(newest_first[MAX_FOLLOWERS:])))


async def following(
    db: AsyncSession, endpoint: str, dossier_id: UUID, resident_id: UUID
) -> tuple[bool, bool]:
    """Whether the endpoint follows this dossier, and whether it follows all of the resident's."""
    found = await find_subscription(db, endpoint)
    if found is None:
        return False, False
    rows = list(
        await db.execute(
            select(PushFollow.dossier_id, PushFollow.resident_id).where(
                PushFollow.subscription_id == found.id
            )
        )
    )
    everything = any(row.resident_id == resident_id for row in rows)
    return everything or any(row.dossier_id == dossier_id for row in rows), everything


async def unfollow(db: AsyncSession, endpoint: str, dossier_id: UUID, resident_id: UUID) -> bool:
    """Stop telling this endpoint about the dossier (and the resident's others).

    Returns True when the subscription follows nothing any more and was removed, so the
    page can unsubscribe the browser too.
    """
    found = await find_subscription(db, endpoint)
    if found is None:
        return True
    await db.execute(
        delete(PushFollow).where(
            PushFollow.subscription_id == found.id,
            (PushFollow.dossier_id == dossier_id) | (PushFollow.resident_id == resident_id),
        )
    )
    # What was queued for it and not sent yet is not wanted any more either.
    await db.execute(
        update(PushOutbox)
        .where(
            PushOutbox.subscription_id == found.id,
            PushOutbox.dossier_id == dossier_id,
            PushOutbox.state == "pending",
        )
        .values(state="gone", last_error="unsubscribed")
        .execution_options(synchronize_session=False)
    )
    left = await db.scalar(
        select(func.count()).select_from(PushFollow).where(PushFollow.subscription_id == found.id)
    )
    if not left and found.user_id is None:
        await db.delete(found)
        await db.flush()
        return True
    return False


async def remove_device(db: AsyncSession, endpoint: str, user_id: UUID) -> bool:
    """A volunteer's phone stops receiving their notifications."""
    found = await find_subscription(db, endpoint)
    if found is None or found.user_id != user_id:
        return False
    left = await db.scalar(
        select(func.count()).select_from(PushFollow).where(PushFollow.subscription_id == found.id)
    )
    if left:
        found.user_id = None
    else:
        await db.delete(found)
    await db.flush()
    return True
