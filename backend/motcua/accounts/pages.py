"""The account pages: signing in and out, the workspace, and coordinators' volunteers and invitations."""

from __future__ import annotations

import secrets
from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter, URLEncodedBody
from litestar.response import Redirect, Template
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from motcua.accounts import sessions
from motcua.accounts.api import client_address
from motcua.accounts.invitations import invitation_url, invite, open_invitation, redeem
from motcua.accounts.login import sign_in
from motcua.accounts.middleware import SESSION_COOKIE, session_cookie
from motcua.accounts.models import AuthSession, User
from motcua.accounts.sessions import revoke_sessions
from motcua.accounts.users import create_user, ensure_may_manage, users_in_scope
from motcua.auth.guards import current_principal, roles, signed_in
from motcua.auth.principal import Principal
from motcua.db.base import utcnow
from motcua.errors import ApiError
from motcua.i18n import LANGUAGE_COOKIE, LANGUAGES
from motcua.places import service as places
from motcua.places.schemas import CommuneCodePath, is_place_code
from motcua.qr import qr_svg
from motcua.settings import Settings

FormBody = URLEncodedBody[dict[str, str]]


def _safe_next(target: str | None) -> str:
    # Only same-site paths: never redirect to another host after sign-in.
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return "/office"


class PagesController(Controller):
    include_in_schema = False

    @get("/login")
    async def login_form(
        self, next_path: Annotated[str | None, QueryParameter(name="next")] = None
    ) -> Template:
        return Template("login.html", context={"next": _safe_next(next_path), "error": None, "phone": ""})

    @post("/login", status_code=303)
    async def login(
        self,
        request: Request[Any, Any, Any],
        data: FormBody,
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
    ) -> Redirect | Template:
        phone, target = data.get("phone", ""), _safe_next(data.get("next"))
        try:
            token, _, _ = await sign_in(
                db_session,
                phone=phone,
                password=data.get("password", ""),
                client=client_address(request),
                kind="web",
                label=request.headers.get("user-agent", ""),
                settings=settings,
            )
        except ApiError as error:
            return Template(
                "login.html",
                context={"next": target, "error": error.body, "phone": phone},
                status_code=error.status_code,
            )
        max_age = int(sessions.lifetime(settings, "web").total_seconds())
        return Redirect(target, status_code=303, cookies=[session_cookie(token, settings, max_age)])

    @post("/logout", status_code=303, guards=[signed_in])
    async def logout(
        self, request: Request[Any, Any, Any], db_session: NamedDependency[AsyncSession]
    ) -> Redirect:
        principal = current_principal(request)
        await sessions.revoke_sessions(db_session, principal.user_id, principal.session_id)
        response = Redirect("/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE)
        return response

    @get("/language/{lang:str}")
    async def language(
        self, lang: FromPath[str], next_path: Annotated[str | None, QueryParameter(name="next")] = None
    ) -> Redirect:
        # The page says where to come back to: with Referrer-Policy no-referrer there is no Referer.
        chosen = lang if lang in LANGUAGES else "vi"
        response = Redirect(_safe_next(next_path))
        response.set_cookie(LANGUAGE_COOKIE, chosen, max_age=365 * 24 * 3600, samesite="lax")
        return response

    @get("/office", guards=[signed_in])
    async def office(
        self, db_session: NamedDependency[AsyncSession], principal: NamedDependency[Principal]
    ) -> Template:
        # An admin or a province coordinator may have thousands: keep the page light.
        communes = (await places.communes_in_scope(db_session, principal))[:50]
        villages = {commune.code: await places.villages_of(db_session, commune) for commune, _ in communes}
        return Template(
            "office.html",
            context={
                "principal": principal,
                "communes": communes,
                "villages": villages,
                "sessions": await sessions.list_sessions(db_session, principal.user_id),
            },
        )

    @post("/office/communes/{code:int}/villages", status_code=303, guards=[signed_in])
    async def add_village(
        self,
        code: CommuneCodePath,
        data: FormBody,
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
    ) -> Redirect:
        if principal.role not in {"coordinator", "admin"}:
            raise ApiError(
                403, "forbidden", "Chỉ điều phối viên thêm được thôn.", "Only coordinators add villages."
            )
        commune = await places.commune_in_scope(db_session, principal, code)
        await places.create_village(db_session, commune, data.get("name", ""), principal.user_id)
        return Redirect("/office", status_code=303)

    @post("/office/sessions/{session_id:uuid}/revoke", status_code=303, guards=[signed_in])
    async def revoke_session(
        self,
        session_id: FromPath[UUID],
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
    ) -> Redirect:
        await sessions.revoke_sessions(db_session, principal.user_id, session_id)
        return Redirect("/office", status_code=303)


async def _volunteer(db: AsyncSession, principal: Principal, user_id: UUID) -> User:
    user = await db.get(User, user_id)
    if user is None:
        raise ApiError(404, "user.not_found", "Không tìm thấy tài khoản.", "No such user.")
    await ensure_may_manage(db, principal, user.role, [c.commune_code for c in user.communes])
    return user


def _commune_code(text: str) -> int:
    """The form's commune as a code; 0 (no such commune, refused as outside) when it cannot be one."""
    text = text.strip()
    if not (text.isascii() and text.isdigit() and len(text) <= 10):
        return 0
    return int(text) if is_place_code(int(text)) else 0


async def _invited(db: AsyncSession, principal: Principal, settings: Settings, user: User) -> dict[str, Any]:
    """A new invitation link for ``user``, with its QR code, as the volunteers page shows it."""
    token, invitation = await invite(db, principal, user)
    url = invitation_url(settings, token)
    return {
        "user": user,
        "url": url,
        "qr": qr_svg(url, title=user.full_name),
        "expires_at": invitation.expires_at,
    }


class VolunteerPages(Controller):
    path = "/office/volunteers"
    include_in_schema = False
    guards = [roles("coordinator")]

    async def _page(
        self,
        db: AsyncSession,
        principal: Principal,
        invited: dict[str, Any] | None = None,
        error: Any = None,
        status_code: int = 200,
    ) -> Template:
        volunteers = [u for u in await users_in_scope(db, principal) if u.role == "volunteer"]
        now = utcnow()
        counts: dict[UUID, int] = {
            row[0]: row[1]
            for row in await db.execute(
                select(AuthSession.user_id, func.count())
                .where(
                    AuthSession.revoked_at.is_(None),
                    AuthSession.expires_at > now,
                    AuthSession.kind == "device",
                )
                .group_by(AuthSession.user_id)
            )
        }
        communes = [commune for commune, _ in await places.communes_in_scope(db, principal)][:50]
        return Template(
            "volunteers.html",
            context={
                "volunteers": volunteers,
                "devices": counts,
                "communes": communes,
                "invited": invited,
                "error": error,
            },
            status_code=status_code,
        )

    @get("/")
    async def list_volunteers(
        self, db_session: NamedDependency[AsyncSession], principal: NamedDependency[Principal]
    ) -> Template:
        return await self._page(db_session, principal)

    @post("/", status_code=200)
    async def invite_new(
        self,
        data: URLEncodedBody[dict[str, str]],
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        settings: NamedDependency[Settings],
    ) -> Template:
        """Create the volunteer's account and show the one-time link and its QR for their phone."""
        try:
            commune = _commune_code(data.get("commune", ""))
            await ensure_may_manage(db_session, principal, "volunteer", [commune])
            async with db_session.begin_nested():
                user = await create_user(
                    db_session,
                    phone=data.get("phone", ""),
                    full_name=data.get("full_name", ""),
                    role="volunteer",
                    # Unusable until the volunteer sets their own from the link.
                    password=secrets.token_urlsafe(32),
                    commune_codes=[commune],
                )
        except ApiError as error:
            return await self._page(db_session, principal, error=error.body, status_code=error.status_code)
        return await self._page(
            db_session, principal, invited=await _invited(db_session, principal, settings, user)
        )

    @post("/{user_id:uuid}/invite", status_code=200)
    async def invite_again(
        self,
        user_id: FromPath[UUID],
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        settings: NamedDependency[Settings],
    ) -> Template:
        user = await _volunteer(db_session, principal, user_id)
        return await self._page(
            db_session, principal, invited=await _invited(db_session, principal, settings, user)
        )

    @post("/{user_id:uuid}/active", status_code=303)
    async def set_active(
        self,
        user_id: FromPath[UUID],
        data: URLEncodedBody[dict[str, str]],
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
    ) -> Redirect:
        """Deactivate (which also signs every phone out) or reactivate a volunteer."""
        user = await _volunteer(db_session, principal, user_id)
        user.is_active = data.get("active") == "1"
        if not user.is_active:
            await revoke_sessions(db_session, user.id)
        return Redirect("/office/volunteers", status_code=303)

    @post("/{user_id:uuid}/revoke", status_code=303)
    async def revoke(
        self,
        user_id: FromPath[UUID],
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
    ) -> Redirect:
        """Sign a lost or handed-over phone out; the volunteer signs in again on the new one."""
        user = await _volunteer(db_session, principal, user_id)
        await revoke_sessions(db_session, user.id)
        return Redirect("/office/volunteers", status_code=303)


class InvitationPages(Controller):
    """The page a new volunteer opens from the link or QR (no sign-in needed)."""

    path = "/moi"
    include_in_schema = False

    @get("/{token:str}")
    async def form(self, token: FromPath[str], db_session: NamedDependency[AsyncSession]) -> Template:
        _, user = await open_invitation(db_session, token)
        return Template("invitation.html", context={"user": user, "token": token, "error": None})

    @post("/{token:str}", status_code=303)
    async def set_password(
        self,
        token: FromPath[str],
        data: URLEncodedBody[dict[str, str]],
        db_session: NamedDependency[AsyncSession],
    ) -> Redirect | Template:
        try:
            user = await redeem(db_session, token, data.get("password", ""), data.get("repeated", ""))
        except ApiError as error:
            if error.status_code == 404:
                raise
            _, user = await open_invitation(db_session, token)
            return Template(
                "invitation.html",
                context={"user": user, "token": token, "error": error.body},
                status_code=400,
            )
        # The phone app opens with the number filled in; the volunteer types the new password.
        return Redirect(f"/?phone={user.phone}", status_code=303)
