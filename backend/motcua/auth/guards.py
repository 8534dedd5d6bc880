"""Route guards: signed in, and holding one of the allowed roles."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers import BaseRouteHandler

from motcua.auth.principal import Principal
from motcua.errors import ApiError

Guard = Callable[[ASGIConnection[Any, Any, Any, Any], BaseRouteHandler], None]

# Where the authentication middleware says why a known token no longer signs in.
REFUSED = "motcua.refused"
# A phone told one of these wipes its data and says why (docs/privacy.md).
_REFUSALS = {
    "session.revoked": (
        "Phiên đăng nhập của máy này đã bị thu hồi.",
        "This device's session was revoked.",
    ),
    "account.disabled": ("Tài khoản này đã bị khoá.", "This account was disabled."),
}


def current_principal(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal:
    principal = connection.scope.get("user")
    if not isinstance(principal, Principal):
        refused = connection.scope.get(REFUSED)
        if refused in _REFUSALS:
            raise ApiError(401, refused, *_REFUSALS[refused])
        raise NotAuthorizedException()
    return principal


def signed_in(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    current_principal(connection)


def roles(*allowed: str) -> Guard:
    """A guard letting through only users with one of ``allowed`` roles (admins always)."""

    def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        principal = current_principal(connection)
        if principal.role not in allowed and not principal.is_admin:
            raise PermissionDeniedException()

    return guard
