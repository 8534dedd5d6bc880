"""Accounts API: sign-in for phones, one's own sessions, and user management."""

from __future__ import annotations

import ipaddress
from typing import Any
from uuid import UUID

from litestar import Controller, Request, delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from sqlalchemy.ext.asyncio import AsyncSession

from motcua.accounts import sessions
from motcua.accounts.login import sign_in
from motcua.accounts.models import User
from motcua.accounts.schemas import LoginIn, MeOut, RevokedOut, SessionOut, TokenOut, UserIn, UserOut
from motcua.accounts.users import create_user, ensure_may_manage, users_in_scope
from motcua.auth.guards import roles, signed_in
from motcua.auth.principal import Principal
from motcua.errors import ApiError
from motcua.settings import Settings


def client_address(request: Request[Any, Any, Any]) -> str:
    """Where a request came from, for counting guesses: an IPv4 address or an IPv6 /64.

    One IPv6 subscriber holds a whole /64, so counting single IPv6 addresses would count nothing.
    """
    host = request.client.host if request.client else "unknown"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host[:64]
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{address}/64", strict=False))
    return str(address)


def _me(user: User) -> MeOut:
    return MeOut(
        id=user.id,
        full_name=user.full_name,
        phone=user.phone,
        role=user.role,
        commune_codes=[c.commune_code for c in user.communes],
        province_codes=[p.province_code for p in user.provinces],
    )


def user_out(user: User) -> UserOut:
    me = _me(user)
    return UserOut(
        me.id, me.full_name, me.phone, me.role, user.is_active, me.commune_codes, me.province_codes
    )


class AuthController(Controller):
    path = "/api"
    tags = ["accounts"]

    @post("/auth/login")
    async def login(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[LoginIn],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
    ) -> TokenOut:
        """Sign a phone in; the token lasts for days of offline work and can be revoked.

        Failed sign-ins are slowed down per number and address (429 ``auth.slow_down`` with
        Retry-After). A phone that still holds a device session of the same account may send
        its token (``Authorization: Bearer …``): then only that phone's own failures count, so
        guessing by others never keeps it out.
        """
        label = data.device_label or request.headers.get("user-agent", "")
        signed_in_as = request.scope.get("user")
        token, session, user = await sign_in(
            db_session,
            phone=data.phone,
            password=data.password,
            client=client_address(request),
            kind="device",
            label=label,
            settings=settings,
            device_session=signed_in_as if isinstance(signed_in_as, Principal) else None,
        )
        return TokenOut(
            token=token,
            session_id=session.id,
            expires_at=session.expires_at,
            user=_me(user),
            device_code=session.device_code or "",
        )

    @post("/auth/logout", guards=[signed_in], status_code=204)
    async def logout(
        self, db_session: NamedDependency[AsyncSession], principal: NamedDependency[Principal]
    ) -> None:
        await sessions.revoke_sessions(db_session, principal.user_id, principal.session_id)

    @get("/me", guards=[signed_in])
    async def me(
        self, db_session: NamedDependency[AsyncSession], principal: NamedDependency[Principal]
    ) -> MeOut:
        user = await db_session.get_one(User, principal.user_id)
        return _me(user)

    @get("/me/sessions", guards=[signed_in])
    async def my_sessions(
        self, db_session: NamedDependency[AsyncSession], principal: NamedDependency[Principal]
    ) -> list[SessionOut]:
        """The user's devices and browsers still signed in."""
        return [
            SessionOut(
                id=s.id,
                kind=s.kind,
                label=s.label,
                created_at=s.created_at,
                last_seen_at=s.last_seen_at,
                expires_at=s.expires_at,
                current=s.id == principal.session_id,
            )
            for s in await sessions.list_sessions(db_session, principal.user_id)
        ]

    @delete("/me/sessions/{session_id:uuid}", guards=[signed_in], status_code=204)
    async def revoke_my_session(
        self,
        session_id: FromPath[UUID],
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
    ) -> None:
        if not await sessions.revoke_sessions(db_session, principal.user_id, session_id):
            raise ApiError(404, "session.not_found", "Không tìm thấy phiên đăng nhập.", "No such session.")


class UsersController(Controller):
    path = "/api/users"
    tags = ["accounts"]
    guards = [roles("coordinator")]

    @get("/")
    async def list_users(
        self, db_session: NamedDependency[AsyncSession], principal: NamedDependency[Principal]
    ) -> list[UserOut]:
        """Users of the caller's places (every user for an admin)."""
        return [user_out(u) for u in await users_in_scope(db_session, principal)]

    @post("/")
    async def create(
        self,
        data: JSONBody[UserIn],
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
    ) -> UserOut:
        """Admins create any account; coordinators create volunteers of their own communes."""
        await ensure_may_manage(db_session, principal, data.role, data.commune_codes)
        if data.province_codes and not principal.is_admin:
            raise ApiError(
                403,
                "scope.outside",
                "Chỉ quản trị viên cấp tài khoản cấp tỉnh.",
                "Only admins grant provinces.",
            )
        user = await create_user(
            db_session,
            phone=data.phone,
            full_name=data.full_name,
            role=data.role,
            password=data.password,
            commune_codes=data.commune_codes,
            province_codes=data.province_codes,
        )
        return user_out(user)

    @post("/{user_id:uuid}/revoke-sessions")
    async def revoke_sessions(
        self,
        user_id: FromPath[UUID],
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
    ) -> RevokedOut:
        """Sign a user out of every phone and browser (a lost phone, a volunteer who left)."""
        user = await db_session.get(User, user_id)
        if user is None:
            raise ApiError(404, "user.not_found", "Không tìm thấy tài khoản.", "No such user.")
        await ensure_may_manage(db_session, principal, user.role, [c.commune_code for c in user.communes])
        return RevokedOut(await sessions.revoke_sessions(db_session, user.id))
