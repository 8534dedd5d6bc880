"""Finds the signed-in user of each request: bearer token for the API, cookie for the pages.

It also ties the pages' CSRF token to the browser's session. Litestar's CSRF middleware
(configured in ``app.py``, running inside this one) compares the token a form or script sends
with the ``motcua_csrf`` cookie. For a signed-in browser this middleware puts in place of
that cookie, before Litestar looks, the session's own token: an HMAC of the session token's
hash under the secret key. So a signed-in form must carry exactly its session's token; a
cookie planted by someone else (a sibling subdomain, an earlier visitor of a shared computer)
no longer works, and the token changes with every sign-in. On the way out, the browser's
cookie is brought in step: set to the new session's token by the answer that signs in,
deleted by the answer that signs out (the next page then gets a fresh anonymous one).
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie, Headers, MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.middleware.csrf import generate_csrf_hash
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from litestar.utils.scope.state import ScopeState
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from motcua.accounts.recent import RECENT
from motcua.accounts.sessions import hash_token, principal_for_token, refusal_of_token
from motcua.auth.guards import REFUSED
from motcua.auth.principal import Principal
from motcua.db.engine import read_mostly
from motcua.settings import Settings

SESSION_COOKIE = "motcua_session"
CSRF_COOKIE = "motcua_csrf"  # the cookie_name app.py gives Litestar's CSRFConfig


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


def session_csrf_token(token_hash: str, settings: Settings) -> str:
    """The CSRF token of the web session whose token hashes to ``token_hash``.

    In Litestar's format (64 hex characters and their HMAC), so its own check accepts it.
    """
    key = settings.secret_key.encode()
    raw = hmac.new(key, f"csrf-of-session:{token_hash}".encode(), hashlib.sha256).hexdigest()
    return raw + generate_csrf_hash(token=raw, secret=settings.secret_key)


def _csrf_cookie(settings: Settings, value: str | None) -> Cookie:
    # As Litestar's CSRF middleware sets it (readable by the page's script), or deleted.
    if value is None:
        return Cookie(key=CSRF_COOKIE, value="", path="/", max_age=0, expires=0, samesite="lax")
    return Cookie(key=CSRF_COOKIE, value=value, path="/", secure=settings.secure_cookies, samesite="lax")


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


def _session_cookie_change(headers: MutableScopeHeaders) -> tuple[bool, str | None]:
    """Whether the answer sets or deletes the session cookie, and the new token if it sets one."""
    for value in headers.getall("set-cookie", []):
        name, _, rest = value.partition("=")
        if name.strip() != SESSION_COOKIE:
            continue
        token, *attributes = (part.strip() for part in rest.split(";"))
        deleted = token in {"", '""'} or any(a.lower() == "max-age=0" for a in attributes)
        return True, None if deleted else token
    return False, None


class AuthenticationMiddleware:
    """Sets ``scope["user"]`` to a :class:`Principal` or None; guards decide what None may do.

    The API takes only bearer tokens and the pages only the cookie, so a page's cookie can
    never be used to call the API from another site, and CSRF protection is needed only on
    the pages (see the module's docstring for how it is tied to the session).
    """

    def __init__(self, app: ASGIApp, engine: AsyncEngine, settings: Settings) -> None:
        self.app = app
        self.sessions = async_sessionmaker(read_mostly(engine), expire_on_commit=False)
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        principal: Principal | None = None
        csrf_to_set: str | None = None
        if scope["type"] == ScopeType.HTTP and (credentials := _credentials(scope)) is not None:
            token, kind = credentials
            token_hash = hash_token(token)
            principal = RECENT.get(token_hash, kind)
            if principal is None:
                async with self.sessions() as db:
                    principal = await principal_for_token(db, token_hash, kind, self.settings)
                    if principal is None and (refused := await refusal_of_token(db, token_hash, kind)):
                        scope[REFUSED] = refused  # type: ignore[literal-required]
            if principal is not None and kind == "web":
                csrf_to_set = self._bind_csrf(scope, token_hash)
        scope["user"] = principal
        if scope["type"] == ScopeType.HTTP and not scope["path"].startswith("/api/"):
            send = self._keep_csrf_cookie_in_step(send, csrf_to_set)
        await self.app(scope, receive, send)

    def _bind_csrf(self, scope: Scope, token_hash: str) -> str | None:
        """Make the session's token the one Litestar compares with; returns it if the browser's
        cookie differs (and must be set), else None."""
        bound = session_csrf_token(token_hash, self.settings)
        cookies = ASGIConnection[Any, Any, Any, Any](scope).cookies  # parsed once, kept in the scope
        if hmac.compare_digest(cookies.get(CSRF_COOKIE, "").encode(), bound.encode()):
            return None
        ScopeState.from_scope(scope).cookies = {**cookies, CSRF_COOKIE: bound}
        return bound

    def _keep_csrf_cookie_in_step(self, send: Send, bound: str | None) -> Send:
        settings = self.settings

        async def send_with_csrf_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableScopeHeaders.from_message(message)
                changed, new_token = _session_cookie_change(headers)
                value: str | None = bound
                if changed:  # signed in or out: a new token, or none until the next page
                    value = session_csrf_token(hash_token(new_token), settings) if new_token else None
                if changed or value is not None:
                    kept = [
                        v for v in headers.getall("set-cookie", []) if not v.startswith(f"{CSRF_COOKIE}=")
                    ]
                    del headers["set-cookie"]
                    for v in [*kept, _csrf_cookie(settings, value).to_header(header="")]:
                        headers.add("set-cookie", v)
            await send(message)

        return send_with_csrf_cookie
