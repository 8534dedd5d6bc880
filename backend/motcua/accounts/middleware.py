"""Finds the signed-in user of each request: bearer token for the API, cookie for the pages."""

from __future__ import annotations

from litestar.datastructures import Cookie, Headers
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Receive, Scope, Send
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from motcua.accounts.principal import Principal
from motcua.accounts.recent import RECENT
from motcua.accounts.sessions import hash_token, principal_for_token
from motcua.db.engine import read_mostly
from motcua.settings import Settings

SESSION_COOKIE = "motcua_session"


def session_cookie(token: str, settings: Settings, max_age: int) -> Cookie:
    return Cookie(
        key=SESSION_COOKIE,
        value=token,
        max_age=max_age,
        httponly=True,
        secure=settings.secure_cookies,
        samesite="lax",
        path="/",
    )


def _credentials(scope: Scope) -> tuple[str, str] | None:
    """The token and the session kind it must belong to, if the request carries one."""
    if scope["path"].startswith("/api/"):
        header = Headers.from_scope(scope).get("authorization", "")
        scheme, _, token = header.partition(" ")
        return (token.strip(), "device") if scheme.lower() == "bearer" and token.strip() else None
    for name, value in Headers.from_scope(scope).items():
        if name == "cookie":
            for part in value.split(";"):
                key, _, token = part.strip().partition("=")
                if key == SESSION_COOKIE and token:
                    return token, "web"
    return None


class AuthenticationMiddleware:
    """Sets ``scope["user"]`` to a :class:`Principal` or None; guards decide what None may do.

    The API takes only bearer tokens and the pages only the cookie, so a page's cookie can
    never be used to call the API from another site, and CSRF protection is needed only on
    the pages.
    """

    def __init__(self, app: ASGIApp, engine: AsyncEngine, settings: Settings) -> None:
        self.app = app
        self.sessions = async_sessionmaker(read_mostly(engine), expire_on_commit=False)
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        principal: Principal | None = None
        if scope["type"] == ScopeType.HTTP and (credentials := _credentials(scope)) is not None:
            token, kind = credentials
            token_hash = hash_token(token)
            principal = RECENT.get(token_hash, kind)
            if principal is None:
                async with self.sessions() as db:
                    principal = await principal_for_token(db, token_hash, kind, self.settings)
        scope["user"] = principal
        await self.app(scope, receive, send)
