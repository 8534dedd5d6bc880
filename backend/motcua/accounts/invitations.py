"""Inviting a volunteer: a one-time sign-in link (or its QR) that lets them set a password."""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from motcua.accounts.models import Invitation, User
from motcua.accounts.passwords import MIN_PASSWORD_LENGTH, hash_password
from motcua.accounts.sessions import end_sessions, hash_token
from motcua.auth.principal import Principal
from motcua.db.base import utcnow
from motcua.errors import ApiError, FieldError
from motcua.settings import Settings

INVITATION_DAYS = 7


def invitation_url(settings: Settings, token: str) -> str:
    return f"{settings.public_url}/moi/{token}"


async def invite(db: AsyncSession, principal: Principal, user: User) -> tuple[str, Invitation]:
    """A fresh link for ``user``; any earlier unused link of theirs stops working."""
    now = utcnow()
    await db.execute(
        update(Invitation)
        .where(Invitation.user_id == user.id, Invitation.used_at.is_(None))
        .values(expires_at=now)
    )
    token = secrets.token_urlsafe(24)
    invitation = Invitation(
        user_id=user.id,
        token_hash=hash_token(token),
        created_by=principal.user_id,
        expires_at=now + timedelta(days=INVITATION_DAYS),
    )
    db.add(invitation)
    await db.flush()
    return token, invitation


def _gone() -> ApiError:
    return ApiError(
        404,
        "invitation.invalid",
        "Đường dẫn mời đã hết hạn hoặc đã được dùng. Hãy xin điều phối viên gửi lại.",
        "This invitation link has expired or was used. Ask your coordinator for a new one.",
    )


async def open_invitation(db: AsyncSession, token: str) -> tuple[Invitation, User]:
    invitation = await db.scalar(select(Invitation).where(Invitation.token_hash == hash_token(token)))
    if invitation is None or invitation.used_at is not None or invitation.expires_at <= utcnow():
        raise _gone()
    user = await db.get(User, invitation.user_id)
    if user is None or not user.is_active:
        raise _gone()
    return invitation, user


async def redeem(db: AsyncSession, token: str, password: str, repeated: str) -> User:
    """Set the volunteer's password from the link, once."""
    invitation, user = await open_invitation(db, token)
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(
            FieldError(
                "password",
                "password.too_short",
                f"Mật khẩu cần ít nhất {MIN_PASSWORD_LENGTH} ký tự.",
                f"The password needs at least {MIN_PASSWORD_LENGTH} characters.",
            )
        )
    elif password != repeated:
        problems.append(
            FieldError(
                "repeated", "password.mismatch", "Hai lần nhập không giống nhau.", "The two entries differ."
            )
        )
    if problems:
        raise ApiError(
            400, "invitation.password", "Mật khẩu chưa hợp lệ.", "The password is not valid.", problems
        )
    user.password_hash = hash_password(password)
    invitation.used_at = utcnow()
    await end_sessions(db, user.id)  # sign in again; the phones keep their data
    await db.flush()
    return user
