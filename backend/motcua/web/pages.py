"""Sign-in, sign-out, the language switch and the workspace page."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter, URLEncodedBody
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from motcua.accounts import sessions
from motcua.accounts.controller import client_address
from motcua.accounts.login import sign_in
from motcua.accounts.middleware import SESSION_COOKIE, session_cookie
from motcua.auth.guards import current_principal, signed_in
from motcua.auth.principal import Principal
from motcua.errors import ApiError
from motcua.i18n import LANGUAGE_COOKIE, LANGUAGES
from motcua.places import service as places
from motcua.places.schemas import CommuneCodePath
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
